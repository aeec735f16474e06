"""The dashboard's panels: charts built from a wave's analysis, their tables and CSV files.

Each panel is a chart of :mod:`servqual.reports.charts` (drawn as inline SVG) and the
chart's own ``table()``, shown beside it and offered as CSV; the ranked priorities are
a table only. Values on fewer than 5 respondents are never drawn nor tabled (the charts
see to it); the heatmap and the priorities carry, per row, the cell an action may be
opened on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from servqual.gaps.sources import Label, Summary, WaveAnalysis
from servqual.gaps.status import is_suppressed
from servqual.reports.charts import (
    AlphaBar,
    Chart,
    DimensionChart,
    ImportancePoint,
    IntervalBar,
    QuadrantChart,
    QuadrantLabels,
    ReliabilityChart,
    Table,
    TrendChart,
    TrendSeries,
    WaterfallChart,
    ZoneChart,
    ZoneLabels,
    ZoneRow,
)
from servqual.reports.figures import gap5_heatmap, waterfall_pillars
from servqual.reports.words import chart_words, waterfall_labels

ALPHA = 0.05
#: Every panel, in the order of the page; all but ``priorities`` are charts.
PANELS: tuple[str, ...] = (
    "waterfall",
    "heatmap",
    "dimensions",
    "zones",
    "quadrants",
    "trend",
    "reliability",
    "priorities",
)
#: Measures whose Cronbach's α the reliability panel shows.
RELIABILITY_MEASURES = ("P", "G")
#: Text cells starting with one of these are read as formulas by spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CellLink:
    """The touchpoint × pillar cell a table row is about (to open an action on it)."""

    touchpoint_id: int
    pillar_code: str


@dataclass(frozen=True)
class Panel:
    """One panel: its chart (None for the priorities), table, and per-row cells."""

    name: str
    title: str
    chart: Chart | None
    table: Table
    links: tuple[CellLink | None, ...] = ()


@dataclass(frozen=True)
class Wave:
    """One wave of the trend: its label and summary (touchpoint × pillar Gap 5, margins)."""

    label: str
    summary: Summary


# --- the grid -------------------------------------------------------------------------


def touchpoints_of(analysis: WaveAnalysis) -> tuple[Label, ...]:
    """Return the touchpoints of the analysis' touchpoint × pillar cells, in its order."""
    seen: dict[object, Label] = {}
    for cell in analysis.score_gaps_by.get("touchpoint", ()):
        if cell.group is not None:
            seen.setdefault(cell.group.id, cell.group)
    return tuple(seen.values())


def pillars_of(analysis: WaveAnalysis) -> tuple[Label, ...]:
    """Return the pillars scored in the analysis, in its order."""
    return tuple(analysis.pillars.subjects)


def _significant(adjusted_p: float | None, n: int) -> bool:
    return adjusted_p is not None and adjusted_p < ALPHA and not is_suppressed(n)


# --- panels ---------------------------------------------------------------------------


def waterfall_panel(analysis: WaveAnalysis) -> Panel:
    """E → M → S → D (C, P beside) per pillar over the scope (:func:`waterfall_pillars`)."""
    pillars = waterfall_pillars(analysis)
    campaign = analysis.campaign
    chart = WaterfallChart(
        title=_("Gap waterfall by pillar"),
        summary=_("Levels E, M, S, D, C and P of each pillar, and the gaps between them."),
        words=chart_words(ALPHA),
        labels=waterfall_labels(),
        pillars=tuple(pillars),
        scale_low=campaign.scale_low or 1,
        scale_high=campaign.scale_high or 7,
    )
    return Panel("waterfall", chart.title, chart, chart.table())


def heatmap_panel(analysis: WaveAnalysis) -> Panel:
    """Gap 5 of every touchpoint × pillar with significance marks and n; rows link to cells."""
    touchpoints, pillars = touchpoints_of(analysis), pillars_of(analysis)
    chart = gap5_heatmap(touchpoints, pillars, analysis.cell)
    links = tuple(CellLink(int(tp.id), str(pl.code)) for tp in touchpoints for pl in pillars)
    return Panel("heatmap", chart.title, chart, chart.table(), links)


def dimensions_panel(analysis: WaveAnalysis) -> Panel:
    """Gap 5 per dimension with its 95% interval and n."""
    table = analysis.dimensions
    bars = tuple(
        IntervalBar(
            label.name,
            cell.gap.mean,
            cell.gap.ci_low,
            cell.gap.ci_high,
            cell.gap.n,
            _significant(cell.adjusted_p, cell.gap.n),
        )
        for label, cell in zip(table.subjects, table.gap, strict=True)
    )
    chart = DimensionChart(
        title=_("Gap 5 by dimension"),
        summary=_("Mean P − E of each dimension with its 95% interval."),
        words=chart_words(ALPHA),
        category_label=_("Dimension"),
        value_label=_("Gap 5 (P − E)"),
        bars=bars,
    )
    return Panel("dimensions", chart.title, chart, chart.table())


def zones_panel(analysis: WaveAnalysis) -> Panel | None:
    """Zone of tolerance per dimension (three-column format only; None otherwise).

    P is the dimension's perception score; A and Ds are placed at P − MSA and P − MSS
    with the core's mean adequacy and superiority gaps, so the table's MSA and MSS are
    exactly the core's.
    """
    if analysis.zone is None:
        return None
    perceived = {
        label.code: level
        for label, level in zip(
            analysis.dimensions.subjects, analysis.dimensions.perception, strict=True
        )
    }
    rows = []
    for label, shares in analysis.zone.dimensions:
        level = perceived.get(label.code)
        p = level.mean if level is not None and not level.suppressed_for_staff else None
        msa, mss = shares.mean_adequacy_gap, shares.mean_superiority_gap
        rows.append(
            ZoneRow(
                label.name,
                adequate=None if p is None or msa is None else p - msa,
                desired=None if p is None or mss is None else p - mss,
                perceived=p,
                n=shares.n,
            )
        )
    campaign = analysis.campaign
    chart = ZoneChart(
        title=_("Zone of tolerance by dimension"),
        summary=_("Adequate to desired band of each dimension, with the perceived level."),
        words=chart_words(ALPHA),
        labels=ZoneLabels(
            zone=_("Zone of tolerance"),
            adequate=_("Adequate (A)"),
            desired=_("Desired (Ds)"),
            perceived=_("Perceived (P)"),
            adequacy_gap=_("MSA (P − A)"),
            superiority_gap=_("MSS (P − Ds)"),
        ),
        category_label=_("Dimension"),
        axis_label=_("Level on the item scale"),
        rows=tuple(rows),
        scale_low=campaign.scale_low or 1,
        scale_high=campaign.scale_high or 7,
    )
    return Panel("zones", chart.title, chart, chart.table())


def quadrants_panel(analysis: WaveAnalysis) -> Panel:
    """Importance (stated; derived when none was stated) against Gap 5 per dimension."""
    importance = analysis.importance
    analysis_quadrants, hidden = importance.stated_quadrants, importance.stated.suppressed_for_staff
    if hidden or not any(point.importance is not None for point in analysis_quadrants.points):
        analysis_quadrants = importance.derived_quadrants
        hidden = importance.derived.suppressed_for_staff
    names = analysis.labels.get("dimensions", {})
    points = tuple(
        ImportancePoint(
            names.get(point.label, point.label),
            None if hidden else point.importance,
            None if hidden else point.performance,
        )
        for point in analysis_quadrants.points
    )
    chart = QuadrantChart(
        title=_("Importance and performance by dimension"),
        summary=_(
            "Each dimension placed by its importance and its Gap 5; crosshairs at the means."
        ),
        words=chart_words(ALPHA),
        labels=QuadrantLabels(
            concentrate_here=_("Concentrate here"),
            keep_up_the_good_work=_("Keep up the good work"),
            low_priority=_("Low priority"),
            possible_overkill=_("Possible overkill"),
        ),
        attribute_label=_("Dimension"),
        importance_label=_("Importance"),
        performance_label=_("Gap 5 (P − E)"),
        quadrant_label=_("Quadrant"),
        points=points,
        importance_crosshair=None if hidden else analysis_quadrants.importance_crosshair,
        performance_crosshair=None if hidden else analysis_quadrants.performance_crosshair,
    )
    return Panel("quadrants", chart.title, chart, chart.table())


def trend_panel(waves: Sequence[Wave]) -> Panel:
    """Gap 5 per pillar (and over all pillars) across waves, oldest first."""
    pillars: dict[str, str] = {}
    for wave in waves:
        for label in wave.summary.pillars:
            pillars.setdefault(str(label.code), label.name)
    series = []
    for code, name in pillars.items():
        cells = [wave.summary.cell(None, code) for wave in waves]
        series.append(_series(name, cells))
    series.append(_series(_("All pillars"), [wave.summary.overall for wave in waves]))
    chart = TrendChart(
        title=_("Gap 5 across waves"),
        summary=_("Mean P − E of each pillar in each wave, oldest first, with 95% intervals."),
        words=chart_words(ALPHA),
        wave_label=_("Wave"),
        series_label=_("Pillar"),
        value_label=_("Gap 5 (P − E)"),
        waves=tuple(wave.label for wave in waves),
        series=tuple(series),
    )
    return Panel("trend", chart.title, chart, chart.table())


def _series(name: str, cells) -> TrendSeries:
    return TrendSeries(
        name,
        tuple(cell.mean if cell else None for cell in cells),
        tuple(cell.ci_low if cell else None for cell in cells),
        tuple(cell.ci_high if cell else None for cell in cells),
        tuple(cell.n if cell else 0 for cell in cells),
    )


def reliability_panel(analysis: WaveAnalysis) -> Panel:
    """Cronbach's α per dimension for perceptions (P) and gaps (G), with Feldt's interval."""
    bars = tuple(
        AlphaBar(
            f"{cell.dimension.name} ({cell.measure})",
            cell.alpha.alpha,
            cell.alpha.ci_low,
            cell.alpha.ci_high,
            cell.alpha.n,
            cell.alpha.k,
        )
        for measure in RELIABILITY_MEASURES
        for cell in analysis.reliability
        if cell.measure == measure
    )
    chart = ReliabilityChart(
        title=_("Reliability: Cronbach's α by dimension"),
        summary=_("α of perceptions (P) and gaps (G) per dimension, with 0.70 as reference."),
        words=chart_words(ALPHA),
        category_label=_("Dimension (measure)"),
        value_label=_("Cronbach's α"),
        reference_label=_("0.70 acceptable"),
        items_label=_("Items"),
        bars=bars,
    )
    return Panel("reliability", chart.title, chart, chart.table())


def priorities_panel(analysis: WaveAnalysis) -> Panel:
    """The ranked shortfalls of the gap engine (significant after correction), n ≥ 5."""
    words = chart_words(ALPHA)
    header = (
        _("Rank"),
        _("Touchpoint"),
        _("Pillar"),
        _("Gap 5 (P − E)"),
        words.ci_low,
        words.ci_high,
        words.n,
        _("Adjusted p"),
    )
    rows, links = [], []
    for row in analysis.priorities:
        priority = row.priority
        if priority.suppressed_for_staff:
            continue
        rows.append(
            (
                priority.rank,
                row.touchpoint.name,
                row.pillar.name,
                priority.mean,
                priority.ci_low,
                priority.ci_high,
                priority.n,
                priority.adjusted_p,
            )
        )
        links.append(CellLink(int(row.touchpoint.id), str(row.pillar.code)))
    return Panel("priorities", _("Priorities"), None, Table(header, tuple(rows)), tuple(links))


def build(name: str, analysis: WaveAnalysis | None, waves: Sequence[Wave] = ()) -> Panel | None:
    """Build the panel called ``name`` (one of :data:`PANELS`); None when it does not apply.

    The trend needs only ``waves``; every other panel only ``analysis``.
    """
    if name == "trend":
        return trend_panel(waves)
    if analysis is None:
        raise ValueError(f"the {name} panel needs the wave's analysis")
    builders = {
        "waterfall": waterfall_panel,
        "heatmap": heatmap_panel,
        "dimensions": dimensions_panel,
        "zones": zones_panel,
        "quadrants": quadrants_panel,
        "reliability": reliability_panel,
        "priorities": priorities_panel,
    }
    return builders[name](analysis)


# --- CSV ------------------------------------------------------------------------------


def neutralise(value: object) -> str:
    """Write one CSV cell; text a spreadsheet would run as a formula gets a leading apostrophe.

    Cells starting with = + - @ tab or carriage return are prefixed with "'" (OWASP,
    "CSV injection"). Numbers are written plainly with a dot, None as an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(round(value, 6))
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(table: Table) -> str:
    """Return ``table`` as CSV text (header first), every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in table.header])
    for row in table.rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()
