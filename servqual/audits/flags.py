"""Consistency checks a reviewer sees: contradictions, durations, reused photos, auditor drift."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from servqual.accounts.models import User
from servqual.audits.checklists import checklist_of
from servqual.audits.models import AuditProgramme, Visit, VisitAnswer, VisitStatus
from servqual.audits.queries import visits_sharing_photos
from servqual.extensions import db

NEGATIVE_WORDS = (
    "mal", "mala", "malo", "pésimo", "pesimo", "grosero", "grosera", "sucio", "sucia",
    "demora", "demoró", "tarde", "ignoró", "ignoraron", "no me saludó", "no saludó",
    "nunca", "terrible", "desorden", "rude", "dirty", "late", "ignored", "never", "awful",
    "terrible", "slow", "did not greet", "didn't greet", "unfriendly", "long wait",
)  # fmt: skip
POSITIVE_WORDS = (
    "excelente", "perfecto", "perfecta", "impecable", "muy amable", "rápido", "rapido",
    "excellent", "perfect", "spotless", "very friendly", "quick", "fast",
)  # fmt: skip
#: The least number of scored answers on each side before an auditor is compared.
MIN_ANSWERS = 30
#: The p-value under which an auditor's results are flagged as different.
ALPHA = 0.01


@dataclass(frozen=True)
class Flag:
    """One reason for a reviewer to look twice."""

    kind: str
    message: str


def _words(text: str, words: tuple[str, ...]) -> list[str]:
    lowered = text.lower()
    return [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", lowered)]


def visit_compliance(visit: Visit) -> float | None:
    """Return the visit's weighted compliance (Σ weight·score / Σ weight), or ``None``."""
    scored = [a for a in visit.answers if a.score is not None and not a.is_not_applicable]
    total = sum(a.weight for a in scored)
    if not total:
        return None
    return sum(a.weight * a.score for a in scored) / total


def visit_flags(visit: Visit) -> list[Flag]:
    """Return the consistency flags of one visit."""
    flags: list[Flag] = []
    texts = " ".join(
        [visit.comment or ""]
        + [a.value_text or "" for a in visit.answers if a.question_type == "text"]
    )
    verdicts = [a.is_met for a in visit.answers if a.is_met is not None]
    met_share = sum(verdicts) / len(verdicts) if verdicts else None
    negative = _words(texts, NEGATIVE_WORDS)
    positive = _words(texts, POSITIVE_WORDS)
    if met_share == 1 and negative:
        flags.append(
            Flag(
                "contradiction",
                _(
                    "The remarks sound negative (%(words)s) but every standard is marked as met.",
                    words=", ".join(negative),
                ),
            )
        )
    if met_share is not None and met_share < 0.5 and positive and not negative:
        flags.append(
            Flag(
                "contradiction",
                _(
                    "The remarks sound positive (%(words)s) but most standards are missed.",
                    words=", ".join(positive),
                ),
            )
        )
    limits = checklist_of(visit.programme.instrument_version).duration_limits
    minutes = visit.duration_minutes
    if limits and minutes is not None:
        low, high = limits
        if minutes < low:
            flags.append(
                Flag(
                    "duration",
                    _(
                        "The visit lasted %(minutes)d minutes, less than the plausible %(low)g.",
                        minutes=round(minutes),
                        low=low,
                    ),
                )
            )
        elif minutes > high:
            flags.append(
                Flag(
                    "duration",
                    _(
                        "The visit lasted %(minutes)d minutes, more than the plausible %(high)g.",
                        minutes=round(minutes),
                        high=high,
                    ),
                )
            )
    reused = visits_sharing_photos(visit)
    if reused:
        flags.append(
            Flag(
                "photo",
                _(
                    "A photo of this visit also appears in visit(s) %(ids)s.",
                    ids=", ".join(f"#{v.id}" for v in reused),
                ),
            )
        )
    return flags


@dataclass(frozen=True)
class AuditorDeviation:
    """An auditor whose compliance differs from other auditors' at the same sites."""

    auditor: User
    rate: float
    others_rate: float
    n: int
    others_n: int
    z: float
    p_value: float


def two_proportion_z(met_a: int, n_a: int, met_b: int, n_b: int) -> tuple[float, float]:
    """Return (z, two-sided p) of the pooled two-proportion z-test of p_a = p_b.

    z = (p_a − p_b) / √(p̂(1 − p̂)(1/n_a + 1/n_b)), p̂ = (x_a + x_b)/(n_a + n_b).
    """
    pooled = (met_a + met_b) / (n_a + n_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if spread == 0:
        return 0.0, 1.0
    z = (met_a / n_a - met_b / n_b) / spread
    return z, math.erfc(abs(z) / math.sqrt(2))


def _compare(
    auditor_id: int, by_auditor: dict[int, dict[int, tuple[int, int]]]
) -> AuditorDeviation | None:
    """Test one auditor against the other auditors' answers at the same sites."""
    sites = by_auditor[auditor_id]
    n = sum(v[0] for v in sites.values())
    met = sum(v[1] for v in sites.values())
    others_n = others_met = 0
    for other_id, other_sites in by_auditor.items():
        if other_id == auditor_id:
            continue
        for site_id, (count, good) in other_sites.items():
            if site_id in sites:
                others_n += count
                others_met += good
    if n < MIN_ANSWERS or others_n < MIN_ANSWERS:
        return None
    z, p = two_proportion_z(met, n, others_met, others_n)
    return AuditorDeviation(
        db.session.get(User, auditor_id), met / n, others_met / others_n, n, others_n, z, p
    )


def auditor_deviations(programme: AuditProgramme) -> list[AuditorDeviation]:
    """Flag auditors whose share of met standards differs from the others' at their sites.

    Each auditor is compared with the other auditors' submitted and approved visits at
    the sites the auditor visited (pooled two-proportion z-test, p < ``ALPHA``, at least
    ``MIN_ANSWERS`` answers on each side); flagged auditors leave the comparison one at
    a time, most extreme first.
    """
    rows = db.session.execute(
        sa.select(
            Visit.auditor_id,
            Visit.site_id,
            sa.func.count(VisitAnswer.id),
            sa.func.sum(sa.case((VisitAnswer.is_met.is_(True), 1), else_=0)),
        )
        .join(VisitAnswer, VisitAnswer.visit_id == Visit.id)
        .where(
            Visit.programme_id == programme.id,
            Visit.status.in_([VisitStatus.SUBMITTED, VisitStatus.APPROVED]),
            VisitAnswer.is_met.is_not(None),
        )
        .group_by(Visit.auditor_id, Visit.site_id)
    ).all()
    by_auditor: dict[int, dict[int, tuple[int, int]]] = {}
    for auditor_id, site_id, n, met in rows:
        by_auditor.setdefault(auditor_id, {})[site_id] = (int(n), int(met or 0))
    found: list[AuditorDeviation] = []
    # One outlier makes everyone else look different from "the rest"; so flag the most
    # extreme auditor, leave them out of the comparison, and test the others again.
    while True:
        tests = [_compare(auditor_id, by_auditor) for auditor_id in by_auditor]
        tests = [t for t in tests if t is not None and t.p_value < ALPHA]
        if not tests:
            break
        worst = min(tests, key=lambda t: t.p_value)
        found.append(worst)
        del by_auditor[worst.auditor.id]
    return sorted(found, key=lambda d: d.p_value)
