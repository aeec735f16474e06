"""Gap 5 (paired), Gap 1 and group comparisons against scipy, statsmodels and pingouin."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import pingouin
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.oneway import anova_oneway

from servqual.gaps import (
    Histogram,
    Moments,
    compare_groups,
    compare_many,
    gap1,
    gap5,
    item_gaps,
)

TOL = 1e-9


def test_hand_worked_gap5_of_three_respondents():
    # P = (5, 6, 7), E = (6, 6, 5) → G = P − E = (−1, 0, 2).
    # mean = 1/3; deviations −4/3, −1/3, 5/3; Σ squares = (16 + 1 + 25)/9 = 14/3;
    # s² = (14/3)/2 = 7/3, s = 1.527525; se = s/√3 = √7/3 = 0.881917.
    # t = (1/3)/(√7/3) = 1/√7 = 0.377964 with 2 df; for 2 df P(T > t) = ½ − t/(2√(2 + t²)),
    # so p = 1 − t/√(2 + t²) = 1 − 1/√15 = 0.741801.
    # t_{0.975, 2} = 0.95/√(2·0.975·0.025) = 4.302653; interval 1/3 ± 4.302653·0.881917.
    # d_z = mean/s = (1/3)/√(7/3) = 1/√21 = 0.218218.
    g = item_gaps([5, 6, 7], [6, 6, 5])
    result = gap5(Histogram.from_array(g))
    assert result.n == 3
    assert result.mean == pytest.approx(1 / 3, abs=1e-12)
    assert result.sd == pytest.approx(math.sqrt(7 / 3), abs=1e-12)
    assert result.t == pytest.approx(1 / math.sqrt(7), abs=1e-12)
    assert result.df == 2
    assert result.p_value == pytest.approx(1 - 1 / math.sqrt(15), abs=1e-12)
    half = 0.95 / math.sqrt(2 * 0.975 * 0.025) * math.sqrt(7) / 3
    assert (result.ci_low, result.ci_high) == pytest.approx((1 / 3 - half, 1 / 3 + half))
    assert result.d_z == pytest.approx(1 / math.sqrt(21), abs=1e-12)
    assert result.status == "indicative"
    assert result.suppressed_for_staff


@pytest.mark.parametrize("seed", range(8))
def test_gap5_equals_scipy_paired_tests(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 400))
    p = rng.integers(1, 8, size=n).astype(float)
    e = rng.integers(1, 8, size=n).astype(float)
    p[rng.random(n) < 0.1] = np.nan  # N/A answers, excluded pairwise
    g = item_gaps(p, e)
    keep = ~np.isnan(g)
    result = gap5(Histogram.from_array(g))
    t_test = sps.ttest_rel(p[keep], e[keep])
    wilcoxon = sps.wilcoxon(g[keep], zero_method="pratt", correction=False, method="approx")
    assert result.n == keep.sum()
    assert result.t == pytest.approx(t_test.statistic, abs=TOL)
    assert result.p_value == pytest.approx(t_test.pvalue, abs=TOL)
    low, high = t_test.confidence_interval(0.95)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=TOL)
    assert result.wilcoxon_p == pytest.approx(wilcoxon.pvalue, abs=TOL)
    assert result.d_z == pytest.approx(g[keep].mean() / g[keep].std(ddof=1), abs=TOL)


def test_gap5_from_moments_has_t_test_but_no_rank_test():
    g = [-1, 0, 2, -2, 1, 0, -1]
    from_moments = gap5(Moments.from_array(g))
    from_histogram = gap5(Histogram.from_array(g))
    assert from_moments.wilcoxon_p is None
    assert from_histogram.wilcoxon_p is not None
    assert from_moments.p_value == pytest.approx(from_histogram.p_value, abs=1e-15)


@pytest.mark.parametrize("seed", range(8))
def test_compare_groups_equals_scipy_welch_and_mann_whitney(seed):
    rng = np.random.default_rng(50 + seed)
    m = rng.integers(3, 8, size=int(rng.integers(2, 60)))
    e = rng.integers(1, 8, size=int(rng.integers(2, 300)))
    result = gap1(Histogram.from_array(m), Histogram.from_array(e))
    welch = sps.ttest_ind(m, e, equal_var=False)
    mwu = sps.mannwhitneyu(m, e, alternative="two-sided", method="asymptotic")
    assert result.difference == pytest.approx(m.mean() - e.mean(), abs=TOL)
    assert result.t == pytest.approx(welch.statistic, abs=TOL)
    assert result.df == pytest.approx(welch.df, abs=TOL)
    assert result.p_value == pytest.approx(welch.pvalue, abs=TOL)
    low, high = welch.confidence_interval(0.95)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=TOL)
    assert result.mann_whitney_p == pytest.approx(mwu.pvalue, abs=TOL)
    hedges = pingouin.compute_effsize(m, e, paired=False, eftype="hedges")
    assert result.hedges_g == pytest.approx(hedges, abs=TOL)


def test_hand_worked_welch_and_hedges_g():
    # x = (1, 2, 3): mean 2, s² = 1;  y = (2, 4, 6): mean 4, s² = 4.
    # SE² = 1/3 + 4/3 = 5/3, t = −2/√(5/3) = −1.549193;
    # df = (5/3)² / [(1/3)²/2 + (4/3)²/2] = (25/9)/(17/18) = 50/17 = 2.941176.
    # pooled s² = (2·1 + 2·4)/4 = 2.5, d = −2/√2.5 = −1.264911;
    # J = 1 − 3/(4·6 − 9) = 0.8, g = 0.8·d = −1.011929.
    result = compare_groups(Moments.from_array([1, 2, 3]), Moments.from_array([2, 4, 6]))
    assert result.t == pytest.approx(-2 / math.sqrt(5 / 3), abs=1e-12)
    assert result.df == pytest.approx(50 / 17, abs=1e-12)
    assert result.hedges_g == pytest.approx(0.8 * -2 / math.sqrt(2.5), abs=1e-12)
    assert result.mann_whitney_p is None  # Moments carry no ranks


@pytest.mark.parametrize("seed", range(6))
def test_welch_anova_and_kruskal_equal_statsmodels_and_scipy(seed):
    rng = np.random.default_rng(70 + seed)
    k = int(rng.integers(3, 6))
    arrays = [rng.integers(1, 8, size=int(rng.integers(3, 90))) for _ in range(k)]
    groups = {f"touchpoint {i}": Histogram.from_array(a) for i, a in enumerate(arrays)}
    result = compare_many(groups)
    welch = anova_oneway([a.astype(float) for a in arrays], use_var="unequal")
    assert result.welch_f == pytest.approx(welch.statistic, abs=TOL)
    assert (result.df_between, result.df_within) == pytest.approx(tuple(welch.df), abs=TOL)
    assert result.welch_p == pytest.approx(welch.pvalue, abs=TOL)
    kruskal = sps.kruskal(*arrays)
    assert result.kruskal_h == pytest.approx(kruskal.statistic, rel=TOL)
    assert result.kruskal_p == pytest.approx(kruskal.pvalue, abs=TOL)
    # Pairwise follow-ups: Welch t per pair, Holm within the family of pairs.
    raw = [sps.ttest_ind(a, b, equal_var=False).pvalue for a, b in combinations(arrays, 2)]
    holm = multipletests(raw, method="holm")[1]
    assert [pair.adjusted_p for pair in result.pairwise] == pytest.approx(list(holm), abs=TOL)
    assert [(pair.first, pair.second) for pair in result.pairwise] == list(combinations(groups, 2))


def gap5_from(p, e):
    return gap5(Histogram.from_array(item_gaps(p, e)))


answers = st.lists(st.tuples(st.integers(1, 7), st.integers(1, 7)), min_size=0, max_size=60)


@settings(max_examples=60, deadline=None)
@given(answers, st.integers(-20, 20))
def test_adding_a_constant_to_both_forms_leaves_gap5_unchanged(pairs, shift):
    p = np.array([a for a, _ in pairs], dtype=float)
    e = np.array([b for _, b in pairs], dtype=float)
    assert gap5_from(p + shift, e + shift) == gap5_from(p, e)


@settings(max_examples=60, deadline=None)
@given(answers, st.floats(-50, 50, allow_nan=False))
def test_adding_a_real_constant_leaves_gap5_unchanged_up_to_rounding(pairs, shift):
    p = np.array([a for a, _ in pairs], dtype=float)
    e = np.array([b for _, b in pairs], dtype=float)
    before = gap5(Moments.from_array(item_gaps(p, e)))
    after = gap5(Moments.from_array(item_gaps(p + shift, e + shift)))
    assert after.n == before.n
    assert after.status == before.status
    if before.mean is not None:
        assert after.mean == pytest.approx(before.mean, abs=1e-9)
    if before.p_value is not None:
        assert after.p_value == pytest.approx(before.p_value, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(answers, st.randoms(use_true_random=False))
def test_permuting_respondents_changes_nothing(pairs, random):
    shuffled = list(pairs)
    random.shuffle(shuffled)
    p, e = np.array(pairs, dtype=float).reshape(-1, 2).T
    q, f = np.array(shuffled, dtype=float).reshape(-1, 2).T
    assert gap5_from(q, f) == gap5_from(p, e)
    half = len(pairs) // 2
    assert compare_groups(Histogram.from_array(q[:half]), Histogram.from_array(f)) == (
        compare_groups(Histogram.from_array(sorted(q[:half])), Histogram.from_array(e))
    )
