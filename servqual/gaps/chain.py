"""Gaps 2–4 and the waterfall E → M → S → D, with C and P beside it.

S (specification) and C (communicated promise) are ratings given once by a small team:
they carry no sampling error, so Gaps 2–4 are reported as values and differences, never
with p-values (MEASUREMENT.md, "Inference"). D (delivery) comes from a
:class:`DeliverySource`; the estimate carries its own interval and always its source.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from scipy import stats as sps

from servqual.gaps.stats import Sample, as_moments
from servqual.gaps.status import (
    NOT_ENOUGH_DATA,
    NOT_PROMISED,
    OK,
    UNCOVERED,
    ZERO_VARIANCE,
    is_suppressed,
    sample_status,
)

#: Labels of the two delivery sources that exist today.
AUDIT_SOURCE = "audit compliance"
RATINGS_SOURCE = "delivery ratings"


@dataclass(frozen=True, slots=True)
class DeliveryEstimate:
    """D on the item's scale, its interval, the number of observations and its source."""

    source: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    status: str
    compliance_rate: float | None = None

    @property
    def suppressed_for_staff(self) -> bool:
        """True when D rests on fewer than 5 observations."""
        return is_suppressed(self.n)


@runtime_checkable
class DeliverySource(Protocol):
    """Anything that can estimate D, the delivered level, on the item's scale."""

    def estimate(self, level: float = 0.95) -> DeliveryEstimate:
        """Return D with its interval and source label."""
        ...


def wilson_interval(successes: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson (1927) score interval for a proportion p̂ = k/n.

    (p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n), z = Φ⁻¹(1 − α/2).
    Equals ``statsmodels.stats.proportion.proportion_confint(k, n, method="wilson")``.
    Needs n ≥ 1.
    """
    z = float(sps.norm.ppf(0.5 + level / 2))
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    # The interval always holds p̂ (exactly 0 at k = 0, 1 at k = n); rounding must not move
    # a bound past it.
    return (min(max(0.0, centre - half), p), max(min(1.0, centre + half), p))


@dataclass(frozen=True, slots=True)
class RatingsDelivery:
    """D from supervisor or staff delivery ratings (used where no audit exists)."""

    ratings: Sample
    source: str = RATINGS_SOURCE

    def estimate(self, level: float = 0.95) -> DeliveryEstimate:
        """Return D = mean rating with its t interval x̄ ± t_{1−α/2, n−1}·s/√n (Student)."""
        m = as_moments(self.ratings)
        if m.n < 2:
            return DeliveryEstimate(self.source, m.mean, None, None, m.n, NOT_ENOUGH_DATA)
        interval = m.t_interval(level)
        if interval is None:
            return DeliveryEstimate(self.source, m.mean, None, None, m.n, ZERO_VARIANCE)
        return DeliveryEstimate(self.source, m.mean, *interval, m.n, sample_status(m.n))


@dataclass(frozen=True, slots=True)
class AuditDelivery:
    """D from mystery-shopper audits: ``met`` of ``applicable`` checks of the mapped standards.

    Each applicable check is one Bernoulli trial; the adapter decides what a trial is
    (a standard checked on a visit, or a whole visit).
    """

    met: int
    applicable: int
    scale_low: float
    scale_high: float
    source: str = AUDIT_SOURCE

    def __post_init__(self) -> None:
        if not 0 <= self.met <= self.applicable:
            raise ValueError("need 0 ≤ met ≤ applicable")
        if self.scale_high <= self.scale_low:
            raise ValueError("the scale's high end must exceed its low end")

    def to_scale(self, rate: float) -> float:
        """Map a compliance rate r ∈ [0, 1] onto the item scale: low + (high − low)·r."""
        return self.scale_low + (self.scale_high - self.scale_low) * rate

    def estimate(self, level: float = 0.95) -> DeliveryEstimate:
        """Return D = low + (high − low)·r, r = met/applicable, with the Wilson interval mapped."""
        if self.applicable == 0:
            return DeliveryEstimate(self.source, None, None, None, 0, NOT_ENOUGH_DATA)
        rate = self.met / self.applicable
        low, high = wilson_interval(self.met, self.applicable, level)
        return DeliveryEstimate(
            source=self.source,
            value=self.to_scale(rate),
            ci_low=self.to_scale(low),
            ci_high=self.to_scale(high),
            n=self.applicable,
            status=sample_status(self.applicable),
            compliance_rate=rate,
        )


@dataclass(frozen=True, slots=True)
class RatedGap:
    """Gap 2, 3 or 4: a difference of levels, reported as a value without p or interval."""

    gap: str
    value: float | None
    minuend: float | None
    subtrahend: float | None
    n: int | None
    source: str | None
    delivery: DeliveryEstimate | None
    status: str

    @property
    def suppressed_for_staff(self) -> bool:
        """True when the sampled side (managers, delivery) has fewer than 5 observations."""
        return self.n is not None and is_suppressed(self.n)


def gap2(specification: float | None, management: Sample | float | None) -> RatedGap:
    """Gap 2 (standards gap) = S − M; no S means the item is uncovered at the touchpoint.

    M may be given as the managers' Moments/Histogram (its mean is used and its n kept
    for the anonymity rule) or as a plain mean. Zeithaml, Berry & Parasuraman (1988).
    """
    if management is None or isinstance(management, numbers.Real):
        m, n = (None if management is None else float(management)), None
    else:
        moments = as_moments(management)
        m, n = moments.mean, moments.n
    value = specification - m if specification is not None and m is not None else None
    status = UNCOVERED if specification is None else NOT_ENOUGH_DATA if m is None else OK
    return RatedGap("Gap 2", value, specification, m, n, None, None, status)


def _delivery_gap(
    gap: str, delivery: DeliveryEstimate | None, reference: float | None, missing: str
) -> RatedGap:
    d = delivery.value if delivery is not None else None
    n = delivery.n if delivery is not None else None
    source = delivery.source if delivery is not None else None
    if reference is None:
        status = missing
    elif d is None:
        status = NOT_ENOUGH_DATA
    else:
        status = sample_status(n)
    value = d - reference if d is not None and reference is not None else None
    return RatedGap(gap, value, d, reference, n, source, delivery, status)


def gap3(delivery: DeliveryEstimate | None, specification: float | None) -> RatedGap:
    """Gap 3 (delivery gap) = D − S; carries D's source and interval, no p-value."""
    return _delivery_gap("Gap 3", delivery, specification, UNCOVERED)


def gap4(delivery: DeliveryEstimate | None, communication: float | None) -> RatedGap:
    """Gap 4 (communication gap) = D − C; negative means over-promising."""
    return _delivery_gap("Gap 4", delivery, communication, NOT_PROMISED)


@dataclass(frozen=True, slots=True)
class ChainLevels:
    """The levels of one item or pillar at one touchpoint, all on the item's scale."""

    expectation: float | None
    management: float | None
    specification: float | None
    delivery: DeliveryEstimate | None
    communication: float | None
    perception: float | None


@dataclass(frozen=True, slots=True)
class WaterfallStep:
    """One step of the waterfall: a gap from one level to the next."""

    gap: str
    start_level: str
    end_level: str
    start: float | None
    end: float | None
    change: float | None


@dataclass(frozen=True, slots=True)
class Waterfall:
    """E → M → S → D (Gaps 1–3) with Gap 4 (D − C) and Gap 5 (P − E) beside it."""

    levels: ChainLevels
    steps: tuple[WaterfallStep, ...]
    gap4: float | None
    gap5: float | None
    chain_total: float | None
    delivery_minus_expectation: float | None
    telescopes: bool | None
    delivery_source: str | None
    status: str


def _difference(end: float | None, start: float | None) -> float | None:
    return end - start if end is not None and start is not None else None


def waterfall(levels: ChainLevels) -> Waterfall:
    """Build the waterfall and check the telescoping identity.

    (M − E) + (S − M) + (D − S) = D − E: the three steps add up to the total loss from
    expectation to delivery (MEASUREMENT.md, "The five gaps"). Gap 4 = D − C branches off
    D; Gap 5 = P − E (of the level means) is what customers finally report. Without S
    the item is ``uncovered`` and Gaps 2 and 3 are missing.
    """
    d = levels.delivery.value if levels.delivery is not None else None
    chain = [
        ("Gap 1", "E", "M", levels.expectation, levels.management),
        ("Gap 2", "M", "S", levels.management, levels.specification),
        ("Gap 3", "S", "D", levels.specification, d),
    ]
    steps = tuple(
        WaterfallStep(gap, a, b, start, end, _difference(end, start))
        for gap, a, b, start, end in chain
    )
    changes = [step.change for step in steps]
    total = sum(changes) if all(c is not None for c in changes) else None
    overall = _difference(d, levels.expectation)
    telescopes = None
    if total is not None and overall is not None:
        telescopes = math.isclose(total, overall, rel_tol=1e-12, abs_tol=1e-9)
    if levels.specification is None:
        status = UNCOVERED
    elif None in (levels.expectation, levels.management, d):
        status = NOT_ENOUGH_DATA
    else:
        status = OK
    return Waterfall(
        levels=levels,
        steps=steps,
        gap4=_difference(d, levels.communication),
        gap5=_difference(levels.perception, levels.expectation),
        chain_total=total,
        delivery_minus_expectation=overall,
        telescopes=telescopes,
        delivery_source=levels.delivery.source if levels.delivery is not None else None,
        status=status,
    )


def waterfalls(levels: Mapping[str, ChainLevels]) -> dict[str, Waterfall]:
    """Return the waterfall of every item or pillar, keyed as given."""
    return {key: waterfall(value) for key, value in levels.items()}
