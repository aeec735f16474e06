"""The manager dashboard: one wave's gaps at a glance, filtered in the URL, with CSV downloads.

Managers limited to sites see only their sites' answers: the analysis scope always
carries their sites, and a site filter outside them is refused (403).
"""

from __future__ import annotations

import functools
import re

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from servqual.accounts.models import Role
from servqual.gaps.sources import Scope, WaveAnalysis, analyse_wave, previous_campaign, summary
from servqual.gaps.status import MIN_N_CONFIRMED, MIN_N_SHOWN
from servqual.reports import audit_panels, panels, pqr_panels
from servqual.reports import filters as dashboard_filters
from servqual.reports.charts import render_svg
from servqual.reports.inline_svg import presentational
from servqual.reports.models import REPORT_LANGUAGES, ReportKind
from servqual.reports.queries import may_request
from servqual.reports.words import chart_words, locale_code
from servqual.security import roles_required

bp = Blueprint("dashboard", __name__, template_folder="templates", url_prefix="/dashboard")

STAFF = (Role.MANAGER,)
#: Waves the trend panel reaches back to, the current one included.
TREND_WAVES = 6


def _filters():
    try:
        return dashboard_filters.parse(request.args, current_user)
    except dashboard_filters.FilterForbidden:
        abort(403)
    except dashboard_filters.FilterError as refused:
        abort(400, str(refused))


def trend_waves(scope: Scope, limit: int = TREND_WAVES) -> list[panels.Wave]:
    """Return the summaries of this wave and the ones before it (same filters), oldest first."""
    waves = []
    campaign_id: int | None = scope.campaign_id
    seen: set[int] = set()
    while campaign_id is not None and campaign_id not in seen and len(waves) < limit:
        seen.add(campaign_id)
        result = summary(scope.for_campaign(campaign_id))
        waves.append(panels.Wave(result.campaign.wave, result))
        campaign_id = previous_campaign(campaign_id)
    return list(reversed(waves))


def _analysis(scope: Scope) -> WaveAnalysis:
    return analyse_wave(scope, by=("touchpoint",), lang=locale_code())


@functools.lru_cache(maxsize=128)
def inline_svg(chart: panels.Chart) -> Markup:
    """Return a chart's SVG, ready to inline under the CSP (cached: the same input, same bytes)."""
    # Trusted: drawn here, every label escaped by the chart module.
    return Markup(presentational(render_svg(chart)))  # noqa: S704


def _note(n: object) -> str:
    if not isinstance(n, int):
        return ""
    if n == 0:
        return _("not enough data")
    if n < MIN_N_SHOWN:
        return _("fewer than 5 answers")
    if n < MIN_N_CONFIRMED:
        return _("indicative (n < 30)")
    return ""


def _rows(panel: panels.Panel, words) -> list[dict]:
    """Format a panel's table for the page: cells, a note on n, and the cell to act on."""
    header = panel.table.header
    n_index = header.index(words.n) if words.n in header else None
    rows = []
    for index, (raw, cells) in enumerate(
        zip(panel.table.rows, panel.table.formatted(words), strict=True)
    ):
        link = panel.links[index] if index < len(panel.links) else None
        first = 1 if panel.name == "priorities" else 0
        rows.append(
            {
                "cells": cells,
                "note": _note(raw[n_index]) if n_index is not None else "",
                "link": link,
                "cell_label": f"{cells[first]} × {cells[first + 1]}" if link else "",
            }
        )
    return rows


def _action_url(filters: dashboard_filters.Filters, link: panels.CellLink | None) -> str | None:
    if link is None:
        return None
    site_id = filters.site_id
    allowed = current_user.site_ids
    if site_id is None and allowed is not None and len(allowed) == 1:
        site_id = next(iter(allowed))
    return url_for(
        "actions.new",
        campaign=filters.campaign.id,
        touchpoint=link.touchpoint_id,
        pillar=link.pillar_code,
        site=site_id,
        gap="gap5",
    )


def report_request(filters: dashboard_filters.Filters, sites) -> dict | None:
    """Return what the dashboard's "request a PDF" form posts, or None if the user may not.

    The report covers the filtered wave and site: the site filter (or the manager's one
    site) makes it a site report; with neither, the executive report, for managers who
    see every site. A manager limited to several sites picks one of them in the form.
    """
    site_id = filters.site_id
    allowed = current_user.site_ids
    if site_id is None and allowed is not None and len(allowed) == 1:
        site_id = next(iter(allowed))
    if site_id is not None:
        kind, choices = ReportKind.SITE, ()
    elif allowed is None:
        kind, choices = ReportKind.EXECUTIVE, ()
    else:
        kind, choices = ReportKind.SITE, tuple(site for site in sites if site.id in allowed)
    if not choices and not may_request(current_user, kind, site_id):
        return None
    site_name = next((site.name for site in sites if site.id == site_id), None)
    return {
        "kind": kind,
        "site_id": site_id,
        "site_name": site_name,
        "site_choices": choices,
        "languages": REPORT_LANGUAGES,
        "language": locale_code() if locale_code() in REPORT_LANGUAGES else "es",
    }


@bp.route("/")
@roles_required(*STAFF)
def index():
    """Show the dashboard of the wave and filters named in the URL."""
    filters, choices = _filters()
    if filters is None:
        return render_template("dashboard/index.html", filters=None, choices=None, panels=[])
    scope = filters.scope(current_user)
    analysis = _analysis(scope)
    waves = trend_waves(scope)
    words = chart_words(panels.ALPHA)
    shown = []
    audits = audit_panels.audit_section(scope, filters.campaign)
    pqr = pqr_panels.pqr_section(scope, filters.campaign)
    for name in panels.PANELS + audit_panels.PANELS + pqr_panels.PANELS:
        if name in pqr_panels.PANELS:
            panel = pqr_panels.build(name, pqr)
        elif name in audit_panels.PANELS:
            panel = audit_panels.build(name, audits)
        else:
            panel = panels.build(name, analysis, waves)
        if panel is None:
            continue
        rows = _rows(panel, words)
        for row in rows:
            row["action_url"] = _action_url(filters, row["link"])
        shown.append(
            {
                "name": panel.name,
                "title": panel.title,
                "svg": inline_svg(panel.chart) if panel.chart is not None else None,
                "summary": getattr(panel.chart, "summary", ""),
                "header": panel.table.header,
                "rows": rows,
                "csv_url": url_for(".csv", panel=panel.name, **filters.query_args()),
                "links": bool(panel.links),
            }
        )
    n = analysis.campaign.n_responses
    return render_template(
        "dashboard/index.html",
        filters=filters,
        choices=choices,
        panels=shown,
        analysis=analysis,
        n=n,
        n_note=_note(n),
        words=words,
        report=report_request(filters, choices.sites),
        audits=audits,
    )


def _filename(panel: str, wave: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", wave).strip("-") or "wave"
    return f"{panel}-{safe}.csv"


@bp.route(
    "/<any(" + ", ".join(panels.PANELS + audit_panels.PANELS + pqr_panels.PANELS) + "):panel>.csv"
)
@roles_required(*STAFF)
def csv(panel: str):
    """Download one panel's data table as CSV, with the same filters as the page."""
    filters, _choices = _filters()
    if filters is None:
        abort(404)
    scope = filters.scope(current_user)
    if panel in pqr_panels.PANELS:
        built = pqr_panels.build(panel, pqr_panels.pqr_section(scope, filters.campaign))
    elif panel in audit_panels.PANELS:
        built = audit_panels.build(
            panel, audit_panels.audit_section(scope, filters.campaign, None, 0)
        )
    else:
        waves = trend_waves(scope) if panel == "trend" else []
        analysis = None if panel == "trend" else _analysis(scope)
        built = panels.build(panel, analysis, waves)
    if built is None:
        abort(404)
    return Response(
        "\ufeff" + panels.csv_text(built.table),
        mimetype="text/csv",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{_filename(panel, filters.campaign.wave)}"'
            )
        },
    )
