"""Sufficient statistics: values, NaN handling, and merge = compute on the union."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from servqual.gaps import CrossProducts, Histogram, Moments, cronbach_alpha, gap5

likert_gaps = st.lists(st.integers(-6, 6), max_size=60)


def test_moments_match_numpy_and_drop_nan():
    x = np.array([4.0, np.nan, 6.0, 5.0, 7.0, np.nan, 3.0])
    m = Moments.from_array(x)
    clean = x[~np.isnan(x)]
    assert m.n == 5
    assert m.mean == pytest.approx(clean.mean(), abs=1e-12)
    assert m.sd == pytest.approx(clean.std(ddof=1), abs=1e-12)
    assert m.se == pytest.approx(sps.sem(clean), abs=1e-12)
    low, high = sps.t.interval(0.95, 4, loc=clean.mean(), scale=sps.sem(clean))
    assert m.t_interval() == pytest.approx((low, high), abs=1e-12)


def test_moments_of_identical_values_have_exactly_zero_variance():
    # 0.1 is not exact in binary: Σx² − (Σx)²/n is a rounding residue, snapped to zero.
    m = Moments.from_array([0.1] * 7)
    assert m.variance == 0.0
    assert m.t_interval() is None


def test_moments_of_nothing_and_of_one():
    assert Moments.from_array([np.nan]).mean is None
    one = Moments.from_array([3.0])
    assert (one.mean, one.sd, one.se, one.t_interval()) == (3.0, None, None, None)


def test_infinite_values_are_rejected_not_dropped():
    with pytest.raises(ValueError, match="infinite"):
        Moments.from_array([1.0, np.inf])


def test_histogram_from_array_and_counts_agree():
    x = [2, -1, 0, 0, 2, np.nan, 2]
    h = Histogram.from_array(x)
    assert h == Histogram.from_counts({2: 3, 0: 2, -1: 1, 5: 0})
    assert h.as_dict() == {-1: 1, 0: 2, 2: 3}
    assert h.n == 6
    assert h.moments() == Moments.from_array(x)


def test_histogram_refuses_non_integer_observations():
    with pytest.raises(ValueError, match="integer"):
        Histogram.from_array([1.0, 2.5])


def test_cross_products_match_numpy_listwise():
    rng = np.random.default_rng(7)
    x = rng.integers(1, 8, size=(40, 4)).astype(float)
    x[3, 1] = np.nan
    x[10, 0] = np.nan
    cp = CrossProducts.from_array(x)
    complete = x[~np.isnan(x).any(axis=1)]
    assert cp.n == 38
    np.testing.assert_allclose(cp.means(), complete.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(cp.covariance(), np.cov(complete, rowvar=False), atol=1e-12)
    np.testing.assert_allclose(cp.correlation(), np.corrcoef(complete, rowvar=False), atol=1e-12)
    sub = cp.subset([0, 2])
    np.testing.assert_allclose(sub.covariance(), np.cov(complete[:, [0, 2]], rowvar=False))


def test_correlation_undefined_for_a_constant_item():
    x = np.column_stack([np.arange(10.0), np.full(10, 4.0)])
    assert CrossProducts.from_array(x).correlation() is None


@settings(max_examples=60, deadline=None)
@given(likert_gaps, likert_gaps)
def test_merged_histograms_equal_the_union(first, second):
    merged = Histogram.from_array(first) + Histogram.from_array(second)
    assert merged == Histogram.from_array(first + second)
    # so every statistic computed from it is identical, e.g. Gap 5 with its Wilcoxon.
    assert gap5(merged) == gap5(Histogram.from_array(first + second))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-10, 10, allow_nan=False), max_size=40),
    st.lists(st.floats(-10, 10, allow_nan=False), max_size=40),
)
def test_merged_moments_equal_the_union(first, second):
    merged = Moments.from_array(first).merge(Moments.from_array(second))
    union = Moments.from_array(first + second)
    assert merged.n == union.n
    assert merged.total == pytest.approx(union.total, abs=1e-9)
    assert merged.total_sq == pytest.approx(union.total_sq, abs=1e-9)
    if union.n >= 2 and union.sd is not None and union.sd > 0.1:
        assert merged.sd == pytest.approx(union.sd, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 30), st.integers(0, 30))
def test_merged_cross_products_equal_the_union(seed, n1, n2):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 8, size=(n1 + n2, 3)).astype(float)
    x[rng.random(x.shape) < 0.1] = np.nan
    merged = CrossProducts.from_array(x[:n1]) + CrossProducts.from_array(x[n1:])
    union = CrossProducts.from_array(x)
    assert merged.n == union.n
    np.testing.assert_array_equal(merged.sums, union.sums)
    np.testing.assert_array_equal(merged.cross, union.cross)
    assert cronbach_alpha(merged) == cronbach_alpha(union)
