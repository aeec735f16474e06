"""What the organisation says about itself, per wave, item and touchpoint: M, S, C, D.

- M: managers answer the expectation form as they believe their customers would (Gap 1).
- S: the quality team rates how demanding the documented standard is, or records that
  there is none (Gap 2).
- C: the quality team rates how strongly external communication promises the item,
  from the register of promises (Gap 4).
- D: supervisors rate how the service is delivered (Gap 3); mystery-shopper audits add
  another source later. Every D row names its source.
- Staff answer the internal scales anonymously: their answers carry no user, and a
  separate participation row only prevents answering twice.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servqual.extensions import db
from servqual.modelbase import describe_tables, utcnow
from servqual.service.models import ExternalPromise


class _Rating:
    """Columns shared by the per-wave ratings of an item at a touchpoint."""

    id: Mapped[int] = mapped_column(primary_key=True)
    item_code: Mapped[str] = mapped_column(sa.String(32))
    rated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class ManagementRating(_Rating, db.Model):
    """M: one manager's belief of what customers expect of an item at a touchpoint."""

    __tablename__ = "management_ratings"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "user_id", "touchpoint_id", "item_code"),
        sa.CheckConstraint("value IS NULL OR (value >= 1 AND value <= 9)", name="value_range"),
    )

    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True
    )
    instrument_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instrument_versions.id", ondelete="RESTRICT")
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    touchpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("touchpoints.id", ondelete="RESTRICT"))
    value: Mapped[int | None] = mapped_column(sa.SmallInteger)


class SpecificationRating(_Rating, db.Model):
    """S: how demanding the documented standard is; ``has_standard`` false = none exists."""

    __tablename__ = "specification_ratings"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "touchpoint_id", "item_code"),
        sa.CheckConstraint(
            "(has_standard AND value IS NOT NULL AND value >= 1 AND value <= 9) "
            "OR (NOT has_standard AND value IS NULL)",
            name="value_when_standard",
        ),
    )

    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True
    )
    touchpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("touchpoints.id", ondelete="RESTRICT"))
    has_standard: Mapped[bool] = mapped_column(default=True)
    value: Mapped[int | None] = mapped_column(sa.SmallInteger)
    rated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))


class CommunicationRating(_Rating, db.Model):
    """C: how strongly external communication promises the item at the touchpoint."""

    __tablename__ = "communication_ratings"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "touchpoint_id", "item_code"),
        sa.CheckConstraint("value >= 1 AND value <= 9", name="value_range"),
    )

    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True
    )
    touchpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("touchpoints.id", ondelete="RESTRICT"))
    value: Mapped[int] = mapped_column(sa.SmallInteger)
    promise_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("external_promises.id", ondelete="RESTRICT")
    )
    rated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))

    promise: Mapped[ExternalPromise | None] = relationship()


class DeliveryRating(_Rating, db.Model):
    """D from a supervisor: how the item is actually delivered at a touchpoint (and site)."""

    __tablename__ = "delivery_ratings"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "rated_by_id", "touchpoint_id", "site_id", "item_code"),
        sa.CheckConstraint("value >= 1 AND value <= 9", name="value_range"),
    )

    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True
    )
    touchpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("touchpoints.id", ondelete="RESTRICT"))
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sites.id", ondelete="RESTRICT"))
    value: Mapped[int] = mapped_column(sa.SmallInteger)
    source: Mapped[str] = mapped_column(sa.String(16), default="supervisor")
    rated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))


class StaffResponse(db.Model):
    """An anonymous answer to the internal scales: no user, only the day it was given."""

    __tablename__ = "staff_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True
    )
    instrument_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instrument_versions.id", ondelete="RESTRICT")
    )
    #: The staff group (role) for breakdowns, never the person.
    staff_group: Mapped[str] = mapped_column(sa.String(16))
    submitted_on: Mapped[datetime] = mapped_column(sa.Date, default=lambda: utcnow().date())

    answers: Mapped[list[StaffAnswer]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class StaffAnswer(db.Model):
    """One item of an anonymous staff response."""

    __tablename__ = "staff_answers"
    __table_args__ = (sa.PrimaryKeyConstraint("response_id", "item_code"),)

    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("staff_responses.id", ondelete="CASCADE")
    )
    item_code: Mapped[str] = mapped_column(sa.String(32))
    value: Mapped[int | None] = mapped_column(sa.SmallInteger)


class StaffParticipation(db.Model):
    """That a user has answered a wave's internal scales (kept apart from the answers)."""

    __tablename__ = "staff_participation"
    __table_args__ = (sa.PrimaryKeyConstraint("campaign_id", "user_id"),)

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))


describe_tables(
    management_ratings=_l("management ratings"),
    specification_ratings=_l("standard ratings"),
    communication_ratings=_l("communication ratings"),
    delivery_ratings=_l("delivery ratings"),
    staff_responses=_l("staff survey answers"),
    staff_answers=_l("staff survey answers"),
    staff_participation=_l("staff survey participations"),
)
