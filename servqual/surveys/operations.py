"""Writes for surveys: campaigns, links, drafts and submitted responses (flush only)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from servqual.bulk import insert_rows
from servqual.extensions import db
from servqual.instruments.format import Instrument
from servqual.modelbase import utcnow
from servqual.pqr import follow_up
from servqual.service.models import ChannelKind, Site
from servqual.surveys import drafts
from servqual.surveys.aggregates import record_response
from servqual.surveys.drafts import DraftView, LinkView
from servqual.surveys.invitation_models import Invitation, InvitationStatus
from servqual.surveys.models import (
    Answer,
    Campaign,
    CampaignStatus,
    ImportancePoints,
    Response,
    SurveyLink,
)
from servqual.surveys.steps import (
    MEASURE_COLUMNS,
    build_steps,
    importance_item,
    scored_items,
)

#: Channels where the customer is not at a branch: one link without a site is enough.
REMOTE_CHANNELS = {
    ChannelKind.PHONE,
    ChannelKind.WEB,
    ChannelKind.EMAIL,
    ChannelKind.MOBILE_APP,
    ChannelKind.CHAT,
}


class SurveyError(ValueError):
    """A survey operation refused; the message is meant for the user."""


def token_hash(token: str) -> str:
    """Return the stored form of a secret token (SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def ensure_links(campaign: Campaign) -> list[SurveyLink]:
    """Create the missing public links: one per touchpoint and site it covers."""
    all_sites = campaign.sites or list(db.session.scalars(sa.select(Site).order_by(Site.name)))
    existing = {(link.touchpoint_id, link.site_id) for link in campaign.links}
    for touchpoint in campaign.touchpoints:
        if touchpoint.channel.kind in REMOTE_CHANNELS and not touchpoint.sites:
            targets: list[Site | None] = [None]
        else:
            targets = [site for site in all_sites if touchpoint.is_at_site(site)] or [None]
        for site in targets:
            key = (touchpoint.id, site.id if site else None)
            if key not in existing:
                db.session.add(
                    SurveyLink(
                        campaign=campaign,
                        touchpoint=touchpoint,
                        site=site,
                        slug=secrets.token_urlsafe(8),
                    )
                )
                existing.add(key)
    db.session.flush()
    return campaign.links


def set_status(campaign: Campaign, status: CampaignStatus) -> None:
    """Move a campaign along draft → open → closed."""
    allowed = {
        CampaignStatus.DRAFT: {CampaignStatus.OPEN},
        CampaignStatus.OPEN: {CampaignStatus.CLOSED},
        CampaignStatus.CLOSED: {CampaignStatus.OPEN},
    }
    if status not in allowed[campaign.status_enum]:
        raise SurveyError(
            _(
                "A campaign cannot go from %(old)s to %(new)s.",
                old=campaign.status_enum.label,
                new=status.label,
            )
        )
    if status == CampaignStatus.OPEN:
        ensure_links(campaign)
    campaign.status = status
    db.session.flush()


def start_draft(
    link: SurveyLink | LinkView,
    language: str,
    token: str | None = None,
    invitation_id: int | None = None,
) -> str:
    """Record consent and start a draft; return its secret token (the resume link).

    A personal invitation's token is reused as the draft token, so the invitation, the
    draft and the response share one single-use key.
    """
    token = token or secrets.token_urlsafe(32)
    drafts.insert_draft(link.id, token_hash(token), language, invitation_id)
    return token


def find_draft(token: str, lock: bool = False) -> DraftView | None:
    """Return the draft of a resume token; ``lock`` first takes its write lock."""
    return drafts.draft_by_hash(token_hash(token), lock=lock)


def response_for_token(token: str) -> Response | None:
    """Return the response already submitted with this token, if any."""
    return db.session.scalar(sa.select(Response).filter_by(submission_key=token_hash(token)))


def save_answers(
    draft: DraftView, answers: dict[str, Any], step: int, language: str | None = None
) -> bool:
    """Merge a page's answers into the draft; False when the draft was submitted meanwhile."""
    return drafts.save_answers(draft, answers, step, language or draft.language)


def _value(raw: Any) -> int | None:
    if raw in (None, "", "na"):
        return None
    return int(raw)


#: The response row of a submission (Core: one statement, compiled once).
_INSERT_RESPONSE = sa.insert(Response.__table__).returning(Response.__table__.c.id)


def store_draft(
    draft: DraftView,
    language: str,
    today: date,
    source: str = "link",
    segment: str | None = None,
) -> int:
    """Turn a complete draft into a response; return its id. The caller commits.

    The response and its rows are inserted with one statement each; the response's
    submission key is the draft's token hash, so a token gives at most one response.
    """
    link = draft.link
    campaign = link.campaign
    if not campaign.accepts_responses(today):
        raise SurveyError(_("This survey is closed. Thank you for your interest."))
    instrument = campaign.instrument
    data = draft.answers
    for step in build_steps(instrument, campaign.format)[:-1]:
        if any(q.name not in data for q in step.questions):
            raise SurveyError(_("Some questions have no answer yet."))
    invitation = None
    if draft.invitation_id is not None:
        invitation = db.session.get(Invitation, draft.invitation_id)
        invitation.status = InvitationStatus.RESPONDED
        invitation.responded_at = utcnow()
        source = "invitation"
        segment = invitation.contact.segment
    may_contact = bool(data.get("may_contact"))
    connection = db.session.connection()
    response_id = connection.execute(
        _INSERT_RESPONSE,
        {
            "campaign_id": campaign.id,
            "instrument_version_id": campaign.instrument_version_id,
            "touchpoint_id": link.touchpoint.id,
            "site_id": link.site.id if link.site else None,
            "channel_id": link.channel_id,
            "segment": segment,
            "language": language,
            "source": source,
            "invitation_id": invitation.id if invitation and not campaign.is_anonymous else None,
            "submission_key": draft.token_hash,
            "submitted_at": utcnow(),
            "overall_quality": _value(data.get("overall_quality")),
            "satisfaction": None,
            "recommend": _value(data.get("recommend")),
            "comment": (data.get("comment") or "").strip() or None,
            "may_contact": may_contact,
        },
    ).scalar_one()
    answers, differences = _answer_rows(instrument, data, response_id)
    points = _importance_rows(instrument, campaign, data, response_id)
    insert_rows(connection, Answer.__table__, answers)
    insert_rows(connection, ImportancePoints.__table__, points)
    drafts.delete_draft(draft)
    if may_contact and link.site is not None:
        follow_up.open_follow_up(db.session.get(Response, response_id))
    # Last, so that the cell rows concurrent submissions share stay locked only until
    # the commit that follows.
    record_response(
        campaign.id,
        instrument,
        (link.touchpoint.id, link.site.id if link.site else None, link.channel_id, segment),
        differences,
    )
    return response_id


def submit_draft(
    draft: DraftView,
    language: str,
    today: date,
    source: str = "link",
    segment: str | None = None,
) -> Response:
    """Turn a complete draft into a response and return it; the caller commits."""
    return db.session.get(Response, store_draft(draft, language, today, source, segment))


def _answer_rows(
    instrument: Instrument, data: dict[str, Any], response_id: int
) -> tuple[list[dict], dict[str, int]]:
    """Return the answer rows of a response and P − E of the items answered on both forms."""
    forms = {f["code"]: f["measure"] for f in instrument.forms}
    rows, differences = [], {}
    for item in scored_items(instrument):
        names = [f"{form}-{item.code}" for form in item.forms]
        if not any(name in data for name in names):
            continue
        row = dict.fromkeys(MEASURE_COLUMNS.values())
        for form, name in zip(item.forms, names, strict=True):
            if forms.get(form) in MEASURE_COLUMNS:
                row[MEASURE_COLUMNS[forms[form]]] = _value(data.get(name))
        rows.append({"response_id": response_id, "item_code": item.code, **row})
        if row["e"] is not None and row["p"] is not None:
            differences[item.code] = row["p"] - row["e"]
    return rows, differences


def _importance_rows(instrument: Instrument, campaign, data: dict[str, Any], response_id: int):
    allocation = importance_item(instrument)
    if allocation is None or not campaign.ask_importance:
        return []
    return [
        {"response_id": response_id, "dimension": code, "points": int(raw)}
        for code in allocation.params["among"]
        if (raw := data.get(f"importance-{code}")) is not None
    ]
