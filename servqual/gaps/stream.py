"""Stream a wave's responses, packed in SQL, into :class:`~servqual.gaps.accumulate.WaveStatistics`.

Part of the database adapter (:mod:`servqual.gaps.sources`). One row per response
travels: the answers of its items packed into a few integers (4 bits a measure: value
+ 1, 0 for N/A; 8 bits for an importance allocation; every item and dimension starts on
a byte), so item scales must stay within 0–14, as every shipped scale does. Chunks of
:data:`CHUNK` responses are folded in numpy: memory stays flat whatever the wave's size.

On PostgreSQL the database packs the answers with one parallel GROUP BY and sends the
rows as a binary COPY of fixed-width integers, read straight into numpy
(:func:`_accumulate_copy`); elsewhere a server-side cursor yields SQLAlchemy rows
(:func:`_stream_statement`). Both give the fold the same arrays (tests/gaps/test_stream.py).
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


#: Sentinel for NULL in the binary rows of :func:`_copy_statement` (no id, overall or
#: segment index is this small).
_NULL = -(1 << 40)


def _packed_words(sources, low, high, words: list[int]):
    """Per response in the id range: each word's bits, OR of value × factor, over ``sources``.

    Each source is (table, key, value, places), ``places`` mapping a code of column
    ``key`` to its (word, shift); a small VALUES table per source gives each code its
    factor per word (0 in the other words), joined by hash. The sources' rows are put
    together (UNION ALL) and grouped once by response, so the database reads each row
    once and aggregates every source with the same parallel workers. The codes' bits
    never overlap, so ``bit_or`` equals the sum, and costs the database less.
    """
    names = [f"f{w}" for w in words]
    parts = []
    for i, (table, key, value, places) in enumerate(sources):
        factors = sa.values(
            sa.column("code", sa.String),
            *(sa.column(n, sa.BigInteger) for n in names),
            name=f"factors_{i}",
        ).data(
            [(c, *(1 << s if w == word else 0 for word in words)) for c, (w, s) in places.items()]
        )
        parts.append(
            sa.select(
                table.c.response_id.label("response_id"),
                value.label("v"),
                *(factors.c[n].label(n) for n in names),
            )
            .join(factors, factors.c.code == key)
            .where(table.c.response_id.between(low, high))
        )
    valued = (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery("valued")
    return (
        sa.select(
            valued.c.response_id,
            *(
                sa.cast(sa.func.bit_or(valued.c.v * valued.c[n]), sa.BigInteger).label(f"w{w}")
                for w, n in zip(words, names, strict=True)
            ),
        )
        .group_by(valued.c.response_id)
        .subquery("packed")
    )


def _copy_statement(scope: Scope, layout: Layout, places, words: int, segments, low, high):
    """PostgreSQL: one row per response of non-NULL ``int8`` columns, for a binary COPY.

    Columns: overall quality, the packed words, touchpoint, site, channel and the index
    of the segment in ``segments``, with :data:`_NULL` for NULL (−1: a segment not in
    the list). The answers and importance points of the scope's id range ``low``..``high``
    are packed per response (:func:`_packed_words`), then joined to the scope's responses.
    """

    def part(column) -> sa.ColumnElement:
        return sa.func.coalesce(sa.cast(column, sa.BigInteger) + 1, 0)

    def null(column) -> sa.ColumnElement:
        return sa.func.coalesce(sa.cast(column, sa.BigInteger), _NULL)

    answers, points = Answer.__table__, ImportancePoints.__table__
    answer = part(answers.c.e) + 16 * part(answers.c.p)
    if layout.zone:
        answer = answer + 256 * part(answers.c.a) + 4096 * part(answers.c.ds)
    sources = []
    for table, key, value, codes in (
        (answers, answers.c.item_code, answer, [c for c in places if c[0] != "~"]),
        (points, points.c.dimension, part(points.c.points), [c for c in places if c[0] == "~"]),
    ):
        if codes:
            sources.append((table, key, value, {c.removeprefix("~"): places[c] for c in codes}))
    used = sorted({w for w, _ in places.values()})
    packed = _packed_words(sources, low, high, used)
    joined = Response.__table__.outerjoin(packed, packed.c.response_id == Response.id)
    word_of = {w: sa.func.coalesce(packed.c[f"w{w}"], 0) for w in used}
    segment = (
        sa.case(
            {s: i for i, s in enumerate(segments) if s is not None},
            value=Response.segment,
            else_=-1,
        )
        if any(s is not None for s in segments)
        else sa.literal(-1, sa.BigInteger)
    )
    return (
        sa.select(
            null(Response.overall_quality),
            *(word_of.get(w, sa.literal(0, sa.BigInteger)) for w in range(words)),
            null(Response.touchpoint_id),
            null(Response.site_id),
            null(Response.channel_id),
            sa.cast(sa.case((Response.segment.is_(None), _NULL), else_=segment), sa.BigInteger),
        )
        .select_from(joined)
        .where(*scope_filter(scope))
    )


def accumulate(
    session, scope: Scope, layout: Layout, *, copy: bool | None = None
) -> WaveStatistics:
    """Stream the scope's responses in chunks and fold them into the wave's statistics.

    PostgreSQL (psycopg 3) reads them with a binary COPY (:func:`_copy_statement`);
    other databases (and PostgreSQL with ``copy=False``) through SQLAlchemy rows
    (:func:`_stream_statement`: per-response correlated subqueries, which SQLite's
    planner runs best).
    """
    places, words = _packing(layout)
    if not places:
        return _count_only(session, scope, WaveStatistics(layout))
    if copy is None:
        dialect = session.get_bind().dialect
        copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
    if copy:
        stats = _accumulate_copy(session, scope, layout, places, words)
        if stats is not None:
            return stats
    stats = WaveStatistics(layout)
    statement = _stream_statement(scope, layout, places, words)
    result = session.execute(statement.execution_options(yield_per=CHUNK))
    for chunk in result.partitions(CHUNK):
        # Plain tuples: numpy probes a SQLAlchemy Row's attributes, ten times slower.
        chunk = [tuple(row) for row in chunk]
        table = np.array(chunk, dtype=object)
        overall = table[:, 0].astype(float)
        packed = np.where(table[:, 1 : 1 + words] == None, 0, table[:, 1 : 1 + words])  # noqa: E711
        _add_packed(stats, layout, places, [row[-4:] for row in chunk], None, overall, packed)
    return stats


#: Byte → value: the low four bits (E, A) or the high four (P, Ds), or a whole byte
#: (importance points), 0 being N/A and v + 1 the value v.
_LOW = np.array([np.nan if b & 15 == 0 else (b & 15) - 1.0 for b in range(256)])
_HIGH = np.array([np.nan if b >> 4 == 0 else (b >> 4) - 1.0 for b in range(256)])
_WHOLE = np.array([np.nan] + [b - 1.0 for b in range(1, 256)])


def _add_packed(stats, layout, places, keys, index, overall, packed) -> None:
    """Unpack one chunk and fold it in (``index``: row → position in ``keys``, or None).

    Every item and importance dimension starts on a byte boundary of its word, so the
    words are read as bytes: an item's first byte is its (E, P) pair, the second its
    (A, Ds); a dimension's byte is its points.
    """
    packed = np.ascontiguousarray(packed, dtype="<i8")
    raw = packed.view(np.uint8).reshape(packed.shape[0], -1)

    def at(code: str, byte: int = 0) -> int:
        word, shift = places[code]
        return word * 8 + shift // 8 + byte

    pairs = raw[:, [at(c) for c in layout.items]]
    points = _WHOLE[raw[:, [at("~" + d) for d in layout.importance]]] if layout.importance else None
    adequate = desired = None
    if layout.zone:
        zone = raw[:, [at(c, 1) for c in layout.items]]
        adequate, desired = _LOW[zone], _HIGH[zone]
    arrays = (_LOW[pairs], _HIGH[pairs], overall, points, adequate, desired)
    if index is None:
        stats.add(keys, *arrays, pairs=pairs)
    else:
        stats.add_cells(keys, index, *arrays, pairs=pairs)


#: The binary COPY format's header (signature, flags, extension length) and trailer.
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_COPY_TRAILER = b"\xff\xff"


def _accumulate_copy(session, scope: Scope, layout: Layout, places, words: int):
    """PostgreSQL: fold the rows of :func:`_copy_statement`, read with a binary COPY.

    Every column is a non-NULL ``int8``, so each row has the same width and a chunk of
    rows is one :func:`numpy.frombuffer`. Returns None when a segment appeared after
    the segments were listed (a response arriving meanwhile): the caller then streams.
    """
    low, high = session.execute(
        sa.select(sa.func.min(Response.id), sa.func.max(Response.id)).where(*scope_filter(scope))
    ).one()
    stats = WaveStatistics(layout)
    if low is None:
        return stats
    segments = sorted(
        session.scalars(sa.select(Response.segment).where(*scope_filter(scope)).distinct()),
        key=lambda s: (s is None, s or ""),
    )
    statement = _copy_statement(scope, layout, places, words, segments, low, high)
    compiled = statement.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    columns = 1 + words + 4
    row = np.dtype(
        [("fields", ">i2")]
        + [
            (f"{k}{i}", ">i{}".format(4 if k == "l" else 8))
            for i in range(columns)
            for k in ("l", "v")
        ]
    )
    cursor = session.connection().connection.driver_connection.cursor()

    def fold(buffer: bytes | memoryview) -> bool:
        table = np.frombuffer(buffer, dtype=row)
        if np.any(table["fields"] != columns):
            raise RuntimeError("unexpected row in PostgreSQL's binary COPY")
        values = np.column_stack([table[f"v{i}"] for i in range(columns)]).astype(np.int64)
        keys = values[:, -4:]
        if np.any(keys[:, 3] == -1):
            return False
        distinct, index = _distinct_rows(keys)
        cells = [
            (*(None if v == _NULL else int(v) for v in key[:3]), _segment(segments, key[3]))
            for key in distinct
        ]
        overall = np.where(values[:, 0] == _NULL, np.nan, values[:, 0].astype(float))
        _add_packed(
            stats, layout, places, cells, index.reshape(-1), overall, values[:, 1 : 1 + words]
        )
        return True

    size = CHUNK * row.itemsize
    # For this one statement: enough memory to hash the per-response groups without
    # spilling them to disk. (An error aborts the transaction, which drops it too.)
    saved = cursor.execute(
        "SELECT current_setting('work_mem'), set_config('work_mem', %s, true)",
        (_COPY_WORK_MEM,),
    ).fetchone()[0]
    stats = _read_copy(cursor, compiled, row, size, fold, stats)
    cursor.execute("SELECT set_config('work_mem', %s, true)", (saved,))
    return stats


#: ``work_mem`` of the COPY of :func:`_accumulate_copy` (per worker and hash table).
_COPY_WORK_MEM = "64MB"


def _read_copy(cursor, compiled, row, size: int, fold, stats):
    """Run the binary COPY of ``compiled`` and fold its rows (None: ``fold`` gave up)."""
    with cursor.copy(f"COPY ({compiled}) TO STDOUT (FORMAT BINARY)", compiled.params) as copy:
        pending = bytearray()
        started = False
        for data in copy:
            pending += data
            if not started and len(pending) >= len(_COPY_HEADER):
                if pending[: len(_COPY_HEADER) - 4] != _COPY_HEADER[:-4]:
                    raise RuntimeError("unexpected header of PostgreSQL's binary COPY")
                del pending[: len(_COPY_HEADER)]
                started = True
            if started and len(pending) >= size:
                if not fold(memoryview(pending)[:size]):
                    return None
                del pending[:size]
        if pending[-2:] != _COPY_TRAILER or (len(pending) - 2) % row.itemsize:
            raise RuntimeError("unexpected end of PostgreSQL's binary COPY")
        if len(pending) > 2 and not fold(memoryview(pending)[:-2]):
            return None
    return stats


def _distinct_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, axis=0, return_inverse=True)``, column by column (ten times faster)."""
    code = np.zeros(len(keys), dtype=np.int64)
    for column in keys.T:
        values, inverse = np.unique(column, return_inverse=True)
        code = code * len(values) + inverse.reshape(-1)
        _, first, code = np.unique(code, return_index=True, return_inverse=True)
    return keys[first], code.reshape(-1)


def _segment(segments: list[str | None], index: int) -> str | None:
    return None if index == _NULL else segments[int(index)]


def _count_only(session, scope: Scope, stats: WaveStatistics) -> WaveStatistics:
    """An instrument without scored items: count the responses, nothing else to add."""
    stats.n_responses = session.scalar(
        sa.select(sa.func.count()).select_from(Response).where(*scope_filter(scope))
    )
    return stats
