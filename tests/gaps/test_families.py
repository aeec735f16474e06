"""Families and corrections, change between waves, priorities, suppression for staff."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from servqual.gaps import (
    IMPROVED,
    NO_SIGNIFICANT_CHANGE,
    WORSENED,
    AuditDelivery,
    Cell,
    Histogram,
    Moments,
    adjust_family,
    adjust_p_values,
    blank_for_staff,
    cell_from_comparison,
    cell_from_paired,
    cell_from_rated,
    gap1,
    gap3,
    gap5,
    rank_shortfalls,
    wave_change,
    wave_changes,
)
from tests.gaps.checks import assert_no_nan

RAW = [0.01, 0.04, 0.03, 0.005, 0.2, 0.5]


def test_holm_is_holm_not_the_holm_sidak_default():
    expected = multipletests(RAW, method="holm")[1]
    assert adjust_p_values(RAW) == pytest.approx(tuple(expected), abs=1e-12)
    sidak = multipletests(RAW)[1]  # statsmodels' default, Holm–Šidák
    assert adjust_p_values(RAW) != pytest.approx(tuple(sidak), abs=1e-12)


def test_benjamini_hochberg_on_request():
    expected = multipletests(RAW, method="fdr_bh")[1]
    assert adjust_p_values(RAW, "fdr_bh") == pytest.approx(tuple(expected), abs=1e-12)


def test_hand_worked_holm():
    # p = (0.01, 0.04, 0.03), m = 3: sorted 0.01, 0.03, 0.04 → ×3, ×2, ×1 =
    # 0.03, 0.06, 0.04 → running maximum 0.03, 0.06, 0.06.
    assert adjust_p_values([0.01, 0.04, 0.03]) == pytest.approx((0.03, 0.06, 0.06))


def test_cells_without_a_p_value_are_left_out_of_the_family():
    adjusted = adjust_p_values([0.01, None, 0.04, None, 0.03])
    assert adjusted[1] is None and adjusted[3] is None
    # The family has m = 3, as in the hand-worked example above.
    assert adjusted[0::2] == pytest.approx((0.03, 0.06, 0.06))


def test_unknown_correction_is_refused():
    with pytest.raises(ValueError, match="holm"):
        adjust_p_values([0.1], "hs")


def shortfall(mean: float, n: int = 200, seed: int = 0) -> Histogram:
    """Integer gaps around ``mean`` (−6..6), n respondents."""
    rng = np.random.default_rng(seed)
    return Histogram.from_array(np.clip(np.round(rng.normal(mean, 1.2, size=n)), -6, 6))


def test_priorities_rank_significant_shortfalls_with_their_evidence():
    cells = [
        cell_from_paired(("Branch counter", "agility"), gap5(shortfall(-1.5, seed=1))),
        cell_from_paired(("Branch counter", "warmth"), gap5(shortfall(0.3, seed=2))),
        cell_from_paired(("Phone line", "agility"), gap5(shortfall(-0.8, seed=3))),
        cell_from_paired(("Phone line", "warmth"), gap5(shortfall(-0.05, n=40, seed=4))),
        cell_from_comparison(
            ("Web checkout", "warmth"), gap1(shortfall(1.0, n=12, seed=5), shortfall(2.0, seed=6))
        ),
        cell_from_rated(
            ("Web checkout", "agility"),
            gap3(AuditDelivery(1, 10, 1, 7).estimate(), specification=6.0),
        ),
    ]
    ranked = rank_shortfalls(cells)
    assert [p.key for p in ranked] == [
        ("Branch counter", "agility"),
        ("Web checkout", "warmth"),
        ("Phone line", "agility"),
    ]
    assert [p.rank for p in ranked] == [1, 2, 3]
    first = ranked[0]
    assert first.gap == "Gap 5"
    assert first.source == "customer survey"
    assert first.n == 200
    assert first.ci_low < first.mean < first.ci_high < 0
    assert first.adjusted_p < 0.05
    # The family holds the five cells with a p-value; Gap 3 (no p) never qualifies.
    family = adjust_family(cells)
    tested = [c.p_value for c in cells if c.p_value is not None]
    assert len(tested) == 5
    holm = multipletests(tested, method="holm")[1]
    assert [c.adjusted_p for c in family if c.p_value is not None] == pytest.approx(list(holm))
    assert ranked[1].gap == "Gap 1" and ranked[1].n == 12
    assert len(rank_shortfalls(cells, limit=1)) == 1


def test_priorities_for_staff_leave_out_cells_under_five():
    small = cell_from_paired(("Kiosk", "agility"), gap5(Histogram.from_array([-3, -3, -4, -2])))
    big = cell_from_paired(("Branch", "agility"), gap5(shortfall(-1.0, seed=9)))
    assert small.suppressed_for_staff and not big.suppressed_for_staff
    assert len(rank_shortfalls([small, big], alpha=0.5)) == 2
    assert [p.key for p in rank_shortfalls([small, big], alpha=0.5, for_staff=True)] == [
        ("Branch", "agility")
    ]


def test_wave_change_is_flagged():
    improved = wave_change(shortfall(-0.2, seed=10), shortfall(-1.0, seed=11))
    worsened = wave_change(shortfall(-1.0, seed=12), shortfall(-0.2, seed=13))
    steady = wave_change(shortfall(-0.5, n=30, seed=14), shortfall(-0.5, n=30, seed=15))
    assert improved.direction == IMPROVED
    assert improved.comparison.ci_low > 0
    assert improved.comparison.hedges_g > 0
    assert worsened.direction == WORSENED
    assert steady.direction == NO_SIGNIFICANT_CHANGE


def test_wave_changes_are_corrected_as_a_family():
    cells = {
        ("Branch", "agility"): (shortfall(-0.2, seed=20), shortfall(-1.0, seed=21)),
        ("Branch", "warmth"): (shortfall(-0.5, n=40, seed=22), shortfall(-0.6, n=40, seed=23)),
        ("Phone", "agility"): (Moments.from_array([1.0]), Moments.from_array([0.0, 1.0])),
    }
    changes = wave_changes(cells)
    raw = [changes[k].comparison.p_value for k in list(cells)[:2]]
    holm = multipletests(raw, method="holm")[1]
    assert [changes[k].adjusted_p for k in list(cells)[:2]] == pytest.approx(list(holm))
    untestable = changes[("Phone", "agility")]
    assert (untestable.direction, untestable.status) == (None, "not_enough_data")
    assert untestable.suppressed_for_staff


def test_blank_for_staff_hides_numbers_but_keeps_counts():
    result = gap5(Histogram.from_array([-1, 0, -2, -1]))
    blank = blank_for_staff(result)
    assert blank.status == "suppressed"
    assert blank.n == 4
    assert (blank.mean, blank.sd, blank.ci_low, blank.p_value, blank.d_z) == (None,) * 5
    assert_no_nan(blank)
    big = gap5(shortfall(-1.0))
    assert blank_for_staff(big) is big
    # Nested results are blanked too (a Gap 3 on 3 audit checks carries D's interval).
    nested = blank_for_staff(gap3(AuditDelivery(2, 3, 1, 7).estimate(), specification=6.0))
    assert nested.value is None and nested.delivery.ci_low is None
    assert nested.delivery.status == "suppressed"


def test_cell_status_follows_the_small_cell_rules():
    def cell(n: int) -> Cell:
        return cell_from_paired(("t", "p"), gap5(shortfall(-1.0, n=n, seed=n)))

    assert cell(40).status == "ok" and not cell(40).suppressed_for_staff
    assert cell(12).status == "indicative" and not cell(12).suppressed_for_staff
    assert cell(4).status == "indicative" and cell(4).suppressed_for_staff
