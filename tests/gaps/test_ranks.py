"""Rank tests from histograms equal scipy's on the raw integer arrays."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from servqual.gaps import Histogram, kruskal_wallis, mann_whitney, wilcoxon_pratt

TOL = 1e-9


def likert_gaps(rng: np.random.Generator, n: int, zero_share: float) -> np.ndarray:
    """Integer gaps in −6..6 with many zeros and ties, as Likert gaps have."""
    d = rng.integers(-6, 7, size=n)
    d[rng.random(n) < zero_share] = 0
    return d


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("zero_share", [0.0, 0.4, 0.8])
def test_wilcoxon_pratt_equals_scipy(seed, zero_share):
    rng = np.random.default_rng(seed)
    d = likert_gaps(rng, int(rng.integers(2, 300)), zero_share)
    if not d.any():
        d[0] = 1
    ours = wilcoxon_pratt(Histogram.from_array(d))
    theirs = sps.wilcoxon(d, zero_method="pratt", correction=False, method="approx")
    assert ours.statistic == pytest.approx(theirs.statistic, abs=TOL)
    assert ours.p_value == pytest.approx(theirs.pvalue, abs=TOL)
    # scipy reports −|z| for a two-sided test; ours keeps the sign of W⁺ − E[W⁺].
    assert abs(ours.z) == pytest.approx(abs(theirs.zstatistic), abs=TOL)


@pytest.mark.parametrize("seed", range(12))
def test_mann_whitney_equals_scipy(seed):
    rng = np.random.default_rng(100 + seed)
    x = rng.integers(1, 8, size=int(rng.integers(1, 120)))
    y = rng.integers(2, 8, size=int(rng.integers(1, 120)))
    ours = mann_whitney(Histogram.from_array(x), Histogram.from_array(y))
    theirs = sps.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")
    assert ours.statistic == pytest.approx(theirs.statistic, abs=TOL)
    assert ours.p_value == pytest.approx(theirs.pvalue, abs=TOL)


@pytest.mark.parametrize("seed", range(12))
def test_kruskal_wallis_equals_scipy(seed):
    rng = np.random.default_rng(200 + seed)
    groups = [
        rng.integers(1, 8, size=int(rng.integers(1, 80))) for _ in range(int(rng.integers(2, 6)))
    ]
    ours = kruskal_wallis([Histogram.from_array(g) for g in groups])
    theirs = sps.kruskal(*groups)
    assert ours.statistic == pytest.approx(theirs.statistic, rel=TOL, abs=TOL)
    assert ours.p_value == pytest.approx(theirs.pvalue, abs=TOL)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from([-2, -1, 0, 0, 0, 1, 1, 3]), min_size=1, max_size=80))
def test_wilcoxon_pratt_equals_scipy_on_any_tied_sample(d):
    ours = wilcoxon_pratt(Histogram.from_array(d))
    if not any(d):
        # All zeros: scipy's variance is zero and it returns NaN; we say why instead.
        assert (ours.p_value, ours.status) == (None, "zero_variance")
        return
    theirs = sps.wilcoxon(d, zero_method="pratt", correction=False, method="approx")
    assert ours.p_value == pytest.approx(theirs.pvalue, abs=TOL)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=50),
    st.lists(st.integers(1, 5), min_size=1, max_size=50),
)
def test_mann_whitney_equals_scipy_on_any_tied_samples(x, y):
    ours = mann_whitney(Histogram.from_array(x), Histogram.from_array(y))
    if len(set(x + y)) == 1:
        # Every answer equal: no rank variance. scipy clips its p-value to 1.
        assert (ours.p_value, ours.status) == (None, "zero_variance")
        return
    theirs = sps.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")
    assert ours.p_value == pytest.approx(theirs.pvalue, abs=TOL)


def test_large_histograms_lose_no_precision():
    # 300 000 gaps, 80% zeros: the variance terms n(n+1)(2n+1) − n₀(n₀+1)(2n₀+1) nearly
    # cancel; integer arithmetic keeps them exact.
    rng = np.random.default_rng(5)
    d = likert_gaps(rng, 300_000, 0.8)
    ours = wilcoxon_pratt(Histogram.from_array(d))
    theirs = sps.wilcoxon(d, zero_method="pratt", correction=False, method="approx")
    assert ours.p_value == pytest.approx(theirs.pvalue, abs=TOL)
    assert abs(ours.z) == pytest.approx(abs(theirs.zstatistic), rel=1e-9)


def test_hand_worked_wilcoxon_pratt():
    # d = (−1, 0, 2). Pratt ranks |d| with the zero included: |0| → 1, |−1| → 2, |2| → 3.
    # W⁺ = 3, W⁻ = 2; n = 3, n₀ = 1.
    # E[W⁺] = (3·4 − 1·2)/4 = 2.5;  Var = (3·4·7 − 1·2·3 − 0)/24 = 78/24 = 3.25.
    # z = (3 − 2.5)/√3.25 = 0.27735;  p = 2Φ(−0.27735) = 0.78151.
    result = wilcoxon_pratt(Histogram.from_counts({-1: 1, 0: 1, 2: 1}))
    assert result.statistic == 2.0
    assert result.z == pytest.approx(0.5 / np.sqrt(3.25), abs=1e-12)
    assert result.p_value == pytest.approx(0.781511, abs=1e-6)


def test_rank_tests_on_empty_input_say_not_enough_data():
    empty = Histogram()
    assert wilcoxon_pratt(empty).status == "not_enough_data"
    assert mann_whitney(empty, Histogram.from_array([1, 2])).status == "not_enough_data"
    assert kruskal_wallis([Histogram.from_array([1, 2])]).status == "not_enough_data"
    assert kruskal_wallis([Histogram.from_array([1]), empty]).status == "not_enough_data"
    assert kruskal_wallis([Histogram.from_array([3, 3]), Histogram.from_array([3])]).status == (
        "zero_variance"
    )
