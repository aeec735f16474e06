"""Review: approve, return with a comment, reject; logged edits; consistency flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from servqual.audits import flags, visits
from servqual.audits.evidence import store_evidence
from servqual.audits.models import VisitEdit
from servqual.audits.operations import AuditRefused
from servqual.audits.review import review_visit
from servqual.audits.visits import save_answer, submit_visit
from tests.audits import builders

GOOD = {
    "GREET_DOOR": "yes",
    "WAIT": "8",
    "CLEAN": "5",
    "GREET_NAME": "yes",
    "LISTEN": "4",
    "ID_CHECK": "yes",
    "RESOLVED": "resolved",
    "COSTS": "na",
}


def submitted(world, auditor, answers=None, site=None, day=None, minutes=30):
    """Make a visit at ``site``, answer it and submit it."""
    kwargs = {"day": day} if day else {}
    visit = builders.visit(world, site or world.bogota, auditor, **kwargs)
    asked = {q.code for q in visits.visit_questions(visit)}
    for code, value in {**GOOD, **(answers or {})}.items():
        if code in asked:
            save_answer(visit, auditor, code, value)
    visit.ended_at = visit.started_at + timedelta(minutes=minutes)
    submit_visit(visit, auditor, visit.submission_token)
    return visit


def test_return_needs_a_comment_and_the_auditor_sees_it(world, auditor, client, login, english, db):
    visit = submitted(world, auditor)
    login(world.manager)
    page = client.get(f"/audits/visits/{visit.id}")
    assert page.status_code == 200 and "Record decision" in page.text
    silent = client.post(f"/audits/visits/{visit.id}/review", data={"decision": "return"})
    assert silent.status_code == 409 and "Say why" in silent.text
    assert visit.status == "submitted"
    done = client.post(
        f"/audits/visits/{visit.id}/review",
        data={"decision": "return", "comment": "La foto del turno no se ve."},
    )
    assert done.status_code == 302 and visit.status == "returned"
    login(auditor)
    mine = client.get("/my-visits/")
    assert "La foto del turno no se ve." in mine.text
    form = client.get(f"/my-visits/{visit.id}")
    assert "Returned for correction" in form.text and 'value="8 min"' in form.text
    # The auditor corrects and submits again with the new form.
    assert client.post(
        f"/my-visits/{visit.id}/answer", data={"question": "WAIT", "value": "9"}
    ).json["ok"]
    again = client.post(
        f"/my-visits/{visit.id}",
        data={"token": visit.submission_token, "action": "submit"},
        content_type="multipart/form-data",
    )
    assert again.status_code == 302 and visit.status == "submitted" and visit.submission_count == 2


def test_approve_and_reject(world, auditor, client, login, db):
    first, second = (
        submitted(world, auditor),
        submitted(world, auditor, site=world.medellin, day=builders.date(2026, 11, 12)),
    )
    login(world.manager)
    assert (
        client.post(f"/audits/visits/{first.id}/review", data={"decision": "approve"}).status_code
        == 302
    )
    assert first.status == "approved" and first.reviewer_id == world.manager.id
    assert (
        client.post(
            f"/audits/visits/{second.id}/review",
            data={"decision": "reject", "comment": "Visita inventada"},
        ).status_code
        == 302
    )
    assert second.status == "rejected"
    # A decided visit is not reviewed twice.
    twice = client.post(
        f"/audits/visits/{first.id}/review", data={"decision": "reject", "comment": "x"}
    )
    assert twice.status_code == 409 and first.status == "approved"


def test_reviewer_edits_are_logged(world, auditor, client, login, english, db):
    visit = submitted(world, auditor)
    login(world.manager)
    no_reason = client.post(
        f"/audits/visits/{visit.id}/edit",
        data={"edit-question_code": "WAIT", "edit-value": "14", "edit-reason": ""},
    )
    assert no_reason.status_code == 400
    response = client.post(
        f"/audits/visits/{visit.id}/edit",
        data={
            "edit-question_code": "WAIT",
            "edit-value": "14",
            "edit-reason": "El tiquete dice 14",
        },
    )
    assert response.status_code == 302
    edit = db.session.scalar(sa.select(VisitEdit))
    assert (edit.question_code, edit.old_value, edit.new_value) == ("WAIT", "8 min", "14 min")
    assert edit.user_id == world.manager.id and edit.reason == "El tiquete dice 14"
    page = client.get(f"/audits/visits/{visit.id}")
    assert "Changes by reviewers" in page.text and "El tiquete dice 14" in page.text
    answer = next(a for a in visit.answers if a.question_code == "WAIT")
    assert answer.is_met is False
    wrong = client.post(
        f"/audits/visits/{visit.id}/edit",
        data={"edit-question_code": "WAIT", "edit-value": "-2", "edit-reason": "typo"},
    )
    assert wrong.status_code == 409 and "cannot be negative" in wrong.text


def test_auditor_cannot_review(world, auditor, client, login, db):
    visit = submitted(world, auditor)
    login(auditor)
    assert (
        client.post(f"/audits/visits/{visit.id}/review", data={"decision": "approve"}).status_code
        == 403
    )
    with pytest.raises(AuditRefused):
        review_visit(visit, auditor, "approve", None)
    assert visit.status == "submitted"


def test_flags_contradiction_duration_and_reused_photo(world, auditor, other_auditor, db):
    angry = submitted(
        world, auditor, {"NOTES": "Muy mal servicio, el asesor fue grosero."}, minutes=3
    )
    with force_locale("en"):
        found = flags.visit_flags(angry)
    kinds = {f.kind for f in found}
    assert any("sound negative (mal, grosero)" in f.message for f in found)
    assert kinds == {"contradiction", "duration"}
    photo = builders.jpeg()
    first = builders.visit(world, world.bogota, other_auditor, builders.date(2026, 11, 20))
    second = builders.visit(world, world.medellin, auditor, builders.date(2026, 11, 21))
    visits.start_visit(first, other_auditor)
    visits.start_visit(second, auditor)
    store_evidence(first, other_auditor, photo, "TICKET_PHOTO")
    store_evidence(second, auditor, photo, "TICKET_PHOTO")
    message = [f.message for f in flags.visit_flags(second) if f.kind == "photo"]
    assert message and f"#{first.id}" in message[0]
    calm = submitted(world, auditor, site=world.bogota, day=builders.date(2026, 11, 25))
    assert flags.visit_flags(calm) == []


def test_two_proportion_z_matches_a_hand_computation():
    # 20/50 against 60/100: pooled 80/150; z = (0.4 − 0.6)/√(0.5333·0.4667·(1/50+1/100)).
    z, p = flags.two_proportion_z(20, 50, 60, 100)
    assert z == pytest.approx(-2.3146, abs=1e-4)
    assert p == pytest.approx(0.02063, abs=1e-4)


def test_an_auditor_far_from_the_others_is_flagged(world, auditor, other_auditor, make_user, db):
    strict = make_user("auditor", sites=[world.bogota, world.medellin], name="Estricto")
    misses = dict.fromkeys(("GREET_DOOR", "GREET_NAME", "ID_CHECK"), "no")
    misses.update({"WAIT": "25", "CLEAN": "1", "LISTEN": "1", "RESOLVED": "unresolved"})
    day = builders.date(2026, 11, 2)
    for i in range(6):
        site = world.bogota if i % 2 == 0 else world.medellin
        submitted(world, strict, misses, site=site, day=day + timedelta(days=i))
        submitted(world, auditor, site=site, day=day + timedelta(days=i))
        submitted(world, other_auditor, site=site, day=day + timedelta(days=i))
    found = flags.auditor_deviations(world.programme)
    assert [d.auditor.name for d in found] == ["Estricto"]
    assert found[0].rate == 0 and found[0].others_rate == 1 and found[0].p_value < 0.01


def test_evidence_needs_a_manager_of_the_site(
    world, auditor, other_auditor, make_user, client, login, db
):
    visit = builders.visit(world, world.bogota, auditor)
    visits.start_visit(visit, auditor)
    evidence, _new = store_evidence(visit, auditor, builders.jpeg(), "TICKET_PHOTO")
    url = f"/my-visits/photos/{evidence.id}"
    login(other_auditor)
    assert client.get(url).status_code == 403
    login(make_user("manager", sites=[world.medellin]))
    assert client.get(url).status_code == 403
    login(make_user("manager", sites=[world.bogota]))
    assert client.get(url).status_code == 200
    login(make_user("agent"))
    assert client.get(url).status_code == 403


def test_times_are_shown_in_the_organisation_time_zone(world, auditor, client, login, english, db):
    """Stored times are UTC; the visit form and the review show them in Bogotá time (UTC−5)."""
    visit = submitted(world, auditor)
    visit.started_at = datetime(2026, 10, 5, 15, 30, tzinfo=UTC)
    visit.ended_at = datetime(2026, 10, 5, 16, 5, tzinfo=UTC)
    for event in visit.events:
        event.at = datetime(2026, 10, 5, 16, 6, tzinfo=UTC)
    db.session.flush()
    login(world.manager)
    review = client.get(f"/audits/visits/{visit.id}")
    assert review.status_code == 200
    assert "10/5/26, 11:06" in review.text and "16:06" not in review.text
    # The trail names each step in the reader's language, not by its stored code.
    assert "Submitted for review" in review.text and "· submitted" not in review.text
    login(auditor)
    form = client.get(f"/my-visits/{visit.id}")
    assert form.status_code == 200
    # (the machine-readable datetime attribute keeps the stored UTC instant)
    assert ">10:30" in form.text and ">11:05" in form.text
    assert ">15:30" not in form.text and "UTC" not in form.text
