"""Export a campaign's responses: one row per response, as CSV, XLSX or SPSS (.sav).

``export_rows`` yields one dict per response in the column order of ``export_columns``;
the column names are the field names of ``servqual.surveys.importing``, so an export
re-imports 1:1. Text cells that a spreadsheet would run as a formula are neutralised
in CSV and XLSX; the .sav file carries variable labels (item wording, measure marked)
and value labels (the scale's anchors), with "not applicable" as system-missing.
No personal data is exported: no names, e-mails or invitation links.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy.orm import selectinload

from servqual.extensions import db
from servqual.surveys.importing import (
    FORMULA_TRIGGERS,
    campaign_fields,
    measure_labels,
)
from servqual.surveys.models import Campaign, Response
from servqual.surveys.steps import MEASURE_COLUMNS, forms_by_measure, instrument_of

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "sav": ("application/x-spss-sav", "sav"),
}
BATCH = 500
SPSS_LABEL_MAX = 250


@dataclass(frozen=True)
class ExportColumn:
    """One column of the export: its name, label, kind and (for scales) value labels."""

    name: str
    label: str
    kind: str  # "number", "text" or "datetime"
    value_labels: dict[int, str] = field(default_factory=dict)


def _anchors(params: dict[str, Any], lang: str) -> dict[int, str]:
    return {int(point): text[lang] for point, text in params.get("anchors", {}).items()}


def export_columns(
    campaign: Campaign, lang: str, include_comment: bool = False
) -> list[ExportColumn]:
    """Return the columns of a campaign's export, labelled in ``lang``."""
    instrument = instrument_of(campaign)
    forms = forms_by_measure(instrument)
    with force_locale(lang):
        names = measure_labels()
        columns = [
            ExportColumn("response_id", _("Response number"), "number"),
            ExportColumn("submitted_at", _("Submitted at (UTC)"), "datetime"),
            ExportColumn("touchpoint", _("Touchpoint"), "text"),
            ExportColumn("site", _("Site"), "text"),
            ExportColumn("channel", _("Channel"), "text"),
            ExportColumn("segment", _("Segment"), "text"),
            ExportColumn("language", _("Language"), "text"),
            ExportColumn("source", _("Source"), "text"),
        ]
        items = {item.code: item for item in instrument.items}
        for spec in campaign_fields(campaign, lang):
            if spec.kind == "answer":
                item = items[spec.item_code]
                wording = item.text(forms[spec.measure]["code"], lang)
                label = f"{spec.item_code} [{names[spec.measure]}] {wording}"
                columns.append(ExportColumn(spec.key, label, "number", _anchors(item.params, lang)))
            elif spec.kind == "overall":
                columns.append(
                    ExportColumn(spec.key, spec.label, "number", _anchors(spec.params, lang))
                )
            elif spec.kind == "recommend":
                columns.append(
                    ExportColumn(
                        spec.key,
                        spec.label,
                        "number",
                        {0: _("Not at all likely"), 10: _("Extremely likely")},
                    )
                )
            elif spec.kind == "importance":
                columns.append(ExportColumn(spec.key, spec.label, "number"))
        if include_comment:
            columns.append(ExportColumn("comment", _("Comment"), "text"))
    return columns


def _responses(campaign: Campaign, site_ids: Iterable[int] | None) -> Iterator[Response]:
    """Yield the campaign's responses by id, a batch at a time."""
    query = (
        sa.select(Response)
        .where(Response.campaign_id == campaign.id)
        .options(
            selectinload(Response.answers),
            selectinload(Response.importance),
            selectinload(Response.touchpoint),
            selectinload(Response.site),
            selectinload(Response.channel),
        )
        .order_by(Response.id)
        .limit(BATCH)
    )
    if site_ids is not None:
        query = query.where(Response.site_id.in_(list(site_ids)))
    last = 0
    while True:
        batch = db.session.scalars(query.where(Response.id > last)).all()
        yield from batch
        if len(batch) < BATCH:
            return
        last = batch[-1].id


def export_rows(
    campaign: Campaign,
    include_comment: bool = False,
    site_ids: Iterable[int] | None = None,
) -> Iterator[dict[str, Any]]:
    """Yield one dict per response (only sites in ``site_ids`` unless ``None``)."""
    specs = campaign_fields(campaign, "en")
    answer_specs = [s for s in specs if s.kind == "answer"]
    dimensions = [s.item_code for s in specs if s.kind == "importance"]
    has_overall = any(s.kind == "overall" for s in specs)
    for response in _responses(campaign, site_ids):
        submitted = response.submitted_at
        if submitted.tzinfo is None:  # SQLite keeps no zone; we store UTC
            submitted = submitted.replace(tzinfo=UTC)
        row: dict[str, Any] = {
            "response_id": response.id,
            "submitted_at": submitted.astimezone(UTC),
            "touchpoint": response.touchpoint.name,
            "site": response.site.name if response.site else None,
            "channel": response.channel.name if response.channel else None,
            "segment": response.segment,
            "language": response.language,
            "source": response.source,
        }
        answers = {answer.item_code: answer for answer in response.answers}
        for spec in answer_specs:
            answer = answers.get(spec.item_code)
            row[spec.key] = getattr(answer, MEASURE_COLUMNS[spec.measure]) if answer else None
        if has_overall:
            row["overall_quality"] = response.overall_quality
            row["recommend"] = response.recommend
        points = {p.dimension: p.points for p in response.importance}
        for dimension in dimensions:
            row[f"IMP_{dimension}"] = points.get(dimension)
        if include_comment:
            row["comment"] = response.comment
        yield row


def neutralise(value: Any) -> Any:
    """Prefix an apostrophe to text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return neutralise(value)


def write_csv(
    campaign: Campaign,
    lang: str = "en",
    include_comment: bool = False,
    site_ids: Iterable[int] | None = None,
) -> Iterator[str]:
    """Yield the CSV text (UTF-8 with BOM so spreadsheets read accents right) in chunks."""
    columns = export_columns(campaign, lang, include_comment)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([c.name for c in columns])
    for number, row in enumerate(export_rows(campaign, include_comment, site_ids), start=1):
        writer.writerow(["" if row[c.name] is None else _cell(row[c.name]) for c in columns])
        if number % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_xlsx(
    campaign: Campaign,
    lang: str = "en",
    include_comment: bool = False,
    site_ids: Iterable[int] | None = None,
) -> bytes:
    """Return an XLSX workbook: the responses, and a sheet naming what each column holds."""
    columns = export_columns(campaign, lang, include_comment)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_clean(_("Responses"))[:31])
    sheet.append([c.name for c in columns])
    for row in export_rows(campaign, include_comment, site_ids):
        sheet.append([_clean(_cell(row[c.name])) for c in columns])
    legend = workbook.create_sheet(_clean(_("Columns"))[:31])
    legend.append([_("Column"), _("Meaning"), _("Values")])
    for column in columns:
        values = "; ".join(f"{k} = {v}" for k, v in sorted(column.value_labels.items()))
        legend.append([column.name, _clean(neutralise(column.label)), _clean(values)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _clean(value: Any) -> Any:
    """Drop the control characters a workbook cannot hold."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def write_sav(
    campaign: Campaign,
    lang: str = "en",
    include_comment: bool = False,
    site_ids: Iterable[int] | None = None,
) -> bytes:
    """Return an SPSS .sav file with variable labels and value labels."""
    columns = export_columns(campaign, lang, include_comment)
    rows = list(export_rows(campaign, include_comment, site_ids))
    data = {}
    for column in columns:
        values = [row[column.name] for row in rows]
        if column.kind == "number":
            data[column.name] = pd.Series(
                [float("nan") if v is None else float(v) for v in values], dtype="float64"
            )
        elif column.kind == "datetime":
            data[column.name] = pd.Series(
                [v.astimezone(UTC).replace(tzinfo=None) for v in values], dtype="datetime64[ns]"
            )
        else:
            data[column.name] = pd.Series(["" if v is None else v for v in values], dtype="object")
    frame = pd.DataFrame(data, columns=[c.name for c in columns])
    labels = {c.name: c.label[:SPSS_LABEL_MAX] for c in columns}
    value_labels = {
        c.name: {float(k): v for k, v in c.value_labels.items()} for c in columns if c.value_labels
    }
    measures = {
        c.name: "ordinal" if c.value_labels else ("scale" if c.kind == "number" else "nominal")
        for c in columns
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "responses.sav"
        pyreadstat.write_sav(
            frame,
            str(path),
            file_label=campaign.name[:64],
            column_labels=labels,
            variable_value_labels=value_labels,
            variable_measure=measures,
        )
        return path.read_bytes()


def export_filename(campaign: Campaign, kind: str) -> str:
    """Return a safe download name such as ``responses-3-2026-Q4.csv``."""
    wave = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in campaign.wave)
    return f"responses-{campaign.id}-{wave}.{FORMATS[kind][1]}"
