"""Filing numbers (radicados): unguessable, easy to read aloud, checked on entry.

Shape: ``PQR-2026-7KQ4-M9XT-2HCB``, that is a prefix, the filing year and twelve
symbols of Crockford's base 32 (``0-9`` and ``A-Z`` without ``I L O U``): eleven drawn
with :mod:`secrets` (55 random bits, so numbers say nothing about how many cases exist
or which came before) and a check symbol. With ten thousand cases a year, a guessed
number hits a real one with probability about 3 × 10⁻¹³, and the status portal also
asks for the e-mail address.

The check symbol is ISO 7064's hybrid MOD 33,32 over the year and the random symbols
(``stdnum.iso7064.mod_37_36`` with Crockford's alphabet): it catches every single
mistyped symbol and nearly every swap of two neighbours (about 998 in 1,000), so a
typo is reported as a typo instead of "no such case".

Reading a number forgives what people do when they copy one: any case, spaces or
dashes anywhere (or none), and the look-alikes Crockford maps (``I``/``L`` → ``1``,
``O`` → ``0``) in the year and the symbols.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from stdnum.iso7064 import mod_37_36

#: Crockford's base-32 alphabet: digits and capitals without I, L, O and U.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Prefix used when the organisation sets none.
DEFAULT_PREFIX = "PQR"
#: Random symbols per number (5 bits each).
RANDOM_LENGTH = 11
#: Symbols after the year: the random ones and the check symbol.
BODY_LENGTH = RANDOM_LENGTH + 1
GROUP = 4
_YEAR_LENGTH = 4
_PREFIX_PATTERN = re.compile(r"[A-Z]{1,8}")
#: Separators a person may type or paste: spaces and every kind of dash.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_.]+")
_LOOK_ALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})


class InvalidFilingNumber(ValueError):
    """Text that is not a well-formed filing number; ``code`` names what is wrong.

    Codes: ``empty``, ``prefix``, ``length``, ``character``, ``year``, ``checksum``.
    The web layer translates by ``code``; ``str(error)`` is an English explanation.
    """

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class FilingNumber:
    """A validated filing number; ``str()`` gives the grouped form shown to people."""

    prefix: str
    year: int
    body: str

    @property
    def compact(self) -> str:
        """Return the canonical form without separators, for storage and look-ups."""
        return f"{self.prefix}{self.year:04d}{self.body}"

    @property
    def random_part(self) -> str:
        """Return the random symbols, without the check symbol."""
        return self.body[:RANDOM_LENGTH]

    def __str__(self) -> str:
        groups = "-".join(
            self.body[start : start + GROUP] for start in range(0, BODY_LENGTH, GROUP)
        )
        return f"{self.prefix}-{self.year:04d}-{groups}"


def _check_prefix(prefix: str) -> str:
    """Return ``prefix`` in capitals, or raise ValueError when it is not 1-8 letters."""
    upper = prefix.upper()
    if not _PREFIX_PATTERN.fullmatch(upper):
        raise ValueError(f"A filing-number prefix is 1 to 8 letters A-Z, not {prefix!r}.")
    return upper


def generate(year: int, prefix: str = DEFAULT_PREFIX) -> FilingNumber:
    """Return a new filing number for ``year`` with random symbols from :mod:`secrets`.

    Uniqueness is the database's job (a unique constraint on :attr:`FilingNumber.compact`,
    retrying on the rare collision); this function only makes collisions rare.
    """
    prefix = _check_prefix(prefix)
    if not 1000 <= year <= 9999:
        raise ValueError(f"The year must have four digits, not {year}.")
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    check = mod_37_36.calc_check_digit(f"{year:04d}{random_part}", alphabet=ALPHABET)
    return FilingNumber(prefix, year, random_part + check)


def parse(text: str, prefix: str = DEFAULT_PREFIX) -> FilingNumber:
    """Return the filing number ``text`` spells, or raise :class:`InvalidFilingNumber`."""
    prefix = _check_prefix(prefix)
    compact = _SEPARATORS.sub("", text or "").upper()
    if not compact:
        raise InvalidFilingNumber("empty", "Enter the filing number.")
    if not compact.startswith(prefix):
        raise InvalidFilingNumber("prefix", f"A filing number starts with {prefix}.", prefix=prefix)
    rest = compact[len(prefix) :].translate(_LOOK_ALIKES)
    expected = _YEAR_LENGTH + BODY_LENGTH
    if len(rest) != expected:
        raise InvalidFilingNumber(
            "length",
            f"After {prefix} a filing number has {expected} characters (the year and "
            f"{BODY_LENGTH} letters or digits), not {len(rest)}.",
            expected=expected,
            found=len(rest),
        )
    wrong = sorted({symbol for symbol in rest if symbol not in ALPHABET})
    if wrong:
        raise InvalidFilingNumber(
            "character",
            f"A filing number does not contain {', '.join(wrong)}.",
            characters="".join(wrong),
        )
    year_text, body = rest[:_YEAR_LENGTH], rest[_YEAR_LENGTH:]
    if not year_text.isdigit():
        raise InvalidFilingNumber(
            "year", f"After {prefix} comes the four-digit filing year, not {year_text}."
        )
    if mod_37_36.checksum(year_text + body, alphabet=ALPHABET) != 1:
        raise InvalidFilingNumber(
            "checksum", "This filing number has a typo: check each character again."
        )
    return FilingNumber(prefix, int(year_text), body)


def is_valid(text: str, prefix: str = DEFAULT_PREFIX) -> bool:
    """Return whether ``text`` is a well-formed filing number with the right check symbol."""
    try:
        parse(text, prefix)
    except InvalidFilingNumber:
        return False
    return True
