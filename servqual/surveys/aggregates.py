"""Keep :class:`~servqual.surveys.aggregate_models.CellMoments` in step with the responses.

Every place that stores responses calls :func:`record_responses` in the same transaction
(after the answers are inserted), or :func:`record_response` for one response whose
answers it holds; :func:`rebuild_cell_moments` recomputes a campaign
from its answers (CLI ``servqual gaps refresh``, bulk loads, item ↔ pillar mapping
changes). Both run one ``INSERT … SELECT`` that scores each response per pillar the way
:func:`servqual.gaps.queries.pillar_moments` does (Σ(P − E) over the pillar's items
answered on both forms, kept when at least half of them were answered) and adds the
moments per key with an upsert; rows are written in key order so that concurrent
submissions lock them in the same order.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from servqual.bulk import insert_rows
from servqual.extensions import db
from servqual.instruments.format import Instrument
from servqual.service.models import ItemPillar, Pillar
from servqual.surveys.aggregate_models import ALL_PILLARS, NO_ID, NO_SEGMENT, CellMoments
from servqual.surveys.models import Answer, Campaign, Response
from servqual.surveys.steps import instrument_of, scored_items

#: Response ids per statement when recording a batch.
BATCH = 5000
_KEY = ("campaign_id", "touchpoint_id", "site_id", "channel_id", "segment", "pillar_id")


_ITEM_PILLARS = ItemPillar.__table__
_PILLAR_ITEMS = (
    sa.select(_ITEM_PILLARS.c.pillar_id, _ITEM_PILLARS.c.item_code)
    .join(Pillar.__table__, Pillar.__table__.c.id == _ITEM_PILLARS.c.pillar_id)
    .where(_ITEM_PILLARS.c.item_code.in_(sa.bindparam("codes", expanding=True)))
    .order_by(_ITEM_PILLARS.c.pillar_id, _ITEM_PILLARS.c.item_code)
)


def pillar_groups(session, campaign: Campaign) -> dict[int, list[str]]:
    """Return pillar id (or :data:`ALL_PILLARS`) → the campaign's scored item codes in it."""
    return pillar_groups_of(session, instrument_of(campaign))


def pillar_groups_of(session, instrument: Instrument) -> dict[int, list[str]]:
    """Return pillar id (or :data:`ALL_PILLARS`) → the instrument's scored item codes in it."""
    codes = [i.code for i in scored_items(instrument)]
    groups: dict[int, list[str]] = {}
    for pillar_id, code in session.connection().execute(_PILLAR_ITEMS, {"codes": codes}):
        groups.setdefault(pillar_id, []).append(code)
    everything = sorted({c for group in groups.values() for c in group})
    if everything:
        groups[ALL_PILLARS] = everything
    return groups


def _moments_select(groups: dict[int, list[str]], conditions: list) -> sa.Select:
    """Per key and pillar: n, Σg, Σg² of the pillar scores of the responses selected."""
    ok = sa.and_(Answer.e.is_not(None), Answer.p.is_not(None))
    diff = Answer.p - Answer.e
    columns = []
    for j, (pillar_id, codes) in enumerate(groups.items()):
        inside = Answer.item_code.in_(codes) if pillar_id != ALL_PILLARS else sa.true()
        columns.append(sa.func.sum(diff).filter(inside).label(f"t{j}"))
        columns.append(sa.func.count().filter(inside).label(f"c{j}"))
    everything = groups[ALL_PILLARS]
    per_response = (
        sa.select(
            Response.campaign_id,
            Response.touchpoint_id,
            sa.func.coalesce(Response.site_id, NO_ID).label("site_id"),
            sa.func.coalesce(Response.channel_id, NO_ID).label("channel_id"),
            sa.func.coalesce(Response.segment, NO_SEGMENT).label("segment"),
            *columns,
        )
        .join(Answer, Answer.response_id == Response.id)
        .where(*conditions, ok, Answer.item_code.in_(everything))
        .group_by(Response.id)
        .subquery("per_response")
    )
    pillars = sa.union_all(
        *[
            sa.select(
                sa.literal(j, sa.Integer).label("j"),
                sa.literal(pillar_id, sa.Integer).label("pillar_id"),
                sa.literal(len(codes), sa.Integer).label("k"),
            )
            for j, (pillar_id, codes) in enumerate(groups.items())
        ]
    ).subquery("pillars")
    r = per_response.c

    def pick(prefix: str) -> sa.ColumnElement:
        return sa.case({j: r[f"{prefix}{j}"] for j in range(len(groups))}, value=pillars.c.j)

    scored = (
        sa.select(
            r.campaign_id,
            r.touchpoint_id,
            r.site_id,
            r.channel_id,
            r.segment,
            pillars.c.pillar_id,
            pillars.c.k,
            pick("t").label("total"),
            pick("c").label("answered"),
        )
        .select_from(per_response.join(pillars, sa.true()))
        .subquery("scored")
    )
    s = scored.c
    score = sa.cast(s.total, sa.Float) / s.answered
    keys = [s.campaign_id, s.touchpoint_id, s.site_id, s.channel_id, s.segment, s.pillar_id]
    return (
        sa.select(*keys, sa.func.count(), sa.func.sum(score), sa.func.sum(score * score))
        .where(s.answered > 0, 2 * s.answered >= s.k)
        .group_by(*keys)
        .order_by(*keys)
    )


def _upsert_statement(dialect_name: str, select: sa.Select):
    """The upsert adding the moments ``select`` computes to cell_moments."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    insert = dialect.insert(CellMoments).from_select([*_KEY, "n", "total", "total_sq"], select)
    return _add_moments(insert)


def _upsert(session, select: sa.Select) -> None:
    session.execute(_upsert_statement(session.get_bind().dialect.name, select))


#: The compiled "add these responses" upsert, by dialect and pillar groups. SQLAlchemy does
#: not cache the compiled form of an INSERT … SELECT … ON CONFLICT, and building and
#: compiling this one costs milliseconds of CPU, which every single submission paid.
_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _record_statement(session, groups: dict[int, list[str]]):
    dialect = session.get_bind().dialect
    by_groups = _COMPILED.setdefault(dialect, {})
    key = tuple((pillar_id, tuple(codes)) for pillar_id, codes in groups.items())
    compiled = by_groups.get(key)
    if compiled is None:
        conditions = [
            Response.campaign_id == sa.bindparam("campaign_id"),
            Response.id.in_(sa.bindparam("ids", expanding=True)),
        ]
        select = _moments_select(groups, conditions)
        compiled = by_groups[key] = _upsert_statement(dialect.name, select).compile(dialect=dialect)
    return compiled


def record_responses(campaign: Campaign, response_ids: Iterable[int], session=None) -> None:
    """Add new responses of ``campaign`` (answers already inserted) to its cell moments.

    Call it once per batch, in the transaction that stores the responses.
    """
    session = session if session is not None else db.session
    ids = sorted(response_ids)
    groups = pillar_groups(session, campaign)
    if not ids or not groups:
        return
    session.flush()
    statement = _record_statement(session, groups)
    connection = session.connection()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        connection.execute(statement, {"campaign_id": campaign.id, "ids": chunk})


def record_response(
    campaign_id: int,
    instrument: Instrument,
    cell: tuple[int, int | None, int | None, str | None],
    differences: dict[str, int],
    session=None,
) -> None:
    """Add one new response to its cell moments, from its scores already in memory.

    ``cell`` is (touchpoint, site, channel, segment) and ``differences`` maps each item
    answered on both forms to P − E. The pillar scores are computed here exactly as the
    ``INSERT … SELECT`` of :func:`record_responses` computes them (the same float
    division and squares), so a submission costs the database one small upsert instead
    of a join over its answers.
    """
    session = session if session is not None else db.session
    touchpoint_id, site_id, channel_id, segment = cell
    rows = []
    for pillar_id, codes in pillar_groups_of(session, instrument).items():
        found = [differences[code] for code in codes if code in differences]
        if found and 2 * len(found) >= len(codes):
            score = sum(found) / len(found)
            rows.append(
                {
                    "campaign_id": campaign_id,
                    "touchpoint_id": touchpoint_id,
                    "site_id": NO_ID if site_id is None else site_id,
                    "channel_id": NO_ID if channel_id is None else channel_id,
                    "segment": NO_SEGMENT if segment is None else segment,
                    "pillar_id": pillar_id,
                    "n": 1,
                    "total": score,
                    "total_sq": score * score,
                }
            )
    if rows:
        rows.sort(key=lambda row: tuple(row[k] for k in _KEY))
        insert_rows(session.connection(), CellMoments.__table__, rows, on_conflict=_add_moments)


def _add_moments(insert):
    """Add the new moments to a key's existing ones."""
    table = CellMoments.__table__
    return insert.on_conflict_do_update(
        index_elements=list(_KEY),
        set_={
            "n": table.c.n + insert.excluded.n,
            "total": table.c.total + insert.excluded.total,
            "total_sq": table.c.total_sq + insert.excluded.total_sq,
        },
    )


def rebuild_cell_moments(campaign_id: int, session=None) -> None:
    """Recompute one campaign's cell moments from all its answers (replaces its rows)."""
    session = session if session is not None else db.session
    if session.get_bind().dialect.name == "postgresql":
        # One hash aggregate over the campaign's answers: let it stay in memory.
        session.execute(sa.text("SET LOCAL jit = off"))
        session.execute(sa.text("SET LOCAL work_mem = '128MB'"))
    campaign = session.get(Campaign, campaign_id)
    session.execute(sa.delete(CellMoments).where(CellMoments.campaign_id == campaign_id))
    if campaign is None:
        return
    groups = pillar_groups(session, campaign)
    if groups:
        _upsert(session, _moments_select(groups, [Response.campaign_id == campaign_id]))


def campaigns_with_items(codes: Sequence[str], session=None) -> list[int]:
    """Return the ids of the campaigns with responses whose instrument scores any of ``codes``."""
    session = session if session is not None else db.session
    wanted = set(codes)
    found = []
    for campaign in session.scalars(
        sa.select(Campaign).where(Campaign.id.in_(sa.select(Response.campaign_id).distinct()))
    ):
        instrument = instrument_of(campaign)
        if wanted & {i.code for i in scored_items(instrument)}:
            found.append(campaign.id)
    return sorted(found)
