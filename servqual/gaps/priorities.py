"""Priorities: the largest significant shortfalls of a family of cells, with evidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from servqual.gaps.families import Cell, adjust_family
from servqual.gaps.multitest import Correction
from servqual.gaps.status import is_suppressed


@dataclass(frozen=True, slots=True)
class Priority:
    """One ranked shortfall and the evidence behind it."""

    rank: int
    key: tuple[str, ...]
    gap: str
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    adjusted_p: float | None
    source: str
    status: str

    @property
    def suppressed_for_staff(self) -> bool:
        """True when n < 5."""
        return self.n is not None and is_suppressed(self.n)


def rank_shortfalls(
    cells: Sequence[Cell],
    method: Correction = "holm",
    alpha: float = 0.05,
    limit: int | None = None,
    for_staff: bool = False,
) -> tuple[Priority, ...]:
    """Rank the significant shortfalls: mean < 0 and family-adjusted p < ``alpha``.

    The given cells are one family (:func:`~servqual.gaps.families.adjust_family`, Holm
    by default). Shortfalls are ordered from the most negative mean, ties by adjusted p.
    Cells without a p-value (Gaps 2–4) can never qualify. ``for_staff`` leaves out cells
    of fewer than 5 respondents (after the correction, which still counts them).
    """
    adjusted = adjust_family(cells, method)
    shortfalls = [
        cell
        for cell in adjusted
        if cell.mean is not None
        and cell.mean < 0
        and cell.adjusted_p is not None
        and cell.adjusted_p < alpha
        and not (for_staff and cell.suppressed_for_staff)
    ]
    shortfalls.sort(key=lambda cell: (cell.mean, cell.adjusted_p))
    if limit is not None:
        shortfalls = shortfalls[:limit]
    return tuple(
        Priority(
            rank=rank,
            key=cell.key,
            gap=cell.gap,
            mean=cell.mean,
            ci_low=cell.ci_low,
            ci_high=cell.ci_high,
            n=cell.n,
            adjusted_p=cell.adjusted_p,
            source=cell.source,
            status=cell.status,
        )
        for rank, cell in enumerate(shortfalls, start=1)
    )
