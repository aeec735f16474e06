"""Processes the benchmarks start and measure: gunicorn servers and their CPU (Linux /proc)."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

BENCH_DIR = Path(__file__).resolve().parent


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn process serving one WSGI app on 127.0.0.1."""

    def __init__(
        self, name: str, app: str, workers: int, threads: int, env: dict, log: Path, extra=()
    ):
        self.name, self.port, self.log = name, free_port(), log
        self.base = f"http://127.0.0.1:{self.port}"
        # threads > 1 makes gunicorn use gthread workers (and keep connections alive).
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
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
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection.request("GET", path)
                if connection.getresponse().status == 200:
                    return
            connection.close()
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


def machine_cpu() -> tuple[float, float]:
    """Return the whole machine's busy and total CPU seconds since boot (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # guest time is already inside user
    return (total - idle) / _TICKS, total / _TICKS


class CpuMeter:
    """Measure the CPU that gunicorn, its PostgreSQL backends, this client and the machine use.

    ``other`` is what the rest of the machine (other jobs, PostgreSQL's own background
    processes) used meanwhile: when it is large, the throughput figures are skewed.
    """

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
        busy, total = machine_cpu()
        taken["machine"] = {0: busy}
        taken["capacity"] = {0: total}
        return taken

    @staticmethod
    def used(before, after) -> dict[str, float]:
        """Return the CPU seconds each role used between two snapshots."""
        used = {
            role: sum(cpu - before[role].get(pid, 0.0) for pid, cpu in after[role].items())
            for role in after
        }
        used["other"] = used["machine"] - used["gunicorn"] - used["postgres"] - used["client"]
        return used

    def close(self) -> None:
        """Release the database engine."""
        self.engine.dispose()
