"""Insert a handful of rows in one statement, the way each database does it cheaply.

A submitted survey writes some twenty answer rows, a few importance rows and a few
cell-moment rows. An ``executemany`` sends one statement per row; a multi-row
``VALUES`` is compiled anew for every row count. On PostgreSQL the rows go instead as
one array per column into ``INSERT … SELECT … FROM unnest(…)``: one statement, a few
parameters, compiled once. Other databases get an ``executemany`` of the one-row insert.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def insert_rows(
    connection: sa.Connection,
    table: sa.Table,
    rows: Sequence[dict],
    on_conflict: Callable[[postgresql.Insert], postgresql.Insert] | None = None,
) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` with one statement.

    ``on_conflict`` turns the insert into an upsert; it receives a PostgreSQL or SQLite
    ``insert()`` (both have ``on_conflict_do_update``) and returns the statement.
    """
    if not rows:
        return
    columns = tuple(rows[0])
    dialect = connection.dialect
    sql, order = _statement(dialect, table, columns, on_conflict)
    if order is None:  # named parameters: PostgreSQL's arrays
        connection.exec_driver_sql(sql, {c: [row[c] for row in rows] for c in columns})
    else:
        connection.exec_driver_sql(sql, [tuple(row[c] for c in order) for row in rows])


@cache
def _statement(
    dialect: sa.Dialect, table: sa.Table, columns: tuple[str, ...], on_conflict
) -> tuple[str, tuple[str, ...] | None]:
    if dialect.name == "postgresql":
        arrays = [
            sa.func.unnest(sa.bindparam(c, type_=postgresql.ARRAY(table.c[c].type)))
            for c in columns
        ]
        statement = postgresql.insert(table).from_select(list(columns), sa.select(*arrays))
    else:
        statement = sqlite.insert(table)
    if on_conflict is not None:
        statement = on_conflict(statement)
    compiled = statement.compile(dialect=dialect, column_keys=list(columns))
    order = compiled.positiontup
    return str(compiled), (tuple(order) if order is not None else None)
