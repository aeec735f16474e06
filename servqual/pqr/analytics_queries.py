"""Reads for the PQR analytics: the cases and survey responses of a dashboard scope.

A scope is a survey wave with its filters (:class:`servqual.gaps.wave.Scope`): the PQR
counted are those filed between the wave's opening and closing days at the scope's
sites (and touchpoints, when the scope names some); the survey responses are those of
the wave at the same sites. A manager limited to sites passes only their site ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from servqual.extensions import db
from servqual.pqr.analytics import CaseRow, Summary, summarise
from servqual.pqr.models import Case
from servqual.pqr.policy import deadline_clock, local_today
from servqual.service.models import Pillar, Touchpoint
from servqual.surveys.models import Response


@dataclass(frozen=True)
class PqrFilter:
    """Which cases and responses to count."""

    campaign_id: int
    #: First and last filing days counted (None: no bound, for a wave without dates).
    since: date | None
    until: date | None
    site_ids: tuple[int, ...] | None = None
    touchpoint_ids: tuple[int, ...] | None = None


def pqr_filter(scope: Any, campaign: Any) -> PqrFilter:
    """Return the filter of a dashboard or report scope over its wave's dates."""
    return PqrFilter(
        campaign_id=campaign.id,
        since=campaign.opens_on,
        until=campaign.closes_on,
        site_ids=scope.site_ids,
        touchpoint_ids=scope.touchpoint_ids,
    )


def _local_day(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return local_today(moment)


def case_rows(session: Any, where: PqrFilter) -> list[CaseRow]:
    """Return the cases filed in the period at the sites, as :class:`CaseRow`."""
    query = (
        sa.select(Case, Touchpoint.name, Pillar.name)
        .outerjoin(Touchpoint, Touchpoint.id == Case.touchpoint_id)
        .outerjoin(Pillar, Pillar.id == Case.pillar_id)
        .order_by(Case.id)
    )
    if where.since is not None:
        query = query.where(Case.filed_on >= where.since)
    if where.until is not None:
        query = query.where(Case.filed_on <= where.until)
    if where.site_ids is not None:
        query = query.where(Case.site_id.in_(where.site_ids))
    if where.touchpoint_ids is not None:
        query = query.where(Case.touchpoint_id.in_(where.touchpoint_ids))
    return [
        CaseRow(
            request_type=case.request_type,
            site_id=case.site_id,
            filed_on=case.filed_on,
            due_on=case.due_on,
            answered_on=_local_day(case.answered_at),
            touchpoint=touchpoint,
            pillar=pillar,
            dimension=case.dimension,
            reopen_count=case.reopen_count or 0,
        )
        for case, touchpoint, pillar in session.execute(query)
    ]


def response_count(session: Any, where: PqrFilter) -> int:
    """Return how many survey responses the wave has at the sites (and touchpoints)."""
    query = sa.select(sa.func.count(Response.id)).where(Response.campaign_id == where.campaign_id)
    if where.site_ids is not None:
        query = query.where(Response.site_id.in_(where.site_ids))
    if where.touchpoint_ids is not None:
        query = query.where(Response.touchpoint_id.in_(where.touchpoint_ids))
    return int(session.scalar(query) or 0)


def pqr_summary(
    scope: Any, campaign: Any, session: Any = None, as_of: date | None = None
) -> Summary | None:
    """Return the PQR figures of a scope, or None when no case was filed in it."""
    session = session if session is not None else db.session
    where = pqr_filter(scope, campaign)
    rows = case_rows(session, where)
    if not rows:
        return None
    calendar = deadline_clock().calendar
    return summarise(
        rows,
        response_count(session, where),
        as_of or local_today(),
        calendar.business_days_between,
    )
