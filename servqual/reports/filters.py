"""The dashboard's filters: read from the URL, checked against the database and the user.

Filters live in the query string (a GET form), so a view can be bookmarked and shared.
A value that is not one of the offered choices is refused (400) with a message; a site
outside the user's sites is forbidden (403).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from servqual.accounts.models import User
from servqual.extensions import db
from servqual.gaps.sources import Scope
from servqual.service.models import Channel, Site, Touchpoint
from servqual.surveys.models import Campaign, CampaignStatus, Response

#: The query-string names of the filters.
FILTER_NAMES = ("campaign", "site", "touchpoint", "channel", "segment")


class FilterError(ValueError):
    """A filter value that is not one of the choices; the message is for the user."""


class FilterForbidden(PermissionError):
    """A site outside the user's sites."""


@dataclass(frozen=True)
class Choices:
    """What the filters offer for one campaign and user."""

    campaigns: tuple[Campaign, ...]
    sites: tuple[Site, ...]
    touchpoints: tuple[Touchpoint, ...]
    channels: tuple[Channel, ...]
    segments: tuple[str, ...]


@dataclass(frozen=True)
class Filters:
    """The chosen campaign and, optionally, one site, touchpoint, channel and segment."""

    campaign: Campaign
    site_id: int | None = None
    touchpoint_id: int | None = None
    channel_id: int | None = None
    segment: str | None = None

    def scope(self, user: User) -> Scope:
        """Return the analysis scope: the chosen site, else the user's sites (None: all)."""
        if self.site_id is not None:
            site_ids: tuple[int, ...] | None = (self.site_id,)
        else:
            allowed = user.site_ids
            site_ids = tuple(sorted(allowed)) if allowed is not None else None
        return Scope(
            self.campaign.id,
            site_ids=site_ids,
            touchpoint_ids=(self.touchpoint_id,) if self.touchpoint_id is not None else None,
            channel_ids=(self.channel_id,) if self.channel_id is not None else None,
            segments=(self.segment,) if self.segment is not None else None,
        )

    def query_args(self) -> dict[str, object]:
        """Return the filters as query-string arguments (for links and the CSV downloads)."""
        args: dict[str, object] = {"campaign": self.campaign.id}
        for name, value in (
            ("site", self.site_id),
            ("touchpoint", self.touchpoint_id),
            ("channel", self.channel_id),
            ("segment", self.segment),
        ):
            if value is not None:
                args[name] = value
        return args


def _wave_order(campaign: Campaign) -> tuple:
    return (campaign.opens_on or campaign.created_at.date(), campaign.id)


def campaigns() -> tuple[Campaign, ...]:
    """Return the campaigns that have been opened, most recent wave first."""
    rows = db.session.scalars(
        sa.select(Campaign).where(Campaign.status != CampaignStatus.DRAFT)
    ).all()
    return tuple(sorted(rows, key=_wave_order, reverse=True))


def campaign_sites(campaign: Campaign) -> list[Site]:
    """Return the sites a campaign covers (a campaign naming none covers every site)."""
    return list(campaign.sites) or list(db.session.scalars(sa.select(Site).order_by(Site.name)))


def choices_for(campaign: Campaign, user: User, all_campaigns: tuple[Campaign, ...]) -> Choices:
    """Return the sites (the user's), touchpoints, channels and segments of ``campaign``."""
    sites = tuple(site for site in campaign_sites(campaign) if user.can_see_site(site.id))
    channel_ids = set(
        db.session.scalars(
            sa.select(Response.channel_id)
            .where(Response.campaign_id == campaign.id, Response.channel_id.is_not(None))
            .distinct()
        )
    ) | {tp.channel_id for tp in campaign.touchpoints}
    channels = tuple(
        db.session.scalars(
            sa.select(Channel).where(Channel.id.in_(channel_ids)).order_by(Channel.position)
        )
    )
    segments = tuple(
        db.session.scalars(
            sa.select(Response.segment)
            .where(Response.campaign_id == campaign.id, Response.segment.is_not(None))
            .distinct()
            .order_by(Response.segment)
        )
    )
    touchpoints = tuple(sorted(campaign.touchpoints, key=lambda tp: (tp.cycle_id, tp.position)))
    return Choices(all_campaigns, sites, touchpoints, channels, segments)


def _int(args: Mapping[str, str], name: str, label: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise FilterError(
            _("%(filter)s: “%(value)s” is not a choice.", filter=label, value=raw)
        ) from None


def parse(args: Mapping[str, str], user: User) -> tuple[Filters | None, Choices | None]:
    """Read the filters from ``args``; (None, None) when no campaign has been opened yet.

    Raises :class:`FilterError` for a value that is not offered and
    :class:`FilterForbidden` for a site outside the user's sites.
    """
    offered = campaigns()
    campaign_id = _int(args, "campaign", _("Campaign"))
    if campaign_id is None:
        if not offered:
            return None, None
        campaign = offered[0]
    else:
        campaign = next((c for c in offered if c.id == campaign_id), None)
        if campaign is None:
            raise FilterError(_("Campaign: no such campaign with answers to show."))
    choices = choices_for(campaign, user, offered)
    site_id = _int(args, "site", _("Site"))
    if site_id is not None and not user.can_see_site(site_id):
        raise FilterForbidden(site_id)
    if site_id is not None and site_id not in {site.id for site in choices.sites}:
        raise FilterError(_("Site: not a site of this campaign."))
    touchpoint_id = _int(args, "touchpoint", _("Touchpoint"))
    if touchpoint_id is not None and touchpoint_id not in {tp.id for tp in choices.touchpoints}:
        raise FilterError(_("Touchpoint: not a touchpoint of this campaign."))
    channel_id = _int(args, "channel", _("Channel"))
    if channel_id is not None and channel_id not in {ch.id for ch in choices.channels}:
        raise FilterError(_("Channel: not a channel of this campaign."))
    segment = (args.get("segment") or "").strip() or None
    if segment is not None and segment not in choices.segments:
        raise FilterError(_("Segment: not a segment of this campaign."))
    return Filters(campaign, site_id, touchpoint_id, channel_id, segment), choices
