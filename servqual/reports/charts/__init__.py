"""Charts drawn on the server as SVG, for the dashboard and the PDFs alike.

Each chart is a frozen dataclass of plain numbers (None: no data) and words already
translated by the caller, with ``table()`` giving the data behind it for the accessible
table and the CSV download; ``render_svg(chart)`` (or the chart's own ``render_*``)
returns self-contained SVG text with a <title> and <desc>. No Flask, no database, no
``pyplot``: matplotlib's object API only, colours from :mod:`.palette`.

Values on fewer than 5 answers are never drawn nor tabled (anonymity, MEASUREMENT.md);
values on fewer than 30 carry the indicative mark.
"""

from __future__ import annotations

from collections.abc import Callable

from servqual.reports.charts.compliance import (
    ComplianceCell,
    ComplianceChart,
    render_compliance,
)
from servqual.reports.charts.heatmap import HeatmapCell, HeatmapChart, render_heatmap
from servqual.reports.charts.intervals import DimensionChart, IntervalBar, render_dimensions
from servqual.reports.charts.quadrants import (
    ImportancePoint,
    QuadrantChart,
    QuadrantLabels,
    render_quadrants,
)
from servqual.reports.charts.reliability import AlphaBar, ReliabilityChart, render_reliability
from servqual.reports.charts.text import (
    INDICATIVE_MARK,
    SIGNIFICANT_MARK,
    ChartWords,
    Table,
    format_number,
)
from servqual.reports.charts.trend import TrendChart, TrendSeries, render_trend
from servqual.reports.charts.waterfall import (
    WaterfallChart,
    WaterfallLabels,
    WaterfallPillar,
    render_waterfall,
)
from servqual.reports.charts.zones import ZoneChart, ZoneLabels, ZoneRow, render_zones

Chart = (
    WaterfallChart
    | HeatmapChart
    | DimensionChart
    | ZoneChart
    | QuadrantChart
    | TrendChart
    | ReliabilityChart
    | ComplianceChart
)

RENDERERS: dict[type, Callable[..., str]] = {
    WaterfallChart: render_waterfall,
    HeatmapChart: render_heatmap,
    DimensionChart: render_dimensions,
    ZoneChart: render_zones,
    QuadrantChart: render_quadrants,
    TrendChart: render_trend,
    ReliabilityChart: render_reliability,
    ComplianceChart: render_compliance,
}


def render_svg(chart: Chart) -> str:
    """Return the SVG text of any chart of this module."""
    try:
        renderer = RENDERERS[type(chart)]
    except KeyError:
        raise TypeError(f"not a chart: {type(chart).__name__}") from None
    return renderer(chart)


__all__ = [
    "INDICATIVE_MARK",
    "RENDERERS",
    "SIGNIFICANT_MARK",
    "AlphaBar",
    "Chart",
    "ChartWords",
    "ComplianceCell",
    "ComplianceChart",
    "DimensionChart",
    "HeatmapCell",
    "HeatmapChart",
    "ImportancePoint",
    "IntervalBar",
    "QuadrantChart",
    "QuadrantLabels",
    "ReliabilityChart",
    "Table",
    "TrendChart",
    "TrendSeries",
    "WaterfallChart",
    "WaterfallLabels",
    "WaterfallPillar",
    "ZoneChart",
    "ZoneLabels",
    "ZoneRow",
    "format_number",
    "render_dimensions",
    "render_heatmap",
    "render_quadrants",
    "render_reliability",
    "render_svg",
    "render_trend",
    "render_waterfall",
    "render_zones",
]
