"""Action plans: open one from a cell, change it, follow it up in the next wave."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import numpy as np
import pytest
import sqlalchemy as sa
from scipy import stats

from servqual.accounts.models import LoginSession
from servqual.accounts.operations import create_user
from servqual.extensions import db as _db
from servqual.reports.action_measures import (
    action_follow_up,
    follow_ups_for_wave,
    later_waves,
)
from servqual.reports.action_models import Action
from servqual.surveys.models import Response
from tests import factories
from tests.conftest import GOOD_PASSWORD, make_app
from tests.reports.dashdata import organisation


@pytest.fixture
def org(db):
    return organisation()


def _plan(owner_id: int, **extra) -> dict:
    return {
        "description": "Open a second counter at rush hour",
        "owner_id": owner_id,
        "target_value": "-0.2",
        "due_on": "2026-12-01",
        **extra,
    }


def _open(client, org, user, site=None, pillar="SPEED", gap="gap5", touchpoint=0) -> Action:
    campaign = org.previous
    response = client.post(
        "/actions/new",
        data=_plan(
            user.id,
            campaign_id=campaign.id,
            touchpoint_id=org.touchpoints[touchpoint].id,
            pillar_id=org.pillars[pillar].id,
            site_id="" if site is None else site.id,
            gap=gap,
        ),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return _db.session.get(Action, int(response.headers["Location"].rsplit("/", 1)[1]))


def t_interval(values: np.ndarray) -> tuple[float, float]:
    result = stats.ttest_1samp(values, 0.0)
    interval = result.confidence_interval(0.95)
    return interval.low, interval.high


def test_open_an_action_prefilled_from_a_cell(client, make_user, login, org):
    manager = make_user("manager")
    login(manager)
    north = org.sites[0]
    counter = org.touchpoints[0]
    url = (
        f"/actions/new?campaign={org.previous.id}&touchpoint={counter.id}"
        f"&pillar=SPEED&site={north.id}&gap=gap5&lang=en"
    )
    form = unescape(client.get(url).get_data(as_text=True))
    for field, value in (
        ("campaign_id", org.previous.id),
        ("touchpoint_id", counter.id),
        ("pillar_id", org.pillars["SPEED"].id),
        ("site_id", north.id),
    ):
        select = form.split(f'name="{field}"', 1)[1].split("</select>", 1)[0]
        assert f'<option selected value="{value}">' in select, field
    gaps = org.rows[org.previous.id].pillar_gaps("SPEED", touchpoint=counter.id, site=north.id)
    assert f"n = {gaps.size}" in form  # the baseline preview
    action = _open(client, org, manager, site=north)
    assert action.baseline_value == pytest.approx(gaps.mean())
    low, high = t_interval(gaps)
    assert action.baseline_ci_low == pytest.approx(low)
    assert action.baseline_ci_high == pytest.approx(high)
    assert action.baseline_n == gaps.size == 30
    assert (action.status, action.gap, action.site_id) == ("open", "gap5", north.id)
    assert action.created_by_id == manager.id and action.owner_id == manager.id
    assert action.target_value == -0.2 and action.due_on == date(2026, 12, 1)
    listing = client.get("/actions/").get_data(as_text=True)
    assert "Open a second counter at rush hour" in listing


@pytest.mark.parametrize(
    "query",
    [
        "campaign=999999",
        "campaign=x",
        "touchpoint=999999",
        "pillar=NOPE",
        "gap=gap9",
        "site=999999",
    ],
)
def test_prefill_values_are_checked_on_the_server(client, make_user, login, org, query):
    login(make_user("manager"))
    base = f"/actions/new?campaign={org.previous.id}"
    if query.startswith("campaign"):
        base = f"/actions/new?touchpoint={org.touchpoints[0].id}"
    assert client.get(f"{base}&{query}").status_code == 400


def test_a_posted_cell_is_checked_too(client, make_user, login, org):
    manager = make_user("manager")
    login(manager)
    response = client.post(
        "/actions/new",
        data=_plan(
            manager.id,
            campaign_id=org.previous.id,
            touchpoint_id=999999,
            pillar_id=org.pillars["SPEED"].id,
            site_id="",
            gap="gap5",
        ),
    )
    assert response.status_code == 400
    assert _db.session.scalar(sa.select(sa.func.count(Action.id))) == 0


def test_edit_change_status_and_delete(client, make_user, login, org):
    manager = make_user("manager")
    owner = make_user("auditor", name="Olga Owner")
    login(manager)
    action = _open(client, org, manager)
    page = client.get(f"/actions/{action.id}/edit")
    assert page.status_code == 200
    response = client.post(
        f"/actions/{action.id}/edit",
        data=_plan(owner.id, description="Two counters", target_value="0", status="in_progress"),
    )
    assert response.status_code == 303
    _db.session.refresh(action)
    assert (action.description, action.owner_id, action.target_value, action.status) == (
        "Two counters",
        owner.id,
        0.0,
        "in_progress",
    )
    # The cell and its baseline do not change with the plan.
    assert action.touchpoint_id == org.touchpoints[0].id and action.baseline_n == 60
    assert client.post(f"/actions/{action.id}/status", data={"status": "done"}).status_code == 303
    _db.session.refresh(action)
    assert action.status == "done"
    assert client.post(f"/actions/{action.id}/status", data={"status": "gone"}).status_code == 400
    # Deleting asks first, then deletes the action and nothing else.
    confirm = client.get(f"/actions/{action.id}/delete?lang=en")
    assert confirm.status_code == 200 and b"Yes, delete it" in confirm.data
    assert _db.session.get(Action, action.id) is not None
    answers = _db.session.scalar(sa.select(sa.func.count(Response.id)))
    assert client.post(f"/actions/{action.id}/delete").status_code == 303
    assert _db.session.get(Action, action.id) is None
    assert _db.session.scalar(sa.select(sa.func.count(Response.id))) == answers
    assert client.get(f"/actions/{action.id}").status_code == 404


def _welch(after: np.ndarray, before: np.ndarray):
    result = stats.ttest_ind(after, before, equal_var=False)
    return result, result.confidence_interval(0.95)


@pytest.mark.parametrize(
    ("pillar", "touchpoint", "site_index"), [("SPEED", 0, None), ("WARM", 1, 0)]
)
def test_follow_up_compares_before_and_after_like_scipy(
    client, make_user, login, org, pillar, touchpoint, site_index
):
    manager = make_user("manager")
    login(manager)
    site = None if site_index is None else org.sites[site_index]
    action = _open(client, org, manager, site=site, pillar=pillar, touchpoint=touchpoint)
    assert later_waves(action) == [org.current]
    follow = action_follow_up(action, org.current)
    counter = org.touchpoints[touchpoint].id
    site_id = None if site is None else site.id
    before = org.rows[org.previous.id].pillar_gaps(pillar, touchpoint=counter, site=site_id)
    after = org.rows[org.current.id].pillar_gaps(pillar, touchpoint=counter, site=site_id)
    welch, interval = _welch(after, before)
    assert follow.before.value == pytest.approx(before.mean())
    assert follow.after.value == pytest.approx(after.mean())
    assert (follow.before.n, follow.after.n) == (before.size, after.size)
    assert follow.change == pytest.approx(after.mean() - before.mean())
    assert follow.change_ci_low == pytest.approx(interval.low)
    assert follow.change_ci_high == pytest.approx(interval.high)
    assert follow.p_value == pytest.approx(welch.pvalue)
    assert follow.is_significant == (welch.pvalue < 0.05)
    assert follow.target_reached == (after.mean() >= -0.2)
    # The counter's gap was closed on purpose; the advice desk's was not touched.
    assert follow.is_significant is (touchpoint == 0)
    assert follow.direction == ("improved" if touchpoint == 0 else "no significant change")
    assert follow.to_dict()["after"]["n"] == after.size
    # The action's page shows the same follow-up.
    html = client.get(f"/actions/{action.id}?lang=en").get_data(as_text=True)
    assert "2026-Q3" in html
    assert follow.p_value is not None
    expected = "yes</strong>: improved" if follow.is_significant else "<td>no</td>"
    assert expected in html


def test_follow_ups_for_the_next_wave_report(client, make_user, login, org):
    manager = make_user("manager")
    login(manager)
    everywhere = _open(client, org, manager)
    north = _open(client, org, manager, site=org.sites[0], pillar="WARM")
    _open(client, org, manager, site=org.sites[1])
    dropped = _open(client, org, manager, pillar="WARM")
    dropped.status = "dropped"
    _db.session.flush()
    # The wave the actions came from does not follow them up; the next one does.
    assert follow_ups_for_wave(org.previous) == []
    rows = follow_ups_for_wave(org.current)
    assert len(rows) == 3 and dropped.id not in {action.id for action, _ in rows}
    for action, follow in rows:
        alone = action_follow_up(action, org.current)
        assert follow.after.value == pytest.approx(alone.after.value)
        assert follow.before.value == pytest.approx(alone.before.value)
        assert follow.p_value == pytest.approx(alone.p_value)
    limited = follow_ups_for_wave(org.current, site_ids=[org.sites[0].id])
    assert [action.id for action, _ in limited] == [north.id]
    assert everywhere.id in {action.id for action, _ in rows}


def test_gaps_one_to_four_are_followed_without_a_test(client, make_user, login, org):
    manager = make_user("manager")
    login(manager)
    action = _open(client, org, manager, gap="gap2")
    follow = action_follow_up(action, org.current)
    assert follow.status in ("not_tested", "suppressed")
    assert follow.p_value is None and follow.is_significant is False
    assert client.get(f"/actions/{action.id}").status_code == 200


def test_small_cells_are_not_followed_up(client, make_user, login, db):
    small = organisation(per_link=2)
    manager = make_user("manager")
    login(manager)
    action = _open(client, small, manager, site=small.sites[0])
    assert action.baseline_value is None and action.baseline_n == 2
    follow = action_follow_up(action, small.current)
    assert follow.status == "suppressed"
    assert follow.before.value is None and follow.after.value is None
    assert follow.change is None and follow.p_value is None


def test_a_manager_limited_to_a_site_reaches_only_its_actions(client, make_user, login, org):
    admin = make_user("admin")
    login(admin)
    north, south = org.sites
    at_south = _open(client, org, admin, site=south)
    everywhere = _open(client, org, admin)
    at_north = _open(client, org, admin, site=north)
    limited = make_user("manager", sites=[north])
    login(limited)
    listing = client.get("/actions/").get_data(as_text=True)
    assert f"/actions/{at_north.id}" in listing
    assert f'/actions/{at_south.id}"' not in listing
    assert f'/actions/{everywhere.id}"' not in listing
    for action in (at_south, everywhere):
        assert client.get(f"/actions/{action.id}").status_code == 403
        assert client.get(f"/actions/{action.id}/edit").status_code == 403
        assert client.post(f"/actions/{action.id}/edit", data=_plan(limited.id)).status_code == 403
        assert (
            client.post(f"/actions/{action.id}/status", data={"status": "done"}).status_code == 403
        )
        assert client.get(f"/actions/{action.id}/delete").status_code == 403
        assert client.post(f"/actions/{action.id}/delete").status_code == 403
        assert _db.session.get(Action, action.id).status == "open"
    counter = org.touchpoints[0].id
    url = f"/actions/new?campaign={org.previous.id}&touchpoint={counter}&pillar=SPEED"
    assert client.get(f"{url}&site={south.id}").status_code == 403
    # Posting another site (or every site) is refused and opens nothing.
    before = _db.session.scalar(sa.select(sa.func.count(Action.id)))
    for site_id in (south.id, ""):
        response = client.post(
            "/actions/new",
            data=_plan(
                limited.id,
                campaign_id=org.previous.id,
                touchpoint_id=counter,
                pillar_id=org.pillars["SPEED"].id,
                site_id=site_id,
                gap="gap5",
            ),
        )
        assert response.status_code == 400
    assert _db.session.scalar(sa.select(sa.func.count(Action.id))) == before
    assert client.get(f"/actions/{at_north.id}").status_code == 200


def test_action_forms_require_a_csrf_token(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'csrf.db'}", tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        _db.create_all()
        manager = create_user("csrf-boss@example.com", "Csrf Boss", GOOD_PASSWORD, "manager")
        campaign = factories.campaign()
        action = factories.action(campaign, factories.pillar(), manager)
        _db.session.add(LoginSession(token="csrf-session", user_id=manager.id))
        _db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = "csrf-session"
            session["_fresh"] = True
        for url, data in (
            (f"/actions/{action.id}/status", {"status": "done"}),
            (f"/actions/{action.id}/delete", {}),
            (f"/actions/{action.id}/edit", {"description": "x", "status": "done"}),
        ):
            assert client.post(url, data=data).status_code == 400, url
        _db.session.refresh(action)
        assert action.status == "open"
        page = client.get(f"/actions/{action.id}/delete").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post(f"/actions/{action.id}/delete", data={"csrf_token": token})
        assert response.status_code == 303
        assert _db.session.get(Action, action.id) is None
        _db.session.remove()
        _db.engine.dispose()
