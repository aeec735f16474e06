"""Result statuses and the anonymity rule shared by every result of the statistics core.

Every result carries a ``status`` saying whether its numbers can be read as they are:

- ``ok``: enough data (n ≥ 30);
- ``indicative``: computed, but on fewer than 30 respondents;
- ``not_enough_data``: too few observations for the statistic (n = 0, n = 1, …);
- ``zero_variance``: every observation equal, so no test or standardised effect exists;
- ``too_few_items``: a scale with fewer than two items (Cronbach's α, factor analysis);
- ``no_items``: a pillar or dimension to which no item is mapped;
- ``singular``: a correlation or design matrix that cannot be inverted;
- ``missing_dimension``: an overall score asked for while a dimension has no data;
- ``uncovered``: an item with no documented standard at a touchpoint (no S, a Gap 2 finding);
- ``not_promised``: an item with no communicated promise (no C, so no Gap 4);
- ``not_converged``: an iterative fit (factor analysis) that warned or did not converge;
- ``suppressed``: blanked by :func:`blank_for_staff` because n < 5 (anonymity).

Numbers that cannot be computed are ``None``, never NaN.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, TypeVar

OK = "ok"
INDICATIVE = "indicative"
NOT_ENOUGH_DATA = "not_enough_data"
ZERO_VARIANCE = "zero_variance"
TOO_FEW_ITEMS = "too_few_items"
NO_ITEMS = "no_items"
SINGULAR = "singular"
MISSING_DIMENSION = "missing_dimension"
UNCOVERED = "uncovered"
NOT_PROMISED = "not_promised"
NOT_CONVERGED = "not_converged"
SUPPRESSED = "suppressed"

#: Below this many respondents a result is never shown to staff or customers.
MIN_N_SHOWN = 5
#: Below this many respondents a result is shown as "indicative".
MIN_N_CONFIRMED = 30

ResultT = TypeVar("ResultT")


def sample_status(n: int) -> str:
    """Return ``indicative`` when n < 30, else ``ok`` (MEASUREMENT.md, "Small cells")."""
    return INDICATIVE if n < MIN_N_CONFIRMED else OK


def is_suppressed(n: int) -> bool:
    """Return whether a result on ``n`` respondents must be hidden from staff (n < 5)."""
    return n < MIN_N_SHOWN


def finite_or_none(value: float | None) -> float | None:
    """Return ``value`` as a float, or None when it is None, NaN or infinite."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def blank_for_staff(result: ResultT) -> ResultT:
    """Return ``result`` with every number blanked if it is suppressed for staff (n < 5).

    Counts (integers such as ``n``), labels and flags are kept so that a report can say
    "fewer than 5 answers"; every float (also inside tuples and nested results) becomes
    None and every ``status`` becomes ``suppressed``. Results that are not suppressed
    are returned unchanged.
    """
    if not getattr(result, "suppressed_for_staff", False):
        return result
    return _blank(result)


def _blank(value: Any) -> Any:
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        return None
    if isinstance(value, tuple):
        return tuple(_blank(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: SUPPRESSED if field.name == "status" else _blank(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if field.init
        }
        return dataclasses.replace(value, **changes)
    # Arrays and anything else numeric: drop rather than risk showing it.
    return None
