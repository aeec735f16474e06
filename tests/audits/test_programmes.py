"""Programmes: creation against the service model, quota scheduling, assignment and claims."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from servqual.audits import operations
from servqual.audits.models import AuditProgramme, Visit, VisitEvent
from servqual.audits.operations import AuditRefused, ProgrammeInput
from tests.audits import builders


def _programme_form(world, **changes):
    data = {
        "name": "Ronda de diciembre",
        "instrument_version_id": world.branch_checklist.id,
        "sites": [world.bogota.id, world.medellin.id],
        "touchpoints": [world.touchpoints[c].id for c in ("LLEGADA", "TURNO", "ASESORIA")],
        "starts_on": "2026-12-01",
        "ends_on": "2027-01-31",
        "visits_per_site_month": "3",
        "channel_mix": "OFI=100",
    }
    data.update(changes)
    return data


def test_manager_creates_a_programme_and_visits_follow_the_quota(world, client, login, english, db):
    login(world.manager)
    response = client.post("/audits/programmes/new", data=_programme_form(world))
    assert response.status_code == 302
    programme = db.session.scalar(
        sa.select(AuditProgramme).where(AuditProgramme.name == "Ronda de diciembre")
    )
    visits = programme.visits
    # 3 visits × 2 sites × 2 months, all on the branch channel, inside the period.
    assert len(visits) == 12
    assert {v.channel_id for v in visits} == {world.branch.id}
    assert all(date(2026, 12, 1) <= v.scheduled_on <= date(2027, 1, 31) for v in visits)
    page = client.get(response.headers["Location"])
    assert "Ronda de diciembre" in page.text and page.text.count("Assign") >= 12
    # Scheduling again adds nothing: the quota is met.
    assert operations.schedule_visits(programme) == 0


def test_a_checklist_that_does_not_fit_the_model_is_refused(world, client, login, english, db):
    login(world.manager)
    world.standards["TIMBRES"].code = "TIMBRES_OLD"  # the phone checklist names TIMBRES
    db.session.flush()
    data = _programme_form(
        world,
        instrument_version_id=world.phone_checklist.id,
        touchpoints=[world.touchpoints["LLAMADA"].id],
        channel_mix="",
    )
    response = client.post("/audits/programmes/new", data=data)
    assert response.status_code == 400
    assert "standard TIMBRES does not exist" in response.text


def test_channel_mix_must_add_up(world, client, login, english):
    login(world.manager)
    response = client.post(
        "/audits/programmes/new", data=_programme_form(world, channel_mix="OFI=60")
    )
    assert response.status_code == 400 and "must add up to 100" in response.text
    unknown = client.post(
        "/audits/programmes/new", data=_programme_form(world, channel_mix="XYZ=100")
    )
    assert unknown.status_code == 400 and "Unknown channel code: XYZ" in unknown.text


def test_channel_mix_splits_the_quota(world, db):
    tp = world.touchpoints
    programme = operations.create_programme(
        ProgrammeInput(
            name="Mixto",
            version=world.branch_checklist,
            sites=[world.bogota],
            touchpoints=[tp["LLEGADA"], tp["TURNO"]],
            starts_on=date(2026, 11, 1),
            ends_on=date(2026, 11, 30),
            visits_per_site_month=4,
            channel_mix={world.branch.id: 100},
        ),
        world.manager,
    )
    assert operations.schedule_visits(programme) == 4
    assert operations._allocate(5, {1: 70, 2: 30}) == {1: 4, 2: 1}  # largest remainder


def test_site_or_touchpoint_outside_the_programme_is_refused(
    world, client, login, english, db, make_user
):
    cali = builders.factories.site(code="CLO", name="Cali")
    login(world.manager)
    url = f"/audits/programmes/{world.programme.id}/visits"
    response = client.post(url, data={"visit-site_id": cali.id, "visit-scheduled_on": "2026-11-12"})
    assert response.status_code == 409 and "Cali is not a site of this programme" in response.text
    call = world.touchpoints["LLAMADA"]
    response = client.post(
        url,
        data={
            "visit-site_id": world.bogota.id,
            "visit-touchpoint_id": call.id,
            "visit-scheduled_on": "2026-11-12",
        },
    )
    assert (
        response.status_code == 409
        and "Llamada is not a touchpoint of this programme" in response.text
    )
    late = client.post(
        url, data={"visit-site_id": world.bogota.id, "visit-scheduled_on": "2027-03-01"}
    )
    assert late.status_code == 409 and "outside the programme" in late.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Visit)) == 0


def test_rotation_refuses_the_same_site_twice_in_a_row(world, auditor, client, login, english, db):
    builders.visit(world, world.bogota, auditor, date(2026, 11, 3))
    second = builders.visit(world, world.bogota, None, date(2026, 11, 17))
    login(world.manager)
    response = client.post(f"/audits/visits/{second.id}/assign", data={"auditor_id": auditor.id})
    assert response.status_code == 409
    assert "Rotation" in response.text and "same site twice in a row" in response.text
    assert second.auditor_id is None
    # After a visit elsewhere, the same site is fine again.
    builders.visit(world, world.medellin, auditor, date(2026, 11, 10))
    assert (
        client.post(
            f"/audits/visits/{second.id}/assign", data={"auditor_id": auditor.id}
        ).status_code
        == 302
    )
    assert second.auditor_id == auditor.id


def test_conflicts_are_refused_with_a_reason(world, auditor, make_user, db):
    builders.visit(world, world.bogota, auditor, date(2026, 11, 3))
    same_day = builders.visit(world, world.medellin, None, date(2026, 11, 3))
    outsider = make_user("auditor", sites=[world.bogota])
    with force_locale("en"):
        with pytest.raises(AuditRefused, match="already has a branch visit"):
            operations.assign_visit(same_day, auditor, world.manager)
        with pytest.raises(AuditRefused, match="does not audit Medellín"):
            operations.assign_visit(same_day, outsider, world.manager)
        with pytest.raises(AuditRefused, match="not an active auditor"):
            operations.assign_visit(same_day, world.manager, world.manager)


def test_auditors_claim_from_the_board_first_come_first_served(
    world, auditor, other_auditor, client, login, english, db
):
    visit = builders.visit(world, world.bogota, None)
    login(auditor)
    board = client.get("/my-visits/")
    assert "Take this visit" in board.text
    assert client.post(f"/my-visits/{visit.id}/claim").status_code == 302
    assert visit.auditor_id == auditor.id
    login(other_auditor)
    refused = client.post(f"/my-visits/{visit.id}/claim", follow_redirects=True)
    assert "already taken" in refused.text
    assert visit.auditor_id == auditor.id
    actions = db.session.scalars(
        sa.select(VisitEvent.action).where(VisitEvent.visit_id == visit.id)
    )
    assert list(actions) == ["claimed"]


def test_an_auditor_cannot_open_or_change_another_auditors_visit(
    world, auditor, other_auditor, client, login, db
):
    visit = builders.visit(world, world.bogota, auditor)
    login(other_auditor)
    assert client.get(f"/my-visits/{visit.id}").status_code == 403
    assert (
        client.post(
            f"/my-visits/{visit.id}/answer", data={"question": "WAIT", "value": "3"}
        ).status_code
        == 403
    )
    assert client.post(f"/my-visits/{visit.id}", data={"q-WAIT": "3"}).status_code == 403
    assert client.post(f"/my-visits/{visit.id}/start").status_code == 403
    assert client.post(f"/my-visits/{visit.id}/end").status_code == 403
    assert visit.status == "scheduled" and not visit.answers
    # Nor any manager page.
    assert client.get("/audits/").status_code == 403
    assert client.get(f"/audits/visits/{visit.id}").status_code == 403
    assert client.get(f"/audits/programmes/{world.programme.id}").status_code == 403


def test_managers_see_only_visits_at_their_sites(world, auditor, make_user, client, login, db):
    visit = builders.visit(world, world.bogota, auditor)
    limited = make_user("manager", sites=[world.medellin])
    login(limited)
    assert client.get(f"/audits/visits/{visit.id}").status_code == 403
    page = client.get(f"/audits/programmes/{world.programme.id}")
    assert page.status_code == 200 and f'visits/{visit.id}"' not in page.text


def test_a_manager_plans_only_at_their_sites(world, make_user, client, login, english, db):
    limited = make_user("manager", sites=[world.medellin])
    login(limited)
    form = client.get("/audits/programmes/new")
    assert "Medellín" in form.text and "Bogotá" not in form.text
    response = client.post("/audits/programmes/new", data=_programme_form(world))
    assert response.status_code == 400  # Bogotá is not a choice for this manager
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditProgramme)
            .where(AuditProgramme.name == "Ronda de diciembre")
        )
        == 0
    )
