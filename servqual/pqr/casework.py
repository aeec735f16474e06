"""Agents' work on a case: assignment, statuses, pauses, extension, answer, notes.

Every operation checks what it is asked against the case's status and the deadline
clock, appends what changed to the history (who, when, old, new) and flushes; the
request or CLI boundary commits. A refusal raises :class:`CaseRefused` with a message
to show as is, and changes nothing.

Statuses::

    received ─┬─> in_progress ─┬─> waiting_customer ──(information arrives)──> in_progress
              │                └─> answered ──> closed ──> reopened ──> in_progress …
              └─> waiting_customer, answered          └─> reopened

``waiting_customer`` stops the clock (``clock.pause``) and is left only when the
information arrives (``clock.resume``): the due date moves by the business days waited.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from servqual.accounts.models import Role, User
from servqual.extensions import db
from servqual.modelbase import utcnow
from servqual.pqr.clock import ClockError
from servqual.pqr.models import (
    DIMENSIONS,
    Case,
    CaseAction,
    CaseEvent,
    CaseNote,
    CasePause,
    CaseStatus,
)
from servqual.pqr.policy import deadline_clock, local_today
from servqual.service.models import Pillar, Touchpoint

#: Where a case may go from each status by an explicit change (pausing and the
#: information arriving have their own operations).
TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.RECEIVED: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.ANSWERED}),
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.ANSWERED}),
    CaseStatus.WAITING_CUSTOMER: frozenset(),
    CaseStatus.ANSWERED: frozenset({CaseStatus.CLOSED, CaseStatus.REOPENED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.REOPENED}),
    CaseStatus.REOPENED: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.ANSWERED}),
}
#: Statuses from which the customer may be asked for information (the clock stops).
PAUSABLE = frozenset({CaseStatus.RECEIVED, CaseStatus.IN_PROGRESS, CaseStatus.REOPENED})
MAX_TEXT = 20_000


class CaseRefused(ValueError):
    """An operation that cannot be done on this case; the message is shown as is."""


def today() -> date:
    """Return today's date in the organisation's time zone (the clock works on days)."""
    return local_today()


def record(
    case: Case,
    user: User | None,
    action: CaseAction,
    *,
    field: str | None = None,
    old: object = None,
    new: object = None,
    comment: str | None = None,
    is_public: bool = False,
) -> CaseEvent:
    """Append one entry to the case's history."""
    event = CaseEvent(
        case=case,
        user=user,
        action=action,
        field=field,
        old_value=None if old is None else str(old),
        new_value=None if new is None else str(new),
        comment=comment,
        is_public=is_public,
    )
    db.session.add(event)
    return event


def _text(value: str | None, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise CaseRefused(_("%(what)s cannot be empty.", what=what))
    if len(value) > MAX_TEXT:
        raise CaseRefused(_("%(what)s is too long.", what=what))
    return value


def _set_status(case: Case, user: User | None, new: CaseStatus, comment: str | None = None):
    old = case.status
    case.status = new
    record(
        case,
        user,
        CaseAction.STATUS_CHANGED,
        field="status",
        old=old,
        new=new,
        comment=comment,
        is_public=True,
    )


def _move_due(case: Case, user: User | None, as_of: date) -> None:
    due = deadline_clock().due_on(case.timeline(), as_of)
    if due != case.due_on:
        record(case, user, CaseAction.EDITED, field="due_on", old=case.due_on, new=due)
        case.due_on = due


def may_work_on(user: User, case: Case) -> bool:
    """Tell whether ``user`` may work on ``case``: staff of the case's site."""
    return user.has_role(Role.AGENT, Role.MANAGER) and user.can_see_site(case.site_id)


def assign(case: Case, agent: User | None, by: User) -> None:
    """Assign ``case`` to ``agent`` (None: nobody), who must be able to see its site."""
    if agent is not None and (not agent.is_enabled or not may_work_on(agent, case)):
        raise CaseRefused(_("%(name)s cannot work on cases of this site.", name=agent.name))
    old = case.assigned_to
    if old is agent:
        return
    case.assigned_to = agent
    record(
        case,
        by,
        CaseAction.ASSIGNED,
        field="assigned_to",
        old=old.name if old else None,
        new=agent.name if agent else None,
    )


def change_status(case: Case, new: str, by: User | None, comment: str | None = None) -> None:
    """Move ``case`` to ``new`` if the workflow allows it from its status."""
    try:
        target = CaseStatus(new)
    except ValueError:
        raise CaseRefused(_("Unknown status.")) from None
    if target not in TRANSITIONS[case.status]:
        raise CaseRefused(
            _(
                "A case that is “%(old)s” cannot be set to “%(new)s”.",
                old=case.status_enum.label,
                new=target.label,
            )
        )
    if target == CaseStatus.ANSWERED and not case.answer_text:
        raise CaseRefused(_("Write the answer before marking the case as answered."))
    if target == CaseStatus.CLOSED:
        case.closed_at = utcnow()
    if target == CaseStatus.REOPENED:
        case.reopen_count += 1
        case.closed_at = None
    _set_status(case, by, target, comment)


def ask_customer(case: Case, by: User, question: str, on: date) -> None:
    """Ask the customer for missing information: the clock stops on ``on`` (art. 17)."""
    question = _text(question, _("The information requested"))
    if case.status not in PAUSABLE:
        raise CaseRefused(
            _("The clock cannot be stopped on a case that is “%(s)s”.", s=case.status_enum.label)
        )
    try:
        deadline_clock().pause(case.timeline(), on)
    except ClockError as refused:
        raise CaseRefused(clock_message(refused)) from None
    pause = CasePause(case=case, started_on=on, reason=question, created_by_id=by.id)
    db.session.add(pause)
    record(case, by, CaseAction.PAUSED, field="paused_on", new=on, comment=question, is_public=True)
    _set_status(case, by, CaseStatus.WAITING_CUSTOMER)
    _move_due(case, by, on)
    db.session.flush()


def information_received(case: Case, by: User | None, on: date) -> None:
    """Record that the customer's information arrived on ``on``: the clock runs again."""
    if case.status != CaseStatus.WAITING_CUSTOMER:
        raise CaseRefused(_("The case is not waiting for the customer."))
    try:
        deadline_clock().resume(case.timeline(), on)
    except ClockError as refused:
        raise CaseRefused(clock_message(refused)) from None
    pause = case.pauses[-1]
    pause.ended_on = on
    record(case, by, CaseAction.RESUMED, field="resumed_on", new=on, is_public=True)
    _set_status(case, by, CaseStatus.IN_PROGRESS)
    _move_due(case, by, on)
    db.session.flush()


def check_extension(case: Case, on: date, new_due_on: date, reason: str) -> None:
    """Refuse, with the clock's explanation, an extension the law does not allow."""
    if not case.is_open:
        raise CaseRefused(_("Only an open case can be extended."))
    try:
        deadline_clock().extend(case.timeline(), on, new_due_on, reason)
    except ClockError as refused:
        raise CaseRefused(clock_message(refused)) from None


def extend(case: Case, by: User, on: date, new_due_on: date, reason: str) -> None:
    """Record the extension notified to the customer on ``on`` (after the e-mail went)."""
    reason = _text(reason, _("The reason"))
    check_extension(case, on, new_due_on, reason)
    old = case.due_on
    case.extended_due_on = new_due_on
    case.extension_reason = reason
    case.extension_notified_on = on
    case.extension_notified_at = utcnow()
    record(
        case,
        by,
        CaseAction.EXTENDED,
        field="due_on",
        old=old,
        new=new_due_on,
        comment=reason,
        is_public=True,
    )
    case.due_on = deadline_clock().due_on(case.timeline(), on)
    db.session.flush()


def write_answer(case: Case, by: User, text: str) -> None:
    """Record the answer sent to the customer and mark the case answered."""
    text = _text(text, _("The answer"))
    if CaseStatus.ANSWERED not in TRANSITIONS[case.status]:
        raise CaseRefused(
            _("A case that is “%(s)s” cannot be answered now.", s=case.status_enum.label)
        )
    case.answer_text = text
    case.answered_at = utcnow()
    case.answered_by = by
    record(case, by, CaseAction.ANSWERED, field="answer", new=text, is_public=True)
    _set_status(case, by, CaseStatus.ANSWERED)
    db.session.flush()


def add_note(case: Case, by: User, body: str) -> CaseNote:
    """Add an internal note (never shown to the customer)."""
    note = CaseNote(case=case, author=by, body=_text(body, _("The note")))
    db.session.add(note)
    record(case, by, CaseAction.NOTE_ADDED, comment=note.body)
    db.session.flush()
    return note


def classify(
    case: Case,
    by: User,
    dimension: str | None,
    pillar: Pillar | None,
    touchpoint: Touchpoint | None,
    suggested: tuple[str | None, Pillar | None] = (None, None),
) -> None:
    """Record the classification a person confirmed, and what had been suggested."""
    if dimension is not None and dimension not in DIMENSIONS:
        raise CaseRefused(_("Unknown SERVQUAL dimension."))
    case.suggested_dimension, case.suggested_pillar = suggested
    changes = [
        ("dimension", case.dimension, dimension),
        ("pillar", case.pillar.code if case.pillar else None, pillar.code if pillar else None),
        (
            "touchpoint",
            case.touchpoint.code if case.touchpoint else None,
            touchpoint.code if touchpoint else None,
        ),
    ]
    case.dimension, case.pillar, case.touchpoint = dimension, pillar, touchpoint
    case.classified_by = by
    case.classified_at = utcnow()
    for field, old, new in changes:
        if old != new:
            record(case, by, CaseAction.CLASSIFIED, field=field, old=old, new=new)
    db.session.flush()


def clock_message(refused: ClockError) -> str:
    """Return the clock's refusal in the user's language (by code, English otherwise)."""
    params = {key: str(value) for key, value in refused.params.items()}
    messages = {
        "too_long": lambda: _(
            "The extended term may not exceed %(factor)s times the original term "
            "(Ley 1755 art. 14 parágrafo): the latest date allowed is %(latest)s.",
            **params,
        ),
        "term_ended": lambda: _(
            "The term ended on %(due_on)s: an extension must be notified before the term "
            "ends (Ley 1755 art. 14 parágrafo).",
            **params,
        ),
        "already_extended": lambda: _(
            "The term was already extended to %(new_due_on)s; it can be extended only once.",
            **params,
        ),
        "not_later": lambda: _(
            "The new date must be after the current due date, %(due_on)s.", **params
        ),
        "not_business_day": lambda: _(
            "The new date %(new_due_on)s is not a business day.", **params
        ),
        "reason_required": lambda: _("An extension must state the reason for the delay."),
        "paused": lambda: _(
            "The clock is stopped waiting for the customer; record the information "
            "received before extending the term."
        ),
        "window_passed": lambda: _(
            "Missing information must be asked for within %(window)s business days of "
            "filing (Ley 1755 art. 17), that is by %(latest)s.",
            **params,
        ),
        "term_ending": lambda: _(
            "The term ends on %(due_on)s; the clock can only be stopped before its last day.",
            **params,
        ),
        "already_paused": lambda: _("The clock is already stopped."),
        "not_paused": lambda: _("The clock is not stopped."),
        "resumed_before_requested": lambda: _(
            "The information cannot arrive before it was asked for."
        ),
    }
    if refused.code in messages:
        return messages[refused.code]()
    return str(refused)
