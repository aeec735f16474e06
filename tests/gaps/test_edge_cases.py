"""Degenerate input never raises and never yields NaN: it yields a status saying why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from servqual.gaps import (
    AuditDelivery,
    ChainLevels,
    CrossProducts,
    Histogram,
    Moments,
    RatingsDelivery,
    ZoneCounts,
    adjust_p_values,
    blank_for_staff,
    compare_groups,
    compare_many,
    cronbach_alpha,
    derived_importance,
    dimension_scores,
    factor_structure,
    gap2,
    gap3,
    gap4,
    gap5,
    importance_performance,
    item_gaps,
    overall_score,
    pillar_scores,
    rank_shortfalls,
    sampling_adequacy,
    servperf,
    servqual_unweighted,
    stated_importance,
    waterfall,
    wave_change,
    wave_changes,
    weighted_servqual_from_arrays,
    zone_of_tolerance,
)
from tests.gaps.checks import assert_no_nan

NAN = np.nan
ALL_NA = np.full((4, 3), NAN)
FIVE = ["T", "R", "S", "A", "E"]


def h(*values: int) -> Histogram:
    return Histogram.from_array(list(values))


def constant_columns(n: int, k: int) -> CrossProducts:
    return CrossProducts.from_array(np.full((n, k), 4.0))


def duplicated_column(n: int = 40) -> CrossProducts:
    x = np.random.default_rng(0).normal(size=(n, 4))
    return CrossProducts.from_array(np.column_stack([x, x[:, 0]]))


def collinear_predictors(n: int = 40) -> CrossProducts:
    x = np.random.default_rng(0).normal(size=(n, 4))
    return CrossProducts.from_array(np.column_stack([x[:, :3], x[:, 0], x[:, 3]]))


CASES: list[tuple[str, Callable[[], Any], str]] = [
    ("gap5 n=0", lambda: gap5(Histogram()), "not_enough_data"),
    ("gap5 moments n=0", lambda: gap5(Moments()), "not_enough_data"),
    ("gap5 n=1", lambda: gap5(h(2)), "not_enough_data"),
    ("gap5 zero variance", lambda: gap5(h(-1, -1, -1)), "zero_variance"),
    ("gap5 all zero gaps", lambda: gap5(h(0, 0, 0, 0)), "zero_variance"),
    (
        "gap5 all N/A",
        lambda: gap5(Histogram.from_array(item_gaps(ALL_NA, np.ones((4, 3))))),
        "not_enough_data",
    ),
    ("compare n=0", lambda: compare_groups(Histogram(), h(1, 2)), "not_enough_data"),
    ("compare n=1", lambda: compare_groups(h(1), h(2)), "not_enough_data"),
    ("compare zero variance", lambda: compare_groups(h(3, 3), h(5, 5, 5)), "zero_variance"),
    ("compare one constant group", lambda: compare_groups(h(3, 3), h(4, 5, 6)), "indicative"),
    ("many: none", lambda: compare_many({}), "not_enough_data"),
    ("many: one group", lambda: compare_many({"a": h(1, 2, 3)}), "not_enough_data"),
    (
        "many: empty group",
        lambda: compare_many({"a": h(1, 2), "b": Histogram()}),
        "not_enough_data",
    ),
    (
        "many: constant group",
        lambda: compare_many({"a": h(1, 2), "b": h(4, 4), "c": h(2, 3)}),
        "zero_variance",
    ),
    ("many: all equal", lambda: compare_many({"a": h(4, 4), "b": h(4, 4)}), "zero_variance"),
    ("audit n=0", lambda: AuditDelivery(0, 0, 1, 7).estimate(), "not_enough_data"),
    ("ratings n=0", lambda: RatingsDelivery(Moments()).estimate(), "not_enough_data"),
    ("ratings n=1", lambda: RatingsDelivery(h(5)).estimate(), "not_enough_data"),
    ("ratings zero variance", lambda: RatingsDelivery(h(5, 5)).estimate(), "zero_variance"),
    ("gap2 no M", lambda: gap2(5.0, Moments()), "not_enough_data"),
    ("gap3 no D", lambda: gap3(None, 5.0), "not_enough_data"),
    (
        "gap3 empty audit",
        lambda: gap3(AuditDelivery(0, 0, 1, 7).estimate(), 5.0),
        "not_enough_data",
    ),
    ("gap4 no C", lambda: gap4(RatingsDelivery(h(5, 6)).estimate(), None), "not_promised"),
    ("waterfall empty", lambda: waterfall(ChainLevels(*[None] * 6)), "uncovered"),
    (
        "waterfall no D",
        lambda: waterfall(ChainLevels(6.0, 5.0, 5.0, None, 6.0, 5.0)),
        "not_enough_data",
    ),
    ("overall: no dimensions", lambda: overall_score({}), "missing_dimension"),
    (
        "servqual all N/A",
        lambda: servqual_unweighted(ALL_NA, ALL_NA, FIVE[:3]),
        "missing_dimension",
    ),
    ("servperf all N/A", lambda: servperf(ALL_NA, ["T", "T", "R"]), "missing_dimension"),
    (
        "weighted all N/A",
        lambda: weighted_servqual_from_arrays(
            dimension_scores(ALL_NA, ["T", "R", "R"]), ALL_NA[:, :2]
        ),
        "not_enough_data",
    ),
    ("zone n=0", lambda: zone_of_tolerance(ZoneCounts()), "not_enough_data"),
    (
        "zone all N/A",
        lambda: zone_of_tolerance(ZoneCounts.from_arrays([NAN], [4.0], [6.0])),
        "not_enough_data",
    ),
    ("alpha n=0", lambda: cronbach_alpha(CrossProducts.zeros(4)), "not_enough_data"),
    ("alpha n=1", lambda: cronbach_alpha(CrossProducts.from_array([[1, 2, 3]])), "not_enough_data"),
    (
        "alpha one answered item",
        lambda: cronbach_alpha(CrossProducts.from_array([[1], [2], [4]])),
        "too_few_items",
    ),
    ("alpha no items", lambda: cronbach_alpha(CrossProducts.zeros(0)), "too_few_items"),
    ("alpha zero variance", lambda: cronbach_alpha(constant_columns(10, 3)), "zero_variance"),
    ("kmo n=0", lambda: sampling_adequacy(CrossProducts.zeros(5)), "not_enough_data"),
    ("kmo zero variance", lambda: sampling_adequacy(constant_columns(10, 3)), "zero_variance"),
    ("kmo singular", lambda: sampling_adequacy(duplicated_column()), "singular"),
    ("kmo one item", lambda: sampling_adequacy(CrossProducts.zeros(1)), "too_few_items"),
    (
        "efa too few items",
        lambda: factor_structure(CrossProducts.zeros(5), FIVE),
        "too_few_items",
    ),
    (
        "efa n=0",
        lambda: factor_structure(CrossProducts.zeros(6), ["T", "T", "R", "R", "S", "S"]),
        "not_enough_data",
    ),
    (
        "efa singular",
        lambda: factor_structure(duplicated_column(), ["T", "T", "T", "R", "R"]),
        "singular",
    ),
    (
        "ols n=0",
        lambda: derived_importance(CrossProducts.zeros(6), FIVE),
        "not_enough_data",
    ),
    (
        "ols n=p+1",
        lambda: derived_importance(CrossProducts.from_array(np.eye(6)), FIVE),
        "not_enough_data",
    ),
    (
        "ols constant outcome",
        lambda: derived_importance(
            CrossProducts.from_array(
                np.column_stack([np.random.default_rng(1).normal(size=(20, 5)), np.ones(20)])
            ),
            FIVE,
        ),
        "zero_variance",
    ),
    ("ols perfect fit", lambda: derived_importance(duplicated_column(), FIVE[:4]), "ok"),
    ("ols singular", lambda: derived_importance(collinear_predictors(), FIVE[:4]), "singular"),
    ("stated: no answers", lambda: stated_importance({"T": Moments()}), "not_enough_data"),
    ("stated: none", lambda: stated_importance({}), "not_enough_data"),
    (
        "ipa: incomplete",
        lambda: importance_performance({"T": 20.0, "R": None}, {"T": -1.0, "R": -2.0}),
        "not_enough_data",
    ),
    ("wave change n=0", lambda: wave_change(Moments(), Moments()), "not_enough_data"),
]


@pytest.mark.parametrize(("thunk", "status"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_degenerate_input_gives_a_status_and_no_nan(thunk, status):
    result = thunk()
    assert_no_nan(result)
    assert result.status == status
    assert_no_nan(blank_for_staff(result))


def test_a_dimension_with_one_answered_item_is_missing_not_an_error():
    # A 4-item dimension where the respondent answered one item: below half → missing.
    g = np.array([[-1, NAN, NAN, NAN, 0, 1]])
    scores = dimension_scores(g, ["R"] * 4 + ["E"] * 2)
    assert np.isnan(scores.column("R")[0])
    assert scores.status("R") == "not_enough_data"
    assert scores.moments("R") == Moments()
    assert_no_nan(overall_score({d: scores.moments(d) for d in scores.labels}))


def test_a_pillar_with_no_items():
    scores = pillar_scores(np.ones((3, 2)), [{"warmth"}, {"warmth"}], ["warmth", "agility"])
    assert scores.status("agility") == "no_items"
    result = gap5(scores.moments("agility"))
    assert result.status == "not_enough_data"
    assert_no_nan(result)


def test_empty_families():
    assert adjust_p_values([]) == ()
    assert adjust_p_values([None, None]) == (None, None)
    assert rank_shortfalls([]) == ()
    assert wave_changes({}) == {}


def test_factor_analysis_on_too_few_respondents():
    x = np.random.default_rng(2).normal(size=(7, 6))
    result = factor_structure(CrossProducts.from_array(x), ["T", "T", "R", "R", "S", "S"])
    assert result.status in {"not_enough_data", "not_converged", "indicative", "singular"}
    assert_no_nan(result)
