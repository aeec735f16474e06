"""Deadline terms per request type, the legal limits, and the clock's errors.

Default terms per type (business days), configurable through :class:`TermPolicy`:

==================  ====  ========================================================
type                days  source
==================  ====  ========================================================
``petition``          15  Ley 1755 de 2015 art. 14: any petition, the general rule
``information``       10  art. 14 num. 1: requests for documents or information
``consultation``      30  art. 14 num. 2: consultations on matters in one's charge
``complaint``         15  queja: a petition (art. 13 lists quejas), general rule
``claim``             15  reclamo: a petition (art. 13 lists reclamos), general rule
``suggestion``        15  sugerencia: no special term, so the general rule applies
``compliment``        15  felicitación: not a petition; acknowledged like one so no
                          case waits without a date (organisation's choice)
==================  ====  ========================================================

Special laws may set other terms (e.g. Ley 142 de 1994 art. 158 for public utilities,
also 15 business days); an organisation under one sets ``TermPolicy.terms``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: Default terms in business days per request type (see the module docstring's table).
DEFAULT_TERMS: Mapping[str, int] = MappingProxyType(
    {
        "petition": 15,
        "information": 10,
        "consultation": 30,
        "complaint": 15,
        "claim": 15,
        "suggestion": 15,
        "compliment": 15,
    }
)

#: Ley 1755 art. 14 parágrafo: the extended term may not exceed double the original.
DEFAULT_EXTENSION_FACTOR = 2
#: Ley 1755 art. 17: missing information is asked for within ten days of filing.
DEFAULT_INFORMATION_REQUEST_WINDOW = 10
#: The manager is told when a case has used this fraction of its term (issue 7).
DEFAULT_ESCALATION_FRACTION = 0.8
#: Longest term accepted, in business days: a guard against typing 150 for 15.
MAX_TERM_DAYS = 250


class ClockError(ValueError):
    """A refused clock operation: ``code`` names the rule, ``params`` fill a message.

    The web layer translates by ``code``; ``str(error)`` is an English explanation.
    """

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class PauseRefused(ClockError):
    """The clock cannot be paused or resumed as asked."""


class ExtensionRefused(ClockError):
    """The term cannot be extended as asked (Ley 1755 art. 14 parágrafo)."""


@dataclass(frozen=True)
class TermPolicy:
    """The organisation's deadline rules: terms per type, calendar and legal limits.

    ``information_request_window`` is None to allow asking for information at any time
    before the term ends; ``subdivision`` selects a regional calendar (e.g. "MD" in
    Spain) where the ``holidays`` package has one.
    """

    terms: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_TERMS))
    country: str = "CO"
    subdivision: str | None = None
    extension_factor: int = DEFAULT_EXTENSION_FACTOR
    information_request_window: int | None = DEFAULT_INFORMATION_REQUEST_WINDOW
    escalation_fraction: float = DEFAULT_ESCALATION_FRACTION

    def __post_init__(self) -> None:
        for request_type, days in self.terms.items():
            if isinstance(days, bool) or not isinstance(days, int):
                raise ClockError(
                    "term_not_integer",
                    f"The term for {request_type!r} must be a whole number of business days.",
                    request_type=request_type,
                )
            if not 1 <= days <= MAX_TERM_DAYS:
                raise ClockError(
                    "term_out_of_range",
                    f"The term for {request_type!r} must be between 1 and {MAX_TERM_DAYS} "
                    f"business days, not {days}.",
                    request_type=request_type,
                    days=days,
                    maximum=MAX_TERM_DAYS,
                )
        if self.extension_factor < 1:
            raise ClockError(
                "extension_factor_out_of_range",
                "The extension factor must be at least 1.",
                factor=self.extension_factor,
            )
        window = self.information_request_window
        if window is not None and window < 0:
            raise ClockError(
                "window_out_of_range",
                "The window for asking for information cannot be negative.",
                days=window,
            )
        if not 0 < self.escalation_fraction <= 1:
            raise ClockError(
                "escalation_fraction_out_of_range",
                "The escalation fraction must be in (0, 1].",
                fraction=self.escalation_fraction,
            )
        object.__setattr__(self, "terms", MappingProxyType(dict(self.terms)))

    def term_days(self, request_type: str) -> int:
        """Return the term in business days for ``request_type``."""
        try:
            return self.terms[request_type]
        except KeyError:
            raise ClockError(
                "unknown_request_type",
                f"No term is configured for request type {request_type!r}.",
                request_type=request_type,
            ) from None
