"""Customers who agreed to be contacted, and their personal single-use invitations."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servqual.extensions import db
from servqual.modelbase import Timestamped, describe_tables
from servqual.surveys.models import Campaign, SurveyLink


class Contact(Timestamped, db.Model):
    """A customer from an imported list; invited only with recorded, prior consent."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    customer_ref: Mapped[str | None] = mapped_column(sa.String(64))
    segment: Mapped[str | None] = mapped_column(sa.String(64))
    #: When and how the customer gave prior, express and informed consent (habeas data).
    consent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    consent_source: Mapped[str | None] = mapped_column(sa.String(255))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    @property
    def may_be_invited(self) -> bool:
        """Tell whether the contact consented and has not unsubscribed."""
        return self.consent_at is not None and self.unsubscribed_at is None


class InvitationStatus(enum.StrEnum):
    """Where an invitation stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    RESPONDED = "responded"

    @property
    def label(self) -> str:
        """Return the translated name."""
        return str(INVITATION_STATUS_LABELS[self])


INVITATION_STATUS_LABELS = {
    InvitationStatus.PENDING: _l("Pending"),
    InvitationStatus.SENT: _l("Sent"),
    InvitationStatus.FAILED: _l("Failed"),
    InvitationStatus.RESPONDED: _l("Responded"),
}


class Invitation(Timestamped, db.Model):
    """A personal invitation: one contact, one link, one single-use token."""

    __tablename__ = "invitations"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "contact_id"),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed', 'responded')", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True
    )
    link_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_links.id", ondelete="RESTRICT"))
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id", ondelete="RESTRICT"))
    #: Set when the e-mail is sent (and replaced by a reminder): only the hash is kept.
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    status: Mapped[str] = mapped_column(sa.String(12), default=InvitationStatus.PENDING)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    responded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(sa.String(255))

    campaign: Mapped[Campaign] = relationship()
    link: Mapped[SurveyLink] = relationship()
    contact: Mapped[Contact] = relationship()


describe_tables(contacts=_l("contacts"), invitations=_l("invitations"))
