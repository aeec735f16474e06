"""Gap 5 (paired P − E), Gap 1 (independent M vs E) and any two- or k-group comparison.

Inputs are sufficient statistics: a :class:`Histogram` when the observations are
integers (item gaps, answers), which also gives the rank tests, or :class:`Moments`
(dimension or pillar scores, which are means of items), which gives the t tests only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

from scipy import stats as sps

from servqual.gaps.multitest import Correction, adjust_p_values
from servqual.gaps.ranks import kruskal_wallis, mann_whitney, wilcoxon_pratt
from servqual.gaps.stats import Histogram, Sample, as_moments, t_p_value, t_quantile
from servqual.gaps.status import (
    NOT_ENOUGH_DATA,
    ZERO_VARIANCE,
    is_suppressed,
    sample_status,
)


@dataclass(frozen=True, slots=True)
class PairedGap:
    """Gap 5 = P − E on the same respondents: summary, paired tests and d_z."""

    n: int
    mean: float | None
    sd: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    t: float | None
    df: float | None
    p_value: float | None
    wilcoxon_p: float | None
    d_z: float | None
    status: str

    @property
    def suppressed_for_staff(self) -> bool:
        """True when n < 5: never shown to staff or customers."""
        return is_suppressed(self.n)


def paired_gap(gaps: Sample, level: float = 0.95) -> PairedGap:
    """Summarise respondent-level gaps G = P − E: mean, t interval, paired t, Wilcoxon, d_z.

    Ḡ ± t_{1−α/2, n−1} · s/√n; t = Ḡ / (s/√n) with n − 1 df, p = 2·P(T > |t|) (equals
    ``scipy.stats.ttest_rel(P, E)``); Wilcoxon signed-rank with Pratt's zeros when
    ``gaps`` is a Histogram (:func:`~servqual.gaps.ranks.wilcoxon_pratt`); effect size
    d_z = Ḡ / s (Cohen 1988, the standardised mean difference of paired data).
    Parasuraman, Zeithaml & Berry (1988) for G = P − E.
    """
    wilcoxon_p = wilcoxon_pratt(gaps).p_value if isinstance(gaps, Histogram) else None
    m = as_moments(gaps)
    if m.n < 2:
        return PairedGap(
            m.n, m.mean, None, None, None, None, None, None, None, wilcoxon_p, None, NOT_ENOUGH_DATA
        )
    mean, sd, se = m.mean, m.sd, m.se
    if sd == 0.0:
        return PairedGap(
            m.n, mean, 0.0, 0.0, None, None, None, None, None, wilcoxon_p, None, ZERO_VARIANCE
        )
    df = float(m.n - 1)
    half = t_quantile(level, df) * se
    t = mean / se
    return PairedGap(
        n=m.n,
        mean=mean,
        sd=sd,
        se=se,
        ci_low=mean - half,
        ci_high=mean + half,
        t=t,
        df=df,
        p_value=t_p_value(t, df),
        wilcoxon_p=wilcoxon_p,
        d_z=mean / sd,
        status=sample_status(m.n),
    )


def gap5(perception_minus_expectation: Sample, level: float = 0.95) -> PairedGap:
    """Gap 5 (customer gap) = P − E, paired; see :func:`paired_gap`."""
    return paired_gap(perception_minus_expectation, level)


@dataclass(frozen=True, slots=True)
class GroupComparison:
    """Two independent groups, first − second: Welch t, interval, Mann–Whitney, Hedges g."""

    n1: int
    n2: int
    mean1: float | None
    mean2: float | None
    difference: float | None
    se: float | None
    df: float | None
    ci_low: float | None
    ci_high: float | None
    t: float | None
    p_value: float | None
    mann_whitney_p: float | None
    hedges_g: float | None
    status: str

    @property
    def n_min(self) -> int:
        """The smaller group: the small-cell rules apply to it."""
        return min(self.n1, self.n2)

    @property
    def suppressed_for_staff(self) -> bool:
        """True when either group has fewer than 5 respondents."""
        return is_suppressed(self.n_min)


def compare_groups(first: Sample, second: Sample, level: float = 0.95) -> GroupComparison:
    """Compare two independent groups (difference = first − second).

    Welch (1947): SE = √(s₁²/n₁ + s₂²/n₂), t = (x̄₁ − x̄₂)/SE, Welch–Satterthwaite
    df = SE⁴ / [(s₁²/n₁)²/(n₁−1) + (s₂²/n₂)²/(n₂−1)], interval (x̄₁ − x̄₂) ± t_{1−α/2, df}·SE
    (equals ``scipy.stats.ttest_ind(x, y, equal_var=False)``). Mann–Whitney U when both are
    Histograms. Hedges g = J · (x̄₁ − x̄₂)/s_p with s_p² = [(n₁−1)s₁² + (n₂−1)s₂²]/(n₁+n₂−2)
    and J = 1 − 3/(4(n₁+n₂) − 9) (Hedges 1981). Serves Gap 1 and wave, touchpoint and
    segment comparisons.
    """
    mw_p = None
    if isinstance(first, Histogram) and isinstance(second, Histogram):
        mw_p = mann_whitney(first, second).p_value
    a, b = as_moments(first), as_moments(second)
    diff = a.mean - b.mean if a.n and b.n else None
    if a.n < 2 or b.n < 2:
        return GroupComparison(
            a.n,
            b.n,
            a.mean,
            b.mean,
            diff,
            None,
            None,
            None,
            None,
            None,
            None,
            mw_p,
            None,
            NOT_ENOUGH_DATA,
        )
    v1, v2 = a.variance / a.n, b.variance / b.n
    se = math.sqrt(v1 + v2)
    if se == 0.0:
        return GroupComparison(
            a.n,
            b.n,
            a.mean,
            b.mean,
            diff,
            0.0,
            None,
            None,
            None,
            None,
            None,
            mw_p,
            None,
            ZERO_VARIANCE,
        )
    df = (v1 + v2) ** 2 / (v1**2 / (a.n - 1) + v2**2 / (b.n - 1))
    half = t_quantile(level, df) * se
    t = diff / se
    pooled = math.sqrt((a.sum_sq_dev + b.sum_sq_dev) / (a.n + b.n - 2))
    correction = 1 - 3 / (4 * (a.n + b.n) - 9)
    return GroupComparison(
        n1=a.n,
        n2=b.n,
        mean1=a.mean,
        mean2=b.mean,
        difference=diff,
        se=se,
        df=df,
        ci_low=diff - half,
        ci_high=diff + half,
        t=t,
        p_value=t_p_value(t, df),
        mann_whitney_p=mw_p,
        hedges_g=correction * diff / pooled,
        status=sample_status(min(a.n, b.n)),
    )


def gap1(management: Sample, expectations: Sample, level: float = 0.95) -> GroupComparison:
    """Gap 1 (knowledge gap) = M − E, managers vs customers; see :func:`compare_groups`."""
    return compare_groups(management, expectations, level)


@dataclass(frozen=True, slots=True)
class Pairwise:
    """One pairwise follow-up of a k-group comparison, with Holm-adjusted p-values."""

    first: str
    second: str
    comparison: GroupComparison
    adjusted_p: float | None
    adjusted_mann_whitney_p: float | None


@dataclass(frozen=True, slots=True)
class ManyGroupComparison:
    """k independent groups: Welch's ANOVA, Kruskal–Wallis and pairwise Welch follow-ups."""

    labels: tuple[str, ...]
    ns: tuple[int, ...]
    means: tuple[float | None, ...]
    welch_f: float | None
    df_between: float | None
    df_within: float | None
    welch_p: float | None
    kruskal_h: float | None
    kruskal_p: float | None
    pairwise: tuple[Pairwise, ...]
    status: str

    @property
    def suppressed_for_staff(self) -> bool:
        """True when any group has fewer than 5 respondents."""
        return is_suppressed(min(self.ns, default=0))


def welch_anova(groups: Mapping[str, Sample]) -> tuple[float, float, float, float] | str:
    """Return Welch's (1951) F, df₁, df₂, p — or the status saying why it is undefined.

    wᵢ = nᵢ/sᵢ², x̃ = Σwᵢx̄ᵢ/Σwᵢ, A = Σwᵢ(x̄ᵢ − x̃)²/(k − 1),
    λ = Σ(1 − wᵢ/Σw)²/(nᵢ − 1), F = A / [1 + 2(k − 2)λ/(k² − 1)],
    df₁ = k − 1, df₂ = (k² − 1)/(3λ), p = P(F_{df₁,df₂} > F). Equals
    ``statsmodels.stats.oneway.anova_oneway(data, use_var="unequal")``.
    """
    moments = [as_moments(g) for g in groups.values()]
    k = len(moments)
    if k < 2 or any(m.n < 2 for m in moments):
        return NOT_ENOUGH_DATA
    if any(m.variance == 0.0 for m in moments):
        return ZERO_VARIANCE
    weights = [m.n / m.variance for m in moments]
    total_w = sum(weights)
    centre = sum(w * m.mean for w, m in zip(weights, moments, strict=True)) / total_w
    between = sum(w * (m.mean - centre) ** 2 for w, m in zip(weights, moments, strict=True))
    lam = sum((1 - w / total_w) ** 2 / (m.n - 1) for w, m in zip(weights, moments, strict=True))
    f = (between / (k - 1)) / (1 + 2 * (k - 2) * lam / (k**2 - 1))
    df1, df2 = float(k - 1), (k**2 - 1) / (3 * lam)
    return f, df1, df2, float(sps.f.sf(f, df1, df2))


def compare_many(
    groups: Mapping[str, Sample], level: float = 0.95, method: Correction = "holm"
) -> ManyGroupComparison:
    """Compare k groups: Welch's ANOVA, Kruskal–Wallis (all Histograms), pairwise follow-ups.

    Follow-ups are :func:`compare_groups` for every pair, with their Welch and
    Mann–Whitney p-values adjusted within the family of pairs (Holm by default).
    """
    labels = tuple(groups)
    moments = [as_moments(g) for g in groups.values()]
    welch = welch_anova(groups)
    f = df1 = df2 = welch_p = None
    if isinstance(welch, tuple):
        f, df1, df2, welch_p = welch
        status = sample_status(min(m.n for m in moments))
    else:
        status = welch
    kw_h = kw_p = None
    if labels and all(isinstance(g, Histogram) for g in groups.values()):
        kw = kruskal_wallis(list(groups.values()))
        kw_h, kw_p = kw.statistic, kw.p_value
    pairs = list(combinations(labels, 2))
    comparisons = [compare_groups(groups[a], groups[b], level) for a, b in pairs]
    adjusted = adjust_p_values([c.p_value for c in comparisons], method)
    adjusted_mw = adjust_p_values([c.mann_whitney_p for c in comparisons], method)
    pairwise = tuple(
        Pairwise(a, b, c, p, q)
        for (a, b), c, p, q in zip(pairs, comparisons, adjusted, adjusted_mw, strict=True)
    )
    return ManyGroupComparison(
        labels=labels,
        ns=tuple(m.n for m in moments),
        means=tuple(m.mean for m in moments),
        welch_f=f,
        df_between=df1,
        df_within=df2,
        welch_p=welch_p,
        kruskal_h=kw_h,
        kruskal_p=kw_p,
        pairwise=pairwise,
        status=status,
    )
