"""Stored PDF reports: what was asked for, how far its generation got, and where the file is."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servqual.accounts.models import User
from servqual.extensions import db
from servqual.modelbase import Timestamped, describe_tables, one_of
from servqual.service.models import Site
from servqual.surveys.models import Campaign


class ReportKind(enum.StrEnum):
    """Who a report is written for."""

    EXECUTIVE = "executive"
    SITE = "site"
    STAFF = "staff"

    @property
    def label(self) -> str:
        """Return the translated name."""
        return str(KIND_LABELS[self])


KIND_LABELS = {
    ReportKind.EXECUTIVE: _l("Executive report"),
    ReportKind.SITE: _l("Site report"),
    ReportKind.STAFF: _l("Staff feedback report"),
}


class ReportStatus(enum.StrEnum):
    """Where a report's generation stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """Return the translated name."""
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    ReportStatus.QUEUED: _l("Waiting"),
    ReportStatus.RUNNING: _l("Being written"),
    ReportStatus.DONE: _l("Ready"),
    ReportStatus.FAILED: _l("Failed"),
}

REPORT_LANGUAGES = ("es", "en")


class Report(Timestamped, db.Model):
    """One requested PDF report; the file lives in the instance folder, outside the web root."""

    __tablename__ = "reports"
    __table_args__ = (
        sa.CheckConstraint(one_of("kind", ReportKind), name="kind_known"),
        sa.CheckConstraint(one_of("status", ReportStatus), name="status_known"),
        sa.CheckConstraint(one_of("language", REPORT_LANGUAGES), name="language_known"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_0_100"),
        sa.CheckConstraint("kind <> 'site' OR site_id IS NOT NULL", name="site_report_has_site"),
        sa.CheckConstraint(
            "kind <> 'executive' OR site_id IS NULL", name="executive_report_has_no_site"
        ),
        sa.CheckConstraint(
            "status <> 'done' OR file_path IS NOT NULL", name="done_report_has_file"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    campaign_id: Mapped[int] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="RESTRICT"), index=True
    )
    site_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sites.id", ondelete="RESTRICT"), index=True
    )
    language: Mapped[str] = mapped_column(sa.String(8))
    parameters: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(8), default=ReportStatus.QUEUED)
    progress: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    progress_message: Mapped[str] = mapped_column(sa.String(160), default="")
    error: Mapped[str | None] = mapped_column(sa.Text)
    #: Relative to the instance folder, e.g. ``reports/12-3f9a….pdf``.
    file_path: Mapped[str | None] = mapped_column(sa.String(255))
    size_bytes: Mapped[int | None] = mapped_column(sa.Integer)
    page_count: Mapped[int | None] = mapped_column(sa.Integer)
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    campaign: Mapped[Campaign] = relationship()
    site: Mapped[Site | None] = relationship()
    requested_by: Mapped[User | None] = relationship()

    @property
    def kind_enum(self) -> ReportKind:
        """Return the kind as an enum."""
        return ReportKind(self.kind)

    @property
    def status_enum(self) -> ReportStatus:
        """Return the status as an enum."""
        return ReportStatus(self.status)

    @property
    def is_finished(self) -> bool:
        """Tell whether generation has ended, well or badly."""
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)


describe_tables(reports=_l("PDF reports"))
