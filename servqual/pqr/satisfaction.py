"""The one-question satisfaction survey after closing; a "no" reopens the case."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _

from servqual.extensions import db
from servqual.modelbase import utcnow
from servqual.pqr import case_mail
from servqual.pqr.casework import CaseRefused, change_status, record
from servqual.pqr.models import Case, CaseAction, CaseStatus


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(case: Case) -> str:
    """Give ``case`` a fresh satisfaction link token; store only its hash and return it."""
    token = secrets.token_urlsafe(24)
    case.satisfaction_token = _digest(token)
    return token


def invite(case: Case) -> list[str]:
    """E-mail the satisfaction question to the customer of a closed case; return errors.

    Only the token's hash is stored, so the database alone cannot answer for a customer.
    """
    if case.status != CaseStatus.CLOSED or not case.contact_email:
        return []
    if case.satisfaction_answered_at is not None:
        return []
    token = new_token(case)
    errors = case_mail.deliver([case_mail.satisfaction_invitation(case, token)])
    if errors:
        case.satisfaction_token = None
    else:
        case.satisfaction_sent_at = utcnow()
        record(case, None, CaseAction.MAIL_SENT, field="satisfaction")
        db.session.flush()
    return errors


def case_for_token(token: str) -> Case | None:
    """Return the case a satisfaction link belongs to, if the link is valid."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(sa.select(Case).where(Case.satisfaction_token == _digest(token)))


def answer(case: Case, satisfied: bool, comment: str | None) -> None:
    """Record the customer's answer; an unsatisfied customer reopens the case."""
    if case.satisfaction_answered_at is not None:
        raise CaseRefused(_("This question was already answered. Thank you."))
    comment = (comment or "").strip()[:2000] or None
    case.is_satisfied = satisfied
    case.satisfaction_comment = comment
    case.satisfaction_answered_at = utcnow()
    record(
        case,
        None,
        CaseAction.SATISFACTION,
        field="is_satisfied",
        new=satisfied,
        comment=comment,
        is_public=True,
    )
    if not satisfied and case.status in (CaseStatus.CLOSED, CaseStatus.ANSWERED):
        change_status(case, CaseStatus.REOPENED, None, _("The customer was not satisfied."))
    db.session.flush()
