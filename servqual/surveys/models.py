"""Campaigns (waves), their public links, respondents' drafts and stored responses.

Answers are stored one row per respondent × item with the item's E, P, A and Ds values
side by side, so that a gap (P − E) is a column difference the database can aggregate
(n, Σx, Σx², value counts) without moving responses into Python.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servqual.extensions import db
from servqual.instruments.models import InstrumentVersion
from servqual.modelbase import Timestamped, describe_tables, one_of, utcnow
from servqual.service.models import Channel, Site, Touchpoint

if TYPE_CHECKING:
    from servqual.surveys.invitation_models import Invitation


class SurveyFormat(enum.StrEnum):
    """How the expectation and perception questions are laid out."""

    E_THEN_P = "e_then_p"
    SIDE_BY_SIDE = "side_by_side"
    PERCEPTIONS_ONLY = "perceptions_only"
    ZONE_OF_TOLERANCE = "zone_of_tolerance"

    @property
    def label(self) -> str:
        """Return the translated name."""
        return str(FORMAT_LABELS[self])


FORMAT_LABELS = {
    SurveyFormat.E_THEN_P: _l("Expectations, then perceptions"),
    SurveyFormat.SIDE_BY_SIDE: _l("Item by item (expectation and perception side by side)"),
    SurveyFormat.PERCEPTIONS_ONLY: _l("Perceptions only (SERVPERF)"),
    SurveyFormat.ZONE_OF_TOLERANCE: _l("Zone of tolerance (minimum, desired, perceived)"),
}


class CampaignStatus(enum.StrEnum):
    """A campaign's life: prepared, collecting, finished."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """Return the translated name."""
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    CampaignStatus.DRAFT: _l("Draft"),
    CampaignStatus.OPEN: _l("Open"),
    CampaignStatus.CLOSED: _l("Closed"),
}


campaign_touchpoints = sa.Table(
    "campaign_touchpoints",
    db.metadata,
    sa.Column("campaign_id", sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "touchpoint_id", sa.ForeignKey("touchpoints.id", ondelete="RESTRICT"), primary_key=True
    ),
)

campaign_sites = sa.Table(
    "campaign_sites",
    db.metadata,
    sa.Column("campaign_id", sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="RESTRICT"), primary_key=True),
)


def accepts_responses(
    status: str, opens_on: date | None, closes_on: date | None, today: date
) -> bool:
    """Tell whether a campaign with this status and these dates takes answers today."""
    if status != CampaignStatus.OPEN:
        return False
    if opens_on and today < opens_on:
        return False
    return not (closes_on and today > closes_on)


class Campaign(Timestamped, db.Model):
    """One wave of measurement with one instrument version over some touchpoints and sites."""

    __tablename__ = "campaigns"
    __table_args__ = (
        sa.CheckConstraint(one_of("format", SurveyFormat), name="format_known"),
        sa.CheckConstraint(one_of("status", CampaignStatus), name="status_known"),
        sa.CheckConstraint(
            "closes_on IS NULL OR opens_on IS NULL OR closes_on >= opens_on",
            name="closes_after_opening",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    wave: Mapped[str] = mapped_column(sa.String(32), index=True)
    instrument_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instrument_versions.id", ondelete="RESTRICT"), index=True
    )
    format: Mapped[str] = mapped_column(sa.String(24))
    status: Mapped[str] = mapped_column(sa.String(8), default=CampaignStatus.DRAFT)
    opens_on: Mapped[date | None] = mapped_column(sa.Date)
    closes_on: Mapped[date | None] = mapped_column(sa.Date)
    ask_importance: Mapped[bool] = mapped_column(default=True)
    ask_overall: Mapped[bool] = mapped_column(default=True)
    ask_comment: Mapped[bool] = mapped_column(default=True)
    is_anonymous: Mapped[bool] = mapped_column(default=True)

    instrument_version: Mapped[InstrumentVersion] = relationship()
    touchpoints: Mapped[list[Touchpoint]] = relationship(
        secondary=campaign_touchpoints, order_by=Touchpoint.position
    )
    sites: Mapped[list[Site]] = relationship(secondary=campaign_sites, order_by=Site.name)
    links: Mapped[list[SurveyLink]] = relationship(back_populates="campaign", passive_deletes="all")

    @property
    def status_enum(self) -> CampaignStatus:
        """Return the status as an enum."""
        return CampaignStatus(self.status)

    def accepts_responses(self, today: date) -> bool:
        """Tell whether a respondent may answer today."""
        return accepts_responses(self.status, self.opens_on, self.closes_on, today)


class SurveyLink(Timestamped, db.Model):
    """The public address of a campaign at one touchpoint (and site): the QR code's target."""

    __tablename__ = "survey_links"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "touchpoint_id", "site_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(16), unique=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True
    )
    touchpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("touchpoints.id", ondelete="RESTRICT"))
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id", ondelete="RESTRICT"))

    campaign: Mapped[Campaign] = relationship(back_populates="links")
    touchpoint: Mapped[Touchpoint] = relationship()
    site: Mapped[Site | None] = relationship()


class Draft(db.Model):
    """A respondent's answers so far; its token is the resume link and the submission key."""

    __tablename__ = "survey_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    link_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey_links.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(sa.String(8))
    invitation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invitations.id", ondelete="CASCADE")
    )
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    step: Mapped[int] = mapped_column(default=0)
    consented_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    link: Mapped[SurveyLink] = relationship()


class Response(db.Model):
    """One respondent's submitted survey, with where and when it was given."""

    __tablename__ = "responses"
    __table_args__ = (
        sa.Index("ix_responses_campaign_cell", "campaign_id", "touchpoint_id", "site_id"),
        sa.CheckConstraint(
            "recommend IS NULL OR (recommend >= 0 AND recommend <= 10)", name="recommend_0_10"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="RESTRICT"))
    instrument_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instrument_versions.id", ondelete="RESTRICT")
    )
    touchpoint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("touchpoints.id", ondelete="RESTRICT"), index=True
    )
    site_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sites.id", ondelete="RESTRICT"), index=True
    )
    channel_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("channels.id", ondelete="RESTRICT")
    )
    segment: Mapped[str | None] = mapped_column(sa.String(64))
    language: Mapped[str] = mapped_column(sa.String(8))
    source: Mapped[str] = mapped_column(sa.String(16), default="link")
    #: Set only for identified campaigns: anonymous ones never link a response to a person.
    invitation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invitations.id", ondelete="RESTRICT"), unique=True
    )
    #: Hash of the draft token or of the client's idempotency key: one response per key.
    submission_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    overall_quality: Mapped[int | None] = mapped_column(sa.SmallInteger)
    satisfaction: Mapped[int | None] = mapped_column(sa.SmallInteger)
    recommend: Mapped[int | None] = mapped_column(sa.SmallInteger)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    may_contact: Mapped[bool] = mapped_column(default=False)

    campaign: Mapped[Campaign] = relationship()
    touchpoint: Mapped[Touchpoint] = relationship()
    site: Mapped[Site | None] = relationship()
    channel: Mapped[Channel | None] = relationship()
    invitation: Mapped[Invitation | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )
    importance: Mapped[list[ImportancePoints]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(db.Model):
    """One item of one response: expectation, perception, adequate and desired levels.

    ``NULL`` means not applicable / don't know; gaps use only rows where both are given.
    """

    __tablename__ = "answers"
    __table_args__ = (
        sa.PrimaryKeyConstraint("response_id", "item_code"),
        sa.Index("ix_answers_item_code", "item_code"),
    )

    response_id: Mapped[int] = mapped_column(sa.ForeignKey("responses.id", ondelete="CASCADE"))
    item_code: Mapped[str] = mapped_column(sa.String(32))
    e: Mapped[int | None] = mapped_column(sa.SmallInteger)
    p: Mapped[int | None] = mapped_column(sa.SmallInteger)
    a: Mapped[int | None] = mapped_column(sa.SmallInteger)
    ds: Mapped[int | None] = mapped_column(sa.SmallInteger)

    response: Mapped[Response] = relationship(back_populates="answers")


class ImportancePoints(db.Model):
    """The points a respondent gave a dimension in the 100-point importance question."""

    __tablename__ = "importance_points"
    __table_args__ = (
        sa.PrimaryKeyConstraint("response_id", "dimension"),
        sa.CheckConstraint("points >= 0 AND points <= 100", name="points_0_100"),
    )

    response_id: Mapped[int] = mapped_column(sa.ForeignKey("responses.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(sa.String(64))
    points: Mapped[int] = mapped_column(sa.SmallInteger)


describe_tables(
    campaigns=_l("campaigns"),
    campaign_touchpoints=_l("campaigns covering it"),
    campaign_sites=_l("campaigns covering it"),
    survey_links=_l("survey links"),
    survey_drafts=_l("unfinished survey answers"),
    responses=_l("survey responses"),
    answers=_l("survey answers"),
    importance_points=_l("importance answers"),
)
