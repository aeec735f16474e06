"""Rank tests computed exactly from histograms of integer-valued observations.

Ranks only depend on order and ties, so a histogram (value → count) is a sufficient
statistic for them: every observation of a value gets that value's mid-rank. Counts are
kept in Python integers so that a million answers lose no precision; only the final
z or H is a float. The results equal scipy's (see each docstring) on the raw arrays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from scipy import stats as sps

from servqual.gaps.stats import Histogram
from servqual.gaps.status import NOT_ENOUGH_DATA, OK, ZERO_VARIANCE


@dataclass(frozen=True, slots=True)
class RankTest:
    """A rank test: its statistic, z (normal approximations only), p-value and status."""

    statistic: float | None
    z: float | None
    p_value: float | None
    status: str


def _twice_midranks(counts: Sequence[int]) -> list[int]:
    """Return 2 × the mid-rank of each tie group, groups given in ascending order.

    A group of t tied observations after ``before`` smaller ones has mid-rank
    before + (t + 1)/2; doubled, this is an integer.
    """
    twice, before = [], 0
    for t in counts:
        twice.append(2 * before + t + 1)
        before += t
    return twice


def wilcoxon_pratt(differences: Histogram) -> RankTest:
    """Wilcoxon signed-rank test with Pratt's zeros, normal approximation, tie-corrected.

    |d| is ranked with the zeros included (Pratt 1959); W⁺ = Σ ranks of d > 0.
    E[W⁺] = [n(n+1) − n₀(n₀+1)]/4 and
    Var[W⁺] = [n(n+1)(2n+1) − n₀(n₀+1)(2n₀+1) − ½ Σ (t³ − t)]/24, the sum over tie groups
    of non-zero |d| (Cureton 1967); z = (W⁺ − E)/√Var, p = 2·Φ(−|z|). The statistic is
    min(W⁺, W⁻). Equals ``scipy.stats.wilcoxon(d, zero_method="pratt",
    correction=False, method="approx")``.
    """
    n = differences.n
    if n == 0:
        return RankTest(None, None, None, NOT_ENOUGH_DATA)
    by_abs: dict[int, int] = {}
    for value, count in zip(differences.values, differences.counts, strict=True):
        by_abs[abs(value)] = by_abs.get(abs(value), 0) + count
    magnitudes = sorted(by_abs)
    twice_rank = dict(
        zip(magnitudes, _twice_midranks([by_abs[a] for a in magnitudes]), strict=True)
    )
    twice_plus = twice_minus = 0
    for value, count in zip(differences.values, differences.counts, strict=True):
        if value > 0:
            twice_plus += count * twice_rank[value]
        elif value < 0:
            twice_minus += count * twice_rank[-value]
    n0 = by_abs.get(0, 0)
    four_mean = n * (n + 1) - n0 * (n0 + 1)
    ties = sum(t**3 - t for a, t in by_abs.items() if a != 0)
    fortyeight_var = 2 * n * (n + 1) * (2 * n + 1) - 2 * n0 * (n0 + 1) * (2 * n0 + 1) - ties
    statistic = min(twice_plus, twice_minus) / 2
    if fortyeight_var <= 0:
        return RankTest(statistic, None, None, ZERO_VARIANCE)
    z = ((2 * twice_plus - four_mean) / 4) / math.sqrt(fortyeight_var / 48)
    return RankTest(statistic, z, float(2 * sps.norm.sf(abs(z))), OK)


def _pooled_ranks(groups: Sequence[Histogram]) -> tuple[list[int], dict[int, int], int]:
    """Return (2 × rank sum of each group, tie-group sizes by value, N)."""
    pooled: dict[int, int] = {}
    for group in groups:
        for value, count in zip(group.values, group.counts, strict=True):
            pooled[value] = pooled.get(value, 0) + count
    ordered = sorted(pooled)
    twice_rank = dict(zip(ordered, _twice_midranks([pooled[v] for v in ordered]), strict=True))
    twice_sums = [
        sum(c * twice_rank[v] for v, c in zip(g.values, g.counts, strict=True)) for g in groups
    ]
    return twice_sums, pooled, sum(pooled.values())


def mann_whitney(first: Histogram, second: Histogram) -> RankTest:
    """Two-sided Mann–Whitney U test, normal approximation with continuity and tie correction.

    U₁ = R₁ − n₁(n₁+1)/2 from mid-ranks of the pooled sample, U = max(U₁, n₁n₂ − U₁),
    σ² = n₁n₂/12 · [(N+1) − Σ(t³ − t)/(N(N−1))], z = (U − n₁n₂/2 − ½)/σ,
    p = min(1, 2·Φ(−z)); the statistic reported is U₁ (Mann & Whitney 1947).
    Equals ``scipy.stats.mannwhitneyu(x, y, alternative="two-sided",
    method="asymptotic", use_continuity=True)``.
    """
    n1, n2 = first.n, second.n
    if n1 == 0 or n2 == 0:
        return RankTest(None, None, None, NOT_ENOUGH_DATA)
    twice_sums, pooled, n = _pooled_ranks([first, second])
    twice_u1 = twice_sums[0] - n1 * (n1 + 1)
    twice_u = max(twice_u1, 2 * n1 * n2 - twice_u1)
    ties = sum(t**3 - t for t in pooled.values())
    inner = (n + 1) * n * (n - 1) - ties
    if inner <= 0:
        return RankTest(twice_u1 / 2, None, None, ZERO_VARIANCE)
    sigma = math.sqrt(n1 * n2 * inner / (12 * n * (n - 1)))
    z = ((twice_u - n1 * n2 - 1) / 2) / sigma
    return RankTest(twice_u1 / 2, z, float(min(1.0, 2 * sps.norm.sf(z))), OK)


def kruskal_wallis(groups: Sequence[Histogram]) -> RankTest:
    """Kruskal–Wallis H test across k groups, tie-corrected, χ²(k − 1) approximation.

    H = [12/(N(N+1)) · Σ nᵢ (R̄ᵢ − (N+1)/2)²] / [1 − Σ(t³ − t)/(N³ − N)],
    p = P(χ²_{k−1} > H) (Kruskal & Wallis 1952). Equals ``scipy.stats.kruskal``.
    Needs at least two groups, none empty.
    """
    if len(groups) < 2 or any(g.n == 0 for g in groups):
        return RankTest(None, None, None, NOT_ENOUGH_DATA)
    twice_sums, pooled, n = _pooled_ranks(groups)
    ties = sum(t**3 - t for t in pooled.values())
    if n**3 - n - ties <= 0:
        return RankTest(None, None, None, ZERO_VARIANCE)
    # Σ nᵢ (R̄ᵢ − (N+1)/2)² = Σ (2Rᵢ − nᵢ(N+1))² / (4 nᵢ), exact in fractions.
    spread = sum(
        Fraction((twice - g.n * (n + 1)) ** 2, 4 * g.n)
        for twice, g in zip(twice_sums, groups, strict=True)
    )
    h = float(Fraction(12, n * (n + 1)) * spread / (1 - Fraction(ties, n**3 - n)))
    return RankTest(h, None, float(sps.chi2.sf(h, len(groups) - 1)), OK)
