"""Shared assertions for the statistics-core tests."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

#: Statuses a result may carry (servqual.gaps.status).
STATUSES = {
    "ok",
    "indicative",
    "not_enough_data",
    "zero_variance",
    "too_few_items",
    "no_items",
    "singular",
    "missing_dimension",
    "uncovered",
    "not_promised",
    "not_converged",
    "suppressed",
}


def float_fields(value: Any, path: str = "result") -> list[tuple[str, float]]:
    """Return every float reachable from ``value`` (dataclass fields, tuples, arrays)."""
    found: list[tuple[str, float]] = []
    if isinstance(value, bool | int | str) or value is None:
        return found
    if isinstance(value, float):
        return [(path, value)]
    if isinstance(value, np.ndarray):
        return [(f"{path}[{i}]", float(v)) for i, v in enumerate(value.ravel())]
    if isinstance(value, tuple | list):
        for i, item in enumerate(value):
            found += float_fields(item, f"{path}[{i}]")
        return found
    if dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            found += float_fields(getattr(value, field.name), f"{path}.{field.name}")
        return found
    raise AssertionError(f"{path} has an unexpected type {type(value).__name__}")


def assert_no_nan(result: Any) -> None:
    """Fail if any float field (nested too) is NaN or infinite, or a status is unknown."""
    for path, number in float_fields(result):
        assert not math.isnan(number), f"{path} is NaN"
        assert not math.isinf(number), f"{path} is infinite"
    assert_known_statuses(result)


def assert_known_statuses(value: Any) -> None:
    """Fail if a ``status`` anywhere in the result is not one of the documented ones."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            item = getattr(value, field.name)
            if field.name == "status":
                assert item in STATUSES, f"unknown status {item!r}"
            else:
                assert_known_statuses(item)
    elif isinstance(value, tuple | list):
        for item in value:
            assert_known_statuses(item)


def expand(values: Any, counts: Any) -> np.ndarray:
    """Return the raw observations of a histogram (value repeated count times)."""
    return np.repeat(np.asarray(values, dtype=float), np.asarray(counts, dtype=int))
