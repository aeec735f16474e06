"""Contacts, invitations, reminders and unsubscribing (flush only; the caller commits)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from servqual.extensions import db
from servqual.mail import Mail, send_all
from servqual.modelbase import utcnow
from servqual.surveys.invitation_models import Contact, Invitation, InvitationStatus
from servqual.surveys.models import Campaign, Draft, SurveyLink
from servqual.surveys.operations import token_hash
from servqual.surveys.tables import Table

CONTACT_COLUMNS = ("name", "email", "customer_id", "segment", "consent")
YES = {"yes", "y", "si", "sí", "s", "true", "1", "x"}
NO = {"no", "n", "false", "0", ""}


@dataclass
class RowProblem:
    """Why one row of an upload was refused."""

    row: int
    column: str
    value: str
    reason: str


@dataclass
class ContactImport:
    """The outcome of reading a contact list: counts, or every problem found."""

    created: int = 0
    updated: int = 0
    with_consent: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def _column_index(table: Table) -> dict[str, int]:
    lowered = {header.strip().lower(): i for i, header in enumerate(table.headers)}
    missing = [c for c in CONTACT_COLUMNS if c not in lowered]
    if missing:
        raise ValueError(_("The file lacks the columns: %(columns)s.", columns=", ".join(missing)))
    return {c: lowered[c] for c in CONTACT_COLUMNS}


def import_contacts(table: Table, source: str, dry_run: bool = False) -> ContactImport:
    """Check every row, then (unless ``dry_run`` or any row is bad) add or update contacts."""
    columns = _column_index(table)
    result = ContactImport()
    parsed = []
    seen: set[str] = set()
    for number, row in enumerate(table.rows, start=2):
        values = {name: row[index] for name, index in columns.items()}
        try:
            email = validate_email(values["email"], check_deliverability=False).normalized.lower()
        except EmailNotValidError as error:
            result.problems.append(RowProblem(number, "email", values["email"], str(error)))
            continue
        if email in seen:
            result.problems.append(RowProblem(number, "email", email, _("repeated in the file")))
            continue
        seen.add(email)
        consent = values["consent"].strip().lower()
        if consent not in YES | NO:
            result.problems.append(
                RowProblem(number, "consent", values["consent"], _("write yes or no"))
            )
            continue
        if not values["name"]:
            result.problems.append(RowProblem(number, "name", "", _("the name is missing")))
            continue
        parsed.append((email, values, consent in YES))
    if result.problems or dry_run:
        result.with_consent = sum(1 for *_rest, consent in parsed if consent)
        return result
    existing = {
        c.email: c
        for c in db.session.scalars(
            sa.select(Contact).where(Contact.email.in_([e for e, *_r in parsed]))
        )
    }
    now = utcnow()
    for email, values, consent in parsed:
        contact = existing.get(email)
        if contact is None:
            contact = Contact(email=email)
            db.session.add(contact)
            result.created += 1
        else:
            result.updated += 1
        contact.name = values["name"][:160]
        contact.customer_ref = values["customer_id"][:64] or None
        contact.segment = values["segment"][:64] or None
        if consent and contact.consent_at is None:
            contact.consent_at, contact.consent_source = now, source[:255]
        elif not consent:
            contact.consent_at, contact.consent_source = None, None
        result.with_consent += consent
    db.session.flush()
    return result


def invite(campaign: Campaign, link: SurveyLink) -> int:
    """Create pending invitations to the link for every contact who may be invited."""
    already = sa.select(Invitation.contact_id).where(Invitation.campaign_id == campaign.id)
    contacts = db.session.scalars(
        sa.select(Contact).where(
            Contact.consent_at.is_not(None),
            Contact.unsubscribed_at.is_(None),
            Contact.id.not_in(already),
        )
    ).all()
    for contact in contacts:
        db.session.add(Invitation(campaign=campaign, link=link, contact=contact))
    db.session.flush()
    return len(contacts)


def unsubscribe_token(contact: Contact) -> str:
    """Return the signed token of a contact's unsubscribe link (nothing stored)."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe").dumps(contact.id)


def contact_for_unsubscribe(token: str) -> Contact | None:
    """Return the contact an unsubscribe token names, or ``None`` if it was tampered with."""
    try:
        contact_id = URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe").loads(
            token
        )
    except BadSignature:
        return None
    return db.session.get(Contact, contact_id) if isinstance(contact_id, int) else None


def _mail_for(invitation: Invitation, reminder: bool) -> tuple[Mail, str]:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    text = render_template(
        "surveys/invitation_email.txt",
        contact=invitation.contact,
        campaign=invitation.campaign,
        link=invitation.link,
        reminder=reminder,
        survey_url=url_for("respond.invited", token=token, _external=True),
        unsubscribe_url=url_for(
            "respond.unsubscribe", token=unsubscribe_token(invitation.contact), _external=True
        ),
    )
    subject = _("Reminder: how did we serve you?") if reminder else _("How did we serve you?")
    return Mail(to=invitation.contact.email, subject=subject, text=text), token


def _deliver(invitations: list[Invitation], reminder: bool) -> tuple[int, int]:
    prepared = []
    for invitation in invitations:
        old_hash = invitation.token_hash
        mail, _token = _mail_for(invitation, reminder)
        if old_hash:
            # A draft started from the old link keeps working with the new one.
            db.session.execute(
                sa.update(Draft)
                .where(Draft.token_hash == old_hash)
                .values(token_hash=invitation.token_hash)
            )
        prepared.append((invitation, mail))
    db.session.flush()
    sent = failed = 0
    now = utcnow()
    for (invitation, _mail), delivery in zip(
        prepared, send_all(m for _i, m in prepared), strict=True
    ):
        if delivery.ok:
            sent += 1
            invitation.status = InvitationStatus.SENT
            if reminder:
                invitation.reminded_at = now
            else:
                invitation.sent_at = now
            invitation.last_error = None
        else:
            failed += 1
            invitation.status = InvitationStatus.FAILED
            invitation.last_error = delivery.error
    db.session.flush()
    return sent, failed


def send_pending(campaign: Campaign) -> tuple[int, int]:
    """E-mail every pending (or previously failed) invitation; return (sent, failed)."""
    invitations = db.session.scalars(
        sa.select(Invitation)
        .join(Contact)
        .where(
            Invitation.campaign_id == campaign.id,
            Invitation.status.in_((InvitationStatus.PENDING, InvitationStatus.FAILED)),
            Contact.unsubscribed_at.is_(None),
        )
    ).all()
    return _deliver(list(invitations), reminder=False)


def send_reminders(campaign: Campaign) -> tuple[int, int]:
    """Remind, once, everyone invited who has not answered; return (sent, failed)."""
    invitations = db.session.scalars(
        sa.select(Invitation)
        .join(Contact)
        .where(
            Invitation.campaign_id == campaign.id,
            Invitation.status == InvitationStatus.SENT,
            Invitation.reminded_at.is_(None),
            Contact.unsubscribed_at.is_(None),
        )
    ).all()
    return _deliver(list(invitations), reminder=True)


def invitation_for_token(token: str) -> Invitation | None:
    """Return the invitation a personal link's token belongs to."""
    return db.session.scalar(sa.select(Invitation).filter_by(token_hash=token_hash(token)))
