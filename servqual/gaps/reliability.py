"""Reliability and validity from cross-products: Cronbach's α, KMO, Bartlett, factor analysis.

Everything works on a :class:`CrossProducts` of listwise-complete answers: build one per
dimension (α, listwise within the dimension) and one over all items (KMO, Bartlett,
factor analysis of P).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps
from statsmodels.multivariate.factor import Factor

from servqual.gaps.stats import CrossProducts
from servqual.gaps.status import (
    NOT_CONVERGED,
    NOT_ENOUGH_DATA,
    SINGULAR,
    TOO_FEW_ITEMS,
    ZERO_VARIANCE,
    is_suppressed,
    sample_status,
)

#: Correlation matrices worse conditioned than this are treated as singular.
_MAX_CONDITION = 1e12


@dataclass(frozen=True, slots=True)
class CronbachAlpha:
    """Cronbach's α of one scale with Feldt's interval and item diagnostics."""

    n: int
    k: int
    alpha: float | None
    ci_low: float | None
    ci_high: float | None
    alpha_if_deleted: tuple[float | None, ...]
    item_total: tuple[float | None, ...]
    status: str

    @property
    def suppressed_for_staff(self) -> bool:
        """True when n < 5."""
        return is_suppressed(self.n)


def _alpha(cov: np.ndarray) -> float | None:
    k = cov.shape[0]
    total = float(cov.sum())
    if k < 2 or total <= 0.0:
        return None
    return k / (k - 1) * (1.0 - float(np.trace(cov)) / total)


def feldt_interval(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's interval for α: 1 − (1 − α)·F_{1−γ/2} and 1 − (1 − α)·F_{γ/2}.

    F quantiles with df₁ = n − 1 and df₂ = (n − 1)(k − 1), γ = 1 − level
    (Feldt, Woodruff & Salih 1987; scipy.stats.f). Needs n ≥ 2, k ≥ 2.
    """
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - level) / 2
    low = 1 - (1 - alpha) * float(sps.f.isf(tail, df1, df2))
    high = 1 - (1 - alpha) * float(sps.f.ppf(tail, df1, df2))
    return low, high


def cronbach_alpha(data: CrossProducts, level: float = 0.95) -> CronbachAlpha:
    """Cronbach's (1951) α = k/(k − 1) · (1 − Σ sᵢ² / s_T²) from the item covariance matrix.

    s_T² = 1ᵀC1 is the variance of the sum score. Also α with each item deleted and the
    corrected item-total correlation r(xᵢ, T − xᵢ) = (Σⱼ Cᵢⱼ − Cᵢᵢ) / √(Cᵢᵢ · Var(T − xᵢ)),
    Var(T − xᵢ) = s_T² − 2Σⱼ Cᵢⱼ + Cᵢᵢ. α equals ``pingouin.cronbach_alpha`` (listwise).
    """
    n, k = data.n, data.k
    empty = (None,) * k
    if k < 2:
        return CronbachAlpha(n, k, None, None, None, empty, empty, TOO_FEW_ITEMS)
    cov = data.covariance()
    if cov is None:
        return CronbachAlpha(n, k, None, None, None, empty, empty, NOT_ENOUGH_DATA)
    alpha = _alpha(cov)
    if alpha is None:
        return CronbachAlpha(n, k, None, None, None, empty, empty, ZERO_VARIANCE)
    total, rows = float(cov.sum()), cov.sum(axis=1)
    if_deleted, item_total = [], []
    for i in range(k):
        keep = [j for j in range(k) if j != i]
        if_deleted.append(_alpha(cov[np.ix_(keep, keep)]))
        rest_var = total - 2 * rows[i] + cov[i, i]
        if cov[i, i] > 0 and rest_var > 0:
            item_total.append(float((rows[i] - cov[i, i]) / np.sqrt(cov[i, i] * rest_var)))
        else:
            item_total.append(None)
    low, high = feldt_interval(alpha, n, k, level)
    return CronbachAlpha(
        n, k, alpha, low, high, tuple(if_deleted), tuple(item_total), sample_status(n)
    )


def _usable_correlation(data: CrossProducts) -> np.ndarray | str:
    """Return the correlation matrix, or the status saying why it cannot be inverted."""
    if data.k < 2:
        return TOO_FEW_ITEMS
    if data.n <= data.k:
        return NOT_ENOUGH_DATA
    corr = data.correlation()
    if corr is None:
        return ZERO_VARIANCE
    if not np.isfinite(np.linalg.cond(corr)) or np.linalg.cond(corr) > _MAX_CONDITION:
        return SINGULAR
    return corr


@dataclass(frozen=True, slots=True)
class SamplingAdequacy:
    """Kaiser–Meyer–Olkin measure (overall, per item) and Bartlett's test of sphericity."""

    n: int
    k: int
    kmo: float | None
    kmo_per_item: tuple[float | None, ...]
    bartlett_chi2: float | None
    bartlett_df: int | None
    bartlett_p: float | None
    status: str

    @property
    def suppressed_for_staff(self) -> bool:
        """True when n < 5."""
        return is_suppressed(self.n)


def sampling_adequacy(data: CrossProducts) -> SamplingAdequacy:
    """KMO and Bartlett's sphericity test from the correlation matrix R.

    Anti-image (partial) correlations aᵢⱼ = −(R⁻¹)ᵢⱼ / √((R⁻¹)ᵢᵢ (R⁻¹)ⱼⱼ);
    KMO = Σ_{i≠j} rᵢⱼ² / (Σ_{i≠j} rᵢⱼ² + Σ_{i≠j} aᵢⱼ²), per item the same over row i
    (Kaiser 1970; Kaiser & Rice 1974). Bartlett (1950):
    χ² = −(n − 1 − (2k + 5)/6) · ln|R| with k(k − 1)/2 df.
    """
    n, k = data.n, data.k
    corr = _usable_correlation(data)
    if isinstance(corr, str):
        return SamplingAdequacy(n, k, None, (None,) * k, None, None, None, corr)
    inverse = np.linalg.inv(corr)
    scale = np.sqrt(np.diag(inverse))
    partial = -inverse / np.outer(scale, scale)
    off = ~np.eye(k, dtype=bool)
    r2, a2 = np.where(off, corr**2, 0.0), np.where(off, partial**2, 0.0)
    kmo = float(r2.sum() / (r2.sum() + a2.sum())) if r2.sum() > 0 else None
    per_item = tuple(
        float(r2[i].sum() / (r2[i].sum() + a2[i].sum())) if r2[i].sum() > 0 else None
        for i in range(k)
    )
    factor = n - 1 - (2 * k + 5) / 6
    chi2 = df = p = None
    if factor > 0:
        chi2 = float(-factor * np.linalg.slogdet(corr)[1])
        df = k * (k - 1) // 2
        p = float(sps.chi2.sf(chi2, df))
    return SamplingAdequacy(n, k, kmo, per_item, chi2, df, p, sample_status(n))


@dataclass(frozen=True, slots=True, eq=False)
class FactorStructure:
    """Exploratory factor analysis of the items and whether it recovers the dimensions."""

    n: int
    n_factors: int
    method: str
    rotation: str
    loadings: np.ndarray | None
    item_factor: tuple[int, ...]
    dimension_factor: tuple[tuple[str, int], ...]
    misplaced_items: tuple[int, ...]
    recovered: bool | None
    status: str

    @property
    def suppressed_for_staff(self) -> bool:
        """True when n < 5."""
        return is_suppressed(self.n)


def factor_structure(
    data: CrossProducts,
    item_dimensions: Sequence[str],
    rotation: str = "oblimin",
    method: str = "pa",
    min_loading: float = 0.4,
) -> FactorStructure:
    """Fit as many factors as dimensions and check that each dimension is one factor.

    ``statsmodels.multivariate.factor.Factor(corr=R, nobs=n, n_factor=D, method=...)``,
    then ``rotate(rotation)`` (oblique oblimin by default, as SERVQUAL's dimensions
    correlate; Parasuraman, Zeithaml & Berry 1988). Each item's primary factor is the
    one with the largest |loading|; a dimension's factor is the most common primary
    factor of its items. The structure is recovered when the dimensions get distinct
    factors and every item loads at least ``min_loading`` on its dimension's factor;
    the other items are listed as misplaced.
    """
    labels = list(dict.fromkeys(item_dimensions))
    n, n_factors = data.n, len(labels)
    if len(item_dimensions) != data.k:
        raise ValueError("one dimension label per item is needed")

    def failed(status: str) -> FactorStructure:
        return FactorStructure(n, n_factors, method, rotation, None, (), (), (), None, status)

    if data.k <= n_factors or n_factors < 1:
        return failed(TOO_FEW_ITEMS)
    corr = _usable_correlation(data)
    if isinstance(corr, str):
        return failed(corr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fitted = Factor(corr=corr, nobs=n, n_factor=n_factors, method=method).fit()
            if n_factors > 1:
                fitted.rotate(rotation)
        except (np.linalg.LinAlgError, ValueError):
            return failed(NOT_CONVERGED)
    loadings = np.array(fitted.loadings, dtype=float)
    if not np.all(np.isfinite(loadings)):
        return failed(NOT_CONVERGED)
    loadings.setflags(write=False)
    primary = np.abs(loadings).argmax(axis=1)
    strength = np.abs(loadings)[np.arange(data.k), primary]
    mapping = {}
    for label in labels:
        members = [j for j, d in enumerate(item_dimensions) if d == label]
        mapping[label] = int(np.bincount(primary[members], minlength=n_factors).argmax())
    misplaced = tuple(
        j
        for j, d in enumerate(item_dimensions)
        if primary[j] != mapping[d] or strength[j] < min_loading
    )
    recovered = len(set(mapping.values())) == n_factors and not misplaced
    return FactorStructure(
        n=n,
        n_factors=n_factors,
        method=method,
        rotation=rotation,
        loadings=loadings,
        item_factor=tuple(int(f) for f in primary),
        dimension_factor=tuple(mapping.items()),
        misplaced_items=misplaced,
        recovered=recovered,
        status=NOT_CONVERGED if caught else sample_status(n),
    )
