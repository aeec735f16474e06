"""``servqual api-tokens``: create, list and revoke API tokens from the command line."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from servqual.api import operations
from servqual.api.models import ApiToken
from servqual.extensions import db
from servqual.surveys.models import Campaign, SurveyLink


@click.group("api-tokens")
def api_tokens():
    """Create, list and revoke the tokens kiosks and apps use for the JSON API."""


@api_tokens.command("create")
@click.option("--campaign", "campaign_id", type=int, required=True, help="Campaign id.")
@click.option("--name", required=True, help="Which kiosk or app uses the token.")
@click.option("--link", "slug", help="Limit the token to the link with this code (slug).")
@with_appcontext
def create(campaign_id: int, name: str, slug: str | None):
    """Create a token and print its secret (shown only this once)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.ClickException(f"no campaign with id {campaign_id}")
    link = None
    if slug:
        link = db.session.scalar(sa.select(SurveyLink).filter_by(slug=slug))
        if link is None or link.campaign_id != campaign.id:
            raise click.ClickException(f"campaign {campaign_id} has no link {slug!r}")
    try:
        token, secret = operations.create_token(campaign, name, link)
    except operations.TokenError as refused:
        db.session.rollback()
        raise click.ClickException(str(refused)) from None
    db.session.commit()
    click.echo(f"created token {token.id} {token.name!r} for campaign {campaign.id}", err=True)
    click.echo("secret (shown only now; send it as 'Authorization: Bearer <secret>'):", err=True)
    click.echo(secret)


@api_tokens.command("list")
@click.option("--campaign", "campaign_id", type=int, help="Only this campaign's tokens.")
@with_appcontext
def list_tokens(campaign_id: int | None):
    """List tokens: id, campaign, name, link, last use and whether revoked."""
    query = sa.select(ApiToken).order_by(ApiToken.campaign_id, ApiToken.id)
    if campaign_id is not None:
        query = query.filter_by(campaign_id=campaign_id)
    for token in db.session.scalars(query):
        link = token.link.slug if token.link else "(any link)"
        used = token.last_used_at.strftime("%Y-%m-%d %H:%M") if token.last_used_at else "never"
        state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
        click.echo(
            f"{token.id:>5}  campaign {token.campaign_id:<5} {token.name:<30} {link:<18} "
            f"used {used:<16} {state}"
        )


@api_tokens.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def revoke(token_id: int):
    """Revoke a token: its integration stops working at once."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"no API token with id {token_id}")
    if not operations.revoke_token(token):
        click.echo(f"token {token_id} was already revoked")
        return
    db.session.commit()
    click.echo(f"revoked token {token_id} {token.name!r}")
