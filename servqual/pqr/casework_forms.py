"""Forms of the agents' case pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from servqual.forms import optional_int, options

LONG = 20_000


class QueueFilterForm(FlaskForm):
    """Narrow the queue (a GET form: no CSRF token needed, nothing changes)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])
    request_type = SelectField(_l("Type"), validators=[Optional()])
    site_id = SelectField(_l("Site"), coerce=optional_int, validators=[Optional()])
    assigned = SelectField(_l("Assigned to"), validators=[Optional()])
    overdue = BooleanField(_l("Overdue"))
    due_soon = BooleanField(_l("Due soon"))
    sort = SelectField(
        _l("Sort"),
        choices=options(
            [("due", _l("Due date, earliest first")), ("-due", _l("Due date, latest first"))]
        ),
        validators=[Optional()],
    )


class AssignForm(FlaskForm):
    """Assign the case to a staff member of its site."""

    agent_id = SelectField(_l("Assign to"), coerce=optional_int, validators=[Optional()])


class StatusForm(FlaskForm):
    """Move the case to another status."""

    status = SelectField(_l("New status"), validators=[DataRequired()])
    comment = TextAreaField(_l("Comment (shown to the customer)"), validators=[Length(max=2000)])


class PauseForm(FlaskForm):
    """Ask the customer for information: the clock stops."""

    question = TextAreaField(
        _l("Information requested from the customer"),
        validators=[DataRequired(), Length(max=LONG)],
    )


class ResumeForm(FlaskForm):
    """The customer's information arrived: the clock runs again."""

    received_on = DateField(_l("Information received on"), validators=[InputRequired()])


class ExtendForm(FlaskForm):
    """Extend the term once, with a reason and the new date, notified to the customer."""

    new_due_on = DateField(_l("New answer date"), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason for the delay"), validators=[DataRequired(), Length(max=LONG)]
    )


class AnswerForm(FlaskForm):
    """The answer sent to the customer."""

    text = TextAreaField(
        _l("Answer to the customer"), validators=[DataRequired(), Length(max=LONG)]
    )


class NoteForm(FlaskForm):
    """An internal note, never shown to the customer."""

    body = TextAreaField(_l("Internal note"), validators=[DataRequired(), Length(max=LONG)])


class ClassifyForm(FlaskForm):
    """The classification a person confirms."""

    dimension = SelectField(_l("SERVQUAL dimension"), validators=[Optional()])
    pillar_id = SelectField(_l("Pillar"), coerce=optional_int, validators=[Optional()])
    touchpoint_id = SelectField(_l("Touchpoint"), coerce=optional_int, validators=[Optional()])


class SatisfactionForm(FlaskForm):
    """The one question to the customer after closing."""

    satisfied = RadioField(
        _l("Were you satisfied with the answer to your case?"),
        choices=options([("yes", _l("Yes")), ("no", _l("No"))]),
        validators=[InputRequired()],
    )
    comment = TextAreaField(
        _l("Anything you want to add (optional)"), validators=[Length(max=2000)]
    )


class SettingsForm(FlaskForm):
    """Edit a YAML settings file (classification rules or answer templates)."""

    text = TextAreaField(_l("Content (YAML)"), validators=[DataRequired(), Length(max=200_000)])
