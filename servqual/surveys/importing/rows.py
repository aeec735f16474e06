"""Read and check every row of an import: each problem with its row, column, value and reason."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from servqual.config import SUPPORTED_LOCALES
from servqual.instruments.itemtypes import ITEM_TYPES, AnswerError
from servqual.surveys.importing.plan import (
    COMMENT_MAX,
    DATE_FORMATS,
    FORMULA_TRIGGERS,
    NOT_APPLICABLE,
    SEGMENT_MAX,
    ImportField,
    ImportMapping,
    ImportPlan,
    ParsedRow,
    Place,
    find_place,
)
from servqual.surveys.invitations import RowProblem
from servqual.surveys.steps import (
    MEASURE_COLUMNS,
)
from servqual.surveys.tables import Table

_LEADING_NUMBER = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*(?:[-–—:.)]\s*\D.*)?$", re.DOTALL)

#: Measures in column order, and the suffix of their column names (``REL1_E``).


def _plain_text(raw: str) -> str:
    if raw[:1] == "'" and raw[1:2] and raw[1:2] in FORMULA_TRIGGERS:
        return raw[1:]
    return raw


def scale_value(raw: str, params: dict[str, Any]) -> int:
    """Read a point of a scale (``5``, ``5.0`` or ``5 – Agree``); raise ``ValueError`` why not."""
    match = _LEADING_NUMBER.match(raw)
    number = match.group(1) if match else raw
    try:
        return ITEM_TYPES["likert"].parse(params, number)
    except AnswerError:
        try:
            value = float(number.replace(",", "."))
        except ValueError:
            raise ValueError(_("not a number")) from None
        if not math.isfinite(value):
            raise ValueError(_("not a number")) from None
        if value != int(value):
            raise ValueError(_("not a whole point of the scale")) from None
        raise ValueError(
            _("out of range: the scale runs from %(min)d to %(max)d", **_bounds(params))
        ) from None


def _bounds(params: dict[str, Any]) -> dict[str, int]:
    return {"min": params["min"], "max": params["max"]}


def parse_datetime(raw: str, date_format: str, timezone: str) -> datetime:
    """Read a date and time (ISO 8601 always; day/month or month/day first as chosen) as UTC."""
    text = raw.strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        for pattern in DATE_FORMATS[date_format]:
            try:
                value = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            raise ValueError(_("not a date and time")) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(timezone))
    return value.astimezone(UTC)


def _language(raw: str) -> str:
    code = raw.strip().casefold()[:2]
    if code in SUPPORTED_LOCALES and re.fullmatch(r"[a-z]{2}([-_].*)?", raw.strip().casefold()):
        return code
    raise ValueError(
        _("unknown language; use one of %(langs)s", langs=", ".join(SUPPORTED_LOCALES))
    )


def _place(places: tuple[Place, ...], raw: str, kind: str) -> int:
    found, ambiguous = find_place(places, raw)
    if ambiguous:
        raise ValueError(
            _("several touchpoints have this name; use its code")
            if kind == "touchpoint"
            else _("several sites have this name; use its code")
        )
    if found is None:
        raise ValueError(
            _("unknown touchpoint: not one of the campaign's")
            if kind == "touchpoint"
            else _("unknown site: not one of the campaign's")
        )
    return found


def _read_cell(item: ImportField, raw: str, row: ParsedRow, plan: ImportPlan, mapping) -> None:
    """Put one cell's value into ``row``; raise ``ValueError`` with the reason it is refused."""
    blank = raw.strip().casefold() in NOT_APPLICABLE
    kind = item.kind
    if kind == "answer":
        if blank and item.needs_value:
            raise ValueError(_("missing: this question has no “not applicable”"))
        value = None if blank else scale_value(raw, item.params)
        row.answers.setdefault(item.item_code, {})[MEASURE_COLUMNS[item.measure]] = value
    elif kind in ("overall", "recommend"):
        setattr(row, item.key, None if blank else scale_value(raw, item.params))
    elif kind == "importance":
        if not blank:
            limits = {"min": 0, "max": plan.importance_total}
            row.importance[item.item_code] = scale_value(raw, limits)
    elif kind == "touchpoint":
        if not raw:
            raise ValueError(_("missing: the touchpoint is required"))
        row.touchpoint_id = _place(plan.touchpoints, raw, kind)
    elif kind == "site":
        row.site_id = _place(plan.sites, raw, kind) if raw else None
    elif kind in ("segment", "comment"):
        text = _plain_text(raw)
        limit = SEGMENT_MAX if kind == "segment" else COMMENT_MAX
        if len(text) > limit:
            raise ValueError(_("too long (at most %(n)d characters)", n=limit))
        setattr(row, kind, text or None)
    elif kind == "language":
        if raw:
            row.language = _language(raw)
    elif kind == "submitted_at":
        if not raw:
            raise ValueError(_("missing: the date is required"))
        row.submitted_at = parse_datetime(raw, mapping.date_format, mapping.timezone)


def _row_problems(
    row: ParsedRow, plan: ImportPlan, fields: list[ImportField]
) -> list[tuple[ImportField | None, str, str]]:
    """Return what is wrong with a row as a whole: ``(field, value, reason)``."""
    found: list[tuple[ImportField | None, str, str]] = []
    given = [f for f in fields if f.kind == "importance"]
    if row.importance:
        total = sum(row.importance.values())
        if len(row.importance) != len(given) or total != plan.importance_total:
            reason = _(
                "the importance points add up to %(total)d; they must add up to %(target)d",
                total=total,
                target=plan.importance_total,
            )
            found.append((given[0], str(total), reason))
    if plan.allowed_site_ids is not None and row.site_id not in plan.allowed_site_ids:
        site = next((f for f in fields if f.kind == "site"), None)
        found.append((site, "", _("outside your sites: you may not add responses here")))
    return found


def check_rows(
    table: Table, plan: ImportPlan, mapping: ImportMapping
) -> tuple[list[ParsedRow], list[RowProblem]]:
    """Turn every row into response values; collect every problem of every row."""
    fields = [f for f in plan.fields if f.key in mapping.columns]
    answer_fields = [f for f in fields if f.kind == "answer"]

    def column(item: ImportField | None) -> str:
        if item is None:
            return _("Site")
        return table.headers[mapping.columns[item.key]] or item.key

    parsed: list[ParsedRow] = []
    problems: list[RowProblem] = []
    for index, cells in enumerate(table.rows):
        number = table.row_number(index)
        row = ParsedRow(
            row=number,
            touchpoint_id=mapping.touchpoint_id or 0,
            site_id=mapping.site_id,
            language=mapping.language,
        )
        found = []
        for item in fields:
            raw = cells[mapping.columns[item.key]]
            try:
                _read_cell(item, raw, row, plan, mapping)
            except ValueError as refused:
                shown = raw if len(raw) <= 80 else raw[:79] + "…"
                found.append(RowProblem(number, column(item), shown, str(refused)))
        for item, value, reason in _row_problems(row, plan, fields):
            if item is not None and item.kind == "site":
                value = cells[mapping.columns[item.key]]
            found.append(RowProblem(number, column(item), value, reason))
        answered = any(v is not None for values in row.answers.values() for v in values.values())
        if answer_fields and not found and not answered:
            first = answer_fields[0]
            found.append(
                RowProblem(
                    number,
                    column(first),
                    cells[mapping.columns[first.key]],
                    _("missing: the row has no answers"),
                )
            )
        if found:
            problems.extend(found)
        else:
            parsed.append(row)
    return parsed, problems
