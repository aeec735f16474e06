"""The deadline clock against hand-counted 2026 Colombian calendars, and its properties.

Colombian public holidays used below (Ley 51 de 1983 moves most of them to Monday),
as listed by ``holidays.Colombia(years=2026)``:

    Thu 01 Jan  New Year            Mon 18 May  Ascension (moved)
    Mon 12 Jan  Epiphany (moved)    Fri 07 Aug  Battle of Boyacá
    Mon 23 Mar  San José (moved)    Mon 17 Aug  Assumption (moved)
    Thu 02 Apr  Holy Thursday       Tue 08 Dec  Immaculate Conception
    Fri 03 Apr  Good Friday         Fri 25 Dec  Christmas
    Fri 01 May  Labour Day          2027: Fri 01 Jan, Mon 11 Jan Epiphany (moved)

In the calendars below, ``(n)`` is the n-th counted business day, ``H`` a holiday,
``P`` a paused day and ``-`` a weekend.
"""

from __future__ import annotations

import ast
import sys
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import servqual.pqr as pqr_package
from servqual.pqr.clock import (
    DEFAULT_TERMS,
    BusinessCalendar,
    CaseTimeline,
    ClockError,
    DeadlineClock,
    ExtensionRefused,
    Pause,
    PauseRefused,
    TermPolicy,
)

CLOCK = DeadlineClock()
CO = BusinessCalendar("CO")


def test_the_colombian_calendar_moves_holidays_to_monday():
    listed = holidays.Colombia(years=2026)
    # San José is 19 March (a Thursday in 2026); Ley 51 de 1983 moves it to Monday 23.
    assert date(2026, 3, 23) in listed
    assert date(2026, 3, 19) not in listed
    # Epiphany, 6 January (a Tuesday), moves to Monday 12 January.
    assert date(2026, 1, 12) in listed
    assert date(2026, 1, 6) not in listed
    # Holy Thursday and Good Friday are not moved.
    assert {date(2026, 4, 2), date(2026, 4, 3)} <= set(listed)
    assert not CO.is_business_day(date(2026, 3, 23))
    assert not CO.is_business_day(date(2026, 3, 21))  # Saturday
    assert CO.is_business_day(date(2026, 3, 24))


def test_a_complaint_filed_the_friday_before_a_monday_holiday():
    # Complaint, 15 business days, filed Friday 20 March 2026.
    #
    #   March 2026                  April 2026
    #   Fri 20 filed                Wed 01 (7)    Mon 13 (13)
    #   Sat 21 -   Sun 22 -         Thu 02 H      Tue 14 (14)
    #   Mon 23 H (San José)         Fri 03 H      Wed 15 (15)  <- due
    #   Tue 24 (1)  Wed 25 (2)      Mon 06 (8)    Tue 07 (9)
    #   Thu 26 (3)  Fri 27 (4)      Wed 08 (10)   Thu 09 (11)
    #   Mon 30 (5)  Tue 31 (6)      Fri 10 (12)
    case = CaseTimeline(date(2026, 3, 20), "complaint")
    status = CLOCK.status(case, as_of=date(2026, 3, 20))
    assert status.due_on == date(2026, 4, 15)
    assert status.business_days_elapsed == 0
    assert status.business_days_remaining == 15
    # (Skipping weekends only, the 15th day would have been Friday 10 April.)


def test_elapsed_remaining_escalation_and_overdue_on_the_same_case():
    case = CaseTimeline(date(2026, 3, 20), "complaint")
    # By Wednesday 1 April: days (1)..(7) have run.
    on_first = CLOCK.status(case, date(2026, 4, 1))
    assert (on_first.business_days_elapsed, on_first.business_days_remaining) == (7, 8)
    assert on_first.fraction_used == pytest.approx(7 / 15)
    assert not on_first.needs_escalation
    # Good Friday is not counted: still 7.
    assert CLOCK.status(case, date(2026, 4, 3)).business_days_elapsed == 7
    # Friday 10 April is day (12): 12/15 = 0.8, the manager is told.
    on_tenth = CLOCK.status(case, date(2026, 4, 10))
    assert on_tenth.business_days_elapsed == 12
    assert on_tenth.needs_escalation and not on_tenth.is_overdue
    # Thursday 9 April is day (11): 0.73, not yet.
    assert not CLOCK.status(case, date(2026, 4, 9)).needs_escalation
    # The due day itself is on time; the next day is overdue by one business day.
    assert not CLOCK.status(case, date(2026, 4, 15)).is_overdue
    late = CLOCK.status(case, date(2026, 4, 16))
    assert late.is_overdue
    assert late.business_days_remaining == -1


def test_a_request_for_information_over_holy_week():
    # Request for documents or information, 10 business days, filed Wednesday 1 April.
    #
    #   Thu 02 H  Fri 03 H  Sat 04 -  Sun 05 -
    #   Mon 06 (1)  Tue 07 (2)  Wed 08 (3)  Thu 09 (4)  Fri 10 (5)
    #   Mon 13 (6)  Tue 14 (7)  Wed 15 (8)  Thu 16 (9)  Fri 17 (10) <- due
    case = CaseTimeline(date(2026, 4, 1), "information")
    assert CLOCK.due_on(case, date(2026, 4, 1)) == date(2026, 4, 17)


def test_a_consultation_across_two_august_holidays():
    # Consultation, 30 business days, filed Friday 31 July 2026.
    #
    #   August                                              September
    #   Mon 03 (1)  Tue 04 (2)  Wed 05 (3)  Thu 06 (4)  Fri 07 H (Boyacá)
    #   Mon 10 (5)  Tue 11 (6)  Wed 12 (7)  Thu 13 (8)  Fri 14 (9)
    #   Mon 17 H    Tue 18 (10) Wed 19 (11) Thu 20 (12) Fri 21 (13)
    #   Mon 24 (14) Tue 25 (15) Wed 26 (16) Thu 27 (17) Fri 28 (18)
    #   Mon 31 (19) Tue 01 (20) Wed 02 (21) Thu 03 (22) Fri 04 (23)
    #   Mon 07 (24) Tue 08 (25) Wed 09 (26) Thu 10 (27) Fri 11 (28)
    #   Mon 14 (29) Tue 15 (30) <- due
    case = CaseTimeline(date(2026, 7, 31), "consultation")
    assert CLOCK.due_on(case, date(2026, 7, 31)) == date(2026, 9, 15)


def test_a_consultation_across_the_new_year():
    # Consultation, 30 business days, filed Monday 7 December 2026.
    #
    #   Tue 08 H    Wed 09 (1)  Thu 10 (2)  Fri 11 (3)
    #   Mon 14 (4)  Tue 15 (5)  Wed 16 (6)  Thu 17 (7)  Fri 18 (8)
    #   Mon 21 (9)  Tue 22 (10) Wed 23 (11) Thu 24 (12) Fri 25 H
    #   Mon 28 (13) Tue 29 (14) Wed 30 (15) Thu 31 (16) Fri 01 H (2027)
    #   Mon 04 (17) Tue 05 (18) Wed 06 (19) Thu 07 (20) Fri 08 (21)
    #   Mon 11 H (Epiphany moved)  Tue 12 (22) Wed 13 (23) Thu 14 (24) Fri 15 (25)
    #   Mon 18 (26) Tue 19 (27) Wed 20 (28) Thu 21 (29) Fri 22 (30) <- due
    case = CaseTimeline(date(2026, 12, 7), "consultation")
    assert CLOCK.due_on(case, date(2026, 12, 7)) == date(2027, 1, 22)


def test_filing_on_a_saturday_counts_from_monday_like_filing_on_friday():
    friday = CLOCK.due_on(CaseTimeline(date(2026, 3, 20), "claim"), date(2026, 3, 20))
    saturday = CLOCK.due_on(CaseTimeline(date(2026, 3, 21), "claim"), date(2026, 3, 21))
    holiday = CLOCK.due_on(CaseTimeline(date(2026, 3, 23), "claim"), date(2026, 3, 23))
    assert friday == saturday == holiday == date(2026, 4, 15)


def test_a_pause_while_waiting_for_the_customer():
    # Complaint filed Friday 20 March (due 15 April without a pause). On Wednesday 25
    # March, day (2), the agent asks for the invoice; it arrives Tuesday 7 April.
    #
    #   Tue 24 (1)  Wed 25 (2) asked
    #   Thu 26 P  Fri 27 P  Mon 30 P  Tue 31 P  Wed 01 P  Thu 02 H  Fri 03 H
    #   Mon 06 P  Tue 07 P arrived                       -> 7 paused business days
    #   Wed 08 (3)  Thu 09 (4)  Fri 10 (5)  Mon 13 (6)  Tue 14 (7)  Wed 15 (8)
    #   Thu 16 (9)  Fri 17 (10) Mon 20 (11) Tue 21 (12) Wed 22 (13) Thu 23 (14)
    #   Fri 24 (15) <- due
    case = CaseTimeline(date(2026, 3, 20), "complaint")
    paused = CLOCK.pause(case, date(2026, 3, 25))

    # While waiting (Wednesday 1 April): the clock stands at 2 days and the due date is
    # provisional, as if the invoice came that day: 5 paused days, 15 April + 5 = 22 April.
    waiting = CLOCK.status(paused, date(2026, 4, 1))
    assert waiting.is_paused
    assert waiting.business_days_elapsed == 2
    assert waiting.paused_business_days == 5
    assert waiting.due_on == date(2026, 4, 22)

    resumed = CLOCK.resume(paused, date(2026, 4, 7))
    status = CLOCK.status(resumed, date(2026, 4, 10))
    assert not status.is_paused
    assert status.due_on == date(2026, 4, 24)
    assert status.paused_business_days == 7
    assert status.business_days_elapsed == 5  # 24, 25 March and 8, 9, 10 April
    assert status.business_days_remaining == 10
    # Looking back at a day before the pause, the timeline answers as it stood then.
    assert CLOCK.status(resumed, date(2026, 3, 24)).due_on == date(2026, 4, 15)


def test_pauses_that_the_law_or_the_calendar_does_not_allow():
    case = CaseTimeline(date(2026, 3, 20), "complaint")
    # Art. 17: within 10 business days of filing, i.e. by Wednesday 8 April (day (10)).
    CLOCK.pause(case, date(2026, 4, 8))
    with pytest.raises(PauseRefused) as refused:
        CLOCK.pause(case, date(2026, 4, 9))
    assert refused.value.code == "window_passed"
    assert refused.value.params["latest"] == date(2026, 4, 8)
    assert "8" in str(refused.value) and "Ley 1755 art. 17" in str(refused.value)

    paused = CLOCK.pause(case, date(2026, 3, 25))
    with pytest.raises(PauseRefused) as refused:
        CLOCK.pause(paused, date(2026, 3, 26))
    assert refused.value.code == "already_paused"
    with pytest.raises(PauseRefused) as refused:
        CLOCK.resume(paused, date(2026, 3, 24))
    assert refused.value.code == "resumed_before_requested"
    with pytest.raises(PauseRefused) as refused:
        CLOCK.resume(case, date(2026, 3, 26))
    assert refused.value.code == "not_paused"
    with pytest.raises(PauseRefused) as refused:
        CLOCK.pause(case, date(2026, 3, 19))
    assert refused.value.code == "before_filing"

    # Without the art. 17 window, a pause still has to start before the last day.
    anytime = DeadlineClock(TermPolicy(information_request_window=None))
    with pytest.raises(PauseRefused) as refused:
        anytime.pause(case, date(2026, 4, 15))
    assert refused.value.code == "term_ending"
    anytime.pause(case, date(2026, 4, 14))


def test_two_pauses_add_up():
    # Complaint filed 20 March. First pause: asked Tue 24, arrived Thu 26 (25, 26: 2 days).
    # Second: asked Mon 30, arrived Tue 31 (31: 1 day). 15 April + 3 business days
    # (16, 17, 20) = Monday 20 April.
    case = CaseTimeline(date(2026, 3, 20), "complaint")
    case = CLOCK.resume(CLOCK.pause(case, date(2026, 3, 24)), date(2026, 3, 26))
    with pytest.raises(PauseRefused) as refused:
        CLOCK.pause(case, date(2026, 3, 25))
    assert refused.value.code == "overlapping"
    case = CLOCK.resume(CLOCK.pause(case, date(2026, 3, 30)), date(2026, 3, 31))
    status = CLOCK.status(case, date(2026, 4, 1))
    assert status.paused_business_days == 3
    assert status.due_on == date(2026, 4, 20)


def test_an_extension_up_to_twice_the_term():
    # Petition filed Friday 20 March, due Wednesday 15 April (day (15)). Twice the term,
    # 30 business days from filing:
    #
    #   Thu 16 (16) Fri 17 (17) Mon 20 (18) Tue 21 (19) Wed 22 (20) Thu 23 (21)
    #   Fri 24 (22) Mon 27 (23) Tue 28 (24) Wed 29 (25) Thu 30 (26) Fri 01 May H
    #   Mon 04 (27) Tue 05 (28) Wed 06 (29) Thu 07 (30) <- latest date allowed
    case = CaseTimeline(date(2026, 3, 20), "petition")
    assert CLOCK.latest_extension_date(case, date(2026, 4, 14)) == date(2026, 5, 7)

    extended = CLOCK.extend(case, date(2026, 4, 14), date(2026, 5, 7), " Supplier audit. ")
    assert extended.extension is not None
    assert extended.extension.reason == "Supplier audit."
    status = CLOCK.status(extended, date(2026, 5, 4))
    assert status.is_extended
    assert status.original_due_on == date(2026, 4, 15)
    assert status.due_on == date(2026, 5, 7)
    assert (status.term_days, status.business_days_elapsed) == (30, 27)
    assert status.needs_escalation and not status.is_overdue  # 27/30 = 0.9
    # Not overdue on 16 April any more; overdue after the new date.
    assert not CLOCK.status(extended, date(2026, 4, 16)).is_overdue
    assert CLOCK.status(extended, date(2026, 5, 8)).is_overdue
    # Before it was notified, the timeline still shows the original term.
    assert CLOCK.status(extended, date(2026, 4, 13)).due_on == date(2026, 4, 15)


def test_an_extension_longer_than_twice_the_term_is_refused():
    case = CaseTimeline(date(2026, 3, 20), "petition")
    with pytest.raises(ExtensionRefused) as refused:
        CLOCK.extend(case, date(2026, 4, 14), date(2026, 5, 8), "Supplier audit")
    assert refused.value.code == "too_long"
    assert refused.value.params["latest"] == date(2026, 5, 7)
    assert "2026-05-07" in str(refused.value)
    assert "Ley 1755 art. 14" in str(refused.value)


def test_extensions_that_break_the_other_rules_are_refused():
    case = CaseTimeline(date(2026, 3, 20), "petition")
    # Notified on the last day of the term: still before it ends.
    CLOCK.extend(case, date(2026, 4, 15), date(2026, 4, 30), "Supplier audit")
    refusals = {
        "term_ended": (date(2026, 4, 16), date(2026, 4, 30), "Supplier audit"),
        "reason_required": (date(2026, 4, 14), date(2026, 4, 30), "   "),
        "not_later": (date(2026, 4, 14), date(2026, 4, 15), "Supplier audit"),
        "not_business_day": (date(2026, 4, 14), date(2026, 5, 1), "Supplier audit"),
        "before_filing": (date(2026, 3, 19), date(2026, 4, 30), "Supplier audit"),
    }
    for code, (notified_on, new_due_on, reason) in refusals.items():
        with pytest.raises(ExtensionRefused) as refused:
            CLOCK.extend(case, notified_on, new_due_on, reason)
        assert refused.value.code == code
        if code == "not_business_day":
            assert refused.value.params["holiday"] == "Labor Day"

    extended = CLOCK.extend(case, date(2026, 4, 14), date(2026, 4, 30), "Supplier audit")
    with pytest.raises(ExtensionRefused) as refused:
        CLOCK.extend(extended, date(2026, 4, 20), date(2026, 5, 6), "Again")
    assert refused.value.code == "already_extended"

    paused = CLOCK.pause(case, date(2026, 3, 25))
    with pytest.raises(ExtensionRefused) as refused:
        CLOCK.extend(paused, date(2026, 3, 26), date(2026, 4, 30), "Supplier audit")
    assert refused.value.code == "paused"


def test_a_pause_after_an_extension_moves_the_extended_date():
    # Extended on 14 April to Thursday 7 May; then (no art. 17 window) the agent asks
    # on Mon 20 April and the answer comes Wed 22 April: Tue 21, Wed 22 paused, so the
    # new date moves 2 business days: Fri 8, Mon 11 May.
    clock = DeadlineClock(TermPolicy(information_request_window=None))
    case = CaseTimeline(date(2026, 3, 20), "petition")
    case = clock.extend(case, date(2026, 4, 14), date(2026, 5, 7), "Supplier audit")
    case = clock.resume(clock.pause(case, date(2026, 4, 20)), date(2026, 4, 22))
    assert clock.due_on(case, date(2026, 4, 23)) == date(2026, 5, 11)


def test_an_extension_after_a_pause_counts_the_pause():
    # Paused 25 March → 7 April (7 business days), the petition is due 24 April. Twice
    # the term is 30 counted days: without the pause (30) fell on Thursday 7 May; the
    # 7 paused days move it 7 business days further:
    #   Fri 08 (1) Mon 11 (2) Tue 12 (3) Wed 13 (4) Thu 14 (5) Fri 15 (6)
    #   Mon 18 H (Ascension, moved)  Tue 19 (7)  <- latest date allowed
    case = CaseTimeline(date(2026, 3, 20), "petition")
    case = CLOCK.resume(CLOCK.pause(case, date(2026, 3, 25)), date(2026, 4, 7))
    assert CLOCK.latest_extension_date(case, date(2026, 4, 20)) == date(2026, 5, 19)
    with pytest.raises(ExtensionRefused):
        CLOCK.extend(case, date(2026, 4, 20), date(2026, 5, 20), "Supplier audit")
    extended = CLOCK.extend(case, date(2026, 4, 20), date(2026, 5, 19), "Supplier audit")
    status = CLOCK.status(extended, date(2026, 4, 20))
    assert status.due_on == date(2026, 5, 19)
    assert status.term_days == 30


def test_terms_and_country_come_from_the_configuration():
    # Three business days for a complaint, filed Wednesday 25 November 2026.
    #   United States: Thu 26 H (Thanksgiving), Fri 27 (1), Mon 30 (2), Tue 01 Dec (3)
    #   Colombia:      Thu 26 (1), Fri 27 (2), Mon 30 (3)
    terms = {"complaint": 3}
    case = CaseTimeline(date(2026, 11, 25), "complaint")
    us = DeadlineClock(TermPolicy(terms=terms, country="US"))
    co = DeadlineClock(TermPolicy(terms=terms))
    assert us.due_on(case, case.filed_on) == date(2026, 12, 1)
    assert co.due_on(case, case.filed_on) == date(2026, 11, 30)
    # Good Friday is a holiday in Colombia, not a US federal one.
    good_friday = CaseTimeline(date(2026, 4, 2), "complaint")
    assert us.due_on(good_friday, good_friday.filed_on) == date(2026, 4, 7)
    # Spain by region: 19 March (San José) is a holiday in Valencia, not in Madrid.
    # Filed Wednesday 18 March 2026:
    #   Valencia: Thu 19 H, Fri 20 (1), Mon 23 (2), Tue 24 (3)
    #   Madrid:   Thu 19 (1), Fri 20 (2), Mon 23 (3)
    san_jose = CaseTimeline(date(2026, 3, 18), "complaint")
    valencia = DeadlineClock(TermPolicy(terms=terms, country="ES", subdivision="VC"))
    madrid = DeadlineClock(TermPolicy(terms=terms, country="ES", subdivision="MD"))
    assert valencia.due_on(san_jose, san_jose.filed_on) == date(2026, 3, 24)
    assert madrid.due_on(san_jose, san_jose.filed_on) == date(2026, 3, 23)


def test_bad_configuration_is_refused_with_a_clear_error():
    with pytest.raises(ClockError) as refused:
        DeadlineClock(TermPolicy(country="XX"))
    assert refused.value.code == "unknown_calendar"
    assert "XX" in str(refused.value)
    with pytest.raises(ClockError) as refused:
        TermPolicy(terms={"complaint": 0})
    assert refused.value.code == "term_out_of_range"
    with pytest.raises(ClockError) as refused:
        TermPolicy(terms={"complaint": 1.5})
    assert refused.value.code == "term_not_integer"
    with pytest.raises(ClockError) as refused:
        CLOCK.status(CaseTimeline(date(2026, 3, 20), "riddle"), date(2026, 3, 20))
    assert refused.value.code == "unknown_request_type"
    two_open = (Pause(date(2026, 3, 24)), Pause(date(2026, 3, 25)))
    with pytest.raises(PauseRefused) as refused:
        CaseTimeline(date(2026, 3, 20), "complaint", pauses=two_open)
    assert refused.value.code == "already_paused"


def test_the_default_terms_follow_ley_1755():
    assert DEFAULT_TERMS["petition"] == 15
    assert DEFAULT_TERMS["information"] == 10
    assert DEFAULT_TERMS["consultation"] == 30
    assert set(DEFAULT_TERMS) >= {"complaint", "claim", "suggestion", "compliment"}


PURE_MODULES = ("business_days.py", "clock.py", "filing.py", "terms.py", "timeline.py")


@pytest.mark.parametrize("name", PURE_MODULES)
def test_the_clock_and_filing_modules_need_no_web_or_database_layer(name):
    package = Path(pqr_package.__file__).parent
    tree = ast.parse((package / name).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        else:
            continue
        for module in modules:
            root = module.split(".")[0]
            if root == "servqual":
                assert module.removeprefix("servqual.pqr.") + ".py" in PURE_MODULES, module
            else:
                assert root in sys.stdlib_module_names | {"holidays", "stdnum"}, module


# -- properties ---------------------------------------------------------------------------

filing_dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
request_types = st.sampled_from(sorted(DEFAULT_TERMS))
ANYTIME = DeadlineClock(TermPolicy(information_request_window=None))


@settings(max_examples=200, deadline=None)
@given(filed_on=filing_dates, request_type=request_types)
def test_the_due_date_is_a_business_day_after_filing(filed_on, request_type):
    due = CLOCK.due_on(CaseTimeline(filed_on, request_type), filed_on)
    assert CO.is_business_day(due)
    assert CO.business_days_between(filed_on, due) == DEFAULT_TERMS[request_type]


@settings(max_examples=200, deadline=None)
@given(first=filing_dates, gap=st.integers(min_value=0, max_value=40), request_type=request_types)
def test_the_due_date_never_moves_back_when_filing_later(first, gap, request_type):
    later = first + timedelta(days=gap)
    assert CLOCK.due_on(CaseTimeline(first, request_type), first) <= CLOCK.due_on(
        CaseTimeline(later, request_type), later
    )


@settings(max_examples=200, deadline=None)
@given(
    filed_on=filing_dates,
    request_type=request_types,
    start=st.integers(min_value=0, max_value=29),
    length=st.integers(min_value=0, max_value=60),
)
def test_a_pause_of_k_business_days_moves_the_due_date_by_k(filed_on, request_type, start, length):
    case = CaseTimeline(filed_on, request_type)
    due = ANYTIME.due_on(case, filed_on)
    requested_on = filed_on + timedelta(days=start)
    assume(requested_on < due)
    resumed_on = requested_on + timedelta(days=length)
    paused = ANYTIME.resume(ANYTIME.pause(case, requested_on), resumed_on)
    k = CO.business_days_between(requested_on, resumed_on)
    assert ANYTIME.due_on(paused, resumed_on) == CO.add_business_days(due, k)
    assert ANYTIME.status(paused, resumed_on).paused_business_days == k
