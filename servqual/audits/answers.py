"""Turn an auditor's raw answer into stored values and a verdict against the standard."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from servqual.audits.checklists import Question
from servqual.instruments.checklist import unit_of
from servqual.service.models import Standard, StandardKind

NOT_APPLICABLE = "na"
_MEASURE = re.compile(r"^\s*([-+−]?\s*[0-9]+(?:[.,][0-9]+)?)\s*([^\d\s].*?)?\s*$")


class AnswerRefused(ValueError):
    """An answer the question does not accept; the message is shown to the auditor."""


@dataclass(frozen=True)
class ParsedAnswer:
    """The values to store for one answer, and whether it meets the standard."""

    value_bool: bool | None = None
    value_number: float | None = None
    value_unit: str | None = None
    value_text: str | None = None
    is_not_applicable: bool = False
    is_met: bool | None = None
    score: float | None = None

    @property
    def is_empty(self) -> bool:
        """Tell whether nothing was answered."""
        return (
            not self.is_not_applicable
            and self.value_bool is None
            and self.value_number is None
            and not self.value_text
        )


def _number(raw: str) -> float:
    try:
        return float(raw.replace("−", "-").replace(" ", "").replace(",", "."))
    except ValueError:
        raise AnswerRefused(_("Type a number, for example 7 or 7.5.")) from None


def _rating_score(value: int, question: Question, standard: Standard | None) -> tuple[bool, float]:
    low, high = question.raw["min"], question.raw["max"]
    target = standard.target if standard is not None and standard.target is not None else high
    if standard is not None and standard.rating_min is not None and standard.rating_max:
        # Put the answer on the standard's scale before comparing with its target.
        span = standard.rating_max - standard.rating_min
        value_on_standard = standard.rating_min + (value - low) * span / (high - low)
    else:
        value_on_standard = value
    return value_on_standard >= target, (value - low) / (high - low)


def _measured(question: Question, standard: Standard | None, raw: str) -> ParsedAnswer:
    match = _MEASURE.match(raw)
    if not match:
        raise AnswerRefused(_("Type a number and, if you like, its unit (for example 7 min)."))
    value = _number(match.group(1))
    if value < 0:
        raise AnswerRefused(_("A measured value cannot be negative."))
    own = unit_of(question.raw["unit"])
    typed = unit_of(match.group(2)) if match.group(2) else own
    if typed is None or own is None or typed[1] != own[1]:
        raise AnswerRefused(
            _(
                "“%(unit)s” is not a unit this question accepts: give the value in %(expected)s.",
                unit=match.group(2) or "",
                expected=question.raw["unit"],
            )
        )
    if question.raw.get("integer") and value != int(value):
        raise AnswerRefused(_("Give a whole number."))
    if standard is None or standard.kind != StandardKind.MEASURED:
        converted = value * typed[2] / own[2]
        return ParsedAnswer(value_number=converted, value_unit=own[0])
    target_unit = unit_of(standard.unit)
    if target_unit is None or target_unit[1] != typed[1]:
        raise AnswerRefused(
            _(
                "This value cannot be compared with the standard, which is measured in %(unit)s.",
                unit=standard.unit,
            )
        )
    converted = value * typed[2] / target_unit[2]
    met = standard.is_met_by(converted)
    return ParsedAnswer(
        value_number=round(converted, 6),
        value_unit=standard.unit,
        is_met=met,
        score=1.0 if met else 0.0,
    )


def parse_answer(question: Question, standard: Standard | None, raw: str | None) -> ParsedAnswer:
    """Parse the raw form value of ``question``; raise ``AnswerRefused`` with a message."""
    raw = (raw or "").strip()
    scored = standard if question.is_scored else None
    if raw == NOT_APPLICABLE:
        if not question.allows_not_applicable or question.type in ("text", "photo"):
            raise AnswerRefused(_("This question cannot be marked not applicable."))
        return ParsedAnswer(is_not_applicable=True)
    if raw == "":
        return ParsedAnswer()
    kind = question.type
    if kind == "yes_no":
        if raw not in ("yes", "no"):
            raise AnswerRefused(_("Answer yes or no."))
        value = raw == "yes"
        if scored is None:
            return ParsedAnswer(value_bool=value)
        return ParsedAnswer(value_bool=value, is_met=value, score=1.0 if value else 0.0)
    if kind == "rating":
        try:
            value = int(raw)
        except ValueError:
            raise AnswerRefused(_("Choose a point of the scale.")) from None
        if not question.raw["min"] <= value <= question.raw["max"]:
            raise AnswerRefused(_("Choose a point of the scale."))
        if scored is None:
            return ParsedAnswer(value_number=value)
        met, score = _rating_score(value, question, scored)
        return ParsedAnswer(value_number=value, is_met=met, score=score)
    if kind == "measured":
        return _measured(question, scored, raw)
    if kind == "choice":
        options = {o["code"]: o for o in question.raw["options"]}
        if raw not in options:
            raise AnswerRefused(_("Choose one of the options."))
        if scored is None:
            return ParsedAnswer(value_text=raw)
        met = bool(options[raw].get("compliant"))
        return ParsedAnswer(value_text=raw, is_met=met, score=1.0 if met else 0.0)
    if kind == "timestamp":
        for pattern in ("%H:%M", "%H:%M:%S"):
            try:
                moment = datetime.strptime(raw, pattern).time()
            except ValueError:
                continue
            return ParsedAnswer(value_text=moment.isoformat(timespec="minutes"))
        raise AnswerRefused(_("Give the time as hours and minutes, for example 09:45."))
    if kind == "text":
        limit = question.raw.get("max_length", 2000)
        if len(raw) > limit:
            raise AnswerRefused(_("Keep it under %(limit)d characters.", limit=limit))
        return ParsedAnswer(value_text=raw)
    raise AnswerRefused(_("Attach a photo with the upload button."))


def verdict(standard: Standard | None, parsed: ParsedAnswer) -> str | None:
    """Describe, for the auditor, how the answer compares with the standard."""
    if parsed.is_met is None or standard is None:
        return None
    target = standard.target_text
    if parsed.is_met:
        return (
            _("Meets the standard %(target)s", target=target) if target else _("Meets the standard")
        )
    return (
        _("Misses the standard %(target)s", target=target) if target else _("Misses the standard")
    )
