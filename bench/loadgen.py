"""A lean closed-loop HTTP/1.1 load generator for the benchmarks (standard library only).

The load generator shares the machine's cores with the servers it measures, so every
millisecond of CPU it spends is taken from them. A thread per client with ``requests`` costs
several ms of CPU per request (header objects, cookie jars, urllib3 pools, the GIL handing
over between 32 threads); this client runs every virtual client as an asyncio task in one
thread, speaks HTTP/1.1 over ``asyncio`` streams, keeps the connection alive when the server
allows it (gunicorn's sync workers close it after each answer, gthread workers keep it), keeps
its own small cookie jar and reads only the status line, the headers it needs and the body.

What is recorded per request is a ``Sample`` (kind, status, start, end); each client keeps
its own ``Tally`` so that nothing is shared on the hot path.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field


class JourneyFailed(Exception):
    """A request in a journey got an answer a browser user would see as broken."""


@dataclass(frozen=True, slots=True)
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
    """What one client saw (merged after the run)."""

    samples: list[Sample] = field(default_factory=list)
    completed: list[float] = field(default_factory=list)  # end time of each completed journey
    submitted: int = 0  # journeys whose submit was answered 303 to the thank-you page
    failures: Counter = field(default_factory=Counter)
    duplicates: int = 0


@dataclass(slots=True)
class Reply:
    """What the client keeps of an HTTP answer."""

    status: int
    location: str
    body: bytes


class HttpError(Exception):
    """The connection failed or the answer was not HTTP/1.1 as expected."""


#: Close and reopen a kept-alive connection idle for longer than this (gunicorn's default
#: keep-alive is 2 s): a request is never sent on a connection the server may be closing.
IDLE_REOPEN = 1.0


class Client:
    """One browser-like HTTP/1.1 client: a connection kept alive when possible, cookies."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._last = 0.0

    def fork(self) -> Client:
        """Return a second client with the same cookies (a second tab, a double click)."""
        twin = Client(self.host, self.port)
        twin.cookies = dict(self.cookies)
        return twin

    async def close(self) -> None:
        """Close the connection, if any."""
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def request(self, method: str, path: str, body: bytes = b"") -> Reply:
        """Send one request and read its answer; raise ``HttpError`` when that fails."""
        if self._writer is not None and time.perf_counter() - self._last > IDLE_REOPEN:
            await self.close()
        try:
            if self._writer is None:
                self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            if self.cookies:
                head += "Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items())
                head += "\r\n"
            if body or method == "POST":
                head += (
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {len(body)}\r\n"
                )
            self._writer.write(head.encode("latin-1") + b"\r\n" + body)
            reply, keep = await self._read_reply()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as e:
            await self.close()
            raise HttpError(type(e).__name__) from e
        if keep:
            self._last = time.perf_counter()
        else:
            await self.close()
        return reply

    async def _read_reply(self) -> tuple[Reply, bool]:
        reader = self._reader
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        version, status = lines[0].split(" ", 2)[:2]
        length, location, chunked = None, "", False
        keep = version == "HTTP/1.1"
        for line in lines[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            name = name.lower()
            if name == "content-length":
                length = int(value)
            elif name == "set-cookie":
                self._set_cookie(value)
            elif name == "location":
                location = value.strip()
            elif name == "connection":
                keep = value.strip().lower() == "keep-alive" or (
                    keep and value.strip().lower() != "close"
                )
            elif name == "transfer-encoding":
                chunked = "chunked" in value.lower()
        if chunked:
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                parts.append(await reader.readexactly(size + 2))
            body = b"".join(p[:-2] for p in parts)
        elif length is not None:
            body = await reader.readexactly(length)
        else:
            body, keep = await reader.read(), False
        return Reply(int(status), location, body), keep

    def _set_cookie(self, value: str) -> None:
        pair, *attributes = value.split(";")
        name, _, content = pair.strip().partition("=")
        expired = any(
            a.strip().lower().startswith(("max-age=0", "expires=thu, 01 jan 1970"))
            for a in attributes
        )
        if expired or not content:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = content


async def timed(tally: Tally, client: Client, kind: str, method: str, path: str, body=b""):
    """Send one request, record its latency and status; ``None`` when the connection failed."""
    started = time.perf_counter()
    try:
        reply = await client.request(method, path, body)
    except HttpError as error:
        tally.samples.append(Sample(kind, 0, started, time.perf_counter()))
        tally.failures[f"{kind}: {error}"] += 1
        return None
    tally.samples.append(Sample(kind, reply.status, started, time.perf_counter()))
    return reply


def expect(reply: Reply | None, status: int, kind: str, tally: Tally) -> Reply:
    """Refuse an answer other than ``status``."""
    if reply is None:
        raise JourneyFailed(kind)
    if reply.status != status:
        tally.failures[f"{kind}: HTTP {reply.status}"] += 1
        raise JourneyFailed(kind)
    return reply


@dataclass
class Run:
    """What the clients of one phase recorded, and the measured window."""

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
        """Return the failures of every client."""
        total: Counter = Counter()
        for t in self.tallies:
            total.update(t.failures)
        return total


async def closed_loop(step, concurrency: int, warmup: float, duration, count, meter=None) -> Run:
    """Run ``concurrency`` closed-loop clients: warm-up, then the measured window.

    ``step(index, tally)`` is one journey of client ``index``; it raises ``JourneyFailed``
    when the journey breaks (already tallied). With ``duration`` the window lasts that many
    seconds (journeys under way at its end finish but are not counted); with ``count`` it
    lasts until that many journeys have started and finished.
    """
    loop_started = time.perf_counter()
    measured_from = loop_started + warmup
    deadline = None if duration is None else measured_from + duration
    started = [0]
    tallies = [Tally() for _ in range(concurrency)]

    def may_start() -> bool:
        now = time.perf_counter()
        if deadline is not None:
            return now < deadline
        if now < measured_from:
            return True
        if started[0] >= count:
            return False
        started[0] += 1
        return True

    async def client(index: int) -> None:
        journey = 0
        while may_start():
            with contextlib.suppress(JourneyFailed):
                await step(index, journey, tallies[index])
            journey += 1

    tasks = [asyncio.create_task(client(i)) for i in range(concurrency)]
    await asyncio.sleep(max(0.0, measured_from - time.perf_counter()))
    # The snapshots read /proc and ask PostgreSQL: off the event loop, not to stall clients.
    before = await asyncio.to_thread(meter.snapshot) if meter else None
    after = None
    if deadline is not None:
        await asyncio.sleep(max(0.0, deadline - time.perf_counter()))
        after = await asyncio.to_thread(meter.snapshot) if meter else None
    await asyncio.gather(*tasks)
    if deadline is None:
        after = meter.snapshot() if meter else None
        ends = [s.ended for t in tallies for s in t.samples] or [measured_from]
        deadline = max(ends)
    cpu = meter.used(before, after) if meter else {}
    return Run(tallies, (measured_from, deadline), started[0], cpu)
