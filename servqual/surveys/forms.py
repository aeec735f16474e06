"""WTForms classes built from the instrument for each page, and the campaign form."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from servqual.forms import CheckboxesField, options
from servqual.instruments.format import Instrument, Item
from servqual.surveys.models import FORMAT_LABELS
from servqual.surveys.steps import Step, importance_item, overall_item

NOT_APPLICABLE = "na"


def likert_choices(item: Item, lang: str) -> list:
    """Return the scale points with their anchor labels, then "not applicable"."""
    params = item.params
    anchors = params.get("anchors", {})
    choices = []
    for point in range(params["min"], params["max"] + 1):
        anchor = anchors.get(str(point))
        choices.append((str(point), f"{point} – {anchor[lang]}" if anchor else str(point)))
    if params.get("not_applicable", True):
        choices.append((NOT_APPLICABLE, _("Not applicable / don't know")))
    return options(choices)


class LikertField(RadioField):
    """A radio group on a fixed scale, checked against its points with one set lookup.

    A questionnaire page has dozens of these: ``RadioField`` builds a ``Choice`` for
    every point of every question to check an answer; the points are known up front.
    """

    def __init__(self, label=None, validators=None, *, allowed: frozenset[str], **kwargs):
        super().__init__(label, validators, **kwargs)
        self.allowed = allowed

    def pre_validate(self, form) -> None:
        """Refuse anything that is not one of the scale's points."""
        if not self.process_errors and self.data not in self.allowed:
            raise ValidationError(_("Choose one of the points of the scale."))


def _likert_field(item: Item, label: str, lang: str) -> LikertField:
    choices = likert_choices(item, lang)
    return LikertField(
        label,
        choices=choices,
        allowed=frozenset(choice.value for choice in choices),
        validators=[InputRequired(message=_("Choose an answer, or “not applicable”."))],
    )


class ClosingChecks(FlaskForm):
    """The closing page's own check: the importance points must add up."""

    importance_dimensions: list[str] = []
    importance_total = 100

    def validate(self, extra_validators=None) -> bool:
        """Check that the importance points add up to the total."""
        ok = super().validate(extra_validators)
        if not self.importance_dimensions:
            return ok
        fields = [self[f"importance-{code}"] for code in self.importance_dimensions]
        if any(field.errors for field in fields):
            return False
        total = sum(field.data or 0 for field in fields)
        if total != self.importance_total:
            fields[0].errors.append(
                _(
                    "The points add up to %(total)d; they must add up to %(target)d.",
                    total=total,
                    target=self.importance_total,
                )
            )
            return False
        return ok


def step_form_class(
    instrument: Instrument, step: Step, lang: str, campaign_options: dict[str, bool]
) -> type[FlaskForm]:
    """Build the form class of one page of the questionnaire."""
    attributes: dict = {}
    base: type[FlaskForm] = FlaskForm
    if step.kind == "items":
        for question in step.questions:
            attributes[question.name] = _likert_field(
                question.item, question.item.text(question.form, lang), lang
            )
        return type("StepForm", (base,), attributes)

    base = ClosingChecks
    overall = overall_item(instrument)
    if campaign_options.get("ask_overall") and overall is not None:
        form = next(f for f in overall.forms)
        attributes["overall_quality"] = RadioField(
            overall.text(form, lang),
            choices=likert_choices(overall, lang),
            validators=[Optional()],
        )
        attributes["recommend"] = RadioField(
            _(
                "How likely is it that you would recommend us to a friend or colleague? "
                "(0 = not at all likely, 10 = extremely likely)"
            ),
            choices=options((str(n), str(n)) for n in range(11)),
            validators=[Optional()],
        )
    allocation = importance_item(instrument)
    if campaign_options.get("ask_importance") and allocation is not None:
        labels = {d["code"]: d["label"][lang] for d in instrument.dimensions}
        attributes["importance_dimensions"] = list(allocation.params["among"])
        attributes["importance_total"] = allocation.params.get("total", 100)
        for code in allocation.params["among"]:
            attributes[f"importance-{code}"] = IntegerField(
                labels[code],
                validators=[
                    InputRequired(message=_("Give a number of points, 0 if none.")),
                    NumberRange(
                        min=0,
                        max=allocation.params.get("total", 100),
                        message=_(
                            "Use a whole number from 0 to %(max)d.",
                            max=allocation.params.get("total", 100),
                        ),
                    ),
                ],
            )
    if campaign_options.get("ask_comment"):
        attributes["comment"] = TextAreaField(
            _("Anything else you would like to tell us?"),
            validators=[Optional(), Length(max=2000)],
        )
        attributes["may_contact"] = BooleanField(_("You may contact me about my answers."))
    return type("ClosingForm", (base,), attributes)


class StartForm(FlaskForm):
    """The consent before the first question."""

    consent = BooleanField(
        _l("I have read the notice and agree that my answers are processed for this purpose."),
        validators=[DataRequired(message=_l("Please agree to the notice to take part."))],
    )


class CampaignForm(FlaskForm):
    """Create or edit a campaign (wave)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    wave = StringField(
        _l("Wave"),
        validators=[DataRequired(), Length(max=32)],
        description=_l("A label that orders the waves, e.g. 2026-Q4."),
    )
    instrument_version_id = SelectField(_l("Instrument"), coerce=int)
    format = RadioField(
        _l("Format"),
        choices=lambda: options((f.value, label) for f, label in FORMAT_LABELS.items()),
        default="e_then_p",
    )
    opens_on = DateField(_l("Opens on"), validators=[Optional()])
    closes_on = DateField(_l("Closes on"), validators=[Optional()])
    touchpoints = CheckboxesField(label=_l("Touchpoints"), coerce=int)
    sites = CheckboxesField(
        label=_l("Sites"),
        coerce=int,
        description=_l("Leave empty for every site."),
    )
    ask_importance = BooleanField(_l("Ask the 100-point importance question"), default=True)
    ask_overall = BooleanField(_l("Ask overall quality and likelihood to recommend"), default=True)
    ask_comment = BooleanField(_l("Ask for an open comment"), default=True)
    is_anonymous = BooleanField(_l("Anonymous"), default=True)

    def validate(self, extra_validators=None) -> bool:
        """Check the dates and that at least one touchpoint is covered."""
        ok = super().validate(extra_validators)
        if self.opens_on.data and self.closes_on.data and self.closes_on.data < self.opens_on.data:
            self.closes_on.errors.append(_("The closing date is before the opening date."))
            ok = False
        if not self.touchpoints.data:
            self.touchpoints.errors.append(_("Choose at least one touchpoint."))
            ok = False
        return ok
