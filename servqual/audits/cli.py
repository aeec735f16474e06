"""``servqual audits``: list programmes, schedule their visits, show reviewers' flags."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from servqual.audits.flags import auditor_deviations, visit_flags
from servqual.audits.models import AuditProgramme, Visit, VisitStatus
from servqual.audits.operations import schedule_visits
from servqual.extensions import db


@click.group("audits")
def audits_command():
    """Mystery-shopper programmes and visits."""


def _programme(programme_id: int) -> AuditProgramme:
    programme = db.session.get(AuditProgramme, programme_id)
    if programme is None:
        click.echo(f"no programme with id {programme_id}", err=True)
        sys.exit(1)
    return programme


@audits_command.command("programmes")
@with_appcontext
def list_programmes():
    """List programmes with their visits by status."""
    for programme in db.session.scalars(sa.select(AuditProgramme).order_by(AuditProgramme.id)):
        counts = dict(
            db.session.execute(
                sa.select(Visit.status, sa.func.count())
                .where(Visit.programme_id == programme.id)
                .group_by(Visit.status)
            ).all()
        )
        summary = ", ".join(
            f"{status}: {counts[status]}" for status in VisitStatus if status in counts
        )
        click.echo(
            f"{programme.id}\t{programme.name}\t{programme.starts_on}–{programme.ends_on}\t"
            f"{programme.status}\t{summary or 'no visits'}"
        )


@audits_command.command("schedule")
@click.argument("programme_id", type=int)
@with_appcontext
def schedule(programme_id: int):
    """Add the visits a programme's quota still asks for."""
    added = schedule_visits(_programme(programme_id))
    db.session.commit()
    click.echo(f"{added} visits added")


@audits_command.command("flags")
@click.argument("programme_id", type=int)
@with_appcontext
def flags(programme_id: int):
    """Print the consistency flags of a programme's submitted visits and its auditors."""
    programme = _programme(programme_id)
    visits = db.session.scalars(
        sa.select(Visit)
        .where(Visit.programme_id == programme.id, Visit.status == VisitStatus.SUBMITTED)
        .order_by(Visit.id)
    )
    for visit in visits:
        for flag in visit_flags(visit):
            click.echo(f"visit {visit.id}\t{flag.kind}\t{flag.message}")
    for deviation in auditor_deviations(programme):
        click.echo(
            f"auditor {deviation.auditor.name}\t{deviation.rate:.0%} vs {deviation.others_rate:.0%}"
            f"\tz={deviation.z:.2f}\tp={deviation.p_value:.4f}"
        )
