"""Cronbach's α per dimension with Feldt's interval and the 0.70 reference line."""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from servqual.reports.charts import palette
from servqual.reports.charts.svg import locale_ticks, no_data_axes, render
from servqual.reports.charts.text import (
    ChartWords,
    Table,
    format_number,
    missing_reason,
    shown,
)


@dataclass(frozen=True, slots=True)
class AlphaBar:
    """Cronbach's α of one dimension, Feldt's interval, respondents n and items k."""

    label: str
    alpha: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None
    k: int | None = None


@dataclass(frozen=True, slots=True)
class ReliabilityChart:
    """α per dimension against ``reference`` (0.70 by convention, Nunnally 1978).

    ``reference_label`` is drawn on the reference line, e.g. "0,70 aceptable";
    ``items_label`` heads the table's k column.
    """

    title: str
    summary: str
    words: ChartWords
    category_label: str
    value_label: str
    reference_label: str
    items_label: str
    bars: tuple[AlphaBar, ...]
    reference: float = 0.7

    def table(self) -> Table:
        """Return one row per dimension: label, α, Feldt interval, n, k."""
        words = self.words
        header = (
            self.category_label,
            self.value_label,
            words.ci_low,
            words.ci_high,
            words.n,
            self.items_label,
        )
        rows = tuple(
            (
                bar.label,
                shown(bar.alpha, bar.n),
                shown(bar.ci_low, bar.n),
                shown(bar.ci_high, bar.n),
                bar.n,
                bar.k,
            )
            for bar in self.bars
        )
        return Table(header, rows)


def render_reliability(chart: ReliabilityChart) -> str:
    """Return the SVG of α per dimension with Feldt intervals and the reference line."""
    width = 2.0 + 0.9 * max(1, len(chart.bars))

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        if not chart.bars:
            no_data_axes(axes, chart.words.no_data)
            return
        words = chart.words
        lowest = 0.0
        for x, bar in enumerate(chart.bars):
            alpha = shown(bar.alpha, bar.n)
            if alpha is None:
                reason = missing_reason(words, bar.n)
                axes.text(x, 0.02, reason, rotation=90, ha="center", va="bottom", fontsize=8)
                continue
            below = alpha < chart.reference
            axes.bar(
                x,
                alpha,
                width=0.6,
                color=palette.SHORTFALL if below else palette.SURPLUS,
                hatch="//" if below else None,
                edgecolor="white",
                zorder=2,
            )
            top = alpha
            low, high = shown(bar.ci_low, bar.n), shown(bar.ci_high, bar.n)
            if low is not None and high is not None:
                axes.errorbar(
                    x,
                    alpha,
                    yerr=[[max(alpha - low, 0.0)], [max(high - alpha, 0.0)]],
                    fmt="none",
                    ecolor=palette.TEXT,
                    elinewidth=1.0,
                    capsize=3,
                    zorder=3,
                )
                top = max(top, high)
                lowest = min(lowest, low)
            lowest = min(lowest, alpha)
            axes.annotate(
                format_number(alpha, words.locale),
                xy=(x, max(top, 0.0)),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
            )
        axes.axhline(chart.reference, color=palette.TEXT, linewidth=1.0, linestyle="--", zorder=4)
        axes.annotate(
            chart.reference_label,
            xy=(1.0, chart.reference),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=8,
            annotation_clip=False,
        )
        axes.set_xticks(range(len(chart.bars)), [bar.label for bar in chart.bars])
        axes.set_xlim(-0.6, len(chart.bars) - 0.4)
        axes.set_ylim(min(lowest - 0.05, 0.0), 1.1)
        axes.set_yticks([tick for tick in axes.get_yticks() if lowest - 0.05 <= tick <= 1.0])
        axes.set_xlabel(chart.category_label)
        axes.set_ylabel(chart.value_label)
        axes.grid(axis="y", color=palette.GRID, linewidth=0.6, zorder=0)
        axes.set_axisbelow(True)
        locale_ticks(axes, words.locale)

    return render(chart, chart.title, chart.summary, (width, 3.4), draw)
