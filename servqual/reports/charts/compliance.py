"""A grid of audit compliance rates (touchpoint × pillar, or site × pillar), in percent.

Each cell shows the weighted compliance of approved visits with its n (visits); the
colour runs on the gap palette around a reference (80% by default): orange below it,
blue above, so the eye goes to where standards are missed. Cells on fewer than 5
visits are grey, hatched and labelled, never coloured (anonymity rule).
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from servqual.reports.charts import grid, palette
from servqual.reports.charts.svg import footnote, no_data_axes, render
from servqual.reports.charts.text import (
    ChartWords,
    Table,
    format_count,
    format_number,
    is_indicative,
    marks,
    missing_reason,
    shown,
)


@dataclass(frozen=True, slots=True)
class ComplianceCell:
    """One cell: compliance rate r ∈ [0, 1], its Wilson interval and n (visits)."""

    rate: float | None
    n: int | None
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True, slots=True)
class ComplianceChart:
    """``cells[i][j]`` is row ``rows[i]`` × column ``columns[j]``; rates in [0, 1]."""

    title: str
    summary: str
    words: ChartWords
    row_label: str
    column_label: str
    value_label: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[ComplianceCell | None, ...], ...]
    reference: float = 0.8

    def __post_init__(self) -> None:
        """Refuse a grid whose shape differs from its row and column labels."""
        grid.check_shape(self)

    def table(self) -> Table:
        """Return one row per cell: row, column, compliance and its interval in %, n."""
        return grid.grid_table(
            self,
            (),
            lambda cell: (
                _percent(shown(cell.rate, cell.n)),
                _percent(shown(cell.ci_low, cell.n)),
                _percent(shown(cell.ci_high, cell.n)),
                cell.n,
            ),
        )


def _percent(rate: float | None) -> float | None:
    return None if rate is None else 100.0 * rate


def render_compliance(chart: ComplianceChart) -> str:
    """Return the SVG of the compliance grid in ``chart``."""
    width = 2.4 + 1.05 * max(1, len(chart.columns))
    height = 1.4 + 0.55 * max(1, len(chart.rows))

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        if not chart.rows or not chart.columns:
            no_data_axes(axes, chart.words.no_data)
            return
        indicative = False
        limit = max(chart.reference, 1 - chart.reference)
        for i, row in enumerate(chart.cells):
            for j, cell in enumerate(row):
                rate = None if cell is None else shown(cell.rate, cell.n)
                if cell is None or rate is None:
                    reason = missing_reason(chart.words, None if cell is None else cell.n)
                    grid.empty_cell(axes, i, j, reason)
                    continue
                colour = palette.diverging_colour(rate - chart.reference, limit)
                indicative |= is_indicative(cell.n)
                text = format_number(100 * rate, chart.words.locale, 0) + " %"
                text += marks(False, cell.n)
                text += f"\n{chart.words.n} = {format_count(cell.n or 0, chart.words.locale)}"
                grid.filled_cell(axes, i, j, colour, text)
        grid.grid_axes(axes, chart.rows, chart.columns, chart.row_label, chart.column_label)
        if indicative:
            footnote(figure, chart.words.indicative)

    return render(chart, chart.title, chart.summary, (width, height), draw)
