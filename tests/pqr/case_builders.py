"""Builders for the case-work tests: a case at a site."""

from __future__ import annotations

from datetime import UTC, date, datetime

from servqual.extensions import db
from servqual.pqr import satisfaction
from servqual.pqr.clock import CaseTimeline, DeadlineClock
from servqual.pqr.filing import generate
from servqual.pqr.models import Case, CaseAction, CaseEvent
from tests import factories


def case(site=None, filed_on: date = date(2026, 3, 20), **fields) -> Case:
    """Add a web complaint filed on ``filed_on`` with its due date from the clock."""
    request_type = fields.pop("request_type", "complaint")
    row = Case(
        filing_number=generate(filed_on.year).compact,
        request_type=request_type,
        channel="web",
        site=site or factories.site(),
        description=fields.pop("description", "La fila fue eterna y nadie contestó."),
        contact_name=fields.pop("contact_name", "Ana Pérez"),
        contact_email=fields.pop("contact_email", "ana@example.com"),
        locale=fields.pop("locale", "en"),
        consent_at=datetime(filed_on.year, filed_on.month, filed_on.day, 15, tzinfo=UTC),
        consent_policy_version="2026-01",
        filed_on=filed_on,
        due_on=DeadlineClock().due_on(CaseTimeline(filed_on, request_type), filed_on),
        **fields,
    )
    db.session.add(row)
    db.session.add(CaseEvent(case=row, action=CaseAction.FILED, is_public=True))
    db.session.flush()
    return row


def satisfaction_link(row: Case) -> str:
    """Give ``row`` a satisfaction token (as closing does) and return it."""
    token = satisfaction.new_token(row)
    db.session.flush()
    return token
