"""Dimension (or pillar) scores as horizontal bars with their 95% intervals."""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from servqual.reports.charts import palette
from servqual.reports.charts.svg import footnote, locale_ticks, no_data_axes, render
from servqual.reports.charts.text import (
    ChartWords,
    Table,
    footnotes,
    format_number,
    is_indicative,
    marks,
    missing_reason,
    shown,
)


@dataclass(frozen=True, slots=True)
class IntervalBar:
    """One score (e.g. a dimension's Gap 5) with its 95% interval and n."""

    label: str
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None
    significant: bool = False


@dataclass(frozen=True, slots=True)
class DimensionChart:
    """Scores per dimension; ``value_label`` names the score, e.g. "Gap 5 (P − E)".

    With ``signed`` (the default, for gaps) bars below zero take the shortfall colour and
    values carry a sign; without it (SERVPERF scores) every bar takes one colour.
    """

    title: str
    summary: str
    words: ChartWords
    category_label: str
    value_label: str
    bars: tuple[IntervalBar, ...]
    signed: bool = True

    def table(self) -> Table:
        """Return one row per bar: label, value, interval, n."""
        words = self.words
        header = (self.category_label, self.value_label, words.ci_low, words.ci_high, words.n)
        rows = tuple(
            (
                bar.label,
                shown(bar.value, bar.n),
                shown(bar.ci_low, bar.n),
                shown(bar.ci_high, bar.n),
                bar.n,
            )
            for bar in self.bars
        )
        return Table(header, rows)


def render_dimensions(chart: DimensionChart) -> str:
    """Return the SVG of the bars with 95% intervals in ``chart``."""
    height = 1.2 + 0.45 * max(1, len(chart.bars))

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        if not chart.bars:
            no_data_axes(axes, chart.words.no_data)
            return
        words = chart.words
        positions = list(range(len(chart.bars)))
        extent = [0.0]
        for y, bar in zip(positions, chart.bars, strict=True):
            value = shown(bar.value, bar.n)
            if value is None:
                reason = missing_reason(words, bar.n)
                axes.text(0, y, f" {reason}", va="center", ha="left", color=palette.MUTED)
                continue
            shortfall = chart.signed and value < 0
            colour = palette.SHORTFALL if shortfall else palette.SURPLUS
            axes.barh(y, value, height=0.6, color=colour, zorder=2)
            low, high = shown(bar.ci_low, bar.n), shown(bar.ci_high, bar.n)
            end = value
            if low is not None and high is not None:
                axes.errorbar(
                    value,
                    y,
                    xerr=[[max(value - low, 0.0)], [max(high - value, 0.0)]],
                    fmt="none",
                    ecolor=palette.TEXT,
                    elinewidth=1.0,
                    capsize=3,
                    zorder=3,
                )
                extent += [low, high]
                end = low if value < 0 else high
            extent.append(value)
            text = format_number(value, words.locale, signed=chart.signed)
            text += marks(bar.significant, bar.n)
            axes.annotate(
                text,
                xy=(end, y),
                xytext=(-4 if value < 0 else 4, 0),
                textcoords="offset points",
                ha="right" if value < 0 else "left",
                va="center",
                fontsize=8,
            )
        low, high = min(extent), max(extent)
        pad = (high - low) * 0.18 or 0.5
        axes.set_xlim(low - (pad if low < 0 else 0), high + pad)
        axes.axvline(0, color=palette.TEXT, linewidth=0.8, zorder=4)
        axes.set_yticks(positions, [bar.label for bar in chart.bars])
        axes.set_ylim(len(chart.bars) - 0.5, -0.5)
        axes.set_xlabel(chart.value_label)
        axes.grid(axis="x", color=palette.GRID, linewidth=0.6, zorder=0)
        axes.set_axisbelow(True)
        locale_ticks(axes, words.locale, "x")
        significant = any(bar.significant and shown(bar.value, bar.n) for bar in chart.bars)
        indicative = any(
            is_indicative(bar.n) and shown(bar.value, bar.n) is not None for bar in chart.bars
        )
        footnote(figure, footnotes(words, significant, indicative))

    return render(chart, chart.title, chart.summary, (6.0, height), draw)
