"""Forms of the manager's audit pages (the auditor's checklist is built from the checklist)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from servqual.forms import CheckboxesField, optional_int, options

_MIX = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*[=:]\s*([0-9]+)\s*$")


def parse_channel_mix(text: str | None) -> dict[str, int]:
    """Parse "OFI=70, TEL=30" into ``{"OFI": 70, "TEL": 30}``; raise ``ValueError``."""
    mix: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        match = _MIX.match(part)
        if not match:
            raise ValueError(part)
        mix[match.group(1).upper()] = int(match.group(2))
    return mix


class ProgrammeForm(FlaskForm):
    """Create a mystery-shopper programme."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    instrument_version_id = SelectField(_l("Checklist"), coerce=int, validators=[InputRequired()])
    sites = CheckboxesField(_l("Sites"), coerce=int, validators=[DataRequired()])
    touchpoints = CheckboxesField(_l("Touchpoints"), coerce=int, validators=[DataRequired()])
    starts_on = DateField(_l("From"), validators=[InputRequired()])
    ends_on = DateField(_l("To"), validators=[InputRequired()])
    visits_per_site_month = IntegerField(
        _l("Visits per site and month"),
        default=2,
        validators=[InputRequired(), NumberRange(min=0, max=200)],
    )
    channel_mix = StringField(
        _l("Channel mix"),
        validators=[Optional(), Length(max=200)],
        description=_l(
            "Share of visits per channel code, e.g. OFI=70, TEL=30. Empty: equal shares."
        ),
    )
    keeps_location = BooleanField(_l("Keep the GPS position in evidence photos"))

    def validate_channel_mix(self, field) -> None:
        """Check the "CODE=share" list."""
        try:
            parse_channel_mix(field.data)
        except ValueError as exc:
            raise ValidationError(
                _l("Write the mix as CODE=share, separated by commas (not “%(part)s”).")
                % {"part": str(exc)}
            ) from None

    def validate_ends_on(self, field) -> None:
        """The period must not end before it starts."""
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The period must end on or after its start."))


class VisitForm(FlaskForm):
    """Schedule one visit by hand."""

    site_id = SelectField(_l("Site"), coerce=int, validators=[InputRequired()])
    touchpoint_id = SelectField(_l("Touchpoint"), coerce=optional_int, validators=[Optional()])
    scheduled_on = DateField(_l("Date"), validators=[InputRequired()])


class AssignForm(FlaskForm):
    """Assign a visit to an auditor."""

    auditor_id = SelectField(_l("Auditor"), coerce=int, validators=[InputRequired()])


class ReviewForm(FlaskForm):
    """Approve, return or reject a submitted visit."""

    decision = SelectField(
        _l("Decision"),
        choices=options(
            [
                ("approve", _l("Approve")),
                ("return", _l("Return to the auditor")),
                ("reject", _l("Reject")),
            ]
        ),
        validators=[InputRequired()],
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Required to return or reject: the auditor reads it."),
    )


class EditAnswerForm(FlaskForm):
    """Correct one answer of a submitted visit, saying why."""

    question_code = SelectField(_l("Question"), validators=[InputRequired()])
    value = StringField(
        _l("New value"),
        validators=[Optional(), Length(max=2000)],
        description=_l("yes / no, a scale point, a number with its unit, an option code, or na."),
    )
    reason = StringField(_l("Why"), validators=[DataRequired(), Length(max=500)])
