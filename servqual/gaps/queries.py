"""SQL reads of the database adapter (:mod:`servqual.gaps.sources`): campaigns, layouts, labels,
the nested-GROUP-BY pillar scores of the summary, the internal ratings of the gap chain and
the previous wave. Streaming the responses is :mod:`servqual.gaps.stream`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import sqlalchemy as sa

from servqual.extensions import db
from servqual.gaps.accumulate import PROMISE, Layout
from servqual.gaps.assemble import ChainInputs
from servqual.gaps.audit_queries import audit_compliance
from servqual.gaps.stats import Histogram, Moments
from servqual.gaps.wave import CORRECTIONS, GROUPINGS, CampaignInfo, ItemInfo, Label, Scope
from servqual.instruments.format import from_definition
from servqual.instruments.models import InstrumentVersion
from servqual.service.models import Channel, ItemPillar, Pillar, Site, Touchpoint
from servqual.surveys.aggregate_models import ALL_PILLARS, CellMoments
from servqual.surveys.internal_models import (
    CommunicationRating,
    DeliveryRating,
    ManagementRating,
    SpecificationRating,
)
from servqual.surveys.models import (
    Answer,
    Campaign,
    Response,
    SurveyFormat,
    campaign_touchpoints,
)
from servqual.surveys.steps import importance_item, scored_items

#: Score levels, always reported: accepted in ``by`` and ignored there.
SCORE_LEVELS = ("pillar", "dimension")


class SourceError(ValueError):
    """A request the adapter refuses (unknown campaign, grouping, correction); for the user."""


def session_of(session):
    """Return ``session``, or Flask-SQLAlchemy's session when None."""
    return session if session is not None else db.session


def campaign_or_error(session, campaign_id: int) -> Campaign:
    """Return the campaign or raise :class:`SourceError`."""
    campaign = session.get(Campaign, campaign_id) if isinstance(campaign_id, int) else None
    if campaign is None:
        raise SourceError(f"no campaign with id {campaign_id!r}")
    return campaign


def check_arguments(by: Sequence[str], correction: str) -> tuple[tuple[str, ...], str]:
    """Validate ``by`` and ``correction``; return the groupings and the core's method name."""
    by = tuple(g for g in dict.fromkeys(by) if g not in SCORE_LEVELS)
    unknown = [g for g in by if g not in GROUPINGS]
    if unknown:
        raise SourceError(
            f"unknown grouping {', '.join(unknown)} (use: {', '.join(GROUPINGS)}; "
            "pillar and dimension are score levels, always reported)"
        )
    if correction not in CORRECTIONS:
        raise SourceError(f"unknown correction {correction!r} (use holm or bh)")
    return by, CORRECTIONS[correction]


def scope_filter(scope: Scope) -> list[sa.ColumnElement[bool]]:
    """Return the WHERE conditions on ``responses`` that select the scope."""
    conditions = [Response.campaign_id == scope.campaign_id]
    for column, values in (
        (Response.site_id, scope.site_ids),
        (Response.touchpoint_id, scope.touchpoint_ids),
        (Response.channel_id, scope.channel_ids),
        (Response.segment, scope.segments),
    ):
        if values is not None:
            conditions.append(column.in_(values))
    return conditions


def tune_session(session) -> None:
    """On PostgreSQL, for this transaction: no JIT (it costs more than it saves on these
    aggregations) and enough ``work_mem`` for the wave's hash aggregates not to spill."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL jit = off"))
        session.execute(sa.text("SET LOCAL work_mem = '64MB'"))


# --- what is measured -----------------------------------------------------------------------


def layout_of(session, campaign: Campaign, lang: str) -> tuple[Layout, dict, tuple[ItemInfo, ...]]:
    """Return what the campaign measures, the pillar/dimension/item labels and item infos."""
    instrument = from_definition(campaign.instrument_version.definition)
    items = scored_items(instrument)
    codes = tuple(i.code for i in items)
    pillars = session.execute(sa.select(Pillar).order_by(Pillar.position, Pillar.id)).scalars()
    pillars = list(pillars)
    mapped: dict[str, list[str]] = {}
    for code, pillar_code in session.execute(
        sa.select(ItemPillar.item_code, Pillar.code).join(Pillar).order_by(Pillar.position)
    ):
        mapped.setdefault(code, []).append(pillar_code)
    dims = [d for d in instrument.dimensions if any(i.dimension == d["code"] for i in items)]
    allocation = importance_item(instrument) if campaign.ask_importance else None
    dim_codes = tuple(d["code"] for d in dims)
    among = tuple(d for d in allocation.params["among"] if d in dim_codes) if allocation else ()
    layout = Layout(
        items=codes,
        item_dimensions=tuple(i.dimension for i in items),
        dimensions=dim_codes,
        item_pillars=tuple(tuple(mapped.get(c, ())) for c in codes),
        pillars=tuple(p.code for p in pillars),
        low=min((int(i.params["min"]) for i in items), default=1),
        high=max((int(i.params["max"]) for i in items), default=7),
        zone=campaign.format == SurveyFormat.ZONE_OF_TOLERANCE,
        importance=among,
    )
    labels = {
        "pillar": {p.code: Label("pillar", p.code, p.code, p.name) for p in pillars},
        "dimension": {
            d["code"]: Label("dimension", d["code"], d["code"], d["label"].get(lang, d["code"]))
            for d in dims
        },
        "item": {i.code: Label("item", i.code, i.code, i.label.get(lang, i.code)) for i in items},
    }
    infos = tuple(
        ItemInfo(i.code, i.label.get(lang, i.code), i.dimension, layout.item_pillars[j])
        for j, i in enumerate(items)
    )
    return layout, labels, infos


def campaign_info(session, campaign: Campaign, layout: Layout, n: int) -> CampaignInfo:
    """Describe the campaign for the results."""
    version = session.get(InstrumentVersion, campaign.instrument_version_id)
    return CampaignInfo(
        id=campaign.id,
        name=campaign.name,
        wave=campaign.wave,
        format=campaign.format,
        instrument_key=version.instrument.key,
        instrument_version=version.number,
        scale_low=layout.low if layout.items else None,
        scale_high=layout.high if layout.items else None,
        n_responses=n,
    )


def touchpoints_of(session, scope: Scope) -> list[Touchpoint]:
    """Return the campaign's touchpoints within the scope, in cycle order."""
    query = (
        sa.select(Touchpoint)
        .join(campaign_touchpoints, campaign_touchpoints.c.touchpoint_id == Touchpoint.id)
        .where(campaign_touchpoints.c.campaign_id == scope.campaign_id)
        .order_by(Touchpoint.position, Touchpoint.id)
    )
    if scope.touchpoint_ids is not None:
        query = query.where(Touchpoint.id.in_(scope.touchpoint_ids))
    if scope.channel_ids is not None:
        query = query.where(Touchpoint.channel_id.in_(scope.channel_ids))
    return list(session.scalars(query))


def group_labels(session, touchpoints: list[Touchpoint]) -> dict[str, dict[Hashable, Label]]:
    """Return the labels of touchpoints, sites and channels by id."""
    sites = session.scalars(sa.select(Site).order_by(Site.name))
    channels = session.scalars(sa.select(Channel).order_by(Channel.position))
    labels: dict[str, dict[Hashable, Label]] = {
        "touchpoint": {t.id: Label("touchpoint", t.id, t.code, t.name) for t in touchpoints},
        "site": {s.id: Label("site", s.id, s.code, s.name) for s in sites},
        "channel": {c.id: Label("channel", c.id, c.code, c.name) for c in channels},
    }
    return labels


# --- aggregated reads -----------------------------------------------------------------------


def pillar_moments(session, scope: Scope, layout: Layout) -> dict[tuple[int, str], Moments]:
    """Return (touchpoint id, group) → moments of respondents' Gap 5 pillar scores.

    Groups are ``pillar:<code>`` and ``promise`` (every pillar item). One nested GROUP BY:
    per response and group Σ(P − E) and the number of items answered on both forms,
    kept when at least half the group's items were answered (:func:`group_scores`);
    then n, Σs, Σs² of s = Σ/answered per touchpoint and group.
    """
    groups = {k: v for k, v in layout.score_groups.items() if k != PROMISE and v}
    groups = {k: v for k, v in groups.items() if k.startswith("pillar:")}
    if layout.score_groups[PROMISE]:
        groups[PROMISE] = layout.score_groups[PROMISE]
    if not groups:
        return {}
    mapping = sa.union_all(
        *[
            sa.select(
                sa.literal(layout.items[j], sa.String).label("code"),
                sa.literal(key, sa.String).label("grp"),
                sa.literal(len(idx), sa.Integer).label("k"),
            )
            for key, idx in groups.items()
            for j in idx
        ]
    ).cte("score_groups")
    inner = (
        sa.select(
            Response.touchpoint_id.label("tp"),
            mapping.c.grp,
            mapping.c.k,
            sa.func.sum(Answer.p - Answer.e).label("total"),
            sa.func.count().label("answered"),
        )
        .join(Answer, Answer.response_id == Response.id)
        .join(mapping, mapping.c.code == Answer.item_code)
        .where(*scope_filter(scope), Answer.e.is_not(None), Answer.p.is_not(None))
        .group_by(Response.id, Response.touchpoint_id, mapping.c.grp, mapping.c.k)
        .subquery()
    )
    score = sa.cast(inner.c.total, sa.Float) / inner.c.answered
    outer = (
        sa.select(
            inner.c.tp, inner.c.grp, sa.func.count(), sa.func.sum(score), sa.func.sum(score * score)
        )
        .where(2 * inner.c.answered >= inner.c.k)
        .group_by(inner.c.tp, inner.c.grp)
    )
    return {
        (tp, grp): Moments(int(n), float(total), float(total_sq))
        for tp, grp, n, total, total_sq in session.execute(outer)
    }


def stored_pillar_moments(session, scope: Scope, layout: Layout) -> dict[tuple[int, str], Moments]:
    """:func:`pillar_moments` read from the maintained :class:`CellMoments` (one GROUP BY).

    The scope's filters apply to the key columns; equal to :func:`pillar_moments` as
    long as the table is maintained (see :mod:`servqual.surveys.aggregates`).
    """
    groups = layout.score_groups
    codes = {
        pillar_id: f"pillar:{code}"
        for pillar_id, code in session.execute(sa.select(Pillar.id, Pillar.code))
        if groups.get(f"pillar:{code}")
    }
    if groups[PROMISE]:
        codes[ALL_PILLARS] = PROMISE
    if not codes:
        return {}
    conditions = [CellMoments.campaign_id == scope.campaign_id]
    for column, values in (
        (CellMoments.site_id, scope.site_ids),
        (CellMoments.touchpoint_id, scope.touchpoint_ids),
        (CellMoments.channel_id, scope.channel_ids),
        (CellMoments.segment, scope.segments),
    ):
        if values is not None:
            conditions.append(column.in_(values))
    query = (
        sa.select(
            CellMoments.touchpoint_id,
            CellMoments.pillar_id,
            sa.func.sum(CellMoments.n),
            sa.func.sum(CellMoments.total),
            sa.func.sum(CellMoments.total_sq),
        )
        .where(*conditions, CellMoments.pillar_id.in_(list(codes)))
        .group_by(CellMoments.touchpoint_id, CellMoments.pillar_id)
    )
    return {
        (tp, codes[pillar_id]): Moments(int(n), float(total), float(total_sq))
        for tp, pillar_id, n, total, total_sq in session.execute(query)
        if n
    }


def chain_inputs(session, scope: Scope, layout: Layout, touchpoints: list[int]) -> ChainInputs:
    """Read M, S, C and D (ratings and audits) of the wave for the scope's touchpoints and sites."""
    index = {code: j for j, code in enumerate(layout.items)}
    c = scope.campaign_id
    management: dict[int, dict[int, np.ndarray]] = {}
    for tp, user, code, value in session.execute(
        sa.select(
            ManagementRating.touchpoint_id,
            ManagementRating.user_id,
            ManagementRating.item_code,
            ManagementRating.value,
        ).where(ManagementRating.campaign_id == c, ManagementRating.touchpoint_id.in_(touchpoints))
    ):
        if code in index:
            row = management.setdefault(tp, {}).setdefault(user, np.full(len(index), np.nan))
            row[index[code]] = np.nan if value is None else value
    specification = {
        (tp, code): (float(value) if has and value is not None else None)
        for tp, code, has, value in session.execute(
            sa.select(
                SpecificationRating.touchpoint_id,
                SpecificationRating.item_code,
                SpecificationRating.has_standard,
                SpecificationRating.value,
            ).where(SpecificationRating.campaign_id == c)
        )
    }
    communication = {
        (tp, code): float(value)
        for tp, code, value in session.execute(
            sa.select(
                CommunicationRating.touchpoint_id,
                CommunicationRating.item_code,
                CommunicationRating.value,
            ).where(CommunicationRating.campaign_id == c)
        )
    }
    delivered = sa.select(
        DeliveryRating.touchpoint_id,
        DeliveryRating.item_code,
        DeliveryRating.value,
        sa.func.count(),
    ).where(DeliveryRating.campaign_id == c)
    if scope.site_ids is not None:
        delivered = delivered.where(DeliveryRating.site_id.in_(scope.site_ids))
    counts: dict[tuple[int, str], dict[int, int]] = {}
    for tp, code, value, n in session.execute(
        delivered.group_by(
            DeliveryRating.touchpoint_id, DeliveryRating.item_code, DeliveryRating.value
        )
    ):
        counts.setdefault((tp, code), {})[int(value)] = int(n)
    return ChainInputs(
        management={tp: np.vstack(list(rows.values())) for tp, rows in management.items()},
        specification=specification,
        communication=communication,
        delivery={key: Histogram.from_counts(v) for key, v in counts.items()},
        audits=audit_compliance(session, scope, touchpoints, layout.pillars),
    )


def previous_campaign_id(session, campaign: Campaign) -> int | None:
    """Return the previous wave of ``campaign`` (see :mod:`servqual.gaps.sources`)."""

    def order(row: Campaign) -> tuple:
        day = row.opens_on or (row.created_at.date() if row.created_at else None)
        return (day.toordinal() if day else 0, row.id)

    instrument_id = campaign.instrument_version.instrument_id
    mine = select_touchpoints(campaign.id)
    candidates = session.scalars(
        sa.select(Campaign)
        .join(InstrumentVersion, InstrumentVersion.id == Campaign.instrument_version_id)
        .where(
            InstrumentVersion.instrument_id == instrument_id,
            Campaign.id != campaign.id,
            Campaign.id.in_(
                sa.select(campaign_touchpoints.c.campaign_id).where(
                    campaign_touchpoints.c.touchpoint_id.in_(mine)
                )
            ),
        )
    ).all()
    earlier = [row for row in candidates if order(row) < order(campaign)]
    return max(earlier, key=order).id if earlier else None


def select_touchpoints(campaign_id: int) -> sa.Select:
    """Return a SELECT of the touchpoint ids a campaign covers."""
    return sa.select(campaign_touchpoints.c.touchpoint_id).where(
        campaign_touchpoints.c.campaign_id == campaign_id
    )


def count_responses(session, scope: Scope) -> int:
    """Return the number of responses in the scope."""
    return int(
        session.scalar(sa.select(sa.func.count()).select_from(Response).where(*scope_filter(scope)))
        or 0
    )
