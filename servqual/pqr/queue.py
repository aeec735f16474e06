"""Reads for the agents' queue: the cases of the user's sites, filtered and sorted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from servqual.accounts.models import User
from servqual.extensions import db
from servqual.pqr.clock import business_calendar
from servqual.pqr.models import OPEN_STATUSES, Case

#: "Due soon": due within this many business days (today included).
DUE_SOON_DAYS = 3
#: Cases on one page of the queue.
QUEUE_PAGE_SIZE = 50


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


def queue(
    user: User, wanted: QueueFilter, as_of: date, country: str = "CO", page: int = 1
) -> Pagination:
    """Return one page of the cases ``user`` may see that match ``wanted``, by due date.

    A page number below 1 or past the last page answers 404 (``db.paginate``).
    """
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
    return db.paginate(
        query.order_by(order, Case.id),
        page=page,
        per_page=QUEUE_PAGE_SIZE,
        max_per_page=QUEUE_PAGE_SIZE,
        count=True,
    )
