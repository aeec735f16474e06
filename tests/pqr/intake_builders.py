"""Builders for the PQR intake tests: a site with touchpoints, form data."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from servqual.extensions import db
from servqual.pqr.attachments import check_file, store_files
from servqual.pqr.models import Attachment
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    """Return a real PNG picture."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def place(db):
    """A site with a touchpoint at it and a touchpoint only at another site."""
    site = factories.site(name="Sede Norte")
    elsewhere = factories.site(name="Sede Sur")
    counter = factories.touchpoint(name="Caja", sites=[site])
    other = factories.touchpoint(name="Parqueadero", sites=[elsewhere])
    return {"site": site, "elsewhere": elsewhere, "touchpoint": counter, "other": other}


def form_data(place, **changes) -> dict:
    data = {
        "request_type": "complaint",
        "site_id": str(place["site"].id),
        "touchpoint_id": str(place["touchpoint"].id) if place.get("touchpoint") else "",
        "incident_on": (date.today() - timedelta(days=2)).isoformat(),
        "description": "The cashier kept me waiting 40 minutes and nobody explained why.",
        "contact_name": "Ana Pérez",
        "contact_email": "Ana.Perez@Example.com",
        "contact_phone": "+57 300 123 4567",
        "consent": "y",
        "website": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def post(client, data: dict, files: list[tuple[bytes, str]] = ()):
    body = dict(data)
    body["attachments"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post("/pqr/new", data=body, content_type="multipart/form-data")


def stored_attachment(case, content: bytes = PDF, name: str = "factura.pdf"):
    """Store a checked file for ``case`` (on disk and in the database) and return its row."""
    written: list = []
    store_files(case, [check_file(content, name)], None, written)
    return db.session.scalar(
        sa.select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id.desc())
    )
