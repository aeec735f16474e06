"""One respondent of ``bench/submit.py``: the public flow from the link to the thank-you page.

Every request a browser would send is sent and every page is downloaded whole; the client
only saves itself work that is not the server's: the form layout of each page number (which
radio groups, number inputs, checkboxes and text areas it has, and whether it is the last
page) is read from the HTML the first time that page is seen, and a pool of answer bodies is
encoded from it then. After that, a page's HTML is only searched for its CSRF token, which is
put in front of one of the pre-built bodies. Nothing here decides whether the server
answered correctly except the status codes and redirects, exactly as before.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode, urlsplit

from loadgen import Client, JourneyFailed, Reply, Tally, expect, timed

_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_TEXTAREA = re.compile(r'<textarea\b[^>]*name="([^"]+)"', re.IGNORECASE)
_PROGRESS = re.compile(rb'<progress max="(\d+)"')
_CSRF = re.compile(rb'<input\b[^>]*\bname="csrf_token"[^>]*>')
_VALUE = re.compile(rb'\bvalue="([^"]*)"')

#: Answer bodies pre-built per page (journeys pick one at random).
BODIES_PER_PAGE = 64
COMMENT = "La atención fue buena, pero la fila fue larga."


def csrf_token(html: bytes) -> bytes:
    """Return the page's CSRF token, URL-encoded; raise ``JourneyFailed`` when it has none."""
    tag = _CSRF.search(html)
    value = _VALUE.search(tag.group(0)) if tag else None
    if value is None or not value.group(1):
        raise JourneyFailed("no csrf_token in the page")
    return quote(value.group(1), safe="").encode("ascii")


def form_fields(html: str) -> tuple[dict[str, list[str]], list[str], list[str], list[str]]:
    """Return the radio groups, number inputs, checkboxes and text areas of a form."""
    radios: dict[str, list[str]] = {}
    numbers: list[str] = []
    checkboxes: list[str] = []
    for tag in _INPUT.findall(html):
        attrs = dict(_ATTR.findall(tag))
        name, kind = attrs.get("name", ""), attrs.get("type", "text")
        if name == "csrf_token":
            continue
        if kind == "radio":
            radios.setdefault(name, []).append(attrs.get("value", ""))
        elif kind == "number":
            numbers.append(name)
        elif kind == "checkbox":
            checkboxes.append(name)
    return radios, numbers, checkboxes, _TEXTAREA.findall(html)


def answers_for(html: str, rng: random.Random) -> dict[str, str]:
    """Fill in a questionnaire page the way a respondent would (without the CSRF token)."""
    radios, numbers, checkboxes, textareas = form_fields(html)
    data = {"action": "next"}
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
        data[name] = COMMENT
    return data


@dataclass
class PageLayouts:
    """Each page number's answer bodies and whether it is the last page, learnt once."""

    seed: int
    pages: dict[int, tuple[bool, list[bytes]]] = field(default_factory=dict)

    def learn(self, number: int, html: bytes) -> tuple[bool, list[bytes]]:
        """Return (is last page, answer bodies) of a page number, reading the HTML once."""
        known = self.pages.get(number)
        if known is None:
            rng = random.Random(self.seed * 7919 + number)
            text = html.decode("utf-8")
            bodies = [
                urlencode(answers_for(text, rng)).encode("ascii") for _ in range(BODIES_PER_PAGE)
            ]
            total = _PROGRESS.search(html)
            last = total is not None and number == int(total.group(1))
            known = self.pages[number] = (last, bodies)
        return known


@dataclass(frozen=True)
class Plan:
    """What every respondent needs to know."""

    host: str
    port: int
    slugs: list[str]
    double_submit: float
    layouts: PageLayouts


def _path(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _submitted(reply: Reply | None) -> bool:
    """Tell whether a submit was answered with the redirect to the thank-you page."""
    return reply is not None and reply.status == 303 and _path(reply.location) == "/s/thanks"


async def _submit(
    plan: Plan, client: Client, path: str, body: bytes, rng: random.Random, tally: Tally
) -> Reply:
    """POST the last page, sometimes twice at once like a double click; return the answer.

    Every submit answer other than the redirect to the thank-you page is a failure; the
    journey goes on when at least one of a double click's answers is that redirect.
    """
    if rng.random() < plan.double_submit:
        tally.duplicates += 1
        twin = client.fork()
        try:
            replies = await asyncio.gather(
                timed(tally, client, "submit", "POST", path, body),
                timed(tally, twin, "submit", "POST", path, body),
            )
        finally:
            await twin.close()
    else:
        replies = [await timed(tally, client, "submit", "POST", path, body)]
    for reply in replies:
        if reply is not None and not _submitted(reply):
            tally.failures[f"submit: HTTP {reply.status}"] += 1
    good = [reply for reply in replies if _submitted(reply)]
    if not good:
        raise JourneyFailed("submit")
    tally.submitted += 1
    return good[0]


async def journey(plan: Plan, slug: str, rng: random.Random, tally: Tally, pause=None) -> None:
    """Go from the public link to the thank-you page; raise ``JourneyFailed`` on the way.

    ``pause`` (a coroutine function), when the run is paced, is awaited before opening the
    link and before every POST (the time to read and answer a page); redirects are followed
    at once, as a browser does.
    """
    client = Client(plan.host, plan.port)

    async def send(kind: str, method: str, path: str, body: bytes = b"") -> Reply | None:
        if pause is not None and (method == "POST" or kind == "start"):
            await pause()
        return await timed(tally, client, "get" if kind == "start" else kind, method, path, body)

    try:
        start = f"/s/{slug}"
        page = expect(await send("start", "GET", start), 200, "get start", tally)
        consent = b"csrf_token=" + csrf_token(page.body) + b"&consent=y"
        answer = await send("post", "POST", start, consent)
        path = _path(expect(answer, 303, "post consent", tally).location)
        while True:
            page = expect(await send("get", "GET", path), 200, "get page", tally)
            number = int(path.rsplit("/", 1)[-1])
            last, bodies = plan.layouts.learn(number, page.body)
            body = b"csrf_token=" + csrf_token(page.body) + b"&" + rng.choice(bodies)
            if last:
                if pause is not None:
                    await pause()
                answer = await _submit(plan, client, path, body, rng, tally)
                thanks = await timed(tally, client, "get", "GET", _path(answer.location))
                expect(thanks, 200, "get thanks", tally)
                tally.completed.append(time.perf_counter())
                return
            answer = await send("post", "POST", path, body)
            path = _path(expect(answer, 303, "post", tally).location)
    finally:
        await client.close()


@dataclass
class BareClient:
    """One client of the bare app: one kept-alive connection (when the server allows)."""

    client: Client

    async def hit(self, rng: random.Random, tally: Tally) -> None:
        """One POST to the bare app's insert endpoint."""
        body = f"payload=respondent-{rng.randrange(10**9)}".encode("ascii")
        reply = await timed(tally, self.client, "bare", "POST", "/hits", body)
        expect(reply, 201, "bare", tally)
        tally.completed.append(time.perf_counter())
