"""The service-model administration pages, as an administrator uses them.

Each test drives the pages through the test client (CSRF is off in the test app, so
forms are posted directly) and checks what an administrator would notice: the rows
stored, the list page, the status of the answer and the messages shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from servqual.instruments.models import Instrument, InstrumentItem, InstrumentVersion
from servqual.service.models import (
    Channel,
    ItemPillar,
    Organisation,
    Pillar,
    ServiceCycle,
    ServicePromise,
    Site,
    Standard,
    Touchpoint,
    standard_touchpoints,
    touchpoint_sites,
)
from tests import factories

MODELS: dict[str, type] = {
    "sites": Site,
    "channels": Channel,
    "cycles": ServiceCycle,
    "touchpoints": Touchpoint,
    "pillars": Pillar,
    "standards": Standard,
}

ALREADY_USED = "This value is already used by another record."
BAD_CODE = "Letters, digits, - and _ only."


@pytest.fixture
def admin(make_user, login):
    """An administrator (reading English) signed in on the test client."""
    user = make_user("admin", locale="en")
    login(user)
    return user


def text(response) -> str:
    """Return the body of ``response`` as text."""
    return response.get_data(as_text=True)


def count(db, model_or_table) -> int:
    """Count the rows of a model or table."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model_or_table))


def lookup(db, model: type, key: str):
    """Return the row of ``model`` whose code (or name, for cycles) is ``key``."""
    column = model.code if hasattr(model, "code") else model.name
    return db.session.scalar(sa.select(model).where(column == key))


def exists(db, model: type, row_id: int) -> bool:
    """Tell whether the row ``row_id`` of ``model`` is in the database."""
    return count(db, sa.select(model.id).where(model.id == row_id).subquery()) == 1


def table_body(page: str) -> str:
    """Return the ``<tbody>`` of a list page (the rows, without headings or menus)."""
    match = re.search(r"<tbody>(.*)</tbody>", page, re.S)
    assert match, "the list page has no table"
    return match.group(1)


def order_on_page(page: str, names: list[str]) -> list[str]:
    """Return ``names`` in the order their rows appear in the list page's table."""
    body = table_body(page)
    for name in names:
        assert f"<td>{name}</td>" in body, f"{name} is not listed"
    return sorted(names, key=lambda name: body.index(f"<td>{name}</td>"))


def promise(db) -> ServicePromise:
    """Write the service promise directly."""
    row = ServicePromise(statement="We serve you fast and warmly.")
    db.session.add(row)
    db.session.flush()
    return row


# --- creating each kind of record --------------------------------------------------------


def _site_case(db):
    data = {
        "code": "BOG-01",
        "name": "Bogotá centre",
        "city": "Bogotá",
        "address": "Carrera 7 # 12-34",
        "is_active": "y",
    }
    return data, {**data, "is_active": True}, ["BOG-01", "Bogotá centre", "Bogotá"]


def _inactive_site_case(db):
    data = {"code": "CLO", "name": "Cali north", "city": "", "address": ""}
    expected = {**data, "city": None, "address": None, "is_active": False}
    return data, expected, ["Cali north", "<td>no</td>"]


def _channel_case(db):
    data = {"code": "PHONE_1", "name": "Call centre", "kind": "phone"}
    return data, data, ["PHONE_1", "Call centre", "<td>Phone</td>"]


def _cycle_case(db):
    data = {"name": "Opening an account", "description": "From the first visit to the card."}
    return data, data, ["Opening an account"]


def _touchpoint_case(db):
    cycle = factories.cycle(name="Loan request")
    channel = factories.channel(name="Branch counter", kind="face_to_face")
    alpha = factories.site(name="Alpha branch")
    beta = factories.site(name="Beta branch")
    factories.site(name="Gamma branch")
    data = {
        "code": "TP-GREET",
        "name": "Greeting at the door",
        "description": "",
        "cycle_id": str(cycle.id),
        "channel_id": str(channel.id),
        "sites": [str(beta.id), str(alpha.id)],
    }
    expected = {
        "code": "TP-GREET",
        "name": "Greeting at the door",
        "description": None,
        "cycle_id": cycle.id,
        "channel_id": channel.id,
        "sites": [alpha, beta],
    }
    shown = ["Greeting at the door", "Branch counter", "Alpha branch, Beta branch", "Loan request"]
    return data, expected, shown


def _touchpoint_everywhere_case(db):
    cycle, channel = factories.cycle(), factories.channel(name="Website")
    factories.site()
    data = {
        "code": "TP-WEB",
        "name": "Online form",
        "cycle_id": str(cycle.id),
        "channel_id": str(channel.id),
    }
    expected = {"code": "TP-WEB", "cycle_id": cycle.id, "channel_id": channel.id, "sites": []}
    return data, expected, ["Online form", "Website", "<td>all</td>"]


def _pillar_case(db):
    current = promise(db)
    data = {"code": "AGILITY", "name": "Agility", "description": "We do not keep you waiting."}
    return data, {**data, "promise_id": current.id}, ["AGILITY", "Agility"]


def _standard_data(db, **fields) -> tuple[dict[str, Any], Pillar, Touchpoint]:
    pillar = factories.pillar(name="Warmth")
    touchpoint = factories.touchpoint(name="Phone answer")
    data = {
        "code": "STD-1",
        "name": "Answer within three rings",
        "pillar_id": str(pillar.id),
        "touchpoints": [str(touchpoint.id)],
        **fields,
    }
    return data, pillar, touchpoint


def _yes_no_case(db):
    data, pillar, touchpoint = _standard_data(db, kind="yes_no", requires_evidence="y")
    expected = {
        "kind": "yes_no",
        "pillar_id": pillar.id,
        "requires_evidence": True,
        "unit": None,
        "target": None,
        "direction": None,
        "rating_min": None,
        "rating_max": None,
        "touchpoints": [touchpoint],
    }
    return data, expected, ["Answer within three rings", "Yes / no", "Phone answer", "Warmth"]


def _rating_case(db):
    data, _, _ = _standard_data(
        db, kind="rating", rating_min="1", rating_max="5", target="4", direction=""
    )
    expected = {
        "kind": "rating",
        "rating_min": 1,
        "rating_max": 5,
        "target": 4.0,
        "unit": None,
        "direction": None,
        "requires_evidence": False,
    }
    return data, expected, ["<td>Rating</td>", "≥ 4 (1–5)"]


def _measured_case(db):
    data, _, _ = _standard_data(db, kind="measured", unit="min", target="5", direction="at_most")
    expected = {
        "kind": "measured",
        "unit": "min",
        "target": 5.0,
        "direction": "at_most",
        "rating_min": None,
        "rating_max": None,
    }
    return data, expected, ["Measured value", "≤ 5 min"]


CREATE_CASES = [
    pytest.param("sites", _site_case, id="site"),
    pytest.param("sites", _inactive_site_case, id="site-inactive"),
    pytest.param("channels", _channel_case, id="channel"),
    pytest.param("cycles", _cycle_case, id="cycle"),
    pytest.param("touchpoints", _touchpoint_case, id="touchpoint-at-sites"),
    pytest.param("touchpoints", _touchpoint_everywhere_case, id="touchpoint-everywhere"),
    pytest.param("pillars", _pillar_case, id="pillar"),
    pytest.param("standards", _yes_no_case, id="standard-yes-no"),
    pytest.param("standards", _rating_case, id="standard-rating"),
    pytest.param("standards", _measured_case, id="standard-measured"),
]


@pytest.mark.parametrize(("resource", "case"), CREATE_CASES)
def test_create_through_the_form(db, client, admin, resource, case):
    data, expected, shown = case(db)
    model = MODELS[resource]
    assert client.get(f"/admin/{resource}/new").status_code == 200

    response = client.post(f"/admin/{resource}/new", data=data)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/{resource}")
    row = lookup(db, model, data.get("code") or data["name"])
    assert row is not None
    for name, value in expected.items():
        assert getattr(row, name) == value, name
    if hasattr(row, "position"):
        assert row.position == 0
    page = text(client.get(f"/admin/{resource}"))
    assert "created." in page
    for snippet in shown:
        assert snippet in page


def test_a_pillar_needs_the_promise_first(db, client, admin):
    data = {"code": "WARMTH", "name": "Warmth"}

    refused = client.post("/admin/pillars/new", data=data)

    assert "Write the service promise before adding its pillars." in text(refused)
    assert count(db, Pillar) == 0

    written = client.post(
        "/admin/promise", data={"statement": "Fast, warm and true.", "adopted_on": "2026-01-15"}
    )
    assert written.status_code == 302
    current = db.session.scalar(sa.select(ServicePromise))
    assert current.statement == "Fast, warm and true."
    assert str(current.adopted_on) == "2026-01-15"
    assert "Fast, warm and true." in text(client.get("/admin/promise"))

    created = client.post("/admin/pillars/new", data=data)

    assert created.status_code == 302
    pillar = lookup(db, Pillar, "WARMTH")
    assert pillar.promise_id == current.id
    assert "<td>Warmth</td>" in text(client.get("/admin/pillars"))


def test_rewriting_the_promise_keeps_one_promise(db, client, admin):
    client.post("/admin/promise", data={"statement": "First words."})
    client.post("/admin/promise", data={"statement": "Better words."})

    assert [p.statement for p in db.session.scalars(sa.select(ServicePromise))] == ["Better words."]


def test_an_empty_promise_is_refused(db, client, admin):
    response = client.post("/admin/promise", data={"statement": "  "})

    assert response.status_code == 400
    assert count(db, ServicePromise) == 0


# --- editing -----------------------------------------------------------------------------


def _touchpoint_form(row: Touchpoint) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "cycle_id": str(row.cycle_id),
        "channel_id": str(row.channel_id),
        "sites": [str(site.id) for site in row.sites],
    }


def _standard_form(row: Standard) -> dict[str, Any]:
    return {"code": row.code, "name": row.name, "pillar_id": str(row.pillar_id), "kind": row.kind}


#: resource -> (a factory of rows, the form data that re-submits a row unchanged).
FORMS: dict[str, tuple[Callable[[], Any], Callable[[Any], dict[str, Any]]]] = {
    "sites": (
        factories.site,
        lambda r: {"code": r.code, "name": r.name, "is_active": "y" if r.is_active else ""},
    ),
    "channels": (
        factories.channel,
        lambda r: {"code": r.code, "name": r.name, "kind": r.kind},
    ),
    "cycles": (factories.cycle, lambda r: {"name": r.name}),
    "touchpoints": (factories.touchpoint, _touchpoint_form),
    "pillars": (factories.pillar, lambda r: {"code": r.code, "name": r.name}),
    "standards": (factories.standard, _standard_form),
}


def test_edit_a_site(db, client, admin):
    site = factories.site(code="MED", name="Medellín", city="Medellín")

    response = client.post(
        f"/admin/sites/{site.id}/edit",
        data={"code": "MED", "name": "Medellín El Poblado", "city": "Medellín", "address": ""},
    )

    assert response.status_code == 302
    db.session.refresh(site)
    assert (site.code, site.name, site.is_active) == ("MED", "Medellín El Poblado", False)
    page = text(client.get("/admin/sites"))
    assert "Changes saved." in page
    assert "<td>Medellín El Poblado</td>" in page
    assert "<td>no</td>" in page


def test_edit_form_shows_the_current_values(db, client, admin):
    alpha, beta = factories.site(name="Alpha branch"), factories.site(name="Beta branch")
    touchpoint = factories.touchpoint(name="Cashier", sites=[beta])

    page = text(client.get(f"/admin/touchpoints/{touchpoint.id}/edit"))

    assert 'value="Cashier"' in page
    checked = re.findall(r'<input[^>]*checked[^>]*name="sites"[^>]*value="(\d+)"', page)
    checked += re.findall(r'<input[^>]*name="sites"[^>]*value="(\d+)"[^>]*checked', page)
    assert checked == [str(beta.id)]
    assert alpha.id != beta.id


def test_edit_a_touchpoint_sites_and_channel(db, client, admin):
    alpha, beta = factories.site(name="Alpha branch"), factories.site(name="Beta branch")
    touchpoint = factories.touchpoint(name="Cashier", sites=[alpha])
    web = factories.channel(name="Website", kind="web")
    data = {**_touchpoint_form(touchpoint), "channel_id": str(web.id), "sites": []}

    response = client.post(f"/admin/touchpoints/{touchpoint.id}/edit", data=data)

    assert response.status_code == 302
    db.session.refresh(touchpoint)
    assert touchpoint.channel_id == web.id
    assert touchpoint.sites == []
    assert count(db, touchpoint_sites) == 0
    assert exists(db, Site, alpha.id) and exists(db, Site, beta.id)
    assert "<td>all</td>" in table_body(text(client.get("/admin/touchpoints")))


def test_moving_a_touchpoint_to_another_cycle_puts_it_last(db, client, admin):
    first, second = factories.cycle(name="First cycle"), factories.cycle(name="Second cycle")
    channel = factories.channel()
    for name in ("One", "Two"):
        client.post(
            "/admin/touchpoints/new",
            data={
                "code": name.upper(),
                "name": name,
                "cycle_id": str(second.id),
                "channel_id": str(channel.id),
            },
        )
    moving = factories.touchpoint(code="MOVER", name="Mover", cycle=first, channel=channel)

    data = {**_touchpoint_form(moving), "cycle_id": str(second.id)}
    assert client.post(f"/admin/touchpoints/{moving.id}/edit", data=data).status_code == 302

    db.session.refresh(moving)
    assert (moving.cycle_id, moving.position) == (second.id, 2)
    page = text(client.get("/admin/touchpoints"))
    assert order_on_page(page, ["Mover", "One", "Two"]) == ["One", "Two", "Mover"]


#: (resource, the unique field submitted twice)
UNIQUE_FIELDS = [
    ("sites", "code"),
    ("sites", "name"),
    ("channels", "code"),
    ("channels", "name"),
    ("cycles", "name"),
    ("touchpoints", "code"),
    ("pillars", "code"),
    ("pillars", "name"),
    ("standards", "code"),
]


@pytest.mark.parametrize(("resource", "field"), UNIQUE_FIELDS)
def test_editing_to_a_used_value_is_refused(db, client, admin, resource, field):
    make, form_of = FORMS[resource]
    taken, edited = make(), make()
    before = getattr(edited, field)
    data = {**form_of(edited), field: getattr(taken, field)}

    response = client.post(f"/admin/{resource}/{edited.id}/edit", data=data)

    assert response.status_code == 400
    assert ALREADY_USED in text(response)
    db.session.expire_all()
    assert getattr(db.session.get(MODELS[resource], edited.id), field) == before


@pytest.mark.parametrize(("resource", "field"), UNIQUE_FIELDS)
def test_adding_a_used_value_is_refused(db, client, admin, resource, field):
    make, form_of = FORMS[resource]
    taken, template = make(), make()
    data = form_of(template)
    for name in ("code", "name"):
        if name in data:
            data[name] = f"fresh-{name}"
    data[field] = f"  {getattr(taken, field)} " if field == "name" else getattr(taken, field)
    before = count(db, MODELS[resource])

    response = client.post(f"/admin/{resource}/new", data=data)

    assert response.status_code == 400
    assert ALREADY_USED in text(response)
    assert count(db, MODELS[resource]) == before


def test_keeping_its_own_code_is_not_a_clash(db, client, admin):
    channel = factories.channel(code="WEB", name="Website", kind="web")

    response = client.post(
        f"/admin/channels/{channel.id}/edit",
        data={"code": "WEB", "name": "Web site", "kind": "web"},
    )

    assert response.status_code == 302
    db.session.refresh(channel)
    assert (channel.code, channel.name) == ("WEB", "Web site")


# --- form validation ---------------------------------------------------------------------


STANDARD_ERRORS = [
    pytest.param(
        {"kind": "measured"},
        "A measured standard needs a unit, a target and a direction.",
        id="measured-without-anything",
    ),
    pytest.param(
        {"kind": "measured", "unit": "min", "target": "5"},
        "A measured standard needs a unit, a target and a direction.",
        id="measured-without-direction",
    ),
    pytest.param(
        {"kind": "measured", "target": "5", "direction": "at_least"},
        "A measured standard needs a unit, a target and a direction.",
        id="measured-without-unit",
    ),
    pytest.param(
        {"kind": "measured", "unit": "min", "target": "5", "direction": "sideways"},
        "Not a valid choice",
        id="measured-unknown-direction",
    ),
    pytest.param(
        {"kind": "rating", "rating_min": "5", "rating_max": "5"},
        "A rating needs a lowest and a higher highest point.",
        id="rating-max-equals-min",
    ),
    pytest.param(
        {"kind": "rating", "rating_min": "5", "rating_max": "1"},
        "A rating needs a lowest and a higher highest point.",
        id="rating-max-below-min",
    ),
    pytest.param(
        {"kind": "rating", "rating_min": "1"},
        "A rating needs a lowest and a higher highest point.",
        id="rating-without-max",
    ),
    pytest.param(
        {"kind": "rating", "rating_min": "1", "rating_max": "5", "target": "6"},
        "The target must lie on the rating scale.",
        id="rating-target-above",
    ),
    pytest.param(
        {"kind": "rating", "rating_min": "1", "rating_max": "5", "target": "0.5"},
        "The target must lie on the rating scale.",
        id="rating-target-below",
    ),
    pytest.param({"kind": "stars"}, "Not a valid choice", id="unknown-kind"),
]


@pytest.mark.parametrize(("fields", "message"), STANDARD_ERRORS)
def test_invalid_standard_is_refused(db, client, admin, fields, message):
    data, _, _ = _standard_data(db, **fields)

    response = client.post("/admin/standards/new", data=data)

    assert response.status_code == 400
    assert message in text(response)
    assert count(db, Standard) == 0


@pytest.mark.parametrize("resource", ["sites", "channels", "touchpoints", "pillars", "standards"])
@pytest.mark.parametrize("code", ["a b!", " LEAD", "-dash", "é"])
def test_bad_code_is_refused(db, client, admin, resource, code):
    make, form_of = FORMS[resource]
    data = {**form_of(make()), "code": code, "name": "Another name"}
    before = count(db, MODELS[resource])

    response = client.post(f"/admin/{resource}/new", data=data)

    assert response.status_code == 400
    assert BAD_CODE in text(response)
    assert count(db, MODELS[resource]) == before


def test_missing_required_fields_are_refused(db, client, admin):
    response = client.post("/admin/sites/new", data={"code": "", "name": ""})

    assert response.status_code == 400
    assert "This field is required." in text(response)
    assert count(db, Site) == 0


def test_unknown_cycle_for_a_touchpoint_is_refused(db, client, admin):
    data = _touchpoint_form(factories.touchpoint())
    data.update(code="NEW", cycle_id="999999")

    response = client.post("/admin/touchpoints/new", data=data)

    assert response.status_code == 400
    assert count(db, Touchpoint) == 1


# --- ordering ----------------------------------------------------------------------------


def _positions(db, cycle: ServiceCycle) -> list[tuple[str, int]]:
    rows = db.session.execute(
        sa.select(Touchpoint.name, Touchpoint.position)
        .where(Touchpoint.cycle_id == cycle.id)
        .order_by(Touchpoint.position)
    )
    return [tuple(row) for row in rows]


@pytest.fixture
def journey(db, client, admin):
    """Three touchpoints added through the form to one cycle, one to another cycle."""
    cycle, other = factories.cycle(name="Account opening"), factories.cycle(name="Claims")
    channel = factories.channel()
    for code, name, in_cycle in [
        ("ARRIVE", "Arrival", cycle),
        ("WAIT", "Waiting", cycle),
        ("SIGN", "Signing", cycle),
        ("CLAIM", "Claim desk", other),
    ]:
        response = client.post(
            "/admin/touchpoints/new",
            data={
                "code": code,
                "name": name,
                "cycle_id": str(in_cycle.id),
                "channel_id": str(channel.id),
            },
        )
        assert response.status_code == 302
    return cycle, other, {tp.name: tp for tp in db.session.scalars(sa.select(Touchpoint))}


NAMES = ["Arrival", "Waiting", "Signing"]


def test_new_touchpoints_are_numbered_within_their_cycle(db, client, journey):
    cycle, other, _ = journey

    assert _positions(db, cycle) == [("Arrival", 0), ("Waiting", 1), ("Signing", 2)]
    assert _positions(db, other) == [("Claim desk", 0)]
    assert order_on_page(text(client.get("/admin/touchpoints")), NAMES) == NAMES


@pytest.mark.parametrize(
    ("name", "direction", "expected"),
    [
        ("Signing", "up", ["Arrival", "Signing", "Waiting"]),
        ("Waiting", "up", ["Waiting", "Arrival", "Signing"]),
        ("Arrival", "down", ["Waiting", "Arrival", "Signing"]),
        ("Waiting", "down", ["Arrival", "Signing", "Waiting"]),
        ("Arrival", "up", NAMES),
        ("Signing", "down", NAMES),
    ],
)
def test_move_touchpoints_within_their_cycle(db, client, journey, name, direction, expected):
    cycle, other, touchpoints = journey

    response = client.post(f"/admin/touchpoints/{touchpoints[name].id}/move/{direction}")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/touchpoints")
    assert order_on_page(text(client.get("/admin/touchpoints")), NAMES) == expected
    assert _positions(db, cycle) == [(n, i) for i, n in enumerate(expected)]
    assert _positions(db, other) == [("Claim desk", 0)]


def test_moves_renumber_positions_after_a_gap(db, client, journey):
    cycle, _, touchpoints = journey
    assert client.post(f"/admin/touchpoints/{touchpoints['Waiting'].id}/delete").status_code == 302
    client.post(f"/admin/touchpoints/{touchpoints['Signing'].id}/move/up")
    client.post(f"/admin/touchpoints/{touchpoints['Signing'].id}/move/up")

    assert _positions(db, cycle) == [("Signing", 0), ("Arrival", 1)]


def test_move_needs_a_post(db, client, journey):
    _, _, touchpoints = journey

    assert client.get(f"/admin/touchpoints/{touchpoints['Signing'].id}/move/up").status_code == 405
    assert (
        client.post(f"/admin/touchpoints/{touchpoints['Signing'].id}/move/left").status_code == 404
    )


def test_move_channels_in_the_whole_list(db, client, admin):
    for code in ("FACE", "PHONE", "WEB"):
        client.post("/admin/channels/new", data={"code": code, "name": code, "kind": "other"})
    web = lookup(db, Channel, "WEB")

    client.post(f"/admin/channels/{web.id}/move/up")

    page = text(client.get("/admin/channels"))
    assert order_on_page(page, ["FACE", "PHONE", "WEB"]) == ["FACE", "WEB", "PHONE"]
    positions = db.session.execute(sa.select(Channel.code, Channel.position).order_by("position"))
    assert [tuple(row) for row in positions] == [("FACE", 0), ("WEB", 1), ("PHONE", 2)]


# --- deleting ----------------------------------------------------------------------------


def test_delete_asks_for_confirmation(db, client, admin):
    site = factories.site(name="Pasto")

    page = text(client.get(f"/admin/sites/{site.id}/delete"))

    assert "Delete “Pasto”? This cannot be undone." in page
    assert "Yes, delete it" in page
    assert exists(db, Site, site.id)


def _unreferenced_touchpoint_at_a_site():
    site = factories.site()
    return factories.touchpoint(sites=[site]), [(touchpoint_sites, 0), (Site, 1)]


def _unreferenced_standard_at_a_touchpoint():
    touchpoint = factories.touchpoint()
    return factories.standard(touchpoints=[touchpoint]), [
        (standard_touchpoints, 0),
        (Touchpoint, 1),
    ]


UNREFERENCED = [
    pytest.param("sites", lambda: (factories.site(), []), id="site"),
    pytest.param("channels", lambda: (factories.channel(), []), id="channel"),
    pytest.param("cycles", lambda: (factories.cycle(), []), id="cycle"),
    pytest.param("touchpoints", _unreferenced_touchpoint_at_a_site, id="touchpoint-at-a-site"),
    pytest.param("pillars", lambda: (factories.pillar(), []), id="pillar"),
    pytest.param("standards", _unreferenced_standard_at_a_touchpoint, id="standard"),
]


@pytest.mark.parametrize(("resource", "make"), UNREFERENCED)
def test_delete_an_unreferenced_record(db, client, admin, resource, make):
    row, afterwards = make()
    label = row.name
    row_id = row.id

    response = client.post(f"/admin/{resource}/{row_id}/delete")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/{resource}")
    assert not exists(db, MODELS[resource], row_id)
    for table, rows in afterwards:
        assert count(db, table) == rows
    page = text(client.get(f"/admin/{resource}"))
    assert f"“{label}” deleted." in page
    assert f"<td>{label}</td>" not in page


def _site_of_a_touchpoint(db, make_user):
    site = factories.site()
    factories.touchpoint(sites=[site])
    return site, "1 touchpoints limited to it"


def _site_of_a_user(db, make_user):
    site = factories.site()
    make_user("manager", sites=[site])
    make_user("auditor", sites=[site])
    return site, "2 staff members limited to it"


def _cycle_with_touchpoints(db, make_user):
    cycle = factories.cycle()
    factories.touchpoint(cycle=cycle)
    factories.touchpoint(cycle=cycle)
    return cycle, "2 touchpoints"


def _channel_of_a_touchpoint(db, make_user):
    channel = factories.channel()
    factories.touchpoint(channel=channel)
    return channel, "1 touchpoints"


def _pillar_with_standards(db, make_user):
    pillar = factories.pillar()
    factories.standard(pillar=pillar)
    # Its item mappings belong to it: they neither block the delete nor go with it here.
    db.session.add(ItemPillar(item_code="REL1", pillar=pillar))
    return pillar, "1 standards"


def _touchpoint_of_a_standard(db, make_user):
    touchpoint = factories.touchpoint()
    factories.standard(touchpoints=[touchpoint])
    return touchpoint, "1 standards bound to it"


REFERENCED = [
    pytest.param("sites", _site_of_a_touchpoint, id="site-of-a-touchpoint"),
    pytest.param("sites", _site_of_a_user, id="site-of-staff"),
    pytest.param("cycles", _cycle_with_touchpoints, id="cycle-with-touchpoints"),
    pytest.param("channels", _channel_of_a_touchpoint, id="channel-of-a-touchpoint"),
    pytest.param("pillars", _pillar_with_standards, id="pillar-with-standards"),
    pytest.param("touchpoints", _touchpoint_of_a_standard, id="touchpoint-of-a-standard"),
]


@pytest.mark.parametrize(("resource", "make"), REFERENCED)
def test_delete_of_a_referenced_record_is_refused(db, client, admin, make_user, resource, make):
    row, reason = make(db, make_user)
    db.session.flush()
    row_id, label = row.id, row.name
    links = count(db, ItemPillar)

    confirm = text(client.get(f"/admin/{resource}/{row_id}/delete"))
    assert reason in confirm
    assert "Yes, delete it" not in confirm

    response = client.post(f"/admin/{resource}/{row_id}/delete")

    assert response.status_code == 409
    page = text(response)
    assert f"“{label}” cannot be deleted because these records point to it: {reason}." in page
    assert exists(db, MODELS[resource], row_id)
    assert count(db, ItemPillar) == links
    assert "item mappings" not in page
    assert f"<td>{label}</td>" in text(client.get(f"/admin/{resource}"))


def test_deleting_a_pillar_removes_its_item_mappings(db, client, admin):
    pillar, kept = factories.pillar(), factories.pillar()
    db.session.add_all(
        [
            ItemPillar(item_code="REL1", pillar=pillar),
            ItemPillar(item_code="EMP1", pillar=pillar),
            ItemPillar(item_code="REL1", pillar=kept),
        ]
    )
    db.session.flush()
    pillar_id = pillar.id

    response = client.post(f"/admin/pillars/{pillar_id}/delete")

    assert response.status_code == 302
    assert not exists(db, Pillar, pillar_id)
    pairs = db.session.execute(sa.select(ItemPillar.item_code, ItemPillar.pillar_id))
    assert [tuple(row) for row in pairs] == [("REL1", kept.id)]


def test_delete_of_a_missing_record_is_not_found(db, client, admin):
    assert client.get("/admin/sites/999999/delete").status_code == 404
    assert client.post("/admin/sites/999999/delete").status_code == 404


# --- items and pillars -------------------------------------------------------------------


def _instrument(db, kind: str = "customer") -> None:
    instrument = Instrument(key=f"survey-{kind}", kind=kind)
    version = InstrumentVersion(
        instrument=instrument,
        number=1,
        content_hash="0" * 64,
        definition={"title": {"es": "Encuesta", "en": "Survey"}},
        source_file=f"survey-{kind}.yaml",
    )
    for position, (code, scored) in enumerate([("REL1", True), ("EMP1", True), ("OQ", False)]):
        version.items.append(
            InstrumentItem(
                code=code,
                dimension="overall" if code == "OQ" else code[:3].lower(),
                item_type="likert",
                position=position,
                is_scored=scored,
                label_es=f"Atributo {code}",
                label_en=f"Attribute {code}",
            )
        )
    db.session.add(instrument)
    db.session.flush()


def _pairs(db) -> set[tuple[str, int]]:
    return set(db.session.execute(sa.select(ItemPillar.item_code, ItemPillar.pillar_id)).tuples())


def test_item_pillars_without_an_instrument(db, client, admin):
    factories.pillar()

    response = client.get("/admin/item-pillars")

    assert response.status_code == 200
    assert "No survey instrument is loaded yet." in text(response)


def test_item_pillars_without_pillars(db, client, admin):
    _instrument(db)

    page = text(client.get("/admin/item-pillars"))

    assert "Add the pillars of your promise first." in page
    assert 'name="item-REL1"' not in page


def test_internal_instruments_are_not_mapped(db, client, admin):
    _instrument(db, kind="internal")
    factories.pillar()

    assert "No survey instrument is loaded yet." in text(client.get("/admin/item-pillars"))


def test_item_pillar_matrix(db, client, admin):
    _instrument(db)
    agility, warmth = factories.pillar(name="Agility"), factories.pillar(name="Warmth")

    page = text(client.get("/admin/item-pillars"))
    assert "Attribute REL1" in page and "Attribute EMP1" in page
    assert 'name="item-OQ"' not in page  # not a scored item
    assert '<th scope="col">Agility</th>' in page

    response = client.post(
        "/admin/item-pillars",
        data={"item-REL1": [str(agility.id), str(warmth.id)], "item-EMP1": str(warmth.id)},
    )

    assert response.status_code == 302
    assert _pairs(db) == {("REL1", agility.id), ("REL1", warmth.id), ("EMP1", warmth.id)}
    page = text(client.get("/admin/item-pillars"))
    assert "Item mapping saved." in page
    for code, pillar in [("REL1", agility), ("REL1", warmth), ("EMP1", warmth)]:
        assert f'id="m-{code}-{pillar.id}" checked' in page
    assert f'id="m-EMP1-{agility.id}" checked' not in page

    client.post("/admin/item-pillars", data={"item-REL1": str(agility.id)})

    assert _pairs(db) == {("REL1", agility.id)}


@pytest.mark.parametrize("tampered", ["999999", "abc", "-1", ""])
def test_item_pillars_refuses_an_unknown_pillar(db, client, admin, tampered):
    _instrument(db)
    agility, warmth = factories.pillar(), factories.pillar()
    db.session.add(ItemPillar(item_code="EMP1", pillar=agility))
    db.session.flush()

    response = client.post(
        "/admin/item-pillars",
        data={"item-REL1": [str(warmth.id), tampered], "item-EMP1": str(warmth.id)},
    )

    assert response.status_code == 400
    assert "The form contained an unknown pillar; nothing was saved." in text(response)
    assert _pairs(db) == {("EMP1", agility.id)}


# --- organisation ------------------------------------------------------------------------


def test_organisation_is_saved(db, client, admin):
    assert client.get("/admin/organisation").status_code == 200

    response = client.post(
        "/admin/organisation",
        data={"name": "Cooperativa Cordillera", "country": "pe", "timezone": "America/Lima"},
    )

    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organisation))
    assert (org.name, org.country, org.timezone) == (
        "Cooperativa Cordillera",
        "PE",
        "America/Lima",
    )
    assert 'value="Cooperativa Cordillera"' in text(client.get("/admin/organisation"))

    client.post(
        "/admin/organisation",
        data={"name": "Cordillera", "country": "CO", "timezone": "America/Bogota"},
    )

    orgs = db.session.scalars(sa.select(Organisation)).all()
    assert [(o.name, o.country) for o in orgs] == [("Cordillera", "CO")]


@pytest.mark.parametrize("country", ["COL", "C", "C0", ""])
def test_organisation_country_must_be_two_letters(db, client, admin, country):
    data = {"name": "Cooperativa", "country": country, "timezone": "America/Bogota"}

    response = client.post("/admin/organisation", data=data)

    assert response.status_code == 400
    assert count(db, Organisation) == 0

    db.session.add(Organisation(name="Kept", country="CO", timezone="America/Bogota"))
    db.session.flush()
    assert client.post("/admin/organisation", data=data).status_code == 400
    db.session.expire_all()
    org = db.session.scalar(sa.select(Organisation))
    assert (org.name, org.country) == ("Kept", "CO")


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "auditor", "agent"])
def test_only_administrators_change_the_model(db, client, make_user, login, role):
    login(make_user(role, locale="en"))

    response = client.post("/admin/sites/new", data={"code": "X1", "name": "Sneaky"})

    assert response.status_code == 403
    assert count(db, Site) == 0
