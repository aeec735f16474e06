"""Synthetic mystery-shopper visits for ``servqual demo``: compliance differs by site and pillar.

Both checklists (branch visit, phone call) are answered over the 2026-Q4 wave: per site
and month a few visits of each, most approved, some returned to the auditor, one
rejected, a few still waiting for review. Answers go through the checklist's own parser
(:func:`servqual.audits.answers.parse_answer`), so they are scored as the auditor's form
would score them.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from servqual.accounts.models import User
from servqual.audits.answers import NOT_APPLICABLE, parse_answer
from servqual.audits.checklists import checklist_of, standards_by_code, touchpoints_by_code
from servqual.audits.models import (
    AuditProgramme,
    Visit,
    VisitAction,
    VisitAnswer,
    VisitEvent,
    VisitStatus,
)
from servqual.extensions import db
from servqual.service.models import Site, Standard, StandardKind
from servqual.surveys.internal_operations import latest_version

#: Checklists of the demo programme and visits per site and month of each.
CHECKLISTS = (("mystery-branch-visit", 18), ("mystery-phone-call", 12))
MONTHS = (date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1))
#: Chance that a standard is met, by site, shifted by pillar: Bogotá is good at warmth and
#: poor at agility, Medellín the reverse; keeping the word is everyone's weak point.
SITE_BASE = {"BOG": 0.78, "MDE": 0.66, "CLO": 0.55}
PILLAR_SHIFT = {
    "BOG": {"AGIL": -0.25, "CALIDEZ": 0.12},
    "MDE": {"AGIL": 0.2, "CALIDEZ": -0.2},
    "CLO": {"CLARIDAD": 0.15},
}
CUMPLIR_SHIFT = -0.15
#: Share of visits returned to the auditor, still submitted; one more is rejected.
RETURNED_SHARE = 0.06
SUBMITTED_SHARE = 0.03


def _chance(site: str, pillar: str) -> float:
    shift = PILLAR_SHIFT.get(site, {}).get(pillar, 0.0)
    shift += CUMPLIR_SHIFT if pillar == "CUMPLIR" else 0.0
    return min(0.97, max(0.05, SITE_BASE.get(site, 0.65) + shift))


def _raw(question, standard: Standard | None, met: bool, rng: random.Random) -> str | None:
    """Return what an auditor would type for a question, meeting the standard or not."""
    kind = question.type
    if kind == "yes_no":
        return "yes" if met or standard is None else "no"
    if kind == "rating":
        low, high = question.raw["min"], question.raw["max"]
        return str(rng.randint(high - 1, high) if met else rng.randint(low, max(low, high - 2)))
    if kind == "measured":
        if standard is None or standard.kind != StandardKind.MEASURED:
            return str(rng.randint(1, 9))
        target = standard.target
        if standard.direction == "at_most":
            value = target * rng.uniform(0.3, 1.0) if met else target * rng.uniform(1.1, 2.5)
        else:
            value = target * rng.uniform(1.0, 1.6) if met else target * rng.uniform(0.3, 0.9)
        return f"{round(value) if question.raw.get('integer') else round(value, 1)}"
    if kind == "choice":
        options = question.raw["options"]
        fitting = [o for o in options if bool(o.get("compliant")) == met] or options
        return rng.choice(fitting)["code"]
    if kind == "timestamp":
        return f"{rng.randint(8, 16):02d}:{rng.randint(0, 59):02d}"
    return None  # free text and photos are left empty in the demo


def _status(rng: random.Random) -> str:
    draw = rng.random()
    if draw < RETURNED_SHARE:
        return VisitStatus.RETURNED
    if draw < RETURNED_SHARE + SUBMITTED_SHARE:
        return VisitStatus.SUBMITTED
    return VisitStatus.APPROVED


def _history(visit: Visit, manager: User | None) -> list[VisitEvent]:
    """Return the trail a visit in its status would have left, oldest first."""
    auditor, reviewer = visit.auditor_id, manager.id if manager else None
    steps = [
        (reviewer, VisitAction.ASSIGNED, visit.started_at - timedelta(days=3), None),
        (auditor, VisitAction.STARTED, visit.started_at, None),
        (auditor, VisitAction.ENDED, visit.ended_at, None),
    ]
    for n in range(visit.submission_count):
        sent = visit.submitted_at + timedelta(days=n)
        steps.append((auditor, VisitAction.SUBMITTED, sent, None))
        if visit.status == VisitStatus.RETURNED:
            comment = visit.review_comment
            steps.append((reviewer, VisitAction.RETURNED, sent + timedelta(hours=20), comment))
    if visit.status in (VisitStatus.APPROVED, VisitStatus.REJECTED):
        decision = VisitAction(visit.status)
        steps.append((reviewer, decision, visit.reviewed_at, visit.review_comment))
    return [
        VisitEvent(visit_id=visit.id, user_id=user, action=action, at=at, comment=comment)
        for user, action, at, comment in steps
    ]


def build(seed: int = 20261125) -> dict[str, int]:
    """Add the demo programme and its visits; return the number of visits by status."""
    rng = random.Random(seed)  # noqa: S311 -- synthetic demo data, not security
    sites = list(db.session.scalars(sa.select(Site).order_by(Site.id)))
    auditors = list(db.session.scalars(sa.select(User).where(User.role == "auditor")))
    manager = db.session.scalar(sa.select(User).where(User.role == "manager").order_by(User.id))
    counts: dict[str, int] = {}
    rejected = False
    for key, per_month in CHECKLISTS:
        version = latest_version(key)
        checklist = checklist_of(version)
        standards = standards_by_code(checklist)
        touchpoints = touchpoints_by_code(checklist)
        programme = AuditProgramme(
            name=f"Cliente oculto 2026-Q4 · {checklist.title('es')}",
            instrument_version=version,
            starts_on=MONTHS[0],
            ends_on=date(2026, 12, 31),
            visits_per_site_month=per_month,
            status="active",
        )
        programme.sites = sites
        programme.touchpoints = list(touchpoints.values())
        db.session.add(programme)
        db.session.flush()
        channel_id = next(iter(touchpoints.values())).channel_id
        for site in sites:
            mine = [a for a in auditors if a.site_ids is None or site.id in a.site_ids]
            for month in MONTHS:
                for k in range(per_month):
                    status = _status(rng)
                    if not rejected and site.code == "CLO" and month == MONTHS[1]:
                        status, rejected = VisitStatus.REJECTED, True
                    day = month + timedelta(days=rng.randint(0, 27))
                    # 14:05–21:05 UTC: 9:05–16:05 in Bogotá, on the scheduled local day.
                    hour = 14 + k % 8
                    started = datetime(day.year, day.month, day.day, hour, 5, tzinfo=UTC)
                    visit = Visit(
                        programme_id=programme.id,
                        site_id=site.id,
                        channel_id=channel_id,
                        scheduled_on=day,
                        auditor_id=(mine or auditors)[k % len(mine or auditors)].id,
                        status=status,
                        started_at=started,
                        ended_at=started + timedelta(minutes=rng.randint(12, 55)),
                        submitted_at=started + timedelta(hours=2),
                        submission_token=secrets.token_hex(16),
                        submission_count=2 if status == VisitStatus.RETURNED else 1,
                    )
                    if status in (VisitStatus.APPROVED, VisitStatus.REJECTED):
                        visit.reviewed_at = started + timedelta(days=1)
                        visit.reviewer_id = manager.id if manager else None
                    if status == VisitStatus.RETURNED:
                        visit.review_comment = "Falta la foto del tablero de tasas."
                    if status == VisitStatus.REJECTED:
                        visit.review_comment = "La visita se hizo fuera del horario de atención."
                    db.session.add(visit)
                    db.session.flush()
                    db.session.add_all(_history(visit, manager))
                    _answer(visit, checklist, standards, touchpoints, site.code, rng)
                    counts[status] = counts.get(status, 0) + 1
    db.session.flush()
    return counts


def _answer(visit, checklist, standards, touchpoints, site_code: str, rng) -> None:
    rows = []
    for question in checklist.questions.values():
        standard = standards.get(question.standard_code or "")
        if (
            question.allows_not_applicable
            and question.type not in ("text", "photo")
            and rng.random() < 0.04
        ):
            raw = NOT_APPLICABLE
        else:
            pillar = standard.pillar.code if standard is not None else ""
            met = rng.random() < _chance(site_code, pillar)
            raw = _raw(question, standard, met, rng)
        if raw is None:
            continue
        parsed = parse_answer(question, standard, raw)
        touchpoint = touchpoints.get(question.touchpoint_code)
        rows.append(
            VisitAnswer(
                visit_id=visit.id,
                question_code=question.code,
                section_code=question.section,
                position=question.position,
                question_type=question.type,
                standard_id=standard.id if standard is not None and question.is_scored else None,
                touchpoint_id=touchpoint.id if touchpoint is not None else None,
                weight=question.weight,
                value_bool=parsed.value_bool,
                value_number=parsed.value_number,
                value_unit=parsed.value_unit,
                value_text=parsed.value_text,
                is_not_applicable=parsed.is_not_applicable,
                is_met=parsed.is_met,
                score=parsed.score,
            )
        )
    db.session.add_all(rows)
