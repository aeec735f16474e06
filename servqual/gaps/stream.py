"""Stream a wave's responses, packed in SQL, into :class:`~servqual.gaps.accumulate.WaveStatistics`.

Part of the database adapter (:mod:`servqual.gaps.sources`). One row per response
travels: the answers of its items packed into a few integers (4 bits a measure: value
+ 1, 0 for N/A; 8 bits for an importance allocation), so item scales must stay within
0–14, as every shipped scale does. Chunks of :data:`CHUNK` responses come through a
server-side cursor and are folded in numpy: memory stays flat whatever the wave's size.
"""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa

from servqual.gaps.accumulate import Layout, WaveStatistics
from servqual.gaps.queries import scope_filter
from servqual.gaps.wave import Scope
from servqual.surveys.models import Answer, ImportancePoints, Response

#: Responses per streamed chunk.
CHUNK = 20_000
_BITS = 4
_POINT_BITS = 8
_WORD_BITS = 60


def _packing(layout: Layout) -> tuple[dict[str, tuple[int, int]], int]:
    """Place each item (4 bits × measures) and each importance dimension (8 bits) in words."""
    measures = 4 if layout.zone else 2
    places: dict[str, tuple[int, int]] = {}
    word, shift = 0, 0
    for code in layout.items:
        if shift + measures * _BITS > _WORD_BITS:
            word, shift = word + 1, 0
        places[code] = (word, shift)
        shift += measures * _BITS
    word, shift = (word + 1, 0) if layout.items else (0, 0)
    for dim in layout.importance:
        if shift + _POINT_BITS > _WORD_BITS:
            word, shift = word + 1, 0
        places["~" + dim] = (word, shift)
        shift += _POINT_BITS
    return places, (word + 1 if shift else word)


def _stream_statement(scope: Scope, layout: Layout, places, words: int):
    """One row per response: overall, the packed words, then the cell key.

    Each word is a correlated scalar subquery over the response's own answers (the
    primary key (response_id, item_code) serves it), so the database streams rows in
    constant memory instead of hashing every answer of the wave by response.
    """

    def part(column) -> sa.ColumnElement:
        return sa.func.coalesce(sa.cast(column, sa.BigInteger) + 1, 0)

    value = part(Answer.e) + 16 * part(Answer.p)
    if layout.zone:
        value = value + 256 * part(Answer.a) + 4096 * part(Answer.ds)
    columns = []
    for w in range(words):
        codes = {c: 1 << shift for c, (word, shift) in places.items() if word == w}
        items = {c: f for c, f in codes.items() if not c.startswith("~")}
        if items:
            factor = sa.case(items, value=Answer.item_code)
            packed = sa.select(sa.cast(sa.func.sum(value * factor), sa.BigInteger)).where(
                Answer.response_id == Response.id, Answer.item_code.in_(list(items))
            )
        else:
            dims = {c[1:]: f for c, f in codes.items()}
            factor = sa.case(dims, value=ImportancePoints.dimension)
            packed = sa.select(
                sa.cast(sa.func.sum(part(ImportancePoints.points) * factor), sa.BigInteger)
            ).where(
                ImportancePoints.response_id == Response.id,
                ImportancePoints.dimension.in_(list(dims)),
            )
        columns.append(packed.scalar_subquery().label(f"w{w}"))
    return sa.select(
        Response.overall_quality,
        *columns,
        Response.touchpoint_id,
        Response.site_id,
        Response.channel_id,
        Response.segment,
    ).where(*scope_filter(scope))


def _joined_statement(scope: Scope, layout: Layout, places, words: int):
    """One row per response, as :func:`_stream_statement`, from one join and GROUP BY.

    The scope's responses (the campaign index selects them) are joined to their
    answers and each word is a conditional sum, so every answer is read once; the
    importance words stay correlated subqueries (one short row per dimension).
    """

    def part(column) -> sa.ColumnElement:
        return sa.func.coalesce(sa.cast(column, sa.BigInteger) + 1, 0)

    value = part(Answer.e) + 16 * part(Answer.p)
    if layout.zone:
        value = value + 256 * part(Answer.a) + 4096 * part(Answer.ds)
    columns = []
    for w in range(words):
        codes = {c: 1 << shift for c, (word, shift) in places.items() if word == w}
        items = {c: f for c, f in codes.items() if not c.startswith("~")}
        if items:
            factor = sa.case(items, value=Answer.item_code)
            packed = sa.cast(sa.func.sum(value * factor), sa.BigInteger)
        else:
            dims = {c[1:]: f for c, f in codes.items()}
            factor = sa.case(dims, value=ImportancePoints.dimension)
            packed = (
                sa.select(
                    sa.cast(sa.func.sum(part(ImportancePoints.points) * factor), sa.BigInteger)
                )
                .where(
                    ImportancePoints.response_id == Response.id,
                    ImportancePoints.dimension.in_(list(dims)),
                )
                .scalar_subquery()
            )
        columns.append(packed.label(f"w{w}"))
    key = (Response.touchpoint_id, Response.site_id, Response.channel_id, Response.segment)
    # The scope's id range: lets the database read only that stretch of the answers'
    # primary key instead of every wave's answers (a superset; the join does the rest).
    ids = sa.select(sa.func.min(Response.id), sa.func.max(Response.id)).where(*scope_filter(scope))
    low = ids.with_only_columns(sa.func.min(Response.id)).scalar_subquery()
    high = ids.with_only_columns(sa.func.max(Response.id)).scalar_subquery()
    return (
        sa.select(Response.overall_quality, *columns, *key)
        .select_from(Response)
        .outerjoin(
            Answer,
            sa.and_(
                Answer.response_id == Response.id,
                Answer.response_id.between(low, high),
                Answer.item_code.in_(list(layout.items)),
            ),
        )
        .where(*scope_filter(scope))
        .group_by(Response.id, Response.overall_quality, *key)
    )


def _measure(packed: np.ndarray, places, layout: Layout, offset: int) -> np.ndarray:
    """Return the respondents × items values of one measure (offset 0 E, 4 P, 8 A, 12 Ds)."""
    columns = [_unpack(packed, places[c], offset, _BITS) for c in layout.items]
    return np.column_stack(columns) if columns else np.empty((packed.shape[0], 0))


def _unpack(words: np.ndarray, place: tuple[int, int], offset: int, bits: int) -> np.ndarray:
    raw = (words[:, place[0]] >> (place[1] + offset)) & ((1 << bits) - 1)
    return np.where(raw == 0, np.nan, raw - 1.0)


def accumulate(session, scope: Scope, layout: Layout) -> WaveStatistics:
    """Stream the scope's responses in chunks and fold them into the wave's statistics."""
    stats = WaveStatistics(layout)
    places, words = _packing(layout)
    if not places:
        return _count_only(session, scope, stats)
    # PostgreSQL: one join and GROUP BY (a merge or hash aggregate over the scope's
    # answers); SQLite: per-response correlated subqueries, which its planner runs best.
    if session.get_bind().dialect.name == "postgresql":
        statement = _joined_statement(scope, layout, places, words)
    else:
        statement = _stream_statement(scope, layout, places, words)
    result = session.execute(statement.execution_options(yield_per=CHUNK))
    for chunk in result.partitions(CHUNK):
        # Plain tuples: numpy probes a SQLAlchemy Row's attributes, ten times slower.
        chunk = [tuple(row) for row in chunk]
        table = np.array(chunk, dtype=object)
        overall = table[:, 0].astype(float)
        packed = np.where(table[:, 1 : 1 + words] == None, 0, table[:, 1 : 1 + words])  # noqa: E711
        packed = packed.astype(np.int64)
        keys = [row[-4:] for row in chunk]

        points = None
        if layout.importance:
            points = np.column_stack(
                [_unpack(packed, places["~" + d], 0, _POINT_BITS) for d in layout.importance]
            )
        stats.add(
            keys,
            _measure(packed, places, layout, 0),
            _measure(packed, places, layout, 4),
            overall,
            points,
            _measure(packed, places, layout, 8) if layout.zone else None,
            _measure(packed, places, layout, 12) if layout.zone else None,
        )
    return stats


def _count_only(session, scope: Scope, stats: WaveStatistics) -> WaveStatistics:
    """An instrument without scored items: count the responses, nothing else to add."""
    stats.n_responses = session.scalar(
        sa.select(sa.func.count()).select_from(Response).where(*scope_filter(scope))
    )
    return stats
