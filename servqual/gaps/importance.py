"""Importance: derived (OLS, LMG), stated (100-point allocation), importance–performance."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from servqual.gaps.stats import CrossProducts, Sample, as_moments, t_p_value
from servqual.gaps.status import (
    NOT_ENOUGH_DATA,
    OK,
    SINGULAR,
    ZERO_VARIANCE,
    is_suppressed,
    sample_status,
)

_MAX_CONDITION = 1e12

CONCENTRATE_HERE = "concentrate here"
KEEP_UP_THE_GOOD_WORK = "keep up the good work"
LOW_PRIORITY = "low priority"
POSSIBLE_OVERKILL = "possible overkill"


def _subset_r2(corr: np.ndarray, subset: Sequence[int], outcome: int) -> float:
    if not subset:
        return 0.0
    r = corr[subset, outcome]
    return float(r @ np.linalg.solve(corr[np.ix_(subset, subset)], r))


def lmg_decomposition(corr: np.ndarray) -> tuple[float, ...]:
    """LMG (Shapley) shares of R² from a correlation matrix whose last row/column is y.

    R²(S) = r_ySᵀ R_SS⁻¹ r_yS for every subset S of the p predictors, and
    LMG_j = Σ_{S ∌ j} |S|! (p − |S| − 1)! / p! · [R²(S ∪ {j}) − R²(S)]; the shares add up
    to the full R² (Lindeman, Merenda & Gold 1980; Grömping 2006). Equals pingouin's
    ``linear_regression(X, y, relimp=True)["relimp"]``.
    """
    p = corr.shape[0] - 1
    r2 = [_subset_r2(corr, [j for j in range(p) if mask >> j & 1], p) for mask in range(1 << p)]
    shares = []
    for j in range(p):
        share = 0.0
        for mask in range(1 << p):
            if mask >> j & 1:
                continue
            size = mask.bit_count()
            weight = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
            share += weight * (r2[mask | 1 << j] - r2[mask])
        shares.append(share)
    return tuple(shares)


@dataclass(frozen=True, slots=True)
class DerivedImportance:
    """OLS of overall quality on the dimension scores, standardized weights and LMG."""

    labels: tuple[str, ...]
    n: int
    intercept: float | None
    intercept_se: float | None
    coefficients: tuple[float | None, ...]
    standard_errors: tuple[float | None, ...]
    p_values: tuple[float | None, ...]
    r_squared: float | None
    adjusted_r_squared: float | None
    standardized: tuple[float | None, ...]
    lmg: tuple[float | None, ...]
    lmg_share: tuple[float | None, ...]
    status: str

    @property
    def suppressed_for_staff(self) -> bool:
        """True when n < 5."""
        return is_suppressed(self.n)


def derived_importance(data: CrossProducts, labels: Sequence[str]) -> DerivedImportance:
    """Regress y (the last column of ``data``) on the predictors (the others) by OLS.

    With S the covariance matrix: β = S_xx⁻¹ s_xy, intercept ȳ − βᵀx̄,
    σ² = (n − 1)(s_yy − s_xyᵀβ)/(n − p − 1), Cov(β) = σ² ((n − 1) S_xx)⁻¹,
    Var(intercept) = σ²/n + x̄ᵀ Cov(β) x̄, R² = s_xyᵀβ / s_yy, standardized βⱼ·sⱼ/s_y, and
    the LMG decomposition of R² (:func:`lmg_decomposition`). Equals
    ``statsmodels.api.OLS(y, add_constant(X)).fit()``.
    """
    p, n = data.k - 1, data.n
    if len(labels) != p:
        raise ValueError("one label per predictor (the last column is the outcome)")
    none = (None,) * p

    def failed(status: str) -> DerivedImportance:
        return DerivedImportance(
            tuple(labels), n, None, None, none, none, none, None, None, none, none, none, status
        )

    if p < 1 or n <= p + 1:
        return failed(NOT_ENOUGH_DATA)
    cov, means = data.covariance(), data.means()
    if cov[p, p] == 0.0:
        return failed(ZERO_VARIANCE)
    corr = data.correlation()
    if corr is None or np.linalg.cond(corr[:p, :p]) > _MAX_CONDITION:
        return failed(SINGULAR)
    s_xx, s_xy, s_yy = cov[:p, :p], cov[:p, p], cov[p, p]
    beta = np.linalg.solve(s_xx, s_xy)
    explained = float(s_xy @ beta)
    df_resid = n - p - 1
    sigma2 = max((n - 1) * (s_yy - explained), 0.0) / df_resid
    cov_beta = sigma2 * np.linalg.inv((n - 1) * s_xx)
    se = np.sqrt(np.diag(cov_beta))
    intercept_se = math.sqrt(sigma2 / n + float(means[:p] @ cov_beta @ means[:p]))
    p_values = tuple(
        t_p_value(b / s, df_resid) if s > 0 else None for b, s in zip(beta, se, strict=True)
    )
    r2 = explained / s_yy
    lmg = lmg_decomposition(corr)
    return DerivedImportance(
        labels=tuple(labels),
        n=n,
        intercept=float(means[p] - beta @ means[:p]),
        intercept_se=intercept_se,
        coefficients=tuple(float(b) for b in beta),
        standard_errors=tuple(float(s) for s in se),
        p_values=p_values,
        r_squared=r2,
        adjusted_r_squared=1 - (1 - r2) * (n - 1) / df_resid,
        standardized=tuple(float(b * math.sqrt(s_xx[j, j] / s_yy)) for j, b in enumerate(beta)),
        lmg=lmg,
        lmg_share=tuple(share / r2 for share in lmg) if r2 > 0 else none,
        status=sample_status(n),
    )


@dataclass(frozen=True, slots=True)
class StatedImportance:
    """Mean 100-point allocation per dimension and its share of the total."""

    labels: tuple[str, ...]
    ns: tuple[int, ...]
    mean_points: tuple[float | None, ...]
    shares: tuple[float | None, ...]
    status: str

    @property
    def suppressed_for_staff(self) -> bool:
        """True when any dimension has fewer than 5 allocations."""
        return is_suppressed(min(self.ns, default=0))


def stated_importance(points: Mapping[str, Sample]) -> StatedImportance:
    """Stated importance p̄_d = mean points given to dimension d, share p̄_d / Σ p̄.

    Parasuraman, Zeithaml & Berry (1991): respondents split 100 points across the
    dimensions.
    """
    moments = [as_moments(s) for s in points.values()]
    means = tuple(m.mean for m in moments)
    ns = tuple(m.n for m in moments)
    if not moments or any(mean is None for mean in means):
        return StatedImportance(tuple(points), ns, means, (None,) * len(means), NOT_ENOUGH_DATA)
    total = sum(means)
    shares = tuple(mean / total for mean in means) if total > 0 else (None,) * len(means)
    status = sample_status(min(ns)) if total > 0 else ZERO_VARIANCE
    return StatedImportance(tuple(points), ns, means, shares, status)


@dataclass(frozen=True, slots=True)
class ImportanceComparison:
    """Derived (LMG share of R²) against stated (share of 100 points), in points."""

    labels: tuple[str, ...]
    derived_points: tuple[float | None, ...]
    stated_points: tuple[float | None, ...]
    difference: tuple[float | None, ...]


def compare_importance(
    derived: DerivedImportance, stated: StatedImportance
) -> ImportanceComparison:
    """Put both on 100 points: derived 100·LMGⱼ/R², stated 100·p̄ⱼ/Σp̄; stated − derived."""
    stated_by_label = dict(zip(stated.labels, stated.shares, strict=True))
    derived_pts, stated_pts, diffs = [], [], []
    for label, share in zip(derived.labels, derived.lmg_share, strict=True):
        d = 100 * share if share is not None else None
        s = stated_by_label.get(label)
        s = 100 * s if s is not None else None
        derived_pts.append(d)
        stated_pts.append(s)
        diffs.append(s - d if s is not None and d is not None else None)
    return ImportanceComparison(derived.labels, tuple(derived_pts), tuple(stated_pts), tuple(diffs))


@dataclass(frozen=True, slots=True)
class QuadrantPoint:
    """One attribute placed in the importance–performance grid."""

    label: str
    importance: float | None
    performance: float | None
    quadrant: str | None


@dataclass(frozen=True, slots=True)
class ImportancePerformance:
    """Importance–performance analysis with crosshairs at the means."""

    importance_crosshair: float | None
    performance_crosshair: float | None
    points: tuple[QuadrantPoint, ...]
    status: str


def quadrant(
    importance: float, performance: float, importance_mean: float, performance_mean: float
) -> str:
    """Return the quadrant; a value on a crosshair counts as high (Martilla & James 1977)."""
    important = importance >= importance_mean
    performing = performance >= performance_mean
    if important:
        return KEEP_UP_THE_GOOD_WORK if performing else CONCENTRATE_HERE
    return POSSIBLE_OVERKILL if performing else LOW_PRIORITY


def importance_performance(
    importance: Mapping[str, float | None], performance: Mapping[str, float | None]
) -> ImportancePerformance:
    """Place each attribute by importance (stated or derived) and performance (P or G).

    Crosshairs at the means over the attributes having both values (Martilla & James
    1977): important and low performance → "concentrate here"; important and high →
    "keep up the good work"; unimportant and low → "low priority"; unimportant and
    high → "possible overkill". Needs two complete attributes.
    """
    labels = list(importance)
    complete = [
        label
        for label in labels
        if importance[label] is not None and performance.get(label) is not None
    ]
    if len(complete) < 2:
        points = tuple(
            QuadrantPoint(label, importance[label], performance.get(label), None)
            for label in labels
        )
        return ImportancePerformance(None, None, points, NOT_ENOUGH_DATA)
    imp_mean = sum(importance[label] for label in complete) / len(complete)
    perf_mean = sum(performance[label] for label in complete) / len(complete)
    points = tuple(
        QuadrantPoint(
            label,
            importance[label],
            performance.get(label),
            quadrant(importance[label], performance[label], imp_mean, perf_mean)
            if label in complete
            else None,
        )
        for label in labels
    )
    return ImportancePerformance(imp_mean, perf_mean, points, OK)
