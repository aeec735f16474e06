"""Load test of the respondent flow: servqual under gunicorn against a bare Flask insert.

Usage (from the checkout, with the virtualenv active and PostgreSQL on 127.0.0.1)::

    createdb -h 127.0.0.1 -U postgres servqual_bench_submit      # once
    python bench/submit.py                                        # defaults, about 1.5 min
    python bench/submit.py --workers 4 --concurrency 32 --duration 30
    python bench/submit.py --respondents 1000                     # fixed number of journeys
    python bench/submit.py --database-url postgresql+psycopg://u@host/other_bench_db

What one run does:

1. Resets the bench database (``DROP SCHEMA public CASCADE``; the database name must contain
   "bench"), builds the schema from the models (``db.create_all()``, as the tests do), syncs
   the instrument files, builds the demo organisation (``servqual.demo``: sites, touchpoints,
   staff) and one open ``servqual-22`` campaign in the E-then-P format with its public links.
   It also creates the ``bench_bare_hits`` table of ``bench/bare_app.py``.
2. Starts ``gunicorn --workers N 'servqual:create_app()'`` on 127.0.0.1 with rate limits off
   (``SERVQUAL_RATELIMIT_ENABLED=false``) and ``SERVQUAL_INSTANCE_PATH`` in a temporary folder
   (``servqual serve`` runs the same gunicorn sync workers, plus an access log).
3. Runs ``--concurrency`` respondents (threads, ``requests``), each looping over complete
   journeys through the real public flow, links taken in turn: GET ``/s/<slug>``, POST the
   consent with its CSRF token, then for each page GET it, read the CSRF token and the
   radio buttons from the HTML and POST the answers (22 expectations, 22 perceptions, then
   overall quality, recommendation, 100 importance points and a comment), and finally GET
   the thank-you page. A journey counts as completed when the last POST (the submit) is
   answered ``303`` to ``/s/thanks`` and that page answers 200. A fraction of submits
   (``--double-submit``) is sent twice at once, like a double click, to exercise the
   exactly-once path. After ``--warmup`` seconds the measured window starts and lasts
   ``--duration`` seconds (journeys under way at the end are finished but not counted),
   or until ``--respondents`` journeys have run.
4. Stops servqual, starts ``gunicorn --workers N bare_app:create_app()`` and hammers its
   ``POST /hits`` (one ORM insert and commit) with the same client and concurrency for the
   same measured time.
5. Prints throughput (completed responses/s and requests/s) and p50/p95/p99 latency in ms
   of both, the ratio of their requests/s, the targets (servqual at least half the bare
   throughput; POST p95 under 150 ms at 32 respondents), and the integrity check. It also
   prints the CPU each request cost gunicorn, its PostgreSQL backends and the client (read
   from /proc over the measured window): unlike throughput, that figure barely moves when
   something else busies the machine, and it gives each server's CPU-bound ceiling.

Exit status: 0 when the database holds exactly one response per submitted journey (nothing
lost, nothing doubled) and one bare row per 2xx answer, 1 otherwise, 2 when a server does not
start. Missed performance targets are reported, not turned into a failure.

Mind the hardware: the load generator, both gunicorns and PostgreSQL share the machine's
cores (two on the reference machine), so the figures are a floor, not a capacity.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
import sqlalchemy as sa

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/servqual_bench_submit"
TARGET_RATIO = 0.5
TARGET_P95_MS = 150.0
TARGET_CONCURRENCY = 32

# --- parsing the pages ---------------------------------------------------------------------

_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_TEXTAREA = re.compile(r'<textarea\b[^>]*name="([^"]+)"', re.IGNORECASE)
_PROGRESS = re.compile(r'<progress max="(\d+)"')


class JourneyFailed(Exception):
    """A request in a journey got an answer a browser user would see as broken."""


def form_fields(html: str) -> tuple[str, dict[str, list[str]], list[str], list[str], list[str]]:
    """Return the CSRF token, radio groups, number inputs, checkboxes and textareas."""
    csrf = ""
    radios: dict[str, list[str]] = {}
    numbers: list[str] = []
    checkboxes: list[str] = []
    for tag in _INPUT.findall(html):
        attrs = dict(_ATTR.findall(tag))
        name, kind = attrs.get("name", ""), attrs.get("type", "text")
        if name == "csrf_token":
            csrf = attrs.get("value", "")
        elif kind == "radio":
            radios.setdefault(name, []).append(attrs.get("value", ""))
        elif kind == "number":
            numbers.append(name)
        elif kind == "checkbox":
            checkboxes.append(name)
    if not csrf:
        raise JourneyFailed("no csrf_token in the page")
    return csrf, radios, numbers, checkboxes, _TEXTAREA.findall(html)


def answers_for(html: str, rng: random.Random) -> dict[str, str]:
    """Fill in a questionnaire page the way a respondent would."""
    csrf, radios, numbers, checkboxes, textareas = form_fields(html)
    data = {"csrf_token": csrf, "action": "next"}
    for name, values in radios.items():
        scale = [v for v in values if v != "na"]
        data[name] = "na" if "na" in values and rng.random() < 0.03 else rng.choice(scale)
    if numbers:  # the importance points must add up to 100
        cuts = sorted(rng.randint(0, 100) for _ in range(len(numbers) - 1))
        for name, low, high in zip(numbers, [0, *cuts], [*cuts, 100], strict=True):
            data[name] = str(high - low)
    for name in checkboxes:
        if rng.random() < 0.3:
            data[name] = "y"
    for name in textareas:
        data[name] = "La atención fue buena, pero la fila fue larga."
    return data


# --- recording -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One HTTP request as the client saw it."""

    kind: str  # get, post, submit, bare
    status: int  # 0 when the connection failed
    started: float
    ended: float

    @property
    def ms(self) -> float:
        """Return the latency in milliseconds."""
        return (self.ended - self.started) * 1000


@dataclass
class Tally:
    """What one client thread saw (merged after the run; no locks on the hot path)."""

    samples: list[Sample] = field(default_factory=list)
    completed: list[float] = field(default_factory=list)  # end time of each completed journey
    submitted: int = 0  # journeys whose submit was answered 303 to the thank-you page
    failures: Counter = field(default_factory=Counter)
    duplicates: int = 0


def timed(
    tally: Tally, session: requests.Session, kind: str, method: str, url: str, **kwargs
) -> requests.Response | None:
    """Send one request, record its latency and status; ``None`` when the connection failed."""
    started = time.perf_counter()
    try:
        response = session.request(method, url, allow_redirects=False, timeout=60, **kwargs)
    except requests.RequestException as error:
        tally.samples.append(Sample(kind, 0, started, time.perf_counter()))
        tally.failures[f"{kind}: {type(error).__name__}"] += 1
        return None
    tally.samples.append(Sample(kind, response.status_code, started, time.perf_counter()))
    return response


def expect(response: requests.Response | None, status: int, kind: str, tally: Tally):
    """Refuse an answer other than ``status``."""
    if response is None:
        raise JourneyFailed(kind)
    if response.status_code != status:
        tally.failures[f"{kind}: HTTP {response.status_code}"] += 1
        raise JourneyFailed(kind)
    return response


# --- one respondent ------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What every client thread needs to know."""

    base: str
    slugs: list[str]
    double_submit: float


def _submitted(answer: requests.Response | None) -> bool:
    """Tell whether a submit was answered with the redirect to the thank-you page."""
    return (
        answer is not None
        and answer.status_code == 303
        and urlsplit(answer.headers.get("Location", "")).path == "/s/thanks"
    )


def _submit(
    plan: Plan, session: requests.Session, url: str, data: dict, rng: random.Random, tally: Tally
) -> requests.Response:
    """POST the last page, sometimes twice at once like a double click; return the answer.

    Every submit answer other than the redirect to the thank-you page is a failure; the
    journey goes on when at least one of a double click's answers is that redirect.
    """
    answers: list[requests.Response | None] = []
    twin_tally = Tally()
    thread = None
    if rng.random() < plan.double_submit:
        twin = requests.Session()
        twin.cookies.update(session.cookies)

        def click_again() -> None:
            answers.append(timed(twin_tally, twin, "submit", "POST", url, data=data))
            twin.close()

        thread = threading.Thread(target=click_again)
        thread.start()
        tally.duplicates += 1
    answers.append(timed(tally, session, "submit", "POST", url, data=data))
    if thread is not None:
        thread.join()
        tally.samples.extend(twin_tally.samples)
        tally.failures.update(twin_tally.failures)
    for answer in answers:
        if answer is not None and not _submitted(answer):
            tally.failures[f"submit: HTTP {answer.status_code}"] += 1
    good = [answer for answer in answers if _submitted(answer)]
    if not good:
        raise JourneyFailed("submit")
    tally.submitted += 1
    return good[0]


def journey(plan: Plan, slug: str, rng: random.Random, tally: Tally) -> None:
    """Go from the public link to the thank-you page; raise ``JourneyFailed`` on the way."""
    with requests.Session() as session:
        start_url = f"{plan.base}/s/{slug}"
        page = expect(timed(tally, session, "get", "GET", start_url), 200, "get start", tally)
        csrf = form_fields(page.text)[0]
        answer = expect(
            timed(
                tally,
                session,
                "post",
                "POST",
                start_url,
                data={"csrf_token": csrf, "consent": "y"},
            ),
            303,
            "post consent",
            tally,
        )
        url = urljoin(start_url, answer.headers["Location"])
        while True:
            page = expect(timed(tally, session, "get", "GET", url), 200, "get page", tally)
            data = answers_for(page.text, rng)
            total = _PROGRESS.search(page.text)
            number = int(urlsplit(url).path.rsplit("/", 1)[-1])
            if total is not None and number == int(total.group(1)):
                answer = _submit(plan, session, url, data, rng, tally)
                thanks = urljoin(url, answer.headers["Location"])
                expect(timed(tally, session, "get", "GET", thanks), 200, "get thanks", tally)
                tally.completed.append(time.perf_counter())
                return
            answer = expect(
                timed(tally, session, "post", "POST", url, data=data), 303, "post", tally
            )
            url = urljoin(url, answer.headers["Location"])


def bare_request(plan: Plan, _slug: str, rng: random.Random, tally: Tally) -> None:
    """One POST to the bare app's insert endpoint."""
    with requests.Session() as session:
        payload = {"payload": f"respondent-{rng.randrange(10**9)}"}
        answer = timed(tally, session, "bare", "POST", f"{plan.base}/hits", data=payload)
        expect(answer, 201, "bare", tally)
        tally.completed.append(time.perf_counter())


# --- driving the load ----------------------------------------------------------------------


@dataclass
class Phase:
    """The result of hammering one server."""

    tallies: list[Tally]
    window: tuple[float, float]
    journeys_started: int
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds used in the window

    @property
    def seconds(self) -> float:
        """Return the measured time."""
        return self.window[1] - self.window[0]

    def samples(self, *kinds: str) -> list[Sample]:
        """Return the measured samples of the given kinds (ended inside the window)."""
        low, high = self.window
        return [
            s for t in self.tallies for s in t.samples if s.kind in kinds and low <= s.ended <= high
        ]

    def completed(self) -> int:
        """Return the journeys completed inside the window."""
        low, high = self.window
        return sum(low <= end <= high for t in self.tallies for end in t.completed)

    def all_completed(self) -> int:
        """Return every completed journey, warm-up and overtime included."""
        return sum(len(t.completed) for t in self.tallies)

    def all_samples(self, kind: str) -> list[Sample]:
        """Return every sample of a kind, warm-up and overtime included."""
        return [s for t in self.tallies for s in t.samples if s.kind == kind]

    def failures(self) -> Counter:
        """Return the failures of every thread."""
        total: Counter = Counter()
        for t in self.tallies:
            total.update(t.failures)
        return total


def hammer(
    step: Callable[[Plan, str, random.Random, Tally], None],
    plan: Plan,
    concurrency: int,
    warmup: float,
    duration: float | None,
    count: int | None,
    seed: int,
    meter: CpuMeter | None = None,
) -> Phase:
    """Run ``concurrency`` closed-loop clients: warm-up, then the measured window."""
    measured_from = time.perf_counter() + warmup
    deadline = None if duration is None else measured_from + duration
    lock = threading.Lock()
    started = [0]  # journeys started since the window opened (count mode)
    tallies = [Tally() for _ in range(concurrency)]

    def may_start() -> bool:
        now = time.perf_counter()
        if deadline is not None:
            return now < deadline
        if now < measured_from:
            return True
        with lock:
            if started[0] >= count:
                return False
            started[0] += 1
            return True

    def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        n = index  # spread the clients over the links
        while may_start():
            with contextlib.suppress(JourneyFailed):
                step(plan, plan.slugs[n % len(plan.slugs)], rng, tallies[index])
            n += concurrency

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, measured_from - time.perf_counter()))
    before = meter.snapshot() if meter else None
    if deadline is not None:
        time.sleep(max(0.0, deadline - time.perf_counter()))
        after = meter.snapshot() if meter else None
    for thread in threads:
        thread.join()
    if deadline is None:
        after = meter.snapshot() if meter else None
        ends = [s.ended for t in tallies for s in t.samples] or [measured_from]
        deadline = max(ends)
    cpu = meter.used(before, after) if meter else {}
    return Phase(tallies, (measured_from, deadline), started[0], cpu)


# --- CPU accounting (Linux /proc), which other load on the machine does not distort --------

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float | None:
    """Return the user + system CPU time of a process, ``None`` when it cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # fields[0] is the state, field 3 of stat(5)
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _children(parent: int) -> list[int]:
    """Return the pids whose parent is ``parent``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    found.append(int(entry.name))
    return found


class CpuMeter:
    """Measure the CPU that gunicorn, its PostgreSQL backends and this client use."""

    def __init__(self, server: Server, database_url: str):
        self.server = server
        self.engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)

    def _backends(self) -> list[int]:
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    sa.text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                    )
                ).scalars()
            )

    def snapshot(self) -> dict[str, dict[int, float]]:
        """Return the CPU seconds of every process involved, by role and pid."""
        master = self.server.process.pid
        roles = {
            "gunicorn": [master, *_children(master)],
            "postgres": self._backends(),
        }
        taken = {
            role: {pid: cpu for pid in pids if (cpu := _cpu_seconds(pid)) is not None}
            for role, pids in roles.items()
        }
        taken["client"] = {os.getpid(): time.process_time()}
        return taken

    @staticmethod
    def used(before, after) -> dict[str, float]:
        """Return the CPU seconds each role used between two snapshots."""
        return {
            role: sum(cpu - before[role].get(pid, 0.0) for pid, cpu in after[role].items())
            for role in after
        }

    def close(self) -> None:
        """Release the database engine."""
        self.engine.dispose()


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn process serving one WSGI app on 127.0.0.1."""

    def __init__(self, name: str, app: str, workers: int, env: dict, log: Path, extra=()):
        self.name, self.port, self.log = name, free_port(), log
        self.base = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            *extra,
            app,
        ]
        self.handle = log.open("w")
        self.process = subprocess.Popen(
            command, env=env, cwd=BENCH_DIR.parent, stdout=self.handle, stderr=subprocess.STDOUT
        )

    def wait_ready(self, path: str, timeout: float = 180) -> None:
        """Wait until the server answers ``path``; exit 2 with its log when it does not."""
        limit = time.monotonic() + timeout
        while time.monotonic() < limit:
            if self.process.poll() is not None:
                break
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.base + path, timeout=5).status_code == 200:
                    return
            time.sleep(0.2)
        self.stop()
        sys.stderr.write(f"{self.name} did not start; its log:\n{self.log.read_text()}\n")
        sys.exit(2)

    def stop(self) -> None:
        """Stop gunicorn (TERM: workers finish their request) and wait for it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.handle.close()


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


def latency_row(label: str, samples: list[Sample]) -> tuple[str, float]:
    """Format one latency line; also return its p95."""
    values = sorted(s.ms for s in samples)
    p50, p95, p99 = (percentile(values, f) for f in (0.50, 0.95, 0.99))
    high = values[-1] if values else float("nan")
    return f"  {label:<30}{len(values):>8}{p50:>8.1f}{p95:>8.1f}{p99:>8.1f}{high:>8.1f}", p95


def verdict(ok: bool) -> str:
    """Say whether a target is met."""
    return "met" if ok else "MISSED"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        description="Benchmark servqual's public submit flow against a bare Flask insert.",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
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
    if args.workers < 1 or args.concurrency < 1:
        parser.error("--workers and --concurrency must be at least 1")
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
    print(
        f"servqual submit benchmark on {os.cpu_count()} CPU cores, shared by the load "
        "generator, gunicorn and PostgreSQL; load average before the run "
        f"{os.getloadavg()[0]:.1f} (anything else running skews the figures)"
    )
    print(
        f"gunicorn {args.workers} sync workers per server; {args.concurrency} concurrent "
        f"clients; {args.warmup:g} s warm-up then {how_long}; database {shown_url}"
    )
    status = 2
    try:
        started = time.perf_counter()
        slugs, campaign_id = prepare_database(args.database_url)
        print(
            f"reset the database and built the demo campaign in "
            f"{time.perf_counter() - started:.1f} s ({len(slugs)} links)"
        )

        app_server = Server(
            "servqual", "servqual:create_app()", args.workers, env, workdir / "servqual.log"
        )
        app_server.wait_ready(f"/s/{slugs[0]}")
        plan = Plan(app_server.base, slugs, args.double_submit)
        meter = CpuMeter(app_server, args.database_url)
        try:
            flow = hammer(
                journey,
                plan,
                args.concurrency,
                args.warmup,
                args.duration,
                args.respondents,
                args.seed,
                meter,
            )
        finally:
            meter.close()
            app_server.stop()

        bare_server = Server(
            "bare app", "bare_app:create_app()", args.workers, env, workdir / "bare.log"
        )
        bare_server.wait_ready("/")
        meter = CpuMeter(bare_server, args.database_url)
        try:
            bare = hammer(
                bare_request,
                Plan(bare_server.base, ["-"], 0.0),
                args.concurrency,
                args.warmup,
                flow.seconds,
                None,
                args.seed,
                meter,
            )
        finally:
            meter.close()
            bare_server.stop()
        found = counts(args.database_url, campaign_id)
        status = report(args, flow, bare, found)
    except BaseException:
        args.keep_logs = True
        raise
    finally:
        if args.keep_logs or status != 0:
            print(f"gunicorn logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return status


def report(args: argparse.Namespace, flow: Phase, bare: Phase, found: dict[str, int]) -> int:
    """Print the figures and the checks; return the exit status."""
    header = f"  {'latency (ms)':<30}{'n':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}"
    flow_requests = flow.samples("get", "post", "submit")
    flow_rps = len(flow_requests) / flow.seconds
    bare_rps = len(bare.samples("bare")) / bare.seconds
    print(f"\nservqual respondent flow (servqual-22, E then P), {flow.seconds:.1f} s measured")
    print(f"  completed responses  {flow.completed():>8}  {flow.completed() / flow.seconds:8.1f}/s")
    print(f"  requests             {len(flow_requests):>8}  {flow_rps:8.1f}/s")
    print(header)
    print(latency_row("GET pages", flow.samples("get"))[0])
    print(latency_row("POST consent and pages", flow.samples("post"))[0])
    print(latency_row("POST submit", flow.samples("submit"))[0])
    line, post_p95 = latency_row("all POSTs", flow.samples("post", "submit"))
    print(line)
    print(latency_row("all requests", flow_requests)[0])

    print(f"\nbare Flask + SQLAlchemy insert, {bare.seconds:.1f} s measured")
    print(f"  requests             {len(bare.samples('bare')):>8}  {bare_rps:8.1f}/s")
    print(header)
    print(latency_row("POST /hits", bare.samples("bare"))[0])

    print("\nCPU per request in the measured window (not skewed by other load on the machine)")
    print(f"  {'ms of CPU':<22}{'gunicorn':>10}{'postgres':>10}{'servers':>10}{'client':>10}")
    ceilings = {}
    for name, phase, n in (
        ("servqual", flow, len(flow_requests)),
        ("bare app", bare, len(bare.samples("bare"))),
    ):
        per = {role: 1000 * used / max(n, 1) for role, used in phase.cpu.items()}
        servers = per.get("gunicorn", 0.0) + per.get("postgres", 0.0)
        ceilings[name] = 1000 * (os.cpu_count() or 1) / servers if servers else float("nan")
        print(
            f"  {name:<22}{per.get('gunicorn', 0):>10.2f}{per.get('postgres', 0):>10.2f}"
            f"{servers:>10.2f}{per.get('client', 0):>10.2f}"
        )
    print(
        f"  servers' CPU-bound ceiling on {os.cpu_count()} cores: servqual "
        f"{ceilings['servqual']:.0f} requests/s, bare {ceilings['bare app']:.0f} requests/s, "
        f"ratio {ceilings['servqual'] / ceilings['bare app']:.2f}"
    )

    print(f"\nload average at the end of the run {os.getloadavg()[0]:.1f}")
    ratio = flow_rps / bare_rps if bare_rps else float("nan")
    print("\ntargets")
    print(
        f"  requests/s servqual ÷ bare = {ratio:.2f} "
        f"(target ≥ {TARGET_RATIO:.2f}: {verdict(ratio >= TARGET_RATIO)})"
    )
    print(
        f"  (closed loop without think time: mean latency ≈ clients ÷ requests/s = "
        f"{1000 * args.concurrency / max(flow_rps, 1e-9):.0f} ms for servqual, "
        f"{1000 * args.concurrency / max(bare_rps, 1e-9):.0f} ms for the bare app)"
    )
    print(
        f"  servqual POST p95 = {post_p95:.1f} ms at {args.concurrency} respondents "
        f"(target < {TARGET_P95_MS:.0f} ms at {TARGET_CONCURRENCY}: "
        f"{verdict(post_p95 < TARGET_P95_MS)})"
    )

    completed = flow.all_completed()
    submitted = sum(t.submitted for t in flow.tallies)
    submits = flow.all_samples("submit")
    submit_2xx_3xx = sum(200 <= s.status < 400 for s in submits)
    duplicates = sum(t.duplicates for t in flow.tallies)
    bare_ok = sum(200 <= s.status < 300 for s in bare.all_samples("bare"))
    failures = flow.failures() + bare.failures()
    print("\nintegrity (every journey, warm-up and overtime included)")
    print(
        f"  submit POSTs answered 303 → thanks: {submit_2xx_3xx} "
        f"({duplicates} double clicks sent twice); journeys submitted: {submitted}, "
        f"completed to the thank-you page: {completed}"
    )
    print(
        f"  responses in the database: {found['responses']} "
        f"({found['distinct_keys']} distinct submission keys, {found['answers']} answers); "
        f"drafts left: {found['drafts']}"
    )
    print(f"  bare 2xx answers: {bare_ok}; bare rows: {found['bare_rows']}")
    for what, n in sorted(failures.items()):
        print(f"  failed: {what} ×{n}")
    ok = (
        found["responses"] == submitted
        and found["distinct_keys"] == submitted
        and found["bare_rows"] == bare_ok
    )
    if ok:
        print("  OK: one response per submitted journey, one bare row per 2xx answer")
        return 0
    print("  FAILED: responses lost or doubled (see the counts above)")
    return 1


if __name__ == "__main__":
    sys.exit(main())
