"""PQR figures for the dashboard and the reports, from plain rows (no database, no Flask).

- Volume: cases counted by request type, touchpoint, pillar or SERVQUAL dimension.
- Complaints per thousand survey responses: quejas + reclamos filed in the period at the
  sites, over the survey responses of the same period and sites, times 1,000.
- On-time rate: cases answered on or before their (current) due date, over the cases
  that are answered or whose due date has passed (an open case still within its term is
  not counted yet; an open case past its due date counts as late).
- Time to answer, in **business days** of the deadline clock (days after filing, as in
  ``BusinessCalendar.business_days_between``): median and 90th percentile read from the
  Kaplan–Meier curve of statsmodels' ``SurvfuncRight``, with cases still open counted as
  censored at ``as_of``. ``SurvfuncRight.quantile(p)`` returns the first time at which the
  estimated survival drops to ``1 - p`` or below (NaN when the curve never gets there,
  e.g. most cases are still open): we return None then.
- Reopen rate: answered cases that were reopened at least once, over the answered cases.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from statsmodels.duration.survfunc import SurvfuncRight

#: Request types counted as complaints (quejas y reclamos).
COMPLAINT_TYPES = ("complaint", "claim")


@dataclass(frozen=True)
class CaseRow:
    """One case, as the analytics need it."""

    request_type: str
    site_id: int
    filed_on: date
    #: The current due date (moved by pauses and the extension).
    due_on: date
    #: The day of the answer in the organisation's time zone; None while open.
    answered_on: date | None = None
    touchpoint: str | None = None
    pillar: str | None = None
    dimension: str | None = None
    reopen_count: int = 0


@dataclass(frozen=True)
class Rate:
    """A share: ``count`` of ``total`` (``rate`` None when nothing is counted)."""

    count: int
    total: int

    @property
    def rate(self) -> float | None:
        """Return count / total, or None when total is 0."""
        return self.count / self.total if self.total else None


@dataclass(frozen=True)
class TimeToAnswer:
    """Median and 90th percentile of business days to answer (None: not reached yet)."""

    median: float | None
    p90: float | None
    answered: int
    censored: int


def volume_by(rows: Iterable[CaseRow], attribute: str) -> dict[Hashable, int]:
    """Count cases by ``attribute`` (request_type, touchpoint, pillar, dimension, site_id).

    Cases without a value (not classified yet) are counted under None. Ordered by count,
    largest first.
    """
    counts = Counter(getattr(row, attribute) for row in rows)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], str(item[0]))))


def complaints_per_thousand(rows: Iterable[CaseRow], responses: int) -> float | None:
    """Return quejas + reclamos per 1,000 survey responses (None without responses)."""
    complaints = sum(1 for row in rows if row.request_type in COMPLAINT_TYPES)
    if responses <= 0:
        return None
    return 1000 * complaints / responses


def on_time(rows: Iterable[CaseRow], as_of: date) -> Rate:
    """Return answered-on-time over cases answered or past their due date on ``as_of``."""
    count = total = 0
    for row in rows:
        if row.answered_on is None and row.due_on >= as_of:
            continue
        total += 1
        if row.answered_on is not None and row.answered_on <= row.due_on:
            count += 1
    return Rate(count, total)


def reopen_rate(rows: Iterable[CaseRow]) -> Rate:
    """Return cases reopened at least once over cases answered at least once."""
    answered = [row for row in rows if row.answered_on is not None or row.reopen_count > 0]
    return Rate(sum(1 for row in answered if row.reopen_count > 0), len(answered))


def durations(
    rows: Iterable[CaseRow], as_of: date, days_between: Callable[[date, date], int]
) -> tuple[list[float], list[int]]:
    """Return (days to answer or to ``as_of``, 1 = answered / 0 = still open) per case."""
    times: list[float] = []
    status: list[int] = []
    for row in rows:
        end = row.answered_on if row.answered_on is not None else as_of
        times.append(float(days_between(row.filed_on, end)))
        status.append(1 if row.answered_on is not None else 0)
    return times, status


def _quantile(fit: SurvfuncRight, p: float) -> float | None:
    value = float(fit.quantile(p))
    return None if math.isnan(value) else value


def time_to_answer(
    rows: Sequence[CaseRow], as_of: date, days_between: Callable[[date, date], int]
) -> TimeToAnswer:
    """Return median and 90th percentile days to answer, open cases censored at ``as_of``.

    ``days_between(start, end)`` counts the days in ``(start, end]`` (the business days of
    the deadline clock's calendar in the app).
    """
    times, status = durations(rows, as_of, days_between)
    answered = sum(status)
    if not answered:
        return TimeToAnswer(None, None, 0, len(times))
    fit = SurvfuncRight(np.asarray(times), np.asarray(status))
    return TimeToAnswer(_quantile(fit, 0.5), _quantile(fit, 0.9), answered, len(times) - answered)


@dataclass(frozen=True)
class Summary:
    """The PQR figures of one scope."""

    cases: int
    by_type: dict[Hashable, int]
    by_touchpoint: dict[Hashable, int]
    by_pillar: dict[Hashable, int]
    by_dimension: dict[Hashable, int]
    responses: int
    complaints_per_thousand: float | None
    on_time: Rate
    time_to_answer: TimeToAnswer
    reopen: Rate


def summarise(
    rows: Sequence[CaseRow],
    responses: int,
    as_of: date,
    days_between: Callable[[date, date], int],
) -> Summary:
    """Return every PQR figure of ``rows`` (cases filed in the period at the sites)."""
    return Summary(
        cases=len(rows),
        by_type=volume_by(rows, "request_type"),
        by_touchpoint=volume_by(rows, "touchpoint"),
        by_pillar=volume_by(rows, "pillar"),
        by_dimension=volume_by(rows, "dimension"),
        responses=responses,
        complaints_per_thousand=complaints_per_thousand(rows, responses),
        on_time=on_time(rows, as_of),
        time_to_answer=time_to_answer(rows, as_of, days_between),
        reopen=reopen_rate(rows),
    )
