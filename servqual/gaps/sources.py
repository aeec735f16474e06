"""The database adapter of the statistics core: the one way the gaps are read from the database.

Everything else in :mod:`servqual.gaps` is pure; this module and its helpers
:mod:`~servqual.gaps.queries` (SQL reads) and :mod:`~servqual.gaps.stream` (streamed,
packed responses) are where SQLAlchemy meets it. A wave's responses are never held in
memory: the database aggregates them, or streams them in fixed-size chunks folded into
mergeable statistics (:class:`~servqual.gaps.accumulate.WaveStatistics`).

Public interface:

- :class:`Scope`: which campaign (wave) and which sites, touchpoints, channels, segments;
- :func:`analyse_wave` → :class:`WaveAnalysis`: the full analysis of one wave;
- :func:`summary` → :class:`Summary`: the dashboard's touchpoint × pillar Gap 5 table;
- :func:`previous_campaign`: the wave a campaign is compared with;
- :class:`SourceError`: a bad campaign, grouping or correction (message for the user).

Every result has ``to_dict(for_staff=True)``: JSON-safe plain data (None for anything
not finite) with labels, ``n`` and ``status`` on every cell; ``for_staff`` blanks the
results on fewer than 5 respondents and marks them ``suppressed``.

Definitions this adapter adds to MEASUREMENT.md:

- *Groups.* Gap 5 per item is computed over the whole scope (grouping ``all``) and per
  group of each grouping in ``by``. Responses without a site, channel or segment form
  the group with id None.
- *Families* (Holm by default, Benjamini–Hochberg with ``bh``): the item cells of one
  grouping (items × groups); per grouping, the dimension cells, the pillar cells (so
  touchpoint × pillar is one family, the one the priorities rank) and the promise
  cells; the change cells.
- *Margins.* A touchpoint's Gap 5 over all pillars (``promise``) is the respondent-level
  score over every item mapped to at least one pillar; a pillar's margin is its score
  over all touchpoints of the scope.
- *Gap chain per touchpoint × pillar.* E and P: the customers' mean pillar scores;
  M: the mean of the managers' pillar scores (each manager's mean over the pillar's
  items, the same half-answered rule); Gap 1 = M − E by Welch (managers vs customers);
  S and C: the mean rating over the pillar's items that have one (an item without a
  documented standard, or not rated, has no S; none at all: ``uncovered``); D: the
  compliance of approved audit visits with the pillar's standards at the touchpoint,
  within the scope's sites and the wave's dates, mapped onto the scale
  (:mod:`~servqual.gaps.audit_queries`); where no such visit exists,
  :class:`~servqual.gaps.chain.RatingsDelivery` over every delivery rating of the
  pillar's items at the touchpoint, within the scope's sites. The source is named.
- *Previous wave.* The campaign with the same instrument (any version) that shares at
  least one touchpoint and comes last before this one in the order (opening date, else
  creation date; then id). The scope's filters apply to both waves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from servqual.gaps import queries
from servqual.gaps.accumulate import PROMISE
from servqual.gaps.assemble import Context, build_analysis
from servqual.gaps.gaps import paired_gap
from servqual.gaps.queries import SourceError, check_arguments
from servqual.gaps.stats import Moments
from servqual.gaps.status import NO_ITEMS, NOT_ENOUGH_DATA
from servqual.gaps.stream import accumulate
from servqual.gaps.wave import (
    CORRECTIONS,
    GROUPINGS,
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
    Summary,
    SummaryCell,
    Validity,
    WaveAnalysis,
    ZoneReport,
)


def analyse_wave(
    scope: Scope,
    by: Sequence[str] = ("touchpoint",),
    correction: str = "holm",
    session: Any = None,
    lang: str = "en",
) -> WaveAnalysis:
    """Analyse one wave within ``scope``: Gaps 1–5, scores, reliability, importance, change.

    ``by`` names the groupings for Gap 5 per item and per score (any of
    :data:`GROUPINGS`; touchpoint × pillar cells are always computed for the chain,
    the changes and the priorities). ``correction`` is ``holm`` (default) or ``bh``.
    ``session`` defaults to Flask-SQLAlchemy's ``db.session``; ``lang`` picks the
    instrument's labels. Raises :class:`SourceError` for an unknown campaign, grouping
    or correction; never for missing data (cells then say ``not_enough_data``,
    ``no_items`` …).
    """
    by, method = check_arguments(by, correction)
    session = queries.session_of(session)
    queries.tune_session(session)
    campaign = queries.campaign_or_error(session, scope.campaign_id)
    layout, labels, items = queries.layout_of(session, campaign, lang)
    touchpoints = queries.touchpoints_of(session, scope)
    stats = accumulate(session, scope, layout)
    all_labels = {**queries.group_labels(session, touchpoints), **labels}
    segments = {key[3] for key in stats.cells}
    all_labels["segment"] = {
        s: Label("segment", s, s, s if s is not None else "(no segment)") for s in segments
    }
    ctx = Context(
        scope=scope,
        campaign=queries.campaign_info(session, campaign, layout, stats.n_responses),
        labels=all_labels,
        touchpoints=tuple(t.id for t in touchpoints),
        items=items,
    )
    previous_id = queries.previous_campaign_id(session, campaign)
    previous = previous_cells = None
    if previous_id is not None:
        before = session.get(type(campaign), previous_id)
        before_layout = queries.layout_of(session, before, lang)[0]
        previous_scope = scope.for_campaign(previous_id)
        previous_cells = queries.stored_pillar_moments(session, previous_scope, before_layout)
        previous_n = queries.count_responses(session, previous_scope)
        previous = queries.campaign_info(session, before, before_layout, previous_n)
    return build_analysis(
        stats,
        ctx,
        by,
        method,
        queries.chain_inputs(session, scope, layout, list(ctx.touchpoints)),
        previous,
        previous_cells,
    )


def _summary_cell(tp: Label | None, pillar: Label | None, moments: Moments, empty: bool):
    gap = paired_gap(moments)
    status = NO_ITEMS if empty else gap.status
    return SummaryCell(tp, pillar, gap.n, gap.mean, gap.ci_low, gap.ci_high, status)


def summary(scope: Scope, session: Any = None) -> Summary:
    """Return the dashboard summary of one wave: touchpoint × pillar Gap 5 and margins.

    Reads the maintained moments of respondents' pillar scores per response cell
    (:class:`~servqual.surveys.aggregate_models.CellMoments`, one small GROUP BY), so
    it costs the same whatever the wave's size; the numbers equal those of
    ``analyse_wave(scope).cell(touchpoint_id, pillar_code)`` and of
    :func:`summary_live`. Margins: ``cell(tp, None)`` is the touchpoint over all pillar
    items, ``cell(None, pillar)`` the pillar over all touchpoints, ``overall`` both.
    """
    return _summary(scope, queries.session_of(session), queries.stored_pillar_moments)


def summary_live(scope: Scope, session: Any = None) -> Summary:
    """:func:`summary` computed from the answers (one nested GROUP BY): the reference."""
    return _summary(scope, queries.session_of(session), queries.pillar_moments)


def _summary(scope: Scope, session: Any, read_moments) -> Summary:
    campaign = queries.campaign_or_error(session, scope.campaign_id)
    layout, labels, _items = queries.layout_of(session, campaign, "en")
    touchpoints = queries.touchpoints_of(session, scope)
    moments = read_moments(session, scope, layout)
    tp_labels = [Label("touchpoint", t.id, t.code, t.name) for t in touchpoints]
    pillar_labels = [labels["pillar"][p] for p in layout.pillars]
    groups = layout.score_groups

    def over(tps: list[int], key: str) -> Moments:
        total = Moments()
        for tp in tps:
            total += moments.get((tp, key), Moments())
        return total

    ids = [t.id for t in touchpoints]
    cells = tuple(
        _summary_cell(t, p, over([t.id], f"pillar:{p.code}"), not groups[f"pillar:{p.code}"])
        for t in tp_labels
        for p in pillar_labels
    )
    no_promise = not groups[PROMISE]
    return Summary(
        scope=scope,
        campaign=queries.campaign_info(
            session, campaign, layout, queries.count_responses(session, scope)
        ),
        touchpoints=tuple(tp_labels),
        pillars=tuple(pillar_labels),
        cells=cells,
        touchpoint_margins=tuple(
            _summary_cell(t, None, over([t.id], PROMISE), no_promise) for t in tp_labels
        ),
        pillar_margins=tuple(
            _summary_cell(None, p, over(ids, f"pillar:{p.code}"), not groups[f"pillar:{p.code}"])
            for p in pillar_labels
        ),
        overall=_summary_cell(None, None, over(ids, PROMISE), no_promise),
    )


def previous_campaign(campaign_id: int, session: Any = None) -> int | None:
    """Return the id of the wave ``campaign_id`` is compared with (see the module docstring)."""
    session = queries.session_of(session)
    return queries.previous_campaign_id(session, queries.campaign_or_error(session, campaign_id))


__all__ = [
    "CORRECTIONS",
    "GROUPINGS",
    "NOT_ENOUGH_DATA",
    "CampaignInfo",
    "ChainCell",
    "ChangeCell",
    "GapCell",
    "ImportanceReport",
    "ItemInfo",
    "Label",
    "LevelSummary",
    "PriorityRow",
    "ReliabilityCell",
    "Scope",
    "ScoreTable",
    "SourceError",
    "Summary",
    "SummaryCell",
    "Validity",
    "WaveAnalysis",
    "ZoneReport",
    "analyse_wave",
    "previous_campaign",
    "summary",
    "summary_live",
]
