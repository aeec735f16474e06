"""Public links as QR codes (SVG, PNG) and printable posters (PDF)."""

from __future__ import annotations

import base64
import io

import segno
from flask import current_app, render_template, url_for

from servqual.pdf import render_pdf
from servqual.surveys.models import SurveyLink


def public_url(link: SurveyLink) -> str:
    """Return the address respondents open, on the configured public host if any."""
    base = current_app.config.get("PUBLIC_URL")
    path = url_for("respond.start", slug=link.slug)
    return (
        f"{base.rstrip('/')}{path}"
        if base
        else url_for("respond.start", slug=link.slug, _external=True)
    )


def qr_code(link: SurveyLink, kind: str) -> bytes:
    """Return the QR code of a link as ``svg`` or ``png`` bytes."""
    code = segno.make(public_url(link), error="m")
    buffer = io.BytesIO()
    if kind == "svg":
        code.save(buffer, kind="svg", scale=8, border=4, title=link.campaign.name)
    else:
        code.save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


def poster_pdf(link: SurveyLink) -> bytes:
    """Return a printable A4 poster with the QR code, in Spanish and English."""
    svg = qr_code(link, "svg")
    data_uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    html = render_template("surveys/poster.html", link=link, qr=data_uri, url=public_url(link))
    return render_pdf(html)
