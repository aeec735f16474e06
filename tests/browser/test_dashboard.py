"""A manager opens the dashboard on a phone, filters it, opens an action from a cell, gets a PDF."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from servqual.accounts.operations import create_user
from servqual.extensions import db
from servqual.reports.action_models import Action
from servqual.reports.models import Report, ReportKind, ReportStatus
from tests.browser.conftest import PHONE
from tests.browser.test_respondent import assert_accessible
from tests.conftest import GOOD_PASSWORD
from tests.reports.dashdata import organisation


@pytest.fixture
def manager_data(live_server):
    with live_server.app.app_context():
        data = organisation(per_link=12)
        create_user("boss@example.com", "Bea Boss", GOOD_PASSWORD, "manager")
        ids = {
            "current": data.current.id,
            "north": data.sites[0].id,
            "counter": data.touchpoints[0].id,
        }
        db.session.commit()
    return ids


@pytest.mark.browser
def test_manager_filters_the_dashboard_opens_an_action_and_downloads_a_pdf(
    browser, live_server, manager_data
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/login?lang=en")
    page.locator("input[name='email']").fill("boss@example.com")
    page.locator("input[name='password']").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/dashboard/")
    assert page.get_by_role("heading", name="Dashboard", exact=True).is_visible()
    assert page.locator("figure.chart svg").count() == 6
    # The charts keep their colours under the CSP (presentation attributes, not styles).
    fill = page.locator("#panel-heatmap svg path[fill]").first.evaluate(
        "node => getComputedStyle(node).fill"
    )
    assert fill.startswith("rgb(")
    assert_accessible(page, "dashboard")

    page.get_by_label("Site").select_option(str(manager_data["north"]))
    page.get_by_label("Segment").select_option("loyal")
    page.get_by_role("button", name="Apply filters").click()
    assert f"site={manager_data['north']}" in page.url and "segment=loyal" in page.url
    filtered = page.url
    heatmap = page.locator("#panel-heatmap table")
    # Twelve answers per site, half of them loyal: six respondents per cell, indicative.
    assert "indicative" in heatmap.inner_text()
    assert_accessible(page, "filtered dashboard")

    heatmap.locator("a.act").first.click()
    assert "/actions/new" in page.url and f"touchpoint={manager_data['counter']}" in page.url
    page.get_by_label("What will be done").fill("Second counter at rush hour")
    page.get_by_label("Target value of the gap").fill("-0.2")
    page.get_by_label("Due date").fill("2026-12-01")
    page.get_by_role("button", name="Open the action").click()
    assert page.get_by_role("heading", name="Action: Counter × Agility").is_visible()
    assert_accessible(page, "action page")

    # Back on the filtered dashboard, the manager asks for the PDF of that site.
    page.goto(filtered)
    request = page.locator("section.report-request")
    assert "site report" in request.inner_text() and "North" in request.inner_text()
    page.get_by_label("Language of the report").select_option("en")
    page.get_by_role("button", name="Request a PDF report").click()
    # Without Redis the report is written during the request; the page then offers it.
    download_link = page.get_by_role("link", name="Download PDF")
    download_link.wait_for(timeout=60_000)
    assert page.get_by_text("Site report").first.is_visible()
    with page.expect_download() as event:
        download_link.click()
    download = event.value
    assert download.suggested_filename.endswith(".pdf")
    data = download.path().read_bytes()
    assert data.startswith(b"%PDF")
    pdf = PdfReader(io.BytesIO(data))
    assert len(pdf.pages) >= 3
    assert "Site report" in pdf.pages[0].extract_text()
    context.close()

    with live_server.app.app_context():
        action = db.session.scalars(sa.select(Action)).one()
        assert (action.site_id, action.touchpoint_id) == (
            manager_data["north"],
            manager_data["counter"],
        )
        assert action.baseline_n == 12
        report = db.session.scalars(sa.select(Report)).one()
        assert (report.kind, report.site_id, report.language, report.status) == (
            ReportKind.SITE,
            manager_data["north"],
            "en",
            ReportStatus.DONE,
        )
