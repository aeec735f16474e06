"""Drawing shared by the grid charts (the gap heatmap and the compliance grid).

Row ``i`` × column ``j`` is the unit square at (j, i); rows run top to bottom and the
column labels sit on top. A grid chart has ``words``, ``row_label``, ``column_label``,
``value_label``, ``rows``, ``columns`` and ``cells[i][j]`` (None: no cell).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from servqual.reports.charts import palette
from servqual.reports.charts.text import Table


def check_shape(chart: Any) -> None:
    """Refuse a grid whose shape differs from its row and column labels."""
    if len(chart.cells) != len(chart.rows) or any(
        len(row) != len(chart.columns) for row in chart.cells
    ):
        raise ValueError("cells must have one row per row label and one cell per column")


def grid_table(chart: Any, extra_headers: tuple[str, ...], values: Callable[[Any], tuple]) -> Table:
    """Return one row per cell: row, column, then ``values(cell)`` (blank if no cell).

    The header is row, column, value, interval low and high, n, then ``extra_headers``.
    """
    words = chart.words
    header = (
        chart.row_label,
        chart.column_label,
        chart.value_label,
        words.ci_low,
        words.ci_high,
        words.n,
        *extra_headers,
    )
    blank = (None,) * (len(header) - 2)
    rows = []
    for row_name, row in zip(chart.rows, chart.cells, strict=True):
        for column_name, cell in zip(chart.columns, row, strict=True):
            rows.append((row_name, column_name, *(blank if cell is None else values(cell))))
    return Table(header, tuple(rows))


def filled_cell(axes: Axes, i: int, j: int, colour: str, text: str, **style: Any) -> None:
    """Draw a coloured cell with ``text`` centred on it in a colour readable on ``colour``."""
    axes.add_patch(Rectangle((j, i), 1, 1, facecolor=colour, edgecolor="white", linewidth=1.5))
    axes.text(
        j + 0.5,
        i + 0.5,
        text,
        ha="center",
        va="center",
        fontsize=8,
        color=palette.text_colour_on(colour),
        **style,
    )


def empty_cell(axes: Axes, i: int, j: int, reason: str, **style: Any) -> None:
    """Draw a grey hatched cell (no data, or too few answers) labelled with ``reason``."""
    axes.add_patch(
        Rectangle(
            (j, i),
            1,
            1,
            facecolor=palette.NO_DATA,
            edgecolor="white",
            hatch=palette.NO_DATA_HATCH,
            linewidth=1.5,
        )
    )
    axes.text(j + 0.5, i + 0.5, reason, ha="center", va="center", fontsize=7, **style)


def grid_axes(
    axes: Axes,
    rows: Sequence[str],
    columns: Sequence[str],
    row_label: str,
    column_label: str,
) -> None:
    """Fit ``axes`` to the grid: row and column labels, column labels on top, no frame."""
    axes.set_xlim(0, len(columns))
    axes.set_ylim(len(rows), 0)
    axes.set_xticks([j + 0.5 for j in range(len(columns))], columns)
    axes.set_yticks([i + 0.5 for i in range(len(rows))], rows)
    axes.xaxis.tick_top()
    axes.xaxis.set_label_position("top")
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.set_xlabel(column_label)
    axes.set_ylabel(row_label)
