"""The form that asks for a PDF report."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField
from wtforms.validators import DataRequired, InputRequired

from servqual.forms import optional_int, options
from servqual.i18n import LANGUAGE_NAMES
from servqual.reports.models import KIND_LABELS, REPORT_LANGUAGES


class ReportForm(FlaskForm):
    """Kind, campaign, site and language of a report; choices are set by the view."""

    kind = RadioField(
        _l("Report"),
        choices=options((str(kind), label) for kind, label in KIND_LABELS.items()),
        validators=[InputRequired()],
    )
    campaign_id = SelectField(_l("Campaign (wave)"), coerce=int, validators=[DataRequired()])
    site_id = SelectField(
        _l("Site"),
        coerce=optional_int,
        description=_l("Needed for a site report; optional for a staff report."),
    )
    language = SelectField(
        _l("Language"),
        choices=options((code, LANGUAGE_NAMES[code]) for code in REPORT_LANGUAGES),
        validators=[InputRequired()],
    )
