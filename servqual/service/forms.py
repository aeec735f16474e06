"""Forms for the service model's administration pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from servqual.forms import CheckboxesField, optional_int, options
from servqual.service.models import (
    CHANNEL_KIND_LABELS,
    PROMISE_KIND_LABELS,
    STANDARD_KIND_LABELS,
    Direction,
)

CODE_RULE = Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", message=_l("Letters, digits, - and _ only."))


def _code_field():
    return StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=32), CODE_RULE],
        description=_l("A short stable identifier used in exports and links."),
    )


class OrganisationForm(FlaskForm):
    """The organisation's name, country and time zone."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    country = StringField(
        _l("Country (ISO code)"),
        validators=[DataRequired(), Length(min=2, max=2), Regexp(r"^[A-Za-z]{2}$")],
        description=_l("Two letters, e.g. CO; it selects the public-holiday calendar."),
    )
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)])


class SiteForm(FlaskForm):
    """A branch, store or office."""

    code = _code_field()
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    is_active = BooleanField(_l("Active"), default=True)


class ChannelForm(FlaskForm):
    """A contact channel."""

    code = _code_field()
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(
        _l("Kind"),
        choices=lambda: options((k.value, label) for k, label in CHANNEL_KIND_LABELS.items()),
    )


class CycleForm(FlaskForm):
    """A service cycle."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])


class TouchpointForm(FlaskForm):
    """A moment of truth."""

    code = _code_field()
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    cycle_id = SelectField(_l("Service cycle"), coerce=int)
    channel_id = SelectField(_l("Channel"), coerce=int)
    sites = CheckboxesField(
        label=_l("Only at these sites"),
        coerce=int,
        description=_l("Leave empty if this moment of truth happens at every site."),
    )


class PromiseForm(FlaskForm):
    """The service promise."""

    statement = TextAreaField(
        _l("Promise statement"), validators=[DataRequired(), Length(max=4000)]
    )
    adopted_on = DateField(_l("Adopted on"), validators=[Optional()])


class PillarForm(FlaskForm):
    """A pillar of the promise."""

    code = _code_field()
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])


class StandardForm(FlaskForm):
    """A service standard (service star)."""

    code = _code_field()
    name = StringField(
        _l("Standard"),
        validators=[DataRequired(), Length(max=255)],
        description=_l("The rule as staff will read it, e.g. “Answer the phone within 3 rings”."),
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    pillar_id = SelectField(_l("Pillar"), coerce=int)
    kind = RadioField(
        _l("How it is judged"),
        choices=lambda: options((k.value, label) for k, label in STANDARD_KIND_LABELS.items()),
        default="yes_no",
    )
    rating_min = IntegerField(_l("Rating: lowest point"), validators=[Optional()])
    rating_max = IntegerField(_l("Rating: highest point"), validators=[Optional()])
    unit = StringField(
        _l("Measured value: unit"),
        validators=[Optional(), Length(max=32)],
        description=_l("e.g. min, rings, days"),
    )
    target = FloatField(_l("Target"), validators=[Optional(), NumberRange(min=-1e9, max=1e9)])
    direction = SelectField(
        _l("Measured value: the target is"),
        choices=lambda: options(
            [
                ("", "—"),
                (Direction.AT_MOST.value, _l("a maximum (≤)")),
                (Direction.AT_LEAST.value, _l("a minimum (≥)")),
            ]
        ),
        validators=[Optional()],
    )
    requires_evidence = BooleanField(_l("Auditors must attach evidence (photo or receipt)"))
    touchpoints = CheckboxesField(
        label=_l("At these touchpoints"),
        coerce=int,
        description=_l("Leave empty if the standard applies at every touchpoint."),
    )

    def validate(self, extra_validators=None) -> bool:
        """Check the fields each kind of standard needs."""
        ok = super().validate(extra_validators)
        if self.kind.data == "measured":
            for field in (self.unit, self.target, self.direction):
                if field.data in (None, ""):
                    field.errors.append(
                        _l("A measured standard needs a unit, a target and a direction.")
                    )
                    ok = False
        if self.kind.data == "rating":
            low, high = self.rating_min.data, self.rating_max.data
            if low is None or high is None or high <= low:
                self.rating_max.errors.append(
                    _l("A rating needs a lowest and a higher highest point.")
                )
                ok = False
            elif self.target.data is not None and not low <= self.target.data <= high:
                self.target.errors.append(_l("The target must lie on the rating scale."))
                ok = False
        return ok


class ExternalPromiseForm(FlaskForm):
    """A promise made in advertising, on the web, in a contract or on signage."""

    kind = SelectField(
        _l("Where it is made"),
        choices=lambda: options((k.value, label) for k, label in PROMISE_KIND_LABELS.items()),
    )
    text = TextAreaField(
        _l("What it promises"),
        validators=[DataRequired(), Length(max=4000)],
        description=_l("Quote the promise as customers read or hear it."),
    )
    location = StringField(
        _l("Where it appears"),
        validators=[DataRequired(), Length(max=255)],
        description=_l("e.g. the home page, the account-opening contract, the branch window."),
    )
    touchpoint_id = SelectField(_l("Touchpoint it concerns"), coerce=optional_int)
