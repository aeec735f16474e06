"""Read approved visits' answers as :class:`~servqual.audits.scoring.Check` records, and photos.

Only approved visits count. Every read takes the sites the viewer may see (``None``:
all sites) and the period (visit dates, both ends included), so a manager limited to
sites never receives another site's answers or photos.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from servqual.audits.models import Evidence, Visit, VisitAnswer, VisitStatus
from servqual.audits.scoring import Check, month_of
from servqual.service.models import Pillar, Site, Standard, Touchpoint


@dataclass(frozen=True)
class AuditFilter:
    """Which approved visits to read: sites and touchpoints (None: all) and the period."""

    site_ids: tuple[int, ...] | None = None
    touchpoint_ids: tuple[int, ...] | None = None
    channel_ids: tuple[int, ...] | None = None
    since: date | None = None
    until: date | None = None

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        """Return the WHERE conditions on visits."""
        found = [Visit.status == VisitStatus.APPROVED]
        if self.site_ids is not None:
            found.append(Visit.site_id.in_(self.site_ids))
        if self.channel_ids is not None:
            found.append(Visit.channel_id.in_(self.channel_ids))
        if self.since is not None:
            found.append(Visit.scheduled_on >= self.since)
        if self.until is not None:
            found.append(Visit.scheduled_on <= self.until)
        return found


@dataclass(frozen=True)
class Labels:
    """Names of what checks are keyed by, in display order (dicts keep insertion order)."""

    standards: dict[str, str]
    pillars: dict[str, str]
    touchpoints: dict[int, str]
    sites: dict[int, str]


@dataclass(frozen=True)
class Photo:
    """An evidence photo of an approved visit, with what it shows."""

    id: int
    stored_name: str
    content_type: str
    site: str
    scheduled_on: date
    standard: str | None


def approved_checks(session, where: AuditFilter) -> list[Check]:
    """Return every answer bound to a standard of the approved visits ``where`` selects.

    Not-applicable answers come back with ``score`` None (left out of the base by the
    scoring); answers neither scored nor not applicable (free text) are not read.
    """
    touchpoint = sa.func.coalesce(VisitAnswer.touchpoint_id, Visit.touchpoint_id)
    query = (
        sa.select(
            Visit.id,
            Standard.code,
            Pillar.code,
            touchpoint,
            Visit.site_id,
            Visit.auditor_id,
            Visit.scheduled_on,
            VisitAnswer.score,
            VisitAnswer.weight,
            VisitAnswer.is_not_applicable,
        )
        .join(Visit, Visit.id == VisitAnswer.visit_id)
        .join(Standard, Standard.id == VisitAnswer.standard_id)
        .join(Pillar, Pillar.id == Standard.pillar_id)
        .where(
            *where.conditions(),
            sa.or_(VisitAnswer.score.is_not(None), VisitAnswer.is_not_applicable.is_(True)),
        )
        .order_by(Visit.id, VisitAnswer.position)
    )
    if where.touchpoint_ids is not None:
        query = query.where(touchpoint.in_(where.touchpoint_ids))
    return [
        Check(
            visit=visit,
            standard=standard,
            pillar=pillar,
            touchpoint=tp,
            site=site,
            auditor=auditor,
            month=month_of(day),
            score=None if not_applicable else float(score),
            weight=float(weight),
        )
        for visit, standard, pillar, tp, site, auditor, day, score, weight, not_applicable in (
            session.execute(query)
        )
    ]


def labels(session, checks: Iterable[Check]) -> Labels:
    """Return the names of the standards, pillars, touchpoints and sites in ``checks``."""
    checks = list(checks)
    wanted = {name: {getattr(c, name) for c in checks} for name in ("touchpoint", "site")}
    standards = session.execute(
        sa.select(Standard.code, Standard.name)
        .join(Pillar)
        .order_by(Pillar.position, Standard.position)
    )
    pillars = session.execute(sa.select(Pillar.code, Pillar.name).order_by(Pillar.position))
    touchpoints = session.execute(
        sa.select(Touchpoint.id, Touchpoint.name)
        .where(Touchpoint.id.in_(wanted["touchpoint"]))
        .order_by(Touchpoint.cycle_id, Touchpoint.position, Touchpoint.id)
    )
    sites = session.execute(
        sa.select(Site.id, Site.name).where(Site.id.in_(wanted["site"])).order_by(Site.name)
    )
    return Labels(dict(standards.all()), dict(pillars.all()), dict(touchpoints.all()),
                  dict(sites.all()))  # fmt: skip


def approved_photos(session, where: AuditFilter, limit: int = 8) -> list[Photo]:
    """Return the newest evidence photos of the approved visits ``where`` selects."""
    standard_name = (
        sa.select(Standard.name)
        .join(VisitAnswer, VisitAnswer.standard_id == Standard.id)
        .where(
            VisitAnswer.visit_id == Evidence.visit_id,
            VisitAnswer.question_code == Evidence.question_code,
        )
        .limit(1)
        .scalar_subquery()
    )
    query = (
        sa.select(
            Evidence.id,
            Evidence.stored_name,
            Evidence.content_type,
            Site.name,
            Visit.scheduled_on,
            standard_name,
        )
        .join(Visit, Visit.id == Evidence.visit_id)
        .join(Site, Site.id == Visit.site_id)
        .where(*where.conditions())
        .order_by(Visit.scheduled_on.desc(), Evidence.id.desc())
        .limit(limit)
    )
    return [Photo(*row) for row in session.execute(query)]
