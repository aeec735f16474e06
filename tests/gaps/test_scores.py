"""Respondent-level scores: dimensions, pillars, overall, weighted, zone of tolerance."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servqual.gaps import (
    Moments,
    ZoneCounts,
    dimension_scores,
    item_gaps,
    overall_score,
    pillar_scores,
    servperf,
    servqual_unweighted,
    weighted_servqual_from_arrays,
    zone_of_tolerance,
)

NAN = np.nan
# Two dimensions: Reliability has 4 items (columns 0–3), Empathy 5 (columns 4–8).
DIMENSIONS = ["R"] * 4 + ["E"] * 5


def test_overall_is_the_mean_of_dimension_means_not_of_items():
    # One respondent, gaps R = (−1, −1, −1, −1), E = (0, 0, 0, 0, 0).
    # Dimension means: R = −1, E = 0 → overall = (−1 + 0)/2 = −0.5.
    # The mean of all 9 items would be −4/9 = −0.444…, which over-weights the
    # 5-item dimension.
    p = np.array([[4, 4, 4, 4, 5, 5, 5, 5, 5]], dtype=float)
    e = np.array([[5, 5, 5, 5, 5, 5, 5, 5, 5]], dtype=float)
    result = servqual_unweighted(p, e, DIMENSIONS)
    assert result.value == pytest.approx(-0.5)
    assert result.value != pytest.approx(item_gaps(p, e).mean())
    assert result.labels == ("R", "E")
    assert result.dimension_means == pytest.approx((-1.0, 0.0))


def test_a_respondent_needs_half_of_a_dimensions_items():
    g = np.array(
        [
            # R: 2 of 4 answered → scored (−1 + 0)/2; E: 3 of 5 answered → scored 3/3
            [-1, 0, NAN, NAN, 1, 1, 1, NAN, NAN],
            # R: 1 of 4 answered → missing; E: 2 of 5 answered → missing
            [-2, NAN, NAN, NAN, 2, 2, NAN, NAN, NAN],
        ]
    )
    scores = dimension_scores(g, DIMENSIONS)
    np.testing.assert_array_equal(scores.column("R"), [-0.5, NAN])
    np.testing.assert_array_equal(scores.column("E"), [1.0, NAN])
    assert scores.moments("R") == Moments(1, -0.5, 0.25)
    assert scores.item_counts == (4, 5)


def test_servperf_aggregates_perceptions_alone():
    # R items perceived 6, 6, 5, 7 (mean 6), E items 4, 4, 4, 4, 4 (mean 4) → (6 + 4)/2 = 5.
    p = np.array([[6, 6, 5, 7, 4, 4, 4, 4, 4]], dtype=float)
    assert servperf(p, DIMENSIONS).value == pytest.approx(5.0)


def test_pillar_scores_follow_the_item_mapping():
    # Item 0 serves "agility" and "warmth", item 1 "warmth", item 2 none; "we keep our
    # word" has no items at all.
    g = np.array([[-2, 0, 1], [0, NAN, 1]], dtype=float)
    mapping = [{"agility", "warmth"}, {"warmth"}, set()]
    scores = pillar_scores(g, mapping, ["agility", "warmth", "we keep our word"])
    np.testing.assert_array_equal(scores.column("agility"), [-2.0, 0.0])
    # warmth: respondent 1 → (−2 + 0)/2 = −1; respondent 2 answered 1 of 2 (half) → 0
    np.testing.assert_array_equal(scores.column("warmth"), [-1.0, 0.0])
    assert scores.status("we keep our word") == "no_items"
    assert scores.moments("we keep our word").n == 0
    assert scores.status("warmth") == "indicative"


def test_respondent_level_weighting_differs_from_mean_weights_times_mean_gaps():
    # Respondent 1: gaps (R, E) = (−2, 0), points (80, 20) → W₁ = 0.8·(−2) + 0.2·0 = −1.6
    # Respondent 2: gaps (R, E) = (0, −2), points (20, 80) → W₂ = 0.2·0 + 0.8·(−2) = −1.6
    # Respondent level: W̄ = −1.6.
    # Mean weights (50, 50) × mean gaps (−1, −1): 0.5·(−1) + 0.5·(−1) = −1.0.
    # Covariance term: Σ_d ((n−1)/n)·cov(points_d, G_d)/100; for R the deviations are
    # (30, −30)·(−1, 1) → Σ = −60, /n = −30, /100 = −0.3; the same for E → −0.6.
    g = np.array([[-2, -2, 0, 0, 0, 0, 0], [0, 0, -2, -2, -2, -2, -2]], dtype=float)
    scores = dimension_scores(g, ["R", "R", "E", "E", "E", "E", "E"])
    result = weighted_servqual_from_arrays(scores, [[80, 20], [20, 80]])
    assert result.respondent_level == pytest.approx(-1.6)
    assert result.mean_weights_times_mean_gaps == pytest.approx(-1.0)
    assert result.covariance_term == pytest.approx(-0.6)
    assert result.mean_points == pytest.approx((50.0, 50.0))
    assert result.n == 2


def test_weighted_servqual_leaves_out_incomplete_respondents():
    scores = dimension_scores(np.array([[-1, 1], [NAN, 1], [0, 0]]), ["R", "E"])
    result = weighted_servqual_from_arrays(scores, [[50, 50], [50, 50], [NAN, 100]])
    assert result.n == 1
    assert result.respondent_level == pytest.approx(0.0)


def test_hand_worked_zone_of_tolerance_shares():
    # P, A, Ds per respondent → MSA = P − A, MSS = P − Ds → zone
    # 5, 4, 6 → MSA 1, MSS −1 → inside
    # 3, 4, 6 → MSA −1        → below
    # 7, 4, 6 → MSS 1         → above
    # 4, 4, 6 → MSA 0, MSS −2 → inside (on the adequate level)
    # 6, 5, 6 → MSA 1, MSS 0  → inside (on the desired level)
    # P missing               → left out
    # Shares 1/5 below, 3/5 inside, 1/5 above; mean MSA = 4/5, mean MSS = −5/5 = −1.
    p = [5, 3, 7, 4, 6, NAN]
    a = [4, 4, 4, 4, 5, 4]
    d = [6, 6, 6, 6, 6, 6]
    shares = zone_of_tolerance(ZoneCounts.from_arrays(p, a, d))
    assert (shares.below, shares.inside, shares.above) == pytest.approx((0.2, 0.6, 0.2))
    assert shares.mean_adequacy_gap == pytest.approx(0.8)
    assert shares.mean_superiority_gap == pytest.approx(-1.0)
    assert shares.n == 5


def test_inverted_zone_counts_as_below():
    # Adequate 6 above desired 5: P = 5.5 is both below adequate and above desired.
    counts = ZoneCounts.from_arrays([5.5], [6], [5])
    assert (counts.below, counts.inside, counts.above) == (1, 0, 0)


def test_overall_needs_every_dimension():
    result = overall_score({"R": Moments.from_array([1, 2]), "E": Moments()})
    assert (result.value, result.status) == (None, "missing_dimension")


zone_rows = st.lists(
    st.tuples(st.integers(1, 9), st.integers(1, 9), st.integers(1, 9)), max_size=40
)


@settings(max_examples=60, deadline=None)
@given(zone_rows, zone_rows)
def test_zone_counts_merge_like_the_union(first, second):
    def counts(rows):
        arrays = np.array(rows, dtype=float).reshape(-1, 3).T
        return ZoneCounts.from_arrays(*arrays)

    assert counts(first) + counts(second) == counts(first + second)
    shares = zone_of_tolerance(counts(first + second))
    if shares.n:
        assert shares.below + shares.inside + shares.above == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_dimension_scores_do_not_depend_on_respondent_order(seed):
    rng = np.random.default_rng(seed)
    g = rng.integers(-3, 4, size=(12, 9)).astype(float)
    g[rng.random(g.shape) < 0.3] = NAN
    order = rng.permutation(12)
    scores = dimension_scores(g, DIMENSIONS)
    permuted = dimension_scores(g[order], DIMENSIONS)
    np.testing.assert_array_equal(permuted.values, scores.values[order])
    # Dimension scores are fractions, so only the order of float additions differs.
    before = overall_score({d: scores.moments(d) for d in "RE"})
    after = overall_score({d: permuted.moments(d) for d in "RE"})
    assert (after.status, after.dimension_ns) == (before.status, before.dimension_ns)
    if before.value is not None:
        assert after.value == pytest.approx(before.value, abs=1e-12)
