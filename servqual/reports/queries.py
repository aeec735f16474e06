"""Reads for reports: who may ask for, see and download which report; the default campaign."""

from __future__ import annotations

import sqlalchemy as sa

from servqual.accounts.models import Role, User
from servqual.extensions import db
from servqual.reports.models import Report, ReportKind
from servqual.service.models import Touchpoint
from servqual.surveys.models import Campaign, Response

#: Roles that may ask for reports and read the executive and site reports.
REQUESTERS = (Role.MANAGER,)


def may_request(user: User, kind: str, site_id: int | None) -> bool:
    """Tell whether ``user`` may ask for a report of ``kind`` (on ``site_id``).

    Managers limited to sites may ask only for reports of one of their sites: never the
    executive report (every site), and a staff report only with one of their sites.
    """
    if not user.has_role(*REQUESTERS):
        return False
    if site_id is None:
        return kind != ReportKind.SITE and user.site_ids is None
    return kind != ReportKind.EXECUTIVE and user.can_see_site(site_id)


def may_see(user: User, report: Report) -> bool:
    """Tell whether ``user`` may see (and download) ``report``.

    Staff feedback reports are written to be shared, so every staff role reads them;
    the others are for managers. A report on one site is for those who see that site;
    the executive report, covering every site, for those limited to none.
    """
    if report.kind != ReportKind.STAFF and not user.has_role(*REQUESTERS):
        return False
    if report.site_id is not None:
        return user.can_see_site(report.site_id)
    return report.kind == ReportKind.STAFF or user.site_ids is None


def visible_reports(user: User, limit: int = 200) -> list[Report]:
    """Return the reports ``user`` may see, newest first."""
    rows = db.session.scalars(
        sa.select(Report).order_by(Report.created_at.desc(), Report.id.desc()).limit(limit)
    )
    return [report for report in rows if may_see(user, report)]


def latest_campaign() -> Campaign | None:
    """Return the most recent campaign: the latest wave, then the newest record."""
    return db.session.scalar(
        sa.select(Campaign).order_by(Campaign.wave.desc(), Campaign.id.desc()).limit(1)
    )


def campaign(campaign_id: int | None) -> Campaign | None:
    """Return a campaign by id, or None."""
    return db.session.get(Campaign, campaign_id) if campaign_id is not None else None


def customer_campaigns() -> list[Campaign]:
    """Return the campaigns a report can be written on, latest wave first."""
    return list(
        db.session.scalars(sa.select(Campaign).order_by(Campaign.wave.desc(), Campaign.id.desc()))
    )


#: Verbatim comments a report quotes, at most, and the characters kept of each.
COMMENTS_QUOTED = 12
COMMENT_CHARACTERS = 600
#: Shorter comments ("ok", "good") say nothing a chart does not say.
COMMENT_MIN_CHARACTERS = 15


def selected_comments(
    campaign_id: int, site_ids: tuple[int, ...] | None = None, limit: int = COMMENTS_QUOTED
) -> list[tuple[str, str]]:
    """Return (touchpoint name, comment) of the newest substantial comments in a scope."""
    query = (
        sa.select(Touchpoint.name, Response.comment)
        .join(Touchpoint, Touchpoint.id == Response.touchpoint_id)
        .where(
            Response.campaign_id == campaign_id,
            Response.comment.is_not(None),
            sa.func.length(sa.func.trim(Response.comment)) >= COMMENT_MIN_CHARACTERS,
        )
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(limit)
    )
    if site_ids is not None:
        query = query.where(Response.site_id.in_(site_ids))
    return [
        (touchpoint, " ".join(comment.split())[:COMMENT_CHARACTERS])
        for touchpoint, comment in db.session.execute(query)
    ]
