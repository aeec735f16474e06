"""SQL read of the database adapter for D from mystery-shopper audits (Gaps 3 and 4).

Part of the adapter (:mod:`servqual.gaps.sources`): the one place the gap engine reads
audit answers. Definitions it adds to MEASUREMENT.md:

- *What counts*: scored, applicable answers bound to a standard, of **approved** visits
  only (returned, rejected, submitted or unfinished visits never count), at the scope's
  sites, whose visit was scheduled within the wave's dates (``opens_on``–``closes_on``
  of the campaign; a missing end leaves that side open).
- *Cell*: touchpoint × pillar. An answer counts at its section's touchpoint (else the
  visit's) towards the pillar of its standard. Standards reach items through their
  pillar (``item_pillars``), so the pillar is the finest level at which an audit and an
  item meet; the chain is built per touchpoint × pillar.
- *Rate and interval*: the checklist-weighted compliance r = Σ w·s / Σ w and its
  Wilson interval on the effective number of trials of
  :meth:`servqual.audits.scoring.VisitSums.effective_trials` (visits are the independent
  units), the same figures as the audit section of the dashboard.
"""

from __future__ import annotations

import sqlalchemy as sa

from servqual.audits.models import Visit, VisitAnswer, VisitStatus
from servqual.audits.scoring import VisitSums
from servqual.gaps.assemble import AuditCompliance
from servqual.gaps.wave import Scope
from servqual.service.models import Pillar, Standard
from servqual.surveys.models import Campaign


def audit_compliance(
    session, scope: Scope, touchpoints: list[int], pillars: tuple[str, ...]
) -> dict[tuple[int, str], AuditCompliance]:
    """Return (touchpoint id, pillar code) → compliance of approved visits in the wave.

    One nested GROUP BY: per visit, touchpoint and pillar the sums y = Σ w·s, x = Σ w,
    Σ w² and the number of checks; then per touchpoint and pillar the mergeable
    :class:`~servqual.audits.scoring.VisitSums` (Σy, Σx, Σy², Σxy, Σx², Σw²).
    """
    if not touchpoints or not pillars:
        return {}
    campaign = session.get(Campaign, scope.campaign_id)
    touchpoint = sa.func.coalesce(VisitAnswer.touchpoint_id, Visit.touchpoint_id)
    conditions = [
        Visit.status == VisitStatus.APPROVED,
        VisitAnswer.score.is_not(None),
        VisitAnswer.is_not_applicable.is_(False),
        VisitAnswer.weight > 0,
        touchpoint.in_(touchpoints),
        Pillar.code.in_(pillars),
    ]
    if scope.site_ids is not None:
        conditions.append(Visit.site_id.in_(scope.site_ids))
    if campaign is not None and campaign.opens_on is not None:
        conditions.append(Visit.scheduled_on >= campaign.opens_on)
    if campaign is not None and campaign.closes_on is not None:
        conditions.append(Visit.scheduled_on <= campaign.closes_on)
    weight = sa.cast(VisitAnswer.weight, sa.Float)
    inner = (
        sa.select(
            touchpoint.label("tp"),
            Pillar.code.label("pillar"),
            sa.func.sum(weight * VisitAnswer.score).label("y"),
            sa.func.sum(weight).label("x"),
            sa.func.sum(weight * weight).label("ww"),
            sa.func.count().label("checks"),
        )
        .select_from(VisitAnswer)
        .join(Visit, Visit.id == VisitAnswer.visit_id)
        .join(Standard, Standard.id == VisitAnswer.standard_id)
        .join(Pillar, Pillar.id == Standard.pillar_id)
        .where(*conditions)
        .group_by(Visit.id, touchpoint, Pillar.code)
        .subquery()
    )
    y, x = inner.c.y, inner.c.x
    outer = sa.select(
        inner.c.tp,
        inner.c.pillar,
        sa.func.count(),
        sa.func.sum(inner.c.checks),
        sa.func.sum(y),
        sa.func.sum(x),
        sa.func.sum(y * y),
        sa.func.sum(x * y),
        sa.func.sum(x * x),
        sa.func.sum(inner.c.ww),
    ).group_by(inner.c.tp, inner.c.pillar)
    found = {}
    for tp, pillar, visits, checks, *moments in session.execute(outer):
        sums = VisitSums(int(visits), int(checks), *(float(m) for m in moments))
        rate, n_star = sums.rate, sums.effective_trials()
        if rate is not None and n_star is not None:
            found[int(tp), pillar] = AuditCompliance(rate, n_star, sums.visits)
    return found
