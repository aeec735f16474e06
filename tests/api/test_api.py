"""The JSON API: tokens, scope, exactly-once submissions, validation messages, limits."""

from __future__ import annotations

import sqlalchemy as sa

from servqual.api import operations
from servqual.api.models import ApiToken
from servqual.extensions import db as _db
from servqual.service.models import ItemPillar
from servqual.surveys.aggregate_models import CellMoments
from servqual.surveys.aggregates import rebuild_cell_moments
from servqual.surveys.models import Answer, Draft, ImportancePoints, Response
from tests import factories
from tests.api.conftest import ITEMS, Api, complete_body
from tests.conftest import make_app


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _responses_url(campaign) -> str:
    return f"/campaigns/{campaign.id}/responses"


def test_requests_without_a_live_token_are_refused(client, db, campaign, token_secret):
    url = f"/campaigns/{campaign.id}/instrument"
    missing = Api(client, None).get(url)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="servqual"'
    assert missing.get_json()["error"] == "unauthorized"

    basic = client.get(f"/api/v1{url}", headers={"Authorization": f"Basic {token_secret}"})
    assert basic.status_code == 401

    unknown = Api(client, "sqapi_not-a-real-token").get(url)
    assert unknown.status_code == 401
    assert 'error="invalid_token"' in unknown.headers["WWW-Authenticate"]

    token = db.session.scalar(sa.select(ApiToken))
    operations.revoke_token(token)
    revoked = Api(client, token_secret).post(_responses_url(campaign), complete_body())
    assert revoked.status_code == 401
    assert _count(db, Response) == 0


def test_a_token_lists_its_campaign_while_it_is_open(api, db, campaign):
    listed = api.get("/campaigns")
    assert listed.status_code == 200
    (only,) = listed.get_json()["campaigns"]
    assert only["id"] == campaign.id and only["accepts_responses"] is True
    assert [link["slug"] for link in only["links"]] == [campaign.links[0].slug]
    assert listed.headers["Cache-Control"] == "no-store"

    token = db.session.scalar(sa.select(ApiToken))
    assert token.last_used_at is not None

    campaign.status = "closed"
    db.session.flush()
    assert api.get("/campaigns").get_json() == {"campaigns": []}


def test_the_instrument_is_described_in_either_language(api, campaign):
    spanish = api.get(f"/campaigns/{campaign.id}/instrument?lang=es").get_json()
    assert spanish["language"] == "es"
    rel1 = next(item for item in spanish["items"] if item["code"] == "REL1")
    assert rel1["dimension"] == "reliability"
    assert rel1["text"] == {"e": "Las empresas excelentes REL1", "p": "Esta empresa REL1"}
    assert rel1["scale"]["min"] == 1 and rel1["scale"]["max"] == 7
    assert rel1["scale"]["anchors"]["7"] == "Totalmente de acuerdo"
    # Expectations first, then perceptions, then the closing questions.
    kinds = [(s["kind"], {q["measure"] for q in s["questions"]}) for s in spanish["sections"]]
    assert kinds == [("items", {"e"}), ("items", {"p"}), ("closing", set())]
    assert spanish["closing"]["importance"]["total"] == 100
    assert spanish["links"][0]["site"]["id"] == campaign.sites[0].id

    english = api.get(f"/campaigns/{campaign.id}/instrument", **{"Accept-Language": "en"})
    rel1 = next(item for item in english.get_json()["items"] if item["code"] == "REL1")
    assert rel1["scale"]["anchors"]["1"] == "Strongly disagree"

    unsupported = api.get(f"/campaigns/{campaign.id}/instrument?lang=fr")
    assert unsupported.status_code == 422
    assert unsupported.get_json()["errors"][0]["field"] == "lang"


def test_a_response_is_stored_like_one_from_the_web_survey(api, db, campaign):
    body = complete_body(campaign.links[0].slug)
    body["answers"]["EMP2"] = {"e": None, "p": 3}
    created = api.post(_responses_url(campaign), body)
    assert created.status_code == 201, created.get_json()
    result = created.get_json()
    assert result["replayed"] is False and result["site_id"] == campaign.sites[0].id

    response = db.session.get(Response, result["id"])
    assert response.source == "api" and response.segment == "kiosk-north"
    assert response.language == "en" and response.touchpoint_id == campaign.touchpoints[0].id
    answers = {a.item_code: (a.e, a.p) for a in response.answers}
    assert answers == {"REL1": (6, 4), "REL2": (6, 4), "EMP1": (6, 4), "EMP2": (None, 3)}
    assert (response.overall_quality, response.recommend) == (5, 8)
    assert {p.dimension: p.points for p in response.importance} == {
        "reliability": 70,
        "empathy": 30,
    }
    assert _count(db, Draft) == 0


def test_touchpoint_and_site_ids_locate_the_answers(api, db, campaign):
    link = campaign.links[0]
    body = complete_body(touchpoint_id=link.touchpoint_id, site_id=link.site_id)
    assert api.post(_responses_url(campaign), body).status_code == 201
    elsewhere = complete_body(touchpoint_id=link.touchpoint_id, site_id=None)
    refused = api.post(_responses_url(campaign), elsewhere, key="key-2")
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "touchpoint_id"
    nowhere = api.post(_responses_url(campaign), complete_body(), key="key-3")
    assert nowhere.status_code == 422
    assert _count(db, Response) == 1


def test_replaying_a_key_returns_the_first_response(api, db, campaign):
    body = complete_body(campaign.links[0].slug)
    first = api.post(_responses_url(campaign), body, key="kiosk-7-000123")
    # The same body serialised in another key order is the same request.
    reordered = dict(reversed(list(body.items())))
    again = api.post(_responses_url(campaign), reordered, key="kiosk-7-000123")
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["replayed"] is True
    assert _count(db, Response) == 1 and _count(db, Answer) == len(ITEMS)


def test_a_key_reused_with_another_body_is_refused(api, db, campaign):
    body = complete_body(campaign.links[0].slug)
    assert api.post(_responses_url(campaign), body, key="k").status_code == 201
    other = api.post(_responses_url(campaign), {**body, "recommend": 2}, key="k")
    assert other.status_code == 409
    assert other.get_json()["error"] == "idempotency_key_reused"
    assert db.session.scalar(sa.select(Response.recommend)) == 8
    # Keys belong to a token: another integration may use the same one.
    _token, secret = operations.create_token(campaign, "Tablet")
    other_token = Api(api.client, secret).post(_responses_url(campaign), body, key="k")
    assert other_token.status_code == 201
    assert _count(db, Response) == 2


def test_a_concurrent_duplicate_gets_the_first_result(api, db, campaign, monkeypatch):
    body = complete_body(campaign.links[0].slug)
    first = api.post(_responses_url(campaign), body, key="race")
    # The second request checks for the key before the first one has committed …
    real = operations.earlier_submission
    calls = []

    def not_yet(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(operations, "earlier_submission", not_yet)
    second = api.post(_responses_url(campaign), body, key="race")
    # … then loses on the database's unique key and answers with the first response.
    assert second.status_code == 200 and second.get_json()["id"] == first.get_json()["id"]
    assert len(calls) == 2
    assert _count(db, Response) == 1 and _count(db, ImportancePoints) == 2


def test_a_token_cannot_reach_another_campaign(api, db, campaign):
    other = factories.campaign(name="Other campaign")
    assert api.get(f"/campaigns/{other.id}/instrument").status_code == 403
    refused = api.post(_responses_url(other), complete_body(other.links[0].slug))
    assert refused.status_code == 403
    # Nor submit through another campaign's link to its own.
    foreign_link = api.post(_responses_url(campaign), complete_body(other.links[0].slug))
    assert foreign_link.status_code == 422
    assert _count(db, Response) == 0


def test_a_link_token_submits_only_through_its_link(client, db):
    touchpoint = factories.touchpoint()
    north, south = factories.site(), factories.site()
    touchpoint.sites = [north, south]
    campaign = factories.campaign(touchpoints=[touchpoint], sites=[north, south])
    at_north = next(link for link in campaign.links if link.site_id == north.id)
    at_south = next(link for link in campaign.links if link.site_id == south.id)
    _token, secret = operations.create_token(campaign, "North kiosk", link=at_north)
    api = Api(client, secret)

    listed = api.get("/campaigns").get_json()["campaigns"][0]["links"]
    assert [link["slug"] for link in listed] == [at_north.slug]
    refused = api.post(_responses_url(campaign), complete_body(at_south.slug))
    assert refused.status_code == 403
    implied = api.post(_responses_url(campaign), complete_body(), key="key-2")
    assert implied.status_code == 201
    assert db.session.get(Response, implied.get_json()["id"]).site_id == north.id


def _invalid_body(campaign, language: str) -> dict:
    body = complete_body(campaign.links[0].slug, language=language)
    body["answers"]["REL1"] = {"e": 9, "p": 4}
    del body["answers"]["REL2"]["p"]
    body["importance"] = {"reliability": 50, "empathy": 30}
    return body


def test_validation_errors_name_the_fields_in_spanish(api, db, campaign):
    refused = api.post(_responses_url(campaign), _invalid_body(campaign, "es"))
    assert refused.status_code == 422
    errors = {e["field"]: e["message"] for e in refused.get_json()["errors"]}
    assert errors == {
        "answers.REL1.e": "Elija uno de los puntos de la escala.",
        "answers.REL2.p": "Elija una respuesta, o «no aplica».",
        "importance.reliability": "Los puntos suman 80; deben sumar 100.",
    }
    assert _count(db, Response) == 0 and _count(db, Draft) == 0


def test_validation_errors_follow_the_requested_language(api, campaign):
    # Accept-Language wins over the respondent's language.
    body = _invalid_body(campaign, "es")
    refused = api.post(_responses_url(campaign), body, **{"Accept-Language": "en"})
    errors = {e["field"]: e["message"] for e in refused.get_json()["errors"]}
    assert errors["answers.REL1.e"] == "Choose one of the points of the scale."
    assert errors["answers.REL2.p"] == "Choose an answer, or “not applicable”."
    assert errors["importance.reliability"] == ("The points add up to 80; they must add up to 100.")


def test_the_shape_of_the_body_is_checked_first(api, db, campaign):
    body = complete_body(campaign.links[0].slug, recommend=11, colour="blue")
    body["answers"]["XX1"] = {"e": 1}
    body["answers"]["REL1"]["a"] = 3
    shape = api.post(_responses_url(campaign), body).get_json()
    fields = {e["field"] for e in shape["errors"]}
    assert fields == {"recommend", "colour"}

    del body["colour"], body["recommend"]
    content = api.post(_responses_url(campaign), body, key="key-2").get_json()
    fields = {e["field"] for e in content["errors"]}
    assert fields == {"answers.XX1", "answers.REL1.a"}
    assert _count(db, Response) == 0


def test_a_closed_campaign_refuses_answers(api, db, campaign):
    campaign.status = "closed"
    db.session.flush()
    refused = api.post(_responses_url(campaign), complete_body(campaign.links[0].slug))
    assert refused.status_code == 409
    assert refused.get_json()["error"] == "campaign_closed"
    assert "not collecting answers" in refused.get_json()["message"]
    assert _count(db, Response) == 0


def test_malformed_requests_are_refused_before_reading_answers(api, db, campaign):
    url = f"/api/v1{_responses_url(campaign)}"
    headers = api.headers(**{"Idempotency-Key": "k"})
    huge = complete_body(campaign.links[0].slug, comment="x" * 70_000)
    too_large = api.client.post(url, json=huge, headers=headers)
    assert too_large.status_code == 413 and too_large.get_json()["error"] == "too_large"

    form = api.client.post(url, data={"language": "en"}, headers=headers)
    assert form.status_code == 415 and form.get_json()["error"] == "unsupported_media_type"

    broken = api.client.post(
        url, data="{not json", content_type="application/json", headers=headers
    )
    assert broken.status_code == 400 and broken.get_json()["error"] == "invalid_json"

    keyless = api.post(_responses_url(campaign), complete_body(), key=None)
    assert keyless.status_code == 400
    assert keyless.get_json()["error"] == "idempotency_key_missing"
    assert _count(db, Response) == 0


def test_tokens_are_rate_limited_and_need_no_csrf_token(tmp_path):
    app = make_app(
        f"sqlite:///{tmp_path / 'api.db'}",
        tmp_path,
        RATELIMIT_ENABLED=True,
        WTF_CSRF_ENABLED=True,
        API_RATE_LIMIT="3 per minute",
    )
    with app.app_context():
        _db.create_all()
        campaign = factories.campaign()
        _token, secret = operations.create_token(campaign, "Kiosk")
        _db.session.commit()
        api = Api(app.test_client(), secret)
        url = _responses_url(campaign)
        first = api.post(url, complete_body(campaign.links[0].slug))
        codes = [first.status_code] + [api.get("/campaigns").status_code for _ in range(3)]
        limited = api.get("/campaigns")
        other = Api(app.test_client(), operations.create_token(campaign, "Tablet")[1])
        _db.session.commit()
        other_code = other.get("/campaigns").status_code
        _db.engine.dispose()
    assert codes == [201, 200, 200, 429]
    assert limited.get_json()["error"] == "rate_limited"
    assert "Retry-After" in limited.headers
    assert other_code == 200  # the limit counts per token


def test_an_api_response_counts_in_the_stored_moments_under_its_segment(api, db, campaign):
    reliable, warm = factories.pillar(name="We keep our word"), factories.pillar(name="Warm")
    for code, pillar in (("REL1", reliable), ("REL2", reliable), ("EMP1", warm)):
        db.session.add(ItemPillar(item_code=code, pillar_id=pillar.id))
    db.session.commit()
    created = api.post(_responses_url(campaign), complete_body(campaign.links[0].slug))
    assert created.status_code == 201, created.get_json()

    def moments():
        return sorted(
            (r.segment, r.pillar_id, r.n, r.total, r.total_sq)
            for r in db.session.scalars(sa.select(CellMoments).filter_by(campaign_id=campaign.id))
        )

    recorded = moments()
    # P − E is 4 − 6 on every item: −2 on each pillar and on all of them together.
    assert recorded == sorted(
        ("kiosk-north", pillar, 1, -2.0, 4.0) for pillar in (reliable.id, warm.id, 0)
    )
    rebuild_cell_moments(campaign.id)
    assert moments() == recorded
