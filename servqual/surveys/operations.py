"""Writes for surveys: campaigns, links, drafts and submitted responses (flush only)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from servqual.extensions import db
from servqual.instruments.models import InstrumentVersion
from servqual.modelbase import utcnow
from servqual.pqr import follow_up
from servqual.service.models import ChannelKind, Site
from servqual.surveys.aggregates import record_responses
from servqual.surveys.invitation_models import Invitation, InvitationStatus
from servqual.surveys.models import (
    Answer,
    Campaign,
    CampaignStatus,
    Draft,
    ImportancePoints,
    Response,
    SurveyLink,
)
from servqual.surveys.steps import (
    MEASURE_COLUMNS,
    build_steps,
    importance_item,
    instrument_of,
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
    link: SurveyLink, language: str, token: str | None = None, invitation_id: int | None = None
) -> str:
    """Record consent and start a draft; return its secret token (the resume link).

    A personal invitation's token is reused as the draft token, so the invitation, the
    draft and the response share one single-use key.
    """
    token = token or secrets.token_urlsafe(32)
    db.session.add(
        Draft(
            token_hash=token_hash(token),
            link=link,
            language=language,
            answers={},
            invitation_id=invitation_id,
        )
    )
    db.session.flush()
    return token


#: What every questionnaire page reads besides the draft, loaded with it in one query
#: (the instrument's definition only when its validated form is not cached yet).
_DRAFT_PAGE_CONTEXT = (
    joinedload(Draft.link).options(
        joinedload(SurveyLink.campaign)
        .joinedload(Campaign.instrument_version)
        .defer(InstrumentVersion.definition),
        joinedload(SurveyLink.touchpoint),
        joinedload(SurveyLink.site),
    ),
)


def find_draft(token: str, lock: bool = False) -> Draft | None:
    """Return the draft of a resume token; ``lock`` first takes its write lock.

    Recording a page locks the draft, so that a second click on "Send" waits for the
    first and then finds the draft submitted, instead of failing on a row deleted under
    it. The lock is a no-op UPDATE: a row lock on PostgreSQL, and on SQLite (which has no
    ``FOR UPDATE``) the database write lock, taken before anything is read.
    """
    hashed = token_hash(token)
    if lock:
        db.session.execute(
            sa.update(Draft).where(Draft.token_hash == hashed).values(step=Draft.step),
            execution_options={"synchronize_session": False},
        )
    return db.session.scalar(
        sa.select(Draft).filter_by(token_hash=hashed).options(*_DRAFT_PAGE_CONTEXT)
    )


def response_for_token(token: str) -> Response | None:
    """Return the response already submitted with this token, if any."""
    return db.session.scalar(sa.select(Response).filter_by(submission_key=token_hash(token)))


def save_answers(draft: Draft, answers: dict[str, Any], step: int) -> None:
    """Merge a page's answers into the draft and remember where the respondent is."""
    draft.answers = {**draft.answers, **answers}
    draft.step = max(draft.step, step)
    db.session.flush()


def _value(raw: Any) -> int | None:
    if raw in (None, "", "na"):
        return None
    return int(raw)


def submit_draft(draft: Draft, language: str, today: date) -> Response:
    """Turn a complete draft into a response; the caller commits (one response per token)."""
    link = draft.link
    campaign = link.campaign
    if not campaign.accepts_responses(today):
        raise SurveyError(_("This survey is closed. Thank you for your interest."))
    instrument = instrument_of(campaign)
    data = draft.answers
    for step in build_steps(instrument, campaign.format)[:-1]:
        missing = [q.name for q in step.questions if q.name not in data]
        if missing:
            raise SurveyError(_("Some questions have no answer yet."))
    response = Response(
        campaign=campaign,
        instrument_version_id=campaign.instrument_version_id,
        touchpoint_id=link.touchpoint_id,
        site_id=link.site_id,
        channel_id=link.touchpoint.channel_id,
        language=language,
        source="link",
        submission_key=draft.token_hash,
        overall_quality=_value(data.get("overall_quality")),
        recommend=_value(data.get("recommend")),
        comment=(data.get("comment") or "").strip() or None,
        may_contact=bool(data.get("may_contact")),
    )
    forms = {f["code"]: f["measure"] for f in instrument.forms}
    for item in scored_items(instrument):
        values = {
            MEASURE_COLUMNS[forms[form]]: _value(data.get(f"{form}-{item.code}"))
            for form in item.forms
            if forms.get(form) in MEASURE_COLUMNS
        }
        if any(f"{form}-{item.code}" in data for form in item.forms):
            response.answers.append(Answer(item_code=item.code, **values))
    allocation = importance_item(instrument)
    if allocation is not None and campaign.ask_importance:
        for code in allocation.params["among"]:
            raw = data.get(f"importance-{code}")
            if raw is not None:
                response.importance.append(ImportancePoints(dimension=code, points=int(raw)))
    if draft.invitation_id is not None:
        invitation = db.session.get(Invitation, draft.invitation_id)
        invitation.status = InvitationStatus.RESPONDED
        invitation.responded_at = utcnow()
        response.source = "invitation"
        response.segment = invitation.contact.segment
        if not campaign.is_anonymous:
            response.invitation_id = invitation.id
    db.session.add(response)
    db.session.delete(draft)
    db.session.flush()
    record_responses(campaign, [response.id])
    follow_up.open_follow_up(response)
    return response
