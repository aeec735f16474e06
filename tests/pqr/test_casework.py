"""Agents' case work: site scoping, statuses with history, pauses, extension, escalation,
classification and the satisfaction question, with e-mails through a real SMTP server.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from servqual.cli import main
from servqual.extensions import db as _db
from servqual.i18n import LOCALE_COOKIE
from servqual.pqr import casework, satisfaction
from servqual.pqr.casework import CaseRefused
from servqual.pqr.clock import business_calendar
from servqual.pqr.escalation import escalate
from servqual.pqr.models import CaseAction, CaseEvent
from tests import factories, mailbox
from tests.conftest import make_app
from tests.pqr.case_builders import case as make_case

inbox = mailbox.inbox


@pytest.fixture
def settings_files(app):
    """Remove the administrator's rules and templates after the test (the app is shared)."""
    folder = Path(app.instance_path) / "pqr"
    yield folder
    for name in ("classification_rules.yaml", "answer_templates.yaml"):
        (folder / name).unlink(missing_ok=True)


def _english(client):
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")


def _events(db, case, action=None):
    query = sa.select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    if action:
        query = query.where(CaseEvent.action == action)
    return list(db.session.scalars(query))


# -- site scoping ------------------------------------------------------------------------

CASE_ROUTES = [
    ("GET", "/pqr/cases/{id}"),
    ("POST", "/pqr/cases/{id}/assign"),
    ("POST", "/pqr/cases/{id}/status"),
    ("POST", "/pqr/cases/{id}/pause"),
    ("POST", "/pqr/cases/{id}/resume"),
    ("POST", "/pqr/cases/{id}/extend"),
    ("POST", "/pqr/cases/{id}/answer"),
    ("POST", "/pqr/cases/{id}/notes"),
    ("POST", "/pqr/cases/{id}/classify"),
]


def test_an_agent_sees_only_cases_of_their_sites(client, db, make_user, login):
    bogota, cali = factories.site(name="Bogotá"), factories.site(name="Cali")
    mine, other = make_case(bogota), make_case(cali)
    login(make_user("agent", sites=[bogota]))
    _english(client)
    page = client.get("/pqr/cases/").get_data(as_text=True)
    assert mine.filing_label in page and other.filing_label not in page
    # Asking for the other site in the filter is refused, not silently emptied.
    asked = client.get(f"/pqr/cases/?site_id={cali.id}")
    assert asked.status_code == 400 and other.filing_label not in asked.get_data(as_text=True)
    for method, route in CASE_ROUTES:
        assert client.open(route.format(id=other.id), method=method).status_code == 403, route
    assert client.get(f"/pqr/cases/{mine.id}").status_code == 200
    notes_before = len(other.notes)
    client.post(f"/pqr/cases/{other.id}/notes", data={"note-body": "sneaky"})
    assert len(other.notes) == notes_before


def test_queue_filters_and_sorts_by_due_date(client, db, make_user, login):
    site = factories.site()
    today = casework.today()
    late = make_case(site, filed_on=today - timedelta(days=40))
    fresh = make_case(site, filed_on=today - timedelta(days=1), request_type="petition")
    agent = make_user("agent", sites=[site])
    login(agent)
    page = client.get("/pqr/cases/").get_data(as_text=True)
    assert page.index(late.filing_label) < page.index(fresh.filing_label)
    newest = client.get("/pqr/cases/?sort=-due").get_data(as_text=True)
    assert newest.index(fresh.filing_label) < newest.index(late.filing_label)
    overdue = client.get("/pqr/cases/?overdue=y").get_data(as_text=True)
    assert late.filing_label in overdue and fresh.filing_label not in overdue
    petitions = client.get("/pqr/cases/?request_type=petition").get_data(as_text=True)
    assert fresh.filing_label in petitions and late.filing_label not in petitions
    casework.assign(fresh, agent, agent)
    db.session.flush()
    mine = client.get("/pqr/cases/?assigned=me").get_data(as_text=True)
    assert fresh.filing_label in mine and late.filing_label not in mine
    assert client.get("/pqr/cases/?status=nonsense").status_code == 400
    soon = make_case(site, filed_on=today - timedelta(days=20))
    soon.due_on = today  # stored due date: the queue filters in SQL
    db.session.flush()
    due_soon = client.get("/pqr/cases/?due_soon=y").get_data(as_text=True)
    assert soon.filing_label in due_soon
    assert fresh.filing_label not in due_soon and late.filing_label not in due_soon


def test_a_case_is_assigned_only_to_staff_of_its_site(db, make_user):
    bogota, cali = factories.site(), factories.site()
    case = make_case(bogota)
    manager = make_user("manager", sites=[bogota])
    outsider = make_user("agent", sites=[cali], name="Carlos Cali")
    with pytest.raises(CaseRefused, match="Carlos Cali"):
        casework.assign(case, outsider, manager)
    assert case.assigned_to is None
    assert _events(db, case, CaseAction.ASSIGNED) == []


# -- statuses and history ----------------------------------------------------------------


def test_status_transitions_are_recorded_with_who_old_and_new(client, db, make_user, login, inbox):
    site = factories.site()
    case = make_case(site)
    agent = make_user("agent", sites=[site], name="Luisa Agent")
    login(agent)
    _english(client)
    assert (
        client.post(f"/pqr/cases/{case.id}/assign", data={"assign-agent_id": agent.id}).status_code
        == 302
    )
    assert (
        client.post(
            f"/pqr/cases/{case.id}/status", data={"status-status": "in_progress"}
        ).status_code
        == 302
    )
    # Closing before answering is not a step the workflow offers.
    refused = client.post(f"/pqr/cases/{case.id}/status", data={"status-status": "closed"})
    assert refused.status_code == 400 and case.status == "in_progress"
    answered = client.post(
        f"/pqr/cases/{case.id}/answer", data={"answer-text": "We fixed the queue system."}
    )
    assert answered.status_code == 302 and case.status == "answered"
    [(subject, body)] = inbox.to("ana@example.com")
    assert case.filing_label in subject and "We fixed the queue system." in body
    client.post(f"/pqr/cases/{case.id}/notes", data={"note-body": "Customer is a regular."})
    changes = [
        (e.field, e.old_value, e.new_value, e.user.name if e.user else None)
        for e in _events(db, case, CaseAction.STATUS_CHANGED)
    ]
    assert changes == [
        ("status", "received", "in_progress", "Luisa Agent"),
        ("status", "in_progress", "answered", "Luisa Agent"),
    ]
    [assigned] = _events(db, case, CaseAction.ASSIGNED)
    assert assigned.new_value == "Luisa Agent" and assigned.old_value is None
    # The note is internal: in the history, but not visible to the customer.
    [note] = _events(db, case, CaseAction.NOTE_ADDED)
    assert not note.is_public
    page = client.get(f"/pqr/cases/{case.id}").get_data(as_text=True)
    assert "Customer is a regular." in page and "Luisa Agent" in page
    assert "Status changed" in page and "Internal note" in page
    # Times are stored in UTC and shown in the organisation's time zone (Bogotá, UTC−5).
    case.notes[0].created_at = datetime(2026, 10, 5, 16, 7, tzinfo=UTC)
    db.session.flush()
    page = client.get(f"/pqr/cases/{case.id}").get_data(as_text=True)
    assert "10/5/26, 11:07" in page and "16:07" not in page


def test_pause_and_resume_move_the_due_date(db, make_user):
    # Filed Friday 20 March 2026; Monday 23 (San José) and 2-3 April (Holy Week) are
    # holidays: 15 business days end on Wednesday 15 April.
    site = factories.site()
    case = make_case(site, filed_on=date(2026, 3, 20))
    agent = make_user("agent", sites=[site])
    assert case.due_on == date(2026, 4, 15)
    casework.ask_customer(case, agent, "Please send the receipt.", date(2026, 3, 26))
    assert case.status == "waiting_customer"
    with pytest.raises(CaseRefused):
        casework.change_status(case, "answered", agent)
    assert case.status == "waiting_customer"
    # The receipt arrives on 1 April: 27, 30, 31 March and 1 April did not count.
    casework.information_received(case, agent, date(2026, 4, 1))
    assert case.status == "in_progress"
    assert case.due_on == date(2026, 4, 21)
    [moved] = [e for e in _events(db, case, CaseAction.EDITED) if e.field == "due_on"][-1:]
    assert (moved.old_value, moved.new_value) == ("2026-04-15", "2026-04-21")
    # While waiting, the due date stays provisional; the arrival fixes it.
    assert [e.action for e in _events(db, case)][-3:] == [
        "resumed",
        "status_changed",
        "edited",
    ]


def test_extension_too_long_is_refused_with_the_latest_date(client, db, make_user, login, inbox):
    site = factories.site()
    today = casework.today()
    case = make_case(site, filed_on=today - timedelta(days=1))
    login(make_user("agent", sites=[site]))
    _english(client)
    far = business_calendar("CO").add_business_days(today, 200)
    response = client.post(
        f"/pqr/cases/{case.id}/extend",
        data={"extend-new_due_on": far.isoformat(), "extend-reason": "We need a lab report."},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "may not exceed 2 times the original term" in html
    assert "latest date allowed is" in html
    assert case.extended_due_on is None and inbox.messages == []
    assert _events(db, case, CaseAction.EXTENDED) == []


def test_extension_is_notified_to_the_customer_and_moves_the_due_date(
    client, db, make_user, login, inbox
):
    site = factories.site()
    today = casework.today()
    case = make_case(site, filed_on=today - timedelta(days=1))
    login(make_user("agent", sites=[site]))
    _english(client)
    new_date = business_calendar("CO").add_business_days(case.due_on, 5)
    response = client.post(
        f"/pqr/cases/{case.id}/extend",
        data={"extend-new_due_on": new_date.isoformat(), "extend-reason": "Waiting for the lab."},
    )
    assert response.status_code == 302
    assert case.due_on == new_date and case.extension_reason == "Waiting for the lab."
    [(subject, body)] = inbox.to("ana@example.com")
    assert "new answer date" in subject
    assert "Waiting for the lab." in body and new_date.isoformat() in body
    # A second extension is refused by the clock's rule.
    again = client.post(
        f"/pqr/cases/{case.id}/extend",
        data={"extend-new_due_on": new_date.isoformat(), "extend-reason": "More."},
    )
    assert again.status_code == 400 and "only once" in again.get_data(as_text=True)


# -- escalation ---------------------------------------------------------------------------


def test_escalation_mails_managers_once_at_80_percent_and_once_overdue(app, db, make_user, inbox):
    site, elsewhere = factories.site(name="Medellín"), factories.site()
    case = make_case(site, filed_on=date(2026, 3, 20))  # due 15 April
    manager = make_user("manager", sites=[site], email="boss@example.com", locale="en")
    make_user("manager", sites=[elsewhere], email="other@example.com")
    make_user("agent", sites=[site], email="agent@example.com")

    assert escalate(date(2026, 4, 9)).near_deadline == []  # 11 of 15 days: 73 %
    run = escalate(date(2026, 4, 10))  # 12 of 15 days: 80 %
    assert run.near_deadline == [case.filing_label] and run.errors == []
    [(subject, body)] = inbox.to(manager.email)
    assert "near its deadline" in subject and "80%" in body and "Medellín" in body
    assert escalate(date(2026, 4, 13)).near_deadline == []
    assert len(inbox.to(manager.email)) == 1

    assert escalate(date(2026, 4, 16)).overdue == [case.filing_label]
    assert escalate(date(2026, 4, 17)).overdue == []
    subjects = [s for s, _b in inbox.to(manager.email)]
    assert len(subjects) == 2 and "Overdue" in subjects[1]
    # Only the site's managers are told.
    assert inbox.to("other@example.com") == [] and inbox.to("agent@example.com") == []
    escalations = _events(db, case, CaseAction.ESCALATED)
    assert [e.field for e in escalations] == ["term_used", "overdue"]


def test_escalate_command_reports_and_exits_non_zero_without_managers(app, db, inbox):
    make_case(factories.site(name="Sin gerente"), filed_on=date(2026, 3, 20))
    result = app.test_cli_runner().invoke(main, ["pqr", "escalate", "--as-of", "2026-04-10"])
    assert result.exit_code == 1
    assert "no manager for site Sin gerente" in result.output


# -- classification ------------------------------------------------------------------------


def test_case_page_suggests_a_classification_a_person_confirms(client, db, make_user, login):
    site = factories.site()
    case = make_case(site, description="I waited two hours in the queue; such a delay.")
    user = make_user("agent", sites=[site])
    login(user)
    _english(client)
    page = client.get(f"/pqr/cases/{case.id}").get_data(as_text=True)
    assert "Responsiveness" in page and "waited" in page and "delay" in page
    assert case.dimension is None  # nothing is stored until a person confirms
    confirmed = client.post(
        f"/pqr/cases/{case.id}/classify", data={"classify-dimension": "empathy"}
    )
    assert confirmed.status_code == 302
    assert case.dimension == "empathy" and case.suggested_dimension == "responsiveness"
    assert case.classified_by_id == user.id
    [event] = _events(db, case, CaseAction.CLASSIFIED)
    assert (event.field, event.old_value, event.new_value) == ("dimension", None, "empathy")


def test_admin_edits_rules_and_bad_rules_are_refused(client, db, make_user, login, settings_files):
    login(make_user("admin"))
    _english(client)
    bad = client.post(
        "/pqr/cases/settings/rules", data={"text": "- keywords: [x]\n  dimension: speed"}
    )
    assert bad.status_code == 400 and "unknown dimension" in bad.get_data(as_text=True)
    good = client.post(
        "/pqr/cases/settings/rules", data={"text": "- keywords: [parking]\n  dimension: tangibles"}
    )
    assert good.status_code == 302
    case = make_case(factories.site(), description="There was no parking at all")
    page = client.get(f"/pqr/cases/{case.id}").get_data(as_text=True)
    assert "because the text says: parking" in page


def test_answer_templates_prefill_the_answer(client, db, make_user, login):
    site = factories.site(name="Cali")
    case = make_case(site, contact_name="Bruno Díaz")
    login(make_user("agent", sites=[site]))
    page = client.get(f"/pqr/cases/{case.id}?template=complaint_apology").get_data(as_text=True)
    assert "Dear Bruno Díaz" in page and case.filing_label in page and "at Cali" in page


# -- satisfaction ---------------------------------------------------------------------------


def test_negative_satisfaction_reopens_the_case(client, db, make_user, login, inbox):
    site = factories.site()
    case = make_case(site)
    agent = make_user("agent", sites=[site])
    login(agent)
    casework.write_answer(case, agent, "Here is our answer.")
    db.session.flush()
    assert (
        client.post(f"/pqr/cases/{case.id}/status", data={"status-status": "closed"}).status_code
        == 302
    )
    assert case.status == "closed"
    [(subject, body)] = inbox.to("ana@example.com")
    assert "were you satisfied" in subject
    url = re.search(r"https?://\S+/pqr/cases/satisfaction/\S+", body).group(0)
    path = url.split("servqual.test", 1)[1]
    customer = client.application.test_client()  # the customer is not signed in
    assert customer.get(path).status_code == 200
    assert customer.get("/pqr/cases/satisfaction/not-a-token").status_code == 404
    answered = customer.post(path, data={"satisfied": "no", "comment": "Still broken."})
    assert answered.status_code == 200
    assert case.status == "reopened" and case.reopen_count == 1
    assert case.is_satisfied is False and case.satisfaction_comment == "Still broken."
    last = _events(db, case)[-1]
    assert (last.field, last.old_value, last.new_value) == ("status", "closed", "reopened")
    # The link answers once.
    customer.post(path, data={"satisfied": "yes"})
    assert case.is_satisfied is False


def test_positive_satisfaction_keeps_the_case_closed(db, make_user, app, inbox):
    site = factories.site()
    case = make_case(site)
    agent = make_user("agent", sites=[site])
    casework.write_answer(case, agent, "Answer.")
    casework.change_status(case, "closed", agent)
    satisfaction.answer(case, True, None)
    assert case.status == "closed" and case.is_satisfied is True


def test_asking_the_customer_mails_the_question_and_stops_the_clock(
    client, db, make_user, login, inbox
):
    site = factories.site()
    today = casework.today()
    case = make_case(site, filed_on=today - timedelta(days=1))
    login(make_user("agent", sites=[site]))
    _english(client)
    asked = client.post(
        f"/pqr/cases/{case.id}/pause", data={"pause-question": "Which branch did you visit?"}
    )
    assert asked.status_code == 302 and case.status == "waiting_customer"
    [(subject, body)] = inbox.to("ana@example.com")
    assert "we need information" in subject and "Which branch did you visit?" in body
    # Asking again while waiting is refused with the reason.
    again = client.post(f"/pqr/cases/{case.id}/pause", data={"pause-question": "And?"})
    assert again.status_code == 409 and "cannot be stopped" in again.get_data(as_text=True)
    future = client.post(
        f"/pqr/cases/{case.id}/resume",
        data={"resume-received_on": (today + timedelta(days=3)).isoformat()},
    )
    assert future.status_code == 400 and case.status == "waiting_customer"
    resumed = client.post(
        f"/pqr/cases/{case.id}/resume", data={"resume-received_on": today.isoformat()}
    )
    assert resumed.status_code == 302 and case.status == "in_progress"
    assert case.pauses[-1].ended_on == today


def test_admin_edits_answer_templates_agents_use(client, db, make_user, login, settings_files):
    login(make_user("admin"))
    _english(client)
    saved = client.post(
        "/pqr/cases/settings/templates",
        data={"text": "templates:\n  - key: short\n    title: Breve\n    body: 'Hola {name}.'\n"},
    )
    assert saved.status_code == 302
    assert "Hola {name}." in client.get("/pqr/cases/settings/templates").get_data(as_text=True)
    case = make_case(factories.site(), contact_name="Eva")
    page = client.get(f"/pqr/cases/{case.id}?template=short").get_data(as_text=True)
    assert "Breve" in page and "Hola Eva." in page
    refused = client.post("/pqr/cases/settings/templates", data={"text": "templates: 3"})
    assert refused.status_code == 400 and "list &#39;templates&#39;" in refused.get_data(
        as_text=True
    )


def test_satisfaction_links_are_rate_limited(tmp_path):
    # Guessing tokens is slowed down like every public form: the fourth try is refused.
    app = make_app(
        f"sqlite:///{tmp_path / 'limits.db'}",
        tmp_path,
        RATELIMIT_ENABLED=True,
        PUBLIC_FORM_RATE_LIMIT="3 per minute",
    )
    with app.app_context():
        _db.create_all()
        client = app.test_client()
        codes = [client.get(f"/pqr/cases/satisfaction/guess-{n}").status_code for n in range(4)]
        _db.engine.dispose()
    assert codes == [404, 404, 404, 429]


def test_the_queue_comes_in_pages_that_keep_the_filters(client, db, make_user, login, monkeypatch):
    """Every case is reachable however many there are; filters stay on every page."""
    monkeypatch.setattr("servqual.pqr.queue.QUEUE_PAGE_SIZE", 2)
    site = factories.site()
    today = casework.today()
    complaints = [
        make_case(site, filed_on=today - timedelta(days=30 - i), request_type="complaint")
        for i in range(5)
    ]
    petition = make_case(site, filed_on=today - timedelta(days=31), request_type="petition")
    login(make_user("agent", sites=[site]))
    _english(client)
    seen = []
    url = "/pqr/cases/?request_type=complaint"
    for number in (1, 2, 3):
        page = client.get(url).get_data(as_text=True)
        assert "5 cases, by due date" in page and f"Page {number} of 3" in page
        seen += [c.filing_label for c in complaints if c.filing_label in page]
        assert petition.filing_label not in page
        following = re.search(r'href="([^"]+)" rel="next"', page)
        if number < 3:
            url = following.group(1).replace("&amp;", "&")
            assert "request_type=complaint" in url and f"page={number + 1}" in url
        else:
            assert following is None and 'rel="prev"' in page
    # In due-date order, each case once.
    assert seen == [c.filing_label for c in complaints]
    assert client.get("/pqr/cases/?request_type=complaint&page=4").status_code == 404
    assert client.get("/pqr/cases/?page=0").status_code == 404
