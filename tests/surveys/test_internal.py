"""Managers' M, the quality team's S and C, supervisors' D and the anonymous staff scales."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from servqual.surveys.internal_models import (
    CommunicationRating,
    DeliveryRating,
    ManagementRating,
    SpecificationRating,
    StaffAnswer,
    StaffParticipation,
    StaffResponse,
)
from tests import factories

ITEMS = ["REL1", "REL2", "EMP1", "EMP2"]


@pytest.fixture
def campaign(db):
    factories.management_instrument()
    factories.staff_instrument()
    return factories.campaign()


def test_managers_answer_as_their_customers_would(client, db, make_user, login, campaign):
    manager = make_user("manager")
    login(manager)
    touchpoint = campaign.touchpoints[0]
    url = f"/internal/{campaign.id}/management/{touchpoint.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Los clientes esperan REL1" in page
    incomplete = client.post(url, data={"REL1": "6"})
    assert incomplete.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ManagementRating)) == 0
    data = {"REL1": "6", "REL2": "5", "EMP1": "na", "EMP2": "7"}
    assert client.post(url, data=data).status_code == 302
    assert client.post(url, data={**data, "REL1": "3"}).status_code == 302  # answers again
    rows = {r.item_code: r.value for r in db.session.scalars(sa.select(ManagementRating))}
    assert rows == {"REL1": 3, "REL2": 5, "EMP1": None, "EMP2": 7}


def test_quality_team_rates_standards_and_promises(client, db, make_user, login, campaign):
    login(make_user("admin"))
    touchpoint = campaign.touchpoints[0]
    url = f"/internal/{campaign.id}/standards/{touchpoint.id}"
    data = {"S-REL1": "6", "S-REL2": "none", "C-REL1": "7", "C-EMP1": "5"}
    assert client.post(url, data=data).status_code == 302
    specs = {
        r.item_code: (r.has_standard, r.value)
        for r in db.session.scalars(sa.select(SpecificationRating))
    }
    assert specs == {"REL1": (True, 6), "REL2": (False, None)}
    comms = {r.item_code: r.value for r in db.session.scalars(sa.select(CommunicationRating))}
    assert comms == {"REL1": 7, "EMP1": 5}
    # Clearing a rating (a browser sends every select, empty ones as "") removes it.
    cleared = {f"{kind}-{code}": "" for kind in "SC" for code in ITEMS} | {"S-REL1": "6"}
    assert client.post(url, data=cleared).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommunicationRating)) == 0
    assert client.post(url, data={"S-REL1": "12"}).status_code == 400


def test_supervisors_rate_delivery_only_at_their_sites(client, db, make_user, login, campaign):
    site = campaign.sites[0]
    other = factories.site()
    touchpoint = campaign.touchpoints[0]
    login(make_user("manager", sites=[other]))
    assert (
        client.get(f"/internal/{campaign.id}/delivery/{touchpoint.id}/{site.id}").status_code == 403
    )
    login(make_user("manager", sites=[site]))
    url = f"/internal/{campaign.id}/delivery/{touchpoint.id}/{site.id}"
    assert client.post(url, data={"D-REL1": "4", "D-EMP2": "6"}).status_code == 302
    rows = {
        (r.item_code, r.site_id, r.source): r.value
        for r in db.session.scalars(sa.select(DeliveryRating))
    }
    assert rows == {("REL1", site.id, "supervisor"): 4, ("EMP2", site.id, "supervisor"): 6}


def test_staff_answers_are_anonymous_and_given_once(client, db, make_user, login, campaign):
    agent = make_user("agent")
    login(agent)
    url = f"/internal/{campaign.id}/staff"
    assert "Mi equipo me apoya" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"TMW1": "6", "RCF1": "2"}).status_code == 302
    again = client.post(url, data={"TMW1": "1", "RCF1": "7"})
    assert again.status_code == 302
    response = db.session.scalar(sa.select(StaffResponse))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffResponse)) == 1
    assert {c.name for c in StaffResponse.__table__.columns} == {
        "id",
        "campaign_id",
        "instrument_version_id",
        "staff_group",
        "submitted_on",
    }
    assert {a.item_code: a.value for a in db.session.scalars(sa.select(StaffAnswer))} == {
        "TMW1": 6,
        "RCF1": 2,
    }
    assert response.staff_group == "agent"
    assert db.session.get(StaffParticipation, (campaign.id, agent.id)) is not None


def test_small_staff_groups_are_not_broken_down(client, db, make_user, login, campaign):
    for _ in range(4):
        login(make_user("auditor"))
        client.post(f"/internal/{campaign.id}/staff", data={"TMW1": "5", "RCF1": "3"})
    login(make_user("manager"))
    page = client.get(f"/internal/{campaign.id}").get_data(as_text=True)
    assert "auditor: 4" not in page
    for _ in range(1):
        login(make_user("auditor"))
        client.post(f"/internal/{campaign.id}/staff", data={"TMW1": "5", "RCF1": "3"})
    login(make_user("manager"))
    assert "auditor: 5" in client.get(f"/internal/{campaign.id}").get_data(as_text=True)
