"""The OpenAPI document matches what the API answers: schemathesis fuzzes it in-process."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from servqual.api.openapi import document
from servqual.api.operations import create_token
from tests import factories
from tests.api.conftest import Api, complete_body

#: The document the app serves (``test_the_served_document_is_this_one`` checks it is).
# ``schemathesis.pytest.from_fixture`` cannot run on pytest 9 (it sets ``node._nodeid``),
# so the schema is loaded from the dict and each case is sent to the app in-process.
schema = schemathesis.openapi.from_dict(document())


@pytest.fixture
def fuzz_target(db):
    """An open campaign and the secret of a token for it."""
    campaign = factories.campaign()
    _token, secret = create_token(campaign, "Schemathesis")
    return campaign.id, secret


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_answer_conforms_to_the_document(case, app, fuzz_target):
    campaign_id, secret = fuzz_target
    if case.path_parameters and "campaign_id" in case.path_parameters:
        case.path_parameters["campaign_id"] = campaign_id
    case.call_and_validate(
        app=app,
        headers={"Authorization": f"Bearer {secret}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ],
    )


def test_the_document_is_openapi_3_1_with_bearer_security(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    post = document["paths"]["/campaigns/{campaign_id}/responses"]["post"]
    assert {"200", "201", "401", "403", "409", "413", "415", "422", "429"} <= set(post["responses"])


def test_answers_that_random_bodies_rarely_reach_conform_too(client, db):
    """Stored, replayed, refused and closed: each answer validates against its operation."""
    campaign = factories.campaign()
    api = Api(client, create_token(campaign, "Kiosk")[1])
    operation = schema["/campaigns/{campaign_id}/responses"]["POST"]
    url = f"/campaigns/{campaign.id}/responses"
    body = complete_body(campaign.links[0].slug)
    answers = [
        api.post(url, body),
        api.post(url, body),
        api.post(url, {**body, "comment": "other"}),
        api.post(url, {**body, "recommend": 11}, key="key-2"),
        api.post(url, complete_body(campaign.links[0].slug, comment="x" * 70_000), key="key-3"),
    ]
    campaign.status = "closed"
    db.session.flush()
    answers.append(api.post(url, body, key="key-4"))
    assert [a.status_code for a in answers] == [201, 200, 409, 422, 413, 409]
    for answer in answers:
        operation.validate_response(answer)
    instrument = schema["/campaigns/{campaign_id}/instrument"]["GET"]
    instrument.validate_response(api.get(f"/campaigns/{campaign.id}/instrument?lang=es"))


def test_the_served_document_is_this_one(client):
    assert client.get("/api/v1/openapi.json").get_json() == document()
