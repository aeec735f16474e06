"""A customer on a phone files a complaint with an attachment and checks its status; an agent
of the site answers it from the case page; the customer gets the answer by e-mail and sees it
on the status portal."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from servqual.accounts.operations import create_user
from servqual.extensions import db
from servqual.pqr.models import Attachment, Case
from tests import factories
from tests.browser.conftest import PHONE
from tests.browser.test_respondent import assert_accessible
from tests.conftest import GOOD_PASSWORD
from tests.mailbox import Inbox, free_port
from tests.pqr.intake_builders import PDF

pytestmark = pytest.mark.browser

TEXT = {
    "en": {
        "complaint": "Complaint (queja)",
        "site": "Site",
        "date": "Date it happened",
        "description": "Tell us what happened",
        "files": "Attachments (optional)",
        "name": "Your name",
        "email": "E-mail",
        "submit": "File my case",
        "filed": "Your case was filed",
        "number": "Filing number",
        "see": "See the status",
        "received": "Received",
        "policy": "Read our personal-data processing policy",
        "answer": "Answer to the customer",
        "send": "Send answer",
        "sent": "Answer sent.",
        "answered": "Answered",
        "our answer": "Our answer",
    },
}


@pytest.fixture
def setup(live_server):
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    live_server.app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with live_server.app.app_context():
        site = factories.site(name="Sede Norte")
        factories.touchpoint(name="Caja", sites=[site])
        create_user("agent@example.com", "Andrés Agente", GOOD_PASSWORD, "agent", sites=[site])
        db.session.commit()
    yield handler
    controller.stop()


def test_file_a_complaint_on_a_phone_and_check_its_status(browser, live_server, setup):
    text = TEXT["en"]
    phone = browser.new_context(viewport=PHONE, has_touch=True)
    page = phone.new_page()
    page.goto(f"{live_server.url}/pqr/new?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page, "intake form")

    # Sending it empty lists what is missing, accessibly.
    page.get_by_role("button", name=text["submit"]).click()
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page, "intake form with errors")

    page.get_by_label(text["complaint"]).check()
    page.get_by_label(text["site"]).select_option(label="Sede Norte")
    page.get_by_label(text["date"]).fill("2026-01-15")
    page.get_by_label(text["description"]).fill(
        "I was charged twice for the same fee; the receipt is attached."
    )
    page.get_by_label(text["files"]).set_input_files(
        files=[{"name": "recibo.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_label(text["name"]).fill("Ana Pérez")
    page.get_by_label(text["email"], exact=True).fill("ana@example.com")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name=text["submit"]).click()

    assert page.get_by_role("heading", name=text["filed"]).is_visible()
    number = page.locator("#filing-number").inner_text().strip()
    assert number.startswith("PQR-")
    assert_accessible(page, "acknowledgement")
    assert len(setup.messages) == 1 and number in setup.messages[0][1]
    with live_server.app.app_context():
        case = db.session.scalar(sa.select(Case))
        assert case.filing_label == number
        assert db.session.scalar(sa.select(Attachment.original_name)) == "recibo.pdf"

    page.goto(f"{live_server.url}/pqr/status")
    assert_accessible(page, "status lookup")
    page.get_by_label(text["number"]).fill(number.lower())
    page.get_by_label(text["email"]).fill("ANA@example.com")
    page.get_by_role("button", name=text["see"]).click()
    assert page.locator("#case-status").inner_text().strip() == text["received"]
    assert_accessible(page, "case status")

    # An agent of the site signs in on a phone, opens the case from the queue and answers it.
    agent_phone = browser.new_context(viewport=PHONE, has_touch=True)
    desk = agent_phone.new_page()
    desk.goto(f"{live_server.url}/login?lang=en")
    desk.locator("input[name='email']").fill("agent@example.com")
    desk.locator("input[name='password']").fill(GOOD_PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    desk.wait_for_url(lambda url: "/login" not in url)
    desk.goto(f"{live_server.url}/pqr/cases/")
    assert_accessible(desk, "case queue")
    desk.get_by_role("link", name=number).click()
    desk.get_by_role("heading", name=number).wait_for()
    assert_accessible(desk, "case page")
    reply = "We refunded the second charge; you will see it on your next statement."
    desk.get_by_label(text["answer"]).fill(reply)
    desk.get_by_role("button", name=text["send"]).click()
    desk.get_by_text(text["sent"]).wait_for()
    assert text["answered"] in desk.locator("p.lead").inner_text()
    agent_phone.close()

    # The answer reached the customer's mailbox through the SMTP server.
    assert len(setup.messages) == 2
    recipient, body = setup.messages[1]
    assert recipient == "ana@example.com"
    assert number in body and "refunded the second charge" in body

    # The status portal now shows the answer and the status "Answered".
    page.goto(f"{live_server.url}/pqr/status")
    page.get_by_label(text["number"]).fill(number)
    page.get_by_label(text["email"]).fill("ana@example.com")
    page.get_by_role("button", name=text["see"]).click()
    assert page.locator("#case-status").inner_text().strip() == text["answered"]
    assert page.get_by_role("heading", name=text["our answer"]).is_visible()
    assert reply in page.locator(".answer").inner_text()
    assert_accessible(page, "answered case status")

    page.goto(f"{live_server.url}/pqr/new")
    page.get_by_role("link", name=text["policy"]).click()
    assert page.url.endswith("/pqr/policy")
    assert_accessible(page, "processing policy")
    page.goto(f"{live_server.url}/pqr/new?lang=es")
    assert page.locator("html").get_attribute("lang") == "es"
    assert_accessible(page, "intake form in Spanish")
    phone.close()
