"""Sentences written from the statistics: the executive summary and the staff's plain words.

Every sentence states a number the gap engine computed, formatted as the report formats
it (:mod:`servqual.reports.words`), so a reader can find it again in the tables.
Significance always means after the family's correction (Holm by default).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from servqual.gaps.change import IMPROVED, WORSENED
from servqual.gaps.sources import ChangeCell, GapCell, WaveAnalysis
from servqual.gaps.status import is_suppressed
from servqual.reports.words import count, number

#: Shortfalls and changes named in the summary, at most.
MAX_NAMED = 3
#: Below this |gap| (scale points) a gap reads as "about what customers expect".
SMALL_GAP = 0.25
#: At or beyond this |gap| a gap reads as "well below / well above".
LARGE_GAP = 1.0


@dataclass(frozen=True)
class ExecutiveSummary:
    """The summary page: a headline and three lists of sentences."""

    headline: tuple[str, ...]
    shortfalls: tuple[str, ...]
    changes: tuple[str, ...]
    improvements: tuple[str, ...]


def _interval(low: float | None, high: float | None) -> str:
    return _(
        "95%% CI %(low)s to %(high)s", low=number(low, signed=True), high=number(high, signed=True)
    )


def headline(analysis: WaveAnalysis) -> tuple[str, ...]:
    """Say how many answered and what the overall gap is."""
    campaign = analysis.campaign
    sentences = [
        _(
            "%(n)s customers answered in wave %(wave)s (%(campaign)s).",
            n=count(campaign.n_responses),
            wave=campaign.wave,
            campaign=campaign.name,
        )
    ]
    overall = analysis.servqual
    if overall.value is not None:
        sentences.append(
            _(
                "The overall SERVQUAL gap (P − E, the mean of the dimension means) is "
                "%(value)s on a %(low)s–%(high)s scale: %(meaning)s.",
                value=number(overall.value, signed=True),
                low=count(campaign.scale_low),
                high=count(campaign.scale_high),
                meaning=gap_meaning(overall.value),
            )
        )
    else:
        sentences.append(_("There are not enough answers yet for an overall SERVQUAL gap."))
    return tuple(sentences)


def shortfall_sentences(analysis: WaveAnalysis) -> tuple[str, ...]:
    """Name the largest significant shortfalls (touchpoint × pillar), largest first."""
    rows = [row for row in analysis.priorities if not is_suppressed(row.priority.n or 0)]
    if not rows:
        return (
            _(
                "No touchpoint and pillar falls significantly short of what customers expect "
                "after correction for the number of tests."
            ),
        )
    sentences = []
    for position, row in enumerate(rows[:MAX_NAMED]):
        priority = row.priority
        template = (
            _(
                "The largest shortfall is %(pillar)s at %(touchpoint)s: Gap 5 = %(mean)s "
                "(%(interval)s, n = %(n)s)."
            )
            if position == 0
            else _(
                "Next comes %(pillar)s at %(touchpoint)s: Gap 5 = %(mean)s "
                "(%(interval)s, n = %(n)s)."
            )
        )
        sentences.append(
            template
            % {
                "pillar": row.pillar.name,
                "touchpoint": row.touchpoint.name,
                "mean": number(priority.mean, signed=True),
                "interval": _interval(priority.ci_low, priority.ci_high),
                "n": count(priority.n),
            }
        )
    if len(rows) > MAX_NAMED:
        sentences.append(
            _(
                "%(count)s more significant shortfalls are listed below.",
                count=len(rows) - MAX_NAMED,
            )
        )
    return tuple(sentences)


def _change_sentence(cell: ChangeCell, previous_wave: str) -> str:
    comparison = cell.change.comparison
    values = {
        "pillar": cell.pillar.name,
        "touchpoint": cell.touchpoint.name,
        "difference": number(comparison.difference, signed=True),
        "before": number(comparison.mean2, signed=True),
        "after": number(comparison.mean1, signed=True),
        "wave": previous_wave,
    }
    if cell.change.direction == IMPROVED:
        return (
            _(
                "%(pillar)s at %(touchpoint)s improved by %(difference)s since %(wave)s "
                "(Gap 5 from %(before)s to %(after)s)."
            )
            % values
        )
    return (
        _(
            "%(pillar)s at %(touchpoint)s worsened by %(difference)s since %(wave)s "
            "(Gap 5 from %(before)s to %(after)s)."
        )
        % values
    )


def _significant_changes(analysis: WaveAnalysis, direction: str) -> list[ChangeCell]:
    cells = [
        cell
        for cell in analysis.changes
        if cell.change.direction == direction and not cell.change.suppressed_for_staff
    ]
    cells.sort(key=lambda cell: -abs(cell.change.comparison.difference or 0.0))
    return cells


def change_sentences(analysis: WaveAnalysis) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return (what worsened significantly, what improved significantly) since the last wave."""
    previous = analysis.previous
    if previous is None:
        return (_("There is no earlier wave to compare with."),), ()
    worsened = _significant_changes(analysis, WORSENED)
    improved = _significant_changes(analysis, IMPROVED)
    changes = tuple(_change_sentence(cell, previous.wave) for cell in worsened[:MAX_NAMED])
    if not worsened:
        changes = (_("Nothing worsened significantly since wave %(wave)s.", wave=previous.wave),)
    improvements = tuple(_change_sentence(cell, previous.wave) for cell in improved[:MAX_NAMED])
    if not improved:
        improvements = (
            _("Nothing improved significantly since wave %(wave)s.", wave=previous.wave),
        )
    return changes, improvements


def executive_summary(analysis: WaveAnalysis) -> ExecutiveSummary:
    """Write the summary page of the executive and site reports."""
    changes, improvements = change_sentences(analysis)
    return ExecutiveSummary(
        headline(analysis), shortfall_sentences(analysis), changes, improvements
    )


def gap_meaning(mean: float) -> str:
    """Say in plain words where a gap P − E stands."""
    if mean <= -LARGE_GAP:
        return _("well below what customers expect")
    if mean <= -SMALL_GAP:
        return _("below what customers expect")
    if mean < SMALL_GAP:
        return _("about what customers expect")
    if mean < LARGE_GAP:
        return _("above what customers expect")
    return _("well above what customers expect")


def plain_words(cell: GapCell, alpha: float = 0.05) -> str:
    """Say what customers said about one pillar, without statistics words."""
    mean = cell.gap.mean
    if mean is None:
        return _("Not enough answers to say.")
    sentence = _("Customers found the service %(meaning)s.", meaning=gap_meaning(mean))
    if cell.adjusted_p is None or cell.adjusted_p >= alpha:
        return sentence + " " + _("The difference may be chance: too small to be sure.")
    return sentence
