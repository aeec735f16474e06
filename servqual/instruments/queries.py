"""Read instruments from the database."""

from __future__ import annotations

import sqlalchemy as sa

from servqual.extensions import db
from servqual.instruments.models import Instrument, InstrumentItem, InstrumentVersion


def all_instruments() -> list[Instrument]:
    """Return every stored instrument, by key."""
    return list(db.session.scalars(sa.select(Instrument).order_by(Instrument.key)))


def mappable_items() -> list[InstrumentItem]:
    """Return the items of the latest customer instruments, one per code, in survey order.

    These are the codes an organisation maps to pillars; the mapping is by code, so it
    carries over to every version and to every instrument sharing the codes.
    """
    latest = (
        sa.select(sa.func.max(InstrumentVersion.id))
        .join(Instrument)
        .where(Instrument.kind.in_(("customer", "management")))
        .group_by(Instrument.id)
    )
    rows = db.session.scalars(
        sa.select(InstrumentItem)
        .join(InstrumentVersion)
        .where(InstrumentVersion.id.in_(latest))
        .order_by(InstrumentItem.position, InstrumentItem.id)
    )
    seen: dict[str, InstrumentItem] = {}
    for item in rows:
        if item.is_scored and item.code not in seen:
            seen[item.code] = item
    return sorted(seen.values(), key=lambda item: item.position)
