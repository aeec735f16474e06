"""Check a submitted body: its shape against the OpenAPI schema, its answers with the survey forms.

The answers are turned into the field names of the respondent's pages (``E-REL1``,
``overall_quality``, ``importance-empathy`` …) and validated by the very WTForms classes
those pages use, so the API accepts exactly what the web survey accepts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from servqual.api.schemas import RESPONSE_REQUEST
from servqual.instruments.format import Instrument
from servqual.surveys.forms import step_form_class
from servqual.surveys.models import Campaign
from servqual.surveys.steps import MEASURE_COLUMNS, build_steps

_VALIDATOR = jsonschema.Draft202012Validator(RESPONSE_REQUEST)


@dataclass(frozen=True)
class FieldError:
    """One problem, located by a dotted path into the body (``answers.REL1.e``)."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """Return the JSON form."""
        return {"field": self.field, "message": self.message}


def _path(parts) -> str:
    return ".".join(str(part) for part in parts)


def _schema_message(error: jsonschema.ValidationError) -> tuple[str, str]:
    """Translate a JSON Schema error into a located message in the current language."""
    where = list(error.absolute_path)
    kind = error.validator
    if kind == "required":
        missing = next(n for n in error.validator_value if n not in error.instance)
        return _path([*where, missing]), _("This field is required.")
    if kind == "additionalProperties":
        known = error.schema.get("properties", {})
        extra = next(k for k in error.instance if k not in known)
        return _path([*where, extra]), _("Unknown field.")
    if kind == "type":
        expected = error.validator_value
        expected = " | ".join(expected) if isinstance(expected, list) else expected
        return _path(where), _("Wrong type: expected %(type)s.", type=expected)
    if kind == "minimum":
        return _path(where), _("Must be at least %(n)s.", n=error.validator_value)
    if kind == "maximum":
        return _path(where), _("Must be at most %(n)s.", n=error.validator_value)
    if kind == "maxLength":
        return _path(where), _("Use at most %(n)d characters.", n=error.validator_value)
    if kind == "enum":
        values = ", ".join(str(v) for v in error.validator_value)
        return _path(where), _("Must be one of: %(values)s.", values=values)
    if kind == "pattern":
        return _path(where), _("Contains characters that are not allowed here.")
    if kind == "maxProperties":
        return _path(where), _("Too many entries.")
    if kind == "propertyNames":
        return _path(where), _("A name here is too long.")
    return _path(where), _("This value is not valid.")


def shape_errors(body: Any) -> list[FieldError]:
    """Check the body against the request schema; return the problems found."""
    found = []
    for error in sorted(_VALIDATOR.iter_errors(body), key=lambda e: _path(e.absolute_path)):
        field, message = _schema_message(error)
        found.append(FieldError(field or "body", message))
    return found


def _whole(value: Any) -> Any:
    """Give whole floats (``5.0``) the integer form the forms' choices use."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass
class _Fields:
    """The body spread over the survey's form fields, and where each came from."""

    data: MultiDict
    origin: dict[str, str]


def _item_fields(steps, body: dict[str, Any], errors: list[FieldError]) -> _Fields:
    asked: dict[str, dict[str, str]] = {}
    for step in steps:
        for question in step.questions:
            asked.setdefault(question.item.code, {})[MEASURE_COLUMNS[question.measure]] = (
                question.name
            )
    fields = _Fields(MultiDict(), {})
    for code, levels in asked.items():
        for column, name in levels.items():
            fields.origin[name] = f"answers.{code}.{column}"
    for code, levels in body["answers"].items():
        if code not in asked:
            errors.append(
                FieldError(
                    f"answers.{code}",
                    _("The campaign's instrument has no item %(code)s.", code=code),
                )
            )
            continue
        for column, value in levels.items():
            name = asked[code].get(column)
            if name is None:
                errors.append(
                    FieldError(
                        f"answers.{code}.{column}", _("The campaign's format does not ask this.")
                    )
                )
            else:
                fields.data[name] = "na" if value is None else str(_whole(value))
    return fields


def _closing_fields(body: dict[str, Any], fields: _Fields) -> None:
    for name in ("overall_quality", "recommend", "comment"):
        fields.origin[name] = name
        if body.get(name) is not None:
            fields.data[name] = str(_whole(body[name]))
    for code, points in (body.get("importance") or {}).items():
        fields.origin[f"importance-{code}"] = f"importance.{code}"
        fields.data[f"importance-{code}"] = str(points)
    fields.origin["may_contact"] = "may_contact"
    if body.get("may_contact"):
        fields.data["may_contact"] = "y"


def _unasked(form, fields: _Fields) -> Iterator[FieldError]:
    """Refuse values for closing questions the campaign does not ask."""
    for name in fields.data:
        if name not in form._fields:
            if name.startswith("importance-"):
                yield FieldError(fields.origin[name], _("There is no such dimension to rate."))
            else:
                yield FieldError(fields.origin[name], _("This campaign does not ask this."))


def validated_answers(
    campaign: Campaign, instrument: Instrument, body: dict[str, Any], lang: str
) -> tuple[dict[str, Any], list[FieldError]]:
    """Validate a body (already of the right shape) with the survey's page forms.

    Return the draft answers the respondent's pages would have saved, and the errors.
    """
    errors: list[FieldError] = []
    steps = build_steps(instrument, campaign.format)
    options = {
        "ask_overall": campaign.ask_overall,
        "ask_importance": campaign.ask_importance,
        "ask_comment": campaign.ask_comment,
    }
    item_fields = _item_fields(steps[:-1], body, errors)
    closing_fields = _Fields(MultiDict(), {})
    _closing_fields(body, closing_fields)
    answers: dict[str, Any] = {}
    for step in steps:
        fields = item_fields if step.kind == "items" else closing_fields
        form = step_form_class(instrument, step, lang, options)(
            formdata=fields.data, meta={"csrf": False}
        )
        if step.kind == "closing":
            errors.extend(_unasked(form, fields))
        if not form.validate():
            for name, messages in form.errors.items():
                field = fields.origin.get(name, name)
                errors.append(FieldError(field, " ".join(str(m) for m in messages)))
            continue
        answers.update({name: field.data for name, field in form._fields.items()})
    # One message per field, in body order.
    unique = {error.field: error for error in errors}
    return answers, list(unique.values())
