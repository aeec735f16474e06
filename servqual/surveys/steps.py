"""The pages a respondent goes through, derived from the instrument and the campaign format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from servqual.extensions import db
from servqual.instruments.format import Instrument, Item, from_definition
from servqual.instruments.models import InstrumentVersion
from servqual.surveys.models import Campaign, SurveyFormat

#: The measure a form collects -> the answers column it is stored in.
MEASURE_COLUMNS = {"E": "e", "P": "p", "A": "a", "Ds": "ds"}

#: Which measures each format asks, in page order.
FORMAT_MEASURES: dict[str, list[tuple[str, ...]]] = {
    SurveyFormat.E_THEN_P: [("E",), ("P",)],
    SurveyFormat.SIDE_BY_SIDE: [("E", "P")],
    SurveyFormat.PERCEPTIONS_ONLY: [("P",)],
    SurveyFormat.ZONE_OF_TOLERANCE: [("A", "Ds", "P")],
}


@dataclass(frozen=True)
class Question:
    """One radio group: an item asked in one form (one measure)."""

    item: Item
    form: str
    measure: str

    @property
    def name(self) -> str:
        """Return the form field name, e.g. ``E-TAN1``."""
        return f"{self.form}-{self.item.code}"


@dataclass(frozen=True)
class Step:
    """One page of the questionnaire."""

    kind: str  # "items" or "closing"
    measures: tuple[str, ...]
    forms: tuple[dict, ...]
    questions: tuple[Question, ...]


#: Validated definitions by content hash. A stored version never changes, so each process
#: validates it once rather than on every questionnaire page and every submission
#: (validating the JSON Schema costs milliseconds). Versions are few: no bound is needed.
_VALIDATED: dict[str, Instrument] = {}


def instrument_of(campaign: Campaign) -> Instrument:
    """Return the validated instrument definition the campaign uses."""
    version = campaign.instrument_version
    return _validated(version.content_hash, lambda: version.definition)


def instrument_for(version_id: int, content_hash: str) -> Instrument:
    """Return the validated instrument of a version, reading its definition only once."""

    def definition() -> dict:
        return db.session.scalar(
            sa.select(InstrumentVersion.definition).where(InstrumentVersion.id == version_id)
        )

    return _validated(content_hash, definition)


def _validated(content_hash: str, definition: Callable[[], dict]) -> Instrument:
    instrument = _VALIDATED.get(content_hash)
    if instrument is None:
        instrument = from_definition(definition())
        if instrument.content_hash == content_hash:  # the row describes its content
            _VALIDATED[content_hash] = instrument
    return instrument


def forms_by_measure(instrument: Instrument) -> dict[str, dict]:
    """Map each measure to the (first) form collecting it."""
    found: dict[str, dict] = {}
    for form in instrument.forms:
        found.setdefault(form["measure"], form)
    return found


def missing_measures(instrument: Instrument, survey_format: str) -> list[str]:
    """Return the measures a format needs that the instrument lacks (empty when compatible)."""
    have = forms_by_measure(instrument)
    needed = {m for page in FORMAT_MEASURES[survey_format] for m in page}
    return sorted(needed - set(have))


def scored_items(instrument: Instrument) -> list[Item]:
    """Return the Likert items of scored dimensions, in instrument order."""
    scored = {d["code"] for d in instrument.dimensions if d.get("scored", True)}
    return [i for i in instrument.items if i.dimension in scored and i.type == "likert"]


#: Pages by instrument content and format (they depend on nothing else), built once.
_STEPS: dict[tuple[str, str], tuple[Step, ...]] = {}


def build_steps(instrument: Instrument, survey_format: str) -> list[Step]:
    """Return the item pages of a format followed by the closing page."""
    key = (instrument.content_hash, str(survey_format))
    steps = _STEPS.get(key)
    if steps is None:
        steps = _STEPS[key] = tuple(_build_steps(instrument, survey_format))
    return list(steps)


def _build_steps(instrument: Instrument, survey_format: str) -> list[Step]:
    forms = forms_by_measure(instrument)
    items = scored_items(instrument)
    steps = []
    for measures in FORMAT_MEASURES[survey_format]:
        page_forms = tuple(forms[m] for m in measures)
        questions = tuple(
            Question(item, form["code"], form["measure"])
            for item in items
            for form in page_forms
            if form["code"] in item.forms
        )
        steps.append(Step("items", measures, page_forms, questions))
    steps.append(Step("closing", (), (), ()))
    return steps


def overall_item(instrument: Instrument) -> Item | None:
    """Return the overall-quality item, if the instrument has one."""
    overall_forms = {f["code"] for f in instrument.forms if f["measure"] == "overall"}
    return next((i for i in instrument.items if set(i.forms) & overall_forms), None)


def importance_item(instrument: Instrument) -> Item | None:
    """Return the 100-point importance allocation item, if any."""
    return next((i for i in instrument.items if i.type == "allocation"), None)
