"""PQR models: database constraints, the grouped filing number, the append-only history."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from servqual.pqr.clock import DeadlineClock
from servqual.pqr.filing import generate
from servqual.pqr.models import Case, CaseEvent, CasePause
from tests import factories


def _case(db, **fields) -> Case:
    number = generate(2026)
    case = Case(
        filing_number=number.compact,
        request_type=fields.pop("request_type", "complaint"),
        channel=fields.pop("channel", "web"),
        site=fields.pop("site", None) or factories.site(),
        description=fields.pop("description", "The queue was very long."),
        contact_name="Ana Pérez",
        contact_email=fields.pop("contact_email", "ana@example.com"),
        consent_at=datetime(2026, 3, 13, 15, tzinfo=UTC),
        consent_policy_version="2026-01",
        filed_on=date(2026, 3, 13),
        due_on=fields.pop("due_on", date(2026, 4, 7)),
        **fields,
    )
    db.session.add(case)
    db.session.flush()
    return case


def test_case_shows_grouped_filing_number_and_feeds_the_clock(db):
    case = _case(db)
    assert case.filing_label == str(case.filing)
    assert case.filing_label.startswith("PQR-2026-")
    assert case.filing.compact == case.filing_number
    db.session.add(CasePause(case=case, started_on=date(2026, 3, 16), reason="Invoice copy"))
    db.session.flush()
    db.session.refresh(case)
    timeline = case.timeline()
    assert timeline.open_pause is not None
    assert timeline.open_pause.requested_on == date(2026, 3, 16)
    # Filed Friday 13 March 2026; 15 business days skip San José (Monday 23 March) and
    # Holy Thursday and Good Friday (2 and 3 April): due Wednesday 8 April. Waiting for
    # the customer from Monday 16 to Wednesday 18 moves it two business days.
    clock = DeadlineClock()
    assert clock.due_on(type(timeline)(date(2026, 3, 13), "complaint"), date(2026, 3, 13)) == (
        date(2026, 4, 8)
    )
    assert clock.due_on(timeline, date(2026, 3, 18)) == date(2026, 4, 10)


def test_duplicate_filing_number_is_refused(db):
    case = _case(db)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.add(
            Case(
                filing_number=case.filing_number,
                request_type="claim",
                channel="web",
                site_id=case.site_id,
                description="x",
                contact_name="B",
                contact_email="b@example.com",
                consent_at=case.consent_at,
                consent_policy_version="2026-01",
                filed_on=case.filed_on,
                due_on=case.due_on,
            )
        )


@pytest.mark.parametrize(
    "fields",
    [
        {"request_type": "lawsuit"},
        {"contact_email": "Ana@Example.com"},
        {"due_on": date(2026, 3, 13)},
        {"channel": "phone"},  # staff channel without the staff member who registered it
        {"channel": "survey"},  # a survey follow-up without its survey response
    ],
)
def test_database_refuses_inconsistent_cases(db, fields):
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        _case(db, **fields)


def test_history_is_append_only(db):
    case = _case(db)
    event = CaseEvent(case=case, action="filed", is_public=True)
    db.session.add(event)
    db.session.flush()
    event.comment = "changed"
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()
