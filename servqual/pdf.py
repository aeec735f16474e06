"""PDF rendering with WeasyPrint that reads nothing but bundled static files and data: URIs."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse


class StaticOnlyFetcher(URLFetcher):
    """Serve ``data:`` URIs and files inside one folder; refuse every other URL.

    Refused URLs are remembered in ``refused`` so that tests (and logs) can show that a
    report tried, and failed, to reach the network or the file system.
    """

    def __init__(self, folder: Path):
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.folder = folder.resolve()
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        """Return the resource, or raise ``ValueError`` for anything outside the folder."""
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        if parts.scheme == "file" and not parts.netloc:
            target = Path(unquote(parts.path)).resolve()
            if target.is_relative_to(self.folder) and target.is_file():
                mimetype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url, body=target.read_bytes(), headers={"Content-Type": mimetype}
                )
        self.refused.append(url)
        raise ValueError(f"refused to fetch {url[:120]!r} while rendering a PDF")


def static_fetcher() -> StaticOnlyFetcher:
    """Return a fetcher limited to the application's static folder."""
    return StaticOnlyFetcher(Path(current_app.static_folder))


def render_pdf(html: str, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """Render ``html`` to PDF; relative URLs resolve inside the static folder only."""
    fetcher = fetcher or static_fetcher()
    base_url = fetcher.folder.as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()
