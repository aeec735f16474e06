"""Compliance scores of mystery-shopper audits: pure (standard library and the gaps core only).

A *check* is one answer of an approved visit to a question bound to a service standard,
scored in [0, 1] (1 met, 0 not met, a rating rescaled in between) or not applicable.
The database adapter turns rows into :class:`Check` records; everything here is
arithmetic on them.

Definitions (MEASUREMENT.md, D row and "Gap 3 from audits"):

- *Weight* of a check: the question's weight times its section's weight, as the
  checklist sets them (:func:`check_weight`). A weight of 0 takes the check out.
- *Compliance* of a set of checks: ``r = Σ w·s / Σ w`` over the applicable checks,
  s the check's score; "not applicable" is excluded from the base (it is neither met
  nor failed).
- *Interval*: the Wilson score interval of :func:`servqual.gaps.chain.wilson_interval`
  on ``r`` with an *effective number of trials* ``n*`` (:func:`effective_trials`). Visits
  are the independent units: the checks of one visit share the auditor, the day and the
  staff on duty. With one check per visit and equal weights ``n*`` is the number of
  visits and the interval is the plain Wilson interval.
- *n* of a result is the number of visits behind it; the anonymity rule of the core
  applies to it (fewer than 5: never shown to staff; fewer than 30: indicative).
- *Trend*: compliance per calendar month (``YYYY-MM`` of the visit), oldest first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from servqual.gaps.chain import wilson_interval
from servqual.gaps.status import NOT_ENOUGH_DATA, is_suppressed, sample_status

#: The groupings compliance can be broken down by (attributes of :class:`Check`).
GROUPINGS = ("standard", "pillar", "touchpoint", "site", "auditor", "month")


@dataclass(frozen=True, slots=True)
class Check:
    """One answer of one approved visit bound to a standard; ``score`` None = not applicable."""

    visit: Hashable
    standard: str
    pillar: str
    touchpoint: Hashable
    site: Hashable
    auditor: Hashable
    month: str
    score: float | None
    weight: float = 1.0

    def __post_init__(self) -> None:
        if self.score is not None and not 0 <= self.score <= 1:
            raise ValueError("a check's score lies in [0, 1]")
        if not math.isfinite(self.weight) or self.weight < 0:
            raise ValueError("weights must be finite and not negative")

    @property
    def counts(self) -> bool:
        """Tell whether the check enters the base (applicable and weighted above 0)."""
        return self.score is not None and self.weight > 0


@dataclass(frozen=True, slots=True)
class Compliance:
    """Weighted compliance of a group of checks with its Wilson interval.

    ``met_weight``/``base_weight`` are Σ w·s and Σ w over the applicable checks;
    ``checks`` counts those checks, ``not_applicable`` the ones left out of the base,
    ``visits`` the distinct visits with at least one applicable check.
    """

    key: tuple
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    met_weight: float
    base_weight: float
    checks: int
    not_applicable: int
    visits: int
    effective_n: float | None
    status: str

    @property
    def n(self) -> int:
        """The number of visits behind the figure (the unit of the anonymity rule)."""
        return self.visits

    @property
    def suppressed_for_staff(self) -> bool:
        """True when the figure rests on fewer than 5 visits."""
        return is_suppressed(self.visits)


@dataclass(frozen=True, slots=True)
class Trend:
    """Monthly compliance of one group, oldest month first, and the change first → last."""

    key: tuple
    months: tuple[Compliance, ...]

    @property
    def change(self) -> float | None:
        """Return last month's rate minus the first month's (None with fewer than 2 months)."""
        rated = [m.rate for m in self.months if m.rate is not None]
        return rated[-1] - rated[0] if len(rated) >= 2 else None


def check_weight(question_weight: float = 1.0, section_weight: float = 1.0) -> float:
    """Return the weight of a check: question weight × section weight (both finite, ≥ 0)."""
    for value in (question_weight, section_weight):
        if not math.isfinite(value) or value < 0:
            raise ValueError("weights must be finite and not negative")
    return float(question_weight) * float(section_weight)


def month_of(day: date) -> str:
    """Return the calendar month of a visit as ``YYYY-MM`` (a datetime is a date too)."""
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True, slots=True)
class VisitSums:
    """Mergeable sums behind a weighted compliance rate, one term per visit v.

    With y_v = Σ w·s and x_v = Σ w over the visit's applicable checks: ``visits`` and
    ``checks`` counts, Σy, Σx, Σy², Σxy, Σx² and Σw² (over checks). A database can
    produce them with one nested GROUP BY (per visit, then per cell); ``+`` merges cells.
    """

    visits: int = 0
    checks: int = 0
    y: float = 0.0
    x: float = 0.0
    yy: float = 0.0
    xy: float = 0.0
    xx: float = 0.0
    ww: float = 0.0

    def __add__(self, other: VisitSums) -> VisitSums:
        return VisitSums(*(a + b for a, b in zip(self._values(), other._values(), strict=True)))

    def _values(self) -> tuple:
        return (self.visits, self.checks, self.y, self.x, self.yy, self.xy, self.xx, self.ww)

    @classmethod
    def of_visit(cls, scores_weights: Iterable[tuple[float, float]]) -> VisitSums:
        """Return the sums of one visit from its applicable checks' (score, weight)."""
        pairs = [(s, w) for s, w in scores_weights if w > 0]
        if not pairs:
            return cls()
        y = sum(s * w for s, w in pairs)
        x = sum(w for _, w in pairs)
        ww = sum(w * w for _, w in pairs)
        return cls(1, len(pairs), y, x, y * y, x * y, x * x, ww)

    @classmethod
    def from_checks(cls, checks: Iterable[Check]) -> VisitSums:
        """Return the sums of a set of checks (the not applicable and weight 0 left out)."""
        per_visit: dict[Hashable, list[tuple[float, float]]] = {}
        for c in checks:
            if c.counts:
                per_visit.setdefault(c.visit, []).append((c.score, c.weight))
        total = cls()
        for pairs in per_visit.values():
            total += cls.of_visit(pairs)
        return total

    @property
    def rate(self) -> float | None:
        """Return r = Σy / Σx (None without weight)."""
        return min(1.0, self.y / self.x) if self.x > 0 else None

    def effective_trials(self) -> float | None:
        """Return the effective number of Bernoulli trials n* behind the pooled rate.

        r = Σy / Σx. The linearised variance of this ratio estimator, visits taken as
        independent clusters (Cochran 1977, ch. 6, ratio estimators), is
        V = Σ_v (y_v − r·x_v)² / (Σx)² = (Σy² − 2rΣxy + r²Σx²) / (Σx)², and
        n* = r(1 − r)/V: the number of independent unweighted trials with the same
        variance (Korn & Graubard 1998 use the same device for intervals on survey
        proportions). When V = 0 (r = 0 or 1, or every visit at r) n* is Kish's effective
        number of visits (Σx)²/Σx². n* never exceeds Kish's effective number of checks
        (Σw)²/Σw²: the checks of a visit tell no more than as many independent checks.
        One check of weight w per visit gives n* = the number of visits exactly.
        """
        rate = self.rate
        if rate is None:
            return None
        kish_checks = self.x * self.x / self.ww
        spread = max(0.0, self.yy - 2 * rate * self.xy + rate * rate * self.xx)
        # Below rounding noise of the sums the spread is zero (every visit exactly at r).
        if rate <= 0 or rate >= 1 or spread <= 1e-12 * self.xx:
            return min(self.x * self.x / self.xx, kish_checks)
        return min(rate * (1 - rate) * self.x * self.x / spread, kish_checks)


def compliance_from_sums(
    sums: VisitSums, level: float = 0.95, key: tuple = (), not_applicable: int = 0
) -> Compliance:
    """Return the compliance r = Σ w·s / Σ w of :class:`VisitSums` and its Wilson interval.

    The interval is :func:`~servqual.gaps.chain.wilson_interval` (Wilson 1927) on r with
    n* from :meth:`VisitSums.effective_trials`. No weight: rate None, ``not_enough_data``.
    """
    rate, n_star = sums.rate, sums.effective_trials()
    if rate is None or n_star is None:
        return Compliance(
            key, None, None, None, 0.0, 0.0, 0, not_applicable, 0, None, NOT_ENOUGH_DATA
        )
    low, high = wilson_interval(rate * n_star, n_star, level)
    return Compliance(
        key=key,
        rate=rate,
        ci_low=low,
        ci_high=high,
        met_weight=sums.y,
        base_weight=sums.x,
        checks=sums.checks,
        not_applicable=not_applicable,
        visits=sums.visits,
        effective_n=n_star,
        status=sample_status(sums.visits),
    )


def compliance(checks: Iterable[Check], level: float = 0.95, key: tuple = ()) -> Compliance:
    """Return the weighted compliance r = Σ w·s / Σ w of ``checks`` and its Wilson interval.

    Not-applicable checks are counted but left out of the base (see
    :func:`compliance_from_sums` and :meth:`VisitSums.effective_trials`).
    """
    every = list(checks)
    not_applicable = sum(1 for c in every if c.score is None)
    return compliance_from_sums(VisitSums.from_checks(every), level, key, not_applicable)


def _key_function(by: str | Sequence[str]) -> tuple[tuple[str, ...], Callable[[Check], tuple]]:
    names = (by,) if isinstance(by, str) else tuple(by)
    unknown = [name for name in names if name not in GROUPINGS]
    if unknown:
        raise ValueError(f"unknown grouping {', '.join(unknown)} (use: {', '.join(GROUPINGS)})")
    return names, lambda check: tuple(getattr(check, name) for name in names)


def group_checks(checks: Iterable[Check], by: str | Sequence[str]) -> dict[tuple, list[Check]]:
    """Split checks by one or more :data:`GROUPINGS`, keyed by the tuple of their values."""
    _names, key_of = _key_function(by)
    groups: dict[tuple, list[Check]] = {}
    for check in checks:
        groups.setdefault(key_of(check), []).append(check)
    return groups


def compliance_by(
    checks: Iterable[Check], by: str | Sequence[str], level: float = 0.95
) -> dict[tuple, Compliance]:
    """Return the compliance of every group of ``by`` (e.g. ``("site", "pillar")``).

    Each group's figure is :func:`compliance` of its own checks; groups whose checks are
    all not applicable are kept with rate None so that a heatmap can say so.
    """
    return {key: compliance(found, level, key) for key, found in group_checks(checks, by).items()}


def monthly_trend(
    checks: Iterable[Check], by: str | Sequence[str] = (), level: float = 0.95
) -> dict[tuple, Trend]:
    """Return, per group of ``by`` (the whole set when empty), compliance month by month."""
    names = (by,) if isinstance(by, str) else tuple(by)
    if "month" in names:
        raise ValueError("month is the trend's own axis")
    trends = {}
    for key, found in group_checks(checks, names).items():
        months = group_checks(found, "month")
        trends[key] = Trend(
            key, tuple(compliance(months[m], level, key + m) for m in sorted(months))
        )
    return trends


def worst_standards(
    checks: Iterable[Check], limit: int = 10, min_visits: int = 5, level: float = 0.95
) -> list[Compliance]:
    """Return the standards with the lowest compliance, worst first.

    Ordered by the upper end of the Wilson interval, then the rate: a standard is
    ranked by how good it could plausibly be, so a bad rate on few visits does not
    outrank a bad rate that is certain. Standards on fewer than ``min_visits`` visits
    are left out (by default the anonymity floor of 5).
    """
    ranked = [
        c
        for c in compliance_by(checks, "standard", level).values()
        if c.rate is not None and c.visits >= min_visits
    ]
    ranked.sort(key=lambda c: (c.ci_high, c.rate, c.key))
    return ranked[:limit]
