"""Shared model helpers: UTC timestamps and the "what points to this row" check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from servqual.extensions import db


def utcnow() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


class Timestamped:
    """Adds ``created_at`` (UTC) to a model."""

    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), default=utcnow, nullable=False
    )


@dataclass(frozen=True)
class Dependent:
    """Rows of one table that point to a row someone wants to delete."""

    table: str
    label: str
    count: int


#: Table name -> the translated plural name of its rows, for messages to users.
TABLE_LABELS: dict[str, Any] = {}


def one_of(column: str, values) -> str:
    """Return the SQL of a check constraint: ``column`` holds one of ``values``."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def describe_tables(**labels: Any) -> None:
    """Give tables the human names that messages such as a refused delete use."""
    TABLE_LABELS.update(labels)


def table_label(table: sa.Table) -> str:
    """Return the human (translated) plural name of a table's rows."""
    return str(TABLE_LABELS.get(table.name, table.name.replace("_", " ")))


def dependents_of(instance: object) -> list[Dependent]:
    """List the rows that point to ``instance`` through a non-cascading foreign key.

    A foreign key declared ``ON DELETE CASCADE`` marks rows the instance owns (its own
    links); every other reference is data that a delete would orphan or destroy, so it
    is counted here and the delete is refused.
    """
    mapper = sa.inspect(instance).mapper
    own_table = mapper.local_table
    found: list[Dependent] = []
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is not own_table or (fk.ondelete or "").upper() == "CASCADE":
                continue
            key_value = getattr(instance, fk.column.key)
            count = db.session.scalar(
                sa.select(sa.func.count()).select_from(table).where(fk.parent == key_value)
            )
            if count and not (table is own_table and fk.parent is fk.column):
                found.append(Dependent(table.name, table_label(table), int(count)))
    return found
