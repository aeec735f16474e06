"""The gap waterfall of a pillar: E → M → S → D, with C and P beside it.

Bars are the levels on the item scale; arrows between them are Gaps 1–3 (M − E,
S − M, D − S), which add up to D − E. Beside the chain, C carries Gap 4 (D − C) and P
carries Gap 5 (P − E). Negative gaps are shortfalls: drawn downwards, in the shortfall
colour, with a minus sign.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from servqual.reports.charts import palette
from servqual.reports.charts.svg import locale_ticks, no_data_axes, render
from servqual.reports.charts.text import (
    ChartWords,
    Table,
    difference,
    finite,
    format_number,
)

# Levels alternate with the steps between them: E Gap1 M Gap2 S Gap3 D | C P.
_LEVEL_X = (0.0, 2.0, 4.0, 6.0, 8.0, 9.0)
_STEP_X = (1.0, 3.0, 5.0)
_DIVIDER_X = 7.0
_WIDTH = 0.8
_COLUMNS = 2


@dataclass(frozen=True, slots=True)
class WaterfallLabels:
    """Translated names of the six levels, the five gaps, the axis and table columns.

    Level names are short, e.g. "E\\nexpectation"; gap names e.g. "Gap 1" / "Brecha 1";
    ``pillar`` and ``delivery_source`` head the table's first and last columns.
    """

    expectation: str
    management: str
    specification: str
    delivery: str
    communication: str
    perception: str
    gap1: str
    gap2: str
    gap3: str
    gap4: str
    gap5: str
    axis: str
    pillar: str
    delivery_source: str


@dataclass(frozen=True, slots=True)
class WaterfallPillar:
    """The six levels of one pillar on the item scale (None: not measured).

    ``delivery_source`` names where D comes from (audits or ratings), already translated.
    """

    name: str
    expectation: float | None
    management: float | None
    specification: float | None
    delivery: float | None
    communication: float | None
    perception: float | None
    delivery_source: str | None = None

    def levels(self) -> tuple[float | None, ...]:
        """Return E, M, S, D, C, P with missing or non-finite values as None."""
        return tuple(
            finite(value)
            for value in (
                self.expectation,
                self.management,
                self.specification,
                self.delivery,
                self.communication,
                self.perception,
            )
        )

    def gaps(self) -> tuple[float | None, ...]:
        """Return Gap 1 = M − E, Gap 2 = S − M, Gap 3 = D − S, Gap 4 = D − C, Gap 5 = P − E."""
        e, m, s, d, c, p = self.levels()
        return (
            difference(m, e),
            difference(s, m),
            difference(d, s),
            difference(d, c),
            difference(p, e),
        )


@dataclass(frozen=True, slots=True)
class WaterfallChart:
    """Gap waterfalls of one or more pillars, one panel each, on the scale low–high."""

    title: str
    summary: str
    words: ChartWords
    labels: WaterfallLabels
    pillars: tuple[WaterfallPillar, ...]
    scale_low: float
    scale_high: float

    def table(self) -> Table:
        """Return one row per pillar: levels, the five gaps and the delivery source."""
        labels = self.labels
        header = (
            labels.pillar,
            labels.expectation,
            labels.management,
            labels.specification,
            labels.delivery,
            labels.communication,
            labels.perception,
            labels.gap1,
            labels.gap2,
            labels.gap3,
            labels.gap4,
            labels.gap5,
            labels.delivery_source,
        )
        header = tuple(" ".join(cell.split()) for cell in header)
        rows = tuple(
            (pillar.name, *pillar.levels(), *pillar.gaps(), pillar.delivery_source)
            for pillar in self.pillars
        )
        return Table(header, rows)


def render_waterfall(chart: WaterfallChart) -> str:
    """Return the SVG of the gap waterfall of each pillar in ``chart``."""
    panels = max(1, len(chart.pillars))
    columns = min(_COLUMNS, panels)
    rows = math.ceil(panels / columns)

    def draw(figure: Figure) -> None:
        grid = figure.subplots(rows, columns, squeeze=False)
        flat = [axes for row in grid for axes in row]
        if not chart.pillars:
            no_data_axes(flat[0], chart.words.no_data)
        for axes, pillar in zip(flat, chart.pillars, strict=False):
            _draw_pillar(axes, chart, pillar)
            axes.set_ylabel(chart.labels.axis)
        for axes in flat[len(chart.pillars) :]:
            if chart.pillars:
                axes.set_visible(False)

    return render(chart, chart.title, chart.summary, (6.2 * columns, 3.8 * rows), draw)


def _draw_pillar(axes: Axes, chart: WaterfallChart, pillar: WaterfallPillar) -> None:
    low, high = float(chart.scale_low), float(chart.scale_high)
    span = (high - low) or 1.0
    labels = chart.labels
    words = chart.words
    levels = pillar.levels()
    gaps = pillar.gaps()
    for x, value in zip(_LEVEL_X, levels, strict=True):
        if value is None:
            _no_data(axes, x, low + span * 0.04, words.no_data)
            continue
        axes.bar(x, value - low, bottom=low, width=_WIDTH, color=palette.LEVEL, zorder=2)
        axes.text(x, value, format_number(value, words.locale), ha="center", va="top", fontsize=8)
    for index, x in enumerate(_STEP_X):
        start, end, change = levels[index], levels[index + 1], gaps[index]
        if start is None or end is None or change is None:
            _no_data(axes, x, low + span * 0.04, words.no_data)
            continue
        _step(axes, x, start, end, change, words.locale)
    for x, gap, name in ((_LEVEL_X[4], gaps[3], labels.gap4), (_LEVEL_X[5], gaps[4], labels.gap5)):
        _aside(axes, x, high + span * 0.04, gap, name, words)
    axes.axvline(_DIVIDER_X, color=palette.GRID, linewidth=1.0, zorder=0)
    names = (
        labels.expectation,
        labels.gap1,
        labels.management,
        labels.gap2,
        labels.specification,
        labels.gap3,
        labels.delivery,
        labels.communication,
        labels.perception,
    )
    axes.set_xticks(sorted((*_LEVEL_X, *_STEP_X)), names, fontsize=8)
    axes.set_xlim(-0.6, _LEVEL_X[-1] + 0.6)
    axes.set_ylim(low, high + span * 0.22)
    axes.set_yticks([tick for tick in axes.get_yticks() if low <= tick <= high])
    locale_ticks(axes, words.locale)
    title = pillar.name
    if pillar.delivery_source:
        title = f"{title}\n{labels.delivery_source}: {pillar.delivery_source}"
    axes.set_title(title, loc="left")


def _no_data(axes: Axes, x: float, y: float, text: str) -> None:
    # A label, never a bar: a hatched bar would read as a level.
    axes.text(
        x,
        y,
        text,
        rotation=90,
        ha="center",
        va="bottom",
        fontsize=8,
        color=palette.MUTED,
        bbox={
            "boxstyle": "round,pad=0.3",
            "facecolor": palette.NO_DATA,
            "edgecolor": palette.NO_DATA_EDGE,
            "linestyle": "--",
            "linewidth": 0.6,
        },
    )


def _step(axes: Axes, x: float, start: float, end: float, change: float, locale: str) -> None:
    colour = palette.SHORTFALL if change < 0 else palette.SURPLUS
    bottom = min(start, end)
    height = abs(change)
    axes.bar(x, height, bottom=bottom, width=_WIDTH, color=colour, zorder=2)
    half = _WIDTH / 2
    for left, right, level in ((x - 1 + half, x - half, start), (x + half, x + 1 - half, end)):
        axes.plot([left, right], [level, level], color=palette.MUTED, linewidth=0.7, ls=":")
    arrow = "\N{DOWNWARDS ARROW}" if change < 0 else "\N{UPWARDS ARROW}"
    axes.text(
        x,
        bottom,
        f"{format_number(change, locale, signed=True)}{arrow if height else ''}",
        ha="center",
        va="top",
        fontsize=8,
        color=colour,
        fontweight="bold",
    )


def _aside(axes: Axes, x: float, y: float, gap: float | None, name: str, words: ChartWords) -> None:
    if gap is None:
        axes.text(x, y, f"{name}\n{words.no_data}", ha="center", va="bottom", fontsize=8)
        return
    colour = palette.SHORTFALL if gap < 0 else palette.SURPLUS
    text = f"{name}\n{format_number(gap, words.locale, signed=True)}"
    axes.text(x, y, text, ha="center", va="bottom", fontsize=8, color=colour, fontweight="bold")
