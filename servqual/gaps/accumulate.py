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

from servqual.gaps.scores import ZoneCounts, group_scores, respondent_weighted_scores
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
        self.gap_counts = np.zeros((0, j, 2 * width - 1), dtype=np.int64)
        self.level_counts = np.zeros((0, 2, j, width), dtype=np.int64)
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

    # --- adding a chunk ---------------------------------------------------------------------

    def _cell_index(self, keys: Sequence[CellKey]) -> np.ndarray:
        index = np.empty(len(keys), dtype=np.int64)
        for i, key in enumerate(keys):
            found = self.cells.get(key)
            if found is None:
                found = self.cells[key] = len(self.cells)
            index[i] = found
        rows = len(self.cells)
        self.gap_counts = _grow(self.gap_counts, rows)
        self.level_counts = _grow(self.level_counts, rows)
        self.score_moments = _grow(self.score_moments, rows)
        self.responses = _grow(self.responses, rows)
        return index

    def _count(self, cell: np.ndarray, values: np.ndarray, offset: int, width: int):
        """Return counts (cells × items × width) of integer values (NaN and strays dropped)."""
        items = values.shape[1]
        shifted = values - offset
        keep = ~np.isnan(shifted) & (shifted >= 0) & (shifted < width)
        flat = (cell[:, None] * items + np.arange(items)[None, :]) * width
        index = (flat + np.where(keep, shifted, 0).astype(np.int64))[keep]
        size = len(self.cells) * items * width
        return np.bincount(index, minlength=size).reshape(len(self.cells), items, width)

    def add(
        self,
        keys: Sequence[CellKey],
        expected: np.ndarray,
        perceived: np.ndarray,
        overall: np.ndarray,
        points: np.ndarray | None = None,
        adequate: np.ndarray | None = None,
        desired: np.ndarray | None = None,
    ) -> None:
        """Fold in one chunk: respondents × items arrays (NaN = N/A), overall (n,), points."""
        if len(keys) == 0:
            return
        lay = self.layout
        cell = self._cell_index(keys)
        self.n_responses += len(keys)
        self.responses += np.bincount(cell, minlength=len(self.cells))
        width = lay.high - lay.low + 1
        gaps = perceived - expected
        self.gap_counts += self._count(cell, gaps, lay.low - lay.high, 2 * width - 1)
        self.level_counts[:, 0] += self._count(cell, expected, lay.low, width)
        self.level_counts[:, 1] += self._count(cell, perceived, lay.low, width)
        groups = lay.score_groups
        by_measure = {
            "E": group_scores(expected, groups).values,
            "P": group_scores(perceived, groups).values,
            "G": group_scores(gaps, groups).values,
        }
        for m, measure in enumerate(SCORE_MEASURES):
            self._add_moments(cell, by_measure[measure], m)
        for d in lay.dimensions:
            idx = lay.dimension_items(d)
            for measure, values in (("E", expected), ("P", perceived), ("G", gaps)):
                self.alpha[measure, d] += CrossProducts.from_array(values[:, idx])
        self.perception_all += CrossProducts.from_array(perceived)
        dims = len(lay.dimensions)
        dimension_gaps = by_measure["G"][:, :dims]
        self.regression += CrossProducts.from_array(
            np.column_stack([dimension_gaps, np.asarray(overall, dtype=float)])
        )
        if lay.importance and points is not None:
            self._add_importance(dimension_gaps, points)
        if lay.zone and adequate is not None and desired is not None:
            self._add_zones(perceived, adequate, desired)

    def _add_moments(self, cell: np.ndarray, scores: np.ndarray, measure: int) -> None:
        groups = scores.shape[1]
        keep = ~np.isnan(scores)
        index = (cell[:, None] * groups + np.arange(groups)[None, :])[keep]
        values = scores[keep]
        size = len(self.cells) * groups
        for stat, weights in enumerate((None, values, values * values)):
            sums = np.bincount(index, weights=weights, minlength=size)
            self.score_moments[:, :, measure, stat] += sums.reshape(len(self.cells), groups)

    def _add_importance(self, dimension_gaps: np.ndarray, points: np.ndarray) -> None:
        lay = self.layout
        columns = [lay.dimensions.index(d) for d in lay.importance]
        gaps = dimension_gaps[:, columns]
        weighted = respondent_weighted_scores(gaps, points)
        keep = ~np.isnan(weighted)
        self.weighted += Moments.from_array(weighted)
        for d in range(len(lay.importance)):
            self.weighted_points[d] += Moments.from_array(points[keep, d])
            self.weighted_gaps[d] += Moments.from_array(gaps[keep, d])
            self.points[d] += Moments.from_array(points[:, d])

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
