"""Login and user-administration forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from servqual.accounts.models import ROLE_LABELS
from servqual.forms import CheckboxesField, options


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


def _role_choices():
    return options((role.value, label) for role, label in ROLE_LABELS.items())


class UserForm(FlaskForm):
    """Create or edit a staff account."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    role = SelectField(_l("Role"), choices=_role_choices)
    sites = CheckboxesField(
        coerce=int,
        label=_l("Limited to sites"),
        description=_l("Leave empty for every site. Administrators always see every site."),
    )
    is_enabled = BooleanField(_l("Account enabled"), default=True)
    password = PasswordField(
        _l("New password"),
        validators=[Optional(), Length(max=256)],
        description=_l("At least 12 characters; a few uncommon words work well."),
    )
