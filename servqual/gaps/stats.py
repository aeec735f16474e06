"""Mergeable sufficient statistics: every number of the core is computed from these.

The database adapter aggregates in SQL (``COUNT``, ``SUM(x)``, ``SUM(x * x)``,
``GROUP BY value``) and hands the results to the core, so that no response table has
to sit in memory. Each statistic has ``from_array`` (NaN dropped) and ``+`` / ``merge``:
the statistics of two disjoint sets of respondents, added, equal those of the union.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats as sps

#: Sums of squared deviations below this share of the raw sum of squares are rounding.
_RELATIVE_ZERO = 1e-12


def observed(values: ArrayLike) -> np.ndarray:
    """Return ``values`` flattened to float with NaN (N/A, blank) dropped.

    Infinite values are not missing answers but a bug upstream, so they raise ValueError.
    """
    x = np.asarray(values, dtype=float).ravel()
    x = x[~np.isnan(x)]
    if not np.all(np.isfinite(x)):
        raise ValueError("infinite values are not valid observations")
    return x


@lru_cache(maxsize=4096)
def t_quantile(level: float, df: float) -> float:
    """Return the two-sided critical value t_{1 − (1 − level)/2, df} (scipy.stats.t).

    Cached: the cells of one analysis share a few degrees of freedom, and scipy's
    quantile costs a fraction of a millisecond each time.
    """
    return float(sps.t.ppf(0.5 + level / 2, df))


def t_p_value(t: float, df: float) -> float:
    """Return the two-sided p-value 2 · P(T_df > |t|) (scipy.stats.t.sf)."""
    return float(2 * sps.t.sf(abs(t), df))


@dataclass(frozen=True, slots=True)
class Moments:
    """Count, sum and sum of squares of one variable: enough for mean, sd and t tests."""

    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0

    @classmethod
    def from_array(cls, values: ArrayLike) -> Moments:
        """Return the moments of ``values`` with NaN dropped: (n, Σx, Σx²)."""
        x = observed(values)
        return cls(int(x.size), float(x.sum()), float(x @ x))

    def __add__(self, other: Moments) -> Moments:
        """Merge two disjoint samples: counts and sums add."""
        return Moments(self.n + other.n, self.total + other.total, self.total_sq + other.total_sq)

    def merge(self, other: Moments) -> Moments:
        """Return ``self + other``."""
        return self + other

    @property
    def mean(self) -> float | None:
        """Mean x̄ = Σx / n; None when n = 0."""
        return self.total / self.n if self.n > 0 else None

    @property
    def sum_sq_dev(self) -> float | None:
        """Sum of squared deviations Σ(x − x̄)² = Σx² − (Σx)²/n; None when n = 0."""
        if self.n == 0:
            return None
        ss = self.total_sq - self.total * self.total / self.n
        # Σx² − (Σx)²/n of identical values is zero up to rounding; never negative.
        return 0.0 if ss <= _RELATIVE_ZERO * abs(self.total_sq) else ss

    @property
    def variance(self) -> float | None:
        """Sample variance s² = Σ(x − x̄)² / (n − 1) (ddof = 1); None when n < 2."""
        return self.sum_sq_dev / (self.n - 1) if self.n >= 2 else None

    @property
    def sd(self) -> float | None:
        """Sample standard deviation s = √s²; None when n < 2."""
        variance = self.variance
        return float(np.sqrt(variance)) if variance is not None else None

    @property
    def se(self) -> float | None:
        """Standard error of the mean s / √n; None when n < 2."""
        sd = self.sd
        return sd / float(np.sqrt(self.n)) if sd is not None else None

    def t_interval(self, level: float = 0.95) -> tuple[float, float] | None:
        """Return x̄ ± t_{1−α/2, n−1} · s/√n (Student); None when n < 2 or s = 0."""
        se = self.se
        if se is None or se == 0.0:
            return None
        half = t_quantile(level, self.n - 1) * se
        return (self.mean - half, self.mean + half)


@dataclass(frozen=True, slots=True)
class Histogram:
    """Counts of integer-valued observations (Likert answers, Likert gaps −6..6).

    ``values`` are sorted and distinct, ``counts`` positive. Enough for the moments and,
    exactly, for the rank tests of :mod:`servqual.gaps.ranks`.
    """

    values: tuple[int, ...] = ()
    counts: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if len(self.values) != len(self.counts):
            raise ValueError("values and counts differ in length")
        if any(b <= a for a, b in zip(self.values, self.values[1:], strict=False)):
            raise ValueError("histogram values must be sorted and distinct")
        if any(c <= 0 for c in self.counts):
            raise ValueError("histogram counts must be positive")

    @classmethod
    def from_counts(cls, counts: Mapping[int, int]) -> Histogram:
        """Return the histogram of a mapping value → count (zero counts dropped)."""
        merged: dict[int, int] = {}
        for value, count in counts.items():
            if not float(value).is_integer() or not float(count).is_integer() or count < 0:
                raise ValueError(f"not an integer value/count pair: {value!r}: {count!r}")
            if count:
                merged[int(value)] = merged.get(int(value), 0) + int(count)
        ordered = sorted(merged.items())
        return cls(tuple(v for v, _ in ordered), tuple(c for _, c in ordered))

    @classmethod
    def from_array(cls, values: ArrayLike) -> Histogram:
        """Return the histogram of integer-valued ``values`` with NaN dropped."""
        x = observed(values)
        if not np.all(x == np.round(x)):
            raise ValueError("a Histogram holds integer-valued observations only")
        distinct, counts = np.unique(x.astype(np.int64), return_counts=True)
        return cls(tuple(int(v) for v in distinct), tuple(int(c) for c in counts))

    def as_dict(self) -> dict[int, int]:
        """Return the mapping value → count."""
        return dict(zip(self.values, self.counts, strict=True))

    def __add__(self, other: Histogram) -> Histogram:
        """Merge two disjoint samples: counts of equal values add."""
        merged = self.as_dict()
        for value, count in zip(other.values, other.counts, strict=True):
            merged[value] = merged.get(value, 0) + count
        return Histogram.from_counts(merged)

    def merge(self, other: Histogram) -> Histogram:
        """Return ``self + other``."""
        return self + other

    @property
    def n(self) -> int:
        """Number of observations Σ counts."""
        return sum(self.counts)

    def moments(self) -> Moments:
        """Return the exact moments (n, Σ c·v, Σ c·v²), summed in integers."""
        total = sum(c * v for v, c in zip(self.values, self.counts, strict=True))
        total_sq = sum(c * v * v for v, c in zip(self.values, self.counts, strict=True))
        return Moments(self.n, float(total), float(total_sq))


Sample = Moments | Histogram


def as_moments(sample: Sample) -> Moments:
    """Return the moments of a Moments or Histogram sample."""
    return sample.moments() if isinstance(sample, Histogram) else sample


@dataclass(frozen=True, slots=True, eq=False)
class CrossProducts:
    """Count, sums (k,) and raw cross-products Σ x xᵀ (k, k) of listwise-complete vectors.

    Enough for the covariance and correlation matrices, hence for Cronbach's α, KMO,
    Bartlett's test, factor analysis and OLS. Build one per analysis: listwise deletion
    is over the columns given to :meth:`from_array`.
    """

    n: int
    sums: np.ndarray
    cross: np.ndarray

    def __post_init__(self) -> None:
        sums = np.array(self.sums, dtype=float).reshape(-1)
        cross = np.array(self.cross, dtype=float)
        if cross.shape != (sums.size, sums.size):
            raise ValueError("cross must be a k × k matrix matching sums")
        sums.setflags(write=False)
        cross.setflags(write=False)
        object.__setattr__(self, "sums", sums)
        object.__setattr__(self, "cross", cross)

    @classmethod
    def zeros(cls, k: int) -> CrossProducts:
        """Return the statistics of no observation on k variables."""
        return cls(0, np.zeros(k), np.zeros((k, k)))

    @classmethod
    def from_array(cls, data: ArrayLike) -> CrossProducts:
        """Return (n, Σx, Σxxᵀ) over the rows of ``data`` (n × k) with no NaN (listwise)."""
        x = np.asarray(data, dtype=float)
        if x.ndim != 2:
            raise ValueError("data must be a respondents × variables array")
        x = x[~np.isnan(x).any(axis=1)]
        if not np.all(np.isfinite(x)):
            raise ValueError("infinite values are not valid observations")
        return cls(int(x.shape[0]), x.sum(axis=0), x.T @ x)

    def __add__(self, other: CrossProducts) -> CrossProducts:
        """Merge two disjoint samples on the same variables: everything adds."""
        return CrossProducts(self.n + other.n, self.sums + other.sums, self.cross + other.cross)

    def merge(self, other: CrossProducts) -> CrossProducts:
        """Return ``self + other``."""
        return self + other

    @property
    def k(self) -> int:
        """Number of variables."""
        return int(self.sums.size)

    def subset(self, columns: Sequence[int] | Iterable[int]) -> CrossProducts:
        """Return the statistics of the given columns (same respondents)."""
        idx = np.asarray(list(columns), dtype=int)
        return CrossProducts(self.n, self.sums[idx], self.cross[np.ix_(idx, idx)])

    def means(self) -> np.ndarray | None:
        """Column means Σx / n; None when n = 0."""
        return self.sums / self.n if self.n > 0 else None

    def covariance(self) -> np.ndarray | None:
        """Sample covariance (Σxxᵀ − Σx Σxᵀ / n) / (n − 1); None when n < 2."""
        if self.n < 2:
            return None
        scatter = self.cross - np.outer(self.sums, self.sums) / self.n
        # Identical answers leave only rounding on the diagonal: snap it to zero.
        diag = np.diag(scatter).copy()
        tiny = diag <= _RELATIVE_ZERO * np.abs(np.diag(self.cross))
        scatter[tiny, :] = 0.0
        scatter[:, tiny] = 0.0
        return scatter / (self.n - 1)

    def correlation(self) -> np.ndarray | None:
        """Pearson correlation matrix; None when n < 2 or a variable has zero variance."""
        cov = self.covariance()
        if cov is None:
            return None
        sd = np.sqrt(np.diag(cov))
        if np.any(sd == 0.0):
            return None
        corr = cov / np.outer(sd, sd)
        np.fill_diagonal(corr, 1.0)
        return corr


__all__ = [
    "CrossProducts",
    "Histogram",
    "Moments",
    "Sample",
    "as_moments",
    "observed",
    "t_p_value",
    "t_quantile",
]
