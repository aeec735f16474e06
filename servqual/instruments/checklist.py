"""Audit checklists: the ``kind: checklist`` layout of the instrument format.

A checklist has sections (one per touchpoint, in visit order) and questions bound to
service standards by code. It is read and located like every instrument file
(``format.py``), and validated here; errors are reported as ``file:line: message``.
Whether the standards and touchpoints it names exist is checked against the database
when a programme adopts the checklist (``servqual.audits.checklists``).
"""

from __future__ import annotations

from typing import Any

from servqual.instruments.format import LAYOUTS, Instrument, Item, content_hash
from servqual.instruments.itemtypes import TEXT_SCHEMA
from servqual.instruments.located import InstrumentInvalid, Located, check_schema, describe

#: Question types and the parameters each one takes besides the common keys.
QUESTION_TYPES: dict[str, dict[str, Any]] = {
    "yes_no": {},
    "rating": {
        "min": {"type": "integer"},
        "max": {"type": "integer"},
        "anchors": {
            "type": "object",
            "propertyNames": {"pattern": "^-?[0-9]+$"},
            "additionalProperties": {"$ref": "#/$defs/text"},
        },
    },
    "measured": {
        "unit": {"type": "string", "minLength": 1},
        "integer": {"type": "boolean"},
    },
    "timestamp": {},
    "choice": {
        "options": {
            "type": "array",
            "minItems": 2,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "label"],
                "properties": {
                    "code": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,32}$"},
                    "label": {"$ref": "#/$defs/text"},
                    "compliant": {"type": "boolean"},
                },
            },
        },
    },
    "text": {
        "max_length": {"type": "integer", "minimum": 1, "maximum": 5000},
        "multiline": {"type": "boolean"},
    },
    "photo": {},
}

#: Types whose answer can meet or miss a standard.
SCORED_TYPES = ("yes_no", "rating", "measured", "choice")

#: Measurement units: alias → (canonical unit, family, factor to the family's base unit).
UNITS: dict[str, tuple[str, str, float]] = {}
for _canonical, _family, _factor, _aliases in [
    ("s", "time", 1 / 60, ("s", "seg", "segundo", "segundos", "sec", "second", "seconds")),
    ("min", "time", 1.0, ("min", "mins", "minuto", "minutos", "minute", "minutes")),
    ("h", "time", 60.0, ("h", "hr", "hora", "horas", "hour", "hours")),
    ("días", "time", 1440.0, ("d", "día", "días", "dia", "dias", "day", "days")),
    ("timbres", "rings", 1.0, ("timbre", "timbres", "ring", "rings", "tonos", "tono")),
    ("veces", "count", 1.0, ("vez", "veces", "time", "times")),
    ("%", "percent", 1.0, ("%", "pct", "percent", "por ciento")),
]:
    for _alias in _aliases:
        UNITS[_alias] = (_canonical, _family, _factor)


def unit_of(name: str | None) -> tuple[str, str, float] | None:
    """Return ``(canonical unit, family, factor)`` for a unit name or alias, else ``None``."""
    if name is None:
        return None
    return UNITS.get(name.strip().lower())


_COMMON_KEYS = {
    "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]{0,31}$"},
    "section": {"type": "string"},
    "type": {"enum": list(QUESTION_TYPES)},
    "standard": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,32}$"},
    "weight": {"type": "number", "minimum": 0},
    "not_applicable": {"type": "boolean"},
    "evidence": {"enum": ["required", "optional"]},
    "required": {"type": "boolean"},
    "label": {"$ref": "#/$defs/text"},
    "text": {"$ref": "#/$defs/text"},
    "help": {"$ref": "#/$defs/text"},
}

_PARAMETERS = {name for params in QUESTION_TYPES.values() for name in params}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {"text": TEXT_SCHEMA},
    "type": "object",
    "additionalProperties": False,
    "required": ["format_version", "key", "kind", "title", "channel", "sections", "questions"],
    "properties": {
        "format_version": {"type": "integer"},
        "key": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
        "kind": {"const": "checklist"},
        "title": {"$ref": "#/$defs/text"},
        "description": {"$ref": "#/$defs/text"},
        "source": {"type": "string"},
        "channel": {
            "enum": [
                "face_to_face",
                "phone",
                "web",
                "email",
                "mobile_app",
                "point_of_sale",
                "chat",
                "event",
                "other",
            ]
        },
        "duration_minutes": {
            "type": "object",
            "additionalProperties": False,
            "required": ["min", "max"],
            "properties": {"min": {"type": "number", "minimum": 0}, "max": {"type": "number"}},
        },
        "sections": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "touchpoint", "title"],
                "properties": {
                    "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                    "touchpoint": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,32}$"},
                    "weight": {"type": "number", "minimum": 0},
                    "title": {"$ref": "#/$defs/text"},
                    "instructions": {"$ref": "#/$defs/text"},
                },
            },
        },
        "questions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["code", "section", "type", "label", "text"],
                # Type parameters are checked against the question's own type afterwards.
                "properties": {**{name: {} for name in _PARAMETERS}, **_COMMON_KEYS},
                "additionalProperties": False,
            },
        },
    },
}


def _check_question(located: Located, where: tuple, raw: dict[str, Any]) -> None:
    """Check one question's type parameters and what binds it to a standard."""
    label = describe(where, located.root)
    kind = raw["type"]
    allowed = QUESTION_TYPES[kind]
    for key in raw:
        if key in _PARAMETERS and key not in allowed:
            located.error((*where, key), f"{label}: {key!r} is not a parameter of type {kind!r}")
    params = {k: v for k, v in raw.items() if k in allowed}
    schema = {
        "$defs": {"text": TEXT_SCHEMA},
        "type": "object",
        "properties": allowed,
        "required": [k for k in ("min", "max", "unit", "options") if k in allowed],
    }
    if check_schema(located, params, schema, where):
        return
    if "standard" in raw and kind not in SCORED_TYPES:
        located.error(
            (*where, "standard"),
            f"{label}: a {kind!r} question cannot be bound to a standard "
            f"(only {', '.join(SCORED_TYPES)})",
        )
    if kind == "rating":
        low, high = params["min"], params["max"]
        if high <= low:
            located.error((*where, "max"), f"{label}: max must be greater than min")
        for point in params.get("anchors", {}):
            if not low <= int(point) <= high:
                located.error(
                    (*where, "anchors", point), f"{label}: anchor {point} is outside {low}–{high}"
                )
    if kind == "measured" and unit_of(params["unit"]) is None:
        known = ", ".join(sorted({canonical for canonical, _f, _x in UNITS.values()}))
        located.error(
            (*where, "unit"), f"{label}: unknown unit {params['unit']!r} (known: {known})"
        )
    if kind == "choice":
        codes = [option["code"] for option in params["options"]]
        for i, code in enumerate(codes):
            if code in codes[:i]:
                located.error(
                    (*where, "options", i, "code"), f"{label}: duplicate option code {code!r}"
                )
        if "standard" in raw and not any(o.get("compliant") for o in params["options"]):
            located.error(
                (*where, "options"),
                f"{label}: a choice bound to a standard needs at least one option "
                "marked compliant: true",
            )
    if kind == "photo" and raw.get("evidence") == "optional":
        located.error((*where, "evidence"), f"{label}: a photo question is its own evidence")


def validate_checklist(
    located: Located, data: dict[str, Any], expected_key: str | None
) -> Instrument:
    """Validate a checklist and return it as an ``Instrument`` (items are its questions)."""
    if not check_schema(located, data, SCHEMA):
        if data["format_version"] != 1:
            located.error(
                ("format_version",),
                f"format_version {data['format_version']} is not supported (supported: 1)",
            )
        if expected_key is not None and data["key"] != expected_key:
            located.error(
                ("key",), f"key {data['key']!r} must match the file name ({expected_key!r})"
            )
        sections: dict[str, dict[str, Any]] = {}
        for i, section in enumerate(data["sections"]):
            if section["code"] in sections:
                located.error(
                    ("sections", i, "code"), f"duplicate section code {section['code']!r}"
                )
            sections[section["code"]] = section
        seen: set[str] = set()
        for i, raw in enumerate(data["questions"]):
            where = ("questions", i)
            if raw["code"] in seen:
                located.error((*where, "code"), f"duplicate question code {raw['code']!r}")
            seen.add(raw["code"])
            if raw["section"] not in sections:
                located.error(
                    (*where, "section"),
                    f"{describe(where, data)}: unknown section {raw['section']!r}",
                )
            _check_question(located, where, raw)
        limits = data.get("duration_minutes")
        if limits and limits["max"] <= limits["min"]:
            located.error(("duration_minutes", "max"), "duration_minutes: max must exceed min")
    if located.errors:
        raise InstrumentInvalid(sorted(set(located.errors)))
    items = tuple(
        Item(
            code=raw["code"],
            dimension=raw["section"],
            type=raw["type"],
            params={k: v for k, v in raw.items() if k in QUESTION_TYPES[raw["type"]]},
            forms=("checklist",),
            label=raw["label"],
            texts={"checklist": raw["text"]},
            position=i,
        )
        for i, raw in enumerate(data["questions"])
    )
    return Instrument(
        key=data["key"], kind="checklist", data=data, content_hash=content_hash(data), items=items
    )


LAYOUTS["checklist"] = validate_checklist
