"""The zone of tolerance: the adequate–desired band with the perceived level in it."""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from servqual.reports.charts import palette
from servqual.reports.charts.svg import locale_ticks, no_data_axes, render
from servqual.reports.charts.text import (
    ChartWords,
    Table,
    difference,
    format_number,
    missing_reason,
    shown,
)


@dataclass(frozen=True, slots=True)
class ZoneRow:
    """Mean adequate (A), desired (Ds) and perceived (P) levels of a dimension or item."""

    label: str
    adequate: float | None
    desired: float | None
    perceived: float | None
    n: int | None = None

    def levels(self) -> tuple[float | None, float | None, float | None]:
        """Return A, Ds, P as drawn: None when missing or on fewer than 5 answers."""
        return (
            shown(self.adequate, self.n),
            shown(self.desired, self.n),
            shown(self.perceived, self.n),
        )


@dataclass(frozen=True, slots=True)
class ZoneLabels:
    """Translated names: the band, the three levels, MSA (P − A) and MSS (P − Ds)."""

    zone: str
    adequate: str
    desired: str
    perceived: str
    adequacy_gap: str
    superiority_gap: str


@dataclass(frozen=True, slots=True)
class ZoneChart:
    """Zones of tolerance on the item scale low–high (Parasuraman et al. 1994)."""

    title: str
    summary: str
    words: ChartWords
    labels: ZoneLabels
    category_label: str
    axis_label: str
    rows: tuple[ZoneRow, ...]
    scale_low: float
    scale_high: float

    def table(self) -> Table:
        """Return one row per line: A, Ds, P, MSA = P − A, MSS = P − Ds, n."""
        labels = self.labels
        header = (
            self.category_label,
            labels.adequate,
            labels.desired,
            labels.perceived,
            labels.adequacy_gap,
            labels.superiority_gap,
            self.words.n,
        )
        rows = []
        for row in self.rows:
            adequate, desired, perceived = row.levels()
            rows.append(
                (
                    row.label,
                    adequate,
                    desired,
                    perceived,
                    difference(perceived, adequate),
                    difference(perceived, desired),
                    row.n,
                )
            )
        return Table(header, tuple(rows))


def render_zones(chart: ZoneChart) -> str:
    """Return the SVG of the zone of tolerance of each row in ``chart``."""
    height = 1.5 + 0.42 * max(1, len(chart.rows))

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        if not chart.rows:
            no_data_axes(axes, chart.words.no_data)
            return
        words = chart.words
        low, high = float(chart.scale_low), float(chart.scale_high)
        for y, row in enumerate(chart.rows):
            adequate, desired, perceived = row.levels()
            if adequate is None and desired is None and perceived is None:
                reason = missing_reason(words, row.n)
                axes.text(low, y, f" {reason}", va="center", ha="left", color=palette.MUTED)
                continue
            if adequate is not None and desired is not None:
                axes.barh(
                    y,
                    desired - adequate,
                    left=adequate,
                    height=0.55,
                    color=palette.BAND,
                    edgecolor=palette.SKY_BLUE,
                    zorder=2,
                )
            for level in (adequate, desired):
                if level is not None:
                    axes.plot([level, level], [y - 0.3, y + 0.3], color=palette.BLUE, lw=1.2)
            if perceived is not None:
                below = adequate is not None and perceived < adequate
                above = desired is not None and perceived > desired
                colour = palette.SHORTFALL if below else palette.BLUE if above else palette.TEXT
                marker = "v" if below else "^" if above else "D"
                axes.plot(
                    perceived,
                    y,
                    marker=marker,
                    markersize=7,
                    color=colour,
                    markeredgecolor="white",
                    linestyle="none",
                    zorder=4,
                )
                axes.annotate(
                    format_number(perceived, words.locale),
                    xy=(perceived, y),
                    xytext=(0, 7),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    color=colour,
                )
            else:
                axes.annotate(
                    words.no_data,
                    xy=(high, y),
                    ha="right",
                    va="center",
                    fontsize=7,
                    color=palette.MUTED,
                )
        axes.set_yticks(range(len(chart.rows)), [row.label for row in chart.rows])
        axes.set_ylim(len(chart.rows) - 0.5, -0.5)
        axes.set_xlim(low, high)
        axes.set_xlabel(chart.axis_label)
        axes.grid(axis="x", color=palette.GRID, linewidth=0.6, zorder=0)
        axes.set_axisbelow(True)
        locale_ticks(axes, words.locale, "x")
        legend = [
            Patch(facecolor=palette.BAND, edgecolor=palette.SKY_BLUE, label=chart.labels.zone),
            Line2D(
                [],
                [],
                marker="D",
                color=palette.TEXT,
                markeredgecolor="white",
                linestyle="none",
                label=chart.labels.perceived,
            ),
        ]
        axes.legend(
            handles=legend,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.14 if len(chart.rows) > 3 else -0.3),
            ncols=2,
        )

    return render(chart, chart.title, chart.summary, (6.0, height), draw)
