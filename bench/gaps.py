"""Benchmark of the gap engine (issue 4): one wave's full analysis on 100k and 1M responses.

Generates synthetic servqual-22 responses (22 items, E and P on 1–7, overall quality,
12 touchpoints, 3 sites, 4 waves, segments) into PostgreSQL and SQLite with the real
schema, then times, each in a fresh subprocess whose peak RSS is read with ``wait4``:

(a) ``analyse_wave(Scope(campaign), by=("touchpoint", "site"))`` on each backend;
(b) ``summary(Scope(campaign))`` on each backend, checked against the touchpoint × pillar
    cells (and margins) of the same ``analyse_wave`` result;
(c) ``bench/gaps_baseline.py``: what an analyst does with pandas + scipy on a CSV export
    of the same wave.

The analysed wave is the last of the four: a quarter of the N responses. ``by`` groupings
are margins (per touchpoint, per site), not crossed. Servqual's and the baseline's Gap 5
n and means per item, dimension and pillar, over the wave and per group, must agree to
1e-9 (and summary() with analyse_wave()), else the script exits with status 1.
Generation and CSV export times are printed but are not part of the figures.
Run from the repository root::

    python bench/gaps.py --sizes 100000,1000000 --backends postgresql,sqlite --repeat 3
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import psycopg.sql
import sqlalchemy as sa
from flask import Flask, current_app

from servqual import create_app
from servqual.demo import PILLARS, PROMISE
from servqual.extensions import db
from servqual.gaps import sources
from servqual.instruments.operations import sync_directory
from servqual.service.models import (
    Channel,
    ItemPillar,
    Organisation,
    Pillar,
    ServiceCycle,
    ServicePromise,
    Site,
    Touchpoint,
)
from servqual.surveys.aggregate_models import CellMoments
from servqual.surveys.aggregates import rebuild_cell_moments
from servqual.surveys.demo_data import PILLAR_SHORTFALL, SEGMENTS
from servqual.surveys.internal_operations import latest_version
from servqual.surveys.models import Campaign, SurveyLink
from servqual.surveys.operations import ensure_links
from servqual.surveys.steps import importance_item, instrument_of, scored_items

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "gaps_baseline.py"

#: Bump when the generated data change, so that ``--keep`` does not reuse stale data.
GENERATOR_VERSION = 1
SEED = 20260404
CHUNK = 25_000

SITES = [
    ("BOG", "Bogotá – Chapinero", "Bogotá", 0.45, 0.0),
    ("MDE", "Medellín – El Poblado", "Medellín", 0.35, 0.25),
    ("CLO", "Cali – Granada", "Cali", 0.20, -0.3),
]
CHANNELS = [
    ("OFI", "Oficina", "face_to_face"),
    ("TEL", "Línea de atención", "phone"),
    ("WEB", "Portal web", "web"),
    ("APP", "App móvil", "mobile_app"),
    ("MAIL", "Correo electrónico", "email"),
    ("CHAT", "Chat en línea", "chat"),
]
#: cycle, [(code, name, channel, site codes or None = every site, share, shortfall)].
#: Remote channels get one link without a site (surveys.operations.ensure_links).
CYCLES = [
    (
        "Vinculación de asociados",
        [
            ("LLEGADA", "Llegada y recepción", "OFI", None, 0.10, 0.3),
            ("TURNO", "Turno y sala de espera", "OFI", None, 0.12, -1.0),
            ("ASESORIA", "Asesoría con el ejecutivo", "OFI", None, 0.10, 0.1),
            ("FIRMA", "Firma y entrega de productos", "OFI", ["BOG", "MDE"], 0.05, -0.2),
        ],
    ),
    (
        "Operaciones en oficina",
        [
            ("CAJA", "Pagos y retiros en caja", "OFI", None, 0.12, -0.4),
            ("RECLAMO", "Atención de reclamos", "OFI", None, 0.05, -0.9),
            ("CAJERO", "Cajero automático", "OFI", None, 0.08, 0.2),
        ],
    ),
    (
        "Solicitudes y servicio posventa",
        [
            ("LLAMADA", "Llamada a la línea de atención", "TEL", None, 0.10, -0.8),
            ("AUTOGESTION", "Autogestión en portal y app", "WEB", None, 0.10, -0.3),
            ("RESPUESTA", "Respuesta por correo", "MAIL", None, 0.04, -0.6),
            ("CHAT", "Chat con un asesor", "CHAT", None, 0.06, -0.3),
        ],
    ),
    ("Crédito", [("DESEMBOLSO", "Aprobación y desembolso", "APP", None, 0.08, -0.5)]),
]
#: wave code, campaign name, opening day; later waves close part of the gap.
WAVES = [
    ("2025-Q3", "Medición de servicio 2025-Q3", date(2025, 7, 1)),
    ("2025-Q4", "Medición de servicio 2025-Q4", date(2025, 10, 1)),
    ("2026-Q1", "Medición de servicio 2026-Q1", date(2026, 1, 1)),
    ("2026-Q2", "Medición de servicio 2026-Q2", date(2026, 4, 1)),
]
WAVE_DAYS = 90
SEGMENT_SHORTFALL = {"loyal": 0.2, "new": 0.0, "vulnerable": -0.4}
#: Share of answers not applicable on both forms, on E only, on P only; tangibles are
#: often not applicable on remote channels (no premises to judge).
NA_BOTH, NA_E, NA_P, NA_TANGIBLES_REMOTE = 0.025, 0.01, 0.01, 0.15
#: Mean points of the 100-point importance question (reliability first, as PZB 1991
#: found) and the share of respondents who skip it.
STATED_IMPORTANCE = {
    "tangibles": 11,
    "reliability": 32,
    "responsiveness": 22,
    "assurance": 19,
    "empathy": 16,
}
IMPORTANCE_SKIPPED = 0.05


# --------------------------------------------------------------------------- setup


@dataclass(frozen=True)
class Target:
    """One database to benchmark: a backend holding N responses."""

    backend: str
    size: int
    url: str
    workdir: Path

    @property
    def schema(self) -> str:
        """PostgreSQL schema holding this size's tables."""
        return f"bench_{self.size}"

    @property
    def meta_file(self) -> Path:
        """What was generated, for ``--keep``."""
        return self.workdir / f"meta-{self.backend}-{self.size}.json"

    def csv_file(self) -> Path:
        """The analysed wave exported for the baseline."""
        return self.workdir / f"wave-{self.backend}-{self.size}.csv"


def target_for(backend: str, size: int, pg_url: str, workdir: Path) -> Target:
    """Return the database URL of one backend and size (a schema or a file of its own)."""
    if backend == "postgresql":
        sep = "&" if "?" in pg_url else "?"
        url = f"{pg_url}{sep}options=-csearch_path%3Dbench_{size}"
        return Target(backend, size, url, workdir)
    return Target(backend, size, f"sqlite:///{workdir / f'bench-{size}.sqlite'}", workdir)


def make_app(url: str, workdir: Path) -> Flask:
    """Create a servqual app on ``url`` (rate limits off, fixed secret)."""
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-secret-key",
            "RATELIMIT_ENABLED": False,
            "INSTANCE_PATH": str(workdir / "instance"),
        }
    )


def reset_schema(target: Target) -> None:
    """Start from an empty database: drop the size's PG schema or delete the SQLite file."""
    if target.backend == "postgresql":
        with psycopg.connect(psycopg_dsn(target), autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {target.schema} CASCADE")
            conn.execute(f"CREATE SCHEMA {target.schema}")
    else:
        path = Path(target.url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def psycopg_dsn(target: Target) -> str:
    """Return the libpq form of a ``postgresql+psycopg://`` URL (with its search_path)."""
    return (
        sa.engine.make_url(target.url)
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


@dataclass(frozen=True)
class Link:
    """Where a response was given: a campaign's link, with its effects."""

    campaign_id: int
    touchpoint_id: int
    touchpoint: str
    site_id: int | None
    site: str | None
    channel_id: int
    is_remote: bool
    share: float
    shortfall: float


@dataclass(frozen=True)
class Layout:
    """The organisation and the four campaigns, as the generator needs them."""

    instrument_version_id: int
    campaign_ids: list[int]
    items: list[str]
    dimensions: list[str]
    item_pillars: dict[str, list[str]]
    links: dict[int, list[Link]]
    importance: list[str]


def build_organisation() -> Layout:
    """Create sites, channels, cycles, 12 touchpoints, pillars, item mappings, 4 campaigns."""
    sync_directory(Path(current_app.config["INSTRUMENTS_DIR"]))
    db.session.add(Organisation(name="Cooperativa Benchmark", country="CO"))
    sites = {code: Site(code=code, name=name, city=city) for code, name, city, _, _ in SITES}
    channels = {
        code: Channel(code=code, name=name, kind=kind, position=i)
        for i, (code, name, kind) in enumerate(CHANNELS)
    }
    db.session.add_all([*sites.values(), *channels.values()])
    touchpoints = []
    for position, (cycle_name, steps) in enumerate(CYCLES):
        cycle = ServiceCycle(name=cycle_name, position=position)
        db.session.add(cycle)
        for step, (code, name, channel, site_codes, _, _) in enumerate(steps):
            touchpoint = Touchpoint(
                code=code, name=name, cycle=cycle, channel=channels[channel], position=step
            )
            touchpoint.sites = [sites[c] for c in site_codes or []]
            touchpoints.append(touchpoint)
    db.session.add_all(touchpoints)
    promise = ServicePromise(statement=PROMISE, adopted_on=date(2025, 1, 15))
    db.session.add(promise)
    for position, (code, name, description, items, _standards) in enumerate(PILLARS):
        pillar = Pillar(
            code=code, name=name, description=description, promise=promise, position=position
        )
        db.session.add(pillar)
        db.session.add_all(ItemPillar(item_code=item, pillar=pillar) for item in items)
    db.session.flush()
    version = latest_version("servqual-22")
    campaigns = []
    for index, (wave, name, opens) in enumerate(WAVES):
        campaign = Campaign(
            name=name,
            wave=wave,
            instrument_version=version,
            format="e_then_p",
            status="closed" if index < len(WAVES) - 1 else "open",
            opens_on=opens,
        )
        campaign.touchpoints = touchpoints
        campaign.sites = list(sites.values())
        db.session.add(campaign)
        db.session.flush()
        ensure_links(campaign)
        campaigns.append(campaign)
    items = scored_items(instrument_of(campaigns[0]))
    item_pillars: dict[str, list[str]] = {}
    for code, pillar in db.session.execute(
        sa.select(ItemPillar.item_code, Pillar.code).join(Pillar).order_by(Pillar.position)
    ):
        item_pillars.setdefault(code, []).append(pillar)
    layout = Layout(
        instrument_version_id=version.id,
        campaign_ids=[c.id for c in campaigns],
        items=[i.code for i in items],
        dimensions=[i.dimension for i in items],
        item_pillars=item_pillars,
        links={c.id: _links(c) for c in campaigns},
        importance=list(importance_item(instrument_of(campaigns[0])).params["among"]),
    )
    db.session.commit()
    return layout


def _links(campaign: Campaign) -> list[Link]:
    steps = {code: (share, shortfall) for _, s in CYCLES for code, *_, share, shortfall in s}
    site_share = {code: share for code, _, _, share, _ in SITES}
    links = []
    by_touchpoint: dict[int, list[SurveyLink]] = {}
    for link in campaign.links:
        by_touchpoint.setdefault(link.touchpoint_id, []).append(link)
    for touchpoint_links in by_touchpoint.values():
        weights = [site_share[lk.site.code] if lk.site else 1.0 for lk in touchpoint_links]
        for link, weight in zip(touchpoint_links, weights, strict=True):
            share, shortfall = steps[link.touchpoint.code]
            links.append(
                Link(
                    campaign_id=campaign.id,
                    touchpoint_id=link.touchpoint_id,
                    touchpoint=link.touchpoint.code,
                    site_id=link.site_id,
                    site=link.site.code if link.site else None,
                    channel_id=link.touchpoint.channel_id,
                    is_remote=link.site_id is None,
                    share=share * weight / sum(weights),
                    shortfall=shortfall,
                )
            )
    return links


# --------------------------------------------------------------------------- generation


@dataclass(frozen=True)
class Chunk:
    """Some respondents of one wave: response columns and respondents × items E and P."""

    ids: np.ndarray
    link: np.ndarray
    segment: np.ndarray
    language: np.ndarray
    submitted: np.ndarray
    overall: np.ndarray
    recommend: np.ndarray
    may_contact: np.ndarray
    e: np.ndarray  # int8, 0 = not applicable
    p: np.ndarray
    points: np.ndarray  # respondents × importance dimensions; -1: question skipped


def gap_effects(layout: Layout, links: list[Link]) -> np.ndarray:
    """Return the expected Gap 5 of each link × item: pillar, touchpoint, site, interactions.

    Interactions (touchpoint × pillar, touchpoint × item) are fixed by the seed, so that
    gaps differ by touchpoint and pillar beyond the main effects, and equal on every backend.
    """
    rng = np.random.default_rng([SEED, 0])
    pillars = [code for code, *_ in PILLARS]
    touchpoints = sorted({lk.touchpoint for lk in links})
    tp_pillar = {
        (tp, pl): v
        for (tp, pl), v in zip(
            [(t, p) for t in touchpoints for p in pillars],
            rng.normal(0, 0.35, len(touchpoints) * len(pillars)),
            strict=True,
        )
    }
    tp_item = rng.normal(0, 0.15, (len(touchpoints), len(layout.items)))
    site_effect = {code: effect for code, _, _, _, effect in SITES}
    effects = np.zeros((len(links), len(layout.items)))
    for row, link in enumerate(links):
        t = touchpoints.index(link.touchpoint)
        for j, item in enumerate(layout.items):
            mapped = layout.item_pillars.get(item, [])
            pillar = (
                np.mean(
                    [PILLAR_SHORTFALL.get(p, 0.0) + tp_pillar[link.touchpoint, p] for p in mapped]
                )
                if mapped
                else 0.0
            )
            effects[row, j] = (
                pillar
                + link.shortfall
                + site_effect.get(link.site or "", 0.0)
                + tp_item[t, j]
                - 0.3
            )
    return effects


def generate_wave(layout: Layout, wave: int, n: int, first_id: int):
    """Yield the chunks of one wave's ``n`` respondents, ids from ``first_id`` (deterministic).

    E and P are latent normals rounded and clipped to 1–7. Items of a dimension share a
    respondent factor (on E and on P), so that α is meaningful; P = E + gap effect of the
    link × item + segment + wave improvement + the respondent's leniency + noise.
    """
    campaign_id = layout.campaign_ids[wave]
    links = layout.links[campaign_id]
    effects = gap_effects(layout, links)
    shares = np.array([lk.share for lk in links])
    shares /= shares.sum()
    remote = np.array([lk.is_remote for lk in links])
    dims = sorted(set(layout.dimensions))
    dim_of = np.array([dims.index(d) for d in layout.dimensions])
    tangible = np.array([d == "tangibles" for d in layout.dimensions])
    seg_names = np.array([name for name, _ in SEGMENTS])
    seg_shares = np.array([share for _, share in SEGMENTS])
    seg_effect = np.array([SEGMENT_SHORTFALL[name] for name in seg_names])
    item_rng = np.random.default_rng([SEED, 1])
    e_offset = item_rng.normal(0, 0.3, len(layout.items))
    start = np.datetime64(WAVES[wave][2].isoformat() + "T00:00:00", "s")
    improvement = 0.15 * wave
    k = len(layout.items)
    for chunk_index, offset in enumerate(range(0, n, CHUNK)):
        m = min(CHUNK, n - offset)
        rng = np.random.default_rng([SEED, 2, wave, chunk_index])
        link = rng.choice(len(links), size=m, p=shares)
        segment = rng.choice(len(seg_names), size=m, p=seg_shares)
        level = rng.normal(0, 0.4, (m, 1))
        leniency = rng.normal(0, 0.5, (m, 1))
        factor_e = rng.normal(0, 0.35, (m, len(dims)))[:, dim_of]
        factor_p = rng.normal(0, 0.6, (m, len(dims)))[:, dim_of]
        latent_e = 6.0 + e_offset + level + factor_e + rng.normal(0, 0.6, (m, k))
        latent_p = (
            latent_e
            + effects[link]
            + seg_effect[segment][:, None]
            + improvement
            + leniency
            + factor_p
            + rng.normal(0, 0.8, (m, k))
        )
        e = np.clip(np.rint(latent_e), 1, 7).astype(np.int8)
        p = np.clip(np.rint(latent_p), 1, 7).astype(np.int8)
        roll = rng.random((m, k))
        na_both = (roll < NA_BOTH) | (
            tangible & remote[link][:, None] & (roll > 1 - NA_TANGIBLES_REMOTE)
        )
        na_e = (roll >= NA_BOTH) & (roll < NA_BOTH + NA_E)
        na_p = (roll >= NA_BOTH + NA_E) & (roll < NA_BOTH + NA_E + NA_P)
        e[na_both | na_e] = 0
        p[na_both | na_p] = 0
        both = (e > 0) & (p > 0)
        mean_gap = np.where(both, p.astype(float) - e, 0.0).sum(axis=1) / np.maximum(
            1, both.sum(axis=1)
        )
        overall = np.clip(np.rint(5.6 + 0.8 * mean_gap + rng.normal(0, 0.6, m)), 1, 7)
        recommend = np.clip(np.rint(7.5 + 1.5 * mean_gap + rng.normal(0, 1.2, m)), 0, 10)
        seconds = rng.integers(0, WAVE_DAYS * 86400, m).astype("timedelta64[s]")
        weights = rng.dirichlet([STATED_IMPORTANCE[d] / 4 for d in layout.importance], size=m)
        points = np.floor(100 * weights).astype(np.int64)
        points[:, -1] = 100 - points[:, :-1].sum(axis=1)
        points[rng.random(m) < IMPORTANCE_SKIPPED] = -1
        yield Chunk(
            ids=np.arange(first_id + offset, first_id + offset + m, dtype=np.int64),
            link=link,
            segment=seg_names[segment],
            language=np.where(rng.random(m) < 0.9, "es", "en"),
            submitted=np.datetime_as_string(start + seconds, unit="s"),
            overall=overall.astype(np.int64),
            recommend=recommend.astype(np.int64),
            may_contact=rng.random(m) < 0.3,
            e=e,
            p=p,
            points=points,
        )


RESPONSE_COLUMNS = (
    "id",
    "campaign_id",
    "instrument_version_id",
    "touchpoint_id",
    "site_id",
    "channel_id",
    "segment",
    "language",
    "source",
    "submission_key",
    "submitted_at",
    "overall_quality",
    "recommend",
    "may_contact",
)
ANSWER_COLUMNS = ("response_id", "item_code", "e", "p")


def response_rows(layout: Layout, wave: int, chunk: Chunk, backend: str):
    """Return the chunk's ``responses`` rows as tuples in RESPONSE_COLUMNS order."""
    links = layout.links[layout.campaign_ids[wave]]
    which = chunk.link.tolist()
    m = len(which)
    if backend == "postgresql":
        submitted = [f"{s}+00" for s in chunk.submitted.tolist()]
    else:  # SQLAlchemy's SQLite DATETIME storage format
        submitted = [f"{s.replace('T', ' ')}.000000" for s in chunk.submitted.tolist()]
    ids = chunk.ids.tolist()
    return zip(
        ids,
        [layout.campaign_ids[wave]] * m,
        [layout.instrument_version_id] * m,
        [links[i].touchpoint_id for i in which],
        [links[i].site_id for i in which],
        [links[i].channel_id for i in which],
        chunk.segment.tolist(),
        chunk.language.tolist(),
        ["link"] * m,
        [f"bench-{i}" for i in ids],
        submitted,
        chunk.overall.tolist(),
        chunk.recommend.tolist(),
        chunk.may_contact.tolist(),
        strict=True,
    )


def answer_rows(layout: Layout, chunk: Chunk):
    """Return the chunk's ``answers`` rows: one per respondent × item, None for N/A."""
    k = len(layout.items)
    return zip(
        np.repeat(chunk.ids, k).tolist(),
        layout.items * len(chunk.ids),
        [v or None for v in chunk.e.ravel().tolist()],
        [v or None for v in chunk.p.ravel().tolist()],
        strict=True,
    )


def importance_rows(layout: Layout, chunk: Chunk):
    """Return the chunk's ``importance_points`` rows (none for respondents who skipped)."""
    answered = chunk.points[:, 0] >= 0
    k = len(layout.importance)
    return zip(
        np.repeat(chunk.ids[answered], k).tolist(),
        layout.importance * int(answered.sum()),
        chunk.points[answered].ravel().tolist(),
        strict=True,
    )


def wave_sizes(total: int) -> list[int]:
    """Split N responses over the waves (the last, analysed wave gets any remainder)."""
    base = total // len(WAVES)
    return [base] * (len(WAVES) - 1) + [total - base * (len(WAVES) - 1)]


def load_postgresql(target: Target, layout: Layout) -> None:
    """COPY responses, answers and importance points in one transaction, then VACUUM ANALYZE.

    Foreign-key triggers are off during the load (``session_replication_role``): the
    generator only refers to rows it has written.
    """
    columns = ", ".join(RESPONSE_COLUMNS)
    with psycopg.connect(psycopg_dsn(target)) as conn:
        conn.execute("SET session_replication_role = replica")
        with conn.cursor() as cur:
            first = 1
            for wave, n in enumerate(wave_sizes(target.size)):
                for chunk in generate_wave(layout, wave, n, first):
                    with cur.copy(f"COPY responses ({columns}) FROM STDIN") as copy:
                        for row in response_rows(layout, wave, chunk, target.backend):
                            copy.write_row(row)
                    with cur.copy(f"COPY answers ({', '.join(ANSWER_COLUMNS)}) FROM STDIN") as copy:
                        for row in answer_rows(layout, chunk):
                            copy.write_row(row)
                    with cur.copy(
                        "COPY importance_points (response_id, dimension, points) FROM STDIN"
                    ) as copy:
                        for row in importance_rows(layout, chunk):
                            copy.write_row(row)
                first += n
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('responses', 'id'), "
                "(SELECT max(id) FROM responses))"
            )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


def load_sqlite(target: Target, layout: Layout) -> None:
    """Insert with executemany in one transaction (journal and sync off), then ANALYZE."""
    path = target.url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "cache_size=-262144",
            "temp_store=MEMORY",
            "foreign_keys=OFF",
        ):
            conn.execute(f"PRAGMA {pragma}")
        insert_response = (
            "INSERT INTO responses (id, campaign_id, instrument_version_id, touchpoint_id, "
            "site_id, channel_id, segment, language, source, submission_key, submitted_at, "
            "overall_quality, recommend, may_contact) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        insert_answer = "INSERT INTO answers (response_id, item_code, e, p) VALUES (?, ?, ?, ?)"
        insert_points = (
            "INSERT INTO importance_points (response_id, dimension, points) VALUES (?, ?, ?)"
        )
        conn.execute("BEGIN")
        first = 1
        for wave, n in enumerate(wave_sizes(target.size)):
            for chunk in generate_wave(layout, wave, n, first):
                conn.executemany(insert_response, response_rows(layout, wave, chunk, "sqlite"))
                conn.executemany(insert_answer, answer_rows(layout, chunk))
                conn.executemany(insert_points, importance_rows(layout, chunk))
            first += n
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()


# --------------------------------------------------------------------------- data on disk


def prepare(target: Target, keep: bool) -> dict[str, Any]:
    """Generate the target's data (or reuse it with ``keep``); return what was generated."""
    if keep and target.meta_file.exists():
        meta = json.loads(target.meta_file.read_text())
        if meta["generator"] == GENERATOR_VERSION and count_responses(target) == target.size:
            print(f"  {target.backend} {target.size:,}: reusing the generated data")
            ensure_cell_moments(target)
            return meta
    target.workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    reset_schema(target)
    app = make_app(target.url, target.workdir)
    with app.app_context():
        db.create_all()
        layout = build_organisation()
        db.engine.dispose()
    if target.backend == "postgresql":
        load_postgresql(target, layout)
    else:
        load_sqlite(target, layout)
    meta = {
        "generator": GENERATOR_VERSION,
        "size": target.size,
        "campaign_id": layout.campaign_ids[-1],
        "wave": WAVES[-1][0],
        "wave_n": wave_sizes(target.size)[-1],
        "items": layout.items,
        "dimensions": layout.dimensions,
        "item_pillars": layout.item_pillars,
    }
    target.meta_file.write_text(json.dumps(meta))
    seconds = time.perf_counter() - started
    print(
        f"  {target.backend} {target.size:,}: generated {target.size:,} responses, "
        f"{target.size * len(layout.items):,} answers in {seconds:.1f} s (not part of the figures)"
    )
    ensure_cell_moments(target)
    return meta


def ensure_cell_moments(target: Target) -> None:
    """Build the summary's maintained aggregates when empty (bulk COPY loads bypass them).

    What ``servqual gaps refresh`` does; timed and printed, not part of the figures.
    """
    app = make_app(target.url, target.workdir)
    with app.app_context():
        db.create_all()  # the aggregate table, when the data predate it
        if db.session.scalar(sa.select(sa.func.count()).select_from(CellMoments)):
            db.engine.dispose()
            return
        started = time.perf_counter()
        for campaign_id in db.session.scalars(sa.select(Campaign.id).order_by(Campaign.id)):
            rebuild_cell_moments(campaign_id)
        db.session.commit()
        db.engine.dispose()
    seconds = time.perf_counter() - started
    print(
        f"  {target.backend} {target.size:,}: built the summary aggregates in {seconds:.1f} s "
        "(servqual gaps refresh; not part of the figures)"
    )


def count_responses(target: Target) -> int | None:
    """Return the number of stored responses, None when there is no such table."""
    engine = sa.create_engine(target.url)
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text("SELECT count(*) FROM responses"))
    except sa.exc.DBAPIError:
        return None
    finally:
        engine.dispose()


def write_codebook(target: Target, meta: dict[str, Any]) -> Path:
    """Write the item → dimension and pillars codebook the baseline reads."""
    path = target.workdir / f"codebook-{target.backend}-{target.size}.json"
    items = [
        {"code": code, "dimension": dim, "pillars": meta["item_pillars"].get(code, [])}
        for code, dim in zip(meta["items"], meta["dimensions"], strict=True)
    ]
    path.write_text(json.dumps({"items": items}))
    return path


def export_wave(target: Target, meta: dict[str, Any]) -> float:
    """Export the analysed wave as one CSV row per respondent; return the seconds it took.

    Columns: response_id, touchpoint, site, segment, overall_quality and ``<CODE>_E``,
    ``<CODE>_P`` per item (empty for N/A), as an analyst's export would have them.
    """
    started = time.perf_counter()
    items = meta["items"]
    if target.backend == "postgresql":
        pivot = psycopg.sql.SQL(", ").join(
            psycopg.sql.SQL("max(a.{m}) FILTER (WHERE a.item_code = {c}) AS {name}").format(
                m=psycopg.sql.Identifier(measure.lower()),
                c=psycopg.sql.Literal(code),
                name=psycopg.sql.Identifier(f"{code}_{measure}"),
            )
            for code in items
            for measure in ("E", "P")
        )
        query = psycopg.sql.SQL(
            "COPY (SELECT r.id AS response_id, t.code AS touchpoint, s.code AS site, "
            "r.segment, r.overall_quality, {pivot} FROM responses r "
            "JOIN touchpoints t ON t.id = r.touchpoint_id "
            "LEFT JOIN sites s ON s.id = r.site_id "
            "JOIN answers a ON a.response_id = r.id "
            "WHERE r.campaign_id = {campaign} "
            "GROUP BY r.id, t.code, s.code ORDER BY r.id) TO STDOUT WITH (FORMAT csv, HEADER)"
        ).format(pivot=pivot, campaign=psycopg.sql.Literal(meta["campaign_id"]))
        with (
            psycopg.connect(psycopg_dsn(target)) as conn,
            conn.cursor() as cur,
            cur.copy(query) as copy,
            target.csv_file().open("wb") as out,
        ):
            for block in copy:
                out.write(block)
    else:
        columns = [f"{code}_{measure}" for code in items for measure in ("E", "P")]
        if not all(c.replace("_", "").isalnum() for c in columns):
            raise ValueError("unexpected item code")
        pivot = ", ".join(
            f'max(CASE WHEN a.item_code = ? THEN a.{m.lower()} END) AS "{code}_{m}"'
            for code in items
            for m in ("E", "P")
        )
        query = (
            "SELECT r.id, t.code, s.code, r.segment, r.overall_quality, "  # noqa: S608 - codes checked above
            f"{pivot} FROM responses r JOIN touchpoints t ON t.id = r.touchpoint_id "
            "LEFT JOIN sites s ON s.id = r.site_id JOIN answers a ON a.response_id = r.id "
            "WHERE r.campaign_id = ? GROUP BY r.id ORDER BY r.id"
        )
        params = [code for code in items for _ in ("E", "P")] + [meta["campaign_id"]]
        conn = sqlite3.connect(target.url.removeprefix("sqlite:///"))
        try:
            with target.csv_file().open("w", newline="") as out:
                writer = csv.writer(out, lineterminator="\n")
                writer.writerow(
                    ["response_id", "touchpoint", "site", "segment", "overall_quality", *columns]
                )
                cursor = conn.execute(query, params)
                while rows := cursor.fetchmany(10_000):
                    writer.writerows(rows)
        finally:
            conn.close()
    return time.perf_counter() - started


# --------------------------------------------------------------------------- measured runs


def rss_mb(field: str = "VmRSS") -> float:
    """Return this process's resident set size now (``VmHWM``: its peak), in MB (Linux /proc).

    The peak is this program's own: ``VmHWM`` starts afresh at ``exec``, whereas
    ``wait4``'s ``ru_maxrss`` also counts the memory of the parent it was forked from.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _gap_record(key: str, cell: Any) -> dict[str, Any]:
    gap = cell.gap
    return {
        "key": key,
        "n": gap.n,
        "mean": gap.mean,
        "sd": gap.sd,
        "ci_low": gap.ci_low,
        "ci_high": gap.ci_high,
        "p": gap.p_value,
        "wilcoxon_p": gap.wilcoxon_p,
        "adjusted_p": cell.adjusted_p,
        "adjusted_wilcoxon_p": cell.adjusted_wilcoxon_p,
    }


def _level_record(key: str, level: Any) -> dict[str, Any]:
    return {
        "key": key,
        "n": level.n,
        "mean": level.mean,
        "sd": level.sd,
        "ci_low": level.ci_low,
        "ci_high": level.ci_high,
    }


def _code(label: Any) -> str:
    return "" if label is None or label.code is None else str(label.code)


def analysis_records(analysis: Any) -> dict[str, Any]:
    """Flatten a WaveAnalysis into the cells the baseline also computes, keyed alike."""
    cells = [_gap_record(f"all||item|{c.subject.code}", c) for c in analysis.item_gaps]
    for grouping, found in [*analysis.item_gaps_by.items(), *analysis.score_gaps_by.items()]:
        cells.extend(
            _gap_record(f"{grouping}|{_code(c.group)}|{c.level}|{_code(c.subject)}", c)
            for c in found
        )
    for table in (analysis.dimensions, analysis.pillars):
        cells.extend(_gap_record(f"all||{table.level}|{_code(c.subject)}", c) for c in table.gap)
        for measure, levels in (("E", table.expectation), ("P", table.perception)):
            cells.extend(
                _level_record(f"all||{table.level}-{measure}|{_code(s)}", level)
                for s, level in zip(table.subjects, levels, strict=True)
            )
    alphas = [
        {
            "key": f"{r.measure}|{_code(r.dimension)}",
            "n": r.alpha.n,
            "alpha": r.alpha.alpha,
            "ci_low": r.alpha.ci_low,
            "ci_high": r.alpha.ci_high,
        }
        for r in analysis.reliability
    ]
    touchpoints = {c.group.id: _code(c.group) for c in analysis.item_gaps_by.get("touchpoint", ())}
    pillars = [_code(s) for s in analysis.pillars.subjects]
    table = {}
    for tp_id in [*touchpoints, None]:
        for pillar in [*pillars, None]:
            cell = analysis.cell(tp_id, pillar or None)
            if cell is not None:
                table[f"{touchpoints.get(tp_id, '')}|{pillar or ''}"] = [
                    cell.gap.n,
                    cell.gap.mean,
                    cell.gap.ci_low,
                    cell.gap.ci_high,
                ]
    return {
        "n_responses": analysis.campaign.n_responses,
        "cells": cells,
        "alpha": alphas,
        "servqual": analysis.servqual.value,
        "touchpoint_pillar": table,
    }


def summary_records(result: Any) -> dict[str, Any]:
    """Flatten a Summary: touchpoint × pillar cells, margins and overall."""
    cells = [*result.cells, *result.touchpoint_margins, *result.pillar_margins, result.overall]
    return {
        "touchpoint_pillar": {
            f"{_code(c.touchpoint)}|{_code(c.pillar)}": [c.n, c.mean, c.ci_low, c.ci_high]
            for c in cells
        }
    }


def child(argv: list[str]) -> None:
    """Run one measured computation in this (fresh) process and write its results."""
    parser = argparse.ArgumentParser(prog="gaps.py --child")
    parser.add_argument("kind", choices=("analyse", "summary"))
    parser.add_argument("--url", required=True)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--campaign", type=int, required=True)
    parser.add_argument("--by", default="touchpoint,site")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args(argv)
    app = make_app(args.url, args.workdir)
    with app.app_context():
        scope = sources.Scope(args.campaign)
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.001)
            profiler.start()
        before = rss_mb()
        cpu_started = time.process_time()
        started = time.perf_counter()
        if args.kind == "analyse":
            result = sources.analyse_wave(scope, by=tuple(args.by.split(",")))
        else:
            result = sources.summary(scope)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        peak = rss_mb("VmHWM")
        if profiler is not None:
            profiler.stop()
            args.profile.write_text(profiler.output_text(unicode=True, color=False))
        records = analysis_records(result) if args.kind == "analyse" else summary_records(result)
    args.out.write_text(
        json.dumps(
            records
            | {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "rss_before_mb": before,
                "peak_mb": peak,
            }
        )
    )


@dataclass
class Run:
    """One measured subprocess: its own timing, its peak RSS and what it wrote."""

    seconds: float
    cpu_seconds: float
    peak_mb: float
    rss_before_mb: float
    records: dict[str, Any]


def run_measured(command: list[str], out: Path, log: Path) -> Run:
    """Run ``command`` in a fresh process; read its peak RSS from ``wait4``."""
    out.unlink(missing_ok=True)
    with log.open("w") as stream:
        process = subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{log.read_text()[-4000:]}")
    records = json.loads(out.read_text())
    return Run(
        seconds=records["seconds"],
        cpu_seconds=records["cpu_seconds"],
        # The child's own VmHWM; wait4's ru_maxrss (kB) would include the forked parent.
        peak_mb=records.get("peak_mb", usage.ru_maxrss / 1024),
        rss_before_mb=records.get("rss_before_mb", float("nan")),
        records=records,
    )


def servqual_command(target: Target, meta: dict, kind: str, out: Path, profile: Path | None):
    """Return the command line of a measured servqual child."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        kind,
        "--url",
        target.url,
        "--workdir",
        str(target.workdir),
        "--campaign",
        str(meta["campaign_id"]),
        "--out",
        str(out),
    ]
    return [*command, "--profile", str(profile)] if profile else command


# --------------------------------------------------------------------------- checks


TOLERANCE = 1e-9
#: Differences above this in anything but the Gap 5 means are reported as warnings.
WARN_ABOVE = 1e-6
GAP_LEVELS = ("item", "dimension", "pillar")


def _close(a: float | None, b: float | None, tolerance: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def compare_with_baseline(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """Return the disagreements that fail the run (Gap 5 n and means); print the rest."""
    errors: list[str] = []
    by_key = {c["key"]: c for c in ours["cells"]}
    worst: dict[str, float] = {}
    missing = 0
    checked = 0
    for cell in theirs["cells"]:
        level = cell["key"].split("|")[2]
        mine = by_key.get(cell["key"])
        if mine is None:
            missing += 1
            if level in GAP_LEVELS:
                errors.append(f"servqual has no cell {cell['key']}")
            continue
        if level in GAP_LEVELS:
            checked += 1
            if mine["n"] != cell["n"] or not _close(mine["mean"], cell["mean"], TOLERANCE):
                errors.append(
                    f"{cell['key']}: servqual n={mine['n']} mean={mine['mean']!r}, "
                    f"baseline n={cell['n']} mean={cell['mean']!r}"
                )
        for field_name in ("mean", "sd", "ci_low", "ci_high", "p", "wilcoxon_p"):
            a, b = mine.get(field_name), cell.get(field_name)
            if a is not None and b is not None:
                worst[field_name] = max(worst.get(field_name, 0.0), abs(a - b))
        # Score families differ by design (servqual adds the touchpoint "promise" cells to
        # the touchpoint family), so only the item families' adjusted p-values must match.
        for field_name in ("adjusted_p", "adjusted_wilcoxon_p") if level == "item" else ():
            a, b = mine.get(field_name), cell.get(field_name)
            if a is not None and b is not None:
                worst[field_name] = max(worst.get(field_name, 0.0), abs(a - b))
    alphas = {a["key"]: a for a in ours["alpha"]}
    for alpha in theirs["alpha"]:
        mine = alphas.get(alpha["key"])
        if mine and mine["alpha"] is not None:
            for field_name in ("alpha", "ci_low", "ci_high"):
                diff = abs(mine[field_name] - alpha[field_name])
                worst[f"α {field_name}"] = max(worst.get(f"α {field_name}", 0.0), diff)
    if ours.get("servqual") is not None:
        worst["servqual"] = abs(ours["servqual"] - theirs["servqual"])
    summary_line = ", ".join(f"{k} {v:.1e}" for k, v in worst.items())
    print(
        f"    agreement: {checked} Gap 5 cells checked (n and mean to {TOLERANCE:g}); "
        f"max |Δ| {summary_line}"
    )
    if missing:
        print(f"    note: {missing} baseline cells have no servqual counterpart")
    noisy = [k for k, v in worst.items() if v > WARN_ABOVE]
    if noisy:
        print(f"    WARNING: differences above {WARN_ABOVE:g} in: {', '.join(noisy)}")
    return errors


def compare_summary(analysis: dict[str, Any], summary: dict[str, Any]) -> list[str]:
    """Return the summary cells that differ from analyse_wave's touchpoint × pillar cells."""
    errors = []
    expected = analysis["touchpoint_pillar"]
    for key, (n, mean, low, high) in summary["touchpoint_pillar"].items():
        other = expected.get(key)
        if other is None:
            errors.append(f"summary cell {key} has no analyse_wave counterpart")
            continue
        same = other[0] == n and all(
            _close(a, b, TOLERANCE) for a, b in zip(other[1:], (mean, low, high), strict=True)
        )
        if not same:
            errors.append(f"summary {key}: {[n, mean, low, high]} ≠ analyse_wave {other}")
    if not summary["touchpoint_pillar"]:
        errors.append("summary returned no cells")
    print(f"    summary: {len(summary['touchpoint_pillar'])} cells compared with analyse_wave")
    return errors


# --------------------------------------------------------------------------- main


@dataclass
class Row:
    """One line of the results table."""

    size: int
    backend: str
    wave_n: int
    servqual: list[Run]
    summary: list[Run]
    baseline: list[Run]


def median_time(runs: list[Run]) -> float:
    """Median wall time of the runs."""
    return statistics.median(r.seconds for r in runs)


def peak(runs: list[Run]) -> float:
    """Largest peak RSS of the runs."""
    return max(r.peak_mb for r in runs)


def median_cpu(runs: list[Run]) -> float:
    """Median CPU time of the measured call in the child process (not the DB server's)."""
    return statistics.median(r.cpu_seconds for r in runs)


def print_table(rows: list[Row], repeat: int) -> None:
    """Print the figures: median time and largest peak RSS over the repeats."""
    print(f"\nFigures (median of {repeat} run(s); peak RSS of each fresh process):")
    header = (
        f"{'size':>9} {'backend':<10} {'wave n':>7} | {'servqual s':>10} {'cpu s':>6} "
        f"{'peak MB':>7} | {'baseline s':>10} {'cpu s':>6} {'peak MB':>7} | {'ratio':>5} | "
        f"{'summary s':>9} {'peak MB':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        ours, theirs = median_time(row.servqual), median_time(row.baseline)
        print(
            f"{row.size:>9,} {row.backend:<10} {row.wave_n:>7,} | {ours:>10.2f} "
            f"{median_cpu(row.servqual):>6.2f} {peak(row.servqual):>7.0f} | {theirs:>10.2f} "
            f"{median_cpu(row.baseline):>6.2f} {peak(row.baseline):>7.0f} | "
            f"{ours / theirs:>5.2f} | {median_time(row.summary):>9.3f} {peak(row.summary):>7.0f}"
        )
    print(
        "s = wall time of the measured call (servqual: analyse_wave / summary; baseline: "
        "read CSV + compute); cpu s = the child's own CPU time in that call (the database "
        "server's work is not in it); ratio = servqual / baseline wall time. Peak MB = the "
        "child's max RSS, imports included (RSS just before the call: servqual "
        + ", ".join(f"{r.servqual[0].rss_before_mb:.0f}" for r in rows)
        + " MB; baseline "
        + ", ".join(f"{r.baseline[0].rss_before_mb:.0f}" for r in rows)
        + " MB). The database server's memory is not counted."
    )
    for row in rows:
        if row.size == 1_000_000 and row.backend == "postgresql":
            ours, theirs = median_time(row.servqual), median_time(row.baseline)
            checks = [
                ("analyse_wave no slower than the baseline", ours <= theirs),
                ("servqual peak memory under 1 GB", peak(row.servqual) < 1024),
                ("summary under 1 s", median_time(row.summary) < 1.0),
            ]
            print("Targets at 1M on PostgreSQL:")
            for text, met in checks:
                print(f"  {'met   ' if met else 'MISSED'} {text}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the benchmark's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="total responses, all waves")
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--repeat", type=int, default=3, help="median of N runs")
    parser.add_argument("--keep", action="store_true", help="reuse data generated before")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "servqual-bench-gaps",
        help="SQLite files, CSV exports, results (default: %(default)s)",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "SERVQUAL_BENCH_DATABASE_URL",
            "postgresql+psycopg://postgres@127.0.0.1:5432/servqual_bench_gaps",
        ),
        help="PostgreSQL database; each size gets a schema bench_<size>",
    )
    parser.add_argument(
        "--profile", action="store_true", help="also write a pyinstrument profile of analyse_wave"
    )
    return parser.parse_args(argv)


def bench(args: argparse.Namespace) -> int:
    """Generate, measure, compare and print; return the exit status."""
    sizes = [int(s) for s in args.sizes.split(",") if s]
    backends = [b for b in args.backends.split(",") if b]
    unknown = set(backends) - {"postgresql", "sqlite"}
    if unknown:
        raise SystemExit(f"unknown backend(s): {', '.join(sorted(unknown))}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    errors: list[str] = []
    print(
        f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}, "
        f"{os.cpu_count()} CPUs"
    )
    for size in sizes:
        for backend in backends:
            target = target_for(backend, size, args.pg_url, args.workdir)
            print(f"\n{backend}, {size:,} responses ({len(WAVES)} waves)")
            meta = prepare(target, args.keep)
            csv_file = target.csv_file()
            if (
                args.keep
                and csv_file.exists()
                and csv_file.stat().st_mtime > target.meta_file.stat().st_mtime
            ):
                exported = "CSV export reused"
            else:
                exported = f"CSV export {export_wave(target, meta):.1f} s"
            codebook = write_codebook(target, meta)
            print(
                f"  analysed wave {meta['wave']} (campaign {meta['campaign_id']}): "
                f"n = {meta['wave_n']:,} responses; {exported} (not part of the figures)"
            )
            row = Row(size, backend, meta["wave_n"], [], [], [])
            stem = args.workdir / f"{backend}-{size}"
            for index in range(args.repeat):
                profile = stem.with_suffix(".profile.txt") if args.profile and index == 0 else None
                out = stem.with_suffix(".analyse.json")
                command = servqual_command(target, meta, "analyse", out, profile)
                row.servqual.append(run_measured(command, out, stem.with_suffix(".log")))
                out = stem.with_suffix(".summary.json")
                command = servqual_command(target, meta, "summary", out, None)
                row.summary.append(run_measured(command, out, stem.with_suffix(".log")))
                out = stem.with_suffix(".baseline.json")
                command = [
                    sys.executable,
                    str(BASELINE),
                    str(target.csv_file()),
                    str(codebook),
                    "--by",
                    "touchpoint,site",
                    "--out",
                    str(out),
                ]
                row.baseline.append(run_measured(command, out, stem.with_suffix(".log")))
                print(
                    f"  run {index + 1}: analyse_wave {row.servqual[-1].seconds:.2f} s "
                    f"({row.servqual[-1].peak_mb:.0f} MB), summary "
                    f"{row.summary[-1].seconds:.3f} s, baseline {row.baseline[-1].seconds:.2f} s "
                    f"({row.baseline[-1].peak_mb:.0f} MB)"
                )
            if args.profile:
                print(f"  profile: {stem.with_suffix('.profile.txt')}")
            ours, theirs = row.servqual[0].records, row.baseline[0].records
            if ours["n_responses"] != meta["wave_n"] or theirs["n_responses"] != meta["wave_n"]:
                errors.append(
                    f"{backend} {size}: wave n servqual {ours['n_responses']}, "
                    f"baseline {theirs['n_responses']}, generated {meta['wave_n']}"
                )
            found = compare_with_baseline(ours, theirs)
            found += compare_summary(ours, row.summary[0].records)
            errors.extend(f"{backend} {size}: {e}" for e in found)
            rows.append(row)
    print_table(rows, args.repeat)
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"\nData kept in {args.workdir} and PostgreSQL schemas bench_<size> (reuse: --keep).")
    if errors:
        print(f"\nFAILED: {len(errors)} disagreement(s)", file=sys.stderr)
        for error in errors[:30]:
            print(f"  {error}", file=sys.stderr)
        return 1
    print("All Gap 5 means agree with the baseline; summary() equals analyse_wave().")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``--child`` runs one measured computation, anything else the benchmark."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(argv[1:])
        return 0
    return bench(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
