"""Small builders of service-model rows for tests."""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from servqual.extensions import db
from servqual.instruments.format import from_definition
from servqual.instruments.models import Instrument, InstrumentVersion
from servqual.instruments.operations import sync_definition
from servqual.service.models import (
    Channel,
    ExternalPromise,
    Pillar,
    ServiceCycle,
    ServicePromise,
    Site,
    Standard,
    Touchpoint,
)
from servqual.surveys.models import Campaign
from servqual.surveys.operations import ensure_links

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


def promise(**fields) -> ExternalPromise:
    """Add an entry of the register of external promises."""
    row = ExternalPromise(
        kind=fields.pop("kind", "web"),
        text=fields.pop("text", "Answers within 24 hours"),
        location=fields.pop("location", "Home page"),
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


def _text(es: str, en: str) -> dict:
    return {"es": es, "en": en}


#: A small customer instrument in the shipped format: two dimensions, five items,
#: expectation, perception, adequate and desired forms, overall and importance.
MINI_INSTRUMENT = {
    "format_version": 1,
    "key": "mini",
    "kind": "customer",
    "title": _text("Mini encuesta", "Mini survey"),
    "scales": {
        "agree7": {
            "type": "likert",
            "min": 1,
            "max": 7,
            "not_applicable": True,
            "anchors": {
                "1": _text("Totalmente en desacuerdo", "Strongly disagree"),
                "7": _text("Totalmente de acuerdo", "Strongly agree"),
            },
        },
    },
    "forms": [
        {"code": "E", "measure": "E", "title": _text("Expectativas", "Expectations")},
        {"code": "P", "measure": "P", "title": _text("Percepciones", "Perceptions")},
        {"code": "A", "measure": "A", "title": _text("Mínimo", "Minimum")},
        {"code": "Ds", "measure": "Ds", "title": _text("Deseado", "Desired")},
        {"code": "OV", "measure": "overall", "title": _text("General", "Overall")},
        {"code": "IMP", "measure": "importance", "title": _text("Importancia", "Importance")},
    ],
    "dimensions": [
        {"code": "reliability", "label": _text("Confiabilidad", "Reliability")},
        {"code": "empathy", "label": _text("Empatía", "Empathy")},
        {"code": "overall", "label": _text("General", "Overall"), "scored": False},
        {"code": "importance", "label": _text("Importancia", "Importance"), "scored": False},
    ],
    "items": [
        *[
            {
                "code": code,
                "dimension": dim,
                "scale": "agree7",
                "forms": ["E", "P", "A", "Ds"],
                "label": _text(f"Atributo {code}", f"Attribute {code}"),
                "text": _text(f"Pregunta {code}", f"Question {code}"),
                "form_text": {
                    "E": _text(f"Las empresas excelentes {code}", f"Excellent firms {code}"),
                    "P": _text(f"Esta empresa {code}", f"This company {code}"),
                },
            }
            for code, dim in [
                ("REL1", "reliability"),
                ("REL2", "reliability"),
                ("EMP1", "empathy"),
                ("EMP2", "empathy"),
            ]
        ],
        {
            "code": "OQ",
            "dimension": "overall",
            "forms": ["OV"],
            "type": "likert",
            "min": 1,
            "max": 7,
            "anchors": {"1": _text("Muy mala", "Very poor"), "7": _text("Excelente", "Excellent")},
            "label": _text("Calidad general", "Overall quality"),
            "text": _text("Calidad general del servicio", "Overall quality of the service"),
        },
        {
            "code": "IMP",
            "dimension": "importance",
            "forms": ["IMP"],
            "type": "allocation",
            "total": 100,
            "among": ["reliability", "empathy"],
            "label": _text("Importancia", "Importance"),
            "text": _text("Reparta 100 puntos", "Share 100 points"),
        },
    ],
}


def instrument_version(definition: dict | None = None):
    """Store an instrument definition (the mini one by default) as version 1."""
    parsed = from_definition(definition or MINI_INSTRUMENT)
    result = sync_definition(parsed, f"{parsed.key}.yaml")
    return db.session.scalar(
        sa.select(InstrumentVersion)
        .join(Instrument)
        .where(Instrument.key == parsed.key, InstrumentVersion.number == result.version)
    )


def campaign(**fields):
    """Add an open campaign over a touchpoint at a site, with its links."""
    touchpoints = fields.pop("touchpoints", None) or [
        touchpoint(channel=channel(kind="face_to_face"))
    ]
    sites = fields.pop("sites", None) or [site()]
    row = Campaign(
        name=fields.pop("name", "Wave campaign"),
        wave=fields.pop("wave", "2026-Q4"),
        instrument_version=fields.pop("instrument_version", None) or instrument_version(),
        format=fields.pop("format", "e_then_p"),
        status=fields.pop("status", "open"),
        **fields,
    )
    row.touchpoints = touchpoints
    row.sites = sites
    db.session.add(row)
    db.session.flush()
    ensure_links(row)
    return row


def management_instrument():
    """Store a small gap1-management instrument (form M over the mini items)."""
    definition = {
        **MINI_INSTRUMENT,
        "key": "gap1-management",
        "kind": "management",
        "forms": [{"code": "M", "measure": "M", "title": _text("Gerencia", "Management")}],
        "dimensions": MINI_INSTRUMENT["dimensions"][:2],
        "items": [
            {
                **item,
                "forms": ["M"],
                "form_text": {
                    "M": _text(
                        f"Los clientes esperan {item['code']}", f"Customers expect {item['code']}"
                    )
                },
            }
            for item in MINI_INSTRUMENT["items"][:4]
        ],
    }
    return instrument_version(definition)


def staff_instrument():
    """Store a small gap-internal instrument with two constructs."""
    definition = {
        "format_version": 1,
        "key": "gap-internal",
        "kind": "internal",
        "title": _text("Cómo trabajamos", "How we work"),
        "scales": MINI_INSTRUMENT["scales"],
        "forms": [{"code": "I", "measure": "internal", "title": _text("Interno", "Internal")}],
        "dimensions": [
            {"code": "teamwork", "label": _text("Trabajo en equipo", "Teamwork"), "gap": 3},
            {"code": "role_conflict", "label": _text("Conflicto", "Role conflict"), "gap": 3},
        ],
        "items": [
            {
                "code": "TMW1",
                "dimension": "teamwork",
                "scale": "agree7",
                "forms": ["I"],
                "label": _text("Equipo", "Team"),
                "text": _text("Mi equipo me apoya", "My team supports me"),
            },
            {
                "code": "RCF1",
                "dimension": "role_conflict",
                "scale": "agree7",
                "forms": ["I"],
                "reverse": True,
                "label": _text("Conflicto", "Conflict"),
                "text": _text("Recibo órdenes contradictorias", "I get conflicting orders"),
            },
        ],
    }
    return instrument_version(definition)
