"""The manager dashboard: figures, filters in the URL, site limits, CSV downloads."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from html import unescape

import numpy as np
import pytest
import sqlalchemy as sa

from servqual.extensions import db as _db
from servqual.gaps.sources import Scope, analyse_wave
from servqual.i18n import LOCALE_COOKIE
from servqual.reports import panels
from servqual.reports.charts import format_number
from servqual.reports.models import Report
from tests import factories
from tests.reports.dashdata import organisation

ALL_PANELS = panels.PANELS


@pytest.fixture
def org(db):
    return organisation()


@pytest.fixture(autouse=True)
def _english(client):
    """English unless a test asks for a language; tests/test_i18n.py walks both."""
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return unescape(response.get_data(as_text=True))


def heatmap_rows(html: str) -> dict[tuple[str, str], list[str]]:
    """Return the heatmap's data table: (touchpoint, pillar) → the row's cells."""
    section = re.search(r'id="panel-heatmap".*?</section>', html, re.DOTALL).group(0)
    table = re.search(r"<tbody>(.*?)</tbody>", section, re.DOTALL).group(1)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL):
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
        ]
        rows[(cells[0], cells[1])] = cells
    return rows


def csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("lang", ["es", "en"])
def test_dashboard_shows_the_figures_of_the_analysis(client, make_user, login, org, lang):
    login(make_user("manager"))
    html = page(client, f"/dashboard/?campaign={org.current.id}&lang={lang}")
    assert f'<html lang="{lang}">' in html
    analysis = analyse_wave(Scope(org.current.id), by=("touchpoint",))
    rows = heatmap_rows(html)
    rows_data = org.rows[org.current.id]
    for touchpoint in org.touchpoints:
        for code, pillar in org.pillars.items():
            cell = analysis.cell(touchpoint.id, code)
            # The engine's figure is the independent mean of respondents' pillar gaps.
            expected = rows_data.pillar_gaps(code, touchpoint=touchpoint.id)
            assert cell.gap.mean == pytest.approx(expected.mean())
            assert cell.gap.n == expected.size == 60
            shown = rows[(touchpoint.name, pillar.name)]
            assert shown[2] == format_number(cell.gap.mean, lang)
            assert shown[3] == format_number(cell.gap.ci_low, lang)
            assert shown[5] == "60"
    # Decimal comma in Spanish, point in English.
    sample = analysis.cell(org.touchpoints[0].id, "SPEED").gap.mean
    assert ("," in format_number(sample, lang)) == (lang == "es")
    # Every panel: an inline SVG chart (but the priorities), a data table, a CSV link;
    # no zone of tolerance, which this campaign's format does not ask.
    assert html.count("<svg") == len(ALL_PANELS) - 2
    for name in ALL_PANELS:
        if name == "zones":
            continue  # the campaign's format has no zone of tolerance
        assert f'id="panel-{name}"' in html
        assert f"/dashboard/{name}.csv?campaign={org.current.id}" in html
    assert 'id="panel-zones"' not in html
    assert html.count("<details") == len(ALL_PANELS) - 2
    # The priorities list the significant shortfall of the counter, with n.
    priorities = re.search(r'id="panel-priorities".*?</section>', html, re.DOTALL).group(0)
    open_action = {"es": "Abrir una acción", "en": "Open an action"}[lang]
    assert "Counter" in priorities and open_action in priorities
    # The previous wave is named and the trend carries both waves.
    assert "2026-Q1" in html and "2026-Q3" in html


def test_inline_charts_obey_the_content_security_policy(client, make_user, login, org):
    login(make_user("admin"))
    response = client.get(f"/dashboard/?campaign={org.current.id}")
    policy = response.headers["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    html = response.get_data(as_text=True)
    # No inline style (attributes or elements) nor inline script anywhere on the page.
    assert not re.search(r"\sstyle=", html)
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)
    for svg in re.findall(r"<svg\b.*?</svg>", html, re.DOTALL):
        root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
        assert root.get("role") == "img"
    # The colours survive as presentation attributes.
    assert 'fill="#' in html


def test_filters_change_the_figures(client, make_user, login, org):
    login(make_user("manager"))
    north = org.sites[0]
    counter = org.touchpoints[0]
    data = org.rows[org.current.id]
    base = f"/dashboard/?campaign={org.current.id}"
    everywhere = heatmap_rows(page(client, f"{base}&lang=en"))
    at_north = heatmap_rows(page(client, f"{base}&site={north.id}"))
    loyal = heatmap_rows(page(client, f"{base}&segment=loyal"))
    one_touchpoint = heatmap_rows(page(client, f"{base}&touchpoint={counter.id}"))
    by_channel = heatmap_rows(page(client, f"{base}&channel={counter.channel_id}"))
    key = (counter.name, "Agility")
    assert at_north[key][2] == format_number(
        data.pillar_gaps("SPEED", touchpoint=counter.id, site=north.id).mean(), "en"
    )
    assert at_north[key][5] == "30"
    assert loyal[key][2] == format_number(
        data.pillar_gaps("SPEED", touchpoint=counter.id, segment="loyal").mean(), "en"
    )
    assert at_north[key] != everywhere[key] and loyal[key] != everywhere[key]
    assert {tp for tp, _ in one_touchpoint} == {counter.name}
    assert {tp for tp, _ in by_channel} == {counter.name}
    # The filters stay in the form (a shareable URL) and in the CSV links.
    html = page(client, f"{base}&site={north.id}&segment=loyal")
    assert f'<option value="{north.id}" selected>' in html
    assert '<option value="loyal" selected>' in html
    assert f"heatmap.csv?campaign={org.current.id}&site={north.id}&segment=loyal" in html


@pytest.mark.parametrize(
    "query",
    [
        "campaign=abc",
        "campaign=999999",
        "touchpoint=999999",
        "channel=nope",
        "segment=vip",
        "site=999999",
    ],
)
def test_bad_filters_are_refused(client, make_user, login, org, query):
    login(make_user("manager"))
    response = client.get(f"/dashboard/?{query}")
    assert response.status_code == 400
    assert b"not" in response.data or b"no such" in response.data
    assert client.get(f"/dashboard/heatmap.csv?{query}").status_code == 400


def test_a_manager_limited_to_one_site_sees_only_it(client, make_user, login, org):
    north, south = org.sites
    login(make_user("manager", sites=[north]))
    base = f"/dashboard/?campaign={org.current.id}&lang=en"
    assert client.get(f"{base}&site={south.id}").status_code == 403
    for name in ALL_PANELS:
        url = f"/dashboard/{name}.csv?campaign={org.current.id}&site={south.id}"
        assert client.get(url).status_code == 403, name
    html = page(client, base)
    site_select = html.split('name="site"', 1)[1].split("</select>", 1)[0]
    assert south.name not in site_select and north.name in site_select
    counter = org.touchpoints[0]
    # Without a site filter the figures are those of the manager's site only.
    expected = org.rows[org.current.id].pillar_gaps("SPEED", touchpoint=counter.id, site=north.id)
    row = heatmap_rows(html)[(counter.name, "Agility")]
    assert row[2] == format_number(expected.mean(), "en") and row[5] == "30"
    # Every CSV, unfiltered, carries no answer from the other site.
    csv_heatmap = csv_rows(client.get(f"/dashboard/heatmap.csv?campaign={org.current.id}"))
    counts = [int(line[5]) for line in csv_heatmap[1:] if line[5]]
    assert counts and max(counts) == 30
    # Actions opened from the page name the manager's site.
    assert f"site={north.id}" in html


def test_csv_download_gives_the_chart_table(client, make_user, login, org):
    login(make_user("manager"))
    response = client.get(f"/dashboard/heatmap.csv?campaign={org.current.id}&lang=en")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="heatmap-2026-Q3.csv"'
    rows = csv_rows(response)
    assert rows[0] == [
        "Touchpoint",
        "Pillar",
        "Gap 5 (P − E)",
        "95% CI low",
        "95% CI high",
        "n",
        "Adjusted p",
    ]
    analysis = analyse_wave(Scope(org.current.id), by=("touchpoint",))
    by_name = {(row[0], row[1]): row for row in rows[1:]}
    assert len(by_name) == 4
    for touchpoint in org.touchpoints:
        for code, pillar in org.pillars.items():
            row = by_name[(touchpoint.name, pillar.name)]
            cell = analysis.cell(touchpoint.id, code)
            assert float(row[2]) == pytest.approx(cell.gap.mean, abs=1e-6)
            assert float(row[3]) == pytest.approx(cell.gap.ci_low, abs=1e-6)
            assert int(row[5]) == cell.gap.n
            assert float(row[6]) == pytest.approx(cell.adjusted_p, abs=1e-6)
    for name in ALL_PANELS:
        response = client.get(f"/dashboard/{name}.csv?campaign={org.current.id}")
        # No zone of tolerance in this campaign's format: nothing to download.
        assert response.status_code == (404 if name == "zones" else 200), name
        assert name == "zones" or len(csv_rows(response)) >= 3, name
    trend = csv_rows(client.get(f"/dashboard/trend.csv?campaign={org.current.id}"))
    waves = {row[1] for row in trend[1:]}
    assert waves == {"2026-Q1", "2026-Q3"}


def test_csv_neutralises_formulas(client, make_user, login, org):
    counter = org.touchpoints[0]
    counter.name = '=HYPERLINK("http://evil.example","x")'
    org.pillars["SPEED"].name = "@SUM(A1)"
    org.pillars["WARM"].name = "+cmd"
    _db.session.flush()
    login(make_user("manager"))
    rows = csv_rows(client.get(f"/dashboard/heatmap.csv?campaign={org.current.id}"))
    names = {row[0] for row in rows[1:]} | {row[1] for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil.example","x")' in names
    assert "'@SUM(A1)" in names and "'+cmd" in names
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_neutralise_covers_every_formula_start():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert panels.neutralise(f"{start}1+1") == f"'{start}1+1"
    assert panels.neutralise("Counter") == "Counter"
    assert panels.neutralise(None) == ""
    # Numbers stay numbers: a negative gap is data, not a formula.
    assert panels.neutralise(-0.5) == "-0.5"
    assert panels.neutralise(42) == "42"


def test_heatmap_cells_open_a_prefilled_action(client, make_user, login, org):
    login(make_user("manager"))
    html = page(client, f"/dashboard/?campaign={org.current.id}")
    counter = org.touchpoints[0]
    links = re.findall(r'<a class="act" href="([^"]+)"', html)
    wanted = f"/actions/new?campaign={org.current.id}&touchpoint={counter.id}&pillar=SPEED&gap=gap5"
    assert wanted in links
    form = page(client, wanted)
    assert f'<option selected value="{counter.id}">' in form or (
        f'<option value="{counter.id}" selected>' in form
    )


def test_the_dashboard_is_for_managers(client, make_user, login, org):
    for role in ("auditor", "agent"):
        login(make_user(role))
        assert client.get("/dashboard/").status_code == 403
        assert client.get("/dashboard/heatmap.csv").status_code == 403


def test_an_empty_wave_says_so(client, make_user, login, db):
    login(make_user("manager"))
    assert "No campaign has been opened yet" in page(client, "/dashboard/")


def test_small_cells_are_neither_drawn_nor_tabled(client, make_user, login, db):
    data = organisation(per_link=2)
    login(make_user("manager"))
    html = page(client, f"/dashboard/?campaign={data.current.id}&lang=en")
    rows = heatmap_rows(html)
    counter = data.touchpoints[0]
    row = rows[(counter.name, "Agility")]
    assert row[5] == "4"  # two per site: n is shown, the mean is not
    assert row[2] == "no data" and "fewer than 5 answers" in row
    assert "indicative" not in row[-1]
    values = np.array(data.rows[data.current.id].pillar_gaps("SPEED", touchpoint=counter.id))
    assert format_number(values.mean(), "en") not in rows


def test_zone_of_tolerance_panel_for_the_three_column_format(client, make_user, login, db):
    data = organisation(per_link=3)
    zone = factories.campaign(
        name="Zone survey",
        wave="2026-Q4",
        format="zone_of_tolerance",
        touchpoints=data.touchpoints,
        sites=data.sites,
        instrument_version=data.current.instrument_version,
    )
    rng = np.random.default_rng(3)
    for number in range(40):
        answers = {}
        for code in ("REL1", "REL2", "EMP1", "EMP2"):
            adequate = int(rng.integers(2, 5))
            desired = int(rng.integers(5, 8))
            answers[code] = (None, int(rng.integers(1, 8)), adequate, desired)
        factories.response(zone, answers, link=zone.links[number % len(zone.links)])
    login(make_user("manager"))
    html = page(client, f"/dashboard/?campaign={zone.id}&lang=en")
    assert 'id="panel-zones"' in html
    analysis = analyse_wave(Scope(zone.id), by=("touchpoint",))
    rows = csv_rows(client.get(f"/dashboard/zones.csv?campaign={zone.id}&lang=en"))
    assert rows[0][0] == "Dimension" and rows[0][4] == "MSA (P − A)"
    by_name = {row[0]: row for row in rows[1:]}
    for label, shares in analysis.zone.dimensions:
        row = by_name[label.name]
        assert float(row[4]) == pytest.approx(shares.mean_adequacy_gap, abs=1e-6)
        assert float(row[5]) == pytest.approx(shares.mean_superiority_gap, abs=1e-6)
        assert int(row[6]) == shares.n


def report_form(html: str) -> tuple[str, str, dict[str, str]]:
    """Return the dashboard's "request a PDF" section, its action and its hidden fields."""
    section = re.search(r'<section class="report-request".*?</section>', html, re.DOTALL).group(0)
    action = re.search(r'<form method="post" action="([^"]+)"', section).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', section))
    return section, action, fields


def test_the_dashboard_requests_the_pdf_of_its_wave_and_site(client, make_user, login, org):
    login(make_user("manager"))
    north = org.sites[0]
    _section, action, fields = report_form(page(client, f"/dashboard/?campaign={org.current.id}"))
    assert action == "/reports/new"
    assert fields["kind"] == "executive" and fields["site_id"] == ""
    assert fields["campaign_id"] == str(org.current.id)

    html = page(client, f"/dashboard/?campaign={org.current.id}&site={north.id}&segment=loyal")
    section, action, fields = report_form(html)
    assert "The site report of wave" in section and north.name in section
    assert (fields["kind"], fields["site_id"]) == ("site", str(north.id))
    response = client.post(action, data={**fields, "language": "en"})
    assert response.status_code == 302 and "/reports/" in response.headers["Location"]
    status = page(client, response.headers["Location"])
    assert "Download PDF" in status
    download = re.search(r'href="(/reports/\d+/download)"', status).group(1)
    pdf = client.get(download)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    report = _db.session.scalars(sa.select(Report)).one()
    assert (report.kind, report.site_id, report.campaign_id, report.language) == (
        "site",
        north.id,
        org.current.id,
        "en",
    )


def test_a_manager_limited_to_sites_requests_only_their_site_reports(client, make_user, login, org):
    north, south = org.sites
    login(make_user("manager", sites=[north]))
    _section, _action, fields = report_form(page(client, f"/dashboard/?campaign={org.current.id}"))
    assert (fields["kind"], fields["site_id"]) == ("site", str(north.id))

    login(make_user("manager", sites=[north, south]))
    section, _action, fields = report_form(page(client, f"/dashboard/?campaign={org.current.id}"))
    # Several sites and no site filter: the manager picks one; never the executive report.
    assert fields["kind"] == "site" and "site_id" not in fields
    choices = section.split('name="site_id"', 1)[1].split("</select>", 1)[0]
    assert north.name in choices and south.name in choices
