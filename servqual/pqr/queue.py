"""Reads for the agents' queue: the cases of the user's sites, filtered and sorted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from servqual.accounts.models import User
from servqual.extensions import db
from servqual.pqr.clock import business_calendar
from servqual.pqr.models import OPEN_STATUSES, Case

#: "Due soon": due within this many business days (today included).
DUE_SOON_DAYS = 3
QUEUE_LIMIT = 500


@dataclass(frozen=True)
class QueueFilter:
    """What the agent narrowed the queue to; None means no filter."""

    status: str | None = None
    request_type: str | None = None
    site_id: int | None = None
    assigned: str | None = None  # "me", "nobody" or None
    overdue: bool = False
    due_soon: bool = False
    newest_first: bool = False


def visible_cases(user: User) -> sa.Select:
    """Return a select of the cases within ``user``'s sites."""
    query = sa.select(Case)
    if user.site_ids is not None:
        query = query.where(Case.site_id.in_(sorted(user.site_ids)))
    return query


def queue(user: User, wanted: QueueFilter, as_of: date, country: str = "CO") -> list[Case]:
    """Return the cases ``user`` may see that match ``wanted``, by due date."""
    query = visible_cases(user)
    open_statuses = [str(s) for s in OPEN_STATUSES]
    if wanted.status == "open":
        query = query.where(Case.status.in_(open_statuses))
    elif wanted.status:
        query = query.where(Case.status == wanted.status)
    if wanted.request_type:
        query = query.where(Case.request_type == wanted.request_type)
    if wanted.site_id:
        query = query.where(Case.site_id == wanted.site_id)
    if wanted.assigned == "me":
        query = query.where(Case.assigned_to_id == user.id)
    elif wanted.assigned == "nobody":
        query = query.where(Case.assigned_to_id.is_(None))
    if wanted.overdue:
        query = query.where(Case.status.in_(open_statuses), Case.due_on < as_of)
    if wanted.due_soon:
        limit = business_calendar(country).add_business_days(as_of, DUE_SOON_DAYS - 1)
        query = query.where(
            Case.status.in_(open_statuses), Case.due_on >= as_of, Case.due_on <= limit
        )
    order = Case.due_on.desc() if wanted.newest_first else Case.due_on
    return list(db.session.scalars(query.order_by(order, Case.id).limit(QUEUE_LIMIT)))
