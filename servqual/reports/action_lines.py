"""The report's action-plan section: for every action, its gap before and after.

Each action opened in an earlier wave is measured in the wave it was opened from and in
the report's wave (:func:`~servqual.reports.action_measures.follow_ups_for_wave`); a line
says the gap before and after with their intervals, the change, whether it is
significant, and whether the target was reached. Plain strings only: the template
escapes them like every other user text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _

from servqual.gaps.sources import WaveAnalysis
from servqual.reports.action_measures import NOT_TESTED, CellMeasure, FollowUp, follow_ups_for_wave
from servqual.reports.action_models import Action
from servqual.reports.words import count, number, p_value, status_text
from servqual.surveys.models import Campaign


@dataclass(frozen=True)
class ActionLine:
    """One action of the report: where, which gap, before, after, change and verdict."""

    place: str
    gap: str
    description: str
    status: str
    before: str
    after: str
    change: str
    p_value: str
    verdict: str
    target: str


def _measure(measure: CellMeasure) -> str:
    """Write "−0.42 (−0.60 … −0.25), n 118, wave 2026-Q2" or why there is no value."""
    if measure.value is None:
        why = status_text(measure.status) or _("no data")
        return f"— ({why}, {_('wave')} {measure.wave})"
    parts = [number(measure.value, signed=True)]
    if measure.ci_low is not None and measure.ci_high is not None:
        parts.append(
            f"({number(measure.ci_low, signed=True)} … {number(measure.ci_high, signed=True)})"
        )
    text = " ".join(parts)
    if measure.n is not None:
        text += f", n {count(measure.n)}"
    return f"{text}, {_('wave')} {measure.wave}"


def _verdict(follow_up: FollowUp) -> str:
    if follow_up.status == NOT_TESTED:
        return _("not tested (ratings without sampling error)")
    if follow_up.p_value is None:
        return status_text(follow_up.status) or _("not tested")
    if not follow_up.is_significant:
        return _("no significant change")
    return (
        _("improved significantly")
        if follow_up.direction == "improved"
        else _("worsened significantly")
    )


def _target(follow_up: FollowUp) -> str:
    goal = number(follow_up.target_value, signed=True)
    if follow_up.target_reached is None:
        return _("target %(value)s: not measured", value=goal)
    if follow_up.target_reached:
        return _("target %(value)s: reached", value=goal)
    return _("target %(value)s: not yet", value=goal)


def action_line(action: Action, follow_up: FollowUp) -> ActionLine:
    """Write one action's follow-up as a report line."""
    place = f"{action.touchpoint.name} · {action.pillar.name}"
    if action.site is not None:
        place += f" · {action.site.name}"
    change = "—"
    if follow_up.change is not None:
        change = number(follow_up.change, signed=True)
        if follow_up.change_ci_low is not None and follow_up.change_ci_high is not None:
            change += (
                f" ({number(follow_up.change_ci_low, signed=True)} … "
                f"{number(follow_up.change_ci_high, signed=True)})"
            )
    return ActionLine(
        place=place,
        gap=action.gap_enum.label,
        description=action.description,
        status=action.status_enum.label,
        before=_measure(follow_up.before),
        after=_measure(follow_up.after),
        change=change,
        p_value=p_value(follow_up.p_value),
        verdict=_verdict(follow_up),
        target=_target(follow_up),
    )


def action_lines(
    campaign: Campaign, site_ids: Iterable[int] | None, analysis: WaveAnalysis
) -> tuple[ActionLine, ...]:
    """Return the follow-up lines of every earlier action in ``campaign``'s report.

    ``analysis`` is the report's own analysis of ``campaign`` (within ``site_ids``); it
    is reused for the actions of that same scope instead of being computed again.
    """
    site_ids = tuple(site_ids) if site_ids is not None else None
    known: dict[tuple[int, int | None], WaveAnalysis] = {}
    if site_ids is None:
        known[(campaign.id, None)] = analysis
    elif len(site_ids) == 1:
        known[(campaign.id, site_ids[0])] = analysis
    return tuple(
        action_line(action, follow_up)
        for action, follow_up in follow_ups_for_wave(campaign, site_ids, known=known)
    )
