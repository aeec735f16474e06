"""Cells of a report (e.g. touchpoints × pillars) and their correction as one family.

A cell is one tested estimate with the evidence a reader needs: which gap, the mean,
its interval, n, the p-value, the source. All cells tested together form a family whose
p-values are adjusted with Holm by default (Benjamini–Hochberg as an option); cells
without a p-value (Gaps 2–4, too little data) are left out of the family.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from servqual.gaps.chain import RatedGap
from servqual.gaps.gaps import GroupComparison, PairedGap
from servqual.gaps.multitest import Correction, adjust_p_values
from servqual.gaps.status import is_suppressed

#: Where the numbers of each kind of cell come from, unless the caller says otherwise.
CUSTOMER_SURVEY = "customer survey"
MANAGEMENT_VS_CUSTOMERS = "management survey vs customer survey"


@dataclass(frozen=True, slots=True)
class Cell:
    """One estimate in a family: key (e.g. touchpoint, pillar), gap, evidence, p-values."""

    key: tuple[str, ...]
    gap: str
    n: int | None
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    source: str
    status: str
    adjusted_p: float | None = None

    @property
    def suppressed_for_staff(self) -> bool:
        """True when n < 5 (for two groups, n is the smaller group; None: unsampled ratings)."""
        return self.n is not None and is_suppressed(self.n)


def cell_from_paired(
    key: tuple[str, ...], result: PairedGap, gap: str = "Gap 5", source: str = CUSTOMER_SURVEY
) -> Cell:
    """Make a cell of a paired gap (Gap 5): its mean, t interval and paired-t p-value."""
    return Cell(
        key=key,
        gap=gap,
        n=result.n,
        mean=result.mean,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        p_value=result.p_value,
        source=source,
        status=result.status,
    )


def cell_from_comparison(
    key: tuple[str, ...],
    result: GroupComparison,
    gap: str = "Gap 1",
    source: str = MANAGEMENT_VS_CUSTOMERS,
) -> Cell:
    """Make a cell of a two-group difference (Gap 1, waves, segments): Welch interval and p.

    n is the smaller group, to which the small-cell rules apply.
    """
    return Cell(
        key=key,
        gap=gap,
        n=result.n_min,
        mean=result.difference,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        p_value=result.p_value,
        source=source,
        status=result.status,
    )


def cell_from_rated(key: tuple[str, ...], result: RatedGap) -> Cell:
    """Make a cell of Gap 2, 3 or 4: a value without interval or p-value (never tested)."""
    return Cell(
        key=key,
        gap=result.gap,
        n=result.n,
        mean=result.value,
        ci_low=None,
        ci_high=None,
        p_value=None,
        source=result.source or "quality team ratings",
        status=result.status,
    )


def adjust_family(cells: Sequence[Cell], method: Correction = "holm") -> tuple[Cell, ...]:
    """Return the cells with ``adjusted_p`` set, correcting the cells that have a p-value.

    Holm (1979) by default, Benjamini–Hochberg (1995) with ``method="fdr_bh"``, through
    :func:`~servqual.gaps.multitest.adjust_p_values` (statsmodels ``multipletests``).
    Cells of fewer than 5 respondents stay in the family: they were tested, only their
    display is suppressed.
    """
    adjusted = adjust_p_values([cell.p_value for cell in cells], method)
    return tuple(
        dataclasses.replace(cell, adjusted_p=p) for cell, p in zip(cells, adjusted, strict=True)
    )
