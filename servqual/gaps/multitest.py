"""Multiplicity correction within a family of tests (statsmodels ``multipletests``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

#: Holm (1979) step-down, the default; Benjamini–Hochberg (1995) false discovery rate.
Correction = Literal["holm", "fdr_bh"]
CORRECTIONS: tuple[str, ...] = ("holm", "fdr_bh")


def adjust_p_values(
    p_values: Sequence[float | None], method: Correction = "holm"
) -> tuple[float | None, ...]:
    """Return adjusted p-values; entries that are None stay None and are not in the family.

    Holm: p₍ᵢ₎ adjusted = max_{j ≤ i} min(1, (m − j + 1) p₍ⱼ₎) (Holm 1979);
    Benjamini–Hochberg: min_{j ≥ i} min(1, m p₍ⱼ₎ / j) (Benjamini & Hochberg 1995);
    m counts only the tests that have a p-value. Equals
    ``statsmodels.stats.multitest.multipletests(method="holm" | "fdr_bh")`` (note that
    its default, "hs", is Holm–Šidák, not Holm); computed here in numpy because
    statsmodels' Holm runs a full ``gc.collect()`` on every call, seconds in a large
    process.
    """
    if method not in CORRECTIONS:
        raise ValueError(f"unknown correction {method!r}; use one of {CORRECTIONS}")
    tested = [i for i, p in enumerate(p_values) if p is not None]
    adjusted: list[float | None] = [None] * len(p_values)
    if not tested:
        return tuple(adjusted)
    raw = np.array([p_values[i] for i in tested], dtype=float)
    order = np.argsort(raw, kind="stable")
    ranked, m = raw[order], raw.size
    if method == "holm":
        steps = np.minimum(1.0, (m - np.arange(m)) * ranked)
        adjusted_sorted = np.maximum.accumulate(steps)
    else:
        steps = np.minimum(1.0, m * ranked / np.arange(1, m + 1))
        adjusted_sorted = np.minimum.accumulate(steps[::-1])[::-1]
    corrected = np.empty(m)
    corrected[order] = adjusted_sorted
    for i, p in zip(tested, corrected, strict=True):
        adjusted[i] = float(p)
    return tuple(adjusted)
