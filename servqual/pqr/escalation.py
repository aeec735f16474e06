"""Escalation: tell the site's managers when a case reaches 80 % of its term, and again
when it is overdue; once each, recorded in the case's history so no run repeats it.

Run daily by ``servqual pqr escalate`` (cron or a scheduler); ``as_of`` is today in the
organisation's time zone unless a date is given (tests use fixed dates).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from servqual.accounts.models import Role, User, user_sites
from servqual.extensions import db
from servqual.modelbase import utcnow
from servqual.pqr import case_mail
from servqual.pqr.casework import deadline_clock, record
from servqual.pqr.models import OPEN_STATUSES, Case, CaseAction


@dataclass
class EscalationRun:
    """What one run did: cases escalated at 80 %, overdue, and delivery errors."""

    near_deadline: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def site_managers(site_id: int) -> list[User]:
    """Return the enabled managers who see ``site_id`` (limited to it, or to no site)."""
    limited = sa.select(user_sites.c.user_id).where(user_sites.c.site_id == site_id)
    any_limit = sa.select(user_sites.c.user_id)
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role == Role.MANAGER, User.is_enabled)
            .where(sa.or_(User.id.in_(limited), User.id.not_in(any_limit)))
            .order_by(User.id)
        )
    )


def escalate(as_of: date) -> EscalationRun:
    """E-mail managers about cases at 80 % of their term or overdue on ``as_of``; flush."""
    run = EscalationRun()
    clock = deadline_clock()
    cases = db.session.scalars(
        sa.select(Case)
        .where(Case.status.in_([str(s) for s in OPEN_STATUSES]))
        .where(sa.or_(Case.escalated_at.is_(None), Case.overdue_escalated_at.is_(None)))
        .order_by(Case.due_on, Case.id)
    )
    for case in cases:
        status = clock.status(case.timeline(), as_of)
        overdue = status.is_overdue and case.overdue_escalated_at is None
        near = status.needs_escalation and case.escalated_at is None and not status.is_overdue
        if not (overdue or near):
            continue
        managers = site_managers(case.site_id)
        if not managers:
            run.errors.append(f"{case.filing_label}: no manager for site {case.site.name}")
            continue
        percent = round(status.fraction_used * 100)
        errors = case_mail.deliver(
            [case_mail.escalation(case, manager, overdue, percent) for manager in managers]
        )
        run.errors.extend(f"{case.filing_label}: {error}" for error in errors)
        if len(errors) == len(managers):
            continue  # nobody was told: try again on the next run
        now = utcnow()
        recipients = ", ".join(m.email for m in managers)
        if overdue:
            case.overdue_escalated_at = now
            # An overdue case needs no separate 80 % message any more.
            case.escalated_at = case.escalated_at or now
            run.overdue.append(case.filing_label)
            record(case, None, CaseAction.ESCALATED, field="overdue", new=as_of, comment=recipients)
        else:
            case.escalated_at = now
            run.near_deadline.append(case.filing_label)
            record(
                case,
                None,
                CaseAction.ESCALATED,
                field="term_used",
                new=f"{percent}%",
                comment=recipients,
            )
        db.session.flush()
    return run
