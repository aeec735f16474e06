"""Streaming a wave: the folded statistics equal the core's definitions on the raw rows.

Two halves: every way the adapter reads the database (SQLAlchemy rows everywhere, the
binary COPY on PostgreSQL) hands the fold exactly the stored answers and cell keys; and
the fold (:class:`WaveStatistics`) equals the core's own functions on plain arrays.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import sqlalchemy as sa

from servqual.gaps import queries
from servqual.gaps.accumulate import SCORE_MEASURES, Layout, WaveStatistics
from servqual.gaps.scores import group_scores, respondent_weighted_scores
from servqual.gaps.sources import Scope
from servqual.gaps.stats import CrossProducts, Histogram, Moments
from servqual.gaps.stream import accumulate
from servqual.surveys.models import Response
from tests import factories
from tests.gaps import wavedata
from tests.gaps.wavedata import ITEMS

LAYOUT = Layout(
    items=("A1", "A2", "A3", "B1", "B2"),
    item_dimensions=("a", "a", "a", "b", "b"),
    dimensions=("a", "b"),
    item_pillars=(("X",), ("X", "Y"), (), ("Y",), ("Y",)),
    pillars=("X", "Y", "Z"),
    low=1,
    high=7,
    importance=("a", "b"),
)


def _state(stats: WaveStatistics) -> dict:
    """Everything the fold keeps, with cells in a fixed order."""
    order = sorted(stats.cells, key=lambda k: tuple((v is None, str(v)) for v in k))
    rows = [stats.cells[k] for k in order]
    state = {
        "keys": order,
        "n": stats.n_responses,
        "responses": stats.responses[rows],
        "gap_counts": stats.gap_counts[rows],
        "level_counts": stats.level_counts[rows],
        "score_moments": stats.score_moments[rows],
    }
    crosses = {f"alpha {k}": v for k, v in stats.alpha.items()}
    crosses |= {"perception": stats.perception_all, "regression": stats.regression}
    for name, cross in crosses.items():
        state[name] = (cross.n, cross.sums, cross.cross)
    moments = [stats.weighted, *stats.weighted_points, *stats.weighted_gaps, *stats.points]
    state["importance"] = [(m.n, m.total, m.total_sq) for m in moments]
    zones = [*stats.item_zones, *stats.dimension_zones]
    state["zones"] = [
        (z.below, z.inside, z.above, z.adequacy.n, z.adequacy.total, z.superiority.total)
        for z in zones
    ]
    return state


def _assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        x, y = a[name], b[name]
        if name in ("keys", "n"):
            assert x == y, name
        elif isinstance(x, tuple):
            assert x[0] == y[0], name
            np.testing.assert_allclose(x[1], y[1], rtol=1e-12, atol=1e-12, err_msg=name)
            np.testing.assert_allclose(x[2], y[2], rtol=1e-12, atol=1e-12, err_msg=name)
        else:
            np.testing.assert_allclose(
                np.asarray(x, float), np.asarray(y, float), rtol=1e-12, atol=1e-12, err_msg=name
            )


def _paths(db) -> list[bool]:
    """SQLAlchemy rows on every backend; the binary COPY too on PostgreSQL."""
    return [False, True] if db.engine.dialect.name == "postgresql" else [False]


def test_every_read_path_folds_exactly_the_stored_rows(db):
    wave = wavedata.build(n=90)
    campaign = wave.campaign
    # No answer at all (a segment of its own, no site, no channel); no E form, no overall.
    nowhere = SimpleNamespace(
        touchpoint_id=wave.touchpoints[0].id,
        site_id=None,
        touchpoint=SimpleNamespace(channel_id=None),
    )
    factories.response(campaign, {}, link=nowhere, segment="walk-in")
    factories.response(campaign, dict.fromkeys(ITEMS, (None, 5)), overall=None)
    wave_rows = db.session.execute(
        sa.select(Response.touchpoint_id, Response.site_id, Response.channel_id, Response.segment)
        .where(Response.campaign_id == campaign.id)
        .order_by(Response.id)
    ).all()
    layout = queries.layout_of(db.session, campaign, "en")[0]
    e, p, overall, points = wave.arrays()
    missing = np.full((2, len(ITEMS)), np.nan)
    reference = WaveStatistics(layout)
    reference.add(
        [tuple(r) for r in wave_rows],
        np.vstack([e, missing]),
        np.vstack([p, missing[:1], np.full((1, len(ITEMS)), 5.0)]),
        np.concatenate([overall, [np.nan, np.nan]]),
        np.vstack([points, np.full((2, 2), np.nan)]),
    )
    for copy in _paths(db):
        streamed = accumulate(db.session, Scope(campaign.id), layout, copy=copy)
        _assert_same(_state(streamed), _state(reference))
    # A scope's filters apply to both paths; an empty scope gives an empty fold.
    site = wave.sites[0].id
    keep = [r.site_id == site for r in wave_rows]
    for copy in _paths(db):
        streamed = accumulate(db.session, Scope(campaign.id, site_ids=[site]), layout, copy=copy)
        assert streamed.n_responses == sum(keep)
        empty = accumulate(db.session, Scope(campaign.id, site_ids=[-1]), layout, copy=copy)
        assert empty.n_responses == 0 and not empty.cells


def test_zone_format_reads_the_four_columns_on_every_path(db):
    wavedata.organisation()
    campaign = factories.campaign(format="zone_of_tolerance")
    rows = [(3, 5, 4, 2), (3, 5, 2, None), (None, 6, 6, 7), (4, 6, 5, 1), (2, 6, 6, 6)]
    for i, (a, ds, p, e) in enumerate(rows):
        answers = dict.fromkeys(ITEMS[: 2 + i % 3], (e, p, a, ds))
        factories.response(campaign, answers, overall=4, segment=("x", None)[i % 2])
    layout = queries.layout_of(db.session, campaign, "en")[0]
    states = [
        _state(accumulate(db.session, Scope(campaign.id), layout, copy=c)) for c in _paths(db)
    ]
    for state in states[1:]:
        _assert_same(state, states[0])
    zones = states[0]["zones"]
    # Item 1 (REL1) is answered by every response: P − A below zero once (p=2 < a=3).
    assert zones[0][:3] == (1, 3, 0)


def _random_wave(rng, n: int, na_share: float = 0.2):
    j = len(LAYOUT.items)
    e = rng.integers(1, 8, (n, j)).astype(float)
    p = rng.integers(1, 8, (n, j)).astype(float)
    e[rng.random((n, j)) < na_share] = np.nan
    p[rng.random((n, j)) < na_share] = np.nan
    overall = rng.integers(1, 8, n).astype(float)
    overall[rng.random(n) < 0.1] = np.nan
    points = rng.integers(0, 60, (n, 2)).astype(float)
    points[rng.random((n, 2)) < 0.1] = np.nan
    cells = [(1, 10, None, "s"), (1, None, 3, None), (2, 11, 3, "s")]
    keys = [cells[i] for i in rng.integers(0, len(cells), n)]
    return keys, e, p, overall, points


def test_the_fold_equals_the_core_definitions_and_merges():
    rng = np.random.default_rng(4)
    keys, e, p, overall, points = _random_wave(rng, 500)
    stats = WaveStatistics(LAYOUT)
    for chunk in (slice(0, 123), slice(123, 124), slice(124, 500)):
        stats.add(keys[chunk], e[chunk], p[chunk], overall[chunk], points[chunk])
    whole = WaveStatistics(LAYOUT)
    whole.add(keys, e, p, overall, points)
    _assert_same(_state(stats), _state(whole))

    g = p - e
    groups = LAYOUT.score_groups
    measures = zip(SCORE_MEASURES, (e, p, g), strict=True)
    scores = {m: group_scores(x, groups).values for m, x in measures}
    for key in set(keys):
        rows = [stats.cells[key]]
        mine = np.array([k == key for k in keys])
        for j in range(len(LAYOUT.items)):
            assert stats.gap_histogram(rows, j) == Histogram.from_array(g[mine, j])
            assert stats.level_histogram(rows, j, 0) == Histogram.from_array(e[mine, j])
            assert stats.level_histogram(rows, j, 1) == Histogram.from_array(p[mine, j])
        for c, group in enumerate(groups):
            for m in SCORE_MEASURES:
                expected = Moments.from_array(scores[m][mine, c])
                got = stats.score(rows, group, m)
                assert got.n == expected.n
                assert got.total == pytest.approx(expected.total, rel=1e-12, abs=1e-12)
                assert got.total_sq == pytest.approx(expected.total_sq, rel=1e-12, abs=1e-12)
    for d in LAYOUT.dimensions:
        idx = LAYOUT.dimension_items(d)
        for m, x in zip(SCORE_MEASURES, (e, p, g), strict=True):
            _assert_cross(stats.alpha[m, d], CrossProducts.from_array(x[:, idx]))
    _assert_cross(stats.perception_all, CrossProducts.from_array(p))
    dimension_gaps = scores["G"][:, : len(LAYOUT.dimensions)]
    _assert_cross(
        stats.regression, CrossProducts.from_array(np.column_stack([dimension_gaps, overall]))
    )
    weighted = respondent_weighted_scores(dimension_gaps, points)
    _assert_moments(stats.weighted, Moments.from_array(weighted))
    kept = ~np.isnan(weighted)
    for d in range(2):
        _assert_moments(stats.points[d], Moments.from_array(points[:, d]))
        _assert_moments(stats.weighted_points[d], Moments.from_array(points[kept, d]))
        _assert_moments(stats.weighted_gaps[d], Moments.from_array(dimension_gaps[kept, d]))


def test_answers_off_the_scale_are_left_out_of_the_histograms_only():
    rng = np.random.default_rng(5)
    keys, e, p, overall, points = _random_wave(rng, 60)
    e[0, 0], p[1, 1] = 9.0, 0.0
    stats = WaveStatistics(LAYOUT)
    stats.add(keys, e, p, overall, points)
    g = p - e
    rows = list(stats.cells.values())
    for j in range(len(LAYOUT.items)):
        on_scale = lambda x: x[(x >= 1) & (x <= 7)]  # noqa: E731
        assert stats.level_histogram(rows, j, 0) == Histogram.from_array(on_scale(e[:, j]))
        gaps = g[:, j][(g[:, j] >= -6) & (g[:, j] <= 6)]
        assert stats.gap_histogram(rows, j) == Histogram.from_array(gaps)


def _assert_cross(a: CrossProducts, b: CrossProducts) -> None:
    assert a.n == b.n
    np.testing.assert_allclose(a.sums, b.sums, rtol=1e-12)
    np.testing.assert_allclose(a.cross, b.cross, rtol=1e-12)


def _assert_moments(a: Moments, b: Moments) -> None:
    assert a.n == b.n
    assert a.total == pytest.approx(b.total, rel=1e-12, abs=1e-12)
    assert a.total_sq == pytest.approx(b.total_sq, rel=1e-12, abs=1e-12)
