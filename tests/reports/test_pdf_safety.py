"""Rendering a report reads no local file and reaches no server, whatever users typed."""

from __future__ import annotations

import io
import socket
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader

from servqual.pdf import StaticOnlyFetcher, render_document
from servqual.reports import documents
from tests.reports.waves import two_waves


class Listener:
    """A TCP server on a free local port that records every connection made to it."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                connection, _address = self.socket.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    self.connections.append(connection.recv(4096))
                except OSError:
                    self.connections.append(b"")
                connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/css\r\n\r\nbody{}")

    def close(self) -> list[bytes]:
        """Stop listening; return what was received."""
        self._stop.set()
        self._thread.join()
        self.socket.close()
        return self.connections


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


SVG_NS = "http://www.w3.org/2000/svg"


def _hostile(port: int, secret_file: Path) -> dict[str, str]:
    return {
        "touchpoint": f'<img src="{secret_file.as_uri()}">',
        "site": f'<link rel="stylesheet" href="http://127.0.0.1:{port}/site.css">',
        "pillar": f'<p style="background: url(http://127.0.0.1:{port}/p.png)">P</p>',
        "campaign": '<img src="file:///etc/passwd">',
    }


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def _images(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)


def _compact(text: str) -> str:
    return "".join(text.split())


def test_hostile_names_and_comments_are_printed_as_text(app, db, listener, tmp_path):
    # A real image outside the static folder: embedded if it were ever read.
    secret = tmp_path / "secret.svg"
    secret.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')
    names = _hostile(listener.port, secret)
    comments = [
        '<img src="file:///etc/passwd"> nothing to see here',
        f'<link rel="stylesheet" href="http://127.0.0.1:{listener.port}/comment.css">',
        f"<style>body {{ background: url(http://127.0.0.1:{listener.port}/bg.png) }}</style>",
    ]
    waves = two_waves(names=names, comments=comments)
    fetcher = StaticOnlyFetcher(Path(app.static_folder))

    built = documents.build("site", waves.current, waves.sites[0], "en", fetcher=fetcher)

    assert listener.close() == [], "the renderer connected to a server"
    assert fetcher.refused == [], "the markup of user text reached the renderer"
    assert any(url.endswith("css/report.css") for url in fetcher.served)
    text = _text(built.pdf.data)
    for payload in [*names.values(), *comments]:
        assert _compact(payload) in text, payload
    assert "root:x:0:0" not in text
    assert _images(built.pdf.data) == 0


def test_the_fetcher_refuses_files_and_servers_even_in_trusted_markup(app, listener, tmp_path):
    secret = tmp_path / "secret.svg"
    secret.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')
    outside = f"http://127.0.0.1:{listener.port}"
    html = f"""<!doctype html><html><head>
      <link rel="stylesheet" href="{outside}/linked.css">
      <link rel="stylesheet" href="css/report.css">
      <style>
        @import url("{outside}/imported.css");
        body {{ background: url("{outside}/background.png"); }}
        @font-face {{ font-family: Evil; src: url("{outside}/font.woff"); }}
      </style></head>
      <body><p style="font-family: Evil">Hello</p>
      <img src="{secret.as_uri()}"><img src="file:///etc/passwd">
      <img src="../../pyproject.toml">
      <img src="data:image/svg+xml;utf8,<svg xmlns='{SVG_NS}' width='4' height='4'/>">
      </body></html>"""
    fetcher = StaticOnlyFetcher(Path(app.static_folder))

    pdf = render_document(html, fetcher)

    assert listener.close() == []
    refused = " ".join(fetcher.refused)
    for name in ("linked.css", "imported.css", "background.png", "font.woff"):
        assert f"{outside}/{name}" in refused
    assert secret.as_uri() in refused
    assert "file:///etc/passwd" in refused
    assert "pyproject.toml" in refused
    assert any(url.endswith("css/report.css") for url in fetcher.served)
    assert any(url.startswith("data:image/svg+xml") for url in fetcher.served)
    assert pdf.pages == 1
    assert _images(pdf.data) == 0  # the data: SVG is drawn as vectors, nothing else got in
