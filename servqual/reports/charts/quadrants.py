"""Importance–performance analysis: attributes in four quadrants (Martilla & James 1977).

Performance runs along x and importance up y; the crosshairs sit at the means, so the
top-left quadrant (important, performing below the mean) is "concentrate here".
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from servqual.reports.charts import palette
from servqual.reports.charts.svg import locale_ticks, no_data_axes, render
from servqual.reports.charts.text import ChartWords, Table, finite, format_number


@dataclass(frozen=True, slots=True)
class QuadrantLabels:
    """Translated names of the four quadrants."""

    concentrate_here: str
    keep_up_the_good_work: str
    low_priority: str
    possible_overkill: str


@dataclass(frozen=True, slots=True)
class ImportancePoint:
    """One attribute: its importance (stated or derived) and performance (P or G)."""

    label: str
    importance: float | None
    performance: float | None


@dataclass(frozen=True, slots=True)
class QuadrantChart:
    """Attributes placed by importance and performance.

    The crosshairs default to the means over the attributes having both values (needs
    two); pass the core's ``importance_crosshair`` and ``performance_crosshair`` to use
    its. ``quadrant_label`` heads the table's quadrant column.
    """

    title: str
    summary: str
    words: ChartWords
    labels: QuadrantLabels
    attribute_label: str
    importance_label: str
    performance_label: str
    quadrant_label: str
    points: tuple[ImportancePoint, ...]
    importance_crosshair: float | None = None
    performance_crosshair: float | None = None

    def complete(self) -> tuple[tuple[str, float, float], ...]:
        """Return (label, importance, performance) of the attributes having both values."""
        return tuple(
            (point.label, importance, performance)
            for point in self.points
            if (importance := finite(point.importance)) is not None
            and (performance := finite(point.performance)) is not None
        )

    def crosshairs(self) -> tuple[float, float] | None:
        """Return (importance, performance) crosshairs, or None with fewer than 2 points."""
        complete = self.complete()
        given = finite(self.importance_crosshair), finite(self.performance_crosshair)
        if given[0] is not None and given[1] is not None:
            return given[0], given[1]
        if len(complete) < 2:
            return None
        return (
            sum(point[1] for point in complete) / len(complete),
            sum(point[2] for point in complete) / len(complete),
        )

    def quadrant_of(self, importance: float, performance: float) -> str | None:
        """Return the quadrant's name; a value on a crosshair counts as high."""
        crosshairs = self.crosshairs()
        if crosshairs is None:
            return None
        labels = self.labels
        if importance >= crosshairs[0]:
            return (
                labels.keep_up_the_good_work
                if performance >= crosshairs[1]
                else labels.concentrate_here
            )
        return labels.possible_overkill if performance >= crosshairs[1] else labels.low_priority

    def table(self) -> Table:
        """Return one row per attribute: importance, performance, quadrant."""
        header = (
            self.attribute_label,
            self.importance_label,
            self.performance_label,
            self.quadrant_label,
        )
        rows = []
        for point in self.points:
            importance, performance = finite(point.importance), finite(point.performance)
            name = None
            if importance is not None and performance is not None:
                name = self.quadrant_of(importance, performance)
            rows.append((point.label, importance, performance, name))
        return Table(header, tuple(rows))


def render_quadrants(chart: QuadrantChart) -> str:
    """Return the SVG of the importance–performance grid in ``chart``."""

    def draw(figure: Figure) -> None:
        axes = figure.subplots()
        complete = chart.complete()
        if not complete:
            no_data_axes(axes, chart.words.no_data)
            return
        words = chart.words
        crosshairs = chart.crosshairs()
        importances = [point[1] for point in complete]
        performances = [point[2] for point in complete]
        if crosshairs is not None:
            importances.append(crosshairs[0])
            performances.append(crosshairs[1])
        for label, importance, performance in complete:
            urgent = chart.quadrant_of(importance, performance) == chart.labels.concentrate_here
            axes.plot(
                performance,
                importance,
                marker="s" if urgent else "o",
                markersize=7,
                color=palette.SHORTFALL if urgent else palette.BLUE,
                markeredgecolor="white",
                linestyle="none",
                zorder=3,
            )
            axes.annotate(
                label, xy=(performance, importance), xytext=(5, 4), textcoords="offset points"
            )
        _limits(axes, performances, importances)
        if crosshairs is not None:
            axes.axhline(crosshairs[0], color=palette.MUTED, linewidth=0.9, linestyle="--")
            axes.axvline(crosshairs[1], color=palette.MUTED, linewidth=0.9, linestyle="--")
            labels = chart.labels
            corners = (
                (0.01, 0.99, "left", "top", labels.concentrate_here),
                (0.99, 0.99, "right", "top", labels.keep_up_the_good_work),
                (0.01, 0.01, "left", "bottom", labels.low_priority),
                (0.99, 0.01, "right", "bottom", labels.possible_overkill),
            )
            for x, y, ha, va, text in corners:
                axes.text(
                    x,
                    y,
                    text,
                    transform=axes.transAxes,
                    ha=ha,
                    va=va,
                    fontsize=8,
                    fontstyle="italic",
                    color=palette.MUTED,
                )
            axes.annotate(
                format_number(crosshairs[1], words.locale),
                xy=(crosshairs[1], 0),
                xycoords=("data", "axes fraction"),
                xytext=(2, 2),
                textcoords="offset points",
                fontsize=7,
                color=palette.MUTED,
                rotation=90,
                va="bottom",
            )
        axes.set_xlabel(chart.performance_label)
        axes.set_ylabel(chart.importance_label)
        locale_ticks(axes, words.locale, "xy")

    return render(chart, chart.title, chart.summary, (6.0, 4.6), draw)


def _limits(axes, xs: list[float], ys: list[float]) -> None:
    for values, setter in ((xs, axes.set_xlim), (ys, axes.set_ylim)):
        low, high = min(values), max(values)
        pad = (high - low) * 0.22 or max(abs(high) * 0.1, 0.5)
        setter(low - pad, high + pad)
