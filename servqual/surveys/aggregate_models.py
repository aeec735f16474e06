"""Maintained aggregates of the responses: what the dashboard summary reads instead of answers.

:class:`CellMoments` keeps, per campaign and response cell (touchpoint, site, channel,
segment) and per pillar, the moments (n, Σg, Σg²) of the respondents' pillar Gap 5
scores g: exactly what :func:`servqual.gaps.sources.summary` adds up. The rows are
written by :mod:`servqual.surveys.aggregates` in the transaction that stores responses,
and rebuilt from the answers when the item ↔ pillar mapping changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from servqual.extensions import db
from servqual.modelbase import describe_tables

#: Key sentinels: the key columns are never NULL so that the unique constraint (and the
#: upsert's ON CONFLICT) treats "no site", "no channel" and "no segment" as one value.
NO_ID = 0
NO_SEGMENT = ""
#: ``pillar_id`` of the row over every pillar-mapped item (the touchpoint margin).
ALL_PILLARS = 0


class CellMoments(db.Model):
    """n, Σg, Σg² of respondents' pillar Gap 5 scores per campaign, cell and pillar.

    ``pillar_id`` is the pillar's id, or :data:`ALL_PILLARS` for the score over every
    item mapped to at least one pillar. ``site_id``/``channel_id`` are :data:`NO_ID` and
    ``segment`` :data:`NO_SEGMENT` for responses without one. The pillar's id, not its
    code, so that renaming a pillar leaves the rows valid.
    """

    __tablename__ = "cell_moments"
    __table_args__ = (
        sa.UniqueConstraint(
            "campaign_id",
            "touchpoint_id",
            "site_id",
            "channel_id",
            "segment",
            "pillar_id",
            name="uq_cell_moments_key",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    touchpoint_id: Mapped[int] = mapped_column()
    site_id: Mapped[int] = mapped_column(default=NO_ID)
    channel_id: Mapped[int] = mapped_column(default=NO_ID)
    segment: Mapped[str] = mapped_column(sa.String(64), default=NO_SEGMENT)
    pillar_id: Mapped[int] = mapped_column()
    n: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    total: Mapped[float] = mapped_column(sa.Float(precision=53), default=0.0)
    total_sq: Mapped[float] = mapped_column(sa.Float(precision=53), default=0.0)


describe_tables(cell_moments=_l("summary aggregates"))
