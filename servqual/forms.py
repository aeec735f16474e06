"""Form pieces shared by several features."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of labelled checkboxes (usable on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def optional_int(value) -> int | None:
    """Coerce a select's value to an id, with the empty choice meaning none."""
    if value in (None, "", "None"):
        return None
    return int(value)


def options(pairs) -> list[SelectChoice]:
    """Turn ``(value, label)`` pairs into the choices WTForms select and radio fields take."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


class ConfirmForm(FlaskForm):
    """A bare form whose only content is the CSRF token: confirms a delete or an action."""


NO_CHOICE_LABEL = _l("— choose —")
