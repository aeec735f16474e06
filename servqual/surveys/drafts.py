"""The respondent's path through the database: links and drafts read as plain rows.

Every questionnaire page reads a draft together with its link, campaign, touchpoint and
site, and every "Next" writes the draft back. These are the busiest statements of the
platform, so they are written here as single Core statements whose rows fill small frozen
views, instead of loading five ORM objects per request: on PostgreSQL a page is one
``SELECT`` (``FOR UPDATE OF`` the draft when it records answers) and one ``UPDATE``.
Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from servqual.extensions import db
from servqual.instruments.format import Instrument
from servqual.instruments.models import InstrumentVersion
from servqual.modelbase import utcnow
from servqual.service.models import Site, Touchpoint
from servqual.surveys.models import Campaign, Draft, SurveyLink, accepts_responses
from servqual.surveys.steps import instrument_for


@dataclass(frozen=True)
class Named:
    """A touchpoint or site as the respondent's pages show it."""

    id: int
    name: str


@dataclass(frozen=True)
class CampaignView:
    """What the respondent's pages need of a campaign."""

    id: int
    name: str
    status: str
    opens_on: date | None
    closes_on: date | None
    format: str
    ask_overall: bool
    ask_importance: bool
    ask_comment: bool
    is_anonymous: bool
    instrument_version_id: int
    instrument_hash: str

    def accepts_responses(self, today: date) -> bool:
        """Tell whether a respondent may answer today."""
        return accepts_responses(self.status, self.opens_on, self.closes_on, today)

    @property
    def instrument(self) -> Instrument:
        """Return the validated instrument (cached per process by content hash)."""
        return instrument_for(self.instrument_version_id, self.instrument_hash)


@dataclass(frozen=True)
class LinkView:
    """A public link with its campaign, touchpoint and site."""

    id: int
    slug: str
    campaign: CampaignView
    touchpoint: Named
    site: Named | None
    channel_id: int | None


@dataclass
class DraftView:
    """A respondent's draft; ``answers`` and ``step`` follow :func:`save_answers`."""

    id: int
    token_hash: str
    link: LinkView
    language: str
    invitation_id: int | None
    step: int
    answers: dict[str, Any] = field(default_factory=dict)

    def merge(self, answers: dict[str, Any], step: int) -> None:
        """Add a page's answers and remember the furthest page reached (not stored)."""
        self.answers = {**self.answers, **answers}
        self.step = max(self.step, step)


_DRAFTS = Draft.__table__
_LINKS = SurveyLink.__table__
_CAMPAIGNS = Campaign.__table__
_VERSIONS = InstrumentVersion.__table__
_TOUCHPOINTS = Touchpoint.__table__
_SITES = Site.__table__

# Core columns of the tables, executed on the session's connection: these statements
# skip the ORM's per-statement work, which costs more than the query itself here.
_LINK_COLUMNS = (
    _LINKS.c.id,
    _LINKS.c.slug,
    _CAMPAIGNS.c.id,
    _CAMPAIGNS.c.name,
    _CAMPAIGNS.c.status,
    _CAMPAIGNS.c.opens_on,
    _CAMPAIGNS.c.closes_on,
    _CAMPAIGNS.c.format,
    _CAMPAIGNS.c.ask_overall,
    _CAMPAIGNS.c.ask_importance,
    _CAMPAIGNS.c.ask_comment,
    _CAMPAIGNS.c.is_anonymous,
    _CAMPAIGNS.c.instrument_version_id,
    _VERSIONS.c.content_hash,
    _TOUCHPOINTS.c.id,
    _TOUCHPOINTS.c.name,
    _TOUCHPOINTS.c.channel_id,
    _SITES.c.id,
    _SITES.c.name,
)


def _link_joins(select: sa.Select) -> sa.Select:
    return (
        select.join(_CAMPAIGNS, _LINKS.c.campaign_id == _CAMPAIGNS.c.id)
        .join(_VERSIONS, _CAMPAIGNS.c.instrument_version_id == _VERSIONS.c.id)
        .join(_TOUCHPOINTS, _LINKS.c.touchpoint_id == _TOUCHPOINTS.c.id)
        .outerjoin(_SITES, _LINKS.c.site_id == _SITES.c.id)
    )


def _link_view(row: sa.Row, start: int = 0) -> LinkView:
    (link_id, slug, *campaign, touchpoint_id, touchpoint_name, channel_id, site_id, site_name) = (
        row[start : start + len(_LINK_COLUMNS)]
    )
    return LinkView(
        id=link_id,
        slug=slug,
        campaign=CampaignView(*campaign),
        touchpoint=Named(touchpoint_id, touchpoint_name),
        site=Named(site_id, site_name) if site_id is not None else None,
        channel_id=channel_id,
    )


def outside_transaction() -> bool:
    """Run this request's statements without a transaction (PostgreSQL); tell whether so.

    A page view is one ``SELECT`` and recording a page one ``SELECT`` and one ``UPDATE``
    that merges the answers on the server: neither needs ``BEGIN`` … ``COMMIT`` around
    it, which saves two round trips a request. SQLite keeps its explicit transactions
    (see ``servqual.extensions``); nothing changes once the request has begun one.
    """
    session = db.session()
    bind = session.get_bind()
    # A session bound to a connection (the tests' outer transaction) is left alone.
    engine_bound = isinstance(bind, sa.Engine) and bind.dialect.name == "postgresql"
    if engine_bound and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return True
    return False


def in_transaction() -> None:
    """Leave :func:`outside_transaction`: the following statements run in one transaction."""
    db.session.commit()  # nothing to commit: hands back the autocommit connection


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _execute(statement, params: dict) -> sa.CursorResult:
    return db.session.connection().execute(statement, params)


@cache
def _by_slug() -> sa.Select:
    return _link_joins(sa.select(*_LINK_COLUMNS)).where(_LINKS.c.slug == sa.bindparam("slug"))


def link_by_slug(slug: str) -> LinkView | None:
    """Return the public link with this slug, or None."""
    row = _execute(_by_slug(), {"slug": slug}).first()
    return _link_view(row) if row is not None else None


_DRAFT_COLUMNS = (
    _DRAFTS.c.id,
    _DRAFTS.c.token_hash,
    _DRAFTS.c.language,
    _DRAFTS.c.invitation_id,
    _DRAFTS.c.step,
    _DRAFTS.c.answers,
)


@cache
def _by_token(lock: bool) -> sa.Select:
    select = _link_joins(
        sa.select(*_DRAFT_COLUMNS, *_LINK_COLUMNS).join(_LINKS, _DRAFTS.c.link_id == _LINKS.c.id)
    ).where(_DRAFTS.c.token_hash == sa.bindparam("hashed"))
    return select.with_for_update(of=_DRAFTS) if lock else select


@cache
def _touch() -> sa.Update:
    return (
        sa.update(_DRAFTS)
        .where(_DRAFTS.c.token_hash == sa.bindparam("hashed"))
        .values(step=_DRAFTS.c.step)
    )


def draft_by_hash(hashed: str, lock: bool = False) -> DraftView | None:
    """Return the draft with this token hash; ``lock`` first takes its write lock.

    Inside a transaction, recording a page locks the draft, so that a second click on
    "Send" waits for the first and then finds the draft submitted. PostgreSQL locks the
    row with the read (``FOR UPDATE OF survey_drafts``); SQLite, which has no row locks,
    takes the database write lock with a no-op ``UPDATE`` first. Outside a transaction
    (see :func:`outside_transaction`) nothing is locked: the unique submission key stops a second
    submission instead.
    """
    params = {"hashed": hashed}
    row_lock = lock and _postgresql()
    if lock and not row_lock:
        _execute(_touch(), params)
    row = _execute(_by_token(row_lock), params).first()
    if row is None:
        return None
    draft_id, token, language, invitation_id, step, answers = row[: len(_DRAFT_COLUMNS)]
    return DraftView(
        id=draft_id,
        token_hash=token,
        link=_link_view(row, len(_DRAFT_COLUMNS)),
        language=language,
        invitation_id=invitation_id,
        step=step,
        answers=dict(answers or {}),
    )


def insert_draft(
    link_id: int, hashed: str, language: str, invitation_id: int | None = None
) -> None:
    """Record consent: a new, empty draft of the link."""
    now = utcnow()
    _execute(
        _insert(),
        {
            "token_hash": hashed,
            "link_id": link_id,
            "language": language,
            "invitation_id": invitation_id,
            "answers": {},
            "step": 0,
            "consented_at": now,
            "updated_at": now,
        },
    )


@cache
def _insert() -> sa.Insert:
    return sa.insert(_DRAFTS)


@cache
def _update() -> sa.Update:
    # Without values(): the parameters name the columns to set.
    return sa.update(_DRAFTS).where(_DRAFTS.c.id == sa.bindparam("draft_id"))


@cache
def _delete() -> sa.Delete:
    return sa.delete(_DRAFTS).where(_DRAFTS.c.id == sa.bindparam("draft_id"))


@cache
def _merge() -> sa.Update:
    # PostgreSQL merges on the server, so that two pages recorded at once both count.
    merged = sa.cast(_DRAFTS.c.answers, JSONB).op("||")(sa.bindparam("page", type_=JSONB))
    return (
        sa.update(_DRAFTS)
        .where(_DRAFTS.c.id == sa.bindparam("draft_id"))
        .values(
            answers=sa.cast(merged, sa.JSON),
            step=sa.func.greatest(_DRAFTS.c.step, sa.bindparam("page_step")),
            language=sa.bindparam("page_language"),
            updated_at=sa.bindparam("now"),
        )
    )


def save_answers(draft: DraftView, answers: dict[str, Any], step: int, language: str) -> bool:
    """Merge a page's answers into the draft and remember where the respondent is.

    Return False when the draft is gone (submitted meanwhile from another click).
    """
    draft.merge(answers, step)
    if _postgresql():
        params = {"draft_id": draft.id, "page": answers, "page_step": step}
        params |= {"page_language": language, "now": utcnow()}
        return _execute(_merge(), params).rowcount == 1
    params = {"draft_id": draft.id, "answers": draft.answers, "step": draft.step}
    params |= {"language": language, "updated_at": utcnow()}
    return _execute(_update(), params).rowcount == 1


def delete_draft(draft: DraftView) -> None:
    """Remove a draft (it became a response)."""
    _execute(_delete(), {"draft_id": draft.id})
