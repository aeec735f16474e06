"""A small service model like the demo's, the shipped checklists and a running programme."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from PIL import Image

from servqual.accounts.models import User
from servqual.audits import operations, visits
from servqual.audits.evidence import store_evidence
from servqual.audits.models import AuditProgramme, Visit
from servqual.extensions import db
from servqual.instruments.format import load_file
from servqual.instruments.models import Instrument, InstrumentVersion
from servqual.instruments.operations import sync_definition
from servqual.service.models import Channel, Site, Standard, Touchpoint
from tests import factories

INSTRUMENTS = Path(__file__).resolve().parents[2] / "instruments"


def checklist_version(key: str) -> InstrumentVersion:
    """Sync a shipped checklist file and return its stored version."""
    definition = load_file(INSTRUMENTS / f"{key}.yaml")
    result = sync_definition(definition, f"{key}.yaml")
    return db.session.scalar(
        sa.select(InstrumentVersion)
        .join(Instrument)
        .where(Instrument.key == key, InstrumentVersion.number == result.version)
    )


@dataclass
class World:
    """What the audit tests work with."""

    bogota: Site
    medellin: Site
    branch: Channel
    phone: Channel
    touchpoints: dict[str, Touchpoint]
    standards: dict[str, Standard]
    branch_checklist: InstrumentVersion
    phone_checklist: InstrumentVersion
    programme: AuditProgramme
    manager: User


def service_model() -> dict:
    """Add sites, channels, touchpoints and standards shaped like the demo's."""
    bogota = factories.site(code="BOG", name="Bogotá")
    medellin = factories.site(code="MDE", name="Medellín")
    branch = factories.channel(code="OFI", name="Oficina", kind="face_to_face")
    phone = factories.channel(code="TEL", name="Línea", kind="phone")
    cycle = factories.cycle(name="Vinculación")
    touchpoints = {
        code: factories.touchpoint(
            code=code, name=code.title(), cycle=cycle, channel=channel, position=i, sites=sites
        )
        for i, (code, channel, sites) in enumerate(
            [
                ("LLEGADA", branch, []),
                ("TURNO", branch, []),
                ("ASESORIA", branch, []),
                ("FIRMA", branch, [bogota]),
                ("LLAMADA", phone, []),
            ]
        )
    }
    agility, warmth, keep = factories.pillar(code="AGIL"), factories.pillar(), factories.pillar()
    tp = touchpoints
    standards = {
        "SALUDO": factories.standard(
            code="SALUDO", pillar=warmth, touchpoints=[tp["LLEGADA"], tp["ASESORIA"]]
        ),
        "ESPERA": factories.standard(
            code="ESPERA",
            pillar=agility,
            kind="measured",
            unit="min",
            target=10,
            direction="at_most",
            touchpoints=[tp["TURNO"]],
        ),
        "ASEO": factories.standard(
            code="ASEO",
            pillar=keep,
            kind="rating",
            rating_min=1,
            rating_max=5,
            target=4,
            touchpoints=[tp["TURNO"]],
        ),
        "ESCUCHA": factories.standard(
            code="ESCUCHA",
            pillar=warmth,
            kind="rating",
            rating_min=1,
            rating_max=5,
            target=4,
            touchpoints=[tp["ASESORIA"], tp["LLAMADA"]],
        ),
        "IDENT": factories.standard(code="IDENT", pillar=keep, touchpoints=[tp["ASESORIA"]]),
        "PRIMERA": factories.standard(
            code="PRIMERA", pillar=keep, touchpoints=[tp["ASESORIA"], tp["LLAMADA"]]
        ),
        "COSTOS": factories.standard(
            code="COSTOS", pillar=keep, requires_evidence=True, touchpoints=[tp["FIRMA"]]
        ),
        "TIMBRES": factories.standard(
            code="TIMBRES",
            pillar=agility,
            kind="measured",
            unit="timbres",
            target=3,
            direction="at_most",
            touchpoints=[tp["LLAMADA"]],
        ),
    }
    return {
        "bogota": bogota,
        "medellin": medellin,
        "branch": branch,
        "phone": phone,
        "touchpoints": touchpoints,
        "standards": standards,
    }


def world(manager: User) -> World:
    """Build the service model, sync both checklists and create a branch-visit programme."""
    model = service_model()
    branch_version = checklist_version("mystery-branch-visit")
    phone_version = checklist_version("mystery-phone-call")
    tp = model["touchpoints"]
    programme = operations.create_programme(
        operations.ProgrammeInput(
            name="Clientes ocultos 2026",
            version=branch_version,
            sites=[model["bogota"], model["medellin"]],
            touchpoints=[tp["LLEGADA"], tp["TURNO"], tp["ASESORIA"], tp["FIRMA"]],
            starts_on=date(2026, 11, 1),
            ends_on=date(2026, 12, 31),
            visits_per_site_month=2,
            channel_mix={},
        ),
        manager,
    )
    return World(
        branch_checklist=branch_version,
        phone_checklist=phone_version,
        programme=programme,
        manager=manager,
        **model,
    )


def visit(w: World, site: Site, auditor: User | None, day: date = date(2026, 11, 10)) -> Visit:
    """Schedule a branch visit and assign it to ``auditor``."""
    row = operations.add_visit(w.programme, site, day)
    if auditor is not None:
        operations.assign_visit(row, auditor, w.manager)
    return row


def jpeg(size=(64, 48), colour=(200, 30, 30), gps: bool = False) -> bytes:
    """Return a small JPEG, optionally with a GPS position in its EXIF data."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "Test camera"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (4.0, 39.0, 0.0), 3: "W", 4: (74.0, 3.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def role_records(manager: User, auditor: User) -> dict:
    """Records the role matrix needs: a programme, a started visit of ``auditor``, a photo."""
    from_world = world(manager)
    row = visit(from_world, from_world.bogota, auditor)
    visits.start_visit(row, auditor)
    photo, _created = store_evidence(row, auditor, jpeg(), "TICKET_PHOTO")
    return {"programme_id": from_world.programme.id, "visit_id": row.id, "evidence_id": photo.id}
