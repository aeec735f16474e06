"""The PQR section of the dashboard and the PDF reports: key figures and volumes.

Counted over the PQR filed between the wave's opening and closing days at the viewer's
sites (see :mod:`servqual.pqr.analytics_queries`): on-time rate, median and 90th
percentile business days to answer (Kaplan–Meier, open cases censored), reopen rate,
complaints per thousand survey responses, and volumes by type, touchpoint, pillar and
SERVQUAL dimension. Both panels are tables (with their CSV download).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from servqual.pqr.analytics import Summary
from servqual.pqr.analytics_queries import pqr_summary
from servqual.pqr.kinds import REQUEST_TYPE_LABELS, RequestType
from servqual.reports.charts import Table
from servqual.reports.figures import Figure
from servqual.reports.panels import Panel
from servqual.reports.words import chart_words

#: The PQR panels of the dashboard, in page order.
PANELS = ("pqr_figures", "pqr_volume")


def _dimension(code: str) -> str:
    names = {
        "tangibles": _("Tangibles"),
        "reliability": _("Reliability"),
        "responsiveness": _("Responsiveness"),
        "assurance": _("Assurance"),
        "empathy": _("Empathy"),
    }
    return names.get(code, code)


def _percent(value: float | None) -> float | None:
    return None if value is None else 100 * value


def figures_table(summary: Summary) -> Table:
    """Return the key figures: one row per figure, its value and what it is counted on."""
    time = summary.time_to_answer
    rows = (
        (_("Cases filed"), summary.cases, ""),
        (
            _("Answered on time (%)"),
            _percent(summary.on_time.rate),
            _(
                "%(count)s of %(total)s answered or past due",
                count=summary.on_time.count,
                total=summary.on_time.total,
            ),
        ),
        (
            _("Median time to answer (business days)"),
            time.median,
            _(
                "%(answered)s answered, %(open)s still open (counted as censored)",
                answered=time.answered,
                open=time.censored,
            ),
        ),
        (_("90th percentile time to answer (business days)"), time.p90, ""),
        (
            _("Reopened (%)"),
            _percent(summary.reopen.rate),
            _(
                "%(count)s of %(total)s answered",
                count=summary.reopen.count,
                total=summary.reopen.total,
            ),
        ),
        (
            _("Complaints and claims per 1,000 survey responses"),
            summary.complaints_per_thousand,
            _("%(responses)s survey responses", responses=summary.responses),
        ),
    )
    return Table((_("Figure"), _("Value"), _("Basis")), rows)


def volume_table(summary: Summary) -> Table:
    """Return the case counts by type, touchpoint, pillar and dimension."""
    unclassified = _("Not classified yet")
    rows: list[tuple] = []
    for code, count in summary.by_type.items():
        label = REQUEST_TYPE_LABELS.get(RequestType(code), code) if code else unclassified
        rows.append((_("Type"), str(label), count))
    for name, count in summary.by_touchpoint.items():
        rows.append((_("Touchpoint"), name or _("Not stated"), count))
    for name, count in summary.by_pillar.items():
        rows.append((_("Pillar"), name or unclassified, count))
    for code, count in summary.by_dimension.items():
        rows.append((_("SERVQUAL dimension"), _dimension(code) if code else unclassified, count))
    return Table((_("Grouped by"), _("Category"), _("Cases")), tuple(rows))


def pqr_section(scope: Any, campaign: Any) -> Summary | None:
    """Return the PQR figures of a dashboard scope, or None when no case was filed in it."""
    return pqr_summary(scope, campaign)


def build(name: str, summary: Summary | None) -> Panel | None:
    """Return the dashboard panel ``name`` (one of :data:`PANELS`), or None without cases."""
    if summary is None:
        return None
    if name == "pqr_figures":
        return Panel(name, _("PQR: deadlines and reopenings"), None, figures_table(summary))
    if name == "pqr_volume":
        return Panel(
            name,
            _("PQR filed by type, touchpoint, pillar and dimension"),
            None,
            volume_table(summary),
        )
    raise ValueError(f"unknown PQR panel {name!r}")


# --- PDF ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PqrPages:
    """The PQR section of a PDF report: the key figures and the volumes, as tables."""

    figures: Figure
    volume: Figure
    cases: int
    on_time: str
    median: str


def pqr_pages(scope: Any, campaign: Any) -> PqrPages | None:
    """Return the PQR section of a PDF report on ``scope``, or None without cases."""
    summary = pqr_summary(scope, campaign)
    if summary is None:
        return None
    words = chart_words(0.05)
    figures = figures_table(summary)
    volume = volume_table(summary)
    formatted = figures.formatted(words, decimals=1)
    return PqrPages(
        Figure((), figures.header, formatted),
        Figure((), volume.header, volume.formatted(words, decimals=1)),
        summary.cases,
        formatted[1][1],
        formatted[2][1],
    )
