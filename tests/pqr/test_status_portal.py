"""The status portal: the right pair shows the case; a wrong half shows nothing, identically."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from servqual.extensions import db as _db
from servqual.i18n import LOCALE_COOKIE
from servqual.pqr import filing
from servqual.pqr.models import Case, CaseEvent, CaseNote
from tests import mailbox
from tests.conftest import make_app
from tests.pqr import intake_builders
from tests.pqr.intake_builders import form_data, post

place = intake_builders.place


@pytest.fixture
def filed(client, place, app, monkeypatch, make_user):
    """A complaint filed through the form, answered, with an internal note and event."""
    # No mail server in these tests: the acknowledgement fails quietly.
    monkeypatch.setitem(app.config, "MAIL_PORT", mailbox.free_port())
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    assert post(client, form_data(place)).status_code == 303
    case = _db.session.scalar(sa.select(Case))
    agent = make_user("agent")
    case.status = "answered"
    case.answer_text = "We refunded the fee.\nSorry for the wait."
    case.answered_at = datetime(2026, 11, 20, 15, tzinfo=UTC)
    _db.session.add(CaseNote(case=case, author_id=agent.id, body="Customer is a board member"))
    _db.session.add(
        CaseEvent(case=case, action="escalated", comment="Secret escalation", is_public=False)
    )
    _db.session.add(
        CaseEvent(
            case=case,
            action="status_changed",
            field="status",
            new_value="in_progress",
            is_public=True,
        )
    )
    _db.session.add(
        CaseEvent(case=case, action="answered", comment="Answer sent by e-mail", is_public=True)
    )
    _db.session.commit()
    return case


def look_up(client, number: str, email: str):
    return client.post("/pqr/status", data={"filing_number": number, "email": email})


def test_right_pair_shows_status_history_and_answer_not_internal_notes(client, filed):
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")
    # Typed the way people copy numbers: lower case, spaces, and a different e-mail case.
    typed = filed.filing_label.lower().replace("-", " ")
    response = look_up(client, typed, "  ANA.PEREZ@example.COM ")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"  # personal data: never cached
    html = response.get_data(as_text=True)
    assert filed.filing_label in html
    assert "Answered" in html
    assert "We refunded the fee.<br>Sorry for the wait." in html
    assert "Case filed" in html and "Answer sent by e-mail" in html
    assert "Status changed: In progress" in html
    assert "board member" not in html
    assert "Secret escalation" not in html
    assert "Escalated" not in html


def test_wrong_number_and_wrong_email_answer_identically(client, filed):
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")
    other_number = str(filing.generate(filed.filed_on.year))
    wrong_number = look_up(client, other_number, "ana.perez@example.com")
    wrong_email = look_up(client, filed.filing_label, "someone.else@example.com")
    assert wrong_number.status_code == wrong_email.status_code == 404
    assert wrong_number.get_data() == wrong_email.get_data()
    html = wrong_email.get_data(as_text=True)
    assert "We found no case with this filing number and e-mail address" in html
    assert filed.filing_label not in html and "refunded" not in html


def test_a_typo_in_the_number_is_reported_as_a_typo(client, filed):
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")
    label = filed.filing_label
    last = label[-1]
    typo = label[:-1] + ("2" if last != "2" else "3")
    response = look_up(client, typo, "ana.perez@example.com")
    assert response.status_code == 400
    assert "has a typo" in response.get_data(as_text=True)


def test_empty_lookup_is_refused(client, db):
    response = look_up(client, "", "")
    assert response.status_code == 400


def test_status_lookups_are_rate_limited(tmp_path):
    app = make_app(
        f"sqlite:///{tmp_path / 'limits.db'}",
        tmp_path,
        RATELIMIT_ENABLED=True,
        PQR_STATUS_RATE_LIMIT="3 per minute",
    )
    with app.app_context():
        _db.create_all()
        client = app.test_client()
        number = str(filing.generate(2026))
        codes = [look_up(client, number, "a@example.com").status_code for _ in range(4)]
        _db.engine.dispose()
    assert codes == [404, 404, 404, 429]
