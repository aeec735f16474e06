"""The demo's year of PQR: seasonal, with pauses, extensions, overdue and reopened cases."""

from __future__ import annotations

from collections import Counter
from datetime import date

import sqlalchemy as sa

from servqual.extensions import db as _db
from servqual.pqr import demo_data
from servqual.pqr.clock import DeadlineClock
from servqual.pqr.models import Case, CaseAction, CaseStatus
from tests import factories

TODAY = date(2026, 11, 25)


def test_a_year_of_demo_pqr_is_seasonal_and_consistent(db, make_user):
    sites = [factories.site(), factories.site()]
    factories.touchpoint()
    factories.pillar()
    make_user("agent", sites=sites)
    counts = demo_data.build(seed=7, today=TODAY)
    cases = list(_db.session.scalars(sa.select(Case)))
    assert len(cases) == counts["cases"] > 300
    assert min(c.filed_on for c in cases) >= date(2025, 11, 25)
    assert max(c.filed_on for c in cases) < TODAY
    per_month = Counter(c.filed_on.month for c in cases)
    # December and January (31 days each) against the mid-year months.
    assert per_month[12] > 1.4 * per_month[9] and per_month[1] > 1.3 * per_month[5]
    assert counts["overdue"] > 0 and counts["extended"] > 0
    assert counts["paused"] > 0 and counts["reopened"] > 0
    assert any(c.status == CaseStatus.WAITING_CUSTOMER for c in cases)
    clock = DeadlineClock()
    for case in cases:
        # The stored due date is the clock's, from the case's own pauses and extension.
        assert case.due_on == clock.due_on(case.timeline(), TODAY), case.id
        actions = [e.action for e in case.events]
        times = [e.at for e in case.events]
        assert actions[0] == CaseAction.FILED
        assert times == sorted(times), case.id
        assert ("paused" in actions) == bool(case.pauses)
        assert ("resumed" in actions) == any(p.ended_on for p in case.pauses)
        assert ("extended" in actions) == (case.extended_due_on is not None)
        assert ("answered" in actions) == (case.answered_at is not None)
        assert ("reopened" in actions) == (case.reopen_count == 1)
        if case.status == CaseStatus.CLOSED:
            assert actions[-1] == "closed" and case.answered_at is not None
