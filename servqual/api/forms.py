"""The form that creates an API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from servqual.forms import optional_int


class TokenForm(FlaskForm):
    """Name an integration and choose the link it answers through."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("Which kiosk or app uses it, e.g. “Kiosk at the north entrance”."),
    )
    link_id = SelectField(
        _l("Link"),
        coerce=optional_int,
        description=_l("Limit the token to one touchpoint and site, or let it use any link."),
    )
