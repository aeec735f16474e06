"""Small builders of service-model rows for tests."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from servqual.extensions import db
from servqual.instruments.format import from_definition
from servqual.instruments.models import Instrument, InstrumentVersion
from servqual.instruments.operations import sync_definition
from servqual.reports.action_models import Action
from servqual.reports.models import Report
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
from servqual.surveys.aggregates import record_responses
from servqual.surveys.models import Answer, Campaign, ImportancePoints, Response
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


def response(campaign, answers: dict, link=None, overall=None, points=None, segment=None):
    """Add a submitted response: ``answers`` maps item code → (E, P) or (E, P, A, Ds)."""
    link = link or campaign.links[0]
    row = Response(
        campaign_id=campaign.id,
        instrument_version_id=campaign.instrument_version_id,
        touchpoint_id=link.touchpoint_id,
        site_id=link.site_id,
        channel_id=link.touchpoint.channel_id,
        segment=segment,
        language="es",
        submission_key=f"key-{next(_numbers)}",
        overall_quality=overall,
    )
    db.session.add(row)
    db.session.flush()
    rows = []
    for code, values in answers.items():
        e, p, a, ds = (*values, None, None, None, None)[:4]
        rows.append({"response_id": row.id, "item_code": code, "e": e, "p": p, "a": a, "ds": ds})
    if rows:
        db.session.execute(sa.insert(Answer), rows)
    if points:
        db.session.execute(
            sa.insert(ImportancePoints),
            [{"response_id": row.id, "dimension": d, "points": v} for d, v in points.items()],
        )
    record_responses(campaign, [row.id])
    return row


def report(campaign, kind: str = "staff", site=None, status: str = "done", **fields):
    """Add a stored PDF report (a tiny stand-in file when done)."""
    path = size = pages = None
    if status == "done":
        folder = Path(current_app.instance_path) / "reports"
        folder.mkdir(parents=True, exist_ok=True)
        path = f"reports/test-{next(_numbers)}.pdf"
        content = b"%PDF-1.7\n% a stand-in report\n%%EOF\n"
        (folder.parent / path).write_bytes(content)
        size, pages = len(content), 1
    row = Report(
        kind=kind,
        campaign=campaign,
        site=site,
        language=fields.pop("language", "en"),
        parameters={"wave": campaign.wave},
        status=status,
        progress=100 if status == "done" else 0,
        progress_message="done" if status == "done" else "queued",
        file_path=path,
        size_bytes=size,
        page_count=pages,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


def action(campaign, pillar, owner, **fields):
    """Add an open action plan on Gap 5 of the campaign's first link's touchpoint × pillar."""
    link = campaign.links[0]
    row = Action(
        campaign=campaign,
        touchpoint_id=fields.pop("touchpoint_id", link.touchpoint_id),
        site_id=fields.pop("site_id", link.site_id),
        pillar=pillar,
        gap=fields.pop("gap", "gap5"),
        target_value=fields.pop("target_value", 0.0),
        owner=owner,
        due_on=fields.pop("due_on", date(2026, 12, 31)),
        description=fields.pop("description", "Shorten the queue"),
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row
