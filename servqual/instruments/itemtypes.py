"""The registry of item types: what parameters each takes and which answers it accepts.

A type is a class registered under its name; the instrument format, the survey forms
and the importers all look types up here, so a new type is one new class.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

LANGS = ("es", "en")
_TEXT = {"$ref": "#/$defs/text"}

#: A text given in every supported language, none of them blank.
TEXT_SCHEMA = {
    "type": "object",
    "properties": {lang: {"type": "string", "minLength": 1, "pattern": r"\S"} for lang in LANGS},
    "required": list(LANGS),
    "additionalProperties": False,
}


class AnswerError(ValueError):
    """An answer that the item's type does not accept."""


class ItemType:
    """Base class of an item type: a JSON Schema for its parameters and an answer parser."""

    name: ClassVar[str]
    #: JSON Schema properties of the type's parameters (besides ``type``).
    parameters: ClassVar[dict[str, Any]] = {}
    required: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def check(
        cls, params: dict[str, Any], dimensions: set[str]
    ) -> Iterable[tuple[str | tuple[str, ...], str]]:
        """Yield ``(parameter or path, problem)`` for what a schema cannot express."""
        return ()

    @classmethod
    def parse(cls, params: dict[str, Any], raw: Any) -> Any:
        """Turn a submitted answer into a stored value, or raise ``AnswerError``."""
        raise NotImplementedError


ITEM_TYPES: dict[str, type[ItemType]] = {}


def register(cls: type[ItemType]) -> type[ItemType]:
    """Add an item type to the registry under its ``name``."""
    ITEM_TYPES[cls.name] = cls
    return cls


def _number(raw: Any) -> float:
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        raise AnswerError("not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise AnswerError("not a number")
    return value


@register
class Likert(ItemType):
    """An ordered rating scale with integer points and labelled anchors."""

    name = "likert"
    parameters = {
        "min": {"type": "integer"},
        "max": {"type": "integer"},
        "anchors": {
            "type": "object",
            "propertyNames": {"pattern": "^-?[0-9]+$"},
            "additionalProperties": _TEXT,
            "minProperties": 2,
        },
        "not_applicable": {"type": "boolean"},
    }
    required = ("min", "max", "anchors")

    @classmethod
    def check(cls, params, dimensions):
        low, high = params["min"], params["max"]
        if high <= low:
            yield "max", f"max ({high}) must be greater than min ({low})"
            return
        if high - low > 20:
            yield "max", f"a scale of {high - low + 1} points is too long (at most 21)"
        points = sorted(int(key) for key in params["anchors"])
        for key in params["anchors"]:
            if not low <= int(key) <= high:
                yield ("anchors", key), f"anchor {key} lies outside the scale {low}..{high}"
        if low not in points or high not in points:
            yield "anchors", f"anchors must label both ends of the scale ({low} and {high})"

    @classmethod
    def parse(cls, params, raw):
        value = _number(raw)
        if value != int(value):
            raise AnswerError("not a whole point of the scale")
        if not params["min"] <= value <= params["max"]:
            raise AnswerError(f"outside the scale {params['min']}..{params['max']}")
        return int(value)


@register
class SingleChoice(ItemType):
    """One option out of a list of coded options."""

    name = "single_choice"
    parameters = {
        "options": {
            "type": "array",
            "minItems": 2,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "label"],
                "properties": {
                    "code": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,32}$"},
                    "label": _TEXT,
                },
            },
        },
        "not_applicable": {"type": "boolean"},
    }
    required = ("options",)

    @classmethod
    def check(cls, params, dimensions):
        codes = [option["code"] for option in params["options"]]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            yield "options", f"duplicate option code {duplicates[0]!r}"

    @classmethod
    def parse(cls, params, raw):
        codes = {option["code"] for option in params["options"]}
        if str(raw) not in codes:
            raise AnswerError("not one of the options")
        return str(raw)


@register
class Number(ItemType):
    """A number, optionally whole and bounded, with an optional unit."""

    name = "number"
    parameters = {
        "min": {"type": "number"},
        "max": {"type": "number"},
        "integer": {"type": "boolean"},
        "unit": _TEXT,
    }

    @classmethod
    def check(cls, params, dimensions):
        if "min" in params and "max" in params and params["max"] <= params["min"]:
            yield "max", f"max ({params['max']}) must be greater than min ({params['min']})"

    @classmethod
    def parse(cls, params, raw):
        value = _number(raw)
        if params.get("integer") and value != int(value):
            raise AnswerError("not a whole number")
        if "min" in params and value < params["min"]:
            raise AnswerError(f"below the minimum {params['min']}")
        if "max" in params and value > params["max"]:
            raise AnswerError(f"above the maximum {params['max']}")
        return int(value) if params.get("integer") else value


@register
class Text(ItemType):
    """Free text of bounded length."""

    name = "text"
    parameters = {
        "max_length": {"type": "integer", "minimum": 1, "maximum": 5000},
        "multiline": {"type": "boolean"},
    }

    @classmethod
    def parse(cls, params, raw):
        text = str(raw).strip()
        if len(text) > params.get("max_length", 2000):
            raise AnswerError("too long")
        return text


@register
class Allocation(ItemType):
    """A constant sum (normally 100 points) split across dimensions by importance."""

    name = "allocation"
    parameters = {
        "total": {"type": "integer", "minimum": 1},
        "among": {
            "type": "array",
            "minItems": 2,
            "items": {"type": "string"},
            "uniqueItems": True,
        },
    }
    required = ("among",)

    @classmethod
    def check(cls, params, dimensions):
        for code in params["among"]:
            if code not in dimensions:
                yield "among", f"unknown dimension {code!r}"

    @classmethod
    def parse(cls, params, raw):
        if not isinstance(raw, dict) or set(raw) != set(params["among"]):
            raise AnswerError("points must be given for every dimension")
        points = {key: _number(value) for key, value in raw.items()}
        if any(value < 0 or value != int(value) for value in points.values()):
            raise AnswerError("points must be whole numbers, none negative")
        total = params.get("total", 100)
        if sum(points.values()) != total:
            raise AnswerError(f"points must add up to {total}")
        return {key: int(value) for key, value in points.items()}


def parameter_names() -> set[str]:
    """Return every parameter name some registered type takes."""
    return {name for item_type in ITEM_TYPES.values() for name in item_type.parameters}


def type_schema(item_type: type[ItemType]) -> dict[str, Any]:
    """Return the JSON Schema of one type's parameters (``type`` included)."""
    return {
        "$defs": {"text": TEXT_SCHEMA},
        "type": "object",
        "properties": {"type": {"const": item_type.name}, **item_type.parameters},
        "required": ["type", *item_type.required],
        "additionalProperties": False,
    }
