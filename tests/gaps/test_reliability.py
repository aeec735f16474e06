"""Cronbach's α (pingouin), Feldt's interval, KMO, Bartlett and the factor structure."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats as sps

from servqual.gaps import (
    CrossProducts,
    cronbach_alpha,
    factor_structure,
    feldt_interval,
    sampling_adequacy,
)

SIZES = {"Tangibles": 4, "Reliability": 5, "Responsiveness": 4, "Assurance": 4, "Empathy": 5}
ITEM_DIMENSIONS = [d for d, k in SIZES.items() for _ in range(k)]


def likert_scale(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """Correlated 1–7 answers: one latent trait plus noise, rounded and clipped."""
    trait = rng.normal(size=(n, 1))
    return np.clip(np.round(4 + 1.2 * trait + rng.normal(size=(n, k))), 1, 7)


def servqual_answers(rng: np.random.Generator, n: int, loading: float = 0.8) -> np.ndarray:
    """22 items, five correlated factors of 4, 5, 4, 4, 5 items."""
    factors = rng.multivariate_normal(np.zeros(5), 0.3 + 0.7 * np.eye(5), size=n)
    columns = [
        loading * factors[:, d] + math.sqrt(1 - loading**2) * rng.normal(size=n)
        for d, k in enumerate(SIZES.values())
        for _ in range(k)
    ]
    return np.column_stack(columns)


@pytest.mark.parametrize("seed", range(6))
def test_cronbach_alpha_equals_pingouin(seed):
    rng = np.random.default_rng(seed)
    x = likert_scale(rng, int(rng.integers(20, 300)), int(rng.integers(2, 7)))
    result = cronbach_alpha(CrossProducts.from_array(x))
    alpha, ci = pingouin.cronbach_alpha(pd.DataFrame(x))
    assert result.alpha == pytest.approx(alpha, abs=1e-9)
    # pingouin rounds its interval to 3 decimals.
    assert (result.ci_low, result.ci_high) == pytest.approx(tuple(ci), abs=1e-3 / 2 + 1e-12)
    for i in range(x.shape[1]):
        rest = np.delete(x, i, axis=1)
        if rest.shape[1] >= 2:
            expected, _ = pingouin.cronbach_alpha(pd.DataFrame(rest))
            assert result.alpha_if_deleted[i] == pytest.approx(expected, abs=1e-9)
        else:
            assert result.alpha_if_deleted[i] is None
        corrected = np.corrcoef(x[:, i], rest.sum(axis=1))[0, 1]
        assert result.item_total[i] == pytest.approx(corrected, abs=1e-9)


def test_cronbach_alpha_is_listwise_like_pingouin():
    rng = np.random.default_rng(11)
    x = likert_scale(rng, 80, 4)
    x[rng.random(x.shape) < 0.05] = np.nan
    result = cronbach_alpha(CrossProducts.from_array(x))
    alpha, _ = pingouin.cronbach_alpha(pd.DataFrame(x), nan_policy="listwise")
    assert result.alpha == pytest.approx(alpha, abs=1e-9)
    # pingouin takes n for Feldt's df before dropping incomplete rows; MEASUREMENT.md
    # says listwise, so compare with pingouin on the complete rows.
    complete = x[~np.isnan(x).any(axis=1)]
    assert result.n == len(complete)
    _, ci = pingouin.cronbach_alpha(pd.DataFrame(complete))
    assert (result.ci_low, result.ci_high) == pytest.approx(tuple(ci), abs=1e-3 / 2 + 1e-12)


def test_hand_worked_cronbach_alpha():
    # Items x₁ = (1, 2, 3), x₂ = (1, 3, 2): s₁² = s₂² = 1,
    # cov = [(−1)(−1) + 0·1 + 1·0]/2 = 0.5, s_T² = 1 + 1 + 2·0.5 = 3.
    # α = 2/1 · (1 − 2/3) = 2/3. Corrected item-total = r(x₁, x₂) = 0.5/1 = 0.5.
    # Deleting an item leaves one item: no α.
    result = cronbach_alpha(CrossProducts.from_array([[1, 1], [2, 3], [3, 2]]))
    assert result.alpha == pytest.approx(2 / 3, abs=1e-12)
    assert result.item_total == pytest.approx((0.5, 0.5), abs=1e-12)
    assert result.alpha_if_deleted == (None, None)


def test_hand_worked_feldt_interval():
    # α = 0.8, n = 11, k = 3 → df₁ = 10, df₂ = 10·2 = 20.
    # F tables: F_{0.975}(10, 20) = 2.774, F_{0.025}(10, 20) = 1/F_{0.975}(20, 10) = 0.2925.
    # lower = 1 − 0.2·2.774 = 0.4453;  upper = 1 − 0.2·0.2925 = 0.9415.
    low, high = feldt_interval(0.8, 11, 3)
    assert low == pytest.approx(1 - 0.2 * 2.7737, abs=1e-4)
    assert high == pytest.approx(1 - 0.2 * 0.29252, abs=1e-5)
    assert low == pytest.approx(1 - 0.2 * sps.f.ppf(0.975, 10, 20), abs=1e-12)
    assert high == pytest.approx(1 - 0.2 / sps.f.ppf(0.975, 20, 10), abs=1e-12)


def anti_image_kmo(x: np.ndarray) -> tuple[float, np.ndarray]:
    """KMO from pingouin's partial correlations (an independent route to the anti-image)."""
    r = np.corrcoef(x, rowvar=False)
    a = pd.DataFrame(x).pcorr().to_numpy()
    off = ~np.eye(r.shape[0], dtype=bool)
    r2, a2 = (r**2) * off, (a**2) * off
    return r2.sum() / (r2.sum() + a2.sum()), r2.sum(axis=1) / (r2.sum(axis=1) + a2.sum(axis=1))


def test_kmo_and_bartlett_match_independent_computations():
    rng = np.random.default_rng(3)
    x = servqual_answers(rng, 250)
    result = sampling_adequacy(CrossProducts.from_array(x))
    kmo, per_item = anti_image_kmo(x)
    assert result.kmo == pytest.approx(kmo, abs=1e-9)
    assert result.kmo_per_item == pytest.approx(tuple(per_item), abs=1e-9)
    # Bartlett: χ² = −(n − 1 − (2k + 5)/6)·ln|R|, ln|R| = Σ ln λ over R's eigenvalues.
    n, k = x.shape
    log_det = np.log(np.linalg.eigvalsh(np.corrcoef(x, rowvar=False))).sum()
    chi2 = -(n - 1 - (2 * k + 5) / 6) * log_det
    assert result.bartlett_chi2 == pytest.approx(chi2, rel=1e-9)
    assert result.bartlett_df == k * (k - 1) // 2 == 231
    assert result.bartlett_p == pytest.approx(sps.chi2.sf(chi2, 231), abs=1e-12)
    assert result.kmo > 0.8


def test_factor_analysis_recovers_the_five_dimensions():
    x = servqual_answers(np.random.default_rng(4), 500)
    result = factor_structure(CrossProducts.from_array(x), ITEM_DIMENSIONS)
    assert result.status == "ok"
    assert result.recovered is True
    assert result.misplaced_items == ()
    assert result.loadings.shape == (22, 5)
    assert len({factor for _, factor in result.dimension_factor}) == 5


def test_factor_analysis_reports_when_the_data_disagree():
    # Item 0 (a Tangibles item) and item 5 (a Reliability item) swap labels: the data
    # still have five factors, but the labels claim another grouping.
    x = servqual_answers(np.random.default_rng(5), 500)
    labels = list(ITEM_DIMENSIONS)
    labels[0], labels[5] = labels[5], labels[0]
    result = factor_structure(CrossProducts.from_array(x), labels, rotation="varimax")
    assert result.recovered is False
    assert set(result.misplaced_items) == {0, 5}


def test_factor_analysis_of_noise_is_not_recovered():
    x = np.random.default_rng(6).normal(size=(120, 22))
    result = factor_structure(CrossProducts.from_array(x), ITEM_DIMENSIONS)
    assert result.recovered is False
    assert len(result.misplaced_items) > 5
