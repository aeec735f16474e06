"""Array helpers of :mod:`servqual.gaps.accumulate`: sums of one chunk of respondents.

Pure numpy. The moments avoid BLAS: a threaded dot product of one vector costs more in
thread wake-ups than in arithmetic on a shared machine.
"""

from __future__ import annotations

import numpy as np

from servqual.gaps.stats import CrossProducts, Moments


def cross_products(data: np.ndarray) -> CrossProducts:
    """(n, Σx, Σxxᵀ) of rows already complete (no NaN): :meth:`CrossProducts.from_array`."""
    return CrossProducts(int(data.shape[0]), data.sum(axis=0), data.T @ data)


def moments(values: np.ndarray) -> Moments:
    """(n, Σx, Σx²) of values with no NaN, without BLAS."""
    return Moments(int(values.size), float(values.sum()), float((values * values).sum()))


def column_moments(data: np.ndarray) -> list[Moments]:
    """:func:`moments` of each column of ``data`` (respondents × columns), NaN dropped."""
    keep = ~np.isnan(data)
    zeroed = np.where(keep, data, 0.0)
    counts, totals, squares = keep.sum(axis=0), zeroed.sum(axis=0), (zeroed * zeroed).sum(axis=0)
    return [
        Moments(int(n), float(t), float(s)) for n, t, s in zip(counts, totals, squares, strict=True)
    ]


def pair_maps(low: int, high: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """0/1 matrices from the 256 answer-pair bytes to E, P (low..high) and G (low − high..)."""
    width = high - low + 1
    to_e, to_p = np.zeros((256, width), np.int64), np.zeros((256, width), np.int64)
    to_g = np.zeros((256, 2 * width - 1), np.int64)
    for byte in range(256):
        e, p = (byte & 15) - 1, (byte >> 4) - 1
        if e >= 0 and low <= e <= high:
            to_e[byte, e - low] = 1
        if p >= 0 and low <= p <= high:
            to_p[byte, p - low] = 1
        if e >= 0 and p >= 0 and abs(p - e) <= width - 1:
            to_g[byte, p - e + width - 1] = 1
    return to_e, to_p, to_g
