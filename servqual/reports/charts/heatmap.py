"""The touchpoint × pillar heatmap of a gap (usually Gap 5), one family of tests.

Each cell shows the mean gap with its sign, a mark when significant after the family's
correction, and n. The colour scale diverges around zero (orange = shortfall, blue =
surplus) and is symmetric, so equal gaps of opposite sign are equally strong. Cells
without data, or on fewer than 5 answers, are grey, hatched and labelled.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from servqual.reports.charts import grid, palette
from servqual.reports.charts.svg import footnote, locale_ticks, no_data_axes, render
from servqual.reports.charts.text import (
    ChartWords,
    Table,
    finite,
    footnotes,
    format_count,
    format_number,
    is_hidden,
    is_indicative,
    marks,
    missing_reason,
    shown,
)

_COLOURBAR_STEPS = 20


@dataclass(frozen=True, slots=True)
class HeatmapCell:
    """One tested estimate: mean gap, its interval, n and the family-adjusted p-value."""

    mean: float | None
    n: int | None
    adjusted_p: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True, slots=True)
class HeatmapChart:
    """A grid of cells: ``cells[i][j]`` is row ``rows[i]`` (touchpoint) × ``columns[j]``.

    ``limit`` fixes the colour scale at ±limit (e.g. to compare waves); by default it is
    the largest shown |mean|. A cell is significant when its adjusted p < ``alpha``.
    ``value_label`` names the gap, e.g. "Gap 5 (P − E)"; ``adjusted_p_label`` heads the
    p-value column of the table.
    """

    title: str
    summary: str
    words: ChartWords
    row_label: str
    column_label: str
    value_label: str
    adjusted_p_label: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[HeatmapCell | None, ...], ...]
    alpha: float = 0.05
    limit: float | None = None

    def __post_init__(self) -> None:
        """Refuse a grid whose shape differs from its row and column labels."""
        grid.check_shape(self)

    def is_significant(self, cell: HeatmapCell) -> bool:
        """Return whether ``cell`` is shown and its adjusted p-value is below ``alpha``."""
        p_value = finite(cell.adjusted_p)
        return shown(cell.mean, cell.n) is not None and p_value is not None and p_value < self.alpha

    def colour_limit(self) -> float:
        """Return the half-width of the symmetric colour scale."""
        if finite(self.limit):
            return abs(float(self.limit))
        means = [
            abs(value)
            for row in self.cells
            for cell in row
            if cell is not None and (value := shown(cell.mean, cell.n)) is not None
        ]
        return max(means, default=0.0) or 1.0

    def table(self) -> Table:
        """Return one row per cell: row, column, mean, interval, n, adjusted p."""
        return grid.grid_table(
            self,
            (self.adjusted_p_label,),
            lambda cell: (
                shown(cell.mean, cell.n),
                shown(cell.ci_low, cell.n),
                shown(cell.ci_high, cell.n),
                cell.n,
                None if is_hidden(cell.n) else finite(cell.adjusted_p),
            ),
        )


def render_heatmap(chart: HeatmapChart) -> str:
    """Return the SVG of the heatmap in ``chart``."""
    width = 2.4 + 1.05 * max(1, len(chart.columns))
    height = 1.6 + 0.55 * max(1, len(chart.rows))

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        if not chart.rows or not chart.columns:
            no_data_axes(axes, chart.words.no_data)
            return
        limit = chart.colour_limit()
        significant, indicative = _draw_cells(axes, chart, limit)
        grid.grid_axes(axes, chart.rows, chart.columns, chart.row_label, chart.column_label)
        mappable = ScalarMappable(palette.diverging_norm(limit), palette.DIVERGING_MAP)
        # Fewer steps than matplotlib's rasterizing threshold keep the bar vector.
        steps = [-limit + 2 * limit * k / _COLOURBAR_STEPS for k in range(_COLOURBAR_STEPS + 1)]
        colourbar = figure.colorbar(mappable, ax=axes, shrink=0.9, pad=0.02, boundaries=steps)
        ticks = MaxNLocator(nbins=5, symmetric=True).tick_values(-limit, limit)
        colourbar.set_ticks([tick for tick in ticks if -limit <= tick <= limit])
        colourbar.set_label(chart.value_label)
        colourbar.outline.set_visible(False)
        locale_ticks(colourbar.ax, chart.words.locale)
        footnote(figure, footnotes(chart.words, significant, indicative))

    return render(chart, chart.title, chart.summary, (width, height), draw)


def _draw_cells(axes: Axes, chart: HeatmapChart, limit: float) -> tuple[bool, bool]:
    words = chart.words
    any_significant = any_indicative = False
    for i, row in enumerate(chart.cells):
        for j, cell in enumerate(row):
            value = None if cell is None else shown(cell.mean, cell.n)
            if cell is None or value is None:
                reason = missing_reason(words, None if cell is None else cell.n)
                grid.empty_cell(
                    axes,
                    i,
                    j,
                    reason,
                    color=palette.TEXT,
                    bbox={"facecolor": palette.NO_DATA, "edgecolor": "none", "pad": 1.5},
                    wrap=True,
                )
                continue
            colour = palette.diverging_colour(value, limit)
            significant = chart.is_significant(cell)
            any_significant |= significant
            any_indicative |= is_indicative(cell.n)
            text = format_number(value, words.locale, signed=True) + marks(significant, cell.n)
            if cell.n is not None:
                text += f"\n{words.n} = {format_count(cell.n, words.locale)}"
            weight = "bold" if significant else "normal"
            grid.filled_cell(axes, i, j, colour, text, fontweight=weight)
    return any_significant, any_indicative
