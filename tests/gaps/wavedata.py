"""A small wave in the database and its raw rows, for checking the adapter independently."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from servqual.extensions import db
from servqual.service.models import ItemPillar
from tests import factories

ITEMS = ("REL1", "REL2", "EMP1", "EMP2")
DIMENSIONS = {"reliability": [0, 1], "empathy": [2, 3]}
#: Pillars of the test organisation: AG over REL1 and EMP1, WA over EMP2, EMPTY over none.
PILLARS = {"AG": [0, 2], "WA": [3], "EMPTY": []}
SEGMENTS = ("loyal", "new", None)


@dataclass
class Wave:
    """The campaign and every response as arrays (NaN = N/A), in insertion order."""

    campaign: object
    touchpoints: list
    sites: list
    expected: list = field(default_factory=list)
    perceived: list = field(default_factory=list)
    overall: list = field(default_factory=list)
    points: list = field(default_factory=list)
    touchpoint: list = field(default_factory=list)
    site: list = field(default_factory=list)
    segment: list = field(default_factory=list)

    def arrays(self, keep=None):
        """Return E, P (n × 4), overall, points (n × 2) of the responses kept."""
        keep = np.ones(len(self.expected), bool) if keep is None else np.asarray(keep)
        e = np.array(self.expected, dtype=float)[keep]
        p = np.array(self.perceived, dtype=float)[keep]
        return e, p, np.array(self.overall, float)[keep], np.array(self.points, float)[keep]

    def mask(self, touchpoint=None, site=None, segment="any"):
        """Return a boolean mask of the responses at a touchpoint / site / segment."""
        out = np.ones(len(self.expected), bool)
        if touchpoint is not None:
            out &= np.array(self.touchpoint) == touchpoint
        if site is not None:
            out &= np.array([s == site for s in self.site])
        if segment != "any":
            out &= np.array([s == segment for s in self.segment])
        return out


def organisation():
    """Add the three pillars of the test organisation and map the mini items to them."""
    pillars = {}
    for position, (code, items) in enumerate(PILLARS.items()):
        pillars[code] = factories.pillar(code=code, name=f"Pillar {code}", position=position)
        for j in items:
            db.session.add(ItemPillar(item_code=ITEMS[j], pillar=pillars[code]))
    db.session.flush()
    return pillars


def build(n: int = 150, seed: int = 7, campaign=None, na_share: float = 0.1) -> Wave:
    """Add a wave of ``n`` random responses over two touchpoints and two sites."""
    rng = np.random.default_rng(seed)
    if campaign is None:
        if not db.session.query(ItemPillar).count():
            organisation()
        sites = [factories.site(), factories.site()]
        counter = factories.touchpoint(channel=factories.channel(kind="face_to_face"))
        phone = factories.touchpoint(channel=factories.channel(kind="phone"))
        campaign = factories.campaign(touchpoints=[counter, phone], sites=sites)
    wave = Wave(campaign, list(campaign.touchpoints), list(campaign.sites))
    links = list(campaign.links)
    for i in range(n):
        link = links[i % len(links)]
        e = rng.integers(3, 8, size=4).astype(float)
        shift = -1.0 if link.touchpoint_id == wave.touchpoints[0].id else 0.0
        p = np.clip(np.round(e + shift + rng.normal(0, 1.3, size=4)), 1, 7)
        e[rng.random(4) < na_share] = np.nan
        p[rng.random(4) < na_share / 2] = np.nan
        overall = int(np.clip(round(4 + np.nanmean(p - e + 3) / 2 + rng.normal()), 1, 7))
        share = int(rng.integers(20, 81))
        segment = SEGMENTS[i % 3]
        factories.response(
            campaign,
            {
                code: (None if np.isnan(e[j]) else int(e[j]), None if np.isnan(p[j]) else int(p[j]))
                for j, code in enumerate(ITEMS)
            },
            link=link,
            overall=overall,
            points={"reliability": share, "empathy": 100 - share},
            segment=segment,
        )
        wave.expected.append(e)
        wave.perceived.append(p)
        wave.overall.append(overall)
        wave.points.append([share, 100 - share])
        wave.touchpoint.append(link.touchpoint_id)
        wave.site.append(link.site_id)
        wave.segment.append(segment)
    return wave


def group_score(values: np.ndarray, items: list[int]) -> np.ndarray:
    """Respondent scores: mean of answered items when at least half are answered."""
    if not items:
        return np.full(values.shape[0], np.nan)
    sub = values[:, items]
    answered = (~np.isnan(sub)).sum(axis=1)
    with np.errstate(invalid="ignore"):
        mean = np.nansum(sub, axis=1) / answered
    return np.where((answered > 0) & (2 * answered >= len(items)), mean, np.nan)
