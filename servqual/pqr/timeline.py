"""A case's timeline as the deadline clock reads it: filing, pauses, an extension.

Plain frozen dataclasses (standard library only); :mod:`servqual.pqr.clock` computes due
dates from them and re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from servqual.pqr.terms import PauseRefused


@dataclass(frozen=True)
class Pause:
    """The clock stopped while waiting for information asked of the customer (art. 17).

    ``requested_on`` still counts; the business days after it, up to and including
    ``resumed_on`` (the day the information arrived), do not. ``resumed_on`` is None
    while the organisation is still waiting.
    """

    requested_on: date
    resumed_on: date | None = None

    def __post_init__(self) -> None:
        if self.resumed_on is not None and self.resumed_on < self.requested_on:
            raise PauseRefused(
                "resumed_before_requested",
                f"The information cannot arrive ({self.resumed_on}) before it was asked "
                f"for ({self.requested_on}).",
                requested_on=self.requested_on,
                resumed_on=self.resumed_on,
            )

    @property
    def is_open(self) -> bool:
        """Return whether the organisation is still waiting for the information."""
        return self.resumed_on is None


@dataclass(frozen=True)
class Extension:
    """A notified extension (art. 14 parágrafo): when, to which date, and why."""

    notified_on: date
    new_due_on: date
    reason: str


@dataclass(frozen=True)
class CaseTimeline:
    """What the clock needs to know about one case: filing, type, pauses, extension.

    Pauses are in order, do not overlap, and only the last may still be open.
    """

    filed_on: date
    request_type: str
    pauses: tuple[Pause, ...] = ()
    extension: Extension | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "pauses", tuple(self.pauses))
        previous_end = None
        for index, pause in enumerate(self.pauses):
            if pause.requested_on < self.filed_on:
                raise PauseRefused(
                    "before_filing",
                    f"Information cannot be asked for ({pause.requested_on}) before the "
                    f"case was filed ({self.filed_on}).",
                    requested_on=pause.requested_on,
                    filed_on=self.filed_on,
                )
            if previous_end is not None and pause.requested_on < previous_end:
                raise PauseRefused(
                    "overlapping",
                    "Pauses must follow one another without overlapping.",
                    requested_on=pause.requested_on,
                )
            if pause.is_open and index != len(self.pauses) - 1:
                raise PauseRefused(
                    "already_paused",
                    "Only the last pause may still be waiting for information.",
                    requested_on=pause.requested_on,
                )
            previous_end = pause.resumed_on

    @property
    def open_pause(self) -> Pause | None:
        """Return the pause still waiting for information, if any."""
        if self.pauses and self.pauses[-1].is_open:
            return self.pauses[-1]
        return None


@dataclass(frozen=True)
class ClockStatus:
    """Where a case stands against its deadline on ``as_of``.

    Counts are in business days and include ``as_of`` itself; paused days are not
    counted. ``business_days_remaining`` is negative once the case is overdue.
    ``original_due_on`` is the date the original term gives (pauses included): the
    date an extension moved, and the one it had to be notified by.
    ``due_on`` is provisional while ``is_paused``: it is the date that would hold if
    the information arrived on ``as_of``.
    """

    filed_on: date
    as_of: date
    request_type: str
    original_term_days: int
    term_days: int
    original_due_on: date
    due_on: date
    business_days_elapsed: int
    business_days_remaining: int
    fraction_used: float
    paused_business_days: int
    is_paused: bool
    is_extended: bool
    is_overdue: bool
    needs_escalation: bool
