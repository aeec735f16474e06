"""The results of a wave analysis as plain, typed data, and their JSON-safe form.

Built by :mod:`servqual.gaps.assemble` from what the database adapter
(:mod:`servqual.gaps.sources`) accumulates. ``to_dict(for_staff=True)`` gives JSON-safe
data (None for anything not finite) and blanks results on fewer than 5 (``suppressed``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from servqual.gaps.chain import RatedGap, Waterfall
from servqual.gaps.change import WaveChange
from servqual.gaps.gaps import GroupComparison, PairedGap
from servqual.gaps.importance import (
    DerivedImportance,
    ImportanceComparison,
    ImportancePerformance,
    StatedImportance,
)
from servqual.gaps.priorities import Priority
from servqual.gaps.reliability import CronbachAlpha, FactorStructure, SamplingAdequacy
from servqual.gaps.scores import OverallScore, WeightedServqual, ZoneShares
from servqual.gaps.status import SUPPRESSED, blank_for_staff, is_suppressed

#: The groupings ``analyse_wave(by=...)`` accepts (pillar and dimension are score levels).
GROUPINGS: tuple[str, ...] = ("touchpoint", "site", "channel", "segment")
#: Corrections accepted by the public functions: Holm (default) or Benjamini–Hochberg.
CORRECTIONS: dict[str, str] = {"holm": "holm", "bh": "fdr_bh", "fdr_bh": "fdr_bh"}
#: The three customer measures scored per dimension and pillar.
MEASURES: tuple[str, ...] = ("E", "P", "G")


def _ids(values: Iterable | None) -> tuple | None:
    if values is None:
        return None
    if isinstance(values, str | int):
        values = [values]
    return tuple(sorted(set(values)))


@dataclass(frozen=True)
class Scope:
    """One wave and, optionally, the sites, touchpoints, channels and segments to keep.

    ``None`` keeps everything; a tuple keeps only those ids (an empty tuple keeps
    nothing). A manager limited to sites passes their site ids: responses without a
    site (remote channels) are then left out, as ``User.can_see_site(None)`` says.
    """

    campaign_id: int
    site_ids: tuple[int, ...] | None = None
    touchpoint_ids: tuple[int, ...] | None = None
    channel_ids: tuple[int, ...] | None = None
    segments: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("site_ids", "touchpoint_ids", "channel_ids", "segments"):
            object.__setattr__(self, name, _ids(getattr(self, name)))

    def for_campaign(self, campaign_id: int) -> Scope:
        """Return the same filters on another campaign (the previous wave)."""
        return dataclasses.replace(self, campaign_id=campaign_id)


@dataclass(frozen=True)
class Label:
    """Something a cell is about: a touchpoint, site, channel, segment, pillar, item …"""

    kind: str
    id: int | str | None
    code: str | None
    name: str


@dataclass(frozen=True)
class CampaignInfo:
    """The campaign analysed (or compared with)."""

    id: int
    name: str
    wave: str
    format: str
    instrument_key: str
    instrument_version: int
    scale_low: int | None
    scale_high: int | None
    n_responses: int


@dataclass(frozen=True)
class ItemInfo:
    """A scored item of the instrument, its dimension and the pillars it is mapped to."""

    code: str
    label: str
    dimension: str
    pillars: tuple[str, ...]


@dataclass(frozen=True)
class LevelSummary:
    """A level (E or P score, an item mean): n, mean, sd and its t interval."""

    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    status: str

    @property
    def suppressed_for_staff(self) -> bool:
        """True when n < 5."""
        return is_suppressed(self.n)


@dataclass(frozen=True)
class GapCell:
    """Gap 5 (P − E, paired) of one item, dimension or pillar in one group.

    ``level`` is ``item``, ``dimension``, ``pillar`` or ``promise`` (all pillar items);
    ``grouping`` is ``all`` or one of :data:`GROUPINGS`, ``group`` None for ``all``.
    ``adjusted_p`` and ``adjusted_wilcoxon_p`` are corrected within the cell's family.
    Wilcoxon is given for items (integer gaps), None for scores.
    """

    grouping: str
    group: Label | None
    level: str
    subject: Label
    gap: PairedGap
    adjusted_p: float | None = None
    adjusted_wilcoxon_p: float | None = None
    expectation: LevelSummary | None = None
    perception: LevelSummary | None = None

    @property
    def n(self) -> int:
        """Respondents with both E and P (for scores: with a score)."""
        return self.gap.n

    @property
    def suppressed_for_staff(self) -> bool:
        """True when n < 5."""
        return is_suppressed(self.gap.n)

    @property
    def status(self) -> str:
        """``suppressed`` below 5 respondents, else the status of the gap."""
        return SUPPRESSED if self.suppressed_for_staff else self.gap.status


@dataclass(frozen=True)
class ScoreTable:
    """Dimension or pillar scores over the whole scope: E, P (levels) and G (paired gap)."""

    level: str
    subjects: tuple[Label, ...]
    item_counts: tuple[int, ...]
    expectation: tuple[LevelSummary, ...]
    perception: tuple[LevelSummary, ...]
    gap: tuple[GapCell, ...]


@dataclass(frozen=True)
class ReliabilityCell:
    """Cronbach's α of one dimension for one measure (E, P or G), listwise."""

    measure: str
    dimension: Label
    items: tuple[str, ...]
    alpha: CronbachAlpha


@dataclass(frozen=True)
class Validity:
    """KMO, Bartlett and the exploratory factor analysis of P over all scored items."""

    items: tuple[str, ...]
    adequacy: SamplingAdequacy
    factors: FactorStructure


@dataclass(frozen=True)
class ZoneReport:
    """Zone of tolerance (three-column format) per item and per dimension."""

    items: tuple[tuple[Label, ZoneShares], ...]
    dimensions: tuple[tuple[Label, ZoneShares], ...]


@dataclass(frozen=True)
class ImportanceReport:
    """Derived (OLS + LMG) and stated (100 points) importance, compared, with quadrants.

    Quadrants place each dimension by importance against its Gap 5 score (performance).
    """

    derived: DerivedImportance
    stated: StatedImportance
    comparison: ImportanceComparison
    stated_quadrants: ImportancePerformance
    derived_quadrants: ImportancePerformance


@dataclass(frozen=True)
class ChainCell:
    """Gaps 1–4 and the waterfall of one pillar at one touchpoint."""

    touchpoint: Label
    pillar: Label
    gap1: GroupComparison
    gap2: RatedGap
    gap3: RatedGap
    gap4: RatedGap
    waterfall: Waterfall
    managers: int
    covered_items: int
    promised_items: int


@dataclass(frozen=True)
class ChangeCell:
    """Change of a pillar's Gap 5 at a touchpoint against the previous wave."""

    touchpoint: Label
    pillar: Label
    change: WaveChange


@dataclass(frozen=True)
class PriorityRow:
    """A ranked shortfall (touchpoint × pillar Gap 5) with its labels."""

    touchpoint: Label
    pillar: Label
    priority: Priority


@dataclass(frozen=True)
class WaveAnalysis:
    """The full analysis of one wave within a scope (see :func:`analyse_wave`).

    Fields, in the order a report reads them:

    - ``scope``, ``campaign``, ``by``, ``correction``, ``labels`` (kind → key → name for
      touchpoints, sites, channels, segments, pillars, dimensions, items), ``items``;
    - ``item_gaps``: Gap 5 per item over the whole scope; ``item_gaps_by``: grouping →
      Gap 5 per item × group;
    - ``dimensions`` and ``pillars``: :class:`ScoreTable` (E, P, G over the scope);
      ``score_gaps_by``: grouping → Gap 5 per dimension and pillar × group (the
      touchpoint × pillar cells are always there, under ``touchpoint``; the cells over
      the whole scope under ``all``);
    - ``servqual`` (unweighted, mean of dimension means), ``weighted_servqual``,
      ``servperf``; ``zone`` (None unless the format is zone of tolerance);
    - ``reliability`` (α per measure × dimension), ``validity`` (KMO, Bartlett, EFA of P);
    - ``importance``; ``chain`` (Gaps 1–4 per touchpoint × pillar);
    - ``previous`` (None without an earlier wave), ``changes``; ``priorities``.
    """

    scope: Scope
    campaign: CampaignInfo
    by: tuple[str, ...]
    correction: str
    labels: dict[str, dict[str, str]]
    items: tuple[ItemInfo, ...]
    item_gaps: tuple[GapCell, ...]
    item_gaps_by: dict[str, tuple[GapCell, ...]]
    dimensions: ScoreTable
    pillars: ScoreTable
    score_gaps_by: dict[str, tuple[GapCell, ...]]
    servqual: OverallScore
    weighted_servqual: WeightedServqual
    servperf: OverallScore
    zone: ZoneReport | None
    reliability: tuple[ReliabilityCell, ...]
    validity: Validity
    importance: ImportanceReport
    chain: tuple[ChainCell, ...]
    previous: CampaignInfo | None
    changes: tuple[ChangeCell, ...]
    priorities: tuple[PriorityRow, ...]

    def cell(self, touchpoint_id: int | None, pillar_code: str | None) -> GapCell | None:
        """Return the touchpoint × pillar Gap 5 cell (None: the margin), as in the summary."""
        grouping = "all" if touchpoint_id is None else "touchpoint"
        return _find_cell(self.score_gaps_by.get(grouping, ()), touchpoint_id, pillar_code)

    def to_dict(self, for_staff: bool = True) -> dict[str, Any]:
        """Return JSON-safe plain data; ``for_staff`` blanks results on fewer than 5."""
        return _plain(self, for_staff)


@dataclass(frozen=True)
class SummaryCell:
    """Gap 5 of a touchpoint × pillar cell (or a margin: touchpoint or pillar None)."""

    touchpoint: Label | None
    pillar: Label | None
    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    status: str

    @property
    def suppressed_for_staff(self) -> bool:
        """True when n < 5."""
        return is_suppressed(self.n)


@dataclass(frozen=True)
class Summary:
    """The dashboard table of one wave: touchpoint × pillar Gap 5 with both margins."""

    scope: Scope
    campaign: CampaignInfo
    touchpoints: tuple[Label, ...]
    pillars: tuple[Label, ...]
    cells: tuple[SummaryCell, ...]
    touchpoint_margins: tuple[SummaryCell, ...]
    pillar_margins: tuple[SummaryCell, ...]
    overall: SummaryCell

    def cell(self, touchpoint_id: int | None, pillar_code: str | None) -> SummaryCell | None:
        """Return one cell; None for either key gives the margin."""
        for cell in (*self.cells, *self.touchpoint_margins, *self.pillar_margins, self.overall):
            tp = cell.touchpoint.id if cell.touchpoint else None
            pl = cell.pillar.code if cell.pillar else None
            if tp == touchpoint_id and pl == pillar_code:
                return cell
        return None

    def to_dict(self, for_staff: bool = True) -> dict[str, Any]:
        """Return JSON-safe plain data; ``for_staff`` blanks cells on fewer than 5."""
        return _plain(self, for_staff)


def _find_cell(cells: Sequence[GapCell], touchpoint_id, pillar_code) -> GapCell | None:
    level = "promise" if pillar_code is None else "pillar"
    for cell in cells:
        group = cell.group.id if cell.group else None
        if cell.level != level or group != touchpoint_id:
            continue
        if pillar_code is None or cell.subject.code == pillar_code:
            return cell
    return None


def _plain(value: Any, for_staff: bool) -> Any:
    """Convert results to JSON-safe data: None for NaN/inf, lists for tuples and arrays."""
    if for_staff and getattr(value, "suppressed_for_staff", False):
        value = blank_for_staff(value) if not isinstance(value, GapCell | SummaryCell) else value
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.ndarray):
        return _plain(value.tolist(), for_staff)
    if isinstance(value, Mapping):
        return {str(k): _plain(v, for_staff) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, for_staff) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _plain(getattr(value, f.name), for_staff) for f in dataclasses.fields(value)}
        if isinstance(value, GapCell | SummaryCell):
            out = _cell_extras(value, out, for_staff)
        return out
    return str(value)


def _cell_extras(cell: GapCell | SummaryCell, out: dict[str, Any], for_staff: bool):
    suppressed = cell.suppressed_for_staff
    out["n"] = cell.n
    out["status"] = SUPPRESSED if suppressed else cell.status
    if for_staff and suppressed:
        kept = ("grouping", "level", "group", "subject", "touchpoint", "pillar", "n", "status")
        out.update({k: _blank_plain(v) for k, v in out.items() if k not in kept})
    return out


def _blank_plain(value: Any) -> Any:
    if isinstance(value, float):
        return None
    if isinstance(value, dict):
        return {k: (SUPPRESSED if k == "status" else _blank_plain(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank_plain(v) for v in value]
    return value
