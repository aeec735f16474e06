"""Small builders of service-model rows for tests."""

from __future__ import annotations

import itertools

from servqual.extensions import db
from servqual.service.models import (
    Channel,
    Pillar,
    ServiceCycle,
    ServicePromise,
    Site,
    Standard,
    Touchpoint,
)

_numbers = itertools.count(1)


def site(**fields) -> Site:
    """Add a site."""
    n = next(_numbers)
    row = Site(code=fields.pop("code", f"S{n}"), name=fields.pop("name", f"Site {n}"), **fields)
    db.session.add(row)
    db.session.flush()
    return row


def channel(**fields) -> Channel:
    """Add a channel."""
    n = next(_numbers)
    row = Channel(
        code=fields.pop("code", f"C{n}"),
        name=fields.pop("name", f"Channel {n}"),
        kind=fields.pop("kind", "phone"),
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


def cycle(**fields) -> ServiceCycle:
    """Add a service cycle."""
    n = next(_numbers)
    row = ServiceCycle(name=fields.pop("name", f"Cycle {n}"), **fields)
    db.session.add(row)
    db.session.flush()
    return row


def touchpoint(**fields) -> Touchpoint:
    """Add a touchpoint (with its own cycle and channel unless given)."""
    n = next(_numbers)
    sites = fields.pop("sites", [])
    row = Touchpoint(
        code=fields.pop("code", f"T{n}"),
        name=fields.pop("name", f"Touchpoint {n}"),
        cycle=fields.pop("cycle", None) or cycle(),
        channel=fields.pop("channel", None) or channel(),
        **fields,
    )
    row.sites = sites
    db.session.add(row)
    db.session.flush()
    return row


def pillar(**fields) -> Pillar:
    """Add a pillar (and a promise if none exists)."""
    n = next(_numbers)
    promise = fields.pop("promise", None) or db.session.query(ServicePromise).first()
    if promise is None:
        promise = ServicePromise(statement="We serve fast and warmly.")
        db.session.add(promise)
    row = Pillar(
        code=fields.pop("code", f"P{n}"),
        name=fields.pop("name", f"Pillar {n}"),
        promise=promise,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


def standard(**fields) -> Standard:
    """Add a yes/no standard (on its own pillar unless given)."""
    n = next(_numbers)
    touchpoints = fields.pop("touchpoints", [])
    row = Standard(
        code=fields.pop("code", f"STD{n}"),
        name=fields.pop("name", f"Standard {n}"),
        kind=fields.pop("kind", "yes_no"),
        pillar=fields.pop("pillar", None) or pillar(),
        **fields,
    )
    row.touchpoints = touchpoints
    db.session.add(row)
    db.session.flush()
    return row
