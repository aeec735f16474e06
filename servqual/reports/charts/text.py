"""Words, numbers and data tables shared by every chart.

Charts never translate: the caller passes every word already translated (``ChartWords``
and each chart's own labels) and a locale, used here only to write numbers ("−0,42" in
Spanish, "−0.42" in English).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from babel.numbers import format_decimal

from servqual.gaps.status import MIN_N_CONFIRMED, MIN_N_SHOWN

MINUS = "\N{MINUS SIGN}"
#: Marks added to a value: significant after the family's correction, and indicative (n < 30).
SIGNIFICANT_MARK = "*"
INDICATIVE_MARK = "°"

Number = float | int
TableValue = str | float | int | None


@dataclass(frozen=True, slots=True)
class ChartWords:
    """Translated words every chart uses; build it once per request with gettext.

    ``locale`` (e.g. "es", "en") writes the numbers. ``significant`` and ``indicative``
    are the footnotes explaining :data:`SIGNIFICANT_MARK` and :data:`INDICATIVE_MARK`,
    e.g. "* significant after Holm correction (α = 0.05)", "° indicative: fewer than 30
    answers". ``too_few`` replaces values on fewer than 5 answers (anonymity).
    """

    locale: str
    no_data: str
    too_few: str
    n: str
    ci_low: str
    ci_high: str
    significant: str
    indicative: str


@dataclass(frozen=True, slots=True)
class Table:
    """The data behind a chart, for the accessible table and the CSV download beside it.

    ``rows`` hold raw numbers (None where there is no data or the value is hidden for
    anonymity); :meth:`formatted` writes them in the reader's locale.
    """

    header: tuple[str, ...]
    rows: tuple[tuple[TableValue, ...], ...]

    def formatted(self, words: ChartWords, decimals: int = 2) -> tuple[tuple[str, ...], ...]:
        """Return the rows as text: numbers in ``words.locale``, None as ``words.no_data``."""
        return tuple(
            tuple(_cell_text(value, words, decimals) for value in row) for row in self.rows
        )


def _cell_text(value: TableValue, words: ChartWords, decimals: int) -> str:
    if value is None:
        return words.no_data
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return format_count(value, words.locale)
    return format_number(value, words.locale, decimals)


def finite(value: Number | None) -> float | None:
    """Return ``value`` as a float, or None when it is None, NaN or infinite."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def is_hidden(n: int | None) -> bool:
    """Return whether a value on ``n`` answers must not be shown (n < 5; None: a rating)."""
    return n is not None and n < MIN_N_SHOWN


def is_indicative(n: int | None) -> bool:
    """Return whether a value on ``n`` answers is only indicative (5 ≤ n < 30)."""
    return n is not None and MIN_N_SHOWN <= n < MIN_N_CONFIRMED


def missing_reason(words: ChartWords, n: int | None) -> str:
    """Return why a value is not drawn: too few answers (1–4), else no data."""
    return words.too_few if n is not None and 0 < n < MIN_N_SHOWN else words.no_data


def shown(value: Number | None, n: int | None = None) -> float | None:
    """Return the value to draw: None when missing, not finite or on fewer than 5 answers."""
    return None if is_hidden(n) else finite(value)


# Cached: matplotlib formats every tick at each of a chart's draws, and Babel's
# formatting costs more than the drawing of the label.
@functools.lru_cache(maxsize=4096)
def format_number(value: float, locale: str, decimals: int = 2, signed: bool = False) -> str:
    """Write ``value`` with ``decimals`` decimals in ``locale``, a true minus, optional plus."""
    rounded = round(value, decimals)
    pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
    text = format_decimal(abs(rounded), format=pattern, locale=locale)
    if rounded < 0:
        return MINUS + text
    if signed and rounded > 0:
        return "+" + text
    return text


@functools.lru_cache(maxsize=4096)
def format_count(n: int, locale: str) -> str:
    """Write a count in ``locale``."""
    return format_decimal(n, format="#,##0", locale=locale)


@functools.lru_cache(maxsize=4096)
def format_tick(value: float, locale: str) -> str:
    """Write an axis tick: up to two decimals, a true minus, no "−0"."""
    rounded = round(value, 2)
    text = format_decimal(abs(rounded), format="#,##0.##", locale=locale)
    return MINUS + text if rounded < 0 else text


def marks(significant: bool, n: int | None) -> str:
    """Return the marks that follow a value: significance, then indicative."""
    return (SIGNIFICANT_MARK if significant else "") + (INDICATIVE_MARK if is_indicative(n) else "")


def footnotes(words: ChartWords, significant: bool, indicative: bool) -> str:
    """Return the footnote lines explaining the marks a chart uses, or ""."""
    lines = [words.significant] if significant else []
    if indicative:
        lines.append(words.indicative)
    return "\n".join(lines)


def difference(minuend: float | None, subtrahend: float | None) -> float | None:
    """Return minuend − subtrahend, or None when either is missing."""
    if minuend is None or subtrahend is None:
        return None
    return minuend - subtrahend
