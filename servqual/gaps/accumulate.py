"""Fold chunks of respondents into the sufficient statistics of a wave analysis.

The database adapter streams a wave in fixed-size chunks (respondents × items arrays with
NaN for N/A); :class:`WaveStatistics` keeps only counts, sums and cross-products, so its
size depends on the numbers of items, groups and cells, never on the number of
respondents. Statistics are kept per *cell* (touchpoint, site, channel, segment) so any
grouping is a sum of cells. Respondent-level scores use :func:`group_scores`, the one
definition of a dimension or pillar score.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np

from servqual.gaps.chunks import column_moments, cross_products, moments, pair_maps
from servqual.gaps.scores import (
    MIN_ANSWERED_SHARE,
    ZoneCounts,
    group_scores,
    respondent_weighted_scores,
)
from servqual.gaps.stats import CrossProducts, Histogram, Moments

#: The cell key of a respondent: (touchpoint id, site id, channel id, segment).
CellKey = tuple[Hashable, Hashable, Hashable, Hashable]
#: Position of each grouping in a cell key.
KEY_POSITION = {"touchpoint": 0, "site": 1, "channel": 2, "segment": 3}
#: Score measures, in the order of the moments arrays.
SCORE_MEASURES = ("E", "P", "G")
PROMISE = "promise"


@dataclass(frozen=True)
class Layout:
    """What is measured: the scored items, their dimensions and pillars, the scale."""

    items: tuple[str, ...]
    item_dimensions: tuple[str, ...]
    dimensions: tuple[str, ...]
    item_pillars: tuple[tuple[str, ...], ...]
    pillars: tuple[str, ...]
    low: int
    high: int
    zone: bool = False
    importance: tuple[str, ...] = ()

    @property
    def score_groups(self) -> dict[str, list[int]]:
        """Score groups → item indices: the dimensions, the pillars, then the promise."""
        groups: dict[str, list[int]] = {}
        for d in self.dimensions:
            groups[f"dimension:{d}"] = [j for j, x in enumerate(self.item_dimensions) if x == d]
        for p in self.pillars:
            groups[f"pillar:{p}"] = [j for j, m in enumerate(self.item_pillars) if p in m]
        groups[PROMISE] = [j for j, m in enumerate(self.item_pillars) if m]
        return groups

    def dimension_items(self, dimension: str) -> list[int]:
        """Return the indices of the items of one dimension."""
        return [j for j, x in enumerate(self.item_dimensions) if x == dimension]


def _grow(array: np.ndarray, rows: int) -> np.ndarray:
    if array.shape[0] >= rows:
        return array
    extra = np.zeros((rows - array.shape[0], *array.shape[1:]), dtype=array.dtype)
    return np.concatenate([array, extra])


@dataclass
class WaveStatistics:
    """Mergeable statistics of one wave (see the module docstring)."""

    layout: Layout
    cells: dict[CellKey, int] = field(default_factory=dict)
    n_responses: int = 0

    def __post_init__(self) -> None:
        j, width = len(self.layout.items), self.layout.high - self.layout.low + 1
        groups = len(self.layout.score_groups)
        # Answer pairs counted per cell, item and pair byte (see :meth:`_add_histograms`),
        # plus what the exact path counted; the histograms are derived when read.
        self.pair_counts = np.zeros((0, j, 256), dtype=np.int64)
        self._exact_gap_counts = np.zeros((0, j, 2 * width - 1), dtype=np.int64)
        self._exact_level_counts = np.zeros((0, 2, j, width), dtype=np.int64)
        self._derived: tuple[np.ndarray, np.ndarray] | None = None
        self.score_moments = np.zeros((0, groups, len(SCORE_MEASURES), 3))
        self.responses = np.zeros(0, dtype=np.int64)
        dims = self.layout.dimensions
        self.alpha = {
            (m, d): CrossProducts.zeros(len(self.layout.dimension_items(d)))
            for m in SCORE_MEASURES
            for d in dims
        }
        self.perception_all = CrossProducts.zeros(j)
        self.regression = CrossProducts.zeros(len(dims) + 1)
        k = len(self.layout.importance)
        self.weighted = Moments()
        self.weighted_points = [Moments() for _ in range(k)]
        self.weighted_gaps = [Moments() for _ in range(k)]
        self.points = [Moments() for _ in range(k)]
        self.item_zones = [ZoneCounts() for _ in range(j)]
        self.dimension_zones = [ZoneCounts() for _ in dims]
        # The items of each score group, and how many must be answered, for :meth:`_scores`.
        self._group_items = [sorted(set(m)) for m in self.layout.score_groups.values()]
        sizes = np.array([len(m) for m in self._group_items], dtype=float)
        self._needed = MIN_ANSWERED_SHARE * sizes - 1e-12
        self._dimension_items = [self.layout.dimension_items(d) for d in dims]
        self._pair_to = pair_maps(self.layout.low, self.layout.high)

    # --- adding a chunk ---------------------------------------------------------------------

    def _row_of(self, key: CellKey) -> int:
        found = self.cells.get(key)
        if found is None:
            found = self.cells[key] = len(self.cells)
        return found

    def _grow_cells(self) -> None:
        rows = len(self.cells)
        self.pair_counts = _grow(self.pair_counts, rows)
        self._exact_gap_counts = _grow(self._exact_gap_counts, rows)
        self._exact_level_counts = _grow(self._exact_level_counts, rows)
        self._derived = None
        self.score_moments = _grow(self.score_moments, rows)
        self.responses = _grow(self.responses, rows)

    def _cell_index(self, keys: Sequence[CellKey]) -> np.ndarray:
        index = np.fromiter((self._row_of(key) for key in keys), dtype=np.int64, count=len(keys))
        self._grow_cells()
        return index

    def add(
        self,
        keys: Sequence[CellKey],
        expected: np.ndarray,
        perceived: np.ndarray,
        overall: np.ndarray,
        points: np.ndarray | None = None,
        adequate: np.ndarray | None = None,
        desired: np.ndarray | None = None,
        pairs: np.ndarray | None = None,
    ) -> None:
        """Fold in one chunk: respondents × items arrays (NaN = N/A), overall (n,), points.

        ``pairs``, when the caller has them: the answers as bytes (E + 1) | (P + 1) << 4,
        0 for N/A (see :meth:`_add_histograms`).
        """
        if len(keys) == 0:
            return
        cell = self._cell_index(keys)
        self._fold(cell, expected, perceived, overall, points, adequate, desired, pairs)

    def add_cells(
        self,
        keys: Sequence[CellKey],
        index: np.ndarray,
        expected: np.ndarray,
        perceived: np.ndarray,
        overall: np.ndarray,
        points: np.ndarray | None = None,
        adequate: np.ndarray | None = None,
        desired: np.ndarray | None = None,
        pairs: np.ndarray | None = None,
    ) -> None:
        """:meth:`add` with respondent i in cell ``keys[index[i]]`` (the distinct keys once)."""
        if len(index) == 0:
            return
        rows = np.array([self._row_of(key) for key in keys], dtype=np.int64)
        self._grow_cells()
        self._fold(rows[index], expected, perceived, overall, points, adequate, desired, pairs)

    def _fold(self, cell, expected, perceived, overall, points, adequate, desired, pairs):
        lay = self.layout
        expected = np.asarray(expected, dtype=float)
        perceived = np.asarray(perceived, dtype=float)
        self.n_responses += len(cell)
        self.responses += np.bincount(cell, minlength=len(self.cells))
        self._add_histograms(cell, expected, perceived, pairs)
        gaps = perceived - expected
        if pairs is None:
            scored = [self._scores(x) for x in (expected, perceived, gaps)]
        else:
            scored = self._scores_of_pairs(pairs)
        self._add_moments(cell, np.stack([s for s, _ in scored], axis=2))
        for d, idx in enumerate(self._dimension_items):
            for (_, answered), measure, values in zip(
                scored, SCORE_MEASURES, (expected, perceived, gaps), strict=True
            ):
                complete = answered[:, d] == len(idx)
                self.alpha[measure, lay.dimensions[d]] += cross_products(values[complete][:, idx])
        complete = ~np.isnan(perceived).any(axis=1)
        self.perception_all += cross_products(perceived[complete])
        dims = len(lay.dimensions)
        dimension_gaps = scored[2][0][:, :dims]
        self.regression += CrossProducts.from_array(
            np.column_stack([dimension_gaps, np.asarray(overall, dtype=float)])
        )
        if lay.importance and points is not None:
            self._add_importance(dimension_gaps, np.asarray(points, dtype=float))
        if lay.zone and adequate is not None and desired is not None:
            self._add_zones(perceived, adequate, desired)

    def _scores(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Respondents' scores on every score group, and their answered-item counts.

        :func:`~servqual.gaps.scores.group_scores`'s rule, summing rows of the transposed
        arrays (answers are integers, so every sum is exact and the scores are the same
        numbers; no BLAS, whose threads cost more than the sums on a shared machine).
        """
        missing = np.isnan(values).T
        return self._score(~missing, np.where(missing, 0.0, values.T))

    def _scores_of_pairs(self, pairs: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """:meth:`_scores` of E, P and G from the answer-pair bytes, in small integers."""
        codes = np.ascontiguousarray(pairs.T)
        e, p = (codes & 15).astype(np.int16), (codes >> 4).astype(np.int16)
        answered_e, answered_p = e > 0, p > 0
        both = answered_e & answered_p
        value_e, value_p = e - answered_e, p - answered_p
        gaps = np.where(both, value_p - value_e, 0)
        return [
            self._score(answered_e, value_e),
            self._score(answered_p, value_p),
            self._score(both, gaps),
        ]

    def _score(self, answered_items: np.ndarray, zeroed: np.ndarray):
        """Scores from items × respondents answered flags and values (0 where N/A)."""
        rows = zeroed.shape[1]
        answered = np.zeros((len(self._group_items), rows))
        totals = np.zeros((len(self._group_items), rows))
        for g, idx in enumerate(self._group_items):
            if idx:
                answered[g] = answered_items[idx].sum(axis=0)
                totals[g] = zeroed[idx].sum(axis=0)
        answered, totals = answered.T, totals.T
        enough = (answered > 0) & (answered >= self._needed)
        scores = np.full(answered.shape, np.nan)
        scores[enough] = totals[enough] / answered[enough]
        return scores, answered

    def _add_histograms(self, cell, expected, perceived, pairs) -> None:
        """Count each item's answer pairs per cell, then the E, P and G histograms.

        A pair is one byte, E + 1 in the low four bits and P + 1 in the high four (0: N/A),
        as the stream packs them; counting the 256 bytes per cell and item and mapping
        them onto the histograms gives what counting values would. Values off 0–14 or
        not integers (never stored by the surveys) take the slower exact path.
        """
        if pairs is None:
            codes = []
            for values in (expected, perceived):
                answered = ~np.isnan(values)
                kept = values[answered]
                if np.any((kept < 0) | (kept > 14) | (kept % 1 != 0)):
                    self._add_histograms_exact(cell, expected, perceived)
                    return
                codes.append(np.where(answered, values + 1, 0).astype(np.int64))
            pairs = codes[0] + 16 * codes[1]
        items = pairs.shape[1]
        flat = (cell[:, None] * items + np.arange(items)[None, :]) * 256
        counts = np.bincount((flat + pairs).ravel(), minlength=len(self.cells) * items * 256)
        self.pair_counts += counts.reshape(len(self.cells), items, 256)
        self._derived = None

    @property
    def gap_counts(self) -> np.ndarray:
        """Counts (cells × items × 2·width − 1) of G = P − E from low − high to high − low."""
        return self._histograms()[0]

    @property
    def level_counts(self) -> np.ndarray:
        """Counts (cells × 2 × items × width) of E (0) and P (1) from low to high."""
        return self._histograms()[1]

    def _histograms(self) -> tuple[np.ndarray, np.ndarray]:
        if self._derived is None:
            cells, items, _ = self.pair_counts.shape
            counts = self.pair_counts.reshape(cells * items, 256)
            to_e, to_p, to_g = self._pair_to
            gap = self._exact_gap_counts + (counts @ to_g).reshape(cells, items, -1)
            level = self._exact_level_counts + np.stack(
                [
                    (counts @ to_e).reshape(cells, items, -1),
                    (counts @ to_p).reshape(cells, items, -1),
                ],
                axis=1,
            )
            self._derived = (gap, level)
        return self._derived

    def _add_histograms_exact(self, cell, expected, perceived) -> None:
        lay = self.layout
        width = lay.high - lay.low + 1
        gaps = perceived - expected
        self._exact_gap_counts += self._count(cell, gaps, lay.low - lay.high, 2 * width - 1)
        self._exact_level_counts[:, 0] += self._count(cell, expected, lay.low, width)
        self._exact_level_counts[:, 1] += self._count(cell, perceived, lay.low, width)
        self._derived = None

    def _count(self, cell: np.ndarray, values: np.ndarray, offset: int, width: int):
        """Return counts (cells × items × width) of integer values (NaN and strays dropped)."""
        items = values.shape[1]
        shifted = values - offset
        keep = ~np.isnan(shifted) & (shifted >= 0) & (shifted < width)
        flat = (cell[:, None] * items + np.arange(items)[None, :]) * width
        index = (flat + np.where(keep, shifted, 0).astype(np.int64))[keep]
        size = len(self.cells) * items * width
        return np.bincount(index, minlength=size).reshape(len(self.cells), items, width)

    def _add_moments(self, cell: np.ndarray, scores: np.ndarray) -> None:
        """Add n, Σs, Σs² of the scores (respondents × groups × measures) per cell."""
        _, groups, measures = scores.shape
        keep = ~np.isnan(scores)
        index = (cell[:, None, None] * groups + np.arange(groups)[None, :, None]) * measures
        index = (index + np.arange(measures)[None, None, :])[keep]
        values = scores[keep]
        size = len(self.cells) * groups * measures
        for stat, weights in enumerate((None, values, values * values)):
            sums = np.bincount(index, weights=weights, minlength=size)
            self.score_moments[:, :, :, stat] += sums.reshape(len(self.cells), groups, measures)

    def _add_importance(self, dimension_gaps: np.ndarray, points: np.ndarray) -> None:
        lay = self.layout
        columns = [lay.dimensions.index(d) for d in lay.importance]
        gaps = dimension_gaps[:, columns]
        weighted = respondent_weighted_scores(gaps, points)
        keep = ~np.isnan(weighted)
        self.weighted += moments(weighted[keep])
        kept_points, kept_gaps = column_moments(points[keep]), column_moments(gaps[keep])
        all_points = column_moments(points)
        for d in range(len(lay.importance)):
            self.weighted_points[d] += kept_points[d]
            self.weighted_gaps[d] += kept_gaps[d]
            self.points[d] += all_points[d]

    def _add_zones(self, perceived, adequate, desired) -> None:
        lay = self.layout
        for j in range(len(lay.items)):
            self.item_zones[j] += ZoneCounts.from_arrays(
                perceived[:, j], adequate[:, j], desired[:, j]
            )
        dims = {f"d:{d}": lay.dimension_items(d) for d in lay.dimensions}
        scored = [group_scores(x, dims).values for x in (perceived, adequate, desired)]
        for d in range(len(lay.dimensions)):
            self.dimension_zones[d] += ZoneCounts.from_arrays(*(s[:, d] for s in scored))

    # --- reading ----------------------------------------------------------------------------

    def group_of(self, grouping: str | None) -> dict[Hashable, list[int]]:
        """Map each group of a grouping (None: the whole scope) to its cell rows."""
        out: dict[Hashable, list[int]] = {}
        for key, row in self.cells.items():
            out.setdefault(None if grouping is None else key[KEY_POSITION[grouping]], []).append(
                row
            )
        return out

    def gap_histogram(self, rows: Sequence[int], item: int) -> Histogram:
        """Return the histogram of G = P − E of one item over some cells."""
        counts = self.gap_counts[list(rows), item].sum(axis=0) if rows else []
        offset = self.layout.low - self.layout.high
        return Histogram.from_counts({offset + v: int(c) for v, c in enumerate(counts) if c})

    def level_histogram(self, rows: Sequence[int], item: int, measure: int) -> Histogram:
        """Return the histogram of E (measure 0) or P (1) of one item over some cells."""
        counts = self.level_counts[list(rows), measure, item].sum(axis=0) if rows else []
        return Histogram.from_counts(
            {self.layout.low + v: int(c) for v, c in enumerate(counts) if c}
        )

    def score(self, rows: Sequence[int], group: str, measure: str) -> Moments:
        """Return the moments of respondents' scores on a score group over some cells."""
        g = list(self.layout.score_groups).index(group)
        if not rows:
            return Moments()
        n, total, total_sq = self.score_moments[list(rows), g, SCORE_MEASURES.index(measure)].sum(
            axis=0
        )
        return Moments(round(float(n)), float(total), float(total_sq))
