"""The demo organisation: a Colombian financial cooperative with three branches."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_migrate import upgrade

from servqual.accounts.models import User
from servqual.accounts.operations import create_user
from servqual.audits import demo_data as audit_demo_data
from servqual.extensions import db
from servqual.instruments.operations import sync_directory
from servqual.pqr import demo_data as pqr_demo_data
from servqual.reports import jobs
from servqual.reports import operations as report_operations
from servqual.reports.models import Report, ReportKind, ReportStatus
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
from servqual.surveys import demo_data
from servqual.surveys.distribution import poster_pdf
from servqual.surveys.internal_operations import latest_version
from servqual.surveys.models import Campaign
from servqual.surveys.operations import ensure_links

SITES = [
    ("BOG", "Bogotá – Chapinero", "Bogotá", "Carrera 13 # 54-20"),
    ("MDE", "Medellín – El Poblado", "Medellín", "Calle 10 # 43D-15"),
    ("CLO", "Cali – Granada", "Cali", "Avenida 9 Norte # 12-40"),
]

CHANNELS = [
    ("OFI", "Oficina", "face_to_face"),
    ("TEL", "Línea de atención", "phone"),
    ("WEB", "Portal web", "web"),
    ("APP", "App móvil", "mobile_app"),
    ("MAIL", "Correo electrónico", "email"),
]

#: cycle name, description, [(code, touchpoint, channel code, site codes or None)]
CYCLES = [
    (
        "Vinculación de asociados",
        "Desde que la persona llega a la oficina hasta que recibe su cuenta activa.",
        [
            ("LLEGADA", "Llegada y recepción", "OFI", None),
            ("TURNO", "Turno y sala de espera", "OFI", None),
            ("ASESORIA", "Asesoría con el ejecutivo", "OFI", None),
            ("FIRMA", "Firma y entrega de productos", "OFI", ["BOG", "MDE"]),
        ],
    ),
    (
        "Solicitudes y servicio posventa",
        "Cuando el asociado pide algo por teléfono, web o app y espera la respuesta.",
        [
            ("LLAMADA", "Llamada a la línea de atención", "TEL", None),
            ("AUTOGESTION", "Autogestión en portal y app", "WEB", None),
            ("RESPUESTA", "Respuesta por correo", "MAIL", None),
        ],
    ),
    (
        "Crédito",
        "Del estudio de la solicitud al desembolso.",
        [("DESEMBOLSO", "Aprobación y desembolso", "APP", None)],
    ),
]

PROMISE = (
    "En Cordillera lo atendemos rápido, con calidez y cumplimos lo que prometemos: "
    "respuestas claras y su dinero seguro."
)

#: pillar code, name, description, SERVQUAL item codes, standards
PILLARS = [
    (
        "AGIL",
        "Agilidad",
        "No hacemos esperar al asociado.",
        ["RES1", "RES2", "RES4", "REL4", "EMP2"],
        [
            (
                "ESPERA",
                "Tiempo de espera en sala",
                "measured",
                {"unit": "min", "target": 10, "direction": "at_most"},
                ["TURNO"],
            ),
            (
                "TIMBRES",
                "Contestar antes del tercer timbre",
                "measured",
                {"unit": "timbres", "target": 3, "direction": "at_most"},
                ["LLAMADA"],
            ),
            (
                "RESP48",
                "Responder correos en menos de 48 horas",
                "measured",
                {"unit": "h", "target": 48, "direction": "at_most"},
                ["RESPUESTA"],
            ),
        ],
    ),
    (
        "CALIDEZ",
        "Calidez",
        "Cada asociado es atendido como una persona, no como un número.",
        ["EMP1", "EMP3", "EMP4", "EMP5", "ASS3", "RES3"],
        [
            (
                "SALUDO",
                "Saludar por el nombre y mirar a los ojos",
                "yes_no",
                {},
                ["LLEGADA", "ASESORIA"],
            ),
            (
                "ESCUCHA",
                "Escucha sin interrumpir",
                "rating",
                {"rating_min": 1, "rating_max": 5, "target": 4},
                ["ASESORIA", "LLAMADA"],
            ),
        ],
    ),
    (
        "CUMPLIR",
        "Cumplimos lo prometido",
        "Lo que decimos, lo hacemos, a tiempo y bien la primera vez.",
        ["REL1", "REL2", "REL3", "REL5"],
        [
            ("PRIMERA", "Resolver en el primer contacto", "yes_no", {}, ["LLAMADA", "ASESORIA"]),
            (
                "DESEMB",
                "Desembolsar en el plazo ofrecido",
                "measured",
                {"unit": "días", "target": 5, "direction": "at_most"},
                ["DESEMBOLSO"],
            ),
        ],
    ),
    (
        "CLARIDAD",
        "Claridad",
        "Explicamos costos, plazos y condiciones sin letra menuda.",
        ["ASS4", "RES1", "TAN4"],
        [
            (
                "COSTOS",
                "Explicar tasas y costos antes de firmar",
                "yes_no",
                {"requires_evidence": True},
                ["FIRMA"],
            ),
        ],
    ),
    (
        "SEGURO",
        "Su dinero seguro",
        "Confianza en cada transacción, en la oficina y en línea.",
        ["ASS1", "ASS2", "TAN1", "TAN2", "TAN3"],
        [
            (
                "ASEO",
                "Sala limpia y ordenada",
                "rating",
                {"rating_min": 1, "rating_max": 5, "target": 4},
                ["TURNO"],
            ),
            (
                "IDENT",
                "Verificar identidad antes de toda operación",
                "yes_no",
                {},
                ["ASESORIA", "AUTOGESTION"],
            ),
        ],
    ),
]

ROLES = [
    ("admin", "Ana Administradora", "admin@cordillera.example.com", []),
    ("manager", "Martín Gerente", "gerente@cordillera.example.com", []),
    ("manager", "Mariela Gerente Medellín", "gerente.mde@cordillera.example.com", ["MDE"]),
    ("auditor", "Aurelio Auditor", "auditor@cordillera.example.com", ["BOG", "CLO"]),
    ("auditor", "Amparo Auditora Medellín", "auditora.mde@cordillera.example.com", ["MDE"]),
    ("agent", "Alicia Agente PQR", "pqr@cordillera.example.com", []),
]


@dataclass(frozen=True)
class DemoReport:
    """What the demo built, with the credentials to sign in."""

    credentials: list[tuple[str, str, str]]


def demo_exists() -> bool:
    """Tell whether the database already holds an organisation."""
    try:
        return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) > 0
    except sa.exc.OperationalError:
        db.session.rollback()
        return False
    except sa.exc.ProgrammingError:
        db.session.rollback()
        return False


def reset_database() -> None:
    """Drop every table, including Alembic's bookkeeping."""
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def build(reset: bool = False, echo: Callable[[str], None] = print) -> DemoReport | None:
    """Create the schema and the demo organisation; ``None`` if it already exists."""
    if reset:
        echo("Deleting the existing data …")
        reset_database()
    echo("Bringing the database schema up to date …")
    upgrade(directory=current_app.extensions["migrate"].directory)
    if demo_exists():
        return None
    echo("Loading the instruments …")
    sync_directory(Path(current_app.config["INSTRUMENTS_DIR"]))
    echo("Describing the organisation, its sites, cycles, promise and standards …")
    report = _build_organisation()
    echo("Collecting two waves of synthetic survey responses …")
    campaigns = _build_campaigns()
    responses = demo_data.build(campaigns, per_link=RESPONSES_PER_LINK)
    db.session.commit()
    echo(f"  {responses} responses in waves {', '.join(c.wave for c in campaigns)}")
    echo("Recording mystery-shopper visits (branch and phone checklists) …")
    visits = audit_demo_data.build()
    db.session.commit()
    echo("  " + ", ".join(f"{n} {status}" for status, n in sorted(visits.items())) + " visits")
    echo("Filing a year of PQR (requests, complaints and claims) …")
    pqr = pqr_demo_data.build()
    db.session.commit()
    echo("  " + ", ".join(f"{n} {what}" for what, n in pqr.items()))
    poster = Path(current_app.instance_path) / "demo-poster.pdf"
    with current_app.test_request_context(base_url="http://127.0.0.1:5000/"):
        poster.write_bytes(poster_pdf(campaigns[-1].links[0]))
    echo(f"  printable QR poster: {poster}")
    write_report(campaigns[-1], echo)
    echo("\nDemo ready. Sign in at http://127.0.0.1:5000/login with:")
    for role, email, password in report.credentials:
        echo(f"  {role:<8} {email:<40} {password}")
    return report


def write_report(campaign: Campaign, echo: Callable[[str], None] = print) -> Report:
    """Write the executive report (es) of ``campaign`` as the report job does, and say where.

    The report is stored like one asked for on the Reports page (requested by the first
    admin), so it is listed there; it is written inline even when Redis is configured.
    """
    echo(f"Writing the executive report on {campaign.wave} (Spanish) …")
    admin = db.session.scalar(sa.select(User).where(User.role == "admin").order_by(User.id))
    report = report_operations.request_report(
        ReportKind.EXECUTIVE, campaign, None, "es", requested_by=admin
    )
    db.session.commit()
    started = time.perf_counter()
    jobs.run_report(
        report.id,
        on_step=lambda step: echo(
            f"  … {report_operations.progress_label(step)} ({time.perf_counter() - started:.1f} s)"
        ),
    )
    report = db.session.get(Report, report.id)
    if report.status != ReportStatus.DONE:
        echo(f"  the executive report failed: {report.error}")
        return report
    echo(
        f"  executive report: {report_operations.report_path(report)} "
        f"({report.page_count} pages, {report.size_bytes / 1024:.0f} KB, "
        f"{time.perf_counter() - started:.1f} s; listed under Reports)"
    )
    return report


#: About two thousand responses a wave over the demo's fifteen links.
RESPONSES_PER_LINK = 130


def _build_campaigns() -> list[Campaign]:
    version = latest_version("servqual-22")
    touchpoints = list(db.session.scalars(sa.select(Touchpoint).order_by(Touchpoint.id)))
    sites = list(db.session.scalars(sa.select(Site).order_by(Site.id)))
    waves = [
        ("2026-Q2", "Medición de servicio 2026-Q2", date(2026, 4, 1), date(2026, 6, 30), "closed"),
        ("2026-Q4", "Medición de servicio 2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "open"),
    ]
    campaigns = []
    for wave, name, opens, closes, status in waves:
        campaign = Campaign(
            name=name,
            wave=wave,
            instrument_version=version,
            format="e_then_p",
            status=status,
            opens_on=opens,
            closes_on=closes,
        )
        campaign.touchpoints = touchpoints
        campaign.sites = sites
        db.session.add(campaign)
        db.session.flush()
        ensure_links(campaign)
        campaigns.append(campaign)
    return campaigns


def _build_organisation() -> DemoReport:
    db.session.add(
        Organisation(name="Cooperativa Cordillera", country="CO", timezone="America/Bogota")
    )
    sites = {
        code: Site(code=code, name=name, city=city, address=address)
        for code, name, city, address in SITES
    }
    channels = {
        code: Channel(code=code, name=name, kind=kind, position=i)
        for i, (code, name, kind) in enumerate(CHANNELS)
    }
    db.session.add_all([*sites.values(), *channels.values()])
    touchpoints: dict[str, Touchpoint] = {}
    for position, (name, description, steps) in enumerate(CYCLES):
        cycle = ServiceCycle(name=name, description=description, position=position)
        db.session.add(cycle)
        for step, (code, tp_name, channel, site_codes) in enumerate(steps):
            touchpoint = Touchpoint(
                code=code, name=tp_name, cycle=cycle, channel=channels[channel], position=step
            )
            touchpoint.sites = [sites[c] for c in site_codes or []]
            touchpoints[code] = touchpoint
            db.session.add(touchpoint)
    promise = ServicePromise(statement=PROMISE, adopted_on=date(2026, 1, 15))
    db.session.add(promise)
    for position, (code, name, description, items, standards) in enumerate(PILLARS):
        pillar = Pillar(
            code=code, name=name, description=description, promise=promise, position=position
        )
        db.session.add(pillar)
        for item_code in items:
            db.session.add(ItemPillar(item_code=item_code, pillar=pillar))
        for s_position, (s_code, s_name, kind, extra, tps) in enumerate(standards):
            standard = Standard(
                code=s_code, name=s_name, kind=kind, pillar=pillar, position=s_position, **extra
            )
            standard.touchpoints = [touchpoints[c] for c in tps]
            db.session.add(standard)
    db.session.flush()
    credentials = []
    for role, name, email, site_codes in ROLES:
        password = secrets.token_urlsafe(12)
        create_user(email, name, password, role, [sites[c] for c in site_codes])
        credentials.append((role, email, password))
    return DemoReport(credentials=credentials)
