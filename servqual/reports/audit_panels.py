"""The audit section of the dashboard and the PDF reports: compliance, worst standards, photos.

Built from approved mystery-shopper visits within the wave's dates and the viewer's
scope (sites, touchpoints, channels), with the scores of :mod:`servqual.audits.scoring`:
compliance of touchpoint × pillar and site × pillar (cells on fewer than 5 visits are
neither drawn nor tabled), the standards with the lowest compliance, and the newest
evidence photos. In the PDF, photos are shrunk and embedded as ``data:`` URIs (the
renderer fetches nothing else); on the dashboard they link to the guarded photo route.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import re
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup
from PIL import Image, UnidentifiedImageError

from servqual.audits.evidence import evidence_dir
from servqual.audits.scoring import (
    Check,
    Compliance,
    compliance_by,
    monthly_trend,
    worst_standards,
)
from servqual.audits.scoring_queries import (
    AuditFilter,
    Labels,
    Photo,
    approved_checks,
    approved_photos,
    labels,
)
from servqual.extensions import db
from servqual.gaps.sources import Scope
from servqual.reports.charts import (
    ComplianceCell,
    ComplianceChart,
    Table,
    TrendChart,
    TrendSeries,
    render_svg,
)
from servqual.reports.figures import Figure, short
from servqual.reports.inline_svg import presentational
from servqual.reports.panels import Panel
from servqual.reports.words import chart_words

ALPHA = 0.05
#: The audit panels of the dashboard, in page order.
PANELS = ("audit_touchpoints", "audit_sites", "audit_trend", "audit_worst")
#: Standards listed in the worst-standards table.
WORST_LIMIT = 10
#: Largest side of a photo thumbnail in the PDF, in pixels; larger files are not embedded.
THUMBNAIL_PIXELS = 360
MAX_EMBEDDED_BYTES = 12 * 1024 * 1024
EMBEDDABLE_TYPES = ("image/jpeg", "image/png", "image/webp")
_GROUP_ID = re.compile(r'<g id="[^"]*"')


@dataclass(frozen=True)
class AuditSection:
    """What the audit section shows: two grids, the worst standards, photos and counts."""

    touchpoints: ComplianceChart
    sites: ComplianceChart
    trend: TrendChart
    worst: Table
    photos: tuple[Photo, ...]
    visits: int
    overall: Compliance


def audit_filter(scope: Scope, campaign: Any) -> AuditFilter:
    """Return the visits a dashboard or report scope covers: its sites and the wave's dates."""
    return AuditFilter(
        site_ids=scope.site_ids,
        touchpoint_ids=scope.touchpoint_ids,
        channel_ids=scope.channel_ids,
        since=campaign.opens_on,
        until=campaign.closes_on,
    )


def _grid(
    checks: list[Check],
    rows: dict[Hashable, str],
    columns: dict[str, str],
    by: str,
    title: str,
    summary: str,
    row_label: str,
) -> ComplianceChart:
    table = compliance_by(checks, (by, "pillar"))
    present = {key[1] for key in table}
    columns = {code: name for code, name in columns.items() if code in present}
    cells = tuple(tuple(_cell(table.get((row, column))) for column in columns) for row in rows)
    return ComplianceChart(
        title=title,
        summary=summary,
        words=chart_words(ALPHA),
        row_label=row_label,
        column_label=_("Pillar"),
        value_label=_("Compliance (%)"),
        rows=tuple(rows.values()),
        columns=tuple(columns.values()),
        cells=cells,
    )


def _cell(found: Compliance | None) -> ComplianceCell | None:
    if found is None:
        return None
    return ComplianceCell(found.rate, found.visits, found.ci_low, found.ci_high)


def _percent(value: float | None) -> float | None:
    return None if value is None else 100 * value


def _trend(checks: list[Check], names: Labels) -> TrendChart:
    """Compliance per pillar (and over all) month by month, in %, with Wilson intervals."""
    months = sorted({c.month for c in checks})
    by_pillar = monthly_trend(checks, "pillar")
    series = []
    groups = [((code,), name) for code, name in names.pillars.items() if (code,) in by_pillar]
    for key, name in [*groups, ((), _("All pillars"))]:
        found = by_pillar.get(key) or monthly_trend(checks)[()]
        at = {m.key[-1]: m for m in found.months}
        cells = [at.get(month) for month in months]
        series.append(
            TrendSeries(
                name,
                tuple(_percent(c.rate) if c else None for c in cells),
                tuple(_percent(c.ci_low) if c else None for c in cells),
                tuple(_percent(c.ci_high) if c else None for c in cells),
                tuple(c.visits if c else 0 for c in cells),
            )
        )
    return TrendChart(
        title=_("Audit compliance month by month"),
        summary=_("Share of standards met per pillar and month, with 95% Wilson intervals."),
        words=chart_words(ALPHA),
        wave_label=_("Month"),
        series_label=_("Pillar"),
        value_label=_("Compliance (%)"),
        waves=tuple(months),
        series=tuple(series),
    )


def _worst(checks: list[Check], names: Labels) -> Table:
    words = chart_words(ALPHA)
    pillar_of = {c.standard: c.pillar for c in checks}
    rows = tuple(
        (
            names.standards.get(found.key[0], found.key[0]),
            names.pillars.get(pillar_of[found.key[0]], pillar_of[found.key[0]]),
            100 * found.rate,
            100 * found.ci_low,
            100 * found.ci_high,
            found.visits,
        )
        for found in worst_standards(checks, limit=WORST_LIMIT)
    )
    header = (_("Standard"), _("Pillar"), _("Compliance (%)"), words.ci_low, words.ci_high)
    return Table((*header, words.n), rows)


def audit_section(
    scope: Scope, campaign: Any, session: Any = None, photo_limit: int = 8
) -> AuditSection | None:
    """Return the audit section of a scope, or None when no approved visit falls in it."""
    session = session if session is not None else db.session
    where = audit_filter(scope, campaign)
    checks = approved_checks(session, where)
    if not checks:
        return None
    names = labels(session, checks)
    touchpoints = _grid(
        checks,
        names.touchpoints,
        names.pillars,
        "touchpoint",
        _("Audit compliance by touchpoint and pillar"),
        _("Share of the service standards met on approved mystery-shopper visits."),
        _("Touchpoint"),
    )
    sites = _grid(
        checks,
        names.sites,
        names.pillars,
        "site",
        _("Audit compliance by site and pillar"),
        _("Share of the service standards met at each site, by pillar."),
        _("Site"),
    )
    trend = _trend(checks, names)
    overall = compliance_by(checks, ())[()]
    photos = tuple(approved_photos(session, where, photo_limit)) if photo_limit else ()
    return AuditSection(
        touchpoints, sites, trend, _worst(checks, names), photos, overall.visits, overall
    )


def build(name: str, section: AuditSection | None) -> Panel | None:
    """Return the dashboard panel ``name`` (one of :data:`PANELS`), or None without visits."""
    if section is None:
        return None
    if name == "audit_touchpoints":
        chart = section.touchpoints
        return Panel(name, chart.title, chart, chart.table())
    if name == "audit_sites":
        chart = section.sites
        return Panel(name, chart.title, chart, chart.table())
    if name == "audit_trend":
        chart = section.trend
        return Panel(name, chart.title, chart, chart.table())
    if name == "audit_worst":
        return Panel(name, _("Standards least often met"), None, section.worst)
    raise ValueError(f"unknown audit panel {name!r}")


# --- PDF ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thumbnail:
    """An evidence photo shrunk for the PDF, as a ``data:`` URI, with its caption."""

    uri: str
    caption: str


@dataclass(frozen=True)
class AuditPages:
    """The audit section of a PDF report: figures, the worst-standards table, thumbnails."""

    touchpoints: Figure
    sites: Figure
    trend: Figure
    worst: Figure
    thumbnails: tuple[Thumbnail, ...]
    visits: int


def _svg(chart: ComplianceChart | TrendChart) -> Markup:
    # Trusted: drawn here, every label escaped by the chart module (see figures._svg).
    return Markup(_GROUP_ID.sub("<g", presentational(render_svg(chart))))  # noqa: S704


def _figure(chart: ComplianceChart) -> Figure:
    drawn = dataclasses.replace(
        chart,
        rows=tuple(short(name) for name in chart.rows),
        columns=tuple(short(name, 16) for name in chart.columns),
    )
    table = chart.table()
    return Figure((_svg(drawn),), table.header, table.formatted(chart.words, decimals=1))


def thumbnail(photo: Photo) -> Thumbnail | None:
    """Read a photo from the instance folder and return it shrunk as a JPEG ``data:`` URI.

    Only stored images of an accepted type and size are read; anything unreadable is
    left out rather than breaking the report.
    """
    if photo.content_type not in EMBEDDABLE_TYPES:
        return None
    folder = evidence_dir().resolve()
    path = (folder / photo.stored_name).resolve()
    if folder not in path.parents or not path.is_file():
        return None
    if path.stat().st_size > MAX_EMBEDDED_BYTES:
        return None
    try:
        with Image.open(path) as image:
            image.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, format="JPEG", quality=80)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return None
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    caption = " · ".join(
        part for part in (photo.site, photo.scheduled_on.isoformat(), photo.standard) if part
    )
    return Thumbnail(f"data:image/jpeg;base64,{encoded}", caption)


def audit_pages(scope: Scope, campaign: Any) -> AuditPages | None:
    """Return the audit section of a PDF report on ``scope``, or None without visits."""
    section = audit_section(scope, campaign)
    if section is None:
        return None
    words = chart_words(ALPHA)
    worst = Figure((), section.worst.header, section.worst.formatted(words, decimals=1))
    thumbnails = tuple(t for t in (thumbnail(p) for p in section.photos) if t is not None)
    trend = section.trend.table()
    return AuditPages(
        _figure(section.touchpoints),
        _figure(section.sites),
        Figure((_svg(section.trend),), trend.header, trend.formatted(words, decimals=1)),
        worst,
        thumbnails,
        section.visits,
    )
