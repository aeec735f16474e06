"""Read and validate instrument files (YAML, ``format_version`` 1).

Errors name the file, the line and what is wrong, e.g.
``instruments/servqual-22.yaml:42: items[3] (TAN4): text is missing 'en'``.
The format is documented in ``instruments/README.md``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from servqual.instruments.itemtypes import (
    ITEM_TYPES,
    TEXT_SCHEMA,
    parameter_names,
    type_schema,
)
from servqual.instruments.located import (
    InstrumentError,
    InstrumentInvalid,
    Located,
    check_schema,
    describe,
)

SUPPORTED_FORMAT_VERSIONS = (1,)
MEASURES = ("E", "P", "M", "A", "Ds", "overall", "importance", "internal")
KINDS = ("customer", "management", "internal")

_ITEM_KEYS = {
    "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]{0,31}$"},
    "dimension": {"type": "string"},
    "scale": {"type": "string"},
    "type": {"type": "string"},
    "forms": {"type": "array", "minItems": 1, "items": {"type": "string"}, "uniqueItems": True},
    "label": {"$ref": "#/$defs/text"},
    "text": {"$ref": "#/$defs/text"},
    "form_text": {"type": "object", "additionalProperties": {"$ref": "#/$defs/text"}},
    "reverse": {"type": "boolean"},
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {"text": TEXT_SCHEMA},
    "type": "object",
    "additionalProperties": False,
    "required": ["format_version", "key", "kind", "title", "forms", "dimensions", "items"],
    "properties": {
        "format_version": {"type": "integer"},
        "key": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
        "kind": {"enum": list(KINDS)},
        "title": {"$ref": "#/$defs/text"},
        "description": {"$ref": "#/$defs/text"},
        "source": {"type": "string"},
        "scales": {
            "type": "object",
            "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
            "additionalProperties": {"type": "object", "required": ["type"]},
        },
        "forms": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "measure", "title"],
                "properties": {
                    "code": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"},
                    "measure": {"enum": list(MEASURES)},
                    "title": {"$ref": "#/$defs/text"},
                    "instructions": {"$ref": "#/$defs/text"},
                },
            },
        },
        "dimensions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "label"],
                "properties": {
                    "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                    "label": {"$ref": "#/$defs/text"},
                    "scored": {"type": "boolean"},
                    "gap": {"enum": [1, 2, 3, 4]},
                },
            },
        },
        "items": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["code", "dimension", "forms", "label"],
                "properties": _ITEM_KEYS,
                # Type parameters are checked against the item's own type afterwards.
                "propertyNames": {"enum": sorted(set(_ITEM_KEYS) | parameter_names())},
            },
        },
    },
}


@dataclass(frozen=True)
class Item:
    """One validated item with its type parameters resolved from its scale."""

    code: str
    dimension: str
    type: str
    params: dict[str, Any]
    forms: tuple[str, ...]
    label: dict[str, str]
    texts: dict[str, dict[str, str]]
    reverse: bool = False
    position: int = 0

    def text(self, form: str, lang: str) -> str:
        """Return the wording of this item in ``form`` and language ``lang``."""
        return self.texts[form][lang]


@dataclass(frozen=True)
class Instrument:
    """A validated instrument definition and the hash that identifies its content."""

    key: str
    kind: str
    data: dict[str, Any]
    content_hash: str
    items: tuple[Item, ...] = field(default_factory=tuple)

    @property
    def title(self) -> dict[str, str]:
        """Return the title in both languages."""
        return self.data["title"]

    @property
    def dimensions(self) -> list[dict[str, Any]]:
        """Return the dimension definitions in file order (none in a checklist)."""
        return self.data.get("dimensions", [])

    @property
    def forms(self) -> list[dict[str, Any]]:
        """Return the form definitions in file order (none in a checklist)."""
        return self.data.get("forms", [])


def _semantic_checks(located: Located, data: dict[str, Any], expected_key: str | None):
    """Check the references and invariants that the JSON Schema cannot express."""
    if data["format_version"] not in SUPPORTED_FORMAT_VERSIONS:
        supported = ", ".join(map(str, SUPPORTED_FORMAT_VERSIONS))
        located.error(
            ("format_version",),
            f"format_version {data['format_version']} is not supported (supported: {supported})",
        )
        return []
    if expected_key is not None and data["key"] != expected_key:
        located.error(("key",), f"key {data['key']!r} must match the file name ({expected_key!r})")

    def unique(section: str) -> set[str]:
        seen: set[str] = set()
        for i, entry in enumerate(data[section]):
            if entry["code"] in seen:
                located.error(
                    (section, i, "code"), f"duplicate {section[:-1]} code {entry['code']!r}"
                )
            seen.add(entry["code"])
        return seen

    forms = unique("forms")
    dimensions = unique("dimensions")
    unique("items")
    scales = data.get("scales", {})

    for name, scale in scales.items():
        _check_params(located, ("scales", name), scale, dimensions)

    items: list[Item] = []
    for i, raw in enumerate(data["items"]):
        where = ("items", i)
        label = describe(where, data)
        if raw["dimension"] not in dimensions:
            located.error((*where, "dimension"), f"{label}: unknown dimension {raw['dimension']!r}")
        params = {k: v for k, v in raw.items() if k not in _ITEM_KEYS or k == "type"}
        if "scale" in raw:
            if "type" in raw:
                located.error((*where, "type"), f"{label}: give either 'scale' or 'type', not both")
                continue
            if raw["scale"] not in scales:
                located.error((*where, "scale"), f"{label}: unknown scale {raw['scale']!r}")
                continue
            params = {**scales[raw["scale"]], **params}
        elif "type" not in raw:
            located.error(where, f"{label}: give a 'scale' or a 'type'")
            continue
        elif not _check_params(located, where, params, dimensions):
            continue
        texts: dict[str, dict[str, str]] = {}
        for form in raw["forms"]:
            if form not in forms:
                located.error((*where, "forms"), f"{label}: unknown form {form!r}")
                continue
            text = raw.get("form_text", {}).get(form) or raw.get("text")
            if text is None:
                located.error(where, f"{label}: no text for form {form!r} (give text or form_text)")
                continue
            texts[form] = text
        for form in raw.get("form_text", {}):
            if form not in raw["forms"]:
                located.error(
                    (*where, "form_text", form),
                    f"{label}: form_text for {form!r}, which is not in its forms",
                )
        items.append(
            Item(
                code=raw["code"],
                dimension=raw["dimension"],
                type=params["type"],
                params={k: v for k, v in params.items() if k != "type"},
                forms=tuple(raw["forms"]),
                label=raw["label"],
                texts=texts,
                reverse=raw.get("reverse", False),
                position=i,
            )
        )
    return items


def _check_params(located: Located, where: tuple, params: dict, dimensions: set[str]) -> bool:
    """Validate type parameters against the type's schema and semantic checks."""
    type_name = params.get("type")
    if type_name not in ITEM_TYPES:
        known = ", ".join(sorted(ITEM_TYPES))
        located.error(
            (*where, "type"),
            f"{describe(where, located.root)}: unknown item type {type_name!r} (known: {known})",
        )
        return False
    item_type = ITEM_TYPES[type_name]
    own = {k: v for k, v in params.items() if k == "type" or k in item_type.parameters}
    strays = [k for k in params if k not in own and k not in _ITEM_KEYS]
    ok = True
    for stray in strays:
        located.error(
            (*where, stray),
            f"{describe(where, located.root)}: {stray!r} is not a parameter of type {type_name!r}",
        )
        ok = False
    if check_schema(located, own, type_schema(item_type), where):
        return False
    for parameter, problem in item_type.check(own, dimensions):
        path = (parameter,) if isinstance(parameter, str) else parameter
        located.error((*where, *path), f"{describe(where, located.root)}: {problem}")
        ok = False
    return ok


def content_hash(data: dict[str, Any]) -> str:
    """Return the SHA-256 of the definition's canonical JSON (formatting does not count)."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


#: Kinds laid out differently from questionnaires (audit checklists) and their validators,
#: registered by their own modules (``servqual.instruments.checklist``).
LAYOUTS: dict[str, Callable[[Located, dict[str, Any], str | None], Instrument]] = {}


def _validated(located: Located, data: Any, expected_key: str | None) -> Instrument:
    located.root = data
    layout = LAYOUTS.get(data.get("kind")) if isinstance(data, dict) else None
    if layout is not None and not located.errors:
        return layout(located, data, expected_key)
    items: list[Item] = []
    if not located.errors and not check_schema(located, data, SCHEMA):
        items = _semantic_checks(located, data, expected_key)
    if located.errors:
        raise InstrumentInvalid(sorted(set(located.errors)))
    return Instrument(
        key=data["key"],
        kind=data["kind"],
        data=data,
        content_hash=content_hash(data),
        items=tuple(items),
    )


def parse_instrument(text: str, file: str, expected_key: str | None = None) -> Instrument:
    """Parse and validate one instrument; raise ``InstrumentInvalid`` with every error."""
    located = Located(file)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise InstrumentInvalid([InstrumentError(file, line, f"YAML syntax: {problem}")]) from None
    if node is None:
        raise InstrumentInvalid([InstrumentError(file, 1, "the file is empty")])
    try:
        data = located.build(node, ())
    except yaml.YAMLError as exc:
        raise InstrumentInvalid([InstrumentError(file, 1, f"YAML: {exc}")]) from None
    return _validated(located, data, expected_key)


def from_definition(data: dict[str, Any], name: str = "stored definition") -> Instrument:
    """Rebuild a validated ``Instrument`` from a definition stored in the database."""
    return _validated(Located(name), data, None)


def load_file(path: Path) -> Instrument:
    """Read, parse and validate an instrument file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InstrumentInvalid([InstrumentError(str(path), 1, f"not UTF-8 text: {exc}")]) from None
    return parse_instrument(text, str(path), expected_key=path.stem)


def instrument_files(directory: Path) -> list[Path]:
    """List the instrument files in a folder, in name order."""
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


def validate_files(
    paths: list[Path],
) -> Iterator[tuple[Path, Instrument | None, list[InstrumentError]]]:
    """Validate each file, yielding it with its instrument or its errors."""
    for path in paths:
        try:
            yield path, load_file(path), []
        except InstrumentInvalid as invalid:
            yield path, None, invalid.errors
