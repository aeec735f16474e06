"""Mystery-shopper programmes, their visits, answers, evidence photos and review trail.

Answers are stored one row per visit × checklist question, each carrying the service
standard, touchpoint and weight it counts towards, so compliance per standard, pillar,
touchpoint, site or auditor is a SQL aggregate over approved visits (``queries.py``).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servqual.accounts.models import User
from servqual.extensions import db
from servqual.instruments.models import InstrumentVersion
from servqual.modelbase import Timestamped, describe_tables, one_of, utcnow
from servqual.service.models import Channel, Site, Standard, Touchpoint


class ProgrammeStatus(enum.StrEnum):
    """A programme's life: prepared, running (visits scheduled and made), finished."""

    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """Return the translated name."""
        return str(PROGRAMME_STATUS_LABELS[self])


PROGRAMME_STATUS_LABELS = {
    ProgrammeStatus.DRAFT: _l("Draft"),
    ProgrammeStatus.ACTIVE: _l("Active"),
    ProgrammeStatus.CLOSED: _l("Closed"),
}


class VisitStatus(enum.StrEnum):
    """Where a visit stands between scheduling and review."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        """Return the translated name."""
        return str(VISIT_STATUS_LABELS[self])


VISIT_STATUS_LABELS = {
    VisitStatus.SCHEDULED: _l("Scheduled"),
    VisitStatus.IN_PROGRESS: _l("In progress"),
    VisitStatus.SUBMITTED: _l("Submitted"),
    VisitStatus.RETURNED: _l("Returned for correction"),
    VisitStatus.APPROVED: _l("Approved"),
    VisitStatus.REJECTED: _l("Rejected"),
}

#: Statuses in which the auditor may still change answers.
EDITABLE_STATUSES = (VisitStatus.IN_PROGRESS, VisitStatus.RETURNED)


class VisitAction(enum.StrEnum):
    """What happened to a visit (its review trail)."""

    ASSIGNED = "assigned"
    CLAIMED = "claimed"
    STARTED = "started"
    ENDED = "ended"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        """Return the translated name."""
        return str(VISIT_ACTION_LABELS[self])


VISIT_ACTION_LABELS = {
    VisitAction.ASSIGNED: _l("Assigned"),
    VisitAction.CLAIMED: _l("Claimed by the auditor"),
    VisitAction.STARTED: _l("Started"),
    VisitAction.ENDED: _l("Ended"),
    VisitAction.SUBMITTED: _l("Submitted for review"),
    VisitAction.RETURNED: _l("Returned for correction"),
    VisitAction.APPROVED: _l("Approved"),
    VisitAction.REJECTED: _l("Rejected"),
}


programme_sites = sa.Table(
    "audit_programme_sites",
    db.metadata,
    sa.Column(
        "programme_id", sa.ForeignKey("audit_programmes.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="RESTRICT"), primary_key=True),
)

programme_touchpoints = sa.Table(
    "audit_programme_touchpoints",
    db.metadata,
    sa.Column(
        "programme_id", sa.ForeignKey("audit_programmes.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "touchpoint_id", sa.ForeignKey("touchpoints.id", ondelete="RESTRICT"), primary_key=True
    ),
)


class AuditProgramme(Timestamped, db.Model):
    """A mystery-shopper programme: one checklist version over sites, touchpoints and a period."""

    __tablename__ = "audit_programmes"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", ProgrammeStatus), name="status_known"),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("visits_per_site_month >= 0", name="quota_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    instrument_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instrument_versions.id", ondelete="RESTRICT"), index=True
    )
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    visits_per_site_month: Mapped[int] = mapped_column(default=1)
    #: Channel id (as a string key) → share of the visits, e.g. ``{"1": 70, "2": 30}``.
    channel_mix: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: Keep the GPS position in evidence photos (otherwise it is stripped on upload).
    keeps_location: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(8), default=ProgrammeStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    instrument_version: Mapped[InstrumentVersion] = relationship()
    sites: Mapped[list[Site]] = relationship(secondary=programme_sites, order_by=Site.name)
    touchpoints: Mapped[list[Touchpoint]] = relationship(
        secondary=programme_touchpoints, order_by=Touchpoint.position
    )
    visits: Mapped[list[Visit]] = relationship(back_populates="programme", passive_deletes="all")

    @property
    def status_enum(self) -> ProgrammeStatus:
        """Return the status as an enum."""
        return ProgrammeStatus(self.status)


class Visit(Timestamped, db.Model):
    """One mystery-shopper visit (or call, or web session) to a site by an auditor."""

    __tablename__ = "audit_visits"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", VisitStatus), name="status_known"),
        sa.CheckConstraint(
            "ended_at IS NULL OR started_at IS NULL OR ended_at >= started_at",
            name="ends_after_start",
        ),
        sa.CheckConstraint(
            "status = 'scheduled' OR auditor_id IS NOT NULL", name="started_has_auditor"
        ),
        sa.Index("ix_audit_visits_auditor_date", "auditor_id", "scheduled_on"),
        sa.Index("ix_audit_visits_programme_site", "programme_id", "site_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("audit_programmes.id", ondelete="RESTRICT")
    )
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="RESTRICT"))
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channels.id", ondelete="RESTRICT"))
    #: The touchpoint the visit is limited to; ``None`` covers every programme touchpoint
    #: on the visit's channel.
    touchpoint_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("touchpoints.id", ondelete="RESTRICT")
    )
    scheduled_on: Mapped[date] = mapped_column(sa.Date)
    auditor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(sa.String(12), default=VisitStatus.SCHEDULED, index=True)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    reviewed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    review_comment: Mapped[str | None] = mapped_column(sa.Text)
    #: Changes at every start or return; a submit must carry it, so a repeated submit
    #: of the same form is recognised and refused.
    submission_token: Mapped[str] = mapped_column(sa.String(32), unique=True)
    #: How many times the visit has been submitted (1 on first submission).
    submission_count: Mapped[int] = mapped_column(default=0)
    #: The auditor's overall comment on the visit.
    comment: Mapped[str | None] = mapped_column(sa.Text)

    programme: Mapped[AuditProgramme] = relationship(back_populates="visits")
    site: Mapped[Site] = relationship()
    channel: Mapped[Channel] = relationship()
    touchpoint: Mapped[Touchpoint | None] = relationship()
    auditor: Mapped[User | None] = relationship(foreign_keys=[auditor_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    answers: Mapped[list[VisitAnswer]] = relationship(
        back_populates="visit", passive_deletes="all", order_by="VisitAnswer.position"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="visit", passive_deletes="all", order_by="Evidence.id"
    )
    events: Mapped[list[VisitEvent]] = relationship(
        back_populates="visit", passive_deletes="all", order_by="VisitEvent.id"
    )

    @property
    def status_enum(self) -> VisitStatus:
        """Return the status as an enum."""
        return VisitStatus(self.status)

    @property
    def is_editable(self) -> bool:
        """Tell whether the auditor may still change answers."""
        return self.status in EDITABLE_STATUSES

    @property
    def duration_minutes(self) -> float | None:
        """Return the minutes between start and end, when both are recorded."""
        if self.started_at is None or self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds() / 60


class VisitAnswer(db.Model):
    """The auditor's answer to one checklist question, with what it counts towards."""

    __tablename__ = "audit_answers"
    __table_args__ = (
        sa.UniqueConstraint("visit_id", "question_code"),
        sa.CheckConstraint("weight >= 0", name="weight_not_negative"),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 1)", name="score_0_1"),
        sa.CheckConstraint(
            "NOT is_not_applicable OR (is_met IS NULL AND score IS NULL)",
            name="not_applicable_unscored",
        ),
        sa.Index("ix_audit_answers_standard", "standard_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("audit_visits.id", ondelete="CASCADE"))
    question_code: Mapped[str] = mapped_column(sa.String(32))
    section_code: Mapped[str] = mapped_column(sa.String(32))
    position: Mapped[int] = mapped_column(default=0)
    question_type: Mapped[str] = mapped_column(sa.String(16))
    standard_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("standards.id", ondelete="RESTRICT")
    )
    touchpoint_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("touchpoints.id", ondelete="RESTRICT")
    )
    #: Section weight × question weight, as the checklist says.
    weight: Mapped[float] = mapped_column(sa.Float, default=1.0)
    value_bool: Mapped[bool | None]
    value_number: Mapped[float | None] = mapped_column(sa.Float)
    #: The unit the measured value is stored in (the standard's unit, after conversion).
    value_unit: Mapped[str | None] = mapped_column(sa.String(32))
    #: Choice code, free text or an ISO time, by question type.
    value_text: Mapped[str | None] = mapped_column(sa.Text)
    is_not_applicable: Mapped[bool] = mapped_column(default=False)
    #: Whether the answer meets the bound standard (``None``: not scored or not applicable).
    is_met: Mapped[bool | None]
    #: Compliance in 0–1 (1 or 0 for yes/no and measured values; rescaled for ratings).
    score: Mapped[float | None] = mapped_column(sa.Float)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    visit: Mapped[Visit] = relationship(back_populates="answers")
    standard: Mapped[Standard | None] = relationship()
    touchpoint: Mapped[Touchpoint | None] = relationship()

    @property
    def display_value(self) -> str:
        """Render the stored value as plain text (for logs and review pages)."""
        if self.is_not_applicable:
            return "N/A"
        if self.value_bool is not None:
            return "yes" if self.value_bool else "no"
        if self.value_number is not None:
            unit = f" {self.value_unit}" if self.value_unit else ""
            return f"{self.value_number:g}{unit}"
        return self.value_text or ""


class Evidence(Timestamped, db.Model):
    """A photo (or receipt) attached to a visit, stored outside the web root."""

    __tablename__ = "audit_evidence"
    __table_args__ = (
        sa.UniqueConstraint("visit_id", "sha256"),
        sa.CheckConstraint("size_bytes > 0", name="size_positive"),
        sa.Index("ix_audit_evidence_sha256", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey("audit_visits.id", ondelete="CASCADE"))
    question_code: Mapped[str | None] = mapped_column(sa.String(32))
    #: Hash of the uploaded bytes, to spot one photo reused across visits.
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content_type: Mapped[str] = mapped_column(sa.String(32))
    size_bytes: Mapped[int]
    #: File name relative to the instance folder's evidence directory.
    stored_name: Mapped[str] = mapped_column(sa.String(128), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    has_location: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    visit: Mapped[Visit] = relationship(back_populates="evidence")


class VisitEdit(db.Model):
    """A reviewer's change to an answer: who, when, old value, new value and why."""

    __tablename__ = "audit_visit_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("audit_visits.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    edited_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    question_code: Mapped[str] = mapped_column(sa.String(32))
    old_value: Mapped[str | None] = mapped_column(sa.Text)
    new_value: Mapped[str | None] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)

    user: Mapped[User] = relationship()


class VisitEvent(db.Model):
    """One step of a visit's life (assigned, started, submitted, returned …) with a comment."""

    __tablename__ = "audit_visit_events"
    __table_args__ = (sa.CheckConstraint(one_of("action", VisitAction), name="action_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("audit_visits.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(12))
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    comment: Mapped[str | None] = mapped_column(sa.Text)

    visit: Mapped[Visit] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()

    @property
    def action_enum(self) -> VisitAction:
        return VisitAction(self.action)


describe_tables(
    audit_programme_sites=_l("audit programmes"),
    audit_programme_touchpoints=_l("audit programmes"),
    audit_programmes=_l("audit programmes"),
    audit_visits=_l("audit visits"),
    audit_answers=_l("audit answers"),
    audit_evidence=_l("audit evidence photos"),
    audit_visit_edits=_l("audit answer edits"),
    audit_visit_events=_l("audit visit events"),
)
