"""Measure the cell an action targets and follow it up in later waves.

The follow-up answers the question the loop exists for: after the action, did the gap
of its touchpoint × pillar cell move? :func:`action_follow_up` measures the cell in the
wave the action was opened from ("before") and in a later wave ("after") through
:func:`servqual.gaps.sources.analyse_wave`, and for Gap 5 tests the change with the
core's :func:`~servqual.gaps.change.wave_change` (Welch on the respondent-level pillar
gap scores of the two waves). The PDF writer uses :func:`follow_ups_for_wave`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from servqual.extensions import db
from servqual.gaps.change import wave_change
from servqual.gaps.sources import Scope, WaveAnalysis, analyse_wave
from servqual.gaps.stats import Moments
from servqual.gaps.status import NOT_ENOUGH_DATA, SUPPRESSED, is_suppressed
from servqual.instruments.models import InstrumentVersion
from servqual.reports.action_models import Action, ActionStatus, GapKind
from servqual.surveys.models import Campaign, campaign_touchpoints

#: Significance level of the before/after test of one action (a single, planned test).
ALPHA = 0.05
#: Status of a change that is not tested: Gaps 2–4 are ratings without sampling error,
#: and Gap 1 is a difference of two groups per wave.
NOT_TESTED = "not_tested"


class ActionError(ValueError):
    """A request about an action that is refused; the message is meant for the user."""


@dataclass(frozen=True)
class CellMeasure:
    """One gap of one touchpoint × pillar cell in one wave (None: not measured or hidden).

    ``n`` is the number of respondents (Gap 5), the smaller group (Gap 1) or the sampled
    side (Gaps 2–4). Values on fewer than 5 are blanked and say ``suppressed``.
    """

    campaign_id: int
    wave: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    status: str
    sd: float | None = None

    def moments(self) -> Moments:
        """Rebuild (n, Σx, Σx²) of the respondent-level scores from n, mean and sd."""
        n, mean, sd = self.n or 0, self.value, self.sd
        if n == 0 or mean is None:
            return Moments()
        spread = (n - 1) * sd * sd if sd is not None and n > 1 else 0.0
        return Moments(n, n * mean, spread + n * mean * mean)


@dataclass(frozen=True)
class FollowUp:
    """An action's gap before (the wave it was opened from) and after (a later wave).

    ``change`` = after − before with its 95% Welch–Satterthwaite interval, p-value and
    ``is_significant`` (p < 0.05, one planned test per action, no family correction);
    ``direction`` is "improved", "worsened" or "no significant change" (gaps are oriented
    so that up is better). ``status`` says why a field is None: ``suppressed`` (either
    wave under 5 respondents), ``not_enough_data``, ``zero_variance`` or ``not_tested``
    (Gaps 1–4). ``target_reached`` compares ``after.value`` with the action's target.
    """

    action_id: int
    gap: str
    before: CellMeasure
    after: CellMeasure
    change: float | None
    change_ci_low: float | None
    change_ci_high: float | None
    p_value: float | None
    is_significant: bool
    direction: str | None
    status: str
    target_value: float
    target_reached: bool | None

    def to_dict(self) -> dict:
        """Return plain, JSON-safe data (for the PDF writer and the API)."""
        return {
            "action_id": self.action_id,
            "gap": self.gap,
            "before": _plain_measure(self.before),
            "after": _plain_measure(self.after),
            "change": self.change,
            "change_ci_low": self.change_ci_low,
            "change_ci_high": self.change_ci_high,
            "p_value": self.p_value,
            "is_significant": self.is_significant,
            "direction": self.direction,
            "status": self.status,
            "target_value": self.target_value,
            "target_reached": self.target_reached,
        }


def _plain_measure(measure: CellMeasure) -> dict:
    return {
        "campaign_id": measure.campaign_id,
        "wave": measure.wave,
        "value": measure.value,
        "ci_low": measure.ci_low,
        "ci_high": measure.ci_high,
        "n": measure.n,
        "status": measure.status,
    }


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


# --- measuring a cell -----------------------------------------------------------------


def cell_scope(campaign_id: int, site_id: int | None, touchpoint_id: int | None) -> Scope:
    """Return the scope of an action's cell: one wave, its site (or every site), its touchpoint."""
    return Scope(
        campaign_id,
        site_ids=(site_id,) if site_id is not None else None,
        touchpoint_ids=(touchpoint_id,) if touchpoint_id is not None else None,
    )


def _hidden(campaign: Campaign, n: int | None, status: str) -> CellMeasure:
    return CellMeasure(campaign.id, campaign.wave, None, None, None, n, status)


def measure_in(
    analysis: WaveAnalysis, campaign: Campaign, touchpoint_id: int, pillar_code: str, gap: str
) -> CellMeasure:
    """Read one gap of one touchpoint × pillar cell out of a wave's analysis."""
    if gap == GapKind.GAP5:
        cell = analysis.cell(touchpoint_id, pillar_code)
        if cell is None:
            return _hidden(campaign, 0, NOT_ENOUGH_DATA)
        result = cell.gap
        if is_suppressed(result.n):
            return _hidden(campaign, result.n, SUPPRESSED)
        return CellMeasure(
            campaign.id,
            campaign.wave,
            _finite(result.mean),
            _finite(result.ci_low),
            _finite(result.ci_high),
            result.n,
            result.status,
            _finite(result.sd),
        )
    chain = next(
        (
            cell
            for cell in analysis.chain
            if cell.touchpoint.id == touchpoint_id and cell.pillar.code == pillar_code
        ),
        None,
    )
    if chain is None:
        return _hidden(campaign, None, NOT_ENOUGH_DATA)
    if gap == GapKind.GAP1:
        comparison = chain.gap1
        n = min(comparison.n1, comparison.n2)
        if is_suppressed(n):
            return _hidden(campaign, n, SUPPRESSED)
        return CellMeasure(
            campaign.id,
            campaign.wave,
            _finite(comparison.difference),
            _finite(comparison.ci_low),
            _finite(comparison.ci_high),
            n,
            comparison.status,
        )
    rated = {GapKind.GAP2: chain.gap2, GapKind.GAP3: chain.gap3, GapKind.GAP4: chain.gap4}[
        GapKind(gap)
    ]
    if rated.suppressed_for_staff:
        return _hidden(campaign, rated.n, SUPPRESSED)
    return CellMeasure(
        campaign.id, campaign.wave, _finite(rated.value), None, None, rated.n, rated.status
    )


def measure_cell(
    campaign: Campaign, touchpoint_id: int, pillar_code: str, site_id: int | None, gap: str
) -> CellMeasure:
    """Measure one gap of a touchpoint × pillar cell in ``campaign`` (at a site or everywhere)."""
    analysis = analyse_wave(cell_scope(campaign.id, site_id, touchpoint_id), by=("touchpoint",))
    return measure_in(analysis, campaign, touchpoint_id, pillar_code, gap)


# --- follow-up ------------------------------------------------------------------------


def compare(action: Action, before: CellMeasure, after: CellMeasure) -> FollowUp:
    """Compare an action's cell before and after; test Gap 5 with the core's Welch change."""
    target = action.target_value
    reached = None if after.value is None else after.value >= target

    def untested(status: str) -> FollowUp:
        change = None
        if before.value is not None and after.value is not None:
            change = after.value - before.value
        return FollowUp(
            action.id, action.gap, before, after, change, None, None, None, False, None,
            status, target, reached,
        )  # fmt: skip

    if SUPPRESSED in (before.status, after.status):
        return untested(SUPPRESSED)
    if action.gap != GapKind.GAP5:
        return untested(NOT_TESTED)
    result = wave_change(after.moments(), before.moments(), alpha=ALPHA)
    comparison = result.comparison
    p_value = _finite(comparison.p_value)
    return FollowUp(
        action_id=action.id,
        gap=action.gap,
        before=before,
        after=after,
        change=_finite(comparison.difference),
        change_ci_low=_finite(comparison.ci_low),
        change_ci_high=_finite(comparison.ci_high),
        p_value=p_value,
        is_significant=p_value is not None and p_value < ALPHA,
        direction=result.direction,
        status=result.status,
        target_value=target,
        target_reached=reached,
    )


def action_follow_up(action: Action, later_campaign: Campaign) -> FollowUp:
    """Return the gap of ``action``'s cell before (its wave) and after (``later_campaign``).

    Both waves are measured now, within the action's site (every site when it has none)
    and touchpoint, by :func:`servqual.gaps.sources.analyse_wave`; the baseline stored
    on the action is what the cell showed when it was opened. For Gap 5 the change is
    :func:`servqual.gaps.change.wave_change` (Welch, after − before) on the moments of the
    respondent-level pillar gap scores; Gaps 1–4 are compared without a test.
    """
    return compare(
        action, measure_action(action, action.campaign), measure_action(action, later_campaign)
    )


def measure_action(action: Action, campaign: Campaign) -> CellMeasure:
    """Measure the gap of ``action``'s cell (its touchpoint, pillar, site) in ``campaign``."""
    code = action.pillar.code
    return measure_cell(campaign, action.touchpoint_id, code, action.site_id, action.gap)


def _wave_order(campaign: Campaign) -> tuple:
    opened = campaign.opens_on or campaign.created_at.date()
    return (opened, campaign.id)


def later_waves(action: Action) -> list[Campaign]:
    """Return the waves after the action's one that asked about its touchpoint, oldest first.

    Same instrument (any version), ordered by opening date (else creation date), then id,
    as :func:`servqual.gaps.sources.previous_campaign` orders waves.
    """
    instrument_id = action.campaign.instrument_version.instrument_id
    candidates = db.session.scalars(
        sa.select(Campaign)
        .join(InstrumentVersion, Campaign.instrument_version_id == InstrumentVersion.id)
        .join(campaign_touchpoints, campaign_touchpoints.c.campaign_id == Campaign.id)
        .where(
            InstrumentVersion.instrument_id == instrument_id,
            campaign_touchpoints.c.touchpoint_id == action.touchpoint_id,
            Campaign.id != action.campaign_id,
        )
    ).all()
    start = _wave_order(action.campaign)
    return sorted((c for c in candidates if _wave_order(c) > start), key=_wave_order)


def follow_ups_for_wave(
    campaign: Campaign,
    site_ids: Iterable[int] | None = None,
    known: dict[tuple[int, int | None], WaveAnalysis] | None = None,
) -> list[tuple[Action, FollowUp]]:
    """Return every action opened in an earlier wave, followed up in ``campaign`` (for reports).

    The actions are those of ``campaign``'s instrument and touchpoints opened from an
    earlier wave (not dropped). ``site_ids`` limits them to actions of those sites (the
    site report, a manager limited to sites); None keeps every action, including the
    actions about every site. One analysis per (wave, site) is shared by the actions.
    Ordered by touchpoint, pillar and id. ``known`` holds analyses already computed,
    keyed by (campaign id, site id or None), each over that whole wave and site.
    """
    touchpoint_ids = [tp.id for tp in campaign.touchpoints]
    query = (
        sa.select(Action)
        .join(Campaign, Action.campaign_id == Campaign.id)
        .join(InstrumentVersion, Campaign.instrument_version_id == InstrumentVersion.id)
        .where(
            InstrumentVersion.instrument_id == campaign.instrument_version.instrument_id,
            Action.touchpoint_id.in_(touchpoint_ids),
            Action.campaign_id != campaign.id,
            Action.status != ActionStatus.DROPPED,
        )
        .order_by(Action.touchpoint_id, Action.pillar_id, Action.id)
    )
    if site_ids is not None:
        query = query.where(Action.site_id.in_(list(site_ids)))
    start = _wave_order(campaign)
    actions = [a for a in db.session.scalars(query) if _wave_order(a.campaign) < start]
    analyses: dict[tuple[int, int | None], WaveAnalysis] = dict(known or {})

    def measured(wave: Campaign, action: Action) -> CellMeasure:
        key = (wave.id, action.site_id)
        if key not in analyses:
            analyses[key] = analyse_wave(cell_scope(wave.id, action.site_id, None))
        return measure_in(analyses[key], wave, action.touchpoint_id, action.pillar.code, action.gap)

    return [
        (action, compare(action, measured(action.campaign, action), measured(campaign, action)))
        for action in actions
    ]
