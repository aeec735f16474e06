"""A small organisation with two waves of customer answers, for the report tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from servqual.extensions import db
from servqual.service.models import ItemPillar, Site, Touchpoint
from servqual.surveys.models import Campaign
from tests import factories

ITEMS = ("REL1", "REL2", "EMP1", "EMP2")
#: Mean shortfall (P − E) per touchpoint position, the later wave closing part of it.
SHORTFALLS = (-1.6, -0.2, 0.0)


@dataclass
class Waves:
    """The campaigns, sites and touchpoints a test reports on."""

    current: Campaign
    previous: Campaign
    sites: list[Site]
    touchpoints: list[Touchpoint]


def _answers(rng: np.random.Generator, shortfall: float) -> dict[str, tuple[int, int]]:
    answers = {}
    for code in ITEMS:
        expected = int(np.clip(round(rng.normal(6.0, 0.7)), 1, 7))
        perceived = int(np.clip(round(expected + shortfall + rng.normal(0, 0.8)), 1, 7))
        answers[code] = (expected, perceived)
    return answers


def _fill(campaign: Campaign, rng, per_link: tuple[int, ...], improvement: float, comments):
    links = sorted(campaign.links, key=lambda link: (link.touchpoint.position, link.touchpoint_id))
    for position, link in enumerate(links):
        for number in range(per_link[position]):
            row = factories.response(
                campaign,
                _answers(rng, SHORTFALLS[position] + improvement),
                link=link,
                overall=int(rng.integers(3, 8)),
                points={"reliability": 60, "empathy": 40},
            )
            if comments and number < len(comments):
                row.comment = comments[number]
    db.session.flush()


def two_waves(
    names: dict[str, str] | None = None,
    comments: list[str] | None = None,
    per_link: tuple[int, ...] = (40, 40, 3),
    seed: int = 7,
) -> Waves:
    """Build pillars, three touchpoints at one site, and two waves of answers.

    The first touchpoint falls well short (significantly), the second a little, the
    third has only ``per_link[2]`` respondents (3 by default: fewer than 5). The
    current wave improves on the previous one at every touchpoint. ``names`` may
    rename the site, touchpoints and pillars (e.g. with hostile markup).
    """
    names = names or {}
    rng = np.random.default_rng(seed)
    speed = factories.pillar(code="SPEED", name=names.get("pillar", "Agility"))
    warmth = factories.pillar(code="WARM", name="Warmth")
    for code, pillar in (("REL1", speed), ("REL2", speed), ("EMP1", warmth), ("EMP2", warmth)):
        db.session.add(ItemPillar(item_code=code, pillar=pillar))
    site = factories.site(name=names.get("site", "Downtown branch"))
    touchpoints = [
        factories.touchpoint(
            name=names.get("touchpoint", "Counter") if i == 0 else f"Moment {i}",
            position=i,
            channel=factories.channel(kind="face_to_face"),
        )
        for i in range(3)
    ]
    version = factories.instrument_version()
    previous = factories.campaign(
        name="Spring survey",
        wave="2026-Q1",
        touchpoints=touchpoints,
        sites=[site],
        instrument_version=version,
        opens_on=date(2026, 3, 1),
    )
    current = factories.campaign(
        name=names.get("campaign", "Autumn survey"),
        wave="2026-Q3",
        touchpoints=touchpoints,
        sites=[site],
        instrument_version=version,
        opens_on=date(2026, 9, 1),
    )
    _fill(previous, rng, (40, 40, 3), -0.7, None)
    _fill(current, rng, per_link, 0.0, comments)
    return Waves(current, previous, [site], touchpoints)
