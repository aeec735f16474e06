"""A checklist version as the visit form needs it, and its fit with the service model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from servqual.extensions import db
from servqual.instruments.checklist import SCORED_TYPES, unit_of
from servqual.instruments.models import InstrumentVersion
from servqual.service.models import Standard, StandardKind, Touchpoint

#: Which standard kinds a question type can be scored against.
_COMPATIBLE = {
    "yes_no": {StandardKind.YES_NO},
    "rating": {StandardKind.RATING},
    "measured": {StandardKind.MEASURED},
    "choice": {StandardKind.YES_NO, StandardKind.RATING, StandardKind.MEASURED},
}


@dataclass(frozen=True)
class Question:
    """One checklist question with its section's touchpoint and its effective weight."""

    code: str
    section: str
    type: str
    position: int
    raw: dict[str, Any]
    touchpoint_code: str
    weight: float

    @property
    def standard_code(self) -> str | None:
        """Return the code of the bound standard, if any."""
        return self.raw.get("standard")

    @property
    def is_scored(self) -> bool:
        """Tell whether the answer meets or misses a standard."""
        return self.type in SCORED_TYPES and self.standard_code is not None

    @property
    def allows_not_applicable(self) -> bool:
        """Tell whether "not applicable" may be answered (default: yes)."""
        return self.raw.get("not_applicable", True)

    @property
    def is_required(self) -> bool:
        """Tell whether the question must be answered before submitting."""
        return self.raw.get("required", self.type not in ("text", "photo", "timestamp"))

    @property
    def needs_evidence(self) -> bool:
        """Tell whether a photo must be attached to this question."""
        return (self.type == "photo" and self.is_required) or self.raw.get("evidence") == "required"

    def text(self, lang: str) -> str:
        """Return the question's wording."""
        return self.raw["text"][lang]

    def label(self, lang: str) -> str:
        """Return the question's short label."""
        return self.raw["label"][lang]


@dataclass(frozen=True)
class Section:
    """A checklist section: one touchpoint, in visit order."""

    code: str
    touchpoint_code: str
    weight: float
    raw: dict[str, Any]
    questions: list[Question] = field(default_factory=list)

    def title(self, lang: str) -> str:
        """Return the section's heading."""
        return self.raw["title"][lang]

    def instructions(self, lang: str) -> str | None:
        """Return the section's instructions, if any."""
        text = self.raw.get("instructions")
        return text[lang] if text else None


@dataclass(frozen=True)
class Checklist:
    """A stored checklist definition, ready to render and score."""

    key: str
    data: dict[str, Any]
    sections: list[Section]

    @property
    def channel_kind(self) -> str:
        """Return the kind of channel the checklist is made for."""
        return self.data["channel"]

    @property
    def duration_limits(self) -> tuple[float, float] | None:
        """Return the plausible (min, max) minutes of a visit, if the checklist gives them."""
        limits = self.data.get("duration_minutes")
        return (limits["min"], limits["max"]) if limits else None

    def title(self, lang: str) -> str:
        """Return the checklist's title."""
        return self.data["title"][lang]

    @property
    def questions(self) -> dict[str, Question]:
        """Return every question by code, in checklist order."""
        return {q.code: q for s in self.sections for q in s.questions}


def checklist_of(version: InstrumentVersion) -> Checklist:
    """Build the checklist of a stored instrument version."""
    data = version.definition
    sections = {
        raw["code"]: Section(raw["code"], raw["touchpoint"], float(raw.get("weight", 1)), raw)
        for raw in data["sections"]
    }
    for position, raw in enumerate(data["questions"]):
        section = sections[raw["section"]]
        section.questions.append(
            Question(
                code=raw["code"],
                section=section.code,
                type=raw["type"],
                position=position,
                raw=raw,
                touchpoint_code=section.touchpoint_code,
                weight=section.weight * float(raw.get("weight", 1)),
            )
        )
    return Checklist(data["key"], data, list(sections.values()))


def standards_by_code(checklist: Checklist) -> dict[str, Standard]:
    """Return the standards the checklist names that exist, by code."""
    codes = {q.standard_code for q in checklist.questions.values() if q.standard_code}
    rows = db.session.scalars(sa.select(Standard).where(Standard.code.in_(codes)))
    return {row.code: row for row in rows}


def touchpoints_by_code(checklist: Checklist) -> dict[str, Touchpoint]:
    """Return the touchpoints the checklist's sections name that exist, by code."""
    codes = {s.touchpoint_code for s in checklist.sections}
    rows = db.session.scalars(sa.select(Touchpoint).where(Touchpoint.code.in_(codes)))
    return {row.code: row for row in rows}


def fit_problems(checklist: Checklist) -> list[str]:
    """List why the checklist does not fit the service model."""
    problems: list[str] = []
    standards = standards_by_code(checklist)
    touchpoints = touchpoints_by_code(checklist)
    for section in checklist.sections:
        touchpoint = touchpoints.get(section.touchpoint_code)
        if touchpoint is None:
            problems.append(
                _(
                    "section %(section)s: touchpoint %(touchpoint)s does not exist",
                    section=section.code,
                    touchpoint=section.touchpoint_code,
                )
            )
        for question in section.questions:
            code = question.standard_code
            if code is None:
                continue
            standard = standards.get(code)
            where = {"question": question.code, "standard": code}
            if standard is None:
                problems.append(
                    _("question %(question)s: standard %(standard)s does not exist", **where)
                )
                continue
            if standard.kind not in _COMPATIBLE.get(question.type, set()):
                problems.append(
                    _(
                        "question %(question)s: a %(type)s question cannot measure the "
                        "%(kind)s standard %(standard)s",
                        type=question.type,
                        kind=standard.kind,
                        **where,
                    )
                )
            if (
                touchpoint is not None
                and standard.touchpoints
                and touchpoint not in (standard.touchpoints)
            ):
                problems.append(
                    _(
                        "question %(question)s: standard %(standard)s does not apply at "
                        "touchpoint %(touchpoint)s",
                        touchpoint=touchpoint.code,
                        **where,
                    )
                )
            if question.type == "measured":
                mine, theirs = unit_of(question.raw["unit"]), unit_of(standard.unit)
                if theirs is None or mine is None or mine[1] != theirs[1]:
                    problems.append(
                        _(
                            "question %(question)s: unit %(unit)s cannot be compared with "
                            "standard %(standard)s's unit %(their_unit)s",
                            unit=question.raw["unit"],
                            their_unit=standard.unit,
                            **where,
                        )
                    )
            if standard.requires_evidence and question.raw.get("evidence") != "required":
                problems.append(
                    _(
                        "question %(question)s: standard %(standard)s requires evidence: "
                        "add evidence: required",
                        **where,
                    )
                )
    return problems
