"""Derived importance (statsmodels OLS, pingouin LMG), stated importance, IPA quadrants."""

from __future__ import annotations

import numpy as np
import pingouin
import pytest
import statsmodels.api as sm

from servqual.gaps import (
    CONCENTRATE_HERE,
    KEEP_UP_THE_GOOD_WORK,
    LOW_PRIORITY,
    POSSIBLE_OVERKILL,
    CrossProducts,
    Moments,
    compare_importance,
    derived_importance,
    importance_performance,
    lmg_decomposition,
    stated_importance,
)

DIMENSIONS = ("Tangibles", "Reliability", "Responsiveness", "Assurance", "Empathy")
TOL = 1e-9


def survey(seed: int, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Correlated dimension scores and an overall-quality item that depends on them."""
    rng = np.random.default_rng(seed)
    x = rng.multivariate_normal(np.zeros(5), 0.4 + 0.6 * np.eye(5), size=n) + 0.5
    y = 4 + x @ np.array([0.2, 0.6, 0.3, 0.25, 0.1]) + rng.normal(scale=0.8, size=n)
    return x, y


@pytest.mark.parametrize("seed", range(5))
def test_ols_equals_statsmodels(seed):
    x, y = survey(seed)
    result = derived_importance(CrossProducts.from_array(np.column_stack([x, y])), DIMENSIONS)
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    assert result.intercept == pytest.approx(fit.params[0], abs=TOL)
    assert result.coefficients == pytest.approx(tuple(fit.params[1:]), abs=TOL)
    assert result.intercept_se == pytest.approx(fit.bse[0], abs=TOL)
    assert result.standard_errors == pytest.approx(tuple(fit.bse[1:]), abs=TOL)
    assert result.p_values == pytest.approx(tuple(fit.pvalues[1:]), abs=TOL)
    assert result.r_squared == pytest.approx(fit.rsquared, abs=TOL)
    assert result.adjusted_r_squared == pytest.approx(fit.rsquared_adj, abs=TOL)
    # Standardized coefficients: the slopes of the regression on z-scores.
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    zy = (y - y.mean()) / y.std(ddof=1)
    standardized = sm.OLS(zy, sm.add_constant(z)).fit().params[1:]
    assert result.standardized == pytest.approx(tuple(standardized), abs=TOL)


@pytest.mark.parametrize("seed", range(5))
def test_lmg_equals_pingouin_relimp(seed):
    x, y = survey(10 + seed)
    result = derived_importance(CrossProducts.from_array(np.column_stack([x, y])), DIMENSIONS)
    relimp = pingouin.linear_regression(x, y, relimp=True)
    assert result.lmg == pytest.approx(tuple(relimp["relimp"].to_numpy()[1:]), abs=TOL)
    assert sum(result.lmg) == pytest.approx(result.r_squared, abs=TOL)
    assert sum(result.lmg_share) == pytest.approx(1.0, abs=TOL)


def test_hand_worked_lmg_of_two_correlated_predictors():
    # r_y1 = 0.6, r_y2 = 0.3, r_12 = 0.5.
    # R²({1}) = 0.36, R²({2}) = 0.09,
    # R²({1,2}) = (r_y1² + r_y2² − 2 r_y1 r_y2 r_12)/(1 − r_12²) = (0.45 − 0.18)/0.75 = 0.36.
    # LMG₁ = ½(0.36 − 0) + ½(0.36 − 0.09) = 0.315;  LMG₂ = ½(0.09 − 0) + ½(0.36 − 0.36) = 0.045.
    corr = np.array([[1.0, 0.5, 0.6], [0.5, 1.0, 0.3], [0.6, 0.3, 1.0]])
    assert lmg_decomposition(corr) == pytest.approx((0.315, 0.045), abs=1e-12)


def test_stated_importance_and_its_comparison_with_derived():
    # Mean points: Tangibles 10, Reliability 30, Responsiveness 20, Assurance 20,
    # Empathy 20 → shares 0.1, 0.3, 0.2, 0.2, 0.2.
    points = {
        "Tangibles": Moments.from_array([10, 5, 15]),
        "Reliability": Moments.from_array([30, 35, 25]),
        "Responsiveness": Moments.from_array([20, 20, 20]),
        "Assurance": Moments.from_array([20, 25, 15]),
        "Empathy": Moments.from_array([20, 15, 25]),
    }
    stated = stated_importance(points)
    assert stated.mean_points == pytest.approx((10, 30, 20, 20, 20))
    assert stated.shares == pytest.approx((0.1, 0.3, 0.2, 0.2, 0.2))
    x, y = survey(3)
    derived = derived_importance(CrossProducts.from_array(np.column_stack([x, y])), DIMENSIONS)
    comparison = compare_importance(derived, stated)
    assert sum(comparison.derived_points) == pytest.approx(100.0)
    assert comparison.difference[1] == pytest.approx(30 - 100 * derived.lmg_share[1])


def test_hand_worked_importance_performance_quadrants():
    # Importance 40, 30, 20, 10 → crosshair 25; performance (gaps) −1.5, −0.5, −1.0, 0.0
    # → crosshair −0.75.
    # Reliability: important, gap below −0.75 → concentrate here
    # Assurance: important, above → keep up the good work
    # Tangibles: unimportant, below → low priority
    # Empathy: unimportant, above → possible overkill
    importance = {"Reliability": 40, "Assurance": 30, "Tangibles": 20, "Empathy": 10}
    performance = {"Reliability": -1.5, "Assurance": -0.5, "Tangibles": -1.0, "Empathy": 0.0}
    result = importance_performance(importance, performance)
    assert (result.importance_crosshair, result.performance_crosshair) == (25, -0.75)
    assert {p.label: p.quadrant for p in result.points} == {
        "Reliability": CONCENTRATE_HERE,
        "Assurance": KEEP_UP_THE_GOOD_WORK,
        "Tangibles": LOW_PRIORITY,
        "Empathy": POSSIBLE_OVERKILL,
    }


def test_collinear_predictors_are_singular_not_an_exception():
    x, y = survey(1)
    x[:, 4] = x[:, 0] + x[:, 1]
    result = derived_importance(CrossProducts.from_array(np.column_stack([x, y])), DIMENSIONS)
    assert result.status == "singular"
    assert result.coefficients == (None,) * 5
