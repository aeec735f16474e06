"""Contact lists and personal invitations, sent through a real local SMTP server."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa
from openpyxl import Workbook

from servqual.surveys.invitation_models import Contact, Invitation
from servqual.surveys.models import Response
from tests import factories, mailbox

CSV = (
    "name,email,customer_id,segment,consent\n"
    "Ana Pérez,ana@example.com,C1,loyal,sí\n"
    "Bruno Díaz,bruno@example.com,C2,new,yes\n"
    "Carla Ruiz,carla@example.com,C3,loyal,no\n"
)


inbox = mailbox.inbox


def _upload(client, content: bytes, filename: str, **fields):
    data = {"file": (io.BytesIO(content), filename), "encoding": "auto", **fields}
    return client.post("/contacts", data=data, content_type="multipart/form-data")


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_contact_lists_import_all_rows_or_none(client, db, make_user, login):
    login(make_user("manager"))
    bad = CSV + "Dora,not-an-email,C4,new,yes\nEli,eli@example.com,C5,new,maybe\n"
    refused = _upload(client, bad.encode("cp1252"), "contacts.csv")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "not-an-email" in html and "maybe" in html
    assert "<td>5</td>" in html and "<td>6</td>" in html  # the file's row numbers
    assert _count(db, Contact) == 0

    checked = _upload(client, CSV.encode("utf-8-sig"), "contacts.csv", dry_run="y")
    assert checked.status_code == 200 and _count(db, Contact) == 0

    assert _upload(client, CSV.encode("utf-8"), "contacts.csv").status_code == 302
    contacts = {c.email: c for c in db.session.scalars(sa.select(Contact))}
    assert contacts["ana@example.com"].name == "Ana Pérez"
    assert contacts["ana@example.com"].may_be_invited
    assert not contacts["carla@example.com"].may_be_invited


def test_workbooks_are_read_and_fakes_refused(client, db, make_user, login):
    login(make_user("manager"))
    workbook = Workbook()
    sheet = workbook.active
    for line in CSV.strip().splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert _upload(client, buffer.getvalue(), "contacts.xlsx").status_code == 302
    assert _count(db, Contact) == 3
    fake = _upload(client, b"this is not a workbook", "contacts.xlsx")
    assert fake.status_code == 400 and _count(db, Contact) == 3
    binary = _upload(client, b"\x89PNG\r\n\x1a\n\x00\x00\x00", "contacts.csv")
    assert binary.status_code == 400


def test_invitations_reach_the_inbox_and_each_token_answers_once(
    client, db, make_user, login, inbox
):
    login(make_user("manager"))
    _upload(client, CSV.encode("utf-8"), "contacts.csv")
    campaign = factories.campaign(is_anonymous=False)
    link = campaign.links[0]
    client.post(f"/campaigns/{campaign.id}/invitations/create", data={"link_id": link.id})
    assert _count(db, Invitation) == 2  # Carla gave no consent
    sent = client.post(f"/campaigns/{campaign.id}/invitations/send")
    assert sent.status_code == 302
    assert sorted(to for to, _ in inbox.messages) == ["ana@example.com", "bruno@example.com"]

    body = dict(inbox.messages)["ana@example.com"]
    survey_url = re.search(r"http://\S+/s/i/\S+", body).group(0)
    unsubscribe_url = re.search(r"http://\S+/s/u/\S+", body).group(0)
    respondent = client.application.test_client()
    assert respondent.get(survey_url).status_code == 200
    started = respondent.post(survey_url, data={"consent": "y"})
    page = started.headers["Location"]
    answers = {f"{form}-{code}": "5" for form in "EP" for code in ["REL1", "REL2", "EMP1", "EMP2"]}
    respondent.post(page, data={k: v for k, v in answers.items() if k.startswith("E")})
    respondent.post(page[:-1] + "2", data={k: v for k, v in answers.items() if k.startswith("P")})
    done = respondent.post(
        page[:-1] + "3", data={"importance-reliability": "60", "importance-empathy": "40"}
    )
    assert done.headers["Location"].endswith("/s/thanks")
    response = db.session.scalar(sa.select(Response))
    assert response.source == "invitation" and response.segment == "loyal"
    assert response.invitation.contact.email == "ana@example.com"

    reused = respondent.get(survey_url)
    assert reused.status_code == 410
    assert respondent.post(survey_url, data={"consent": "y"}).status_code == 410
    assert _count(db, Response) == 1

    # A reminder goes only to who has not answered; after unsubscribing, nothing more.
    inbox.messages.clear()
    client.post(f"/campaigns/{campaign.id}/invitations/remind")
    assert [to for to, _ in inbox.messages] == ["bruno@example.com"]
    assert respondent.get(unsubscribe_url).status_code == 200
    assert respondent.post(unsubscribe_url).status_code == 200
    ana = db.session.scalar(sa.select(Contact).filter_by(email="ana@example.com"))
    assert ana.unsubscribed_at is not None
    client.post(f"/campaigns/{campaign.id}/invitations/create", data={"link_id": link.id})
    inbox.messages.clear()
    client.post(f"/campaigns/{campaign.id}/invitations/send")
    assert inbox.messages == []


def test_a_tampered_unsubscribe_link_changes_nothing(client, db):
    assert client.get("/s/u/forged-token").status_code == 404
