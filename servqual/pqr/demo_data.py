"""A year of demo PQR: seasonal volume, pauses, extensions, late and reopened cases.

Cases are filed over the 365 days before today, more in December and January (the
holiday season) than in mid-year. Every pause and extension goes through the deadline
clock (:class:`servqual.pqr.clock.DeadlineClock`), so ``due_on`` is what the clock says,
and each case's history (``CaseEvent``) lists what happened in the order it happened.
Some cases stay open past their due date (overdue), some wait for the customer.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from servqual.accounts.models import User
from servqual.extensions import db
from servqual.pqr.clock import CaseTimeline
from servqual.pqr.filing import generate
from servqual.pqr.kinds import DIMENSIONS, CaseAction, CaseStatus, RequestType
from servqual.pqr.models import Case, CaseEvent, CasePause
from servqual.pqr.policy import deadline_clock, filing_prefix, local_today
from servqual.pqr.terms import ClockError
from servqual.service.models import Pillar, Site, Touchpoint

#: Relative volume per calendar month (1 = January): peaks in December and January.
SEASON = {
    1: 1.6,
    2: 1.0,
    3: 0.9,
    4: 0.9,
    5: 0.85,
    6: 1.0,
    7: 1.0,
    8: 0.85,
    9: 0.8,
    10: 0.9,
    11: 1.1,
    12: 1.9,
}
#: Average cases filed per day at the organisation in a month of weight 1.
PER_DAY = 1.2
TYPES = (
    (RequestType.COMPLAINT, 0.34),
    (RequestType.CLAIM, 0.22),
    (RequestType.PETITION, 0.18),
    (RequestType.INFORMATION, 0.06),
    (RequestType.CONSULTATION, 0.03),
    (RequestType.SUGGESTION, 0.09),
    (RequestType.COMPLIMENT, 0.08),
)
CHANNELS = (("web", 0.6), ("phone", 0.2), ("email", 0.1), ("in_person", 0.07), ("letter", 0.03))
DESCRIPTIONS = {
    RequestType.COMPLAINT: "La fila en caja tardó más de cuarenta minutos y nadie informó.",
    RequestType.CLAIM: "Me cobraron dos veces la misma cuota y pido la devolución.",
    RequestType.PETITION: "Solicito copia de mi contrato y del plan de pagos.",
    RequestType.INFORMATION: "Solicito el certificado de mis pagos del último año.",
    RequestType.CONSULTATION: "¿Qué requisitos tiene el traslado de mi cuenta a otra sede?",
    RequestType.SUGGESTION: "Sería útil poder pedir turno desde el celular.",
    RequestType.COMPLIMENT: "Quiero felicitar al asesor que me atendió, fue muy amable.",
}
NAMES = ("Ana Pérez", "Luis Gómez", "Marta Rojas", "Jorge Díaz", "Paula Ríos", "Camilo Vega")


def _pick(pairs, rng: random.Random):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    # 15:00 UTC is 10:00 in Bogotá: every moment falls on its local day.
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def build(seed: int = 20261125, today: date | None = None) -> dict[str, int]:
    """Add a year of PQR up to ``today`` and return counts of what was made."""
    rng = random.Random(seed)  # noqa: S311 -- synthetic demo data, not security
    today = today or local_today()
    clock = deadline_clock()
    prefix = filing_prefix()
    sites = list(db.session.scalars(sa.select(Site).order_by(Site.id)))
    touchpoints = list(db.session.scalars(sa.select(Touchpoint).order_by(Touchpoint.id)))
    pillars = list(db.session.scalars(sa.select(Pillar).order_by(Pillar.id)))
    staff = list(
        db.session.scalars(
            sa.select(User).where(User.role.in_(("agent", "manager"))).order_by(User.id)
        )
    )
    counts = {"cases": 0, "open": 0, "overdue": 0, "paused": 0, "extended": 0, "reopened": 0}
    if not sites or not staff:
        return counts
    start = today - timedelta(days=365)
    day = start
    while day < today:
        for _ in range(_poisson(PER_DAY * SEASON[day.month], rng)):
            _case(day, today, rng, clock, prefix, sites, touchpoints, pillars, staff, counts)
        day += timedelta(days=1)
    db.session.flush()
    return counts


def _poisson(mean: float, rng: random.Random) -> int:
    count, total = 0, rng.expovariate(1.0)
    while total < mean:
        count += 1
        total += rng.expovariate(1.0)
    return count


def _case(filed_on, today, rng, clock, prefix, sites, touchpoints, pillars, staff, counts):
    request_type = _pick(TYPES, rng)
    channel = _pick(CHANNELS, rng)
    agent = rng.choice(staff)
    timeline = CaseTimeline(filed_on, request_type)
    case = Case(
        filing_number=generate(filed_on.year, prefix).compact,
        request_type=request_type,
        channel=channel,
        site=rng.choice(sites),
        touchpoint=rng.choice(touchpoints) if touchpoints and rng.random() < 0.85 else None,
        description=DESCRIPTIONS[request_type],
        contact_name=rng.choice(NAMES),
        contact_email=f"cliente{rng.randrange(10**6)}@example.com",
        locale="es",
        consent_at=_at(filed_on, 15),
        consent_policy_version="1",
        filed_at=_at(filed_on, 15),
        filed_on=filed_on,
        due_on=clock.due_on(timeline, filed_on),
        status=CaseStatus.RECEIVED,
        created_by=None if channel == "web" else agent,
        reopen_count=0,
    )
    db.session.add(case)
    events = [
        CaseEvent(
            case=case,
            at=_at(filed_on, 15),
            action=CaseAction.FILED,
            is_public=True,
            user=None if channel == "web" else agent,
        )
    ]
    step = filed_on + timedelta(days=1)
    if step >= today:
        _finish(case, events, counts, today)
        return
    case.assigned_to = agent
    case.status = CaseStatus.IN_PROGRESS
    events.append(
        CaseEvent(
            case=case,
            at=_at(step, 14),
            user=agent,
            action=CaseAction.ASSIGNED,
            new_value=agent.email,
        )
    )
    if pillars and rng.random() < 0.9:
        case.pillar = rng.choice(pillars)
        case.dimension = rng.choice(DIMENSIONS)
        case.classified_by = agent
        case.classified_at = _at(step, 15)
        events.append(
            CaseEvent(
                case=case,
                at=_at(step, 15),
                user=agent,
                action=CaseAction.CLASSIFIED,
                new_value=case.dimension,
            )
        )
    # Waiting for the customer (about 1 case in 8).
    if rng.random() < 0.12:
        asked = filed_on + timedelta(days=rng.randint(2, 5))
        if asked < today:
            try:
                timeline = clock.pause(timeline, asked)
            except ClockError:
                pass
            else:
                counts["paused"] += 1
                pause = CasePause(
                    case=case,
                    started_on=asked,
                    reason=("Solicitamos copia de la factura para verificar el cobro."),
                    created_by_id=agent.id,
                )
                db.session.add(pause)
                events.append(
                    CaseEvent(
                        case=case,
                        at=_at(asked, 16),
                        user=agent,
                        action=CaseAction.PAUSED,
                        is_public=True,
                        comment=pause.reason,
                    )
                )
                arrived = asked + timedelta(days=rng.randint(2, 9))
                if arrived < today and rng.random() < 0.85:
                    timeline = clock.resume(timeline, arrived)
                    pause.ended_on = arrived
                    events.append(
                        CaseEvent(
                            case=case,
                            at=_at(arrived, 17),
                            user=agent,
                            action=CaseAction.RESUMED,
                            is_public=True,
                        )
                    )
                else:
                    case.status = CaseStatus.WAITING_CUSTOMER
                case.due_on = clock.due_on(timeline, today)
    # An extension notified before the term ends (about 1 case in 14).
    if case.status != CaseStatus.WAITING_CUSTOMER and rng.random() < 0.07:
        notified = case.due_on - timedelta(days=rng.randint(2, 5))
        if filed_on < notified < today:
            try:
                latest = clock.latest_extension_date(timeline, notified)
                new_due = case.due_on + (latest - case.due_on) // 2
                reason = "El análisis del cobro requiere un concepto del área financiera."
                timeline = clock.extend(timeline, notified, new_due, reason)
            except ClockError:
                pass
            else:
                counts["extended"] += 1
                case.extended_due_on = new_due
                case.extension_reason = reason
                case.extension_notified_on = notified
                case.extension_notified_at = _at(notified, 18)
                case.due_on = clock.due_on(timeline, today)
                events.append(
                    CaseEvent(
                        case=case,
                        at=_at(notified, 18),
                        user=agent,
                        action=CaseAction.EXTENDED,
                        is_public=True,
                        comment=reason,
                        new_value=new_due.isoformat(),
                    )
                )
    if case.status == CaseStatus.WAITING_CUSTOMER:
        _finish(case, events, counts, today)
        return
    # The answer: most on time, some late, some not yet (overdue when past the due date).
    resumed = max([filed_on, *(p.resumed_on for p in timeline.pauses if p.resumed_on)])
    late = rng.random() < 0.12
    if late:
        answered_on = case.due_on + timedelta(days=rng.randint(1, 12))
    else:
        answered_on = min(case.due_on, resumed + timedelta(days=rng.randint(1, 20)))
    answered_on = max(
        answered_on,
        resumed + timedelta(days=1),
        (case.extension_notified_on or filed_on) + timedelta(days=1),
    )
    if answered_on >= today or rng.random() < 0.02:
        _finish(case, events, counts, today)
        return
    _answer(case, events, agent, answered_on)
    closed_on = answered_on + timedelta(days=rng.randint(1, 4))
    if closed_on >= today:
        _finish(case, events, counts, today)
        return
    case.status = CaseStatus.CLOSED
    case.closed_at = _at(closed_on, 20)
    events.append(
        CaseEvent(
            case=case, at=case.closed_at, user=agent, action=CaseAction.CLOSED, is_public=True
        )
    )
    # A negative satisfaction answer reopens the case (about 1 in 20).
    if request_type in (RequestType.COMPLAINT, RequestType.CLAIM) and rng.random() < 0.08:
        reopened_on = closed_on + timedelta(days=rng.randint(1, 3))
        if reopened_on < today:
            counts["reopened"] += 1
            case.is_satisfied = False
            case.satisfaction_comment = "La respuesta no resolvió mi problema."
            case.satisfaction_answered_at = _at(reopened_on, 15)
            case.reopen_count = 1
            case.status = CaseStatus.REOPENED
            case.closed_at = None
            events.append(
                CaseEvent(
                    case=case,
                    at=case.satisfaction_answered_at,
                    action=CaseAction.SATISFACTION,
                    is_public=True,
                    new_value="no",
                    comment=case.satisfaction_comment,
                )
            )
            events.append(
                CaseEvent(
                    case=case,
                    at=_at(reopened_on, 15, 1),
                    action=CaseAction.REOPENED,
                    is_public=True,
                )
            )
            again = reopened_on + timedelta(days=rng.randint(2, 8))
            if again < today:
                _answer(case, events, agent, again)
    _finish(case, events, counts, today)


def _answer(case, events, agent, answered_on: date) -> None:
    case.status = CaseStatus.ANSWERED
    case.answer_text = "Revisamos su caso y tomamos las medidas descritas en esta respuesta."
    case.answered_at = _at(answered_on, 19)
    case.answered_by = agent
    events.append(
        CaseEvent(
            case=case, at=case.answered_at, user=agent, action=CaseAction.ANSWERED, is_public=True
        )
    )


def _finish(case, events, counts, today) -> None:
    db.session.add_all(events)
    counts["cases"] += 1
    if case.status in (
        CaseStatus.RECEIVED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.WAITING_CUSTOMER,
        CaseStatus.REOPENED,
    ):
        counts["open"] += 1
        if case.due_on < today and case.status != CaseStatus.WAITING_CUSTOMER:
            counts["overdue"] += 1
