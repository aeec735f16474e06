"""Write a PDF report: statistics, then charts, then the pages (WeasyPrint).

The template gets plain data only (:mod:`servqual.reports.content`), is rendered with
Jinja's autoescaping (every name and comment is user text), in the report's language
(forced, whatever the request's), and laid out by :func:`servqual.pdf.render_document`,
whose URL fetcher reads nothing but the bundled static files and ``data:`` URIs.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _

from servqual.gaps.sources import Scope, analyse_wave
from servqual.modelbase import utcnow
from servqual.pdf import RenderedPdf, StaticOnlyFetcher, render_document
from servqual.reports import audit_panels, figures, pqr_panels
from servqual.reports.action_lines import action_lines
from servqual.reports.content import report_content, staff_content
from servqual.reports.models import ReportKind
from servqual.reports.queries import selected_comments
from servqual.service.models import Site
from servqual.surveys.models import Campaign

TEMPLATES = {
    ReportKind.EXECUTIVE: "reports/pdf/executive.html",
    ReportKind.SITE: "reports/pdf/executive.html",
    ReportKind.STAFF: "reports/pdf/staff.html",
}


@dataclass(frozen=True)
class BuiltReport:
    """A finished report and the seconds spent in each step (``weasyprint`` inside rendering)."""

    pdf: RenderedPdf
    timings: dict[str, float]


def _no_step(_name: str) -> None:
    """Ignore progress (the CLI and the benchmark need none)."""


def build(
    kind: str,
    campaign: Campaign,
    site: Site | None,
    language: str,
    on_step: Callable[[str], None] = _no_step,
    fetcher: StaticOnlyFetcher | None = None,
) -> BuiltReport:
    """Compute, draw and lay out one report of ``kind`` on ``campaign`` (and ``site``)."""
    timings: dict[str, float] = {}
    with force_locale(language):
        on_step("statistics")
        started = time.perf_counter()
        scope = Scope(campaign.id, site_ids=(site.id,) if site else None)
        analysis = analyse_wave(scope, by=("touchpoint",), lang=language)
        grid = figures.pillar_grid(analysis)
        scope_name = site.name if site else _("All sites")
        if kind == ReportKind.STAFF:
            content = staff_content(analysis, grid, scope_name)
        else:
            comments = selected_comments(campaign.id, scope.site_ids)
            content = report_content(kind, analysis, grid, scope_name, comments)
            content = dataclasses.replace(
                content, actions=action_lines(campaign, scope.site_ids, analysis)
            )
        timings["statistics"] = time.perf_counter() - started

        on_step("charts")
        started = time.perf_counter()
        if kind != ReportKind.STAFF:
            content = dataclasses.replace(
                content,
                figures={
                    "waterfall": figures.waterfall_figure(analysis, grid),
                    "heatmap": figures.heatmap_figure(grid),
                },
                audit=audit_panels.audit_pages(scope, campaign),
                pqr=pqr_panels.pqr_pages(scope, campaign),
            )
        timings["charts"] = time.perf_counter() - started

        on_step("rendering")
        started = time.perf_counter()
        # The environment, not render_template: no request-bound context processors
        # (a worker has no request), and the report needs only its own data.
        html = current_app.jinja_env.get_template(TEMPLATES[ReportKind(kind)]).render(
            content=content,
            language=language,
            generated_on=format_datetime(utcnow(), "medium"),
        )
        pdf = render_document(html, fetcher)
        timings["rendering"] = time.perf_counter() - started
        timings["weasyprint"] = pdf.seconds
    return BuiltReport(pdf, timings)
