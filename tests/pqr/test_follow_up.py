"""A survey answer far below expectation, or asking for contact, opens one follow-up case."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from servqual.config import load_settings
from servqual.pqr import follow_up
from servqual.pqr.clock import CaseTimeline
from servqual.pqr.models import Case, CaseEvent
from servqual.pqr.policy import deadline_clock, local_today
from servqual.surveys import operations as survey_ops
from servqual.surveys.invitation_models import Contact, Invitation
from servqual.surveys.models import Response
from tests import factories

ITEMS = ["REL1", "REL2", "EMP1", "EMP2"]
TODAY = date(2026, 3, 3)


@pytest.fixture
def campaign(db):
    return factories.campaign()


def _submit(campaign, expected="6", perceived="6", **closing) -> Response:
    token = survey_ops.start_draft(campaign.links[0], "en")
    draft = survey_ops.find_draft(token)
    answers = {f"E-{code}": "6" for code in ITEMS} | {f"P-{code}": "6" for code in ITEMS}
    answers |= {"E-REL2": expected, "P-REL2": perceived}
    answers |= {"importance-reliability": "50", "importance-empathy": "50"}
    answers |= {"overall_quality": "5", "recommend": "5"}
    answers |= closing
    survey_ops.save_answers(draft, answers, step=99)
    return survey_ops.submit_draft(draft, "en", TODAY)


def _cases(db) -> list[Case]:
    return list(db.session.scalars(sa.select(Case)))


def test_far_below_expectation_opens_exactly_one_case(db, campaign):
    response = _submit(campaign, expected="7", perceived="3", may_contact="y")
    (case,) = _cases(db)
    link = campaign.links[0]
    assert case.channel == "survey" and case.survey_response_id == response.id
    assert (case.site_id, case.touchpoint_id) == (link.site_id, link.touchpoint_id)
    assert case.request_type == "complaint" and case.status == "received"
    today = local_today()
    assert case.filed_on == today
    assert case.due_on == deadline_clock().due_on(CaseTimeline(today, "complaint"), today)
    assert "REL2: perceived 3, expected 7 (gap -4)" in case.description
    assert "REL1" not in case.description
    assert db.session.scalar(sa.select(CaseEvent.action).where(CaseEvent.case_id == case.id)) == (
        "filed"
    )
    # Asking again for the same response opens nothing more.
    assert follow_up.open_follow_up(response) is None
    assert len(_cases(db)) == 1


def test_without_consent_to_be_contacted_no_case_is_opened(db, campaign):
    _submit(campaign, expected="7", perceived="1", comment="Please call me back.")
    assert _cases(db) == []


def test_a_small_gap_opens_nothing_but_a_comment_asking_for_contact_does(db, campaign):
    _submit(campaign, expected="7", perceived="5", may_contact="y", comment="Slow, but fine.")
    assert _cases(db) == []
    response = _submit(
        campaign, may_contact="y", comment="Por favor contáctenme, nadie me resolvió nada."
    )
    (case,) = _cases(db)
    assert case.survey_response_id == response.id
    assert "asked to be contacted" in case.description
    assert "nadie me resolvió nada" in case.description


def test_the_threshold_is_configurable(app, db, campaign, monkeypatch):
    assert load_settings()["PQR_FOLLOW_UP_GAP"] == -3
    monkeypatch.setenv("SERVQUAL_PQR_FOLLOW_UP_GAP", "-2")
    assert load_settings()["PQR_FOLLOW_UP_GAP"] == -2

    _submit(campaign, expected="7", perceived="5", may_contact="y")
    assert _cases(db) == []  # -2 is not far enough under the default -3
    monkeypatch.setitem(app.config, "PQR_FOLLOW_UP_GAP", -2)
    response = _submit(campaign, expected="7", perceived="5", may_contact="y")
    (case,) = _cases(db)
    assert case.survey_response_id == response.id


def test_resubmitting_the_survey_does_not_open_a_second_case(client, db, campaign):
    link = campaign.links[0]
    client.get(f"/s/{link.slug}?lang=en")
    started = client.post(f"/s/{link.slug}", data={"consent": "y"})
    page_one = started.headers["Location"]
    assert re.search(r"/s/r/[^/]+/1$", page_one)
    expected = {f"E-{code}": "7" for code in ITEMS}
    perceived = {f"P-{code}": "6" for code in ITEMS} | {"P-EMP1": "2"}
    assert client.post(page_one, data=expected).status_code == 303
    assert client.post(page_one[:-1] + "2", data=perceived).status_code == 303
    closing = {
        "overall_quality": "3",
        "recommend": "2",
        "importance-reliability": "50",
        "importance-empathy": "50",
        "may_contact": "y",
    }
    for _ in range(2):  # double click / replayed POST
        done = client.post(page_one[:-1] + "3", data=closing)
        assert done.status_code == 303 and done.headers["Location"].endswith("/s/thanks")
    (case,) = _cases(db)
    assert "EMP1: perceived 2, expected 7 (gap -5)" in case.description
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 1


def test_a_response_without_a_site_opens_nothing(db, campaign):
    response = _submit(campaign, may_contact="y")
    assert _cases(db) == []
    response.site_id = None
    response.comment = "Call me please"
    db.session.flush()
    assert follow_up.open_follow_up(response) is None
    assert _cases(db) == []


def test_contact_requests_are_recognised_in_both_languages():
    assert follow_up.asks_for_contact("Quiero que me llamen mañana")
    assert follow_up.asks_for_contact("LLÁMENME por favor")
    assert follow_up.asks_for_contact("Could you get back to me?")
    assert not follow_up.asks_for_contact("Everything was great, thanks")
    assert not follow_up.asks_for_contact(None)


def test_an_identified_respondent_is_reached_at_the_invited_address(db):
    campaign = factories.campaign(is_anonymous=False)
    link = campaign.links[0]
    contact = Contact(email="lucia@example.com", name="Lucía Gómez", segment="loyal")
    invitation = Invitation(campaign=campaign, link=link, contact=contact)
    db.session.add_all([contact, invitation])
    db.session.flush()
    token = survey_ops.start_draft(link, "es", invitation_id=invitation.id)
    draft = survey_ops.find_draft(token)
    answers = {f"E-{code}": "7" for code in ITEMS} | {f"P-{code}": "3" for code in ITEMS}
    answers |= {"importance-reliability": "50", "importance-empathy": "50", "may_contact": "y"}
    answers |= {"overall_quality": "2", "recommend": "1"}
    survey_ops.save_answers(draft, answers, step=99)
    response = survey_ops.submit_draft(draft, "es", TODAY)
    (case,) = _cases(db)
    assert case.survey_response_id == response.id
    assert (case.contact_name, case.contact_email, case.locale) == (
        "Lucía Gómez",
        "lucia@example.com",
        "es",
    )
