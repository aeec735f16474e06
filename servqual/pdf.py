"""PDF rendering with WeasyPrint that reads nothing but bundled static files and data: URIs.

Fonts are never fetched: stylesheets name system fonts (DejaVu, from Debian's
fonts-dejavu-core) and WeasyPrint finds them through fontconfig.
"""

from __future__ import annotations

import mimetypes
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse


class StaticOnlyFetcher(URLFetcher):
    """Serve ``data:`` URIs and files inside one folder; refuse every other URL.

    Refused URLs are remembered in ``refused`` (and served ones in ``served``) so that
    tests and logs can show that a report tried, and failed, to reach the network or the
    file system.
    """

    def __init__(self, folder: Path):
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.folder = folder.resolve()
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        """Return the resource, or raise ``ValueError`` for anything outside the folder."""
        if url.startswith("data:"):
            self.served.append(url[:40])
            return super().fetch(url, headers)
        parts = urlsplit(url)
        if parts.scheme == "file" and not parts.netloc:
            target = Path(unquote(parts.path)).resolve()
            if target.is_relative_to(self.folder) and target.is_file():
                mimetype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                self.served.append(url)
                return URLFetcherResponse(
                    url, body=target.read_bytes(), headers={"Content-Type": mimetype}
                )
        self.refused.append(url)
        raise ValueError(f"refused to fetch {url[:120]!r} while rendering a PDF")


def static_fetcher() -> StaticOnlyFetcher:
    """Return a fetcher limited to the application's static folder."""
    return StaticOnlyFetcher(Path(current_app.static_folder))


@dataclass(frozen=True, slots=True)
class RenderedPdf:
    """A rendered PDF, its page count and the seconds WeasyPrint took (wall clock and CPU)."""

    data: bytes
    pages: int
    seconds: float
    #: CPU seconds of this process: on a shared machine they say more than the clock.
    cpu_seconds: float = 0.0


def render_document(html: str, fetcher: StaticOnlyFetcher | None = None) -> RenderedPdf:
    """Lay out and write ``html`` as PDF; relative URLs resolve inside the static folder only."""
    fetcher = fetcher or static_fetcher()
    base_url = fetcher.folder.as_uri() + "/"
    started, started_cpu = time.perf_counter(), time.process_time()
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
    data = document.write_pdf()
    return RenderedPdf(
        data,
        len(document.pages),
        time.perf_counter() - started,
        time.process_time() - started_cpu,
    )


def render_pdf(html: str, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """Render ``html`` to PDF bytes; relative URLs resolve inside the static folder only."""
    return render_document(html, fetcher).data
