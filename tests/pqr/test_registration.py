"""Staff register PQR received by phone, letter, e-mail or in person, for their own sites."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from servqual.extensions import db as _db
from servqual.i18n import LOCALE_COOKIE
from servqual.pqr.clock import CaseTimeline, DeadlineClock
from servqual.pqr.models import Attachment, Case
from servqual.pqr.policy import local_today
from tests import mailbox
from tests.pqr import intake_builders

place = intake_builders.place
inbox = mailbox.inbox


def staff_data(place, **changes) -> dict:
    data = {
        "channel": "phone",
        "request_type": "claim",
        "site_id": str(place["site"].id),
        "touchpoint_id": "",
        "incident_on": "",
        "received_on": "",
        "description": "Customer called: charged twice for the same monthly fee.",
        "contact_name": "Carlos Ruiz",
        "contact_email": "",
        "contact_phone": "3001234567",
        "contact_address": "",
        "consent": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def register(client, data):
    return client.post("/pqr/register", data=data, content_type="multipart/form-data")


def count() -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(Case))


def test_agent_registers_a_phone_claim_for_their_site(client, place, make_user, login):
    agent = make_user("agent", sites=[place["site"]])
    login(agent)
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")
    page = client.get("/pqr/register").get_data(as_text=True)
    assert "Sede Norte" in page and "Sede Sur" not in page
    response = register(client, staff_data(place))
    assert response.status_code == 303
    case = _db.session.scalar(sa.select(Case))
    assert case.channel == "phone"
    assert case.created_by_id == agent.id
    assert case.contact_email is None and case.contact_phone == "3001234567"
    assert case.filed_on == local_today()
    acknowledgement = client.get(response.headers["Location"]).get_data(as_text=True)
    assert case.filing_label in acknowledgement and "Register another case" in acknowledgement


def test_letter_received_earlier_counts_from_the_day_received(client, place, make_user, login):
    login(make_user("manager"))
    # Received Friday 13 March 2026; San José (23 March), Holy Thursday and Good Friday
    # (2 and 3 April) are skipped: fifteen business days end on Wednesday 8 April.
    received = date(2026, 3, 13)
    if received > local_today():
        received = local_today() - timedelta(days=7)
    data = staff_data(
        place,
        channel="letter",
        request_type="complaint",
        received_on=received.strftime("%d/%m/%Y"),  # typed, as without a date picker
        contact_phone="",
        contact_address="Calle 10 # 5-20, Bogotá",
    )
    assert register(client, data).status_code == 303
    case = _db.session.scalar(sa.select(Case))
    assert case.filed_on == received
    assert case.due_on == DeadlineClock().due_on(CaseTimeline(received, "complaint"), received)
    if received == date(2026, 3, 13):
        assert case.due_on == date(2026, 4, 8)


def test_agent_cannot_register_for_another_site(client, place, make_user, login):
    login(make_user("agent", sites=[place["site"]]))
    response = register(client, staff_data(place, site_id=str(place["elsewhere"].id)))
    assert response.status_code == 403
    assert count() == 0


def test_auditor_and_anonymous_cannot_register(client, place, make_user, login):
    response = register(client, staff_data(place))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(make_user("auditor"))
    assert register(client, staff_data(place)).status_code == 403
    assert client.get("/pqr/register").status_code == 403
    assert count() == 0


def test_registration_needs_a_way_to_answer_consent_and_a_channel(client, place, make_user, login):
    login(make_user("agent"))
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")
    no_contact = register(client, staff_data(place, contact_phone=""))
    assert no_contact.status_code == 400
    assert "at least one way to answer" in no_contact.get_data(as_text=True)
    assert register(client, staff_data(place, consent=None)).status_code == 400
    assert register(client, staff_data(place, channel="web")).status_code == 400
    future = (local_today() + timedelta(days=2)).isoformat()
    assert register(client, staff_data(place, received_on=future)).status_code == 400
    assert count() == 0


def test_registered_case_with_email_gets_the_acknowledgement(
    client, place, make_user, login, inbox
):
    login(make_user("agent"))
    data = staff_data(place, channel="in_person", contact_email="Carlos@Example.com")
    assert register(client, data).status_code == 303
    case = _db.session.scalar(sa.select(Case))
    assert case.channel == "in_person"
    assert [to for to, _message in inbox.messages] == ["carlos@example.com"]
    assert case.filing_label in inbox.messages[0][1]


def test_staff_of_the_site_download_attachments_others_cannot(
    client, place, make_user, login, inbox
):
    assert (
        intake_builders.post(
            client, intake_builders.form_data(place), [(intake_builders.PDF, "recibo.pdf")]
        ).status_code
        == 303
    )
    attachment = _db.session.scalar(sa.select(Attachment))
    url = f"/pqr/attachments/{attachment.id}"
    assert client.get(url).status_code == 302  # anonymous: sign in first
    login(make_user("agent", sites=[place["site"]]))
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == intake_builders.PDF
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "recibo.pdf" in response.headers["Content-Disposition"]
    login(make_user("agent", sites=[place["elsewhere"]]))
    assert client.get(url).status_code == 403
    login(make_user("auditor"))
    assert client.get(url).status_code == 403
    login(make_user("manager"))
    assert client.get(f"/pqr/attachments/{attachment.id + 1000}").status_code == 404
