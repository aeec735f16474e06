"""The PQR deadline clock: due dates, one extension and pauses, on business days.

Pure: standard library and the ``holidays`` package only, so it is tested without a
database and the same rules serve the intake page, the agents' queue and the reports.
Terms per type live in :mod:`servqual.pqr.terms`, business days in
:mod:`servqual.pqr.business_days`; both are re-exported here.

How a term is counted (Colombia, Ley 1755 de 2015, which replaced articles 13 to 33 of
Ley 1437 de 2011, the CPACA; it binds private organisations too, arts. 32 and 33):

- A term of *n* days is *n* business days: weekends and public holidays (moved to
  Monday as Ley 51 de 1983 moves them) are skipped; see :mod:`servqual.pqr.business_days`.
- Counting starts on the day after filing ("dentro de los quince (15) días siguientes a
  su recepción", art. 14). A case filed on a Saturday and one filed on the Friday before
  therefore share their first counted day. The time of day is not modelled: a caller
  that treats a filing after business hours as received the next day passes that date.
- The due date is the day on which the last business day of the term falls; the
  answer is on time if it is sent on or before that day.

Extension (art. 14, parágrafo): when the term cannot be met, the organisation must tell
the customer *before the term ends*, stating the reasons for the delay and the
reasonable date by which it will answer, "el cual no podrá exceder del doble del
inicialmente previsto". Read here as: the new term, counted from filing like the
original one, is at most twice the original (15 → at most 30 business days in all).
That is the stricter of the two readings; ``TermPolicy.extension_factor`` holds the 2.
Only one extension is accepted.

Pause (art. 17, peticiones incompletas): the organisation may ask the customer, within
the ten days after filing, for what is missing to decide; the term stops and "se
reactivará" from the day after the customer provides it. Modelled as a pause from the
day the information is requested (that day still counts) to the day it arrives (that
day does not count): the business days in ``(requested_on, resumed_on]`` are left out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, timedelta

from servqual.pqr.business_days import BusinessCalendar, business_calendar
from servqual.pqr.terms import (
    DEFAULT_ESCALATION_FRACTION,
    DEFAULT_EXTENSION_FACTOR,
    DEFAULT_INFORMATION_REQUEST_WINDOW,
    DEFAULT_TERMS,
    MAX_TERM_DAYS,
    ClockError,
    ExtensionRefused,
    PauseRefused,
    TermPolicy,
)
from servqual.pqr.timeline import CaseTimeline, ClockStatus, Extension, Pause

__all__ = [
    "DEFAULT_ESCALATION_FRACTION",
    "DEFAULT_EXTENSION_FACTOR",
    "DEFAULT_INFORMATION_REQUEST_WINDOW",
    "DEFAULT_TERMS",
    "MAX_TERM_DAYS",
    "BusinessCalendar",
    "CaseTimeline",
    "ClockError",
    "ClockStatus",
    "DeadlineClock",
    "Extension",
    "ExtensionRefused",
    "Pause",
    "PauseRefused",
    "TermPolicy",
    "business_calendar",
]

_ONE_DAY = timedelta(days=1)


class DeadlineClock:
    """Compute due dates and validate pauses and extensions under one :class:`TermPolicy`.

    Methods never look at the real date: the caller passes ``as_of`` (usually today in
    the organisation's time zone, or the day the answer was sent for a closed case).
    Events after ``as_of`` are ignored, so the same timeline answers "where did this
    case stand on that day".
    """

    def __init__(self, policy: TermPolicy | None = None) -> None:
        self.policy = policy or TermPolicy()
        self.calendar = business_calendar(self.policy.country, self.policy.subdivision)

    # -- computing ----------------------------------------------------------------------

    def status(self, case: CaseTimeline, as_of: date) -> ClockStatus:
        """Return the deadline status of ``case`` on ``as_of``."""
        original_term = self.policy.term_days(case.request_type)
        pauses = _pauses_known_on(case.pauses, as_of)
        extension = case.extension
        if extension is not None and extension.notified_on > as_of:
            extension = None
        term = original_term
        if extension is not None:
            term = self._extended_term(case.filed_on, pauses, extension)
        is_paused = bool(pauses) and pauses[-1].is_open
        original_due = self._due_on(case.filed_on, original_term, pauses, as_of)
        due = self._due_on(case.filed_on, term, pauses, as_of)
        elapsed = self._counted_days(case.filed_on, as_of, pauses, as_of)
        paused = sum(
            self.calendar.business_days_between(
                pause.requested_on, min(_end_of(pause, as_of), as_of)
            )
            for pause in pauses
        )
        fraction = elapsed / term
        return ClockStatus(
            filed_on=case.filed_on,
            as_of=as_of,
            request_type=case.request_type,
            original_term_days=original_term,
            term_days=term,
            original_due_on=original_due,
            due_on=due,
            business_days_elapsed=elapsed,
            business_days_remaining=term - elapsed,
            fraction_used=fraction,
            paused_business_days=paused,
            is_paused=is_paused,
            is_extended=extension is not None,
            is_overdue=as_of > due,
            needs_escalation=fraction >= self.policy.escalation_fraction,
        )

    def due_on(self, case: CaseTimeline, as_of: date) -> date:
        """Return the due date of ``case`` as known on ``as_of``."""
        return self.status(case, as_of).due_on

    def latest_extension_date(self, case: CaseTimeline, as_of: date) -> date:
        """Return the last date an extension may set: factor × term, counted from filing."""
        pauses = _pauses_known_on(case.pauses, as_of)
        limit = self.policy.term_days(case.request_type) * self.policy.extension_factor
        return self._due_on(case.filed_on, limit, pauses, as_of)

    # -- changing the timeline -----------------------------------------------------------

    def pause(self, case: CaseTimeline, requested_on: date) -> CaseTimeline:
        """Return ``case`` with the clock stopped on ``requested_on`` (art. 17), or refuse."""
        if case.open_pause is not None:
            raise PauseRefused(
                "already_paused",
                f"The clock is already stopped since {case.open_pause.requested_on}.",
                requested_on=case.open_pause.requested_on,
            )
        if requested_on < case.filed_on:
            raise PauseRefused(
                "before_filing",
                f"Information cannot be asked for ({requested_on}) before the case was "
                f"filed ({case.filed_on}).",
                requested_on=requested_on,
                filed_on=case.filed_on,
            )
        previous_end = case.pauses[-1].resumed_on if case.pauses else None
        if previous_end is not None and requested_on < previous_end:
            raise PauseRefused(
                "overlapping",
                f"The previous pause ended on {previous_end}; a new one cannot start before it.",
                requested_on=requested_on,
                previous_resumed_on=previous_end,
            )
        window = self.policy.information_request_window
        if window is not None:
            latest = self.calendar.add_business_days(case.filed_on, window)
            if requested_on > latest:
                raise PauseRefused(
                    "window_passed",
                    f"Missing information must be asked for within {window} business days "
                    f"of filing (Ley 1755 art. 17), that is by {latest}.",
                    window=window,
                    latest=latest,
                )
        due = self.due_on(case, requested_on)
        if requested_on >= due:
            raise PauseRefused(
                "term_ending",
                f"The term ends on {due}; the clock can only be stopped before its last day.",
                due_on=due,
            )
        return dataclasses.replace(case, pauses=(*case.pauses, Pause(requested_on)))

    def resume(self, case: CaseTimeline, resumed_on: date) -> CaseTimeline:
        """Return ``case`` with the information received on ``resumed_on``, or refuse."""
        open_pause = case.open_pause
        if open_pause is None:
            raise PauseRefused("not_paused", "The clock is not stopped.")
        closed = Pause(open_pause.requested_on, resumed_on)
        return dataclasses.replace(case, pauses=(*case.pauses[:-1], closed))

    def extend(
        self, case: CaseTimeline, notified_on: date, new_due_on: date, reason: str
    ) -> CaseTimeline:
        """Return ``case`` extended to ``new_due_on`` (art. 14 parágrafo), or refuse."""
        reason = reason.strip()
        if case.extension is not None:
            raise ExtensionRefused(
                "already_extended",
                f"The term was already extended on {case.extension.notified_on} to "
                f"{case.extension.new_due_on}; it can be extended only once.",
                notified_on=case.extension.notified_on,
                new_due_on=case.extension.new_due_on,
            )
        if not reason:
            raise ExtensionRefused(
                "reason_required", "An extension must state the reason for the delay."
            )
        if notified_on < case.filed_on:
            raise ExtensionRefused(
                "before_filing",
                f"An extension cannot be notified ({notified_on}) before the case was "
                f"filed ({case.filed_on}).",
                notified_on=notified_on,
                filed_on=case.filed_on,
            )
        known = dataclasses.replace(case, pauses=_pauses_known_on(case.pauses, notified_on))
        if known.open_pause is not None:
            raise ExtensionRefused(
                "paused",
                "The clock is stopped waiting for the customer; record the information "
                "received before extending the term.",
                requested_on=known.open_pause.requested_on,
            )
        due = self.due_on(known, notified_on)
        if notified_on > due:
            raise ExtensionRefused(
                "term_ended",
                f"The term ended on {due}: an extension must be notified before the term "
                "ends (Ley 1755 art. 14 parágrafo).",
                due_on=due,
                notified_on=notified_on,
            )
        if new_due_on <= due:
            raise ExtensionRefused(
                "not_later",
                f"The new date must be after the current due date, {due}.",
                due_on=due,
                new_due_on=new_due_on,
            )
        if not self.calendar.is_business_day(new_due_on):
            raise ExtensionRefused(
                "not_business_day",
                f"The new date {new_due_on} is not a business day.",
                new_due_on=new_due_on,
                holiday=self.calendar.holiday_name(new_due_on),
            )
        latest = self.latest_extension_date(known, notified_on)
        if new_due_on > latest:
            factor = self.policy.extension_factor
            raise ExtensionRefused(
                "too_long",
                f"The extended term may not exceed {factor} times the original term "
                f"(Ley 1755 art. 14 parágrafo): the latest date allowed is {latest}.",
                latest=latest,
                factor=factor,
                new_due_on=new_due_on,
            )
        return dataclasses.replace(case, extension=Extension(notified_on, new_due_on, reason))

    # -- counting -----------------------------------------------------------------------

    def _is_counted(self, day: date, pauses: Iterable[Pause], as_of: date) -> bool:
        """Return whether ``day`` is a business day outside every pause."""
        if not self.calendar.is_business_day(day):
            return False
        return not any(pause.requested_on < day <= _end_of(pause, as_of) for pause in pauses)

    def _counted_days(
        self, filed_on: date, end: date, pauses: tuple[Pause, ...], as_of: date
    ) -> int:
        """Return the counted days in ``(filed_on, end]``."""
        count = 0
        day = filed_on + _ONE_DAY
        while day <= end:
            if self._is_counted(day, pauses, as_of):
                count += 1
            day += _ONE_DAY
        return count

    def _due_on(self, filed_on: date, term: int, pauses: tuple[Pause, ...], as_of: date) -> date:
        """Return the day on which the ``term``-th counted day after ``filed_on`` falls."""
        day = filed_on
        while term:
            day += _ONE_DAY
            if self._is_counted(day, pauses, as_of):
                term -= 1
        return day

    def _extended_term(
        self, filed_on: date, pauses: tuple[Pause, ...], extension: Extension
    ) -> int:
        """Return the extended term in counted days, as it stood when it was notified.

        Pauses known at notification are already in the new date; a later pause moves
        the extended due date like the original one.
        """
        earlier = _pauses_known_on(pauses, extension.notified_on)
        return self._counted_days(filed_on, extension.new_due_on, earlier, extension.notified_on)


def _pauses_known_on(pauses: tuple[Pause, ...], as_of: date) -> tuple[Pause, ...]:
    """Return the pauses requested by ``as_of``, reopened where resumed after it."""
    known = []
    for pause in pauses:
        if pause.requested_on > as_of:
            break
        if pause.resumed_on is not None and pause.resumed_on > as_of:
            pause = Pause(pause.requested_on)
        known.append(pause)
    return tuple(known)


def _end_of(pause: Pause, as_of: date) -> date:
    """Return the last paused day: the arrival date, or ``as_of`` while still waiting."""
    return pause.resumed_on if pause.resumed_on is not None else as_of
