"""Synthetic survey data for the demo: two waves of responses, M, S, C and D ratings.

Gaps differ by touchpoint and by pillar on purpose, some clearly, some within noise,
so that the dashboard has real findings and real non-findings to show.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from servqual.accounts.models import User
from servqual.extensions import db
from servqual.service.models import ItemPillar, Pillar
from servqual.surveys.aggregates import record_responses
from servqual.surveys.internal_models import (
    CommunicationRating,
    DeliveryRating,
    ManagementRating,
    SpecificationRating,
)
from servqual.surveys.internal_operations import latest_version
from servqual.surveys.models import Answer, Campaign, ImportancePoints, Response
from servqual.surveys.steps import importance_item, instrument_of, scored_items

#: Extra shortfall (scale points) per pillar code and per touchpoint code.
PILLAR_SHORTFALL = {"AGIL": -1.2, "CALIDEZ": -0.2, "CUMPLIR": -0.7, "CLARIDAD": -0.9, "SEGURO": 0.1}
TOUCHPOINT_SHORTFALL = {
    "TURNO": -1.0,
    "LLAMADA": -0.8,
    "RESPUESTA": -0.6,
    "LLEGADA": 0.3,
    "ASESORIA": 0.1,
    "FIRMA": -0.2,
    "AUTOGESTION": -0.3,
    "DESEMBOLSO": -0.5,
}
SEGMENTS = [("loyal", 0.45), ("new", 0.35), ("vulnerable", 0.2)]


def _clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _segment(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for name, share in SEGMENTS:
        total += share
        if roll <= total:
            return name
    return SEGMENTS[-1][0]


def build(campaigns: list[Campaign], per_link: int, seed: int = 20261122) -> int:
    """Add responses to the campaigns' links (older waves do a little worse); return the count."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    pillars_of: dict[str, list[str]] = {}
    for code, pillar in db.session.execute(
        sa.select(ItemPillar.item_code, Pillar.code).join(Pillar)
    ):
        pillars_of.setdefault(code, []).append(pillar)
    count = 0
    for wave_index, campaign in enumerate(campaigns):
        improvement = 0.35 * wave_index  # later waves close part of the gap
        instrument = instrument_of(campaign)
        items = scored_items(instrument)
        low, high = items[0].params["min"], items[0].params["max"]
        allocation = importance_item(instrument)
        start = datetime.combine(
            campaign.opens_on or date(2026, 1, 1), datetime.min.time(), tzinfo=UTC
        )
        responses, answers, points = [], [], []
        for link in campaign.links:
            tp_effect = TOUCHPOINT_SHORTFALL.get(link.touchpoint.code, 0.0)
            site_effect = {"BOG": 0.0, "MDE": 0.25, "CLO": -0.3}.get(
                link.site.code if link.site else "", 0.0
            )
            for _ in range(per_link):
                response_id = len(responses)  # an index, replaced by the real id below
                segment = _segment(rng)
                leniency = rng.gauss(0, 0.5)
                overall_gaps = []
                for item in items:
                    pillar_effect = sum(
                        PILLAR_SHORTFALL.get(p, 0) for p in pillars_of.get(item.code, [])
                    ) / max(1, len(pillars_of.get(item.code, [])))
                    expected = _clip(rng.gauss(6.2, 0.7), low, high)
                    gap = pillar_effect + tp_effect + site_effect + improvement - 0.3
                    perceived = _clip(expected + gap + leniency + rng.gauss(0, 1.0), low, high)
                    if rng.random() < 0.03:
                        expected = None  # not applicable
                    if expected is not None:
                        overall_gaps.append(perceived - expected)
                    answers.append(
                        {
                            "response_id": response_id,
                            "item_code": item.code,
                            "e": expected,
                            "p": perceived,
                            "a": None,
                            "ds": None,
                        }
                    )
                mean_gap = sum(overall_gaps) / max(1, len(overall_gaps))
                responses.append(
                    {
                        "campaign_id": campaign.id,
                        "instrument_version_id": campaign.instrument_version_id,
                        "touchpoint_id": link.touchpoint_id,
                        "site_id": link.site_id,
                        "channel_id": link.touchpoint.channel_id,
                        "segment": segment,
                        "language": "es" if rng.random() < 0.9 else "en",
                        "source": "link",
                        "submission_key": f"demo-{campaign.id}-{response_id}",
                        "submitted_at": start + timedelta(minutes=rng.randrange(0, 60 * 24 * 60)),
                        "overall_quality": _clip(5.6 + mean_gap + rng.gauss(0, 0.6), low, high),
                        "recommend": _clip(7.5 + 1.5 * mean_gap + rng.gauss(0, 1.2), 0, 10),
                        "comment": None,
                        "may_contact": rng.random() < 0.3,
                    }
                )
                if allocation is not None:
                    weights = [rng.random() + 0.2 for _ in allocation.params["among"]]
                    shares = [round(100 * w / sum(weights)) for w in weights]
                    shares[-1] = 100 - sum(shares[:-1])
                    points.extend(
                        {"response_id": response_id, "dimension": dim, "points": share}
                        for dim, share in zip(allocation.params["among"], shares, strict=True)
                    )
                count += 1
        ids = db.session.scalars(
            sa.insert(Response).returning(Response.id, sort_by_parameter_order=True), responses
        ).all()
        for row in answers:
            row["response_id"] = ids[row["response_id"]]
        for row in points:
            row["response_id"] = ids[row["response_id"]]
        db.session.execute(sa.insert(Answer), answers)
        if points:
            db.session.execute(sa.insert(ImportancePoints), points)
        record_responses(campaign, ids)
        _internal_ratings(campaign, items, pillars_of, rng, improvement)
    db.session.flush()
    return count


def _internal_ratings(campaign, items, pillars_of, rng: random.Random, improvement: float):
    managers = db.session.scalars(sa.select(User).where(User.role.in_(("manager", "admin")))).all()
    admin = next(u for u in managers if u.role == "admin")
    version = latest_version("gap1-management")
    for touchpoint in campaign.touchpoints:
        tp_effect = TOUCHPOINT_SHORTFALL.get(touchpoint.code, 0.0)
        for item in items:
            pillar_effect = sum(PILLAR_SHORTFALL.get(p, 0) for p in pillars_of.get(item.code, []))
            for manager in managers:
                db.session.add(
                    ManagementRating(
                        campaign_id=campaign.id,
                        instrument_version_id=version.id,
                        user_id=manager.id,
                        touchpoint_id=touchpoint.id,
                        item_code=item.code,
                        value=_clip(rng.gauss(5.6, 0.8), 1, 7),
                    )
                )
            documented = rng.random() > 0.15
            db.session.add(
                SpecificationRating(
                    campaign_id=campaign.id,
                    touchpoint_id=touchpoint.id,
                    item_code=item.code,
                    has_standard=documented,
                    value=_clip(5.5 + rng.gauss(0, 0.6), 1, 7) if documented else None,
                    rated_by_id=admin.id,
                )
            )
            if rng.random() < 0.6:
                db.session.add(
                    CommunicationRating(
                        campaign_id=campaign.id,
                        touchpoint_id=touchpoint.id,
                        item_code=item.code,
                        value=_clip(6.3 + rng.gauss(0, 0.5), 1, 7),
                        rated_by_id=admin.id,
                    )
                )
            delivered = 5.4 + (pillar_effect + tp_effect) / 2 + improvement
            for site in campaign.sites:
                if touchpoint.is_at_site(site):
                    db.session.add(
                        DeliveryRating(
                            campaign_id=campaign.id,
                            touchpoint_id=touchpoint.id,
                            site_id=site.id,
                            item_code=item.code,
                            value=_clip(delivered + rng.gauss(0, 0.6), 1, 7),
                            rated_by_id=admin.id,
                            source="supervisor",
                        )
                    )
