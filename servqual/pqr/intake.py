"""Filing a PQR: checks, filing number, due date, first history entry; acknowledgement mail.

Operations flush, never commit. :func:`file_case` writes the case, its "filed" event and
its attachments' rows and files; the caller commits, or rolls back and calls
:func:`servqual.pqr.attachments.discard` on the paths written, so a failed submission
leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import render_template, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from servqual.accounts.models import User
from servqual.extensions import db
from servqual.mail import Delivery, Mail, send_all
from servqual.modelbase import utcnow
from servqual.pqr import filing
from servqual.pqr.attachments import CheckedFile, store_files
from servqual.pqr.clock import CaseTimeline
from servqual.pqr.models import (
    PUBLIC_REQUEST_TYPES,
    STAFF_CHANNELS,
    Case,
    CaseAction,
    CaseChannel,
    CaseEvent,
    CaseStatus,
    RequestType,
)
from servqual.pqr.policy import deadline_clock, filing_prefix, local_today, policy_version
from servqual.service.models import Site, Touchpoint

#: How many fresh filing numbers to try when one is already taken (55 random bits make
#: even a second try a once-in-a-lifetime event).
FILING_ATTEMPTS = 5


class IntakeRefused(ValueError):
    """A case that cannot be filed as given; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CaseInput:
    """What a customer (or a staff member for them) files."""

    request_type: str
    site_id: int
    description: str
    contact_name: str
    has_consent: bool
    channel: str = CaseChannel.WEB
    touchpoint_id: int | None = None
    incident_on: date | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    contact_address: str | None = None
    locale: str = "es"
    #: The day a letter or call was received; None means today.
    received_on: date | None = None


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _check(data: CaseInput, user: User | None, today: date) -> tuple[Site, date]:
    """Return the site and the filing day, or raise :class:`IntakeRefused`."""
    if user is None:
        if data.channel != CaseChannel.WEB:
            raise IntakeRefused(_("Only staff can register cases received by other channels."))
        if data.request_type not in PUBLIC_REQUEST_TYPES:
            raise IntakeRefused(_("Choose what you would like to file."), "request_type")
        if not _clean(data.contact_email):
            raise IntakeRefused(_("Enter your e-mail address."), "contact_email")
    else:
        if data.channel not in STAFF_CHANNELS:
            raise IntakeRefused(_("Choose how the case was received."), "channel")
        if data.request_type not in set(RequestType):
            raise IntakeRefused(_("Choose the type of case."), "request_type")
        contacts = (data.contact_email, data.contact_phone, data.contact_address)
        if not any(_clean(value) for value in contacts):
            raise IntakeRefused(
                _("Record at least one way to answer: e-mail, phone or address."),
                "contact_email",
            )
    if not data.has_consent:
        raise IntakeRefused(
            _("Consent to the processing of personal data is needed to file a case."), "consent"
        )
    site = db.session.get(Site, data.site_id)
    if site is None or not site.is_active:
        raise IntakeRefused(_("Choose one of the listed sites."), "site_id")
    if user is not None and not user.can_see_site(site.id):
        raise IntakeRefused(_("You cannot register cases for this site."), "site_id")
    if data.touchpoint_id is not None:
        touchpoint = db.session.get(Touchpoint, data.touchpoint_id)
        if touchpoint is None or not touchpoint.is_at_site(site):
            raise IntakeRefused(
                _("This moment of the service does not exist at the chosen site."),
                "touchpoint_id",
            )
    filed_on = data.received_on or today
    if filed_on > today:
        raise IntakeRefused(_("The day received cannot be in the future."), "received_on")
    if data.incident_on is not None and data.incident_on > filed_on:
        raise IntakeRefused(_("The date it happened cannot be in the future."), "incident_on")
    if not data.description.strip():
        raise IntakeRefused(_("Describe what happened."), "description")
    return site, filed_on


def insert_with_fresh_number(case: Case, year: int) -> None:
    """Add ``case`` under a new random filing number, retrying on the rare collision."""
    prefix = filing_prefix()
    for attempt in range(FILING_ATTEMPTS):
        number = filing.generate(year, prefix)
        case.filing_number = number.compact
        try:
            with db.session.begin_nested():
                db.session.add(case)
                db.session.flush()
            return
        except sa.exc.IntegrityError:
            taken = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Case)
                .where(Case.filing_number == number.compact)
            )
            if not taken or attempt == FILING_ATTEMPTS - 1:
                raise


def file_case(
    data: CaseInput,
    files: list[CheckedFile],
    user: User | None,
    written: list[Path],
    now: datetime | None = None,
) -> Case:
    """File a case with checked attachments (flush) and return it.

    ``user`` is the staff member registering a phone, letter or in-person case, or None
    for the public form. Attachment files are appended to ``written`` as they are
    stored: the caller removes them if the transaction does not commit.
    """
    now = now or utcnow()
    today = local_today(now)
    site, filed_on = _check(data, user, today)
    due_on = deadline_clock().due_on(CaseTimeline(filed_on, data.request_type), filed_on)
    email = _clean(data.contact_email)
    case = Case(
        request_type=data.request_type,
        channel=data.channel,
        site_id=site.id,
        touchpoint_id=data.touchpoint_id,
        incident_on=data.incident_on,
        description=data.description.strip(),
        contact_name=data.contact_name.strip(),
        contact_email=email.lower() if email else None,
        contact_phone=_clean(data.contact_phone),
        contact_address=_clean(data.contact_address),
        locale=data.locale,
        consent_at=now,
        consent_policy_version=policy_version(),
        filed_at=now,
        filed_on=filed_on,
        due_on=due_on,
        status=CaseStatus.RECEIVED,
        created_by_id=user.id if user else None,
    )
    insert_with_fresh_number(case, filed_on.year)
    db.session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            user_id=user.id if user else None,
            action=CaseAction.FILED,
            field="status",
            new_value=CaseStatus.RECEIVED,
            comment=None,
            is_public=True,
        )
    )
    db.session.flush()
    store_files(case, files, user.id if user else None, written)
    return case


def acknowledgement_mail(case: Case) -> Mail:
    """Return the acknowledgement e-mail: filing number, due date, where to follow the case."""
    with force_locale(case.locale):
        text = render_template(
            "pqr/mail/acknowledgement.txt",
            case=case,
            filed_on=format_date(case.filed_on, "long"),
            due_on=format_date(case.due_on, "long"),
            status_url=url_for("pqr_intake.status", _external=True),
        )
        subject = _(
            "We received your case %(number)s (%(type)s)",
            number=case.filing_label,
            type=case.type_enum.label,
        )
    return Mail(to=case.contact_email or "", subject=subject, text=text)


def send_acknowledgement(case: Case) -> Delivery | None:
    """E-mail the acknowledgement (if the case has an address) and record it; flush."""
    if not case.contact_email:
        return None
    (delivery,) = send_all([acknowledgement_mail(case)])
    db.session.add(
        CaseEvent(
            case_id=case.id,
            action=CaseAction.MAIL_SENT,
            field="acknowledgement",
            new_value="sent" if delivery.ok else "failed",
            comment=delivery.error,
            is_public=False,
        )
    )
    db.session.flush()
    return delivery


def find_case(number_text: str, email: str) -> Case | None:
    """Return the case with this filing number and contact e-mail, or None.

    One query with both conditions, so a wrong number and a wrong e-mail take the same
    path. Raises :class:`servqual.pqr.filing.InvalidFilingNumber` for a malformed
    number (a typo says nothing about which cases exist).
    """
    number = filing.parse(number_text, filing_prefix())
    return db.session.scalar(
        sa.select(Case).where(
            Case.filing_number == number.compact,
            Case.contact_email == (email or "").strip().lower(),
        )
    )
