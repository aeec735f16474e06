"""PQR cases: the filed request, its clock pauses, history, internal notes and attachments.

A case's ``due_on`` is stored so the queue can sort and filter in SQL; it is computed by
:mod:`servqual.pqr.clock` from ``filed_on``, ``request_type``, the pauses and the
extension, and must be recomputed whenever one of those changes.
History (``CaseEvent``) is append-only: the ORM refuses to update or delete an event.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servqual.accounts.models import User
from servqual.extensions import db
from servqual.modelbase import Timestamped, describe_tables, one_of, utcnow
from servqual.pqr.clock import CaseTimeline, Extension, Pause
from servqual.pqr.filing import BODY_LENGTH, FilingNumber
from servqual.pqr.kinds import (
    CASE_ACTION_LABELS,
    CASE_CHANNEL_LABELS,
    CASE_STATUS_LABELS,
    DIMENSIONS,
    OPEN_STATUSES,
    PUBLIC_REQUEST_TYPES,
    REQUEST_TYPE_LABELS,
    STAFF_CHANNELS,
    CaseAction,
    CaseChannel,
    CaseStatus,
    RequestType,
)
from servqual.service.models import Pillar, Site, Touchpoint

#: The vocabulary is defined in :mod:`servqual.pqr.kinds` and re-exported here.
__all__ = [
    "CASE_ACTION_LABELS",
    "CASE_CHANNEL_LABELS",
    "CASE_STATUS_LABELS",
    "DIMENSIONS",
    "OPEN_STATUSES",
    "PUBLIC_REQUEST_TYPES",
    "REQUEST_TYPE_LABELS",
    "STAFF_CHANNELS",
    "Attachment",
    "Case",
    "CaseAction",
    "CaseChannel",
    "CaseEvent",
    "CaseNote",
    "CasePause",
    "CaseStatus",
    "RequestType",
]


class Case(Timestamped, db.Model):
    """One PQR: what the customer filed, how to reach them, and where it stands."""

    __tablename__ = "pqr_cases"
    __table_args__ = (
        sa.CheckConstraint(one_of("request_type", RequestType), name="request_type_known"),
        sa.CheckConstraint(one_of("channel", CaseChannel), name="channel_known"),
        sa.CheckConstraint(one_of("status", CaseStatus), name="status_known"),
        sa.CheckConstraint(
            f"suggested_dimension IS NULL OR {one_of('suggested_dimension', DIMENSIONS)}",
            name="suggested_dimension_known",
        ),
        sa.CheckConstraint(
            f"dimension IS NULL OR {one_of('dimension', DIMENSIONS)}", name="dimension_known"
        ),
        sa.CheckConstraint("contact_email = lower(contact_email)", name="email_lowercase"),
        sa.CheckConstraint("due_on > filed_on", name="due_after_filing"),
        sa.CheckConstraint(
            "(extended_due_on IS NULL AND extension_reason IS NULL "
            "AND extension_notified_at IS NULL AND extension_notified_on IS NULL) "
            "OR (extended_due_on IS NOT NULL AND extension_reason IS NOT NULL "
            "AND extension_notified_at IS NOT NULL AND extension_notified_on IS NOT NULL)",
            name="extension_complete",
        ),
        sa.CheckConstraint(
            "extended_due_on IS NULL OR extended_due_on > filed_on", name="extension_after_filing"
        ),
        sa.CheckConstraint(
            "status NOT IN ('answered', 'closed') OR answered_at IS NOT NULL",
            name="answered_has_date",
        ),
        sa.CheckConstraint(
            "channel IN ('web', 'survey') OR created_by_id IS NOT NULL", name="staff_has_author"
        ),
        sa.CheckConstraint(
            "channel <> 'survey' OR survey_response_id IS NOT NULL", name="survey_has_response"
        ),
        sa.Index("ix_pqr_cases_status_due", "status", "due_on"),
        sa.Index("ix_pqr_cases_site_status", "site_id", "status"),
        sa.Index("ix_pqr_cases_filed_on", "filed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Compact filing number (``FilingNumber.compact``), e.g. ``PQR20267KQ4M9XT2HCB``.
    filing_number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    request_type: Mapped[str] = mapped_column(sa.String(16))
    channel: Mapped[str] = mapped_column(sa.String(12), default=CaseChannel.WEB)
    site_id: Mapped[int] = mapped_column(sa.ForeignKey("sites.id", ondelete="RESTRICT"))
    #: The moment of truth the customer names (None: "not sure / other").
    touchpoint_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("touchpoints.id", ondelete="RESTRICT"), index=True
    )
    #: The day what the case is about happened (None when the customer does not say).
    incident_on: Mapped[date | None] = mapped_column(sa.Date)
    description: Mapped[str] = mapped_column(sa.Text)

    contact_name: Mapped[str] = mapped_column(sa.String(160))
    #: Lowercased; the status portal compares it with what the customer types.
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    #: Postal address, for cases answered by letter.
    contact_address: Mapped[str | None] = mapped_column(sa.String(255))
    #: The language the customer used, for the e-mails they receive.
    locale: Mapped[str] = mapped_column(sa.String(8), default="es")

    #: Habeas data (Ley 1581 de 2012): when consent was given and to which policy text.
    consent_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    consent_policy_version: Mapped[str] = mapped_column(sa.String(32))

    filed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    #: The filing day in the organisation's time zone: the clock counts from the day after.
    filed_on: Mapped[date] = mapped_column(sa.Date)
    #: The current due date (original term, moved by pauses and the extension).
    due_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(20), default=CaseStatus.RECEIVED)
    assigned_to_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    #: The staff member who registered a phone, letter or in-person case.
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )

    # Classification: suggested by keyword rules, confirmed by a person.
    suggested_pillar_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("pillars.id", ondelete="SET NULL")
    )
    suggested_dimension: Mapped[str | None] = mapped_column(sa.String(32))
    pillar_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("pillars.id", ondelete="RESTRICT"), index=True
    )
    dimension: Mapped[str | None] = mapped_column(sa.String(32))
    classified_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )
    classified_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    # The answer sent to the customer.
    answer_text: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    answered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    reopen_count: Mapped[int] = mapped_column(default=0)

    # The one extension (Ley 1755 art. 14 parágrafo): new date, reason, when notified.
    extended_due_on: Mapped[date | None] = mapped_column(sa.Date)
    extension_reason: Mapped[str | None] = mapped_column(sa.Text)
    extension_notified_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    #: The notification day in the organisation's time zone (the clock works on days).
    extension_notified_on: Mapped[date | None] = mapped_column(sa.Date)

    # Escalation to the manager (80 % of the term, then overdue): when each was sent.
    escalated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    overdue_escalated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    # The one-question satisfaction survey after closing.
    satisfaction_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    satisfaction_sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    is_satisfied: Mapped[bool | None]
    satisfaction_comment: Mapped[str | None] = mapped_column(sa.Text)
    satisfaction_answered_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    #: The survey response that opened this case as a follow-up (issue 7, part 5).
    survey_response_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("responses.id", ondelete="SET NULL"), index=True
    )

    site: Mapped[Site] = relationship()
    touchpoint: Mapped[Touchpoint | None] = relationship()
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    classified_by: Mapped[User | None] = relationship(foreign_keys=[classified_by_id])
    suggested_pillar: Mapped[Pillar | None] = relationship(foreign_keys=[suggested_pillar_id])
    pillar: Mapped[Pillar | None] = relationship(foreign_keys=[pillar_id])
    pauses: Mapped[list[CasePause]] = relationship(
        back_populates="case", passive_deletes="all", order_by="CasePause.started_on"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", passive_deletes="all", order_by="CaseEvent.id"
    )
    notes: Mapped[list[CaseNote]] = relationship(
        back_populates="case", passive_deletes="all", order_by="CaseNote.id"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="case", passive_deletes="all", order_by="Attachment.id"
    )

    @property
    def status_enum(self) -> CaseStatus:
        """Return the status as an enum."""
        return CaseStatus(self.status)

    @property
    def type_enum(self) -> RequestType:
        """Return the request type as an enum."""
        return RequestType(self.request_type)

    @property
    def channel_enum(self) -> CaseChannel:
        """Return the channel as an enum."""
        return CaseChannel(self.channel)

    @property
    def is_open(self) -> bool:
        """Tell whether the case still waits for an answer."""
        return self.status in OPEN_STATUSES

    @property
    def filing(self) -> FilingNumber:
        """Return the filing number as a :class:`FilingNumber` (for the grouped form)."""
        compact = self.filing_number
        return FilingNumber(
            compact[: -(4 + BODY_LENGTH)],
            int(compact[-(4 + BODY_LENGTH) : -BODY_LENGTH]),
            compact[-BODY_LENGTH:],
        )

    @property
    def filing_label(self) -> str:
        """Return the filing number as people read it: ``PQR-2026-7KQ4-M9XT-2HCB``."""
        return str(self.filing)

    def timeline(self) -> CaseTimeline:
        """Return what the deadline clock needs to know about this case."""
        extension = None
        if self.extended_due_on is not None and self.extension_notified_on is not None:
            extension = Extension(
                notified_on=self.extension_notified_on,
                new_due_on=self.extended_due_on,
                reason=self.extension_reason or "",
            )
        return CaseTimeline(
            filed_on=self.filed_on,
            request_type=self.request_type,
            pauses=tuple(Pause(p.started_on, p.ended_on) for p in self.pauses),
            extension=extension,
        )


class CasePause(db.Model):
    """The clock stopped while waiting for information asked of the customer (art. 17).

    ``started_on`` still counts; the days after it up to ``ended_on`` (the day the
    information arrived) do not. ``ended_on`` is None while still waiting.
    """

    __tablename__ = "pqr_case_pauses"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "started_on"),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("pqr_cases.id", ondelete="CASCADE"))
    started_on: Mapped[date] = mapped_column(sa.Date)
    ended_on: Mapped[date | None] = mapped_column(sa.Date)
    #: What was asked of the customer.
    reason: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="pauses")


class CaseEvent(db.Model):
    """One entry of a case's append-only history: who, when, what, old and new value.

    ``is_public`` entries are shown to the customer on the status portal (with
    ``comment``); the others only to staff. ``user_id`` is None for the customer or
    the system (scheduled escalations).
    """

    __tablename__ = "pqr_case_events"
    __table_args__ = (sa.CheckConstraint(one_of("action", CaseAction), name="action_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pqr_cases.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    action: Mapped[str] = mapped_column(sa.String(20))
    #: The field changed (``status``, ``assigned_to``, ``due_on`` …), if any.
    field: Mapped[str | None] = mapped_column(sa.String(32))
    old_value: Mapped[str | None] = mapped_column(sa.Text)
    new_value: Mapped[str | None] = mapped_column(sa.Text)
    comment: Mapped[str | None] = mapped_column(sa.Text)
    is_public: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()


class CaseNote(db.Model):
    """An internal note on a case: staff only, never sent to the customer."""

    __tablename__ = "pqr_case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pqr_cases.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    body: Mapped[str] = mapped_column(sa.Text)

    case: Mapped[Case] = relationship(back_populates="notes")
    author: Mapped[User] = relationship()


class Attachment(Timestamped, db.Model):
    """A file filed with a case (PDF or picture), stored in the instance folder."""

    __tablename__ = "pqr_attachments"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "sha256"),
        sa.CheckConstraint("size_bytes > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pqr_cases.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content_type: Mapped[str] = mapped_column(sa.String(32))
    size_bytes: Mapped[int]
    #: The name the customer's file had (cleaned), shown to staff only.
    original_name: Mapped[str] = mapped_column(sa.String(160))
    #: File name relative to the instance folder's ``pqr_attachments`` directory.
    stored_name: Mapped[str] = mapped_column(sa.String(128), unique=True)
    #: None when the customer uploaded it.
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    case: Mapped[Case] = relationship(back_populates="attachments")


@event.listens_for(CaseEvent, "before_update")
@event.listens_for(CaseEvent, "before_delete")
def _refuse_history_change(mapper, connection, target: CaseEvent) -> None:
    """Keep the history append-only: an event, once written, is never changed."""
    raise ValueError("The history of a PQR case is append-only.")


describe_tables(
    pqr_cases=_l("PQR cases"),
    pqr_case_pauses=_l("PQR clock pauses"),
    pqr_case_events=_l("PQR case history"),
    pqr_case_notes=_l("PQR internal notes"),
    pqr_attachments=_l("PQR attachments"),
)
