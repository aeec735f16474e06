"""What a PDF report says, as plain data for its template: every number already written.

The executive and site reports share :class:`ReportContent`; the staff feedback report
has its own, smaller :class:`StaffContent` that carries no cell on fewer than 5
respondents and no comment or other personal data. Numbers are formatted here, in the
report's locale (the caller forces it), so the templates only place text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from servqual.gaps.sources import CORRECTIONS, GapCell, Label, WaveAnalysis
from servqual.reports import narrative
from servqual.reports.figures import ALPHA, Figure, PillarGrid, is_significant
from servqual.reports.words import count, number, p_value, status_text

CORRECTION_NAMES = {"holm": "Holm", "fdr_bh": "Benjamini–Hochberg", "bh": "Benjamini–Hochberg"}


@dataclass(frozen=True)
class GapBar:
    """A gap drawn in a table cell: bar and interval as percentages of the cell's width.

    The cell spans −scale … +scale with zero in the middle; drawn by the stylesheet, no
    chart library (one per row of every touchpoint page would cost more than the pages).
    """

    left: float
    width: float
    ci_left: float
    ci_width: float
    is_shortfall: bool


def _percent(value: float, scale: float) -> float:
    return round(min(100.0, max(0.0, 50.0 + 50.0 * value / scale)), 2)


def gap_bar(cell: GapCell | None, scale: float) -> GapBar | None:
    """Return the bar of a shown cell on a −scale … +scale axis, or None."""
    if cell is None or cell.suppressed_for_staff or cell.gap.mean is None:
        return None
    gap = cell.gap
    end = _percent(gap.mean, scale)
    low = _percent(gap.ci_low if gap.ci_low is not None else gap.mean, scale)
    high = _percent(gap.ci_high if gap.ci_high is not None else gap.mean, scale)
    return GapBar(min(50.0, end), abs(end - 50.0), low, high - low, gap.mean < 0)


def bar_scale(cells) -> float:
    """Return the half-width of a common axis for ``cells``: their largest |bound|, ≥ 0.5."""
    bounds = [
        abs(value)
        for cell in cells
        if cell is not None and not cell.suppressed_for_staff
        for value in (cell.gap.mean, cell.gap.ci_low, cell.gap.ci_high)
        if value is not None
    ]
    return max([0.5, *bounds])


@dataclass(frozen=True)
class GapRow:
    """One Gap 5 line of a table: E, P, the gap, its interval, n, adjusted p and a note."""

    name: str
    expectation: str
    perception: str
    gap: str
    interval: str
    n: str
    adjusted_p: str
    note: str
    is_significant: bool
    is_shortfall: bool
    bar: GapBar | None = None


@dataclass(frozen=True)
class TouchpointPage:
    """The page of one touchpoint: its promise as a whole, each pillar, each item."""

    anchor: str
    label: Label
    promise: GapRow
    pillars: tuple[GapRow, ...]
    items: tuple[GapRow, ...]


@dataclass(frozen=True)
class ReliabilityRow:
    """Cronbach's α of one dimension and measure with Feldt's interval."""

    dimension: str
    measure: str
    alpha: str
    interval: str
    n: str
    k: str
    note: str


@dataclass(frozen=True)
class Methodology:
    """The appendix: sample, scores, tests, intervals, corrections and reliability."""

    n_responses: str
    scale: str
    previous_wave: str | None
    correction: str
    alpha: str
    servqual: str
    weighted_servqual: str
    servperf: str
    reliability: tuple[ReliabilityRow, ...]


@dataclass(frozen=True)
class ReportContent:
    """Everything the executive and site reports print."""

    kind: str
    title: str
    subtitle: str
    scope_name: str
    wave: str
    n_responses: str
    summary: narrative.ExecutiveSummary
    key_figures: tuple[tuple[str, str], ...]
    priorities: tuple[GapRow, ...]
    touchpoints: tuple[TouchpointPage, ...]
    comments: tuple[tuple[str, str], ...]
    methodology: Methodology
    figures: dict[str, Figure] = field(default_factory=dict)
    #: Follow-ups of the actions opened in earlier waves (:mod:`servqual.reports.action_lines`).
    actions: tuple = ()
    #: The audit section (:class:`servqual.reports.audit_panels.AuditPages`), None without visits.
    audit: object = None
    #: The PQR section (:class:`servqual.reports.pqr_panels.PqrPages`), None without cases.
    pqr: object = None


def gap_row(name: str, cell: GapCell | None, scale: float | None = None) -> GapRow:
    """Write one Gap 5 cell as a table line; cells on fewer than 5 show no number.

    With ``scale``, the line carries a bar of the gap on a −scale … +scale axis.
    """
    if cell is None:
        return GapRow(name, "—", "—", "—", "—", "0", "—", _("no data"), False, False)
    gap = cell.gap
    if cell.suppressed_for_staff:
        note = status_text("suppressed") if gap.n else _("no data")
        return GapRow(name, "—", "—", "—", "—", count(gap.n), "—", note, False, False)
    significant = is_significant(cell)
    notes = [_("significant")] if significant else []
    if cell.status != "ok":
        notes.append(status_text(cell.status))
    return GapRow(
        name=name,
        expectation=number(cell.expectation.mean) if cell.expectation else "—",
        perception=number(cell.perception.mean) if cell.perception else "—",
        gap=number(gap.mean, signed=True),
        interval=(
            f"{number(gap.ci_low, signed=True)} … {number(gap.ci_high, signed=True)}"
            if gap.ci_low is not None
            else "—"
        ),
        n=count(gap.n),
        adjusted_p=p_value(cell.adjusted_p),
        note=", ".join(note for note in notes if note),
        is_significant=significant,
        is_shortfall=significant and gap.mean is not None and gap.mean < 0,
        bar=gap_bar(cell, scale) if scale else None,
    )


def _touchpoint_pages(analysis: WaveAnalysis, grid: PillarGrid) -> tuple[TouchpointPage, ...]:
    items_by = [
        cell for cell in analysis.item_gaps_by.get("touchpoint", ()) if cell.group is not None
    ]
    # One axis for every page, so that bars compare across touchpoints.
    scale = bar_scale([*grid.cells.values(), *grid.promise.values(), *items_by])
    pages = []
    for position, touchpoint in enumerate(grid.touchpoints, start=1):
        items = tuple(
            gap_row(f"{cell.subject.code} {cell.subject.name}", cell, scale)
            for cell in items_by
            if cell.group.id == touchpoint.id
        )
        pages.append(
            TouchpointPage(
                anchor=f"touchpoint-{position}",
                label=touchpoint,
                promise=gap_row(_("All pillars"), grid.promise.get(touchpoint.id), scale),
                pillars=tuple(
                    gap_row(pillar.name, grid.cells.get((touchpoint.id, pillar.code)), scale)
                    for pillar in grid.pillars
                ),
                items=items,
            )
        )
    return tuple(pages)


def _methodology(analysis: WaveAnalysis) -> Methodology:
    campaign = analysis.campaign
    rows = []
    for cell in analysis.reliability:
        alpha = cell.alpha
        hidden = alpha.n < 5
        rows.append(
            ReliabilityRow(
                dimension=cell.dimension.name,
                measure=cell.measure,
                alpha="—" if hidden else number(alpha.alpha),
                interval=(
                    f"{number(alpha.ci_low)} … {number(alpha.ci_high)}"
                    if not hidden and alpha.ci_low is not None
                    else "—"
                ),
                n=count(alpha.n),
                k=count(alpha.k),
                note=status_text("suppressed" if hidden else alpha.status),
            )
        )
    correction = CORRECTIONS.get(analysis.correction, analysis.correction)
    return Methodology(
        n_responses=count(campaign.n_responses),
        scale=f"{count(campaign.scale_low)}–{count(campaign.scale_high)}",
        previous_wave=analysis.previous.wave if analysis.previous else None,
        correction=CORRECTION_NAMES.get(correction, correction),
        alpha=number(ALPHA),
        servqual=number(analysis.servqual.value, signed=True),
        weighted_servqual=number(analysis.weighted_servqual.respondent_level, signed=True),
        servperf=number(analysis.servperf.value),
        reliability=tuple(rows),
    )


def _priorities(analysis: WaveAnalysis) -> tuple[GapRow, ...]:
    rows = []
    for row in analysis.priorities:
        priority = row.priority
        if priority.n is not None and priority.n < 5:
            continue
        rows.append(
            GapRow(
                name=f"{row.touchpoint.name} · {row.pillar.name}",
                expectation="—",
                perception="—",
                gap=number(priority.mean, signed=True),
                interval=f"{number(priority.ci_low, signed=True)} … "
                f"{number(priority.ci_high, signed=True)}",
                n=count(priority.n),
                adjusted_p=p_value(priority.adjusted_p),
                note=status_text(priority.status) if priority.status != "ok" else "",
                is_significant=True,
                is_shortfall=True,
            )
        )
    return tuple(rows)


def report_content(
    kind: str,
    analysis: WaveAnalysis,
    grid: PillarGrid,
    scope_name: str,
    comments: list[tuple[str, str]],
) -> ReportContent:
    """Write the executive (or site) report's text and tables from the analysis."""
    campaign = analysis.campaign
    title = _("Executive report") if kind == "executive" else _("Site report")
    return ReportContent(
        kind=kind,
        title=title,
        subtitle=f"{campaign.name} · {campaign.wave}",
        scope_name=scope_name,
        wave=campaign.wave,
        n_responses=count(campaign.n_responses),
        summary=narrative.executive_summary(analysis),
        key_figures=(
            (_("Responses"), count(campaign.n_responses)),
            (_("SERVQUAL gap (unweighted)"), number(analysis.servqual.value, signed=True)),
            (
                _("SERVQUAL gap (weighted by importance)"),
                number(analysis.weighted_servqual.respondent_level, signed=True),
            ),
            (_("SERVPERF (perceptions only)"), number(analysis.servperf.value)),
        ),
        priorities=_priorities(analysis),
        touchpoints=_touchpoint_pages(analysis, grid),
        comments=tuple(comments),
        methodology=_methodology(analysis),
    )


# --- the staff feedback report ----------------------------------------------------------------


@dataclass(frozen=True)
class StaffLine:
    """What customers said about one pillar, in plain words; numbers only when n ≥ 5."""

    name: str
    sentence: str
    gap: str | None
    n: str | None


@dataclass(frozen=True)
class StaffTouchpoint:
    """One touchpoint of the staff report and its pillar lines."""

    anchor: str
    name: str
    lines: tuple[StaffLine, ...]


@dataclass(frozen=True)
class StaffContent:
    """Everything the staff feedback report prints: no small cell, no personal data."""

    title: str
    subtitle: str
    scope_name: str
    wave: str
    pillars: tuple[StaffLine, ...]
    touchpoints: tuple[StaffTouchpoint, ...]


def staff_line(name: str, cell: GapCell | None) -> StaffLine:
    """Write one pillar in plain words, or say there were too few answers to report it."""
    if cell is None or cell.gap.n == 0:
        return StaffLine(name, _("Nobody answered about this yet."), None, None)
    if cell.suppressed_for_staff or cell.gap.mean is None:
        return StaffLine(
            name,
            _("Too few customers answered here to report it without identifying anyone."),
            None,
            None,
        )
    return StaffLine(
        name,
        narrative.plain_words(cell, ALPHA),
        number(cell.gap.mean, signed=True),
        count(cell.gap.n),
    )


def _hides_a_small_cell(grid: PillarGrid, pillar: Label) -> bool:
    """Tell whether a touchpoint of ``pillar`` has 1–4 respondents.

    The pillar's total n and mean, less those of the other touchpoints, would then give
    the small cell away; its line keeps the words and drops the figures.
    """
    return any(
        0 < cell.gap.n < 5
        for (_touchpoint, code), cell in grid.cells.items()
        if code == pillar.code
    )


def _without_figures(line: StaffLine) -> StaffLine:
    return StaffLine(line.name, line.sentence, None, None)


def staff_content(analysis: WaveAnalysis, grid: PillarGrid, scope_name: str) -> StaffContent:
    """Write the staff feedback report from the analysis."""
    campaign = analysis.campaign
    return StaffContent(
        title=_("What our customers told us"),
        subtitle=f"{campaign.name} · {campaign.wave}",
        scope_name=scope_name,
        wave=campaign.wave,
        pillars=tuple(
            _without_figures(staff_line(label.name, cell))
            if _hides_a_small_cell(grid, label)
            else staff_line(label.name, cell)
            for label, cell in zip(analysis.pillars.subjects, analysis.pillars.gap, strict=True)
            if label in grid.pillars or not grid.pillars
        ),
        touchpoints=tuple(
            StaffTouchpoint(
                anchor=f"touchpoint-{position}",
                name=touchpoint.name,
                lines=tuple(
                    staff_line(pillar.name, grid.cells.get((touchpoint.id, pillar.code)))
                    for pillar in grid.pillars
                ),
            )
            for position, touchpoint in enumerate(grid.touchpoints, start=1)
        ),
    )
