"""Change between waves per cell: Welch comparison, family-corrected, flagged."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from servqual.gaps.gaps import GroupComparison, compare_groups
from servqual.gaps.multitest import Correction, adjust_p_values
from servqual.gaps.stats import Sample

IMPROVED = "improved"
WORSENED = "worsened"
NO_SIGNIFICANT_CHANGE = "no significant change"


@dataclass(frozen=True, slots=True)
class WaveChange:
    """Current − previous wave for one cell, with its (adjusted) p-value and a flag.

    ``direction`` is None when the change could not be tested (see ``status``).
    """

    comparison: GroupComparison
    adjusted_p: float | None
    direction: str | None
    status: str

    @property
    def suppressed_for_staff(self) -> bool:
        """True when either wave has fewer than 5 respondents in the cell."""
        return self.comparison.suppressed_for_staff


def _flag(comparison: GroupComparison, adjusted_p: float | None, alpha: float) -> str | None:
    if adjusted_p is None or comparison.difference is None:
        return None
    if adjusted_p >= alpha:
        return NO_SIGNIFICANT_CHANGE
    # Scores and gaps are oriented so that higher is better (a gap moving up to zero).
    return IMPROVED if comparison.difference > 0 else WORSENED


def wave_change(
    current: Sample, previous: Sample, alpha: float = 0.05, level: float = 0.95
) -> WaveChange:
    """Compare one cell's respondent-level scores across two waves (current − previous).

    Welch t, Welch–Satterthwaite interval and Hedges g (:func:`compare_groups`); flagged
    "improved" / "worsened" when p < alpha, else "no significant change". For many cells
    at once use :func:`wave_changes`, which corrects for multiplicity.
    """
    comparison = compare_groups(current, previous, level)
    return WaveChange(
        comparison,
        comparison.p_value,
        _flag(comparison, comparison.p_value, alpha),
        comparison.status,
    )


def wave_changes(
    cells: Mapping[Hashable, tuple[Sample, Sample]],
    method: Correction = "holm",
    alpha: float = 0.05,
    level: float = 0.95,
) -> dict[Hashable, WaveChange]:
    """Compare every cell's (current, previous) pair; flag on family-adjusted p-values.

    The cells form one family: Welch p-values are adjusted with Holm by default
    (Benjamini–Hochberg with ``method="fdr_bh"``); untestable cells are left out.
    """
    comparisons = {key: compare_groups(cur, prev, level) for key, (cur, prev) in cells.items()}
    adjusted = adjust_p_values([c.p_value for c in comparisons.values()], method)
    return {
        key: WaveChange(c, p, _flag(c, p, alpha), c.status)
        for (key, c), p in zip(comparisons.items(), adjusted, strict=True)
    }
