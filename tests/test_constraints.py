"""The database itself keeps the invariants, even when the forms and Python are bypassed.

Rows are inserted through the ORM (or deleted with plain SQL) and flushed inside a
savepoint; a broken invariant must come back as ``IntegrityError`` from the database,
and the rows around it must be left as they were.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DataError, IntegrityError

from servqual.accounts.models import User, user_sites
from servqual.service.models import (
    Channel,
    ChannelKind,
    ItemPillar,
    Organisation,
    Site,
    Standard,
    Touchpoint,
    standard_touchpoints,
    touchpoint_sites,
)
from tests import factories


@contextmanager
def refused(db, errors=IntegrityError):
    """Expect the database to refuse what the block writes; undo only that."""
    with pytest.raises(errors), db.session.begin_nested():
        yield
        db.session.flush()


def add_and_flush(db, row) -> None:
    """Store ``row`` now."""
    db.session.add(row)
    db.session.flush()


def count(db, table, **where) -> int:
    """Count the rows of ``table`` whose columns equal ``where``."""
    query = sa.select(sa.func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    return db.session.scalar(query)


def delete_row(db, table: str, row_id: int) -> None:
    """Delete one row with plain SQL, as a script or a console session would."""
    db.session.execute(sa.text(f"DELETE FROM {table} WHERE id = :id"), {"id": row_id})  # noqa: S608


def standard(**fields) -> Standard:
    """Build (but do not store) a standard on a new pillar."""
    pillar_id = factories.pillar().id
    return Standard(code="STD-X", name="A standard", pillar_id=pillar_id, **fields)


# --- unique values and known kinds ------------------------------------------------------


@pytest.mark.parametrize("column", ["code", "name"])
def test_site_code_and_name_are_unique(db, column):
    taken = factories.site(code="BOG", name="Bogotá")
    row = Site(code="MED", name="Medellín")
    setattr(row, column, getattr(taken, column))

    with refused(db):
        db.session.add(row)

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Site)) == 1


@pytest.mark.parametrize("kind", [kind.value for kind in ChannelKind])
def test_every_channel_kind_is_accepted(db, kind):
    add_and_flush(db, Channel(code=f"C-{kind}", name=kind, kind=kind))


@pytest.mark.parametrize("kind", ["carrier_pigeon", "Phone", ""])
def test_unknown_channel_kind_is_refused(db, kind):
    with refused(db):
        db.session.add(Channel(code="X", name="Pigeon post", kind=kind))


@pytest.mark.parametrize("kind", ["stars", "YES_NO", ""])
def test_unknown_standard_kind_is_refused(db, kind):
    row = standard(kind=kind)
    with refused(db):
        db.session.add(row)


# --- standards: what each kind needs ----------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"kind": "yes_no"}, id="yes-no"),
        pytest.param({"kind": "rating", "rating_min": 1, "rating_max": 5}, id="rating"),
        pytest.param(
            {"kind": "rating", "rating_min": 1, "rating_max": 5, "target": 5}, id="rating-top"
        ),
        pytest.param(
            {"kind": "rating", "rating_min": 1, "rating_max": 5, "target": 1}, id="rating-bottom"
        ),
        pytest.param(
            {"kind": "measured", "unit": "min", "target": 5, "direction": "at_most"},
            id="measured-at-most",
        ),
        pytest.param(
            {"kind": "measured", "unit": "%", "target": 95, "direction": "at_least"},
            id="measured-at-least",
        ),
    ],
)
def test_valid_standards_are_accepted(db, fields):
    add_and_flush(db, standard(**fields))


MEASURED = {"kind": "measured", "unit": "min", "target": 5.0, "direction": "at_most"}


@pytest.mark.parametrize("missing", ["unit", "target", "direction"])
def test_measured_standard_needs_unit_target_and_direction(db, missing):
    row = standard(**{**MEASURED, missing: None})

    with refused(db):
        db.session.add(row)

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Standard)) == 0


@pytest.mark.parametrize(
    ("low", "high"),
    [(5, 5), (5, 1), (None, 5), (1, None), (None, None)],
)
def test_rating_needs_a_scale(db, low, high):
    row = standard(kind="rating", rating_min=low, rating_max=high)

    with refused(db):
        db.session.add(row)


@pytest.mark.parametrize("target", [0.5, 5.5, -1, 100])
def test_rating_target_lies_on_the_scale(db, target):
    row = standard(kind="rating", rating_min=1, rating_max=5, target=target)

    with refused(db):
        db.session.add(row)


@pytest.mark.parametrize("kind", ["measured", "yes_no"])
@pytest.mark.parametrize("direction", ["sideways", "AT_MOST", "at most"])
def test_direction_is_at_most_or_at_least(db, kind, direction):
    row = standard(**{**MEASURED, "kind": kind, "direction": direction})

    with refused(db):
        db.session.add(row)


def test_a_valid_standard_cannot_be_broken_later(db):
    row = standard(kind="rating", rating_min=1, rating_max=5, target=4)
    add_and_flush(db, row)

    with refused(db):
        row.rating_max = 3

    db.session.refresh(row)
    assert (row.rating_min, row.rating_max, row.target) == (1, 5, 4)


# --- users and the organisation ---------------------------------------------------------


def _user(**fields) -> User:
    return User(
        email=fields.pop("email", "ana@example.com"),
        name="Ana",
        password_hash="x",
        role=fields.pop("role", "manager"),
        **fields,
    )


@pytest.mark.parametrize("role", ["admin", "manager", "auditor", "agent"])
def test_known_roles_are_accepted(db, role):
    add_and_flush(db, _user(role=role))


@pytest.mark.parametrize("role", ["superuser", "Admin", ""])
def test_unknown_user_role_is_refused(db, role):
    with refused(db):
        db.session.add(_user(role=role))


@pytest.mark.parametrize("email", ["Ana@example.com", "ana@EXAMPLE.COM", "ANA@EXAMPLE.COM"])
def test_user_email_is_lower_case(db, email):
    with refused(db):
        db.session.add(_user(email=email))

    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_user_email_is_unique(db):
    add_and_flush(db, _user())

    with refused(db):
        db.session.add(_user(role="agent"))


@pytest.mark.parametrize("country", ["COL", "C", ""])
def test_organisation_country_has_two_characters(db, country):
    # PostgreSQL stops a third letter at the column's length (a DataError) already.
    with refused(db, (IntegrityError, DataError)):
        db.session.add(Organisation(name="Cooperativa", country=country, timezone="UTC"))


# --- deletes: RESTRICT keeps what points here, CASCADE removes a row's own links ---------


def _site_of_a_touchpoint(db, make_user):
    site = factories.site()
    factories.touchpoint(sites=[site])
    return "sites", site.id, touchpoint_sites, "site_id"


def _site_of_a_user(db, make_user):
    site = factories.site()
    make_user("manager", sites=[site])
    return "sites", site.id, user_sites, "site_id"


def _touchpoint_of_a_standard(db, make_user):
    touchpoint = factories.touchpoint()
    factories.standard(touchpoints=[touchpoint])
    return "touchpoints", touchpoint.id, standard_touchpoints, "touchpoint_id"


def _cycle_of_a_touchpoint(db, make_user):
    touchpoint = factories.touchpoint()
    return "service_cycles", touchpoint.cycle_id, Touchpoint.__table__, "cycle_id"


def _channel_of_a_touchpoint(db, make_user):
    touchpoint = factories.touchpoint()
    return "channels", touchpoint.channel_id, Touchpoint.__table__, "channel_id"


def _pillar_of_a_standard(db, make_user):
    row = factories.standard()
    return "pillars", row.pillar_id, Standard.__table__, "pillar_id"


RESTRICTED = [
    pytest.param(_site_of_a_touchpoint, id="site-in-touchpoint_sites"),
    pytest.param(_site_of_a_user, id="site-in-user_sites"),
    pytest.param(_touchpoint_of_a_standard, id="touchpoint-in-standard_touchpoints"),
    pytest.param(_cycle_of_a_touchpoint, id="cycle-of-a-touchpoint"),
    pytest.param(_channel_of_a_touchpoint, id="channel-of-a-touchpoint"),
    pytest.param(_pillar_of_a_standard, id="pillar-of-a-standard"),
]


@pytest.mark.parametrize("make", RESTRICTED)
def test_delete_of_a_referenced_row_is_refused(db, make_user, make):
    table, row_id, referencing, column = make(db, make_user)
    references = count(db, referencing, **{column: row_id})
    assert references >= 1

    with refused(db):
        delete_row(db, table, row_id)

    assert count(db, db.metadata.tables[table], id=row_id) == 1
    assert count(db, referencing, **{column: row_id}) == references


def test_deleting_a_touchpoint_removes_its_site_links(db):
    alpha, beta = factories.site(), factories.site()
    touchpoint = factories.touchpoint(sites=[alpha, beta])
    other = factories.touchpoint(sites=[alpha])
    touchpoint_id = touchpoint.id
    db.session.expunge(touchpoint)

    delete_row(db, "touchpoints", touchpoint_id)

    assert count(db, touchpoint_sites, touchpoint_id=touchpoint_id) == 0
    assert count(db, touchpoint_sites, touchpoint_id=other.id) == 1
    assert count(db, Site.__table__) == 2


def test_deleting_a_standard_removes_its_touchpoint_links(db):
    touchpoint = factories.touchpoint()
    row = factories.standard(touchpoints=[touchpoint])
    standard_id = row.id
    db.session.expunge(row)

    delete_row(db, "standards", standard_id)

    assert count(db, standard_touchpoints) == 0
    assert count(db, Touchpoint.__table__, id=touchpoint.id) == 1


def test_deleting_a_pillar_removes_its_item_mappings(db):
    pillar, kept = factories.pillar(), factories.pillar()
    db.session.add_all(
        [
            ItemPillar(item_code="REL1", pillar=pillar),
            ItemPillar(item_code="REL1", pillar=kept),
        ]
    )
    db.session.flush()
    pillar_id = pillar.id
    db.session.expunge_all()

    delete_row(db, "pillars", pillar_id)

    assert count(db, ItemPillar.__table__, pillar_id=pillar_id) == 0
    assert count(db, ItemPillar.__table__, pillar_id=kept.id) == 1


def test_deleting_a_user_removes_their_site_limits(db, make_user):
    site = factories.site()
    user = make_user("auditor", sites=[site])
    user_id = user.id
    db.session.expunge(user)

    delete_row(db, "users", user_id)

    assert count(db, user_sites) == 0
    assert count(db, Site.__table__, id=site.id) == 1


def test_a_delete_via_the_orm_core_is_refused_too(db):
    site = factories.site()
    factories.touchpoint(sites=[site])

    with refused(db):
        db.session.execute(sa.delete(Site).where(Site.id == site.id))

    assert count(db, touchpoint_sites, site_id=site.id) == 1
