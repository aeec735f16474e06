"""Respondent-level scores and their aggregation (MEASUREMENT.md, "Scores").

The raw-array functions take respondents × items arrays with NaN for N/A and blanks;
the database adapter and the tests both use them, so there is one definition of a
respondent's dimension, pillar or weighted score. Aggregates take sufficient statistics.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from servqual.gaps.stats import Moments, Sample, as_moments
from servqual.gaps.status import (
    MISSING_DIMENSION,
    NO_ITEMS,
    NOT_ENOUGH_DATA,
    is_suppressed,
    sample_status,
)

#: A respondent gets a dimension or pillar score when at least this share of its items
#: was answered.
MIN_ANSWERED_SHARE = 0.5


def _matrix(values: ArrayLike) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    if x.ndim != 2:
        raise ValueError("expected a respondents × items array")
    return x


def item_gaps(perceived: ArrayLike, expected: ArrayLike) -> np.ndarray:
    """Return G_ij = P_ij − E_ij, NaN where either form was not answered (pairwise).

    Parasuraman, Zeithaml & Berry (1988). Also gives MSA = P − A and MSS = P − Ds.
    """
    p, e = np.asarray(perceived, dtype=float), np.asarray(expected, dtype=float)
    if p.shape != e.shape:
        raise ValueError("both forms must have the same respondents × items shape")
    return p - e


@dataclass(frozen=True, slots=True, eq=False)
class GroupScores:
    """Respondent-level scores of item groups (dimensions or pillars), NaN where missing."""

    labels: tuple[str, ...]
    values: np.ndarray
    item_counts: tuple[int, ...]

    def column(self, label: str) -> np.ndarray:
        """Return the respondents' scores for one group (NaN where missing)."""
        return self.values[:, self.labels.index(label)]

    def moments(self, label: str) -> Moments:
        """Return the moments of one group's respondent scores (missing dropped)."""
        return Moments.from_array(self.column(label))

    def status(self, label: str) -> str:
        """Return ``no_items`` for a group with no items, else the status for its n."""
        if self.item_counts[self.labels.index(label)] == 0:
            return NO_ITEMS
        n = self.moments(label).n
        return NOT_ENOUGH_DATA if n == 0 else sample_status(n)


def group_scores(
    values: ArrayLike,
    groups: Mapping[str, Sequence[int]],
    min_share: float = MIN_ANSWERED_SHARE,
) -> GroupScores:
    """Score each respondent on each group of items.

    score_ig = mean of x_ij over the answered items j of group g, when at least
    ``min_share`` of the group's items were answered (|answered| ≥ ½·|g| by default),
    else missing; a group with no items is missing for everyone (MEASUREMENT.md).
    """
    x = _matrix(values)
    scores = np.full((x.shape[0], len(groups)), np.nan)
    counts = []
    for col, items in enumerate(groups.values()):
        idx = np.asarray(sorted(set(items)), dtype=int)
        counts.append(int(idx.size))
        if idx.size == 0:
            continue
        sub = x[:, idx]
        answered = (~np.isnan(sub)).sum(axis=1)
        total = np.where(np.isnan(sub), 0.0, sub).sum(axis=1)
        enough = (answered > 0) & (answered >= min_share * idx.size - 1e-12)
        scores[enough, col] = total[enough] / answered[enough]
    scores.setflags(write=False)
    return GroupScores(tuple(groups), scores, tuple(counts))


def dimension_scores(
    values: ArrayLike, item_dimensions: Sequence[str], dimensions: Sequence[str] | None = None
) -> GroupScores:
    """Score respondents on dimensions; item j belongs to dimension ``item_dimensions[j]``.

    ``dimensions`` fixes the order (and may name a dimension with no items); by default
    the order of first appearance. See :func:`group_scores` for the rule.
    """
    order = list(dict.fromkeys(item_dimensions)) if dimensions is None else list(dimensions)
    groups = {d: [j for j, dim in enumerate(item_dimensions) if dim == d] for d in order}
    return group_scores(values, groups)


def pillar_scores(
    values: ArrayLike, item_pillars: Sequence[Collection[str]], pillars: Sequence[str]
) -> GroupScores:
    """Score respondents on pillars; item j is mapped to the pillars ``item_pillars[j]``.

    An item may serve several pillars or none; a pillar with no item is ``no_items``.
    Respondent level first, as for dimensions (:func:`group_scores`).
    """
    groups = {p: [j for j, mapped in enumerate(item_pillars) if p in mapped] for p in pillars}
    return group_scores(values, groups)


@dataclass(frozen=True, slots=True)
class OverallScore:
    """Unweighted overall score: the mean of the dimension means."""

    labels: tuple[str, ...]
    dimension_means: tuple[float | None, ...]
    dimension_ns: tuple[int, ...]
    value: float | None
    status: str

    @property
    def suppressed_for_staff(self) -> bool:
        """True when any dimension rests on fewer than 5 respondents."""
        return is_suppressed(min(self.dimension_ns, default=0))


def overall_score(dimensions: Mapping[str, Sample]) -> OverallScore:
    """Overall = (1/D) Σ_d mean_d: the mean of the dimension means, not of all items.

    On gaps G this is the unweighted SERVQUAL score (Parasuraman, Zeithaml & Berry 1988);
    on perceptions P alone it is SERVPERF (Cronin & Taylor 1992). A dimension without
    data makes the overall ``missing_dimension``.
    """
    moments = [as_moments(s) for s in dimensions.values()]
    means = tuple(m.mean for m in moments)
    ns = tuple(m.n for m in moments)
    if not moments or any(mean is None for mean in means):
        return OverallScore(tuple(dimensions), means, ns, None, MISSING_DIMENSION)
    return OverallScore(
        tuple(dimensions), means, ns, sum(means) / len(means), sample_status(min(ns))
    )


def servqual_unweighted(
    perceived: ArrayLike, expected: ArrayLike, item_dimensions: Sequence[str]
) -> OverallScore:
    """Unweighted SERVQUAL from raw arrays: G = P − E, dimension scores, mean of means."""
    scores = dimension_scores(item_gaps(perceived, expected), item_dimensions)
    return overall_score({d: scores.moments(d) for d in scores.labels})


def servperf(perceived: ArrayLike, item_dimensions: Sequence[str]) -> OverallScore:
    """SERVPERF from raw arrays: the same aggregation on P alone (Cronin & Taylor 1992)."""
    scores = dimension_scores(perceived, item_dimensions)
    return overall_score({d: scores.moments(d) for d in scores.labels})


def respondent_weighted_scores(dimension_gaps: ArrayLike, points: ArrayLike) -> np.ndarray:
    """Return W_i = Σ_d (points_id / 100) · G_id for each respondent (n × D inputs).

    Missing (NaN) unless the respondent has every dimension score and every allocation.
    Parasuraman, Zeithaml & Berry (1991) for the 100-point importance allocation.
    """
    g, w = _matrix(dimension_gaps), _matrix(points)
    if g.shape != w.shape:
        raise ValueError("dimension scores and points must have the same shape")
    complete = ~(np.isnan(g).any(axis=1) | np.isnan(w).any(axis=1))
    weighted = np.full(g.shape[0], np.nan)
    weighted[complete] = (w[complete] / 100.0 * g[complete]).sum(axis=1)
    return weighted


@dataclass(frozen=True, slots=True)
class WeightedServqual:
    """Weighted SERVQUAL, respondent level, beside "mean weights × mean gaps"."""

    labels: tuple[str, ...]
    n: int
    respondent_level: float | None
    mean_weights_times_mean_gaps: float | None
    covariance_term: float | None
    mean_points: tuple[float | None, ...]
    mean_gaps: tuple[float | None, ...]
    status: str

    @property
    def suppressed_for_staff(self) -> bool:
        """True when n < 5."""
        return is_suppressed(self.n)


def weighted_servqual(
    weighted: Moments, points: Sequence[Moments], gaps: Sequence[Moments], labels: Sequence[str]
) -> WeightedServqual:
    """Respondent-level weighted SERVQUAL W̄ = (1/n) Σ_i Σ_d (points_id/100)·G_id.

    Reported beside Σ_d (p̄_d/100)·Ḡ_d ("mean weights × mean gaps"); on the same n
    respondents they differ by the covariance term
    W̄ − Σ_d p̄_d Ḡ_d/100 = Σ_d ((n − 1)/n) · cov(points_d, G_d)/100.
    All moments must come from the same respondents (those with every score and weight).
    """
    if not len(points) == len(gaps) == len(labels):
        raise ValueError("points, gaps and labels must have one entry per dimension")
    if any(m.n != weighted.n for m in (*points, *gaps)):
        raise ValueError("weights and gaps must come from the same respondents")
    mean_points = tuple(m.mean for m in points)
    mean_gaps = tuple(m.mean for m in gaps)
    if weighted.n == 0:
        return WeightedServqual(
            tuple(labels), 0, None, None, None, mean_points, mean_gaps, NOT_ENOUGH_DATA
        )
    product = sum(p / 100.0 * g for p, g in zip(mean_points, mean_gaps, strict=True))
    return WeightedServqual(
        labels=tuple(labels),
        n=weighted.n,
        respondent_level=weighted.mean,
        mean_weights_times_mean_gaps=product,
        covariance_term=weighted.mean - product,
        mean_points=mean_points,
        mean_gaps=mean_gaps,
        status=sample_status(weighted.n),
    )


def weighted_servqual_from_arrays(
    dimension_gaps: GroupScores, points: ArrayLike
) -> WeightedServqual:
    """Weighted SERVQUAL from respondent dimension scores and points (columns in label order)."""
    w = _matrix(points)
    weighted = respondent_weighted_scores(dimension_gaps.values, w)
    keep = ~np.isnan(weighted)
    return weighted_servqual(
        Moments.from_array(weighted),
        [Moments.from_array(w[keep, d]) for d in range(w.shape[1])],
        [Moments.from_array(dimension_gaps.values[keep, d]) for d in range(w.shape[1])],
        dimension_gaps.labels,
    )


@dataclass(frozen=True, slots=True)
class ZoneCounts:
    """Mergeable counts of respondents below, inside and above the zone of tolerance."""

    below: int = 0
    inside: int = 0
    above: int = 0
    adequacy: Moments = field(default_factory=Moments)
    superiority: Moments = field(default_factory=Moments)

    @classmethod
    def from_arrays(
        cls, perceived: ArrayLike, adequate: ArrayLike, desired: ArrayLike
    ) -> ZoneCounts:
        """Classify respondents (1-D: one value each, an item or a dimension score).

        MSA = P − A, MSS = P − Ds (Parasuraman, Zeithaml & Berry 1994). Below: MSA < 0;
        above: MSS > 0 (and MSA ≥ 0); inside: MSA ≥ 0 and MSS ≤ 0. A respondent whose
        adequate level exceeds the desired one can satisfy both MSA < 0 and MSS > 0:
        counted below. Respondents missing any of the three are left out.
        """
        p, a, d = (np.asarray(v, dtype=float) for v in (perceived, adequate, desired))
        if p.ndim != 1 or p.shape != a.shape or p.shape != d.shape:
            raise ValueError("expected three 1-D arrays of one value per respondent")
        keep = ~(np.isnan(p) | np.isnan(a) | np.isnan(d))
        msa, mss = p[keep] - a[keep], p[keep] - d[keep]
        below = msa < 0
        above = ~below & (mss > 0)
        return cls(
            below=int(below.sum()),
            inside=int((~below & ~above).sum()),
            above=int(above.sum()),
            adequacy=Moments.from_array(msa),
            superiority=Moments.from_array(mss),
        )

    def __add__(self, other: ZoneCounts) -> ZoneCounts:
        """Merge two disjoint samples."""
        return ZoneCounts(
            self.below + other.below,
            self.inside + other.inside,
            self.above + other.above,
            self.adequacy + other.adequacy,
            self.superiority + other.superiority,
        )

    def merge(self, other: ZoneCounts) -> ZoneCounts:
        """Return ``self + other``."""
        return self + other

    @property
    def n(self) -> int:
        """Number of classified respondents."""
        return self.below + self.inside + self.above


@dataclass(frozen=True, slots=True)
class ZoneShares:
    """Shares of respondents below, inside and above the zone; mean MSA and MSS."""

    n: int
    below: float | None
    inside: float | None
    above: float | None
    mean_adequacy_gap: float | None
    mean_superiority_gap: float | None
    status: str

    @property
    def suppressed_for_staff(self) -> bool:
        """True when n < 5."""
        return is_suppressed(self.n)


def zone_of_tolerance(counts: ZoneCounts) -> ZoneShares:
    """Return below/n, inside/n, above/n and mean MSA = P − A, mean MSS = P − Ds.

    Parasuraman, Zeithaml & Berry (1994), three-column format.
    """
    n = counts.n
    if n == 0:
        return ZoneShares(0, None, None, None, None, None, NOT_ENOUGH_DATA)
    return ZoneShares(
        n=n,
        below=counts.below / n,
        inside=counts.inside / n,
        above=counts.above / n,
        mean_adequacy_gap=counts.adequacy.mean,
        mean_superiority_gap=counts.superiority.mean,
        status=sample_status(n),
    )
