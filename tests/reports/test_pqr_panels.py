"""The PQR section of the dashboard (site limits, CSV) and of the executive PDF."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
from pypdf import PdfReader

from servqual.i18n import LOCALE_COOKIE
from servqual.reports import documents
from tests.pqr.case_builders import case as make_case
from tests.reports.dashdata import organisation
from tests.reports.waves import two_waves


@pytest.fixture
def org(db):
    return organisation()


@pytest.fixture(autouse=True)
def _english(client):
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")


def answered(row, on: date) -> None:
    row.answered_at = datetime(on.year, on.month, on.day, 15, tzinfo=UTC)
    row.status = "answered"


def panel_rows(html: str, name: str) -> dict[str, list[str]]:
    section = re.search(rf'id="panel-{name}".*?</section>', html, re.DOTALL).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", section, re.DOTALL).group(1)
    rows = {}
    for line in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL):
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", line, re.DOTALL)
        ]
        rows[cells[0] if name == "pqr_figures" else f"{cells[0]}|{cells[1]}"] = cells
    return rows


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_a_manager_limited_to_a_site_sees_only_its_pqr(client, make_user, login, org, db):
    north, south = org.sites
    filed = date(2026, 9, 4)
    answered(make_case(north, filed_on=filed), date(2026, 9, 9))
    make_case(north, filed_on=filed, request_type="claim")
    for _ in range(3):
        make_case(south, filed_on=filed, request_type="petition")
    db.session.commit()

    login(make_user("manager", sites=[north]))
    base = f"/dashboard/?campaign={org.current.id}"
    html = unescape(client.get(base).get_data(as_text=True))
    figures = panel_rows(html, "pqr_figures")
    assert figures["Cases filed"][1] == "2"
    volume = panel_rows(html, "pqr_volume")
    assert volume["Type|Complaint (queja)"][2] == "1"
    assert volume["Type|Claim (reclamo)"][2] == "1"
    assert not any("Request (petición)" in key for key in volume)  # south's petitions
    lines = csv_rows(client.get(f"/dashboard/pqr_volume.csv?campaign={org.current.id}"))
    assert lines[0] == ["Grouped by", "Category", "Cases"]
    assert sum(int(line[2]) for line in lines[1:] if line[0] == "Type") == 2
    url = f"/dashboard/pqr_figures.csv?campaign={org.current.id}&site={south.id}"
    assert client.get(url).status_code == 403

    login(make_user("manager"))
    html = unescape(client.get(base).get_data(as_text=True))
    assert panel_rows(html, "pqr_figures")["Cases filed"][1] == "5"


def test_no_pqr_panel_without_cases(client, make_user, login, org):
    login(make_user("manager"))
    html = client.get(f"/dashboard/?campaign={org.current.id}").get_data(as_text=True)
    assert 'id="panel-pqr_figures"' not in html


def test_the_executive_pdf_prints_on_time_rate_and_median(app, db):
    waves = two_waves()
    site = waves.sites[0]
    filed = date(2026, 9, 4)  # a Friday
    # Business days after filing: Mon 7, Tue 8, Wed 9 -> 3; ... Fri 11 -> 5.
    answered(make_case(site, filed_on=filed), date(2026, 9, 9))
    answered(make_case(site, filed_on=filed), date(2026, 9, 11))
    make_case(site, filed_on=filed)  # still open, long past its due date: late, censored
    db.session.commit()
    # On time: 2 of 3 (the open case is past due) = 66.7 %.
    # Kaplan–Meier: S(3) = 2/3, S(5) = 1/3 -> median 5 business days.
    built = documents.build("executive", waves.current, None, "en")
    text = " ".join(
        " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(built.pdf.data)).pages
        ).split()
    )
    assert "Requests, complaints and claims (PQR)" in text
    assert re.search(r"Answered on time \(%\) 66\.7", text), text[-3000:]
    assert re.search(r"Median time to answer \(business days\) 5\.0", text), text[-3000:]
