"""Writes for the API: tokens (create, revoke, authenticate) and submitted responses (flush only).

A submission goes through the respondent's own path: a draft keyed by the token and the
client's ``Idempotency-Key`` is started, filled and submitted with the operations of
``servqual.surveys.operations``, so a key can only ever store one response.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from servqual.accounts.models import User
from servqual.api.models import ApiSubmission, ApiToken
from servqual.extensions import db
from servqual.modelbase import utcnow
from servqual.surveys import operations as survey_ops
from servqual.surveys.models import Campaign, Response, SurveyLink

#: How often ``last_used_at`` is written: not on every request of a busy kiosk.
LAST_USED_RESOLUTION = timedelta(minutes=1)
#: Prefix of every secret, so a leaked one is recognisable in logs and scanners.
SECRET_PREFIX = "sqapi_"  # noqa: S105 (a prefix, not a secret)


class TokenError(ValueError):
    """A token operation refused; the message is meant for the user."""


class KeyReused(Exception):
    """The idempotency key was used before with another body."""


@dataclass(frozen=True)
class Submitted:
    """A stored response and whether this request replayed an earlier one."""

    response: Response
    replayed: bool


def create_token(
    campaign: Campaign, name: str, link: SurveyLink | None = None, user: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``campaign`` (and ``link``); return it with its secret, shown once."""
    name = name.strip()
    if not name:
        raise TokenError(_("Give the token a name."))
    if link is not None and link.campaign_id != campaign.id:
        raise TokenError(_("That link belongs to another campaign."))
    taken = db.session.scalar(sa.select(ApiToken.id).filter_by(campaign_id=campaign.id, name=name))
    if taken is not None:
        raise TokenError(_("This campaign already has a token named “%(name)s”.", name=name))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        campaign=campaign,
        link=link,
        token_hash=survey_ops.token_hash(secret),
        created_by=user,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(token: ApiToken) -> bool:
    """Revoke a token for good; return False if it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.flush()
    return True


def authenticate(secret: str) -> ApiToken | None:
    """Return the live token of a secret (noting its use), or None if unknown or revoked."""
    token = db.session.scalar(
        sa.select(ApiToken).filter_by(token_hash=survey_ops.token_hash(secret))
    )
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    last = token.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite returns naive UTC datetimes
        last = last.replace(tzinfo=now.tzinfo)
    if last is None or now - last >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.flush()
    return token


def tokens_of(campaign: Campaign) -> list[ApiToken]:
    """Return a campaign's tokens, live ones first, newest first."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .filter_by(campaign_id=campaign.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
        )
    )


def links_for(token: ApiToken) -> list[SurveyLink]:
    """Return the links a token may submit through, in touchpoint order."""
    links = [token.link] if token.link is not None else list(token.campaign.links)
    return sorted(links, key=lambda k: (k.touchpoint.position, k.site.name if k.site else ""))


def body_hash(body: Any) -> str:
    """Return the SHA-256 of a JSON body's canonical form (key order and spacing ignored)."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _draft_token(token: ApiToken, idempotency_key: str) -> str:
    # Keys are the client's choice: scope them to the token so integrations never collide.
    return f"api:{token.id}:{idempotency_key}"


def earlier_submission(token: ApiToken, idempotency_key: str, digest: str) -> Submitted | None:
    """Return the response stored before under this key; raise ``KeyReused`` if bodies differ."""
    response = survey_ops.response_for_token(_draft_token(token, idempotency_key))
    if response is None:
        return None
    submission = db.session.get(ApiSubmission, response.id)
    if submission is None or submission.body_hash != digest:
        raise KeyReused
    return Submitted(response, replayed=True)


def submit(
    token: ApiToken,
    link: SurveyLink,
    idempotency_key: str,
    digest: str,
    language: str,
    answers: dict[str, Any],
    segment: str | None,
    today: date,
) -> Response:
    """Store validated answers as one response with source "api"; the caller commits.

    Raises ``SurveyError`` when the campaign does not accept responses and
    ``IntegrityError`` when a concurrent request stored the same key first.
    """
    draft_token = survey_ops.start_draft(link, language, token=_draft_token(token, idempotency_key))
    draft = survey_ops.find_draft(draft_token)
    survey_ops.save_answers(draft, answers, step=0)
    response = survey_ops.submit_draft(
        draft, language, today, source="api", segment=(segment or "").strip() or None
    )
    db.session.add(ApiSubmission(response=response, token=token, body_hash=digest))
    db.session.flush()
    return response
