"""Benchmark of the executive PDF report (issue 5) on the demo organisation, 50,000 responses.

Builds the demo organisation (:mod:`servqual.demo`: sites, cycles, promise, pillars,
standards, users, two waves) in a fresh PostgreSQL database with
:func:`servqual.surveys.demo_data.build` sized to ``--responses`` in all (split evenly
over the two waves' links), rebuilds the maintained cell moments and the planner's
statistics (``VACUUM ANALYZE``, as autovacuum would after a bulk load), then writes the
executive report (es) of the latest wave the way the report job does
(:func:`servqual.reports.operations.generate` on a stored report row) and prints:

- the total time to the finished PDF (file written, row updated);
- the parts: statistics, charts, and the seconds spent inside WeasyPrint;
- the ratio total / WeasyPrint, the page count and the file size;
- the CPU seconds of the benchmark's own process, in all and inside WeasyPrint: on a
  shared machine the clock measures the neighbours too (the database server's CPU, part
  of the statistics, is not in them).

Targets: total < 1.5 × WeasyPrint, total < 20 s, PDF < 3 MB. The machine may be shared,
so the ratio says more than the seconds. Loading the data is timed but not part of the
figures. The database is dropped and created again on every run; the instance folder
(the stored PDFs) is a temporary directory. Run from the repository root::

    python bench/report.py --responses 50000 --repeat 3
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa
from flask import current_app

from servqual import create_app, demo
from servqual.extensions import db
from servqual.instruments.operations import sync_directory
from servqual.reports import operations
from servqual.reports.models import Report, ReportKind
from servqual.surveys import demo_data
from servqual.surveys.aggregates import rebuild_cell_moments
from servqual.surveys.models import Campaign, Response

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/servqual_bench_report"
TARGET_RATIO = 1.5
TARGET_SECONDS = 20.0
TARGET_BYTES = 3 * 1024 * 1024


def reset_database(url: str) -> None:
    """Drop and create the benchmark's PostgreSQL database."""
    parsed = sa.make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        raise SystemExit("bench/report.py needs a PostgreSQL URL")
    name = parsed.database
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def analyze_database(url: str) -> None:
    """Refresh the planner's statistics after the bulk load, as autovacuum soon would.

    Without them PostgreSQL plans the wave's queries for a few dozen rows where there
    are half a million, and the figures measure a database nobody runs.
    """
    parsed = sa.make_url(url).set(drivername="postgresql")
    with psycopg.connect(parsed.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def load(responses: int) -> tuple[Campaign, int]:
    """Build the demo organisation with about ``responses`` responses; return the latest wave."""
    db.create_all()
    sync_directory(Path(current_app.config["INSTRUMENTS_DIR"]))
    demo._build_organisation()
    campaigns = demo._build_campaigns()
    links = sum(len(c.links) for c in campaigns)
    count = demo_data.build(campaigns, per_link=max(1, math.ceil(responses / links)))
    db.session.flush()
    for campaign in campaigns:
        rebuild_cell_moments(campaign.id)
    db.session.commit()
    return campaigns[-1], count


def measure(campaign: Campaign) -> dict[str, float]:
    """Write one executive report the way the report job does; return its figures."""
    report = operations.request_report(ReportKind.EXECUTIVE, campaign, None, "es", None)
    db.session.commit()
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    started, started_cpu = time.perf_counter(), time.process_time()
    built = operations.generate(report, on_step=lambda _step: db.session.commit())
    db.session.commit()
    total = time.perf_counter() - started
    total_cpu = time.process_time() - started_cpu
    timings = built.timings
    return {
        "total": total,
        "statistics": timings["statistics"],
        "charts": timings["charts"],
        "weasyprint": timings["weasyprint"],
        # Jinja, the file and the row: rendering minus WeasyPrint, plus what surrounds build().
        "other": total - timings["statistics"] - timings["charts"] - timings["weasyprint"],
        "ratio": total / built.timings["weasyprint"],
        # CPU seconds of this process (the database server's work is not in them).
        "cpu_total": total_cpu,
        "cpu_weasyprint": built.pdf.cpu_seconds,
        "pages": built.pdf.pages,
        "bytes": len(built.pdf.data),
        "path": str(operations.report_path(report)),
    }


def line(figures: dict[str, float]) -> str:
    """Format one run's figures on one line."""
    return (
        f"total {figures['total']:6.2f} s | statistics {figures['statistics']:5.2f} s | "
        f"charts {figures['charts']:5.2f} s | weasyprint {figures['weasyprint']:5.2f} s | "
        f"other {figures['other']:5.2f} s | total/weasyprint {figures['ratio']:.2f} | "
        f"{figures['pages']:.0f} pages | {figures['bytes'] / 1024:.0f} KB | "
        f"cpu here {figures['cpu_total']:.2f} s, in weasyprint {figures['cpu_weasyprint']:.2f} s"
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the benchmark's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=50_000, help="in all, both waves")
    parser.add_argument("--repeat", type=int, default=3, help="median of N reports")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SERVQUAL_BENCH_DATABASE_URL", DEFAULT_URL),
        help="PostgreSQL database, dropped and created again (default: %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Load, measure, print; return 1 when a target is missed."""
    args = parse_args(argv)
    print(
        f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} CPUs",
        flush=True,
    )
    reset_database(args.database_url)
    with tempfile.TemporaryDirectory(prefix="servqual-bench-report-") as instance:
        os.environ["SERVQUAL_INSTANCE_PATH"] = instance
        app = create_app(
            {
                "DATABASE_URL": args.database_url,
                "SECRET_KEY": "bench-secret-key",
                "RATELIMIT_ENABLED": False,
                "INSTANCE_PATH": instance,
                "REDIS_URL": None,
            }
        )
        with app.app_context():
            started = time.perf_counter()
            campaign, count = load(args.responses)
            in_wave = db.session.scalar(
                sa.select(sa.func.count()).where(Response.campaign_id == campaign.id)
            )
            analyze_database(args.database_url)
            print(
                f"loaded {count} responses ({in_wave} in the reported wave {campaign.wave}) "
                f"in {time.perf_counter() - started:.1f} s (not part of the figures)",
                flush=True,
            )
            runs = []
            for i in range(args.repeat):
                figures = measure(campaign)
                runs.append(figures)
                print(f"run {i + 1}: {line(figures)}", flush=True)
            median = {
                key: statistics.median(run[key] for run in runs)
                for key in (
                    "total",
                    "statistics",
                    "charts",
                    "weasyprint",
                    "other",
                    "ratio",
                    "pages",
                    "bytes",
                    "cpu_total",
                    "cpu_weasyprint",
                )
            }
            print(f"median of {len(runs)} (each figure on its own): {line(median)}")
            print(
                f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}",
                flush=True,
            )
            db.session.remove()
            db.engine.dispose()
    checks = [
        (f"total/weasyprint < {TARGET_RATIO}", median["ratio"] < TARGET_RATIO),
        (f"total < {TARGET_SECONDS:.0f} s", median["total"] < TARGET_SECONDS),
        ("PDF < 3 MB", median["bytes"] < TARGET_BYTES),
    ]
    print("targets: " + ", ".join(f"{name} {'ok' if ok else 'MISSED'}" for name, ok in checks))
    return 0 if all(ok for _name, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
