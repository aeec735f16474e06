"""PQR analytics: hand-worked volumes, rates and Kaplan–Meier quantiles; the scoped reads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from servqual.pqr import analytics
from servqual.pqr.analytics import CaseRow
from servqual.pqr.analytics_queries import pqr_summary
from servqual.pqr.business_days import business_calendar
from tests import factories
from tests.pqr.case_builders import case as make_case

D0 = date(2026, 3, 2)


def calendar_days(start: date, end: date) -> int:
    return (end - start).days


def row(days: int | None, request_type="complaint", due_in=15, reopen=0, **fields) -> CaseRow:
    """A case filed on D0, answered ``days`` calendar days later (None: still open)."""
    return CaseRow(
        request_type=request_type,
        site_id=fields.pop("site_id", 1),
        filed_on=D0,
        due_on=D0 + timedelta(days=due_in),
        answered_on=None if days is None else D0 + timedelta(days=days),
        reopen_count=reopen,
        **fields,
    )


def hand_kaplan_meier(times, answered):
    """Product-limit estimate written out: S(t) = prod over event times (1 - d/n).

    Cases censored at t are still at risk at t (events before censoring at ties).
    """
    curve = []
    survival = 1.0
    for t in sorted({t for t, a in zip(times, answered, strict=True) if a}):
        at_risk = sum(1 for u in times if u >= t)
        events = sum(1 for u, a in zip(times, answered, strict=True) if a and u == t)
        survival *= 1 - events / at_risk
        curve.append((t, survival))
    return curve


def hand_quantile(curve, p):
    """First time at which survival falls to 1 - p or below (None if never)."""
    return next((t for t, s in curve if s <= 1 - p + 1e-12), None)


def test_time_to_answer_counts_open_cases_as_censored():
    # Four cases filed on D0 answered after 2, 3, 5 and 10 days; two still open on as_of
    # (D0 + 10), filed 3 and 8 days before it: censored at 3 and 8.
    # Kaplan–Meier by hand, times 2(e) 3(e) 3(c) 5(e) 8(c) 10(e):
    #   t=2: at risk 6, 1 event -> S = 5/6 = 0.833
    #   t=3: at risk 5, 1 event -> S = 0.833 * 4/5 = 0.667  (the case censored at 3 still at risk)
    #   t=5: at risk 3, 1 event -> S = 0.667 * 2/3 = 0.444  -> median 5
    #   t=10: at risk 1, 1 event -> S = 0                   -> 90th percentile 10
    # The median of the answered cases alone (2, 3, 5, 10) would be 4: ignoring the open
    # cases understates the time to answer.
    as_of = D0 + timedelta(days=10)
    rows = [
        row(2),
        row(3),
        row(5),
        row(10),
        CaseRow("complaint", 1, as_of - timedelta(days=3), as_of + timedelta(days=9)),
        CaseRow("complaint", 1, as_of - timedelta(days=8), as_of + timedelta(days=4)),
    ]
    found = analytics.time_to_answer(rows, as_of, calendar_days)
    assert found.median == 5
    assert found.p90 == 10
    assert (found.answered, found.censored) == (4, 2)
    times, status = analytics.durations(rows, as_of, calendar_days)
    assert sorted(zip(times, status, strict=True)) == [
        (2, 1),
        (3, 0),
        (3, 1),
        (5, 1),
        (8, 0),
        (10, 1),
    ]
    curve = hand_kaplan_meier(times, status)
    assert [round(s, 3) for _t, s in curve] == [0.833, 0.667, 0.444, 0.0]


def test_quantiles_match_an_independent_kaplan_meier_on_a_larger_sample():
    as_of = D0 + timedelta(days=40)
    rows = []
    for i in range(60):
        days = (i * 7) % 23 + 1
        open_case = i % 5 == 0
        filed = as_of - timedelta(days=days) if open_case else D0
        rows.append(
            CaseRow(
                "claim",
                1,
                filed,
                filed + timedelta(days=15),
                None if open_case else filed + timedelta(days=days),
            )
        )
    found = analytics.time_to_answer(rows, as_of, calendar_days)
    times, status = analytics.durations(rows, as_of, calendar_days)
    curve = hand_kaplan_meier(times, status)
    assert found.median == hand_quantile(curve, 0.5)
    assert found.p90 == hand_quantile(curve, 0.9)
    assert found.censored == 12


def test_median_not_reached_when_most_cases_are_still_open():
    as_of = D0 + timedelta(days=20)
    rows = [row(1)] + [row(None, due_in=30) for _ in range(3)]
    found = analytics.time_to_answer(rows, as_of, calendar_days)
    # S(1) = 3/4 and the curve never gets to 0.5: no median yet, rather than "1 day".
    assert found.median is None and found.p90 is None
    assert analytics.time_to_answer([row(None)], as_of, calendar_days).median is None


def test_time_to_answer_in_business_days_skips_weekends_and_holidays():
    colombia = business_calendar("CO")
    # Filed Friday 2026-03-20; Monday 2026-03-23 is San José (holiday in Colombia).
    # Answered Wednesday 2026-03-25: business days after filing = Tue 24, Wed 25 = 2.
    filed = date(2026, 3, 20)
    rows = [CaseRow("complaint", 1, filed, date(2026, 4, 14), date(2026, 3, 25))]
    found = analytics.time_to_answer(rows, date(2026, 4, 1), colombia.business_days_between)
    assert found.median == 2


def test_on_time_rate_counts_answered_and_overdue_cases_only():
    as_of = D0 + timedelta(days=20)
    rows = [
        row(15, due_in=15),  # answered on the due date: on time
        row(16, due_in=15),  # one day late
        row(3, due_in=15),  # on time
        row(None, due_in=10),  # open and past due: late
        row(None, due_in=25),  # open, still within term: not counted yet
    ]
    rate = analytics.on_time(rows, as_of)
    assert (rate.count, rate.total) == (2, 4)
    assert rate.rate == 0.5
    assert analytics.on_time([], as_of).rate is None


def test_complaints_per_thousand_counts_quejas_and_reclamos():
    rows = [
        row(1, "complaint"),
        row(1, "claim"),
        row(1, "claim"),
        row(1, "compliment"),
        row(1, "petition"),
    ]
    # 3 complaints over 1,500 responses = 2 per thousand.
    assert analytics.complaints_per_thousand(rows, 1500) == pytest.approx(2.0)
    assert analytics.complaints_per_thousand(rows, 0) is None


def test_volume_and_reopen_rate():
    rows = [
        row(1, "complaint", touchpoint="Caja", pillar="Agilidad", dimension="responsiveness"),
        row(1, "complaint", touchpoint="Caja", pillar=None, reopen=2),
        row(1, "claim", touchpoint="Parqueadero", pillar="Agilidad", reopen=1),
        row(None, "petition"),
    ]
    assert analytics.volume_by(rows, "request_type") == {"complaint": 2, "claim": 1, "petition": 1}
    assert analytics.volume_by(rows, "touchpoint") == {"Caja": 2, None: 1, "Parqueadero": 1}
    assert analytics.volume_by(rows, "pillar")["Agilidad"] == 2
    assert analytics.volume_by(rows, "dimension") == {None: 3, "responsiveness": 1}
    reopen = analytics.reopen_rate(rows)
    # 3 answered cases, 2 reopened (reopen_count counts cases, not reopenings).
    assert (reopen.count, reopen.total) == (2, 3)


def test_summary_reads_only_the_scope_sites_and_period(db):
    north, south = factories.site(), factories.site()
    campaign = SimpleNamespace(id=0, opens_on=date(2026, 3, 1), closes_on=date(2026, 3, 31))
    answered = make_case(north, filed_on=date(2026, 3, 20))
    answered.answered_at = datetime(2026, 3, 25, 15, tzinfo=UTC)
    answered.status = "answered"
    make_case(north, filed_on=date(2026, 3, 10), request_type="claim")
    make_case(south, filed_on=date(2026, 3, 12))
    make_case(north, filed_on=date(2026, 4, 2))  # outside the period
    db.session.flush()
    everything = pqr_summary(
        SimpleNamespace(site_ids=None, touchpoint_ids=None), campaign, as_of=date(2026, 4, 30)
    )
    assert everything.cases == 3
    only_north = pqr_summary(
        SimpleNamespace(site_ids=(north.id,), touchpoint_ids=None),
        campaign,
        as_of=date(2026, 4, 30),
    )
    assert only_north.cases == 2
    assert only_north.by_type == {"claim": 1, "complaint": 1}
    # Answered Wed 25 March after filing Fri 20 March (Mon 23 is a holiday): 2 business days.
    assert only_north.time_to_answer.answered == 1
    assert only_north.on_time.count == 1
    assert pqr_summary(SimpleNamespace(site_ids=(), touchpoint_ids=None), campaign) is None
