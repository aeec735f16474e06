"""``servqual pqr``: the PQR commands run by a scheduler (escalation)."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask.cli import with_appcontext

from servqual.extensions import db
from servqual.pqr.casework import today
from servqual.pqr.escalation import escalate


@click.group("pqr")
def pqr_command():
    """PQR cases: requests, complaints and claims."""


@pqr_command.command("escalate")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to check (YYYY-MM-DD); today in the organisation's time zone by default.",
)
@with_appcontext
def escalate_command(as_of):
    """E-mail site managers about cases at 80 % of their term or overdue (once each)."""
    day: date = as_of.date() if as_of else today()
    run = escalate(day)
    db.session.commit()
    click.echo(
        f"{day}: {len(run.near_deadline)} near the deadline, {len(run.overdue)} overdue escalated"
    )
    for label in run.near_deadline:
        click.echo(f"80%\t{label}")
    for label in run.overdue:
        click.echo(f"overdue\t{label}")
    for error in run.errors:
        click.echo(f"error: {error}", err=True)
    if run.errors:
        sys.exit(1)
