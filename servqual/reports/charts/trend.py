"""Scores across waves: one line per series with its 95% interval as a band."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from matplotlib.figure import Figure

from servqual.reports.charts import palette
from servqual.reports.charts.svg import locale_ticks, no_data_axes, render
from servqual.reports.charts.text import ChartWords, Table, shown


@dataclass(frozen=True, slots=True)
class TrendSeries:
    """One series (e.g. a dimension's Gap 5) per wave; intervals and n optional.

    ``ci_low``, ``ci_high`` and ``ns`` are empty or as long as ``values``.
    """

    label: str
    values: tuple[float | None, ...]
    ci_low: tuple[float | None, ...] = ()
    ci_high: tuple[float | None, ...] = ()
    ns: tuple[int | None, ...] = ()

    def at(self, index: int) -> tuple[float | None, float | None, float | None, int | None]:
        """Return value, interval and n at wave ``index``, None where not shown."""
        n = self.ns[index] if self.ns else None
        low = self.ci_low[index] if self.ci_low else None
        high = self.ci_high[index] if self.ci_high else None
        return shown(self.values[index], n), shown(low, n), shown(high, n), n


@dataclass(frozen=True, slots=True)
class TrendChart:
    """Series across ``waves`` (oldest first), e.g. "2026-Q1", "2026-Q2"."""

    title: str
    summary: str
    words: ChartWords
    wave_label: str
    series_label: str
    value_label: str
    waves: tuple[str, ...]
    series: tuple[TrendSeries, ...]

    def __post_init__(self) -> None:
        """Refuse a series whose lengths differ from the waves."""
        for series in self.series:
            if len(series.values) != len(self.waves):
                raise ValueError(f"series {series.label!r} needs one value per wave")
            for extra in (series.ci_low, series.ci_high, series.ns):
                if extra and len(extra) != len(self.waves):
                    raise ValueError(f"series {series.label!r}: intervals and n need one per wave")

    def table(self) -> Table:
        """Return one row per series and wave: value, interval, n."""
        words = self.words
        header = (
            self.series_label,
            self.wave_label,
            self.value_label,
            words.ci_low,
            words.ci_high,
            words.n,
        )
        rows = tuple(
            (series.label, wave, *series.at(index))
            for series in self.series
            for index, wave in enumerate(self.waves)
        )
        return Table(header, rows)


def _runs(present: list[bool]) -> Iterator[list[int]]:
    """Yield runs of consecutive indexes where ``present`` is true."""
    run: list[int] = []
    for index, flag in enumerate(present):
        if flag:
            run.append(index)
        elif run:
            yield run
            run = []
    if run:
        yield run


def render_trend(chart: TrendChart) -> str:
    """Return the SVG of the series across waves in ``chart``."""
    width = max(5.0, 2.5 + 0.8 * len(chart.waves))

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        points = [
            (series, index, series.at(index))
            for series in chart.series
            for index in range(len(chart.waves))
        ]
        if not any(point[2][0] is not None for point in points):
            no_data_axes(axes, chart.words.no_data)
            return
        extent: list[float] = []
        for number, series in enumerate(chart.series):
            colour = palette.SERIES[number % len(palette.SERIES)]
            marker = palette.MARKERS[number % len(palette.MARKERS)]
            style = palette.LINE_STYLES[number % len(palette.LINE_STYLES)]
            at = [series.at(index) for index in range(len(chart.waves))]
            labelled = False
            for run in _runs([value is not None for value, *_ in at]):
                axes.plot(
                    run,
                    [at[index][0] for index in run],
                    color=colour,
                    marker=marker,
                    linestyle=style,
                    linewidth=1.6,
                    markersize=5,
                    label=None if labelled else series.label,
                    zorder=3,
                )
                labelled = True
                extent += [at[index][0] for index in run]
            for run in _runs([low is not None and high is not None for _, low, high, _ in at]):
                lows = [at[index][1] for index in run]
                highs = [at[index][2] for index in run]
                if len(run) == 1:
                    axes.errorbar(
                        run, lows, yerr=[[0], [highs[0] - lows[0]]], fmt="none", ecolor=colour
                    )
                else:
                    axes.fill_between(run, lows, highs, color=colour, alpha=0.15, linewidth=0)
                extent += lows + highs
            if not labelled:
                axes.plot([], [], color=colour, marker=marker, linestyle=style, label=series.label)
        low, high = min(extent), max(extent)
        if low <= 0 <= high:
            axes.axhline(0, color=palette.TEXT, linewidth=0.8)
        axes.set_xticks(range(len(chart.waves)), chart.waves)
        axes.set_xlim(-0.3, len(chart.waves) - 0.7)
        axes.set_xlabel(chart.wave_label)
        axes.set_ylabel(chart.value_label)
        axes.grid(axis="y", color=palette.GRID, linewidth=0.6)
        axes.set_axisbelow(True)
        locale_ticks(axes, chart.words.locale)
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title=chart.series_label)

    return render(chart, chart.title, chart.summary, (width, 3.6), draw)
