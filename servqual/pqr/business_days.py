"""Business days of a country, from the ``holidays`` package.

A term of *n* days is *n* business days ("días hábiles"): in Colombia Ley 4 de 1913
art. 62 leaves public holidays out of terms set in days, and weekends are not working
days. The ``holidays`` Colombian calendar already moves the holidays that Ley 51 de 1983
("Ley Emiliani") moves to the following Monday (2026: San José on Monday 23 March, not
Thursday 19), so no date is edited here. Other countries, and regions where the package
has them, work by naming them.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays

from servqual.pqr.terms import ClockError

_ONE_DAY = timedelta(days=1)


class BusinessCalendar:
    """Business days of one country (and optional subdivision) from ``holidays``.

    A business day is a day ``holidays`` calls a working day: not a weekend day of that
    country and not a public holiday (observed dates, so moved holidays count on the
    day they are moved to).
    """

    def __init__(self, country: str = "CO", subdivision: str | None = None) -> None:
        try:
            self._holidays = holidays.country_holidays(country, subdiv=subdivision)
        except NotImplementedError as error:
            raise ClockError(
                "unknown_calendar",
                f"No public-holiday calendar for country {country!r}"
                + (f", subdivision {subdivision!r}" if subdivision else "")
                + f": {error}",
                country=country,
                subdivision=subdivision,
            ) from None
        self.country = country
        self.subdivision = subdivision

    def is_business_day(self, day: date) -> bool:
        """Return whether ``day`` is a working day: no weekend, no public holiday."""
        return bool(self._holidays.is_working_day(day))

    def holiday_name(self, day: date) -> str | None:
        """Return the public holiday's name on ``day``, or None."""
        return self._holidays.get(day)

    def add_business_days(self, start: date, count: int) -> date:
        """Return the ``count``-th business day after ``start`` (``start`` itself if 0)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        while count:
            day += _ONE_DAY
            if self.is_business_day(day):
                count -= 1
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Return how many business days fall in ``(start, end]`` (0 when end <= start)."""
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            if self.is_business_day(day):
                count += 1
            day += _ONE_DAY
        return count


@functools.lru_cache(maxsize=32)
def business_calendar(country: str = "CO", subdivision: str | None = None) -> BusinessCalendar:
    """Return the shared :class:`BusinessCalendar` for a country and subdivision."""
    return BusinessCalendar(country, subdivision)
