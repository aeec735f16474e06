"""Gaps 2–4, the delivery sources and the telescoping waterfall."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from servqual.gaps import (
    AuditDelivery,
    ChainLevels,
    DeliveryEstimate,
    DeliverySource,
    Histogram,
    Moments,
    RatingsDelivery,
    gap2,
    gap3,
    gap4,
    waterfall,
    wilson_interval,
)


def test_hand_worked_wilson_interval():
    # k = 8 of n = 10, 95%: z = 1.959964, z² = 3.841459, p̂ = 0.8.
    # denominator 1 + z²/n = 1.3841459;  centre (0.8 + 3.841459/20)/1.3841459 = 0.716741;
    # half z·√(0.8·0.2/10 + 3.841459/400)/1.3841459 = 1.959964·√0.0256036/1.3841459
    #      = 0.226576;  interval (0.490162, 0.943318).
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.490162, abs=1e-6)
    assert high == pytest.approx(0.943318, abs=1e-6)


@pytest.mark.parametrize(("met", "applicable"), [(0, 10), (3, 7), (10, 10), (41, 57), (1, 1)])
def test_wilson_interval_equals_statsmodels(met, applicable):
    expected = proportion_confint(met, applicable, alpha=0.05, method="wilson")
    assert wilson_interval(met, applicable) == pytest.approx(expected, abs=1e-12)


def test_audit_compliance_is_mapped_onto_the_item_scale():
    # 8 of 10 checks met on a 1–7 item: D = 1 + 6·0.8 = 5.8; the Wilson interval is
    # mapped the same way: 1 + 6·0.490162 = 3.940974 and 1 + 6·0.943318 = 6.659907.
    audit = AuditDelivery(met=8, applicable=10, scale_low=1, scale_high=7)
    estimate = audit.estimate()
    assert isinstance(audit, DeliverySource)
    assert estimate.source == "audit compliance"
    assert estimate.compliance_rate == 0.8
    assert estimate.value == pytest.approx(5.8)
    assert estimate.ci_low == pytest.approx(3.940974, abs=1e-6)
    assert estimate.ci_high == pytest.approx(6.659907, abs=1e-6)
    assert (estimate.n, estimate.status) == (10, "indicative")


def test_delivery_ratings_give_a_t_interval():
    ratings = [5, 6, 6, 7, 4, 5, 6]
    source = RatingsDelivery(Histogram.from_array(ratings))
    estimate = source.estimate()
    assert isinstance(source, DeliverySource)
    assert estimate.source == "delivery ratings"
    m = sum(ratings) / len(ratings)
    expected = sps.t.interval(0.95, 6, loc=m, scale=sps.sem(ratings))
    assert (estimate.ci_low, estimate.ci_high) == pytest.approx(expected, abs=1e-9)
    assert estimate.value == pytest.approx(m)


def test_audit_rejects_impossible_counts():
    with pytest.raises(ValueError, match="met"):
        AuditDelivery(met=5, applicable=4, scale_low=1, scale_high=7)


def test_gaps_2_to_4_are_values_without_p_or_interval():
    delivery = AuditDelivery(met=2, applicable=3, scale_low=1, scale_high=7).estimate()
    # D = 1 + 6·(2/3) = 5.0
    g2 = gap2(specification=5.5, management=Moments.from_array([6, 6, 5.4]))
    g3 = gap3(delivery, specification=5.5)
    g4 = gap4(delivery, communication=6.5)
    assert g2.value == pytest.approx(5.5 - 5.8)
    assert g2.n == 3  # the managers, for the anonymity rule
    assert g3.value == pytest.approx(5.0 - 5.5)
    assert g4.value == pytest.approx(5.0 - 6.5)
    assert (g3.source, g4.source) == ("audit compliance", "audit compliance")
    for gap in (g2, g3, g4):
        assert not hasattr(gap, "p_value")
        assert not hasattr(gap, "ci_low")
    # D's own interval stays available as evidence, beside the gap.
    assert g3.delivery.ci_low is not None


def test_missing_standard_or_promise_is_named():
    delivery = RatingsDelivery(Moments.from_array([5, 6, 7])).estimate()
    assert gap2(None, 5.0).status == "uncovered"
    assert gap3(delivery, None).status == "uncovered"
    assert gap4(delivery, None).status == "not_promised"
    assert gap3(delivery, None).value is None


def test_hand_worked_telescoping_waterfall():
    # E = 6.2, M = 5.8, S = 5.5, D = 5.0 (audit: 2 of 3 met on 1–7: 1 + 6·2/3), C = 6.5,
    # P = 5.4.  Gap 1 = M − E = −0.4;  Gap 2 = S − M = −0.3;  Gap 3 = D − S = −0.5;
    # sum = −1.2 = D − E = 5.0 − 6.2.  Gap 4 = D − C = −1.5;  Gap 5 = P − E = −0.8.
    delivery = AuditDelivery(met=2, applicable=3, scale_low=1, scale_high=7).estimate()
    result = waterfall(ChainLevels(6.2, 5.8, 5.5, delivery, 6.5, 5.4))
    assert [step.gap for step in result.steps] == ["Gap 1", "Gap 2", "Gap 3"]
    assert [(s.start_level, s.end_level) for s in result.steps] == [
        ("E", "M"),
        ("M", "S"),
        ("S", "D"),
    ]
    assert [s.change for s in result.steps] == pytest.approx([-0.4, -0.3, -0.5])
    assert result.chain_total == pytest.approx(-1.2)
    assert result.delivery_minus_expectation == pytest.approx(-1.2)
    assert result.telescopes is True
    assert result.gap4 == pytest.approx(-1.5)
    assert result.gap5 == pytest.approx(-0.8)
    assert result.delivery_source == "audit compliance"
    assert result.status == "ok"


def test_waterfall_of_an_uncovered_item():
    delivery = RatingsDelivery(Moments.from_array([5, 6, 7])).estimate()
    result = waterfall(ChainLevels(6.0, 5.5, None, delivery, None, 5.0))
    assert result.status == "uncovered"
    assert result.steps[1].change is None and result.steps[2].change is None
    assert result.telescopes is None
    assert result.delivery_minus_expectation == pytest.approx(0.0)


levels = st.floats(1, 9, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(levels, levels, levels, levels)
def test_gaps_1_to_3_always_telescope(e, m, s, d):
    estimate = DeliveryEstimate("delivery ratings", d, None, None, 40, "ok")
    result = waterfall(ChainLevels(e, m, s, estimate, None, None))
    assert result.telescopes is True
    assert math.isclose(result.chain_total, d - e, abs_tol=1e-12)


@pytest.mark.parametrize("trials", [1, 1.6, 2, 3, 7.5, 40, 1000])
def test_wilson_bounds_hold_the_rate_exactly_at_none_and_all(trials):
    # At k = 0 the lower bound is 0 and at k = n the upper bound is 1, exactly: rounding
    # once left 5.6e-17 above a compliance of 0 (found by hypothesis in the audit scores).
    assert wilson_interval(0, trials)[0] == 0.0
    assert wilson_interval(trials, trials)[1] == 1.0
