"""Managing API tokens: the staff pages (secret shown once, revoke after confirming) and the CLI."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from servqual.api.models import ApiToken
from servqual.api.operations import create_token
from servqual.cli import main as cli_main
from servqual.i18n import LOCALE_COOKIE
from servqual.surveys.operations import token_hash
from tests import factories
from tests.api.conftest import Api, complete_body


@pytest.fixture(autouse=True)
def _english(client):
    """The pages are checked in English; tests/test_i18n.py walks them in both languages."""
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")


def _secret(html: str) -> str:
    return re.search(r'id="new-secret"[^>]*value="([^"]+)"', html).group(1)


def test_a_manager_creates_a_token_and_sees_its_secret_once(client, db, make_user, login):
    campaign = factories.campaign()
    login(make_user("manager"))
    url = f"/campaigns/{campaign.id}/api-tokens"
    assert client.get(f"/campaigns/{campaign.id}/links").get_data(as_text=True).count(url) == 1

    page = client.post(url, data={"name": "Kiosk north", "link_id": campaign.links[0].id})
    assert page.status_code == 200
    secret = _secret(page.get_data(as_text=True))
    token = db.session.scalar(sa.select(ApiToken))
    assert token.token_hash == token_hash(secret) and secret not in token.token_hash
    assert token.link_id == campaign.links[0].id and token.created_by.role == "manager"

    listing = client.get(url).get_data(as_text=True)
    assert "Kiosk north" in listing and secret not in listing

    assert Api(client, secret).get("/campaigns").status_code == 200

    duplicate = client.post(url, data={"name": "Kiosk north", "link_id": ""})
    assert duplicate.status_code == 400
    assert "already has a token named" in duplicate.get_data(as_text=True)


def test_revoking_asks_first_then_stops_the_token(client, db, make_user, login):
    campaign = factories.campaign()
    login(make_user("admin"))
    page = client.post(f"/campaigns/{campaign.id}/api-tokens", data={"name": "Tablet"})
    secret = _secret(page.get_data(as_text=True))
    token = db.session.scalar(sa.select(ApiToken))
    api = Api(client, secret)

    question = client.get(f"/campaigns/api-tokens/{token.id}/revoke")
    assert "Yes, revoke it" in question.get_data(as_text=True)
    assert token.revoked_at is None
    body = complete_body(campaign.links[0].slug)
    assert api.post(f"/campaigns/{campaign.id}/responses", body).status_code == 201

    done = client.post(f"/campaigns/api-tokens/{token.id}/revoke")
    assert done.status_code == 303
    assert token.revoked_at is not None
    assert api.get("/campaigns").status_code == 401
    listing = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Revoked on" in listing and "was revoked" in listing


def test_site_limited_managers_manage_only_their_sites_tokens(client, db, make_user, login):
    touchpoint = factories.touchpoint()
    north, south = factories.site(name="North"), factories.site(name="South")
    touchpoint.sites = [north, south]
    campaign = factories.campaign(touchpoints=[touchpoint], sites=[north, south])
    at_south = next(link for link in campaign.links if link.site_id == south.id)
    login(make_user("manager", sites=[north]))
    url = f"/campaigns/{campaign.id}/api-tokens"

    form = client.get(url).get_data(as_text=True)
    assert "North" in form and "South" not in form and "Any link" not in form
    assert client.post(url, data={"name": "South kiosk", "link_id": at_south.id}).status_code == 400
    assert client.post(url, data={"name": "Everywhere", "link_id": ""}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0

    south_token, _ = create_token(campaign, "South kiosk", at_south)
    wide_token, _ = create_token(campaign, "Everywhere")
    assert "South kiosk" not in client.get(url).get_data(as_text=True)
    for token in (south_token, wide_token):
        assert client.post(f"/campaigns/api-tokens/{token.id}/revoke").status_code == 403
        assert token.revoked_at is None


def test_cli_creates_lists_and_revokes_tokens(app, client, db):
    campaign = factories.campaign()
    runner = app.test_cli_runner()
    slug = campaign.links[0].slug
    created = runner.invoke(
        cli_main,
        ["api-tokens", "create", "--campaign", str(campaign.id), "--name", "Kiosk", "--link", slug],
    )
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    api = Api(client, secret)
    assert api.get("/campaigns").status_code == 200

    listed = runner.invoke(cli_main, ["api-tokens", "list", "--campaign", str(campaign.id)])
    assert "Kiosk" in listed.output and slug in listed.output and "active" in listed.output
    token = db.session.scalar(sa.select(ApiToken))

    revoked = runner.invoke(cli_main, ["api-tokens", "revoke", str(token.id)])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert api.get("/campaigns").status_code == 401

    unknown = runner.invoke(
        cli_main,
        ["api-tokens", "create", "--campaign", str(campaign.id), "--name", "X", "--link", "nope"],
    )
    assert unknown.exit_code != 0 and "has no link" in unknown.output
