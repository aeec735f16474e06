"""Read audit programmes, visits and answers; only approved visits count towards scores."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from servqual.accounts.models import User
from servqual.audits.models import (
    AuditProgramme,
    Evidence,
    Visit,
    VisitAnswer,
    VisitEdit,
    VisitStatus,
)
from servqual.extensions import db


def approved_answers(
    programme_ids: Iterable[int] | None = None,
    site_ids: Iterable[int] | None = None,
    since: date | None = None,
    until: date | None = None,
) -> sa.Select:
    """Return a select of scored answers of approved visits (not-applicable ones excluded).

    Columns: visit_id, programme_id, site_id, channel_id, auditor_id, scheduled_on,
    touchpoint_id, standard_id, question_code, section_code, weight, is_met, score.
    The caller aggregates (e.g. Σ weight·score / Σ weight) in SQL.
    """
    query = (
        sa.select(
            Visit.id.label("visit_id"),
            Visit.programme_id,
            Visit.site_id,
            Visit.channel_id,
            Visit.auditor_id,
            Visit.scheduled_on,
            VisitAnswer.touchpoint_id,
            VisitAnswer.standard_id,
            VisitAnswer.question_code,
            VisitAnswer.section_code,
            VisitAnswer.weight,
            VisitAnswer.is_met,
            VisitAnswer.score,
        )
        .join(Visit, Visit.id == VisitAnswer.visit_id)
        .where(
            Visit.status == VisitStatus.APPROVED,
            VisitAnswer.score.is_not(None),
            VisitAnswer.is_not_applicable.is_(False),
        )
    )
    if programme_ids is not None:
        query = query.where(Visit.programme_id.in_(list(programme_ids)))
    if site_ids is not None:
        query = query.where(Visit.site_id.in_(list(site_ids)))
    if since is not None:
        query = query.where(Visit.scheduled_on >= since)
    if until is not None:
        query = query.where(Visit.scheduled_on <= until)
    return query


def programmes_for(user: User) -> list[AuditProgramme]:
    """Return the programmes a manager may see: those with at least one of their sites."""
    query = sa.select(AuditProgramme).order_by(AuditProgramme.starts_on.desc(), AuditProgramme.id)
    allowed = user.site_ids
    programmes = list(db.session.scalars(query))
    if allowed is None:
        return programmes
    return [p for p in programmes if any(site.id in allowed for site in p.sites)]


def visits_of_programme(programme: AuditProgramme, user: User) -> list[Visit]:
    """Return a programme's visits at the sites ``user`` may see, by date."""
    query = (
        sa.select(Visit)
        .where(Visit.programme_id == programme.id)
        .order_by(Visit.scheduled_on, Visit.id)
    )
    if user.site_ids is not None:
        query = query.where(Visit.site_id.in_(user.site_ids))
    return list(db.session.scalars(query))


def visits_of_auditor(user: User) -> list[Visit]:
    """Return the visits assigned to an auditor, open ones first."""
    order = sa.case(
        (Visit.status.in_([VisitStatus.RETURNED, VisitStatus.IN_PROGRESS]), 0),
        (Visit.status == VisitStatus.SCHEDULED, 1),
        else_=2,
    )
    return list(
        db.session.scalars(
            sa.select(Visit)
            .where(Visit.auditor_id == user.id)
            .order_by(order, Visit.scheduled_on, Visit.id)
        )
    )


def open_board(user: User) -> list[Visit]:
    """Return unassigned visits of active programmes an auditor may claim (their sites)."""
    query = (
        sa.select(Visit)
        .join(AuditProgramme)
        .where(
            Visit.auditor_id.is_(None),
            Visit.status == VisitStatus.SCHEDULED,
            AuditProgramme.status == "active",
        )
        .order_by(Visit.scheduled_on, Visit.id)
    )
    if user.site_ids is not None:
        query = query.where(Visit.site_id.in_(user.site_ids))
    return list(db.session.scalars(query))


def submitted_visits(user: User) -> list[Visit]:
    """Return visits waiting for review at the sites ``user`` may see."""
    query = (
        sa.select(Visit)
        .where(Visit.status == VisitStatus.SUBMITTED)
        .order_by(Visit.submitted_at, Visit.id)
    )
    if user.site_ids is not None:
        query = query.where(Visit.site_id.in_(user.site_ids))
    return list(db.session.scalars(query))


def answers_by_code(visit: Visit) -> dict[str, VisitAnswer]:
    """Return a visit's answers keyed by question code."""
    return {answer.question_code: answer for answer in visit.answers}


def visits_sharing_photos(visit: Visit) -> list[Visit]:
    """Return other visits holding a photo with the same hash as one of ``visit``'s."""
    hashes = sa.select(Evidence.sha256).where(Evidence.visit_id == visit.id)
    return list(
        db.session.scalars(
            sa.select(Visit)
            .join(Evidence, Evidence.visit_id == Visit.id)
            .where(Evidence.sha256.in_(hashes), Visit.id != visit.id)
            .distinct()
        )
    )


def edits_of(visit: Visit) -> list[VisitEdit]:
    """Return the reviewers' logged changes to a visit's answers, oldest first."""
    return list(
        db.session.scalars(
            sa.select(VisitEdit).where(VisitEdit.visit_id == visit.id).order_by(VisitEdit.id)
        )
    )
