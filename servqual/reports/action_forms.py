"""Forms of action plans: the plan (owner, target, due date, description) and the cell."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FloatField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from servqual.forms import optional_int, options
from servqual.reports.action_models import ACTION_STATUS_LABELS, GAP_LABELS


class ActionPlanForm(FlaskForm):
    """What an action will do, who does it and by when."""

    description = TextAreaField(
        _l("What will be done"),
        validators=[DataRequired(), Length(max=4000)],
        description=_l("The change to make, where, and how the team will know it is done."),
    )
    owner_id = SelectField(_l("Owner"), coerce=int, validators=[InputRequired()])
    target_value = FloatField(
        _l("Target value of the gap"),
        validators=[InputRequired(), NumberRange(min=-20, max=20)],
        description=_l("The gap the next wave should show, e.g. −0.2 (zero: no shortfall)."),
    )
    due_on = DateField(_l("Due date"), validators=[DataRequired()])


class ActionEditForm(ActionPlanForm):
    """The plan and the status of an open action (its cell never changes)."""

    status = SelectField(
        _l("Status"),
        choices=options((str(key), label) for key, label in ACTION_STATUS_LABELS.items()),
        validators=[InputRequired()],
    )


class ActionNewForm(ActionPlanForm):
    """The cell an action is opened on, then the plan."""

    campaign_id = SelectField(_l("Campaign (wave)"), coerce=optional_int)
    touchpoint_id = SelectField(_l("Touchpoint"), coerce=optional_int)
    pillar_id = SelectField(_l("Pillar"), coerce=optional_int)
    site_id = SelectField(_l("Site"), coerce=optional_int)
    gap = SelectField(
        _l("Gap targeted"), choices=options((str(key), label) for key, label in GAP_LABELS.items())
    )


class ActionStatusForm(FlaskForm):
    """Move an action to another status from the list or its page."""

    status = SelectField(
        _l("Status"),
        choices=options((str(key), label) for key, label in ACTION_STATUS_LABELS.items()),
    )
