"""D from approved audit visits feeds Gap 3 (D − S) and Gap 4 (D − C), checked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from servqual.gaps.chain import wilson_interval
from servqual.gaps.sources import Scope, analyse_wave
from servqual.service.models import Pillar
from servqual.surveys.internal_models import (
    CommunicationRating,
    DeliveryRating,
    SpecificationRating,
)
from tests import factories
from tests.audits import auditdata
from tests.gaps import wavedata


@pytest.fixture
def audited(db, make_user):
    """The gaps test wave with S, C, one delivery rating and six audit visits at the counter.

    Scale 1–7. Pillar AG = items REL1, EMP1; pillar WA = item EMP2.
    Standards: AG1 (weight 2), AG2 (weight 1) of pillar AG; WA1 (weight 1) of pillar WA.
    """
    wave = wavedata.build(n=60)
    wave.campaign.opens_on, wave.campaign.closes_on = date(2026, 10, 1), date(2026, 12, 31)
    pillars = {p.code: p for p in factories.db.session.query(Pillar)}
    counter, phone = wave.touchpoints
    site_a, site_b = wave.sites
    admin, supervisor, auditor = make_user("admin"), make_user("manager"), make_user("auditor")
    common = {"campaign_id": wave.campaign.id, "rated_by_id": admin.id}
    session = factories.db.session
    for tp, code, value in ((counter, "REL1", 6), (counter, "EMP2", 5), (phone, "EMP2", 5)):
        session.add(SpecificationRating(touchpoint_id=tp.id, item_code=code, value=value, **common))
    session.add(
        SpecificationRating(
            touchpoint_id=counter.id, item_code="EMP1", has_standard=False, value=None, **common
        )
    )
    for tp, code, value in ((counter, "EMP1", 7), (counter, "EMP2", 6), (phone, "EMP2", 6)):
        session.add(CommunicationRating(touchpoint_id=tp.id, item_code=code, value=value, **common))
    # Delivery ratings exist for AG at the counter (mean 4.5) and WA on the phone (mean 3);
    # audits take precedence at the counter, the phone line keeps its ratings.
    for tp, code, value, rater in (
        (counter, "REL1", 4, admin),
        (counter, "REL1", 5, supervisor),
        (phone, "EMP2", 3, admin),
    ):
        session.add(
            DeliveryRating(touchpoint_id=tp.id, item_code=code, value=value, site_id=site_a.id,
                           campaign_id=wave.campaign.id, rated_by_id=rater.id)
        )  # fmt: skip
    ag1 = factories.standard(code="AG1", pillar=pillars["AG"])
    ag2 = factories.standard(code="AG2", pillar=pillars["AG"])
    wa1 = factories.standard(code="WA1", pillar=pillars["WA"])
    programme = auditdata.programme(wave.sites, [counter], wave.campaign.instrument_version)

    def visit(site, answers, **fields):
        rows = [(std, counter, weight, score) for std, weight, score in answers]
        return auditdata.visit(programme, site, auditor, rows, **fields)

    visit(site_a, [(ag1, 2, 1), (ag2, 1, 0), (wa1, 1, 1)])  # V1
    visit(site_a, [(ag1, 2, 1), (ag2, 1, 1), (wa1, 1, 0)])  # V2
    visit(site_b, [(ag1, 2, 0), (ag2, 1, None)])  # V3: AG2 not applicable
    visit(site_b, [(ag1, 2, 1), (ag2, 1, 1)])  # V4
    # None of these may count: returned, rejected, submitted, approved before the wave.
    visit(site_a, [(ag1, 2, 0), (ag2, 1, 0), (wa1, 1, 0)], status="returned")
    visit(site_b, [(ag1, 2, 0), (ag2, 1, 0), (wa1, 1, 0)], status="rejected")
    visit(site_b, [(ag1, 2, 0), (ag2, 1, 0)], status="submitted")
    visit(site_a, [(ag1, 2, 0), (ag2, 1, 0)], scheduled_on=date(2026, 9, 30))
    session.flush()
    return wave


def _cell(analysis, touchpoint, pillar):
    return next(
        c for c in analysis.chain if c.touchpoint.id == touchpoint.id and c.pillar.code == pillar
    )


def test_gap3_and_gap4_from_approved_audits_equal_the_hand_numbers(audited):
    analysis = analyse_wave(Scope(audited.campaign.id))
    counter, phone = audited.touchpoints

    # AG at the counter, approved visits in the wave only (y = Σ w·s, x = Σ w):
    #   V1 (2·1 + 1·0, 3) = (2, 3);  V2 (3, 3);  V3 (0, 2) — AG2 N/A leaves the base;
    #   V4 (3, 3).  r = 8/11 = 0.727273.
    # D = 1 + (7 − 1)·8/11 = 59/11 = 5.363636.
    # S = 6 (REL1; EMP1 has no standard), C = 7 (EMP1; REL1 not promised).
    # Gap 3 = D − S = 59/11 − 6 = −7/11 = −0.636364;  Gap 4 = D − C = −18/11 = −1.636364.
    # (The delivery ratings 4 and 5 would have said D = 4.5, Gap 3 = −1.5.)
    ag = _cell(analysis, counter, "AG")
    assert ag.gap3.source == "audit compliance"
    assert ag.gap3.minuend == pytest.approx(59 / 11)
    assert ag.gap3.value == pytest.approx(-7 / 11)
    assert ag.gap4.value == pytest.approx(-18 / 11)
    assert ag.waterfall.delivery_source == "audit compliance"
    assert ag.waterfall.gap4 == pytest.approx(-18 / 11)
    delivery = ag.gap3.delivery
    assert delivery.compliance_rate == pytest.approx(8 / 11)
    assert (delivery.n, delivery.status) == (4, "indicative")  # four approved visits
    # Interval: residuals y − r·x = −2/11, 9/11, −16/11, 9/11 → Σ² = 422/121;
    # V = 422/121 / 11² ; n* = r(1−r)/V = (24/121)·14641/422 = 6.8815, capped by Kish's
    # effective number of checks 11²/(2²·4 + 1²·3) = 121/19 = 6.3684.
    low, high = wilson_interval(8 / 11 * 121 / 19, 121 / 19)
    assert delivery.ci_low == pytest.approx(1 + 6 * low)
    assert delivery.ci_high == pytest.approx(1 + 6 * high)

    # WA at the counter: WA1 met on V1, not on V2 → r = 1/2, D = 1 + 6·0.5 = 4;
    # S = 5 → Gap 3 = −1;  C = 6 → Gap 4 = −2.
    wa = _cell(analysis, counter, "WA")
    assert (wa.gap3.value, wa.gap4.value) == (pytest.approx(-1.0), pytest.approx(-2.0))
    assert wa.gap3.n == 2

    # WA on the phone line: no audit there, so D = the delivery rating 3 (one rating).
    wa_phone = _cell(analysis, phone, "WA")
    assert wa_phone.gap3.source == "delivery ratings"
    assert wa_phone.gap3.value == pytest.approx(3 - 5)
    assert wa_phone.gap4.value == pytest.approx(3 - 6)


def test_site_scope_keeps_only_that_sites_visits(audited):
    site_b = audited.sites[1]
    analysis = analyse_wave(Scope(audited.campaign.id, site_ids=(site_b.id,)))
    ag = _cell(analysis, audited.touchpoints[0], "AG")
    # Site B: V3 (0, 2) and V4 (3, 3) → r = 3/5, D = 1 + 6·0.6 = 4.6;
    # Gap 3 = 4.6 − 6 = −1.4;  Gap 4 = 4.6 − 7 = −2.4.
    assert ag.gap3.value == pytest.approx(-1.4)
    assert ag.gap4.value == pytest.approx(-2.4)
    assert ag.gap3.n == 2
    # No WA check at site B: the counter's WA falls back to ratings, and site B has none.
    wa = _cell(analysis, audited.touchpoints[0], "WA")
    assert wa.gap3.delivery is None and wa.gap3.status == "not_enough_data"


def test_approving_a_returned_visit_changes_gap3(audited):
    from servqual.audits.models import Visit

    before = _cell(analyse_wave(Scope(audited.campaign.id)), audited.touchpoints[0], "AG")
    returned = factories.db.session.query(Visit).filter_by(status="returned").one()
    returned.status = "approved"
    factories.db.session.flush()
    after = _cell(analyse_wave(Scope(audited.campaign.id)), audited.touchpoints[0], "AG")
    # The corrected visit adds (0, 3): r = 8/14, D = 1 + 6·4/7 = 31/7, Gap 3 = 31/7 − 6.
    assert before.gap3.value == pytest.approx(-7 / 11)
    assert after.gap3.value == pytest.approx(31 / 7 - 6)
    assert after.gap3.n == 5
