"""Writes to the service model: ordering, uniqueness and guarded deletes (flush only)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from servqual.extensions import db
from servqual.modelbase import dependents_of
from servqual.service.models import ItemPillar, Pillar


class DeleteRefused(Exception):
    """The row is still pointed to; the message names what points to it."""


def scope_filter(model: type, scope: str | None, instance: Any) -> list:
    """Return the WHERE clauses that select ``instance``'s ordering siblings."""
    if scope is None:
        return []
    return [getattr(model, scope) == getattr(instance, scope)]


def next_position(model: type, scope: str | None, instance: Any) -> int:
    """Return the position after the last sibling."""
    last = db.session.scalar(
        sa.select(sa.func.max(model.position)).where(*scope_filter(model, scope, instance))
    )
    return 0 if last is None else last + 1


def move(instance: Any, scope: str | None, offset: int) -> None:
    """Move ``instance`` one place up (-1) or down (+1) among its siblings."""
    model = type(instance)
    siblings = list(
        db.session.scalars(
            sa.select(model)
            .where(*scope_filter(model, scope, instance))
            .order_by(model.position, model.id)
        )
    )
    index = siblings.index(instance)
    target = index + offset
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    db.session.flush()


def unique_clashes(instance: Any, values: dict[str, Any]) -> list[str]:
    """Return the names of unique columns whose new value another row already uses."""
    model = type(instance)
    clashes = []
    for column in model.__table__.columns:
        if not column.unique or column.name not in values:
            continue
        query = sa.select(model.id).where(getattr(model, column.key) == values[column.name])
        if instance.id is not None:
            query = query.where(model.id != instance.id)
        if db.session.scalar(query) is not None:
            clashes.append(column.name)
    return clashes


def delete_guarded(instance: Any, name: str) -> None:
    """Delete ``instance`` unless collected data or other records point to it."""
    dependents = dependents_of(instance)
    if dependents:
        listing = ", ".join(f"{d.count} {d.label}" for d in dependents)
        raise DeleteRefused(
            _(
                "“%(name)s” cannot be deleted because these records point to it: %(list)s.",
                name=name,
                list=listing,
            )
        )
    # A pillar takes its item mappings with it: the summary's moments must follow.
    mapped = (
        [link.item_code for link in instance.item_links] if isinstance(instance, Pillar) else []
    )
    db.session.delete(instance)
    db.session.flush()
    if mapped:
        _rebuild_summary_moments(mapped)


def _rebuild_summary_moments(codes: list[str]) -> None:
    """Recompute the maintained moments of the campaigns that score any of ``codes``."""
    from servqual.surveys.aggregates import campaigns_with_items, rebuild_cell_moments

    for campaign_id in campaigns_with_items(codes):
        rebuild_cell_moments(campaign_id)
    db.session.flush()


def set_item_pillars(mapping: dict[str, set[int]]) -> None:
    """Replace the item ↔ pillar mapping for the item codes in ``mapping``."""
    pillars = {p.id for p in db.session.scalars(sa.select(Pillar))}
    for code, pillar_ids in mapping.items():
        current = {
            link.pillar_id: link
            for link in db.session.scalars(sa.select(ItemPillar).filter_by(item_code=code))
        }
        wanted = pillar_ids & pillars
        for pillar_id in set(current) - wanted:
            db.session.delete(current[pillar_id])
        for pillar_id in wanted - set(current):
            db.session.add(ItemPillar(item_code=code, pillar_id=pillar_id))
    db.session.flush()
    # The summary's maintained moments depend on the mapping: recompute what it changes.
    _rebuild_summary_moments(list(mapping))
