"""Load test of the respondent flow: servqual under gunicorn against a bare Flask insert.

Usage (from the checkout, with the virtualenv active and PostgreSQL on 127.0.0.1)::

    createdb -h 127.0.0.1 -U postgres servqual_bench_submit      # once
    python bench/submit.py                                        # defaults, about 1.5 min
    python bench/submit.py --workers 4 --threads 2 --concurrency 32 --duration 30
    python bench/submit.py --repeat 3                             # median of three runs
    python bench/submit.py --respondents 1000                     # fixed number of journeys
    python bench/submit.py --database-url postgresql+psycopg://u@host/other_bench_db

What one run does:

1. Resets the bench database (``DROP SCHEMA public CASCADE``; the database name must contain
   "bench"), builds the schema from the models (``db.create_all()``, as the tests do), syncs
   the instrument files, builds the demo organisation (``servqual.demo``: sites, touchpoints,
   staff) and one open ``servqual-22`` campaign in the E-then-P format with its public links.
   It also creates the ``bench_bare_hits`` table of ``bench/bare_app.py``.
2. Starts ``gunicorn --workers N --threads T 'servqual.wsgi:server_app()'`` (the application
   as ``servqual serve`` runs it, import-time objects frozen out of the garbage collector's
   way) on 127.0.0.1 with rate limits off (``SERVQUAL_RATELIMIT_ENABLED=false``) and
   ``SERVQUAL_INSTANCE_PATH`` in a temporary folder. ``--threads 1`` (the default) gives
   gunicorn's sync workers, as ``servqual serve`` runs; more threads give gthread workers,
   which also keep connections alive.
3. Runs ``--concurrency`` respondents (asyncio tasks of ``bench/loadgen.py``, a lean HTTP/1.1
   client, in this process), each looping over complete journeys through the real public
   flow, links taken in turn: GET ``/s/<slug>``, POST the consent with its CSRF token, then
   for each page GET it, read the CSRF token from the HTML and POST the answers (22
   expectations, 22 perceptions, then overall quality, recommendation, 100 importance points
   and a comment), and finally GET the thank-you page (``bench/respondent.py``). A journey
   counts as completed when the last POST (the submit) is answered ``303`` to ``/s/thanks``
   and that page answers 200. A fraction of submits (``--double-submit``) is sent twice at
   once, like a double click, to exercise the exactly-once path. There is no think time:
   each client sends its next request as soon as it has the answer (``--think`` adds a
   pause before every request, for a separate, paced figure). After ``--warmup`` seconds
   the measured window starts and lasts ``--duration`` seconds (journeys under way at the
   end are finished but not counted), or until ``--respondents`` journeys have run.
4. Stops servqual, starts ``gunicorn --workers N --threads T 'bare_app:server_app()'`` (frozen
   the same way) and hammers its ``POST /hits`` (one ORM insert and commit) with the same
   client, concurrency and pacing for the same measured time.
5. Prints throughput (completed responses/s and requests/s) and p50/p95/p99 latency in ms
   of both, the ratio of their requests/s, the targets (servqual at least half the bare
   throughput; POST p95 under 150 ms at 32 respondents), and the integrity check. It also
   prints the CPU each request cost gunicorn, its PostgreSQL backends and the client (read
   from /proc over the measured window), and the CPU the rest of the machine used meanwhile:
   unlike throughput, CPU per request barely moves when something else busies the machine,
   and it gives each server's CPU-bound ceiling.

With ``--repeat N`` steps 2 to 5 run N times on the same database and a last table gives
the median of each figure.

Exit status: 0 when the database holds exactly one response per submitted journey (nothing
lost, nothing doubled) and one bare row per 2xx answer, 1 otherwise, 2 when a server does not
start. Missed performance targets are reported, not turned into a failure.

Mind the hardware: the load generator, both gunicorns and PostgreSQL share the machine's
cores (two on the reference machine), so the figures are a floor, not a capacity.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from loadgen import Client, Run, Sample, closed_loop
from respondent import BareClient, PageLayouts, Plan, journey
from servers import BENCH_DIR, CpuMeter, Server

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/servqual_bench_submit"
TARGET_RATIO = 0.5
TARGET_P95_MS = 150.0
TARGET_CONCURRENCY = 32


# --- the database --------------------------------------------------------------------------


def prepare_database(url: str) -> tuple[list[str], int]:
    """Reset the bench database and build the demo campaign; return its slugs and its id."""
    import bare_app
    from flask_babel import force_locale

    from servqual import create_app, demo
    from servqual.extensions import db
    from servqual.instruments.operations import sync_directory
    from servqual.service.models import Site, Touchpoint
    from servqual.surveys.internal_operations import latest_version
    from servqual.surveys.models import Campaign
    from servqual.surveys.operations import ensure_links

    app = create_app()
    with app.app_context(), force_locale("es"):
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        db.create_all()
        bare_app.Base.metadata.create_all(db.engine)
        sync_directory(Path(app.config["INSTRUMENTS_DIR"]))
        demo._build_organisation()
        campaign = Campaign(
            name="Benchmark",
            wave="BENCH",
            instrument_version=latest_version("servqual-22"),
            format="e_then_p",
            status="open",
        )
        campaign.touchpoints = list(db.session.scalars(sa.select(Touchpoint)))
        campaign.sites = list(db.session.scalars(sa.select(Site)))
        db.session.add(campaign)
        db.session.flush()
        slugs = [link.slug for link in ensure_links(campaign)]
        campaign_id = campaign.id
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return slugs, campaign_id


def counts(url: str, campaign_id: int) -> dict[str, int]:
    """Count what the database holds after the run."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:

            def scalar(sql: str) -> int:
                return connection.execute(sa.text(sql), {"c": campaign_id}).scalar_one()

            return {
                "responses": scalar("SELECT count(*) FROM responses WHERE campaign_id = :c"),
                "distinct_keys": scalar(
                    "SELECT count(DISTINCT submission_key) FROM responses WHERE campaign_id = :c"
                ),
                "drafts": scalar("SELECT count(*) FROM survey_drafts"),
                "answers": scalar(
                    "SELECT count(*) FROM answers JOIN responses r ON r.id = answers.response_id"
                    " WHERE r.campaign_id = :c"
                ),
                "bare_rows": scalar("SELECT count(*) FROM bench_bare_hits"),
            }
    finally:
        engine.dispose()


# --- reporting -----------------------------------------------------------------------------


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(fraction * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def latencies(samples: list[Sample]) -> tuple[int, float, float, float, float]:
    """Return n, p50, p95, p99 and max of some samples, in ms."""
    values = sorted(s.ms for s in samples)
    p50, p95, p99 = (percentile(values, f) for f in (0.50, 0.95, 0.99))
    return len(values), p50, p95, p99, (values[-1] if values else float("nan"))


def latency_row(label: str, samples: list[Sample]) -> str:
    """Format one latency line."""
    n, *ms = latencies(samples)
    return f"  {label:<30}{n:>8}" + "".join(f"{v:>8.1f}" for v in ms)


def verdict(ok: bool) -> str:
    """Say whether a target is met."""
    return "met" if ok else "MISSED"


# --- running the load ----------------------------------------------------------------------


def _paced(think: float, rng: random.Random):
    """Return a coroutine that pauses like a respondent reading (none when ``think`` is 0)."""

    async def pause() -> None:
        if think:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))

    return pause


def run_servqual(args, plan: Plan, meter: CpuMeter) -> Run:
    """Hammer the respondent flow with ``args.concurrency`` closed-loop clients."""
    rngs = [random.Random(args.seed * 1000 + i) for i in range(args.concurrency)]

    async def step(index: int, n: int, tally) -> None:
        slug = plan.slugs[(index + n * args.concurrency) % len(plan.slugs)]
        await journey(plan, slug, rngs[index], tally, _paced(args.think, rngs[index]))

    return asyncio.run(
        closed_loop(step, args.concurrency, args.warmup, args.duration, args.respondents, meter)
    )


def run_bare(args, plan: Plan, seconds: float, meter: CpuMeter) -> Run:
    """Hammer the bare insert with the same clients and pacing for ``seconds``."""
    rngs = [random.Random(args.seed * 1000 + i) for i in range(args.concurrency)]

    async def main() -> Run:
        clients = [BareClient(Client(plan.host, plan.port)) for _ in range(args.concurrency)]

        async def step(index: int, _n: int, tally) -> None:
            await _paced(args.think, rngs[index])()
            await clients[index].hit(rngs[index], tally)

        try:
            return await closed_loop(step, args.concurrency, args.warmup, seconds, None, meter)
        finally:
            for bare in clients:
                await bare.client.close()

    return asyncio.run(main())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        description="Benchmark servqual's public submit flow against a bare Flask insert.",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per gunicorn worker (default 1: sync workers; more: gthread workers)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=32, help="concurrent respondents (default 32)"
    )
    how_long = parser.add_mutually_exclusive_group()
    how_long.add_argument("--duration", type=float, help="measured seconds per server (default 30)")
    how_long.add_argument("--respondents", type=int, help="measured journeys instead of a duration")
    parser.add_argument(
        "--warmup", type=float, default=5.0, help="unmeasured seconds first (default 5)"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of both servers; medians printed (default 1)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause in seconds before each request (default 0: no think time, "
        "the target's setting; anything else is a different, paced figure)",
    )
    parser.add_argument(
        "--double-submit",
        type=float,
        default=0.05,
        help="share of submits sent twice at once (default 0.05)",
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=f"PostgreSQL database to reset and use (default {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--seed", type=int, default=1, help="answers' random seed")
    parser.add_argument(
        "--keep-logs",
        action="store_true",
        help="keep the gunicorn logs (kept anyway when a check fails)",
    )
    args = parser.parse_args(argv)
    if args.duration is None and args.respondents is None:
        args.duration = 30.0
    if min(args.workers, args.threads, args.concurrency, args.repeat) < 1:
        parser.error("--workers, --threads, --concurrency and --repeat must be at least 1")
    if args.think < 0:
        parser.error("--think cannot be negative")
    database = sa.engine.make_url(args.database_url)
    if not database.drivername.startswith("postgresql"):
        parser.error("--database-url must be a PostgreSQL URL")
    if "bench" not in (database.database or ""):
        parser.error("the database is reset on every run: its name must contain 'bench'")
    if database.drivername == "postgresql":
        args.database_url = database.set(drivername="postgresql+psycopg").render_as_string(
            hide_password=False
        )
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="servqual-bench-"))
    env = {
        **os.environ,
        "SERVQUAL_DATABASE_URL": args.database_url,
        "SERVQUAL_RATELIMIT_ENABLED": "false",
        "SERVQUAL_INSTANCE_PATH": str(workdir / "instance"),
        "SERVQUAL_SECRET_KEY": secrets.token_hex(32),
        "BENCH_BARE_DATABASE_URL": args.database_url,
        "PYTHONPATH": os.pathsep.join(
            [str(BENCH_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    os.environ.update(env)
    shown_url = sa.engine.make_url(args.database_url).render_as_string(hide_password=True)
    how_long = (
        f"{args.duration:g} s measured"
        if args.duration is not None
        else f"{args.respondents} journeys measured"
    )
    kind = "sync workers" if args.threads == 1 else f"gthread workers × {args.threads} threads"
    pacing = f"think time {args.think:g} s" if args.think else "no think time"
    print(
        f"servqual submit benchmark on {os.cpu_count()} CPU cores, shared by the load "
        "generator, gunicorn and PostgreSQL; load average before the run "
        f"{os.getloadavg()[0]:.1f} (anything else running skews the figures)"
    )
    print(
        f"gunicorn {args.workers} {kind} per server; {args.concurrency} concurrent clients, "
        f"{pacing}; {args.warmup:g} s warm-up then {how_long}; {args.repeat} run(s); "
        f"database {shown_url}"
    )
    status = 2
    try:
        started = time.perf_counter()
        slugs, campaign_id = prepare_database(args.database_url)
        print(
            f"reset the database and built the demo campaign in "
            f"{time.perf_counter() - started:.1f} s ({len(slugs)} links)"
        )
        layouts = PageLayouts(args.seed)
        figures, status = [], 0
        for repetition in range(1, args.repeat + 1):
            if args.repeat > 1:
                print(f"\n=== run {repetition} of {args.repeat} ===")
            before = counts(args.database_url, campaign_id)
            flow, bare = one_run(args, env, workdir, slugs, layouts)
            found = counts(args.database_url, campaign_id)
            delta = {k: found[k] - before[k] for k in ("responses", "answers", "bare_rows")}
            new_keys = found["distinct_keys"] - before["distinct_keys"]
            run_figures, run_status = report(args, flow, bare, found, delta, new_keys)
            figures.append(run_figures)
            status = max(status, run_status)
        if args.repeat > 1:
            print_medians(figures)
    except BaseException:
        args.keep_logs = True
        raise
    finally:
        if args.keep_logs or status != 0:
            print(f"gunicorn logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return status


def one_run(args, env: dict, workdir: Path, slugs: list[str], layouts: PageLayouts):
    """Hammer servqual, then the bare app for the same time; return both runs."""
    servqual = Server(
        "servqual",
        "servqual.wsgi:server_app()",
        args.workers,
        args.threads,
        env,
        workdir / "servqual.log",
    )
    servqual.wait_ready(f"/s/{slugs[0]}")
    meter = CpuMeter(servqual, args.database_url)
    try:
        plan = Plan("127.0.0.1", servqual.port, slugs, args.double_submit, layouts)
        flow = run_servqual(args, plan, meter)
    finally:
        meter.close()
        servqual.stop()

    bare_server = Server(
        "bare app", "bare_app:server_app()", args.workers, args.threads, env, workdir / "bare.log"
    )
    bare_server.wait_ready("/")
    meter = CpuMeter(bare_server, args.database_url)
    try:
        plan = Plan("127.0.0.1", bare_server.port, ["-"], 0.0, layouts)
        bare = run_bare(args, plan, flow.seconds, meter)
    finally:
        meter.close()
        bare_server.stop()
    return flow, bare


def report(args, flow: Run, bare: Run, found: dict, delta: dict, new_keys: int):
    """Print the figures and the checks of one run; return its figures and exit status."""
    header = f"  {'latency (ms)':<30}{'n':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}"
    flow_requests = flow.samples("get", "post", "submit")
    flow_rps = len(flow_requests) / flow.seconds
    bare_rps = len(bare.samples("bare")) / bare.seconds
    print(f"\nservqual respondent flow (servqual-22, E then P), {flow.seconds:.1f} s measured")
    print(f"  completed responses  {flow.completed():>8}  {flow.completed() / flow.seconds:8.1f}/s")
    print(f"  requests             {len(flow_requests):>8}  {flow_rps:8.1f}/s")
    print(header)
    print(latency_row("GET pages", flow.samples("get")))
    print(latency_row("POST consent and pages", flow.samples("post")))
    print(latency_row("POST submit", flow.samples("submit")))
    print(latency_row("all POSTs", flow.samples("post", "submit")))
    print(latency_row("all requests", flow_requests))
    _, post_p50, post_p95, post_p99, _ = latencies(flow.samples("post", "submit"))

    print(f"\nbare Flask + SQLAlchemy insert, {bare.seconds:.1f} s measured")
    print(f"  requests             {len(bare.samples('bare')):>8}  {bare_rps:8.1f}/s")
    print(header)
    print(latency_row("POST /hits", bare.samples("bare")))
    _, bare_p50, bare_p95, bare_p99, _ = latencies(bare.samples("bare"))

    cores = os.cpu_count() or 1
    print("\nCPU per request in the measured window (not skewed by other load on the machine)")
    print(
        f"  {'ms of CPU':<14}{'gunicorn':>10}{'postgres':>10}{'servers':>10}{'client':>10}"
        f"{'other':>10}   machine busy"
    )
    per_request = {}
    for name, run, n in (
        ("servqual", flow, len(flow_requests)),
        ("bare app", bare, len(bare.samples("bare"))),
    ):
        per = {role: 1000 * used / max(n, 1) for role, used in run.cpu.items()}
        per["servers"] = per.get("gunicorn", 0.0) + per.get("postgres", 0.0)
        per_request[name] = per
        busy = run.cpu.get("machine", 0.0) / max(run.cpu.get("capacity", 0.0), 1e-9)
        print(
            f"  {name:<14}"
            + "".join(
                f"{per.get(r, 0):>10.2f}" for r in ("gunicorn", "postgres", "servers", "client")
            )
            + f"{per.get('other', 0):>10.2f}   {100 * busy:.0f} %"
        )
    ceiling = {name: 1000 * cores / per["servers"] for name, per in per_request.items()}
    print(
        f"  servers' CPU-bound ceiling on {cores} cores (client and others excluded): servqual "
        f"{ceiling['servqual']:.0f} requests/s, bare {ceiling['bare app']:.0f} requests/s, "
        f"ratio {ceiling['servqual'] / ceiling['bare app']:.2f}"
    )

    print(f"\nload average at the end of the run {os.getloadavg()[0]:.1f}")
    ratio = flow_rps / bare_rps if bare_rps else float("nan")
    print("\ntargets")
    if args.think:
        print(
            f"  paced run (think time {args.think:g} s): the targets are set without think time "
            f"and do not apply; requests/s servqual ÷ bare = {ratio:.2f} (the pacing, not the "
            f"servers, sets it), servqual POST p95 = {post_p95:.1f} ms, "
            f"bare p95 = {bare_p95:.1f} ms"
        )
    else:
        print(
            f"  requests/s servqual ÷ bare = {ratio:.2f} "
            f"(target ≥ {TARGET_RATIO:.2f}: {verdict(ratio >= TARGET_RATIO)})"
        )
        print(
            f"  (closed loop: mean latency ≈ clients ÷ requests/s = "
            f"{1000 * args.concurrency / max(flow_rps, 1e-9):.0f} ms for servqual, "
            f"{1000 * args.concurrency / max(bare_rps, 1e-9):.0f} ms for the bare app; a mean "
            f"under {TARGET_P95_MS:.0f} ms at {TARGET_CONCURRENCY} clients needs more than "
            f"{1000 * TARGET_CONCURRENCY / TARGET_P95_MS:.0f} requests/s)"
        )
        print(
            f"  servqual POST p95 = {post_p95:.1f} ms at {args.concurrency} respondents "
            f"(target < {TARGET_P95_MS:.0f} ms at {TARGET_CONCURRENCY}: "
            f"{verdict(post_p95 < TARGET_P95_MS)}); bare p95 = {bare_p95:.1f} ms"
        )

    submitted = sum(t.submitted for t in flow.tallies)
    submits = flow.all_samples("submit")
    submit_3xx = sum(300 <= s.status < 400 for s in submits)
    duplicates = sum(t.duplicates for t in flow.tallies)
    bare_ok = sum(200 <= s.status < 300 for s in bare.all_samples("bare"))
    failures = flow.failures() + bare.failures()
    print("\nintegrity (every journey of this run, warm-up and overtime included)")
    print(
        f"  submit POSTs answered 303 → thanks: {submit_3xx} "
        f"({duplicates} double clicks sent twice); journeys submitted: {submitted}, "
        f"completed to the thank-you page: {flow.all_completed()}"
    )
    print(
        f"  new responses in the database: {delta['responses']} ({new_keys} new distinct "
        f"submission keys, {delta['answers']} answers); drafts left: {found['drafts']}"
    )
    print(f"  bare 2xx answers: {bare_ok}; new bare rows: {delta['bare_rows']}")
    for what, n in sorted(failures.items()):
        print(f"  failed: {what} ×{n}")
    ok = delta["responses"] == submitted and new_keys == submitted and delta["bare_rows"] == bare_ok
    if ok:
        print("  OK: one response per submitted journey, one bare row per 2xx answer")
    else:
        print("  FAILED: responses lost or doubled (see the counts above)")
    figures = {
        "servqual requests/s": flow_rps,
        "servqual responses/s": flow.completed() / flow.seconds,
        "servqual POST p50 ms": post_p50,
        "servqual POST p95 ms": post_p95,
        "servqual POST p99 ms": post_p99,
        "bare requests/s": bare_rps,
        "bare p50 ms": bare_p50,
        "bare p95 ms": bare_p95,
        "bare p99 ms": bare_p99,
        "ratio": ratio,
        "servqual server CPU ms/request": per_request["servqual"]["servers"],
        "bare server CPU ms/request": per_request["bare app"]["servers"],
        "servqual client CPU ms/request": per_request["servqual"].get("client", 0.0),
        "bare client CPU ms/request": per_request["bare app"].get("client", 0.0),
    }
    return figures, 0 if ok else 1


def print_medians(figures: list[dict[str, float]]) -> None:
    """Print the median of each figure over the runs, with its range."""
    print(f"\nmedian of {len(figures)} runs (min – max)")
    for name in figures[0]:
        values = [f[name] for f in figures]
        print(
            f"  {name:<34}{statistics.median(values):>9.2f}   "
            f"({min(values):.2f} – {max(values):.2f})"
        )


if __name__ == "__main__":
    sys.exit(main())
