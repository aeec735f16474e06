"""Reading instrument YAML while remembering the line every value came from.

Shared by the questionnaire format (:mod:`servqual.instruments.format`) and the audit
checklists (:mod:`servqual.instruments.checklist`): schema errors and semantic errors
are both reported as ``file:line: message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jsonschema
import yaml

from servqual.instruments.itemtypes import LANGS


@dataclass(frozen=True, order=True)
class InstrumentError:
    """One problem in an instrument file, located by line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class InstrumentInvalid(Exception):
    """Raised when an instrument file does not validate; carries every error found."""

    def __init__(self, errors: list[InstrumentError]):
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


class Located:
    """Plain data built from YAML nodes, plus the line of every path inside it."""

    def __init__(self, file: str):
        self.file = file
        self.lines: dict[tuple, int] = {}
        self.errors: list[InstrumentError] = []
        self.root: Any = None
        self._scalars = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: tuple) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(self._scalars.construct_object(key_node, deep=True))
                if key in result:
                    self.errors.append(
                        InstrumentError(
                            self.file, key_node.start_mark.line + 1, f"duplicate key {key!r}"
                        )
                    )
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
        return self._scalars.construct_object(node, deep=True)

    def line(self, path: tuple) -> int:
        """Return the line of ``path``, or of its closest located ancestor."""
        path = tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def error(self, path: tuple, message: str) -> None:
        self.errors.append(InstrumentError(self.file, self.line(path), message))


def describe(path: tuple, data: Any) -> str:
    """Render a path like ``items[3] (TAN4).text`` for messages."""
    parts: list[str] = []
    node = data
    for step in path:
        if isinstance(step, int):
            parts[-1] += f"[{step}]"
            node = node[step] if isinstance(node, list) and step < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("code"), str):
                parts[-1] += f" ({node['code']})"
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts) or "top level"


def schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return f"{missing[0]!r} is missing" if missing else error.message
    if error.validator == "additionalProperties" or error.validator == "propertyNames":
        return (
            f"unknown key {error.instance!r}"
            if error.validator == "propertyNames"
            else (
                "unknown key "
                + ", ".join(
                    repr(k) for k in error.instance if k not in error.schema.get("properties", {})
                )
            )
        )
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return f"{error.instance!r} is not allowed here (expected one of: {allowed})"
    if error.validator == "pattern" and error.path and error.path[-1] in LANGS:
        return f"text in {error.path[-1]!r} is empty"
    return error.message


def check_schema(located: Located, data: Any, schema: dict, base: tuple = ()) -> bool:
    validator = jsonschema.Draft202012Validator(schema)
    found = False
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        path = (*base, *error.absolute_path)
        if error.validator == "propertyNames":
            path = (*path, error.instance)
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {})
            extras = [key for key in error.instance if key not in known]
            if extras:
                path = (*path, extras[0])
        located.error(path, f"{describe(path, located.root)}: {schema_message(error)}")
        found = True
    return found
