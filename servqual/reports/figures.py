"""The report's charts, built from a :class:`WaveAnalysis` and drawn as inline SVG.

Each figure is the SVG and the formatted table behind it (the table is printed beside
the chart, so the numbers can be read and searched in the PDF's text).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from servqual.gaps.sources import ChainCell, GapCell, Label, WaveAnalysis
from servqual.reports.charts import (
    HeatmapCell,
    HeatmapChart,
    WaterfallChart,
    WaterfallPillar,
    render_svg,
)
from servqual.reports.charts.text import Table
from servqual.reports.inline_svg import presentational
from servqual.reports.words import chart_words, delivery_sources, waterfall_labels

ALPHA = 0.05
#: Labels longer than this are shortened inside charts (the tables keep them whole):
#: a long name would squeeze the plotting area to nothing.
CHART_LABEL_LENGTH = 30


#: matplotlib names its groups "text_3", "patch_1" … in every chart; inlined side by side
#: they would clash (and each would become a PDF anchor). Nothing refers to them.
_GROUP_ID = re.compile(r'<g id="[^"]*"')


def short(name: str, length: int = CHART_LABEL_LENGTH) -> str:
    """Return ``name`` cut to ``length`` characters, with an ellipsis when cut."""
    name = " ".join(name.split())
    return name if len(name) <= length else name[: length - 1].rstrip() + "…"


@dataclass(frozen=True)
class Figure:
    """A chart's SVG panels (trusted: drawn here, every label escaped) and its table."""

    svgs: tuple[Markup, ...]
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class PillarGrid:
    """Touchpoints × pillars of one wave, in the order of the analysis."""

    touchpoints: tuple[Label, ...]
    pillars: tuple[Label, ...]
    cells: dict[tuple[object, object], GapCell]
    promise: dict[object, GapCell]


def pillar_grid(analysis: WaveAnalysis) -> PillarGrid:
    """Collect the touchpoint × pillar Gap 5 cells and each touchpoint's promise cell."""
    touchpoints: dict[object, Label] = {}
    pillars: dict[object, Label] = {}
    cells: dict[tuple[object, object], GapCell] = {}
    promise: dict[object, GapCell] = {}
    for cell in analysis.score_gaps_by.get("touchpoint", ()):
        if cell.group is None:
            continue
        if cell.level == "promise":
            touchpoints.setdefault(cell.group.id, cell.group)
            promise[cell.group.id] = cell
        elif cell.level == "pillar":
            touchpoints.setdefault(cell.group.id, cell.group)
            pillars.setdefault(cell.subject.code, cell.subject)
            cells[(cell.group.id, cell.subject.code)] = cell
    ordered_pillars = [label for label in analysis.pillars.subjects if label.code in pillars]
    ordered_pillars += [label for code, label in pillars.items() if label not in ordered_pillars]
    return PillarGrid(tuple(touchpoints.values()), tuple(ordered_pillars), cells, promise)


def _figure(chart, table: Table) -> Figure:
    """Draw ``chart`` (labels shortened) beside ``table`` (labels whole)."""
    rows = table.formatted(chart.words)
    return Figure((_svg(chart),), table.header, rows)


def _svg(chart) -> Markup:
    # WeasyPrint ignores matplotlib's style attributes inside SVG (text-anchor, fill):
    # as presentation attributes they are honoured, so labels sit where they are drawn.
    return Markup(_GROUP_ID.sub("<g", presentational(render_svg(chart))))  # noqa: S704


def _mean(values: Sequence[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return sum(present) / len(present) if present else None


def waterfall_pillars(
    analysis: WaveAnalysis, keep: Sequence[Label] = ()
) -> tuple[WaterfallPillar, ...]:
    """Return each pillar's six levels over the scope: the dashboard's and the PDFs' waterfall.

    E and P are the pillar's respondent-level scores; M, S, D and C, measured per
    touchpoint, are the unweighted means over the touchpoints that have them. A level on
    fewer than 5 answers (E, P, or a touchpoint's D) is left out, as everywhere else.
    With ``keep``, only those pillars (e.g. the ones with Gap 5 cells in a scope).
    """
    table = analysis.pillars
    chain: dict[object, list[ChainCell]] = {}
    for cell in analysis.chain:
        chain.setdefault(cell.pillar.code, []).append(cell)
    pillars = []
    for label, expectation, perception in zip(
        table.subjects, table.expectation, table.perception, strict=True
    ):
        if keep and label not in keep:
            continue
        cells = chain.get(label.code, [])
        levels = [cell.waterfall.levels for cell in cells]
        sources = {cell.waterfall.delivery_source for cell in cells} - {None}
        pillars.append(
            WaterfallPillar(
                name=label.name,
                expectation=None if expectation.suppressed_for_staff else expectation.mean,
                management=_mean([level.management for level in levels]),
                specification=_mean([level.specification for level in levels]),
                delivery=_mean(
                    [
                        level.delivery.value
                        if level.delivery and not level.delivery.suppressed_for_staff
                        else None
                        for level in levels
                    ]
                ),
                communication=_mean([level.communication for level in levels]),
                perception=None if perception.suppressed_for_staff else perception.mean,
                delivery_source=delivery_sources(sources),
            )
        )
    return tuple(pillars)


def waterfall_figure(analysis: WaveAnalysis, grid: PillarGrid) -> Figure:
    """Draw one waterfall per pillar with Gap 5 cells in the scope (:func:`waterfall_pillars`)."""
    words = chart_words(ALPHA)
    pillars = waterfall_pillars(analysis, grid.pillars)
    campaign = analysis.campaign
    chart = WaterfallChart(
        title=_("Gap waterfall by pillar"),
        summary=_("Levels E, M, S, D, C and P of each pillar, and the gaps between them."),
        words=words,
        labels=waterfall_labels(),
        pillars=tuple(pillars),
        scale_low=campaign.scale_low or 1,
        scale_high=campaign.scale_high or 7,
    )
    # One chart per pillar, drawn at its own size: the chart module sets panels two abreast,
    # which a portrait page would shrink to unreadable type.
    svgs = tuple(
        _svg(dataclasses.replace(chart, pillars=(dataclasses.replace(p, name=short(p.name)),)))
        for p in pillars
    ) or (_svg(chart),)
    table = chart.table()
    formatted = table.formatted(words)
    # Transposed (one column per pillar): thirteen columns do not fit a portrait page.
    header = (_("Level or gap"), *(row[0] for row in formatted))
    rows = tuple(
        (name, *(row[index] for row in formatted))
        for index, name in enumerate(table.header)
        if index > 0
    )
    return Figure(svgs, header, rows)


def heatmap_cell(cell: GapCell | None) -> HeatmapCell | None:
    """Return a chart cell of a Gap 5 cell."""
    if cell is None:
        return None
    gap = cell.gap
    return HeatmapCell(gap.mean, gap.n, cell.adjusted_p, gap.ci_low, gap.ci_high)


def gap5_heatmap(
    touchpoints: Sequence[Label],
    pillars: Sequence[Label],
    cell_of: Callable[[int, str], GapCell | None],
) -> HeatmapChart:
    """Return the touchpoint × pillar chart of Gap 5 that the dashboard and the PDFs draw."""
    return HeatmapChart(
        title=_("Gap 5 by touchpoint and pillar"),
        summary=_("Mean P − E of each pillar at each touchpoint; orange cells fall short."),
        words=chart_words(ALPHA),
        row_label=_("Touchpoint"),
        column_label=_("Pillar"),
        value_label=_("Gap 5 (P − E)"),
        adjusted_p_label=_("Adjusted p"),
        rows=tuple(label.name for label in touchpoints),
        columns=tuple(label.name for label in pillars),
        cells=tuple(
            tuple(heatmap_cell(cell_of(tp.id, pl.code)) for pl in pillars) for tp in touchpoints
        ),
        alpha=ALPHA,
    )


def heatmap_figure(grid: PillarGrid) -> Figure:
    """Draw Gap 5 of every touchpoint × pillar, with significance marks and n."""
    chart = gap5_heatmap(grid.touchpoints, grid.pillars, lambda tp, pl: grid.cells.get((tp, pl)))
    drawn = dataclasses.replace(
        chart,
        rows=tuple(short(name) for name in chart.rows),
        columns=tuple(short(name, 16) for name in chart.columns),
    )
    return _figure(drawn, chart.table())


def is_significant(cell: GapCell | None) -> bool:
    """Tell whether a cell is shown and significant after its family's correction."""
    return (
        cell is not None
        and not cell.suppressed_for_staff
        and cell.adjusted_p is not None
        and cell.adjusted_p < ALPHA
    )
