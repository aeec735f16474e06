"""Who may open which page: every registered staff route × every role.

``MATRIX`` must name every route the application registers; a new route without an
entry here makes ``test_every_route_is_in_the_matrix`` fail.
"""

from __future__ import annotations

import pytest
from flask import current_app, url_for

from servqual.api.operations import create_token
from servqual.surveys.importing import store_upload
from servqual.surveys.operations import start_draft
from tests import factories
from tests.audits import builders as audit_builders
from tests.pqr import case_builders as pqr_builders
from tests.pqr import intake_builders

ALL_STAFF = frozenset({"admin", "manager", "auditor", "agent"})
ADMIN = frozenset({"admin"})
MANAGERS = frozenset({"admin", "manager"})
PUBLIC = None
#: Routes of the JSON API: a bearer token opens them, a staff session does not.
TOKEN = frozenset()
#: The auditor's own visit: administrators pass the role check but not the ownership one.
AUDITOR_OWN = frozenset({"auditor"})
AUDITORS = frozenset({"admin", "auditor"})

#: Each orderable resource has list/new/edit/delete/move; sites have no order.
_SERVICE_RESOURCES = {
    "sites": False,
    "promises": False,
    "channels": True,
    "cycles": True,
    "touchpoints": True,
    "pillars": True,
    "standards": True,
}

MATRIX: dict[str, frozenset[str] | None] = {
    "static": PUBLIC,
    "main.home": PUBLIC,
    "main.language": PUBLIC,
    "accounts.login": PUBLIC,
    "accounts.logout": PUBLIC,
    "accounts.users": ADMIN,
    "accounts.user_new": ADMIN,
    "accounts.user_edit": ADMIN,
    "service.overview": ADMIN,
    "service.organisation": ADMIN,
    "service.promise": ADMIN,
    "service.item_pillars": ADMIN,
    "surveys.campaigns": MANAGERS,
    "surveys.campaign_new": MANAGERS,
    "surveys.campaign_edit": MANAGERS,
    "surveys.campaign_status": MANAGERS,
    "surveys.campaign_links": MANAGERS,
    "surveys.link_qr": MANAGERS,
    "surveys.link_poster": MANAGERS,
    "internal.open_waves": ALL_STAFF,
    "internal.overview": ALL_STAFF,
    "internal.management": MANAGERS,
    "internal.standards": ADMIN,
    "internal.delivery": MANAGERS,
    "internal.staff": ALL_STAFF,
    "invitations.contacts": MANAGERS,
    "invitations.campaign_invitations": MANAGERS,
    "invitations.create_invitations": MANAGERS,
    "invitations.send_invitations": MANAGERS,
    "transfer.import_upload": MANAGERS,
    "transfer.import_map": MANAGERS,
    "transfer.import_cancel": MANAGERS,
    "transfer.export": MANAGERS,
    "reports.reports": ALL_STAFF,
    "reports.report_new": MANAGERS,
    "reports.report_status": ALL_STAFF,
    "reports.report_download": ALL_STAFF,
    "dashboard.index": MANAGERS,
    "dashboard.csv": MANAGERS,
    "actions.index": MANAGERS,
    "actions.new": MANAGERS,
    "actions.show": MANAGERS,
    "actions.edit": MANAGERS,
    "actions.status": MANAGERS,
    "actions.delete": MANAGERS,
    "respond.invited": PUBLIC,
    "respond.unsubscribe": PUBLIC,
    "respond.start": PUBLIC,
    "respond.resume": PUBLIC,
    "respond.page": PUBLIC,
    "respond.thanks": PUBLIC,
    "analysis.campaign_gaps": MANAGERS,
    "analysis.campaign_summary": MANAGERS,
    "api.openapi": PUBLIC,
    "api.campaigns": TOKEN,
    "api.instrument": TOKEN,
    "api.submit": TOKEN,
    "api_tokens.tokens": MANAGERS,
    "api_tokens.revoke": MANAGERS,
    "audits.index": MANAGERS,
    "audits.programme_new": MANAGERS,
    "audits.programme": MANAGERS,
    "audits.programme_schedule": MANAGERS,
    "audits.programme_status": MANAGERS,
    "audits.visit_add": MANAGERS,
    "audits.visit_assign": MANAGERS,
    "audits.review_page": MANAGERS,
    "audits.review_decide": MANAGERS,
    "audits.answer_edit": MANAGERS,
    "fieldwork.my_visits": AUDITORS,
    "fieldwork.claim": AUDITORS,
    "fieldwork.visit_form": AUDITOR_OWN,
    "fieldwork.start": AUDITOR_OWN,
    "fieldwork.end": AUDITOR_OWN,
    "fieldwork.answer": AUDITOR_OWN,
    "fieldwork.save": AUDITOR_OWN,
    "fieldwork.photo": ALL_STAFF - {"agent"},
    "fieldwork.photo_delete": AUDITOR_OWN,
    "pqr_intake.new": PUBLIC,
    "pqr_intake.acknowledgement": PUBLIC,
    "pqr_intake.policy": PUBLIC,
    "pqr_intake.status": PUBLIC,
    "pqr_intake.register": ALL_STAFF - {"auditor"},
    "pqr_intake.attachment": ALL_STAFF - {"auditor"},
    "pqr_cases.queue_page": ALL_STAFF - {"auditor"},
    "pqr_cases.case": ALL_STAFF - {"auditor"},
    "pqr_cases.assign": ALL_STAFF - {"auditor"},
    "pqr_cases.status": ALL_STAFF - {"auditor"},
    "pqr_cases.pause": ALL_STAFF - {"auditor"},
    "pqr_cases.resume": ALL_STAFF - {"auditor"},
    "pqr_cases.extend": ALL_STAFF - {"auditor"},
    "pqr_cases.answer": ALL_STAFF - {"auditor"},
    "pqr_cases.note": ALL_STAFF - {"auditor"},
    "pqr_cases.classify": ALL_STAFF - {"auditor"},
    "pqr_cases.satisfaction": PUBLIC,
    "pqr_cases.rules": ADMIN,
    "pqr_cases.templates": ADMIN,
}
for _name, _orderable in _SERVICE_RESOURCES.items():
    for _action in ["list", "new", "edit", "delete"] + (["move"] if _orderable else []):
        MATRIX[f"service.{_name}_{_action}"] = ADMIN

ROLES = ["anonymous", "admin", "manager", "auditor", "agent"]


def _staff_rules(app):
    for rule in app.url_map.iter_rules():
        if MATRIX.get(rule.endpoint, "missing") not in (PUBLIC, TOKEN):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule, method


def test_every_route_is_in_the_matrix(app):
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert registered - set(MATRIX) == set(), "add the new routes to MATRIX"
    assert set(MATRIX) - registered == set(), "MATRIX names routes that no longer exist"


@pytest.fixture
def records(db, make_user):
    """One record of every kind a staff URL can point to."""
    site = factories.site()
    touchpoint = factories.touchpoint()
    standard = factories.standard(touchpoints=[touchpoint])
    campaign = factories.campaign()
    link = campaign.links[0]
    factories.management_instrument()
    factories.staff_instrument()
    auditor = make_user("auditor")
    return {
        "auditor": auditor,
        **audit_builders.role_records(make_user("manager"), auditor),
        "touchpoint_id": link.touchpoint_id,
        "site_id": link.site_id,
        "campaign_id": campaign.id,
        "link_id": link.id,
        "slug": link.slug,
        "token": start_draft(link, "es"),
        "number": 1,
        "kind": "svg",
        "status": "closed",
        "action": "remind",
        "sites": site.id,
        "channels": touchpoint.channel_id,
        "cycles": touchpoint.cycle_id,
        "touchpoints": touchpoint.id,
        "pillars": standard.pillar_id,
        "promises": factories.promise().id,
        "standards": standard.id,
        "user_id": make_user("agent").id,
        "panel": "heatmap",
        "action_id": factories.action(campaign, standard.pillar, make_user("manager")).id,
        "report_id": factories.report(campaign, kind="staff").id,
        "upload_id": store_upload(
            current_app.instance_path, b"REL1_E,REL1_P\n5,6\n", "r.csv", campaign.id, None, "utf-8"
        ),
        "token_id": create_token(campaign, "Kiosk")[0].id,
        "case_id": pqr_builders.case(site).id,
        "attachment_id": intake_builders.stored_attachment(pqr_builders.case(site)).id,
        "satisfaction_token": pqr_builders.satisfaction_link(pqr_builders.case(site)),
    }


def _url(app, rule, records) -> str:
    values = {}
    for argument in rule.arguments:
        if argument == "row_id":
            values[argument] = records[rule.endpoint.split(".")[1].rsplit("_", 1)[0]]
        elif argument == "direction":
            values[argument] = "down"
        else:
            values[argument] = records[argument]
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(app, client, make_user, login, records, role):
    if role != "anonymous":
        # The auditor signs in as the one whose visit the records hold.
        login(records["auditor"] if role == "auditor" else make_user(role))
    checked = 0
    for rule, method in _staff_rules(app):
        allowed = MATRIX[rule.endpoint]
        url = _url(app, rule, records)
        response = client.open(url, method=method)
        where = f"{method} {url} as {role}"
        if role == "anonymous":
            assert response.status_code == 302, where
            assert "/login" in response.headers["Location"], where
        elif role in allowed:
            assert response.status_code not in (302, 401, 403) or (
                method == "POST" and "/login" not in response.headers.get("Location", "")
            ), where
            if method == "GET":
                assert response.status_code == 200, where
        else:
            assert response.status_code == 403, where
        checked += 1
    assert checked >= len([e for e, roles in MATRIX.items() if roles not in (PUBLIC, TOKEN)])


@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_token_routes_refuse_staff_sessions(app, client, make_user, login, records, role):
    if role != "anonymous":
        login(make_user(role))
    token_rules = [r for r in app.url_map.iter_rules() if MATRIX.get(r.endpoint) is TOKEN]
    assert token_rules
    for rule in token_rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_url(app, rule, records), method=method)
            assert response.status_code == 401, f"{method} {rule.rule} as {role}"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_managers_see_only_their_sites(app, db, make_user):
    bogota, cali = factories.site(), factories.site()
    limited = make_user("manager", sites=[bogota])
    unlimited = make_user("manager")
    admin = make_user("admin", sites=[bogota])
    assert limited.can_see_site(bogota.id) and not limited.can_see_site(cali.id)
    assert unlimited.can_see_site(cali.id)
    assert admin.can_see_site(cali.id)  # administrators always see every site
