"""The organisation's PQR settings: deadline policy, today's date, filing-number prefix."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from servqual.pqr.clock import DeadlineClock, TermPolicy
from servqual.service.queries import organisation


def term_policy() -> TermPolicy:
    """Return the deadline rules: the organisation's country calendar, configured terms."""
    org = organisation()
    terms = current_app.config.get("PQR_TERMS")
    if terms:
        return TermPolicy(terms=terms, country=org.country or "CO")
    return TermPolicy(country=org.country or "CO")


def deadline_clock() -> DeadlineClock:
    """Return a :class:`DeadlineClock` under the organisation's policy."""
    return DeadlineClock(term_policy())


def local_today(now: datetime | None = None) -> date:
    """Return today's date in the organisation's time zone (the clock counts days there)."""
    org = organisation()
    zone = ZoneInfo(org.timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return (now or datetime.now(zone)).astimezone(zone).date()


def filing_prefix() -> str:
    """Return the letters filing numbers start with."""
    return current_app.config.get("PQR_FILING_PREFIX") or "PQR"


def policy_version() -> str:
    """Return the version of the personal-data processing policy customers consent to."""
    return current_app.config.get("PQR_POLICY_VERSION") or "1"
