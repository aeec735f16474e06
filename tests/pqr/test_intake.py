"""Public PQR intake: filing, refusals that write nothing, attachments, acknowledgement mail."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app
from PIL import Image

from servqual.extensions import db as _db
from servqual.i18n import LOCALE_COOKIE
from servqual.pqr import filing, intake
from servqual.pqr.clock import CaseTimeline, DeadlineClock
from servqual.pqr.models import Attachment, Case, CaseEvent
from servqual.pqr.policy import local_today
from servqual.service.models import Organisation
from tests import factories, mailbox
from tests.conftest import make_app
from tests.pqr import intake_builders
from tests.pqr.intake_builders import PDF, form_data, png_bytes, post

inbox = mailbox.inbox
place = intake_builders.place


def count(model) -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


def stored_files() -> list[Path]:
    folder = Path(current_app.instance_path) / "pqr_attachments"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def nothing_written(before: list[Path]) -> bool:
    return count(Case) == 0 and count(CaseEvent) == 0 and stored_files() == before


def test_form_is_public_and_offers_sites_and_consent_link(client, place):
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")
    page = client.get("/pqr/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sede Norte" in html and "Complaint" in html
    assert 'href="/pqr/policy"' in html
    assert 'enctype="multipart/form-data"' in html


def test_policy_page_names_the_organisation(client, db):
    db.session.add(Organisation(name="Cooperativa Cordillera"))
    db.session.flush()
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")
    html = client.get("/pqr/policy").get_data(as_text=True)
    assert "Cooperativa Cordillera" in html
    assert "Ley 1581 de 2012" in html and "(prior)" in html and "(express)" in html


def test_filing_a_complaint_gives_number_due_date_files_and_email(client, place, inbox):
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")
    png = png_bytes()
    response = post(client, form_data(place), [(PDF, "factura.pdf"), (png, "foto.png")])
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/pqr/filed")

    case = _db.session.scalar(sa.select(Case))
    assert case.contact_email == "ana.perez@example.com"
    assert case.channel == "web" and case.status == "received"
    assert case.filed_on == local_today()
    assert case.due_on == DeadlineClock().due_on(
        CaseTimeline(case.filed_on, "complaint"), case.filed_on
    )
    assert filing.parse(case.filing_label).compact == case.filing_number
    kinds = sorted((a.content_type, a.original_name) for a in case.attachments)
    assert kinds == [("application/pdf", "factura.pdf"), ("image/png", "foto.png")]
    on_disk = {p.read_bytes() for p in stored_files()}
    assert on_disk == {PDF, png}
    assert [e.action for e in case.events if e.is_public] == ["filed"]

    page = client.get("/pqr/filed").get_data(as_text=True)
    assert case.filing_label in page
    assert f"{case.due_on.year}" in page and "We will answer by" in page
    assert "We sent this information to ana.perez@example.com" in page

    assert len(inbox.messages) == 1
    to, message = inbox.messages[0]
    assert to == "ana.perez@example.com"
    assert case.filing_label in message
    assert "/pqr/status" in message
    assert [e.new_value for e in case.events if e.action == "mail_sent"] == ["sent"]


def test_acknowledgement_page_without_a_filed_case_points_to_the_form(client, db):
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")
    response = client.get("/pqr/filed")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "No case has been filed from this browser" in html
    assert 'href="/pqr/new"' in html


@pytest.mark.parametrize(
    "changes",
    [
        {"consent": None},
        {"contact_email": None},
        {"contact_email": "not-an-address"},
        {"description": ""},
        {"request_type": "lawsuit"},
        {"request_type": "information"},  # staff-only type
        {"site_id": "999999"},
        {"incident_on": (date.today() + timedelta(days=3)).isoformat()},
        {"contact_phone": "call me maybe"},
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(client, place, changes):
    before = stored_files()
    response = post(client, form_data(place, **changes), [(PDF, "factura.pdf")])
    assert response.status_code == 400
    assert 'class="error' in response.get_data(as_text=True)
    assert nothing_written(before)


def test_touchpoint_of_another_site_is_refused(client, place):
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")
    before = stored_files()
    response = post(client, form_data(place, touchpoint_id=str(place["other"].id)))
    assert response.status_code == 400
    assert "does not exist at the chosen site" in response.get_data(as_text=True)
    assert nothing_written(before)


def test_honeypot_filled_in_is_refused(client, place, inbox):
    before = stored_files()
    response = post(client, form_data(place, website="http://spam.example"))
    assert response.status_code == 400
    assert nothing_written(before)
    assert inbox.messages == []


@pytest.mark.parametrize(
    "content, name",
    [
        (b"MZ\x90\x00 this is a program", "factura.pdf"),
        (b"%PDF-1.4 truncated, no end marker", "factura.pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "foto.png"),
        (b"GIF89a" + b"\x00" * 64, "foto.gif"),
        (b"<html><script>alert(1)</script></html>", "foto.jpg"),
    ],
)
def test_attachment_that_is_not_a_real_file_is_refused(client, place, content, name):
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")
    before = stored_files()
    response = post(client, form_data(place), [(PDF, "ok.pdf"), (content, name)])
    assert response.status_code == 400
    assert "is not a PDF document or a picture" in response.get_data(as_text=True)
    assert nothing_written(before)


def test_attachment_too_large_or_too_many_is_refused(client, place, app, monkeypatch):
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")
    before = stored_files()
    monkeypatch.setitem(app.config, "PQR_ATTACHMENT_MAX_MB", 0.01)
    big = png_bytes((400, 400)) + b"\x00" * 20_000
    response = post(client, form_data(place), [(big, "grande.png")])
    assert response.status_code == 400
    assert "too large" in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "PQR_ATTACHMENT_MAX_MB", 5)
    pdfs = [(PDF + bytes([n]), f"f{n}.pdf") for n in range(4)]
    response = post(client, form_data(place), pdfs)
    assert response.status_code == 400
    assert "at most 3 files" in response.get_data(as_text=True)
    assert nothing_written(before)


def test_failure_after_files_are_written_leaves_nothing(client, place, monkeypatch):
    before = stored_files()
    real_store = intake.store_files

    def store_then_fail(*args):
        real_store(*args)
        raise RuntimeError("disk full")

    monkeypatch.setattr(intake, "store_files", store_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        post(client, form_data(place), [(PDF, "factura.pdf")])
    assert count(Case) == 0 and count(Attachment) == 0
    assert stored_files() == before


def test_taken_filing_number_is_replaced_by_a_fresh_one(client, place, monkeypatch, inbox):
    assert post(client, form_data(place)).status_code == 303
    first = _db.session.scalar(sa.select(Case))
    taken = first.filing
    numbers = iter([taken])
    real_generate = filing.generate

    def generate(year, prefix="PQR"):
        return next(numbers, None) or real_generate(year, prefix)

    monkeypatch.setattr(filing, "generate", generate)
    assert post(client, form_data(place, contact_email="bruno@example.com")).status_code == 303
    second = _db.session.scalar(sa.select(Case).where(Case.contact_email == "bruno@example.com"))
    assert second.filing_number != taken.compact
    assert count(Case) == 2


def test_mail_server_down_keeps_the_case_and_records_the_failure(client, place, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", mailbox.free_port())
    response = post(client, form_data(place))
    assert response.status_code == 303
    case = _db.session.scalar(sa.select(Case))
    assert [e.new_value for e in case.events if e.action == "mail_sent"] == ["failed"]
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")
    page = client.get("/pqr/filed").get_data(as_text=True)
    assert case.filing_label in page and "could not send the e-mail" in page


def test_spanish_is_the_default_and_the_number_is_in_the_mail_subject(client, place, inbox):
    assert '<html lang="es">' in client.get("/pqr/new").get_data(as_text=True)
    assert post(client, form_data(place)).status_code == 303
    case = _db.session.scalar(sa.select(Case))
    assert case.locale == "es"
    subject = re.search(r"^Subject: (.*)$", inbox.messages[0][1], re.M)
    assert subject and case.filing_label in subject.group(1)


def test_intake_is_rate_limited(tmp_path):
    app = make_app(
        f"sqlite:///{tmp_path / 'limits.db'}",
        tmp_path,
        RATELIMIT_ENABLED=True,
        PQR_INTAKE_RATE_LIMIT="2 per minute",
    )
    with app.app_context():
        _db.create_all()
        client = app.test_client()
        codes = [client.post("/pqr/new", data={}).status_code for _ in range(3)]
        assert client.get("/pqr/new").status_code == 200
        _db.engine.dispose()
    assert codes == [400, 400, 429]


def test_intake_requires_a_csrf_token(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'csrf.db'}", tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        _db.create_all()
        site = factories.site()
        _db.session.commit()
        client = app.test_client()
        data = form_data({"site": site})
        response = client.post("/pqr/new", data=data)
        filed = _db.session.scalar(sa.select(sa.func.count()).select_from(Case))
        _db.engine.dispose()
    assert response.status_code == 400
    assert filed == 0


def test_photo_location_is_removed_before_storing(client, place):
    before = set(stored_files())
    exif = Image.Exif()
    exif[0x0110] = "Phone X"  # camera model, kept
    exif.get_ifd(0x8825)[2] = (4.0, 35.0, 56.0)  # GPS latitude
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(out, format="JPEG", exif=exif)
    assert 0x8825 in Image.open(io.BytesIO(out.getvalue())).getexif()
    assert post(client, form_data(place), [(out.getvalue(), "foto.jpg")]).status_code == 303
    (stored,) = set(stored_files()) - before
    kept = Image.open(io.BytesIO(stored.read_bytes())).getexif()
    assert 0x8825 not in kept
    assert kept[0x0110] == "Phone X"
