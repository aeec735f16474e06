"""Turn a wave's accumulated statistics into a :class:`~servqual.gaps.wave.WaveAnalysis`.

Pure: the database adapter gathers :class:`~servqual.gaps.accumulate.WaveStatistics`,
the internal ratings (:class:`ChainInputs`) and the labels (:class:`Context`); every
number here comes from the core's functions, every family is corrected as documented in
:mod:`servqual.gaps.sources`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from servqual.gaps.accumulate import PROMISE, WaveStatistics
from servqual.gaps.chain import (
    AuditDelivery,
    ChainLevels,
    DeliveryEstimate,
    RatingsDelivery,
    gap2,
    gap3,
    gap4,
    waterfall,
)
from servqual.gaps.change import wave_changes
from servqual.gaps.families import cell_from_paired
from servqual.gaps.gaps import compare_groups, paired_gap
from servqual.gaps.importance import (
    compare_importance,
    derived_importance,
    importance_performance,
    stated_importance,
)
from servqual.gaps.multitest import Correction, adjust_p_values
from servqual.gaps.priorities import rank_shortfalls
from servqual.gaps.reliability import cronbach_alpha, factor_structure, sampling_adequacy
from servqual.gaps.scores import group_scores, overall_score, weighted_servqual, zone_of_tolerance
from servqual.gaps.stats import Histogram, Moments, Sample, as_moments
from servqual.gaps.status import NO_ITEMS, NOT_ENOUGH_DATA, sample_status
from servqual.gaps.wave import (
    CampaignInfo,
    ChainCell,
    ChangeCell,
    GapCell,
    ImportanceReport,
    ItemInfo,
    Label,
    LevelSummary,
    PriorityRow,
    ReliabilityCell,
    Scope,
    ScoreTable,
    Validity,
    WaveAnalysis,
    ZoneReport,
)


@dataclass(frozen=True)
class Context:
    """Who is who: the scope, the campaign, and labels by kind and key.

    ``labels`` kinds: touchpoint, site, channel, segment (keyed by id or name),
    pillar, dimension, item (keyed by code). ``touchpoints`` orders the touchpoint rows.
    """

    scope: Scope
    campaign: CampaignInfo
    labels: Mapping[str, Mapping[Hashable, Label]]
    touchpoints: tuple[int, ...]
    items: tuple[ItemInfo, ...]


@dataclass(frozen=True)
class AuditCompliance:
    """Audit compliance of one touchpoint × pillar: r ∈ [0, 1], the effective number of
    trials n* of its Wilson interval, and the approved visits behind it."""

    rate: float
    effective_n: float
    visits: int


def audit_delivery(audit: AuditCompliance, low: float, high: float) -> DeliveryEstimate:
    """Return D = low + (high − low)·r with the Wilson interval on n* mapped the same way.

    :class:`~servqual.gaps.chain.AuditDelivery` on r·n* of n* trials; ``n`` (the
    anonymity unit) is the number of visits.
    """
    trials = audit.effective_n
    estimate = AuditDelivery(audit.rate * trials, trials, low, high).estimate()
    return replace(
        estimate, n=audit.visits, status=sample_status(audit.visits), compliance_rate=audit.rate
    )


@dataclass(frozen=True)
class ChainInputs:
    """The internal ratings of one wave: M, S, C and D (see ``servqual.surveys.internal_models``).

    ``management``: touchpoint → managers × items array (NaN = not rated / N/A);
    ``specification``: (touchpoint, item) → S, None when there is no standard;
    ``communication``: (touchpoint, item) → C; ``delivery``: (touchpoint, item) →
    histogram of delivery ratings; ``audits``: (touchpoint, pillar code) → audit
    compliance, which takes precedence over the ratings as the source of D.
    """

    management: Mapping[int, np.ndarray] = field(default_factory=dict)
    specification: Mapping[tuple[int, str], float | None] = field(default_factory=dict)
    communication: Mapping[tuple[int, str], float] = field(default_factory=dict)
    delivery: Mapping[tuple[int, str], Histogram] = field(default_factory=dict)
    audits: Mapping[tuple[int, str], AuditCompliance] = field(default_factory=dict)


def level_summary(sample: Sample) -> LevelSummary:
    """Summarise a level: n, mean, sd and the t interval x̄ ± t·s/√n (None when undefined)."""
    m = as_moments(sample)
    interval = m.t_interval()
    status = NOT_ENOUGH_DATA if m.n == 0 else sample_status(m.n)
    low, high = interval if interval is not None else (None, None)
    return LevelSummary(m.n, m.mean, m.sd, low, high, status)


def _adjusted(cells: list[GapCell], method: Correction) -> tuple[GapCell, ...]:
    """Correct the t and Wilcoxon p-values of the cells as one family."""
    p = adjust_p_values([c.gap.p_value for c in cells], method)
    w = adjust_p_values([c.gap.wilcoxon_p for c in cells], method)
    return tuple(
        replace(c, adjusted_p=a, adjusted_wilcoxon_p=b) for c, a, b in zip(cells, p, w, strict=True)
    )


class _Builder:
    def __init__(self, stats: WaveStatistics, ctx: Context, method: Correction):
        self.stats, self.ctx, self.method = stats, ctx, method
        self.layout = stats.layout

    def label(self, kind: str, key: Hashable) -> Label:
        found = self.ctx.labels.get(kind, {}).get(key)
        if found is not None:
            return found
        name = str(key) if key is not None else f"(no {kind})"
        return Label(kind, key, None if key is None else str(key), name)

    def groups(self, grouping: str | None) -> list[tuple[Label | None, list[int]]]:
        found = self.stats.group_of(grouping)
        if grouping is None:
            return [(None, found.get(None, []))]
        if grouping == "touchpoint":
            keys = list(self.ctx.touchpoints) + [k for k in found if k not in self.ctx.touchpoints]
        else:
            keys = sorted(found, key=lambda k: (k is None, str(k)))
        return [(self.label(grouping, k), found.get(k, [])) for k in keys]

    def item_cells(self, grouping: str | None) -> tuple[GapCell, ...]:
        cells = []
        for group, rows in self.groups(grouping):
            for j, code in enumerate(self.layout.items):
                cells.append(
                    GapCell(
                        grouping=grouping or "all",
                        group=group,
                        level="item",
                        subject=self.label("item", code),
                        gap=paired_gap(self.stats.gap_histogram(rows, j)),
                        expectation=level_summary(self.stats.level_histogram(rows, j, 0)),
                        perception=level_summary(self.stats.level_histogram(rows, j, 1)),
                    )
                )
        return _adjusted(cells, self.method)

    def score_cell(self, grouping, group, rows, key: str) -> GapCell:
        kind, _, code = key.partition(":")
        subject = self.label(kind, code) if code else Label(PROMISE, None, None, PROMISE)
        gap = paired_gap(self.stats.score(rows, key, "G"))
        if not self.layout.score_groups[key]:
            gap = replace(gap, status=NO_ITEMS)
        return GapCell(
            grouping=grouping or "all",
            group=group,
            level=kind,
            subject=subject,
            gap=gap,
            expectation=level_summary(self.stats.score(rows, key, "E")),
            perception=level_summary(self.stats.score(rows, key, "P")),
        )

    def score_cells(self, grouping: str | None) -> tuple[GapCell, ...]:
        families: dict[str, list[GapCell]] = {"dimension": [], "pillar": [], PROMISE: []}
        for group, rows in self.groups(grouping):
            for key in self.layout.score_groups:
                cell = self.score_cell(grouping, group, rows, key)
                families[cell.level].append(cell)
        return tuple(c for cells in families.values() for c in _adjusted(cells, self.method))

    def table(self, cells: tuple[GapCell, ...], level: str) -> ScoreTable:
        chosen = [c for c in cells if c.level == level]
        groups = self.layout.score_groups
        return ScoreTable(
            level=level,
            subjects=tuple(c.subject for c in chosen),
            item_counts=tuple(len(groups[f"{level}:{c.subject.code}"]) for c in chosen),
            expectation=tuple(c.expectation for c in chosen),
            perception=tuple(c.perception for c in chosen),
            gap=tuple(chosen),
        )

    def reliability(self) -> tuple[ReliabilityCell, ...]:
        return tuple(
            ReliabilityCell(
                measure,
                self.label("dimension", d),
                tuple(self.layout.items[j] for j in self.layout.dimension_items(d)),
                cronbach_alpha(self.stats.alpha[measure, d]),
            )
            for measure in ("E", "P", "G")
            for d in self.layout.dimensions
        )

    def importance(self, dimension_gaps: Mapping[str, float | None]) -> ImportanceReport:
        lay = self.layout
        derived = derived_importance(self.stats.regression, lay.dimensions)
        stated = stated_importance(dict(zip(lay.importance, self.stats.points, strict=True)))
        stated_points = dict(zip(stated.labels, stated.mean_points, strict=True))
        derived_points = dict(zip(derived.labels, derived.lmg_share, strict=True))
        return ImportanceReport(
            derived=derived,
            stated=stated,
            comparison=compare_importance(derived, stated),
            stated_quadrants=importance_performance(
                {d: stated_points.get(d) for d in lay.dimensions}, dimension_gaps
            ),
            derived_quadrants=importance_performance(
                {d: derived_points.get(d) for d in lay.dimensions}, dimension_gaps
            ),
        )

    def zone(self) -> ZoneReport | None:
        if not self.layout.zone:
            return None
        return ZoneReport(
            items=tuple(
                (self.label("item", code), zone_of_tolerance(z))
                for code, z in zip(self.layout.items, self.stats.item_zones, strict=True)
            ),
            dimensions=tuple(
                (self.label("dimension", d), zone_of_tolerance(z))
                for d, z in zip(self.layout.dimensions, self.stats.dimension_zones, strict=True)
            ),
        )

    def chain(self, tp_cells: tuple[GapCell, ...], inputs: ChainInputs) -> tuple[ChainCell, ...]:
        lay, out = self.layout, []
        pillar_items = {
            p: [j for j, m in enumerate(lay.item_pillars) if p in m] for p in lay.pillars
        }
        for cell in tp_cells:
            if cell.level != "pillar":
                continue
            tp, pillar = cell.group.id, cell.subject.code
            idx = pillar_items[pillar]
            codes = [lay.items[j] for j in idx]
            managers = inputs.management.get(tp, np.empty((0, len(lay.items))))
            m_scores = Moments.from_array(group_scores(managers, {pillar: idx}).values[:, 0])
            specs = [inputs.specification.get((tp, c)) for c in codes]
            covered = [s for s in specs if s is not None]
            promised = [
                inputs.communication[tp, c] for c in codes if (tp, c) in inputs.communication
            ]
            audit = inputs.audits.get((tp, pillar))
            ratings = Histogram()
            for c in codes:
                ratings += inputs.delivery.get((tp, c), Histogram())
            if audit is not None and audit.visits:
                delivery = audit_delivery(audit, lay.low, lay.high)
            else:
                delivery = RatingsDelivery(ratings).estimate() if ratings.n else None
            s = sum(covered) / len(covered) if covered else None
            c_level = sum(promised) / len(promised) if promised else None
            e_scores = self.stats_for(cell, "E")
            levels = ChainLevels(
                expectation=e_scores.mean,
                management=m_scores.mean,
                specification=s,
                delivery=delivery,
                communication=c_level,
                perception=cell.perception.mean if cell.perception else None,
            )
            out.append(
                ChainCell(
                    touchpoint=cell.group,
                    pillar=cell.subject,
                    gap1=compare_groups(m_scores, e_scores),
                    gap2=gap2(s, m_scores if m_scores.n else None),
                    gap3=gap3(delivery, s),
                    gap4=gap4(delivery, c_level),
                    waterfall=waterfall(levels),
                    managers=m_scores.n,
                    covered_items=len(covered),
                    promised_items=len(promised),
                )
            )
        return tuple(out)

    def stats_for(self, cell: GapCell, measure: str) -> Moments:
        rows = self.stats.group_of("touchpoint").get(cell.group.id, [])
        return self.stats.score(rows, f"pillar:{cell.subject.code}", measure)


def build_analysis(
    stats: WaveStatistics,
    ctx: Context,
    by: tuple[str, ...],
    method: Correction,
    chain_inputs: ChainInputs,
    previous: CampaignInfo | None = None,
    previous_cells: Mapping[tuple[int, str], Moments] | None = None,
) -> WaveAnalysis:
    """Assemble the full analysis (see :class:`~servqual.gaps.wave.WaveAnalysis`).

    ``previous_cells`` holds the previous wave's touchpoint × pillar Gap 5 moments.
    """
    b, lay = _Builder(stats, ctx, method), stats.layout
    item_gaps = b.item_cells(None)
    item_by = {g: b.item_cells(g) for g in by}
    score_by = {"all": b.score_cells(None)}
    score_by.update({g: b.score_cells(g) for g in dict.fromkeys(("touchpoint", *by))})
    whole, tp_cells = score_by["all"], score_by["touchpoint"]
    rows = stats.group_of(None).get(None, [])
    dim_g = {d: stats.score(rows, f"dimension:{d}", "G") for d in lay.dimensions}
    dim_p = {d: stats.score(rows, f"dimension:{d}", "P") for d in lay.dimensions}
    pillar_cells = [c for c in tp_cells if c.level == "pillar"]
    changes: tuple[ChangeCell, ...] = ()
    if previous is not None and previous_cells is not None:
        pairs = {
            (c.group.id, c.subject.code): (
                b.stats_for(c, "G"),
                previous_cells.get((c.group.id, f"pillar:{c.subject.code}"), Moments()),
            )
            for c in pillar_cells
        }
        found = wave_changes(pairs, method)
        changes = tuple(
            ChangeCell(c.group, c.subject, found[c.group.id, c.subject.code]) for c in pillar_cells
        )
    priorities = rank_shortfalls(
        [cell_from_paired((str(c.group.id), c.subject.code), c.gap) for c in pillar_cells],
        method,
    )
    return WaveAnalysis(
        scope=ctx.scope,
        campaign=ctx.campaign,
        by=by,
        correction="bh" if method == "fdr_bh" else "holm",
        labels={
            kind: {str(k): label.name for k, label in entries.items()}
            for kind, entries in ctx.labels.items()
        },
        items=ctx.items,
        item_gaps=item_gaps,
        item_gaps_by=item_by,
        dimensions=b.table(whole, "dimension"),
        pillars=b.table(whole, "pillar"),
        score_gaps_by=score_by,
        servqual=overall_score(dim_g),
        weighted_servqual=weighted_servqual(
            stats.weighted, stats.weighted_points, stats.weighted_gaps, lay.importance
        ),
        servperf=overall_score(dim_p),
        zone=b.zone(),
        reliability=b.reliability(),
        validity=Validity(
            lay.items,
            sampling_adequacy(stats.perception_all),
            factor_structure(stats.perception_all, lay.item_dimensions),
        ),
        importance=b.importance({d: m.mean for d, m in dim_g.items()}),
        chain=b.chain(tp_cells, chain_inputs),
        previous=previous,
        changes=changes,
        priorities=tuple(
            PriorityRow(b.label("touchpoint", int(p.key[0])), b.label("pillar", p.key[1]), p)
            for p in priorities
        ),
    )
