"""Forms of PQR intake: the public form, staff registration and the status portal."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from servqual.forms import NO_CHOICE_LABEL, optional_int, options
from servqual.pqr.models import PUBLIC_REQUEST_TYPES, STAFF_CHANNELS, RequestType

DESCRIPTION_MAX = 5000
#: The date picker sends ISO dates; a browser without one lets people type day/month/year.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
_PHONE = Regexp(r"^[0-9+() .\-]*$", message=_l("Use digits, spaces and + ( ) - only."))


class _CaseFields(FlaskForm):
    """Fields every intake asks: what, where, when, and how to reach the customer."""

    site_id = SelectField(
        _l("Site"), coerce=optional_int, validators=[DataRequired(_l("Choose a site."))]
    )
    touchpoint_id = SelectField(
        _l("Moment of the service (optional)"), coerce=optional_int, validators=[Optional()]
    )
    incident_on = DateField(
        _l("Date it happened"),
        format=DATE_FORMATS,
        validators=[DataRequired(_l("Enter the date it happened."))],
    )
    description = TextAreaField(
        _l("Tell us what happened"),
        validators=[
            DataRequired(_l("Describe what happened.")),
            Length(min=10, max=DESCRIPTION_MAX),
        ],
        description=_l("What happened, who was involved, and what you expect from us."),
        render_kw={"rows": 6, "maxlength": DESCRIPTION_MAX},
    )
    attachments = MultipleFileField(
        _l("Attachments (optional)"),
        description=_l("Up to 3 files: PDF documents or photos (JPEG, PNG, WebP), 5 MB each."),
        render_kw={"accept": "application/pdf,image/jpeg,image/png,image/webp"},
    )
    contact_name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=160)],
        render_kw={"autocomplete": "name"},
    )
    contact_phone = StringField(
        _l("Phone (optional)"),
        validators=[Optional(), Length(max=40), _PHONE],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )


class PublicIntakeForm(_CaseFields):
    """The customer's form at /pqr/new."""

    request_type = RadioField(
        _l("What would you like to file?"),
        validators=[DataRequired(_l("Choose what you would like to file."))],
    )
    contact_email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(check_deliverability=False),
            Length(max=254),
        ],
        description=_l("We send the filing number and the answer here."),
        render_kw={"autocomplete": "email"},
    )
    consent = BooleanField(
        _l("I authorise the processing of my personal data to handle this case."),
        validators=[DataRequired(_l("Your consent is needed to handle the case."))],
    )
    #: Honeypot: hidden from people (and screen readers); robots fill it in.
    website = StringField(_l("Leave this field empty"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Choices are translated when the form is built, in the visitor's language.
        self.request_type.choices = options((t.value, t.label) for t in PUBLIC_REQUEST_TYPES)


class StaffIntakeForm(_CaseFields):
    """A staff member registers a case received by phone, letter, e-mail or in person."""

    channel = SelectField(
        _l("Received by"), validators=[DataRequired(_l("Choose how the case was received."))]
    )
    request_type = SelectField(
        _l("Type"), validators=[DataRequired(_l("Choose the type of case."))]
    )
    received_on = DateField(
        _l("Day received"),
        format=DATE_FORMATS,
        validators=[Optional()],
        description=_l("Leave empty for today. The term counts from the day after."),
    )
    contact_email = EmailField(
        _l("E-mail (optional)"),
        validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
    )
    contact_address = StringField(_l("Postal address (optional)"), validators=[Length(max=255)])
    consent = BooleanField(
        _l("The customer authorised the processing of their personal data (policy read to them)."),
        validators=[DataRequired(_l("The customer's consent is needed to register the case."))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.channel.choices = options(
            [("", NO_CHOICE_LABEL)] + [(c.value, c.label) for c in STAFF_CHANNELS]
        )
        self.request_type.choices = options(
            [("", NO_CHOICE_LABEL)] + [(t.value, t.label) for t in RequestType]
        )
        self.incident_on.validators = [Optional()]
        self.incident_on.flags.required = False
        self.contact_name.label.text = _l("Customer's name")


class StatusForm(FlaskForm):
    """The status portal: filing number and e-mail."""

    filing_number = StringField(
        _l("Filing number"),
        validators=[DataRequired(_l("Enter the filing number.")), Length(max=64)],
        description=_l("As in your acknowledgement, e.g. PQR-2026-7KQ4-M9XT-2HCB."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)],
        description=_l("The address you gave when filing."),
        render_kw={"autocomplete": "email"},
    )
