"""Action plans: what a manager decided to do about one gap of one touchpoint × pillar cell.

An action is opened from a cell of a wave (the campaign it was opened from) and keeps
the cell's gap as it was then (the baseline: value, interval and n), so that the next
wave can show the gap before and after (:mod:`servqual.reports.actions`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servqual.accounts.models import User
from servqual.extensions import db
from servqual.modelbase import Timestamped, describe_tables, one_of, utcnow
from servqual.service.models import Pillar, Site, Touchpoint
from servqual.surveys.models import Campaign


class ActionStatus(enum.StrEnum):
    """Where an action stands."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        """Return the translated name."""
        return str(ACTION_STATUS_LABELS[self])


ACTION_STATUS_LABELS = {
    ActionStatus.OPEN: _l("Open"),
    ActionStatus.IN_PROGRESS: _l("In progress"),
    ActionStatus.DONE: _l("Done"),
    ActionStatus.DROPPED: _l("Dropped"),
}


class GapKind(enum.StrEnum):
    """The gap of the model an action targets."""

    GAP1 = "gap1"
    GAP2 = "gap2"
    GAP3 = "gap3"
    GAP4 = "gap4"
    GAP5 = "gap5"

    @property
    def label(self) -> str:
        """Return the translated name."""
        return str(GAP_LABELS[self])


GAP_LABELS = {
    GapKind.GAP1: _l("Gap 1 (knowledge: M − E)"),
    GapKind.GAP2: _l("Gap 2 (standards: S − M)"),
    GapKind.GAP3: _l("Gap 3 (delivery: D − S)"),
    GapKind.GAP4: _l("Gap 4 (communication: D − C)"),
    GapKind.GAP5: _l("Gap 5 (customer: P − E)"),
}


class Action(Timestamped, db.Model):
    """One action plan on one gap of a touchpoint × pillar cell (at a site, or everywhere)."""

    __tablename__ = "actions"
    __table_args__ = (
        sa.CheckConstraint(one_of("status", ActionStatus), name="status_known"),
        sa.CheckConstraint(one_of("gap", GapKind), name="gap_known"),
        sa.CheckConstraint("baseline_n IS NULL OR baseline_n >= 0", name="baseline_n_positive"),
        sa.CheckConstraint(
            "baseline_ci_low IS NULL OR baseline_ci_high IS NULL "
            "OR baseline_ci_low <= baseline_ci_high",
            name="baseline_interval_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True
    )
    pillar_id: Mapped[int] = mapped_column(sa.ForeignKey("pillars.id", ondelete="RESTRICT"))
    touchpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("touchpoints.id", ondelete="RESTRICT"))
    #: None: the action is about every site (only managers of every site open such actions).
    site_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sites.id", ondelete="RESTRICT"), index=True
    )
    gap: Mapped[str] = mapped_column(sa.String(8), default=GapKind.GAP5)
    #: The cell's gap when the action was opened (None: not measured or fewer than 5).
    baseline_value: Mapped[float | None] = mapped_column(sa.Float)
    baseline_ci_low: Mapped[float | None] = mapped_column(sa.Float)
    baseline_ci_high: Mapped[float | None] = mapped_column(sa.Float)
    baseline_n: Mapped[int | None] = mapped_column(sa.Integer)
    target_value: Mapped[float] = mapped_column(sa.Float)
    owner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    due_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(12), default=ActionStatus.OPEN)
    description: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    campaign: Mapped[Campaign] = relationship()
    pillar: Mapped[Pillar] = relationship()
    touchpoint: Mapped[Touchpoint] = relationship()
    site: Mapped[Site | None] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def status_enum(self) -> ActionStatus:
        """Return the status as an enum."""
        return ActionStatus(self.status)

    @property
    def gap_enum(self) -> GapKind:
        """Return the targeted gap as an enum."""
        return GapKind(self.gap)

    @property
    def is_closed(self) -> bool:
        """Tell whether the action is finished (done or dropped)."""
        return self.status in (ActionStatus.DONE, ActionStatus.DROPPED)


describe_tables(actions=_l("action plans"))
