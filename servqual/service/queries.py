"""Reads of the service model."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from servqual.extensions import db
from servqual.service.models import (
    Channel,
    ItemPillar,
    Organisation,
    Pillar,
    ServiceCycle,
    ServicePromise,
    Site,
    Standard,
    Touchpoint,
)


def organisation() -> Organisation:
    """Return the organisation, or an unsaved blank one before it is first described."""
    return db.session.scalar(sa.select(Organisation).order_by(Organisation.id)) or Organisation(
        name="", country="CO", timezone="America/Bogota"
    )


def promise() -> ServicePromise | None:
    """Return the service promise, if written."""
    return db.session.scalar(sa.select(ServicePromise).order_by(ServicePromise.id))


def item_pillar_pairs() -> set[tuple[str, int]]:
    """Return the (item code, pillar id) pairs that are mapped."""
    return set(db.session.execute(sa.select(ItemPillar.item_code, ItemPillar.pillar_id)).tuples())


@dataclass(frozen=True)
class ModelSummary:
    """Counts of the service model's parts, for the overview page."""

    organisation: Organisation
    promise: ServicePromise | None
    sites: int
    channels: int
    cycles: list[ServiceCycle]
    touchpoints: int
    pillars: list[Pillar]
    standards: int
    mapped_items: int


def model_summary() -> ModelSummary:
    """Count what the service model holds."""

    def count(model) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0

    return ModelSummary(
        organisation=organisation(),
        promise=promise(),
        sites=count(Site),
        channels=count(Channel),
        cycles=db.session.scalars(sa.select(ServiceCycle).order_by(ServiceCycle.position)).all(),
        touchpoints=count(Touchpoint),
        pillars=db.session.scalars(sa.select(Pillar).order_by(Pillar.position)).all(),
        standards=count(Standard),
        mapped_items=db.session.scalar(sa.select(sa.func.count(sa.distinct(ItemPillar.item_code))))
        or 0,
    )
