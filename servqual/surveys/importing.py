"""Import survey responses that other tools exported: one row per respondent.

LimeSurvey, Google Forms and SurveyMonkey all give one row per respondent with one
column per question. A *mapping* says which column holds which of the campaign's
fields (each item × E/P or A/Ds/P, touchpoint, site, segment, when, overall items,
importance points, comment). Checking is pure: every problem of every row is collected
with its row, column, value and reason. ``import_responses`` then stores every row or
none, each response keyed by the file's hash and its row, so importing a file twice
stores it once. The column names of ``servqual.surveys.exporting`` map automatically,
so an export re-imports 1:1.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask_babel import gettext as _

from servqual.config import SUPPORTED_LOCALES
from servqual.extensions import db
from servqual.instruments.itemtypes import ITEM_TYPES, AnswerError
from servqual.modelbase import utcnow
from servqual.service.models import Site
from servqual.surveys.aggregates import record_responses
from servqual.surveys.invitations import RowProblem
from servqual.surveys.models import Answer, Campaign, ImportancePoints, Response
from servqual.surveys.operations import instrument_of
from servqual.surveys.steps import (
    FORMAT_MEASURES,
    MEASURE_COLUMNS,
    forms_by_measure,
    importance_item,
    overall_item,
    scored_items,
)
from servqual.surveys.tables import Table

#: Measures in column order, and the suffix of their column names (``REL1_E``).
MEASURE_ORDER = ("E", "P", "A", "Ds")
MEASURE_SUFFIX = {"E": "E", "P": "P", "A": "A", "Ds": "DS"}
#: Cells read as "not applicable / don't know" (compared case-insensitively).
NOT_APPLICABLE = {"", "na", "n/a", "n.a.", "ns/nr", "nsnr", "no aplica", "not applicable"}
#: A leading apostrophe that an export added against formula injection is taken off again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMATS: dict[str, tuple[str, ...]] = {
    "iso": (),
    "dmy": ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y"),
    "mdy": (
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %H:%M",
        "%m/%d/%Y",
    ),
}
SEGMENT_MAX = 64
COMMENT_MAX = 2000
RECOMMEND_SCALE = {"min": 0, "max": 10}
MAX_IMPORT_BYTES = 8 * 1024 * 1024
UPLOAD_LIFETIME_SECONDS = 24 * 3600
_UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
_LEADING_NUMBER = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*(?:[-–—:.)]\s*\D.*)?$", re.DOTALL)

#: Header names other tools use for the non-item fields (compared without case or spaces).
ALIASES = {
    "touchpoint": ("touchpoint", "punto de contacto", "touchpoint code"),
    "site": ("site", "sede", "branch", "sucursal", "oficina"),
    "segment": ("segment", "segmento"),
    "submitted_at": (
        "submitted_at",
        "submitdate",
        "date submitted",
        "timestamp",
        "marca temporal",
        "end date",
        "fecha",
    ),
    "language": ("language", "idioma", "startlanguage", "lang"),
    "overall_quality": ("overall_quality", "calidad general", "overall quality"),
    "recommend": ("recommend", "nps", "recomendaria", "likelihood to recommend"),
    "comment": ("comment", "comments", "comentario", "comentarios"),
}


class MappingError(ValueError):
    """The mapping cannot be used; ``problems`` says why, one sentence each."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportField:
    """One thing a column can be mapped to: an item's measure, or a response property."""

    key: str
    label: str
    kind: str  # answer, overall, recommend, importance, touchpoint, site, segment, ...
    item_code: str | None = None
    measure: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    #: An answer field whose scale has no "not applicable": a blank cell is a problem.
    needs_value: bool = False


@dataclass(frozen=True)
class Place:
    """A touchpoint or site the rows may name, by code or by name."""

    id: int
    code: str
    name: str
    channel_id: int | None = None


@dataclass(frozen=True)
class ImportPlan:
    """What a campaign accepts: its fields, touchpoints and sites (the user's only)."""

    fields: tuple[ImportField, ...]
    touchpoints: tuple[Place, ...]
    sites: tuple[Place, ...]
    allowed_site_ids: frozenset[int] | None
    importance_total: int = 100


@dataclass
class ImportMapping:
    """Which column (by index) holds each field, and the fixed values for the rest."""

    columns: dict[str, int]
    touchpoint_id: int | None = None
    site_id: int | None = None
    language: str = "es"
    date_format: str = "iso"
    timezone: str = "UTC"


@dataclass
class ParsedRow:
    """One row turned into the values of a response."""

    row: int
    touchpoint_id: int
    site_id: int | None
    language: str
    segment: str | None = None
    submitted_at: datetime | None = None
    overall_quality: int | None = None
    recommend: int | None = None
    comment: str | None = None
    answers: dict[str, dict[str, int | None]] = field(default_factory=dict)
    importance: dict[str, int] = field(default_factory=dict)


@dataclass
class ImportOutcome:
    """What an import did or would do: counts, the first rows, or every problem."""

    rows: int = 0
    created: int = 0
    already_imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    preview: list[ParsedRow] = field(default_factory=list)


# --- the fields of a campaign -------------------------------------------------------------


def measure_labels() -> dict[str, str]:
    """Return the translated name of each measure."""
    return {
        "E": _("Expectation"),
        "P": _("Perception"),
        "A": _("Adequate (minimum)"),
        "Ds": _("Desired"),
    }


def campaign_fields(campaign: Campaign, lang: str) -> list[ImportField]:
    """Return the fields of a campaign in export column order."""
    instrument = instrument_of(campaign)
    used = {m for page in FORMAT_MEASURES[campaign.format] for m in page}
    forms = forms_by_measure(instrument)
    names = measure_labels()
    fields = [
        ImportField("touchpoint", _("Touchpoint"), "touchpoint"),
        ImportField("site", _("Site"), "site"),
        ImportField("segment", _("Segment"), "segment"),
        ImportField("language", _("Language"), "language"),
        ImportField("submitted_at", _("Submitted at"), "submitted_at"),
    ]
    for item in scored_items(instrument):
        for measure in MEASURE_ORDER:
            form = forms.get(measure)
            if measure in used and form is not None and form["code"] in item.forms:
                fields.append(
                    ImportField(
                        f"{item.code}_{MEASURE_SUFFIX[measure]}",
                        f"{item.code} · {names[measure]} · {item.label[lang]}",
                        "answer",
                        item_code=item.code,
                        measure=measure,
                        params=item.params,
                        needs_value=not item.params.get("not_applicable", True),
                    )
                )
    overall = overall_item(instrument)
    if overall is not None:
        fields.append(
            ImportField("overall_quality", overall.label[lang], "overall", params=overall.params)
        )
        fields.append(
            ImportField(
                "recommend",
                _("Likelihood to recommend (0–10)"),
                "recommend",
                params=RECOMMEND_SCALE,
            )
        )
    allocation = importance_item(instrument)
    if allocation is not None:
        labels = {d["code"]: d["label"][lang] for d in instrument.dimensions}
        for code in allocation.params["among"]:
            fields.append(
                ImportField(
                    f"IMP_{code}",
                    _("Importance points: %(dimension)s", dimension=labels[code]),
                    "importance",
                    item_code=code,
                )
            )
    fields.append(ImportField("comment", _("Comment"), "comment"))
    return fields


def build_plan(
    campaign: Campaign, lang: str, allowed_site_ids: Iterable[int] | None = None
) -> ImportPlan:
    """Collect what the rows of ``campaign`` may contain (the only database reads)."""
    sites = campaign.sites or list(db.session.scalars(sa.select(Site).order_by(Site.name)))
    allocation = importance_item(instrument_of(campaign))
    return ImportPlan(
        fields=tuple(campaign_fields(campaign, lang)),
        touchpoints=tuple(
            Place(tp.id, tp.code, tp.name, tp.channel_id) for tp in campaign.touchpoints
        ),
        sites=tuple(Place(s.id, s.code, s.name) for s in sites),
        allowed_site_ids=None if allowed_site_ids is None else frozenset(allowed_site_ids),
        importance_total=allocation.params.get("total", 100) if allocation else 100,
    )


# --- mapping columns to fields ------------------------------------------------------------


def _normal(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _candidates(item: ImportField) -> list[str]:
    if item.kind == "answer":
        return [item.key, f"{item.measure}{item.item_code}"]
    return [item.key, *ALIASES.get(item.key, ())]


def auto_columns(fields: Iterable[ImportField], headers: list[str]) -> dict[str, int]:
    """Map every field whose name (or a usual alias) is a header, ignoring case and spaces."""
    index: dict[str, int | None] = {}
    for position, header in enumerate(headers):
        key = _normal(header)
        if key:
            index[key] = None if key in index else position  # a repeated header maps nothing
    found = {}
    for item in fields:
        for name in _candidates(item):
            position = index.get(_normal(name))
            if position is not None:
                found[item.key] = position
                break
    return found


def _place_index(places: Iterable[Place]) -> tuple[dict[str, int], dict[str, int | None]]:
    codes = {place.code.casefold(): place.id for place in places}
    names: dict[str, int | None] = {}
    for place in places:
        key = place.name.strip().casefold()
        names[key] = None if key in names and names[key] != place.id else place.id
    return codes, names


def find_place(places: Iterable[Place], text: str) -> tuple[int | None, bool]:
    """Return ``(id, ambiguous)`` of the place whose code or name is ``text``."""
    codes, names = _place_index(list(places))
    key = text.strip().casefold()
    if key in codes:
        return codes[key], False
    if key in names:
        return names[key], names[key] is None
    return None, False


def mapping_from_json(data: dict[str, Any], headers: list[str], plan: ImportPlan) -> ImportMapping:
    """Read a mapping file: ``columns`` by header name, fixed touchpoint and site by code or name.

    Fields the file does not name are mapped automatically when a header has their name.
    """
    problems: list[str] = []
    if not isinstance(data, dict):
        raise MappingError([_("The mapping must be a JSON object.")])
    keys = {f.key for f in plan.fields}
    columns = auto_columns(plan.fields, headers)
    by_name: dict[str, list[int]] = {}
    for position, header in enumerate(headers):
        by_name.setdefault(header.strip().casefold(), []).append(position)
    for key, header in (data.get("columns") or {}).items():
        if key not in keys:
            problems.append(_("The campaign has no field %(field)s.", field=key))
            continue
        if header in (None, ""):
            columns.pop(key, None)
            continue
        positions = by_name.get(str(header).strip().casefold(), [])
        if len(positions) != 1:
            problems.append(
                _("The file has no column %(column)s.", column=header)
                if not positions
                else _("The file has several columns named %(column)s.", column=header)
            )
            continue
        columns[key] = positions[0]
    mapping = ImportMapping(
        columns=columns,
        language=data.get("language", "es"),
        date_format=data.get("date_format", "iso"),
        timezone=data.get("timezone", "UTC"),
    )
    for name, places in (("touchpoint", plan.touchpoints), ("site", plan.sites)):
        if data.get(name):
            found, _ambiguous = find_place(places, str(data[name]))
            if found is None:
                problems.append(_("Unknown %(what)s %(value)s.", what=name, value=data[name]))
            setattr(mapping, f"{name}_id", found)
    if problems:
        raise MappingError(problems)
    return mapping


def check_mapping(plan: ImportPlan, mapping: ImportMapping, headers: list[str]) -> list[str]:
    """Return why the mapping cannot be used (empty when it can)."""
    problems = []
    unmapped = [f.key for f in plan.fields if f.kind == "answer" and f.key not in mapping.columns]
    if unmapped:
        problems.append(
            _(
                "Every question of the campaign needs a column; these have none: %(fields)s.",
                fields=", ".join(unmapped),
            )
        )
    if "touchpoint" not in mapping.columns and mapping.touchpoint_id is None:
        problems.append(_("Choose the touchpoint, or the column that names it."))
    if mapping.touchpoint_id is not None and mapping.touchpoint_id not in {
        p.id for p in plan.touchpoints
    }:
        problems.append(_("The touchpoint is not one of the campaign's."))
    if mapping.site_id is not None and mapping.site_id not in {p.id for p in plan.sites}:
        problems.append(_("The site is not one of the campaign's."))
    if any(not 0 <= position < len(headers) for position in mapping.columns.values()):
        problems.append(_("The mapping names a column the file does not have."))
    if mapping.language not in SUPPORTED_LOCALES:
        problems.append(_("Unknown language %(lang)s.", lang=mapping.language))
    if mapping.date_format not in DATE_FORMATS:
        problems.append(_("Unknown date format %(name)s.", name=mapping.date_format))
    try:
        ZoneInfo(mapping.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(_("Unknown time zone %(name)s.", name=mapping.timezone))
    return problems


# --- checking rows ------------------------------------------------------------------------


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


# --- storing ------------------------------------------------------------------------------


def file_hash(data: bytes) -> str:
    """Return the SHA-256 of an uploaded file (hex)."""
    return hashlib.sha256(data).hexdigest()


def submission_key(campaign_id: int, digest: str, row: int) -> str:
    """Return the submission key of one imported row: the same file row imports once."""
    return hashlib.sha256(f"import:{campaign_id}:{digest}:{row}".encode()).hexdigest()


def _existing_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 1000):
        found.update(
            db.session.scalars(
                sa.select(Response.submission_key).where(
                    Response.submission_key.in_(keys[start : start + 1000])
                )
            )
        )
    return found


def import_responses(
    campaign: Campaign,
    table: Table,
    mapping: ImportMapping,
    digest: str,
    lang: str = "en",
    allowed_site_ids: Iterable[int] | None = None,
    dry_run: bool = False,
) -> ImportOutcome:
    """Check every row, then (unless ``dry_run`` or any row is bad) add them all; flush only.

    Raises ``MappingError`` when the mapping itself cannot be used.
    """
    plan = build_plan(campaign, lang, allowed_site_ids)
    refused = check_mapping(plan, mapping, table.headers)
    if refused:
        raise MappingError(refused)
    parsed, problems = check_rows(table, plan, mapping)
    outcome = ImportOutcome(rows=len(table.rows), problems=problems, preview=parsed[:10])
    keys = {row.row: submission_key(campaign.id, digest, row.row) for row in parsed}
    existing = _existing_keys(list(keys.values()))
    fresh = [row for row in parsed if keys[row.row] not in existing]
    outcome.already_imported = len(parsed) - len(fresh)
    if problems or dry_run or not fresh:
        return outcome
    channels = {place.id: place.channel_id for place in plan.touchpoints}
    now = utcnow()
    ids = db.session.scalars(
        sa.insert(Response).returning(Response.id, sort_by_parameter_order=True),
        [
            {
                "campaign_id": campaign.id,
                "instrument_version_id": campaign.instrument_version_id,
                "touchpoint_id": row.touchpoint_id,
                "site_id": row.site_id,
                "channel_id": channels[row.touchpoint_id],
                "segment": row.segment,
                "language": row.language,
                "source": "import",
                "submission_key": keys[row.row],
                "submitted_at": row.submitted_at or now,
                "overall_quality": row.overall_quality,
                "recommend": row.recommend,
                "comment": row.comment,
                "may_contact": False,
            }
            for row in fresh
        ],
    ).all()
    answers = [
        {"response_id": response_id, "item_code": code, **dict.fromkeys(("e", "p", "a", "ds"))}
        | values
        for response_id, row in zip(ids, fresh, strict=True)
        for code, values in row.answers.items()
        if any(v is not None for v in values.values())
    ]
    if answers:
        db.session.execute(sa.insert(Answer), answers)
    points = [
        {"response_id": response_id, "dimension": dimension, "points": value}
        for response_id, row in zip(ids, fresh, strict=True)
        for dimension, value in row.importance.items()
    ]
    if points:
        db.session.execute(sa.insert(ImportancePoints), points)
    record_responses(campaign, ids)
    db.session.flush()
    outcome.created = len(fresh)
    return outcome


# --- uploaded files kept between the steps ------------------------------------------------


def _upload_dir(instance_path: str | Path) -> Path:
    folder = Path(instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(
    instance_path: str | Path,
    data: bytes,
    filename: str,
    campaign_id: int,
    user_id: int | None,
    encoding: str,
) -> str:
    """Keep an uploaded file under a random id (and forget day-old ones); return the id."""
    folder = _upload_dir(instance_path)
    cutoff = time.time() - UPLOAD_LIFETIME_SECONDS
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    upload_id = secrets.token_urlsafe(16)
    (folder / f"{upload_id}.data").write_bytes(data)
    meta = {
        "campaign_id": campaign_id,
        "user_id": user_id,
        "filename": Path(filename).name[:200],
        "sha256": file_hash(data),
        "encoding": encoding,
        "size": len(data),
    }
    (folder / f"{upload_id}.json").write_text(json.dumps(meta), encoding="utf-8")
    return upload_id


def load_upload(
    instance_path: str | Path, upload_id: str, campaign_id: int
) -> tuple[dict[str, Any], bytes] | None:
    """Return a kept upload's facts and bytes, or ``None`` (unknown id or another campaign)."""
    if not _UPLOAD_ID.match(upload_id):
        return None
    folder = _upload_dir(instance_path)
    try:
        meta = json.loads((folder / f"{upload_id}.json").read_text(encoding="utf-8"))
        data = (folder / f"{upload_id}.data").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("campaign_id") != campaign_id:
        return None
    return meta, data


def delete_upload(instance_path: str | Path, upload_id: str) -> None:
    """Forget a kept upload."""
    if not _UPLOAD_ID.match(upload_id):
        return
    folder = _upload_dir(instance_path)
    for suffix in (".data", ".json"):
        (folder / f"{upload_id}{suffix}").unlink(missing_ok=True)
