"""The report pages: who may ask for, see and download which report; progress; CSRF."""

from __future__ import annotations

import sqlalchemy as sa

from servqual.reports.models import Report
from tests import factories


def _reports(db) -> list[Report]:
    return list(db.session.scalars(sa.select(Report).order_by(Report.id)))


def _download(client, report) -> tuple[int, bytes, str]:
    """GET a report's file; return status, body and type (closing the file it streams)."""
    with client.get(f"/reports/{report.id}/download") as response:
        return response.status_code, response.data, response.mimetype


def _ask(client, campaign, kind, site=None, language="en"):
    return client.post(
        "/reports/new",
        data={
            "kind": kind,
            "campaign_id": campaign.id,
            "site_id": site.id if site else "",
            "language": language,
        },
    )


def test_a_manager_requests_a_report_and_downloads_it(
    app, db, client, make_user, login, monkeypatch
):
    monkeypatch.setitem(app.config, "REDIS_URL", None)  # written inline, at once
    site = factories.site()
    campaign = factories.campaign(sites=[site])
    login(make_user("manager"))

    form = client.get("/reports/new")
    asked = _ask(client, campaign, "executive")

    assert form.status_code == 200 and 'name="kind"' in form.get_data(as_text=True)
    (report,) = _reports(db)
    assert asked.status_code == 302
    assert asked.headers["Location"].endswith(f"/reports/{report.id}")
    assert (report.kind, report.status, report.progress) == ("executive", "done", 100)
    status = client.get(f"/reports/{report.id}")
    assert "Refresh" not in status.headers  # finished: no more reloading
    assert f"/reports/{report.id}/download" in status.get_data(as_text=True)
    status_code, body, mimetype = _download(client, report)
    assert (status_code, mimetype) == (200, "application/pdf")
    assert body.startswith(b"%PDF")
    assert len(body) == report.size_bytes
    listing = client.get("/reports/").get_data(as_text=True)
    assert campaign.wave in listing and f"/reports/{report.id}/download" in listing


def test_the_progress_page_reloads_until_the_report_is_finished(db, client, make_user, login):
    campaign = factories.campaign()
    queued = factories.report(campaign, kind="executive", status="queued")
    login(make_user("manager"))

    page = client.get(f"/reports/{queued.id}")

    assert page.status_code == 200
    assert page.headers["Refresh"] == "2"
    body = page.get_data(as_text=True)
    assert "<progress" in body and "<script" not in body.split("<main", 1)[1]
    assert _download(client, queued)[0] == 404


def test_a_manager_limited_to_a_site_stays_within_it(db, client, make_user, login):
    mine, other = factories.site(), factories.site()
    campaign = factories.campaign(sites=[mine, other])
    executive = factories.report(campaign, kind="executive")
    theirs = factories.report(campaign, kind="site", site=other)
    own = factories.report(campaign, kind="site", site=mine)
    shared = factories.report(campaign, kind="staff")
    login(make_user("manager", sites=[mine]))

    for report in (executive, theirs):
        assert client.get(f"/reports/{report.id}").status_code == 403
        assert _download(client, report)[0] == 403
    for report in (own, shared):
        assert _download(client, report)[0] == 200
    listing = client.get("/reports/").get_data(as_text=True)
    assert f'/reports/{own.id}"' in listing and f'/reports/{shared.id}"' in listing
    assert f'/reports/{executive.id}"' not in listing and f'/reports/{theirs.id}"' not in listing
    assert _ask(client, campaign, "executive").status_code == 400
    assert _ask(client, campaign, "site", other).status_code == 400
    assert _ask(client, campaign, "staff").status_code == 400  # only with one of their sites
    assert len(_reports(db)) == 4
    assert _ask(client, campaign, "site", mine).status_code == 302
    assert _reports(db)[-1].site_id == mine.id


def test_staff_roles_read_staff_reports_only(db, client, make_user, login):
    campaign = factories.campaign()
    executive = factories.report(campaign, kind="executive")
    staff = factories.report(campaign, kind="staff")
    for role in ("auditor", "agent"):
        login(make_user(role))
        assert _download(client, staff)[0] == 200
        assert client.get(f"/reports/{executive.id}").status_code == 403
        assert _download(client, executive)[0] == 403
        listing = client.get("/reports/").get_data(as_text=True)
        assert f'/reports/{staff.id}"' in listing
        assert f'/reports/{executive.id}"' not in listing
        assert "/reports/new" not in listing
        assert client.get("/reports/new").status_code == 403


def test_bad_requests_are_refused_with_a_message(db, client, make_user, login):
    campaign = factories.campaign()
    login(make_user("manager"))

    no_site = _ask(client, campaign, "site")
    bad_language = _ask(client, campaign, "staff", language="fr")

    assert no_site.status_code == 400
    assert "site" in no_site.get_data(as_text=True).lower()
    assert bad_language.status_code == 400
    assert _reports(db) == []


def test_requesting_a_report_needs_the_csrf_token(app, db, client, make_user, login, monkeypatch):
    campaign = factories.campaign()
    login(make_user("manager"))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    refused = _ask(client, campaign, "executive")

    assert refused.status_code == 400
    assert _reports(db) == []
    assert 'name="csrf_token"' in client.get("/reports/new").get_data(as_text=True)
