"""Fixtures for the API tests: an open campaign, a token for it and a JSON client helper."""

from __future__ import annotations

import pytest

from servqual.api.operations import create_token
from tests import factories

ITEMS = ["REL1", "REL2", "EMP1", "EMP2"]


def complete_body(link: str | None = None, **overrides) -> dict:
    """Return a valid body for the mini instrument in the e_then_p format."""
    body = {
        "language": "en",
        "answers": {code: {"e": 6, "p": 4} for code in ITEMS},
        "overall_quality": 5,
        "recommend": 8,
        "importance": {"reliability": 70, "empathy": 30},
        "comment": "Quick and kind",
        "segment": "kiosk-north",
    }
    if link is not None:
        body["link"] = link
    body.update(overrides)
    return body


class Api:
    """A test client speaking JSON with a bearer token."""

    def __init__(self, client, secret: str | None):
        self.client = client
        self.secret = secret

    def headers(self, **extra) -> dict:
        headers = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        headers.update(extra)
        return headers

    def get(self, url: str, **headers):
        return self.client.get(f"/api/v1{url}", headers=self.headers(**headers))

    def post(self, url: str, body, key: str | None = "key-1", **headers):
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.client.post(f"/api/v1{url}", json=body, headers=self.headers(**headers))


@pytest.fixture
def campaign(db):
    """An open campaign of the mini instrument at one touchpoint and site."""
    return factories.campaign()


@pytest.fixture
def token_secret(db, campaign) -> str:
    """The secret of a campaign-wide token."""
    _token, secret = create_token(campaign, "Kiosk north")
    return secret


@pytest.fixture
def api(client, token_secret) -> Api:
    """A JSON client carrying the campaign's token."""
    return Api(client, token_secret)
