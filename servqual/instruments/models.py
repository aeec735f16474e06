"""Instruments and their immutable versions, as synced from ``instruments/*.yaml``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servqual.extensions import db
from servqual.modelbase import Timestamped, describe_tables, utcnow


class Instrument(Timestamped, db.Model):
    """A questionnaire family identified by its key (``servqual-22``, ``gap-internal`` …)."""

    __tablename__ = "instruments"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('customer', 'management', 'internal', 'checklist')", name="kind_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))

    versions: Mapped[list[InstrumentVersion]] = relationship(
        back_populates="instrument", order_by="InstrumentVersion.number", passive_deletes="all"
    )

    @property
    def latest(self) -> InstrumentVersion | None:
        """Return the newest version."""
        return self.versions[-1] if self.versions else None


class InstrumentVersion(db.Model):
    """One immutable content of an instrument; collected records point here forever."""

    __tablename__ = "instrument_versions"
    __table_args__ = (sa.UniqueConstraint("instrument_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instruments.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    source_file: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    instrument: Mapped[Instrument] = relationship(back_populates="versions")
    items: Mapped[list[InstrumentItem]] = relationship(
        back_populates="version", order_by="InstrumentItem.position", passive_deletes="all"
    )

    @property
    def title(self) -> dict[str, str]:
        """Return the title in both languages."""
        return self.definition["title"]


class InstrumentItem(db.Model):
    """An item of one instrument version, a stable target for answers to point at."""

    __tablename__ = "instrument_items"
    __table_args__ = (sa.UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instrument_versions.id", ondelete="RESTRICT"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(32))
    dimension: Mapped[str] = mapped_column(sa.String(64))
    item_type: Mapped[str] = mapped_column(sa.String(32))
    position: Mapped[int]
    #: Part of a scored dimension (not an overall, importance or comment item).
    is_scored: Mapped[bool] = mapped_column(default=True)
    label_es: Mapped[str] = mapped_column(sa.String(255))
    label_en: Mapped[str] = mapped_column(sa.String(255))

    version: Mapped[InstrumentVersion] = relationship(back_populates="items")

    def label(self, lang: str) -> str:
        """Return the short label in ``lang``."""
        return self.label_es if lang == "es" else self.label_en


describe_tables(
    instruments=_l("instruments"),
    instrument_versions=_l("instrument versions"),
    instrument_items=_l("instrument items"),
)
