"""Audit compliance: weights, not applicable, Wilson intervals, groupings, trend, worst."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from servqual.audits import scoring
from servqual.audits.scoring import (
    Check,
    VisitSums,
    check_weight,
    compliance,
    compliance_by,
    compliance_from_sums,
    month_of,
    monthly_trend,
    worst_standards,
)
from servqual.gaps.chain import wilson_interval


def check(visit, standard="S1", score=1.0, weight=1.0, **where) -> Check:
    """A check with defaults: pillar P, touchpoint T, site A, auditor U, month 2026-10."""
    values = {"pillar": "P", "touchpoint": "T", "site": "A", "auditor": "U", "month": "2026-10"}
    values.update(where)
    return Check(visit=visit, standard=standard, score=score, weight=weight, **values)


def hand_visits() -> list[Check]:
    """Four visits, S1 (weight 2) and S2 (weight 1); visit D also has S3 not applicable."""
    return [
        check("A", "S1", 1, 2), check("A", "S2", 1, 1),
        check("B", "S1", 0, 2), check("B", "S2", 0, 1),
        check("C", "S1", 1, 2), check("C", "S2", 0, 1),
        check("D", "S1", 1, 2), check("D", "S2", 1, 1), check("D", "S3", None, 1),
    ]  # fmt: skip


def test_hand_worked_weighted_compliance_with_not_applicable_left_out():
    # Base Σw over applicable checks: 4 visits × (2 + 1) = 12 (S3 N/A is out of the base).
    # Σw·s: A 2+1 = 3, B 0, C 2, D 3 → 8;  r = 8/12 = 2/3.
    # Per visit (y, x): (3,3) (0,3) (2,3) (3,3); y − r·x = 1, −2, 0, 1 → Σ² = 6.
    # V = 6/12² = 1/24;  n* = r(1 − r)/V = (2/9)·24 = 16/3 = 5.3333.
    # Kish cap over checks: (Σw)²/Σw² = 144/(4·(4 + 1)) = 7.2 > 16/3, not binding.
    # Wilson, z² = 3.841459: denominator 1 + z²/n* = 1.720274;
    # centre (2/3 + z²/(2n*))/1.720274 = (0.666667 + 0.360137)/1.720274 = 0.596884;
    # half z·√(r(1−r)/n* + z²/(4n*²))/1.720274 = 1.959964·√(0.041667 + 0.033763)/1.720274
    #      = 0.312912  →  (0.283973, 0.909795).
    result = compliance(hand_visits())
    assert result.rate == pytest.approx(2 / 3)
    assert (result.met_weight, result.base_weight) == (8.0, 12.0)
    assert (result.checks, result.not_applicable, result.visits) == (8, 1, 4)
    assert result.effective_n == pytest.approx(16 / 3)
    assert result.ci_low == pytest.approx(0.283973, abs=1e-6)
    assert result.ci_high == pytest.approx(0.909795, abs=1e-6)
    # Four visits: indicative, and hidden from staff (fewer than 5).
    assert result.status == "indicative"
    assert result.suppressed_for_staff


def test_not_applicable_changes_neither_rate_nor_interval():
    with_na = compliance(hand_visits())
    without = compliance([c for c in hand_visits() if c.score is not None])
    assert (with_na.rate, with_na.ci_low, with_na.ci_high) == (
        without.rate,
        without.ci_low,
        without.ci_high,
    )
    # Counting N/A as "not met" would have given 8/13 instead.
    assert with_na.rate != pytest.approx(8 / 13)


@pytest.mark.parametrize(("met", "visits"), [(0, 10), (3, 7), (10, 10), (41, 57), (1, 1), (8, 9)])
def test_one_yes_no_check_per_visit_is_the_plain_wilson_interval(met, visits):
    checks = [check(v, score=1.0 if v < met else 0.0, weight=1.5) for v in range(visits)]
    result = compliance(checks)
    assert result.effective_n == pytest.approx(visits)
    expected = proportion_confint(met, visits, alpha=0.05, method="wilson")
    assert (result.ci_low, result.ci_high) == pytest.approx(expected, abs=1e-12)


def _ratio_wilson(rows, level=0.95):
    """Independent implementation: arrays, the textbook ratio variance, statsmodels' Wilson."""
    visit = np.array([r[0] for r in rows])
    w = np.array([r[1] for r in rows], dtype=float)
    s = np.array([r[2] for r in rows], dtype=float)
    ids = np.unique(visit)
    y = np.array([np.sum(w[visit == v] * s[visit == v]) for v in ids])
    x = np.array([np.sum(w[visit == v]) for v in ids])
    rate = y.sum() / x.sum()
    # Var(ŷ/x̂) ≈ Σ (y_v − r x_v)² / (Σ x_v)²  (first-order Taylor, clusters independent)
    var = np.sum((y - rate * x) ** 2) / x.sum() ** 2
    n_star = rate * (1 - rate) / var if 0 < rate < 1 and var > 0 else x.sum() ** 2 / np.sum(x**2)
    n_star = min(n_star, w.sum() ** 2 / np.sum(w**2))
    low, high = proportion_confint(rate * n_star, n_star, alpha=1 - level, method="wilson")
    return rate, n_star, low, high


@pytest.mark.parametrize("seed", range(8))
def test_weighted_clustered_interval_equals_an_independent_implementation(seed):
    rng = random.Random(seed)
    rows, checks = [], []
    for v in range(rng.randint(3, 40)):
        lean = rng.random()
        for q in range(rng.randint(1, 6)):
            weight = rng.choice([0.5, 1, 1, 2, 3])
            score = rng.choice([1.0, 0.0, 0.5, 0.75]) if rng.random() < lean else 0.0
            rows.append((v, weight, score))
            checks.append(check(v, f"S{q}", score, weight))
    result = compliance(checks, level=0.9)
    rate, n_star, low, high = _ratio_wilson(rows, level=0.9)
    assert result.rate == pytest.approx(rate, abs=1e-12)
    assert result.effective_n == pytest.approx(n_star, rel=1e-9)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=1e-9)


def test_the_interval_is_the_gap_core_wilson_interval():
    # Reused, not re-implemented: the same function gives the same bounds.
    result = compliance(hand_visits(), level=0.8)
    expected = wilson_interval(result.rate * result.effective_n, result.effective_n, 0.8)
    assert (result.ci_low, result.ci_high) == expected
    assert scoring.wilson_interval is wilson_interval


def test_correlated_checks_in_one_visit_widen_the_interval():
    # 10 visits × 5 standards, each visit all met or all failed (6 and 4): r = 0.6 as for
    # 50 independent checks, but the visits are the real evidence: n* = 10.
    checks = [check(v, f"S{q}", 1.0 if v < 6 else 0.0) for v in range(10) for q in range(5)]
    result = compliance(checks)
    assert result.rate == pytest.approx(0.6)
    assert result.effective_n == pytest.approx(10)
    naive = proportion_confint(30, 50, method="wilson")
    assert result.ci_high - result.ci_low > naive[1] - naive[0]


def test_partial_rating_scores_are_capped_at_the_number_of_checks():
    # Five visits each scoring 0.5 on one rating: V = 0, n* falls back to the visits (5).
    result = compliance([check(v, score=0.5) for v in range(5)])
    assert result.rate == 0.5
    assert result.effective_n == 5
    assert (result.ci_low, result.ci_high) == pytest.approx(wilson_interval(2.5, 5))


def test_scaling_every_weight_changes_nothing():
    doubled = [
        Check(c.visit, c.standard, c.pillar, c.touchpoint, c.site, c.auditor, c.month,
              c.score, c.weight * 10)
        for c in hand_visits()
    ]  # fmt: skip
    a, b = compliance(hand_visits()), compliance(doubled)
    assert (a.rate, a.effective_n, a.ci_low, a.ci_high) == pytest.approx(
        (b.rate, b.effective_n, b.ci_low, b.ci_high)
    )


def test_nothing_applicable_means_no_rate():
    result = compliance([check("A", score=None), check("B", score=1.0, weight=0)])
    assert result.rate is None
    assert (result.checks, result.not_applicable, result.visits) == (0, 1, 0)
    assert result.status == "not_enough_data"
    assert VisitSums().effective_trials() is None


def test_question_and_section_weights_multiply():
    assert check_weight(2, 1.5) == 3.0
    assert check_weight() == 1.0
    with pytest.raises(ValueError, match="weights"):
        check_weight(-1, 1)
    with pytest.raises(ValueError, match="weights"):
        check_weight(1, math.inf)
    with pytest.raises(ValueError, match="score"):
        check("A", score=1.2)


def test_compliance_by_site_and_pillar_counts_only_its_own_checks():
    checks = [
        # site A, pillar P: 3 of 4 met;  site A, pillar Q: 1 of 2;  site B, pillar P: 0 of 1
        *[check(v, "S1", 1.0 if v < 3 else 0.0, site="A", pillar="P") for v in range(4)],
        check(0, "S9", 1.0, site="A", pillar="Q"),
        check(1, "S9", 0.0, site="A", pillar="Q"),
        check(9, "S1", 0.0, site="B", pillar="P"),
    ]
    table = compliance_by(checks, ("site", "pillar"))
    assert set(table) == {("A", "P"), ("A", "Q"), ("B", "P")}
    assert table["A", "P"].rate == 0.75
    assert table["A", "Q"].rate == 0.5
    assert table["B", "P"].rate == 0.0
    assert table["A", "P"].key == ("A", "P")
    assert compliance_by(checks, "site")["A",].rate == pytest.approx(4 / 6)
    by_auditor = compliance_by(checks, "auditor")
    assert by_auditor["U",].visits == 5
    with pytest.raises(ValueError, match="unknown grouping branch"):
        compliance_by(checks, "branch")


def test_monthly_trend_is_ordered_and_reports_the_change():
    checks = [
        *[check(f"n{v}", score=1.0 if v < 3 else 0.0, month="2026-11") for v in range(4)],
        *[check(f"s{v}", score=1.0 if v < 1 else 0.0, month="2026-09") for v in range(4)],
        *[check(f"o{v}", score=1.0 if v < 2 else 0.0, month="2026-10") for v in range(4)],
    ]
    (trend,) = monthly_trend(checks).values()
    assert [m.key for m in trend.months] == [("2026-09",), ("2026-10",), ("2026-11",)]
    assert [m.rate for m in trend.months] == [0.25, 0.5, 0.75]
    assert trend.change == pytest.approx(0.5)
    per_site = monthly_trend(checks, "site")
    assert list(per_site) == [("A",)]
    assert per_site["A",].months[0].key == ("A", "2026-09")
    with pytest.raises(ValueError, match="month"):
        monthly_trend(checks, "month")


def test_month_of_a_visit():
    from datetime import date, datetime

    assert month_of(date(2026, 3, 31)) == "2026-03"
    assert month_of(datetime(2026, 12, 1, 8, 30)) == "2026-12"


def test_worst_standards_rank_by_how_good_they_could_be():
    checks = [
        # S1: 1 of 20 met, Wilson upper 0.236;  S2: 0 of 5, a lower rate but on few visits,
        # upper 0.434;  S3: 9 of 10;  S4: 0 of 3 (under the 5-visit floor: left out).
        *[check(f"a{v}", "S1", 1.0 if v < 1 else 0.0) for v in range(20)],
        *[check(f"b{v}", "S2", 0.0) for v in range(5)],
        *[check(f"c{v}", "S3", 1.0 if v < 9 else 0.0) for v in range(10)],
        *[check(f"d{v}", "S4", 0.0) for v in range(3)],
    ]
    worst = worst_standards(checks, limit=2)
    assert [c.key for c in worst] == [("S1",), ("S2",)]
    assert worst[0].ci_high < worst[1].ci_high
    assert [c.key for c in worst_standards(checks)] == [("S1",), ("S2",), ("S3",)]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 6),
            st.sampled_from([0.0, 0.25, 0.5, 1.0, None]),
            st.sampled_from([0.0, 0.5, 1.0, 2.0]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_rate_lies_inside_its_interval_inside_zero_one(rows):
    result = compliance([check(v, f"S{i}", s, w) for i, (v, s, w) in enumerate(rows)])
    if result.rate is None:
        assert all(s is None or w == 0 for _, s, w in rows)
        return
    assert 0 <= result.ci_low <= result.rate <= result.ci_high <= 1
    assert 0 < result.effective_n <= result.checks + 1e-9


def test_sums_of_disjoint_visit_sets_merge_into_the_sums_of_the_union():
    # A database adds per-visit sums cell by cell; the merged sums give the same figure.
    first, second = hand_visits()[:4], hand_visits()[4:]
    merged = VisitSums.from_checks(first) + VisitSums.from_checks(second)
    whole = VisitSums.from_checks(hand_visits())
    assert merged == whole
    assert (merged.visits, merged.checks, merged.y, merged.x) == (4, 8, 8.0, 12.0)
    assert compliance_from_sums(merged, not_applicable=1) == compliance(hand_visits())
