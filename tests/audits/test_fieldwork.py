"""The auditor's checklist: answers saved as they go, checked on the spot, submitted once."""

from __future__ import annotations

import io

import sqlalchemy as sa
from PIL import Image

from servqual.audits import visits
from servqual.audits.models import Evidence, VisitAnswer
from servqual.audits.queries import approved_answers
from servqual.audits.review import review_visit
from tests.audits import builders


def _answer(client, visit, code, value):
    return client.post(f"/my-visits/{visit.id}/answer", data={"question": code, "value": value})


def _stored(db, visit, code):
    return db.session.scalar(
        sa.select(VisitAnswer).where(
            VisitAnswer.visit_id == visit.id, VisitAnswer.question_code == code
        )
    )


def test_answers_are_saved_one_by_one_and_shown_again(world, auditor, client, login, english, db):
    visit = builders.visit(world, world.bogota, auditor)
    login(auditor)
    page = client.get(f"/my-visits/{visit.id}")
    assert page.status_code == 200
    assert "Arrival and reception" in page.text and "Signing and handover" in page.text

    response = _answer(client, visit, "WAIT", "12")
    assert response.status_code == 200
    assert response.json["ok"] and "Misses the standard ≤ 10 min" in response.json["verdict"]
    assert _answer(client, visit, "GREET_DOOR", "yes").json["verdict"].startswith("Meets")
    assert _answer(client, visit, "CLEAN", "4").json["ok"]
    # The visit started with the first answer; its start time is recorded.
    assert visit.status == "in_progress" and visit.started_at is not None

    again = client.get(f"/my-visits/{visit.id}")
    assert 'name="q-WAIT" value="12 min"' in again.text
    assert 'name="q-GREET_DOOR" value="yes" checked' in again.text
    assert 'name="q-CLEAN" value="4" checked' in again.text
    wait = _stored(db, visit, "WAIT")
    assert (wait.value_number, wait.is_met, wait.score) == (12, False, 0.0)
    assert wait.standard.code == "ESPERA" and wait.touchpoint.code == "TURNO"
    assert wait.weight == 2  # section weight 1 × question weight 2


def test_measured_values_are_checked_against_the_standard(
    world, auditor, client, login, english, db
):
    visit = builders.visit(world, world.bogota, auditor)
    login(auditor)
    negative = _answer(client, visit, "WAIT", "-3")
    assert negative.status_code == 422 and "cannot be negative" in negative.json["message"]
    wrong_unit = _answer(client, visit, "WAIT", "3 kg")
    assert wrong_unit.status_code == 422 and "give the value in min" in wrong_unit.json["message"]
    assert _stored(db, visit, "WAIT") is None  # nothing stored for a refused value
    seconds = _answer(client, visit, "WAIT", "540 s")
    assert seconds.json["ok"] and seconds.json["verdict"].startswith("Meets")
    assert _stored(db, visit, "WAIT").value_number == 9  # converted to the standard's minutes
    not_a_number = _answer(client, visit, "WAIT", "soon")
    assert not_a_number.status_code == 422
    assert _stored(db, visit, "WAIT").value_number == 9  # the earlier answer is not lost


def test_not_applicable_is_kept_out_of_the_base(world, auditor, client, login, db):
    visit = builders.visit(world, world.bogota, auditor)
    login(auditor)
    assert _answer(client, visit, "COSTS", "na").json["ok"]
    costs = _stored(db, visit, "COSTS")
    assert costs.is_not_applicable and costs.score is None and costs.is_met is None


def test_questions_outside_the_visit_are_refused(world, auditor, client, login, english, db):
    visit = builders.visit(world, world.medellin, auditor)  # FIRMA is not at Medellín
    login(auditor)
    page = client.get(f"/my-visits/{visit.id}")
    assert "Signing and handover" not in page.text
    response = _answer(client, visit, "COSTS", "yes")
    assert response.status_code == 422 and "not part of this visit" in response.json["message"]
    assert _answer(client, visit, "RINGS", "2").status_code == 422  # a phone-checklist question


def _fill(client, visit, submit=True, **extra):
    data = {
        "q-GREET_DOOR": "yes",
        "q-WAIT": "8",
        "q-CLEAN": "5",
        "q-GREET_NAME": "yes",
        "q-LISTEN": "4",
        "q-ID_CHECK": "yes",
        "q-RESOLVED": "resolved",
        "na-COSTS": "1",
        "token": visit.submission_token,
        "action": "submit" if submit else "save",
        **extra,
    }
    return client.post(f"/my-visits/{visit.id}", data=data, content_type="multipart/form-data")


def test_submitting_twice_is_refused_and_changes_nothing(
    world, auditor, client, login, english, db
):
    visit = builders.visit(world, world.bogota, auditor)
    login(auditor)
    first = _fill(client, visit)
    assert first.status_code == 302
    assert visit.status == "submitted" and visit.submission_count == 1
    submitted_at = visit.submitted_at
    answers = db.session.scalar(sa.select(sa.func.count()).select_from(VisitAnswer))
    second = _fill(client, visit, **{"q-WAIT": "30"})
    assert second.status_code == 409
    assert "already submitted" in second.text
    db.session.refresh(visit)
    assert visit.submission_count == 1 and visit.submitted_at == submitted_at
    assert _stored(db, visit, "WAIT").value_number == 8
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VisitAnswer)) == answers


def test_submit_lists_what_is_missing(world, auditor, client, login, english, db):
    visit = builders.visit(world, world.bogota, auditor)
    login(auditor)
    response = _fill(client, visit, **{"q-LISTEN": "", "na-COSTS": ""})
    assert response.status_code == 409
    assert "Answer these before submitting" in response.text and "Listening" in response.text
    assert visit.status == "in_progress"
    assert _stored(db, visit, "WAIT").value_number == 8  # what was given is saved


def test_no_js_save_keeps_good_answers_and_shows_the_bad_one(
    world, auditor, client, login, english, db
):
    visit = builders.visit(world, world.bogota, auditor)
    login(auditor)
    response = _fill(client, visit, submit=False, **{"q-WAIT": "-1"})
    assert response.status_code == 422
    assert "cannot be negative" in response.text
    assert 'value="-1"' in response.text  # what the auditor typed is shown again
    assert _stored(db, visit, "GREET_DOOR").value_bool is True
    assert _stored(db, visit, "WAIT") is None


def test_evidence_is_required_where_the_standard_asks(world, auditor, client, login, english, db):
    visit = builders.visit(world, world.bogota, auditor)
    login(auditor)
    response = _fill(client, visit, **{"na-COSTS": "", "q-COSTS": "yes"})
    assert response.status_code == 409 and "photo for “Costs explained”" in response.text
    photo = (io.BytesIO(builders.jpeg()), "costs.jpg")
    done = _fill(client, visit, **{"na-COSTS": "", "q-COSTS": "yes", "photo-COSTS": photo})
    assert done.status_code == 302 and visit.status == "submitted"
    assert [e.question_code for e in visit.evidence] == ["COSTS"]


def test_a_file_that_is_not_an_image_is_refused(world, auditor, client, login, english, db):
    visit = builders.visit(world, world.bogota, auditor)
    login(auditor)
    fake = (io.BytesIO(b"%PDF-1.7 not a photo"), "photo.jpg")
    response = _fill(client, visit, submit=False, **{"photo-TICKET_PHOTO": fake})
    assert response.status_code == 422 and "not a photo" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0
    assert _stored(db, visit, "WAIT").value_number == 8  # the answers were kept


def test_a_photo_too_large_is_refused(app, world, auditor, client, login, english, db):
    visit = builders.visit(world, world.bogota, auditor)
    login(auditor)
    app.config["AUDIT_EVIDENCE_MAX_BYTES"] = 1000
    try:
        big = (io.BytesIO(builders.jpeg(size=(400, 400), colour=(1, 2, 3)) + b"\0" * 2000), "a.jpg")
        response = _fill(client, visit, submit=False, **{"photo-TICKET_PHOTO": big})
    finally:
        app.config.pop("AUDIT_EVIDENCE_MAX_BYTES")
    assert response.status_code == 422 and "too large" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Evidence)) == 0


def test_location_is_stripped_and_the_same_photo_stored_once(
    app, world, auditor, client, login, db
):
    visit = builders.visit(world, world.bogota, auditor)
    login(auditor)
    content = builders.jpeg(gps=True)
    assert 0x8825 in Image.open(io.BytesIO(content)).getexif()
    for _ in range(2):
        photo = (io.BytesIO(content), "ticket.jpg")
        assert (
            _fill(client, visit, submit=False, **{"photo-TICKET_PHOTO": photo}).status_code == 302
        )
    stored = db.session.scalars(sa.select(Evidence)).all()
    assert len(stored) == 1
    served = client.get(f"/my-visits/photos/{stored[0].id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    exif = Image.open(io.BytesIO(served.data)).getexif()
    assert 0x8825 not in exif and exif[0x010F] == "Test camera"
    assert not stored[0].has_location
    # Not under the static folder: only the authorised route serves it.
    assert "static" not in str(app.instance_path) and stored[0].stored_name.startswith(
        str(visit.id)
    )


def test_location_is_kept_when_the_programme_asks(world, auditor, client, login, db):
    world.programme.keeps_location = True
    visit = builders.visit(world, world.bogota, auditor)
    login(auditor)
    photo = (io.BytesIO(builders.jpeg(gps=True)), "ticket.jpg")
    _fill(client, visit, submit=False, **{"photo-TICKET_PHOTO": photo})
    evidence = db.session.scalar(sa.select(Evidence))
    served = client.get(f"/my-visits/photos/{evidence.id}")
    assert 0x8825 in Image.open(io.BytesIO(served.data)).getexif()


def test_only_approved_visits_count(world, auditor, client, login, db):
    visit = builders.visit(world, world.bogota, auditor)
    login(auditor)
    _fill(client, visit)
    assert db.session.execute(approved_answers()).all() == []
    review_visit(visit, world.manager, "approve", None)
    rows = db.session.execute(approved_answers(programme_ids=[world.programme.id])).all()
    codes = {row.question_code for row in rows}
    assert {"WAIT", "GREET_DOOR", "RESOLVED"} <= codes
    assert "COSTS" not in codes  # not applicable: outside the base
    assert "NOTES" not in codes  # free text is not scored
    assert visits.visit_questions(visit)[0].code == "ARRIVAL_AT"
