"""The audit section of the dashboard and the PDF: compliance grids, worst standards, photos."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import secrets
from datetime import date
from html import unescape

import pytest
from PIL import Image
from pypdf import PdfReader

from servqual.audits.evidence import evidence_dir
from servqual.audits.models import Evidence
from servqual.audits.scoring_queries import Photo
from servqual.extensions import db
from servqual.gaps.sources import Scope
from servqual.i18n import LOCALE_COOKIE
from servqual.reports import audit_panels, documents
from tests import factories
from tests.audits import auditdata
from tests.reports.dashdata import organisation


@pytest.fixture(autouse=True)
def _english(client):
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")


def _photo(visit, colour) -> Evidence:
    """Store a small PNG in the instance's evidence folder and attach it to ``visit``."""
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(buffer, format="PNG")
    data = buffer.getvalue()
    name = f"{secrets.token_hex(8)}.png"
    folder = evidence_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    row = Evidence(
        visit_id=visit.id,
        question_code="Q0",
        sha256=hashlib.sha256(data).hexdigest(),
        content_type="image/png",
        size_bytes=len(data),
        stored_name=name,
        width=800,
        height=600,
    )
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def audited(db, make_user):
    """Dashboard test organisation plus audits at the counter.

    North: 6 approved visits, Agility standard met on 3, Warmth on all 6;
    South: 5 approved visits, Agility met on all 5, Warmth on 1.
    A returned and a rejected visit at North fail everything and must not count.
    """
    org = organisation()
    counter = org.touchpoints[0]
    north, south = org.sites
    speed = factories.standard(
        code="SPD1", name="Call within 3 minutes", pillar=org.pillars["SPEED"]
    )
    warm = factories.standard(code="WRM1", name="Greet by name", pillar=org.pillars["WARM"])
    programme = auditdata.programme(org.sites, [counter], org.current.instrument_version)
    auditor = make_user("auditor")
    visits = {}
    for site, speed_met, warm_met, n in ((north, 3, 6, 6), (south, 5, 1, 5)):
        for k in range(n):
            answers = [
                (speed, counter, 1, 1.0 if k < speed_met else 0.0),
                (warm, counter, 1, 1.0 if k < warm_met else 0.0),
            ]
            visits.setdefault(site.name, []).append(
                auditdata.visit(programme, site, auditor, answers, scheduled_on=date(2026, 10, 2))
            )
    for status in ("returned", "rejected"):
        auditdata.visit(
            programme, north, auditor, [(speed, counter, 1, 0.0), (warm, counter, 1, 0.0)],
            status=status,
        )  # fmt: skip
    photos = {
        "North branch": _photo(visits["North branch"][0], "red"),
        "South branch": _photo(visits["South branch"][0], "blue"),
    }
    return org, photos


def _table(html: str, panel: str) -> dict[tuple[str, str], list[str]]:
    section = re.search(rf'id="panel-{panel}".*?</section>', html, re.DOTALL).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", section, re.DOTALL).group(1)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL):
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
        ]
        rows[cells[0], cells[1]] = cells
    return rows


def test_dashboard_shows_audit_compliance_worst_standards_and_photos(
    client, make_user, login, audited
):
    org, photos = audited
    login(make_user("manager"))
    response = client.get(f"/dashboard/?campaign={org.current.id}")
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    # Counter × Agility: (3 + 5)/11 = 72.73 %;  Counter × Warmth: (6 + 1)/11 = 63.64 %.
    grid = _table(html, "audit_touchpoints")
    assert grid["Counter", "Agility"][2] == "72.73"
    assert grid["Counter", "Warmth"][2] == "63.64"
    assert grid["Counter", "Agility"][5] == "11"  # visits: the returned and rejected left out
    sites = _table(html, "audit_sites")
    assert sites["North branch", "Agility"][2] == "50.00"
    assert sites["North branch", "Warmth"][2] == "100.00"
    assert sites["South branch", "Warmth"][2] == "20.00"
    trend = _table(html, "audit_trend")
    assert trend["Agility", "2026-10"][2] == "72.73"
    assert trend["All pillars", "2026-10"][2] == "68.18"  # 15 of 22 checks
    worst = re.search(r'id="panel-audit_worst".*?</section>', html, re.DOTALL).group(0)
    assert worst.index("Greet by name") < worst.index("Call within 3 minutes")
    for photo in photos.values():
        assert f"/my-visits/photos/{photo.id}" in html
    # Gap 3's D comes from the audits at the counter, and the waterfall says so.
    assert "audit compliance" in html


def test_a_manager_limited_to_a_site_sees_only_its_audits_and_photos(
    client, make_user, login, audited
):
    org, photos = audited
    south = org.sites[1]
    login(make_user("manager", sites=[south]))
    html = unescape(client.get(f"/dashboard/?campaign={org.current.id}").get_data(as_text=True))
    grid = _table(html, "audit_touchpoints")
    assert grid["Counter", "Agility"][2] == "100.00"  # South only: 5 of 5
    assert grid["Counter", "Warmth"][2] == "20.00"
    assert {row for row, _pillar in _table(html, "audit_sites")} == {"South branch"}
    assert f"/my-visits/photos/{photos['South branch'].id}" in html
    assert f"/my-visits/photos/{photos['North branch'].id}" not in html
    csv_response = client.get(f"/dashboard/audit_sites.csv?campaign={org.current.id}")
    assert csv_response.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_response.get_data(as_text=True).lstrip("\ufeff"))))
    assert {row[0] for row in rows[1:]} == {"South branch"}
    north = org.sites[0]
    assert (
        client.get(
            f"/dashboard/audit_sites.csv?campaign={org.current.id}&site={north.id}"
        ).status_code
        == 403
    )


def test_no_audit_panel_without_approved_visits(client, make_user, login, db):
    org = organisation()
    login(make_user("manager"))
    html = client.get(f"/dashboard/?campaign={org.current.id}").get_data(as_text=True)
    assert "panel-audit_touchpoints" not in html and "panel-audit-photos" not in html
    assert client.get(f"/dashboard/audit_worst.csv?campaign={org.current.id}").status_code == 404


def test_pdf_report_prints_the_audit_section_with_embedded_thumbnails(app, audited):
    org, _photos = audited
    pages = audit_panels.audit_pages(Scope(org.current.id), org.current)
    assert pages.visits == 11
    assert len(pages.thumbnails) == 2
    for thumb in pages.thumbnails:
        assert thumb.uri.startswith("data:image/jpeg;base64,")
        with Image.open(io.BytesIO(base64.b64decode(thumb.uri.split(",", 1)[1]))) as image:
            assert max(image.size) <= audit_panels.THUMBNAIL_PIXELS
    built = documents.build("executive", org.current, None, "en")
    reader = PdfReader(io.BytesIO(built.pdf.data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Mystery-shopper audits" in text
    assert "72.7" in text and "63.6" in text
    assert "Evidence from approved visits" in text
    images = sum(len(page.images) for page in reader.pages)
    assert images >= 2


def test_thumbnails_read_only_the_evidence_folder(app):
    outside = Photo(1, "../../etc/passwd", "image/png", "North", date(2026, 10, 1), None)
    assert audit_panels.thumbnail(outside) is None
    missing = Photo(2, "nothing-here.png", "image/png", "North", date(2026, 10, 1), None)
    assert audit_panels.thumbnail(missing) is None
    wrong_type = Photo(3, "x.svg", "image/svg+xml", "North", date(2026, 10, 1), None)
    assert audit_panels.thumbnail(wrong_type) is None
