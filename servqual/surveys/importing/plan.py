"""Import plans and column mappings: which column holds which of a campaign's fields."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask_babel import gettext as _

from servqual.config import SUPPORTED_LOCALES
from servqual.extensions import db
from servqual.service.models import Site
from servqual.surveys.invitations import RowProblem
from servqual.surveys.models import Campaign
from servqual.surveys.steps import (
    FORMAT_MEASURES,
    forms_by_measure,
    importance_item,
    instrument_of,
    overall_item,
    scored_items,
)

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
