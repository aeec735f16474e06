"""An auditor fills a visit on a phone, a manager returns it, the auditor corrects it, approval.

The approval changes the dashboard: the audit compliance of the touchpoint × pillar cell
the visit covers (waiting × agility: the ESPERA standard, missed at 12 min) and its
Gap 3 = D − S, with D = low + (high − low)·r from the approved visits in the wave.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from servqual.accounts.operations import create_user
from servqual.audits.models import Visit, VisitAnswer
from servqual.extensions import db
from servqual.service.models import ItemPillar, Standard
from servqual.surveys.internal_models import SpecificationRating
from servqual.surveys.models import Campaign
from tests import factories
from tests.audits import auditdata, builders
from tests.browser.conftest import PHONE
from tests.browser.test_respondent import assert_accessible
from tests.conftest import GOOD_PASSWORD

pytestmark = pytest.mark.browser

#: The survey wave (1–7 scale) whose dates cover the visit (scheduled on 10 November).
WAVE_OPENS, WAVE_CLOSES = date(2026, 11, 1), date(2026, 11, 30)
#: The answer scale of the survey's instrument (the test instrument's agree7).
SCALE = (1, 7)
#: S of the agility items at the waiting touchpoint (internal survey of the standards).
SPECIFICATION = {"REL1": 6, "REL2": 5}
#: ESPERA met (1) or missed (0) on the five visits approved before the test's visit.
EARLIER_VISITS = (1, 1, 0, 1, 1)


@dataclass(frozen=True)
class AuditVisit:
    """The visit under test and the dashboard cell it feeds."""

    id: int
    campaign_id: int
    touchpoint_id: int
    touchpoint: str
    pillar_id: int
    pillar: str


def _survey_wave(world, rater) -> Campaign:
    """An open survey wave at the waiting touchpoint in Bogotá, with S for agility's items."""
    agility = world.standards["ESPERA"].pillar
    warmth = world.standards["SALUDO"].pillar
    for code, pillar in (("REL1", agility), ("REL2", agility), ("EMP1", warmth), ("EMP2", warmth)):
        db.session.add(ItemPillar(item_code=code, pillar=pillar))
    waiting = world.touchpoints["TURNO"]
    campaign = factories.campaign(
        name="Encuesta noviembre",
        wave="2026-11",
        touchpoints=[waiting],
        sites=[world.bogota],
        opens_on=WAVE_OPENS,
        closes_on=WAVE_CLOSES,
    )
    for number in range(12):
        e, p = 6 + number % 2, 4 + number % 3
        factories.response(
            campaign,
            dict.fromkeys(("REL1", "REL2", "EMP1", "EMP2"), (e, p)),
            overall=5,
            points={"reliability": 50, "empathy": 50},
        )
    for code, value in SPECIFICATION.items():
        db.session.add(
            SpecificationRating(
                campaign_id=campaign.id,
                touchpoint_id=waiting.id,
                item_code=code,
                value=value,
                rated_by_id=rater.id,
            )
        )
    db.session.flush()
    return campaign


def _earlier_visits(world, auditor) -> None:
    """Five visits approved earlier in the wave, checking ESPERA at the waiting touchpoint."""
    waiting, espera = world.touchpoints["TURNO"], world.standards["ESPERA"]
    for day, met in enumerate(EARLIER_VISITS, start=2):
        auditdata.visit(
            world.programme,
            world.bogota,
            auditor,
            [(espera, waiting, 2, met)],
            scheduled_on=date(2026, 11, day),
        )


@pytest.fixture
def audit_visit(live_server):
    with live_server.app.app_context():
        manager = create_user("boss@example.com", "Bea Boss", GOOD_PASSWORD, "manager")
        auditor = create_user("shopper@example.com", "Aurelio", GOOD_PASSWORD, "auditor")
        colleague = create_user("colleague@example.com", "Berta", GOOD_PASSWORD, "auditor")
        world = builders.world(manager)
        campaign = _survey_wave(world, manager)
        _earlier_visits(world, colleague)
        visit = builders.visit(world, world.bogota, auditor)
        db.session.commit()
        waiting, agility = world.touchpoints["TURNO"], world.standards["ESPERA"].pillar
        found = AuditVisit(
            visit.id, campaign.id, waiting.id, waiting.name, agility.id, agility.name
        )
        db.session.remove()
        return found


def _sign_in(browser, live_server, email):
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/login?lang=en")
    page.locator("input[name='email']").fill(email)
    page.locator("input[name='password']").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def _status(live_server, visit_id) -> str:
    with live_server.app.app_context():
        status = db.session.get(Visit, visit_id).status
        db.session.remove()
        return status


def _expected(live_server, cell: AuditVisit) -> tuple[float, float, int]:
    """Compliance r, Gap 3 = D − S and visits of the cell, from the approved answers stored."""
    with live_server.app.app_context():
        campaign = db.session.get(Campaign, cell.campaign_id)
        answers = db.session.execute(
            sa.select(VisitAnswer.visit_id, VisitAnswer.weight, VisitAnswer.score)
            .join(Visit, Visit.id == VisitAnswer.visit_id)
            .join(Standard, Standard.id == VisitAnswer.standard_id)
            .where(
                Visit.status == "approved",
                Visit.scheduled_on.between(campaign.opens_on, campaign.closes_on),
                VisitAnswer.touchpoint_id == cell.touchpoint_id,
                Standard.pillar_id == cell.pillar_id,
                VisitAnswer.score.is_not(None),
                VisitAnswer.is_not_applicable.is_(False),
            )
        ).all()
        db.session.remove()
    low, high = SCALE
    rate = sum(float(w) * float(s) for _v, w, s in answers) / sum(float(w) for _v, w, _s in answers)
    delivery = low + (high - low) * rate
    specification = sum(SPECIFICATION.values()) / len(SPECIFICATION)
    return rate, delivery - specification, len({v for v, _w, _s in answers})


def _table(page, panel: str) -> list[dict[str, str]]:
    """Read the data table under a dashboard panel's chart: one dict per row, by header."""
    table = page.locator(f"#panel-{panel} table.data")
    expect(table).to_be_attached()
    return table.evaluate(
        """table => {
            const head = [...table.tHead.rows[0].cells].map(c => c.textContent.trim());
            return [...table.tBodies[0].rows].map(row => Object.fromEntries(
                [...row.cells].map((c, i) => [head[i], c.textContent.trim()])));
        }"""
    )


def _number(text: str) -> float:
    return float(text.replace("\u2212", "-").replace(",", ""))


def _dashboard_cell(page, cell: AuditVisit) -> dict[str, float]:
    """The cell's compliance (%) and visits in both audit grids and Gap 3 in the waterfall."""
    found = {}
    for panel, label, name in (
        ("audit_touchpoints", "Touchpoint", cell.touchpoint),
        ("audit_sites", "Site", "Bogotá"),
    ):
        row = next(r for r in _table(page, panel) if (r[label], r["Pillar"]) == (name, cell.pillar))
        found[f"{panel} %"] = _number(row["Compliance (%)"])
        found[f"{panel} n"] = _number(row["n"])
    waterfall = next(r for r in _table(page, "waterfall") if r["Pillar"] == cell.pillar)
    assert waterfall["Source of D"] == "audit compliance"
    found["gap3"] = _number(waterfall["Gap 3"])
    return found


def test_fill_reload_photo_submit_return_correct_and_approve(browser, live_server, audit_visit):
    cell = audit_visit
    audit_visit = cell.id
    shopper = _sign_in(browser, live_server, "shopper@example.com")
    shopper.get_by_role("navigation", name="Main").get_by_role("link", name="My visits").click()
    shopper.locator(f"a[href$='/my-visits/{audit_visit}']").click()
    shopper.get_by_role("button", name="Start the visit now").click()
    ready = shopper.locator("form.checklist[data-autosave='on']")
    expect(ready).to_be_attached()  # answers are saved as they change from here on
    # One column on a phone: nothing wider than the screen.
    assert shopper.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    shopper.locator("#question-GREET_DOOR label.choice", has_text="Yes").click()
    expect(shopper.locator("#question-GREET_DOOR .state")).to_contain_text("Meets the standard")
    wait = shopper.locator("input[name='q-WAIT']")
    wait.fill("-3")
    wait.press("Tab")
    expect(shopper.locator("#question-WAIT .state")).to_contain_text("cannot be negative")
    wait.fill("12")
    wait.press("Tab")
    expect(shopper.locator("#question-WAIT .state")).to_contain_text("Misses the standard ≤ 10 min")

    # A reload (a lost connection, a closed tab) keeps what was saved.
    shopper.reload()
    expect(ready).to_be_attached()
    assert_accessible(shopper, "auditor's checklist")
    expect(shopper.locator("input[name='q-GREET_DOOR'][value='yes']")).to_be_checked()
    expect(shopper.locator("input[name='q-WAIT']")).to_have_value("12 min")

    for code, value in [
        ("CLEAN", "4"),
        ("GREET_NAME", "yes"),
        ("LISTEN", "4"),
        ("ID_CHECK", "yes"),
        ("RESOLVED", "resolved"),
        ("COSTS", "yes"),
    ]:
        shopper.locator(f"input[name='q-{code}'][value='{value}']").check()
        expect(shopper.locator(f"#question-{code} .state")).to_contain_text("Saved")
    shopper.locator("input[name='photo-COSTS']").set_input_files(
        files=[{"name": "costs.jpg", "mimeType": "image/jpeg", "buffer": builders.jpeg(gps=True)}]
    )
    shopper.get_by_role("button", name="Submit for review").click()
    expect(shopper.locator(".flash-success")).to_contain_text("submitted for review")
    assert _status(live_server, audit_visit) == "submitted"

    boss = _sign_in(browser, live_server, "boss@example.com")
    boss.goto(f"{live_server.url}/audits/")
    boss.locator(f"a[href$='/audits/visits/{audit_visit}']").click()
    assert_accessible(boss, "review page")
    photo = boss.locator(".thumbs img").first
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.naturalWidth") > 0  # served through the authorised route
    boss.get_by_label("Decision").select_option("return")
    boss.get_by_label("Comment").fill("Falta la hora de llegada.")
    boss.get_by_role("button", name="Record decision").click()
    assert _status(live_server, audit_visit) == "returned"

    shopper.goto(f"{live_server.url}/my-visits/")
    expect(shopper.get_by_text("Falta la hora de llegada.")).to_be_visible()
    shopper.locator(f"a[href$='/my-visits/{audit_visit}']").click()
    expect(ready).to_be_attached()
    arrival = shopper.locator("input[name='q-ARRIVAL_AT']")
    arrival.fill("09:45")
    arrival.press("Tab")
    expect(shopper.locator("#question-ARRIVAL_AT .state")).to_contain_text("Saved")
    shopper.get_by_role("button", name="Submit for review").click()
    expect(shopper.locator(".flash-success")).to_contain_text("submitted for review")

    # Before the approval: the wave covering the visit's date, filtered to its touchpoint.
    boss.goto(f"{live_server.url}/dashboard/")
    boss.get_by_label("Campaign (wave)", exact=True).select_option(str(cell.campaign_id))
    boss.get_by_label("Touchpoint", exact=True).select_option(str(cell.touchpoint_id))
    boss.get_by_role("button", name="Apply filters").click()
    expect(boss).to_have_url(re.compile(f"touchpoint={cell.touchpoint_id}"))
    boss.wait_for_load_state()
    dashboard = boss.url
    before = _dashboard_cell(boss, cell)
    rate, gap3, visits = _expected(live_server, cell)
    assert visits == len(EARLIER_VISITS)  # only the visits approved so far count
    for panel in ("audit_touchpoints", "audit_sites"):
        assert before[f"{panel} %"] == pytest.approx(100 * rate, abs=0.005)
        assert before[f"{panel} n"] == visits
    assert before["gap3"] == pytest.approx(gap3, abs=0.005)

    boss.goto(f"{live_server.url}/audits/visits/{audit_visit}")
    expect(boss.locator("table.answers")).to_contain_text("09:45")
    boss.get_by_label("Decision").select_option("approve")
    boss.get_by_role("button", name="Record decision").click()
    expect(boss.locator(".flash-success")).to_contain_text(re.compile("approved", re.I))
    assert _status(live_server, audit_visit) == "approved"

    # After: the 12-minute wait (ESPERA missed) joins the cell; compliance and Gap 3 drop.
    # By hand: before r = 4/5 = 80 %, D = 1 + 6·0.8 = 5.8, S = (6 + 5)/2 = 5.5, Gap 3 = 0.30;
    # after r = 4/6 = 66.67 %, D = 5, Gap 3 = −0.50 (every ESPERA check weighs 1 × 2).
    boss.goto(dashboard)
    after = _dashboard_cell(boss, cell)
    rate, gap3, visits = _expected(live_server, cell)
    assert visits == len(EARLIER_VISITS) + 1
    for panel in ("audit_touchpoints", "audit_sites"):
        assert after[f"{panel} %"] == pytest.approx(100 * rate, abs=0.005)
        assert after[f"{panel} n"] == visits
        assert after[f"{panel} %"] < before[f"{panel} %"]
    assert after["gap3"] == pytest.approx(gap3, abs=0.005)
    assert after["gap3"] < before["gap3"]
    shopper.context.close()
    boss.context.close()
