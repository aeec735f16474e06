"""``servqual report``: write a PDF report to a file from the command line."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from servqual.extensions import db
from servqual.reports import documents, operations, queries
from servqual.reports.models import REPORT_LANGUAGES, ReportKind
from servqual.service.models import Site


def _site(value: str | None) -> Site | None:
    if value is None:
        return None
    site = db.session.get(Site, int(value)) if value.isdigit() else None
    site = site or db.session.scalar(sa.select(Site).filter_by(code=value))
    if site is None:
        raise click.ClickException(f"no site with id or code {value!r}")
    return site


@click.command("report")
@click.option("--campaign", "campaign_id", type=int, help="Campaign id (default: the latest).")
@click.option("--kind", type=click.Choice([str(k) for k in ReportKind]), required=True)
@click.option("--site", "site_ref", help="Site id or code (site reports; optional for staff).")
@click.option("--lang", type=click.Choice(REPORT_LANGUAGES), default="es", show_default=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True
)
@with_appcontext
def report_command(campaign_id: int | None, kind: str, site_ref: str | None, lang: str, out: Path):
    """Write the executive, site or staff feedback report of a campaign as PDF."""
    if campaign_id is None:
        campaign = queries.latest_campaign()
        if campaign is None:
            raise click.ClickException("there is no campaign yet: create one first")
    else:
        campaign = queries.campaign(campaign_id)
        if campaign is None:
            raise click.ClickException(f"no campaign with id {campaign_id}")
    site = _site(site_ref)
    if kind == ReportKind.SITE and site is None:
        raise click.ClickException("a site report needs --site (a site id or code)")
    if kind == ReportKind.EXECUTIVE and site is not None:
        raise click.ClickException("the executive report covers every site: leave out --site")
    if not out.parent.resolve().is_dir():
        raise click.ClickException(f"no folder {out.parent} to write {out.name} into")
    try:
        operations.check_request(kind, campaign, site, lang)
    except operations.ReportError as refused:
        raise click.ClickException(str(refused)) from None
    built = documents.build(
        kind, campaign, site, lang, on_step=lambda step: click.echo(f"… {step}", err=True)
    )
    out.write_bytes(built.pdf.data)
    timings = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in built.timings.items())
    click.echo(
        f"{out}: {kind} report on {campaign.wave} ({campaign.name}), {built.pdf.pages} pages, "
        f"{len(built.pdf.data) / 1024:.0f} KB ({timings})"
    )
