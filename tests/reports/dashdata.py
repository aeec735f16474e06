"""Two waves over two sites and two touchpoints, with the raw answers kept for oracles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from servqual.extensions import db
from servqual.service.models import ItemPillar, Pillar, Site, Touchpoint
from servqual.surveys.models import Campaign
from tests import factories

ITEMS = ("REL1", "REL2", "EMP1", "EMP2")
#: Pillar code → indices of its items in ITEMS.
PILLAR_ITEMS = {"SPEED": (0, 1), "WARM": (2, 3)}
SEGMENTS = ("loyal", "new")


@dataclass
class Rows:
    """Every response of one wave: where it was given and its E and P per item."""

    touchpoint: list[int] = field(default_factory=list)
    site: list[int] = field(default_factory=list)
    segment: list[str] = field(default_factory=list)
    expected: list[list[int]] = field(default_factory=list)
    perceived: list[list[int]] = field(default_factory=list)

    def pillar_gaps(self, pillar: str, touchpoint=None, site=None, segment=None) -> np.ndarray:
        """Respondent-level pillar Gap 5: mean over the pillar's items of P − E (all answered)."""
        keep = np.ones(len(self.site), bool)
        if touchpoint is not None:
            keep &= np.array(self.touchpoint) == touchpoint
        if site is not None:
            keep &= np.array(self.site) == site
        if segment is not None:
            keep &= np.array(self.segment) == segment
        gaps = np.array(self.perceived, float) - np.array(self.expected, float)
        return gaps[keep][:, list(PILLAR_ITEMS[pillar])].mean(axis=1)


@dataclass
class Organisation:
    """The campaigns (oldest first), sites, touchpoints, pillars and each wave's rows."""

    previous: Campaign
    current: Campaign
    sites: list[Site]
    touchpoints: list[Touchpoint]
    pillars: dict[str, Pillar]
    rows: dict[int, Rows]


def _fill(campaign: Campaign, rng, per_link: int, shortfalls: dict[int, float]) -> Rows:
    rows = Rows()
    for link in sorted(campaign.links, key=lambda link: (link.touchpoint_id, link.site_id)):
        for number in range(per_link):
            e = np.clip(np.round(rng.normal(6.0, 0.8, size=4)), 1, 7).astype(int)
            shift = shortfalls[link.touchpoint_id]
            p = np.clip(np.round(e + shift + rng.normal(0, 1.0, size=4)), 1, 7).astype(int)
            segment = SEGMENTS[number % 2]
            factories.response(
                campaign,
                {code: (int(e[j]), int(p[j])) for j, code in enumerate(ITEMS)},
                link=link,
                overall=int(rng.integers(3, 8)),
                points={"reliability": 60, "empathy": 40},
                segment=segment,
            )
            rows.touchpoint.append(link.touchpoint_id)
            rows.site.append(link.site_id)
            rows.segment.append(segment)
            rows.expected.append(e.tolist())
            rows.perceived.append(p.tolist())
    db.session.flush()
    return rows


def organisation(per_link: int = 30, seed: int = 11) -> Organisation:
    """Build the organisation and two waves; the current wave closes most of the first gap."""
    rng = np.random.default_rng(seed)
    pillars = {
        "SPEED": factories.pillar(code="SPEED", name="Agility", position=0),
        "WARM": factories.pillar(code="WARM", name="Warmth", position=1),
    }
    for code, items in PILLAR_ITEMS.items():
        for j in items:
            db.session.add(ItemPillar(item_code=ITEMS[j], pillar=pillars[code]))
    sites = [factories.site(name="North branch"), factories.site(name="South branch")]
    touchpoints = [
        factories.touchpoint(
            name="Counter", position=0, channel=factories.channel(kind="face_to_face")
        ),
        factories.touchpoint(
            name="Advice desk", position=1, channel=factories.channel(kind="face_to_face")
        ),
    ]
    version = factories.instrument_version()
    previous = factories.campaign(
        name="Spring survey",
        wave="2026-Q1",
        touchpoints=touchpoints,
        sites=sites,
        instrument_version=version,
        opens_on=date(2026, 3, 1),
    )
    current = factories.campaign(
        name="Autumn survey",
        wave="2026-Q3",
        touchpoints=touchpoints,
        sites=sites,
        instrument_version=version,
        opens_on=date(2026, 9, 1),
    )
    counter, desk = (tp.id for tp in touchpoints)
    rows = {
        previous.id: _fill(previous, rng, per_link, {counter: -1.8, desk: -0.3}),
        current.id: _fill(current, rng, per_link, {counter: -0.6, desk: -0.3}),
    }
    return Organisation(previous, current, sites, touchpoints, pillars, rows)
