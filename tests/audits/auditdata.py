"""Audit programmes, visits and answers written straight to the database (for scoring tests)."""

from __future__ import annotations

import secrets
from datetime import date

from servqual.audits.models import AuditProgramme, Visit, VisitAnswer
from servqual.extensions import db
from tests import factories


def programme(sites, touchpoints, version=None, **fields) -> AuditProgramme:
    """Add an active programme over ``sites`` and ``touchpoints``."""
    row = AuditProgramme(
        name=fields.pop("name", "Mystery shopper 2026"),
        instrument_version=version or factories.instrument_version(),
        starts_on=fields.pop("starts_on", date(2026, 1, 1)),
        ends_on=fields.pop("ends_on", date(2026, 12, 31)),
        status=fields.pop("status", "active"),
        **fields,
    )
    row.sites = list(sites)
    row.touchpoints = list(touchpoints)
    db.session.add(row)
    db.session.flush()
    return row


def visit(programme, site, auditor, answers, status="approved", touchpoint=None, **fields):
    """Add a visit with ``answers``: (standard, touchpoint, weight, score or None = N/A)."""
    tp = touchpoint or answers[0][1]
    row = Visit(
        programme=programme,
        site_id=site.id,
        channel_id=tp.channel_id,
        touchpoint_id=None,
        scheduled_on=fields.pop("scheduled_on", date(2026, 10, 15)),
        auditor_id=auditor.id,
        status=status,
        submission_token=secrets.token_hex(16),
        submission_count=0 if status == "scheduled" else 1,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    for position, (standard, where, weight, score) in enumerate(answers):
        db.session.add(
            VisitAnswer(
                visit_id=row.id,
                question_code=f"Q{position}",
                section_code=f"SEC-{where.code}",
                position=position,
                question_type="yes_no",
                standard_id=standard.id,
                touchpoint_id=where.id,
                weight=weight,
                value_bool=None if score is None else score >= 1,
                is_not_applicable=score is None,
                is_met=None if score is None else score >= 1,
                score=score,
            )
        )
    db.session.flush()
    return row
