"""The ``servqual`` command: thin wrappers over operations, one commit per command."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from gunicorn.app.base import BaseApplication

from servqual import create_app, demo
from servqual.accounts import operations as account_ops
from servqual.accounts.models import Role
from servqual.analysis.cli import gaps_command
from servqual.api.cli import api_tokens
from servqual.audits.cli import audits_command
from servqual.extensions import db
from servqual.instruments.format import InstrumentInvalid, instrument_files, validate_files
from servqual.instruments.operations import sync_directory
from servqual.instruments.queries import all_instruments
from servqual.pqr.cli import pqr_command
from servqual.reports.cli import report_command
from servqual.service.models import Site
from servqual.surveys import exporting, importing
from servqual.surveys.models import Campaign
from servqual.surveys.tables import ENCODINGS, TableError, read_table
from servqual.wsgi import server_app


def _app_factory():
    return create_app()


@click.group(cls=FlaskGroup, create_app=_app_factory, add_default_commands=False)
def main():
    """servqual: service-quality surveys and SERVQUAL gap audits."""


# --- instruments --------------------------------------------------------------------------


@main.group()
def instruments():
    """Validate, list, show and sync the instrument files."""


def _instrument_dir() -> Path:
    return Path(current_app.config["INSTRUMENTS_DIR"])


@instruments.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@with_appcontext
def instruments_validate(files: tuple[Path, ...]):
    """Validate instrument files (default: every file in the instruments folder)."""
    paths = list(files) or instrument_files(_instrument_dir())
    if not paths:
        raise click.ClickException(f"no instrument files in {_instrument_dir()}")
    failed = 0
    for path in paths:
        if not path.is_file():
            click.echo(f"{path}:1: no such file", err=True)
            failed += 1
            continue
        for _path, definition, errors in validate_files([path]):
            if errors:
                failed += 1
                for error in errors:
                    click.echo(str(error), err=True)
            else:
                click.echo(f"{path}: ok ({definition.key}, {len(definition.items)} items)")
    if failed:
        click.echo(f"{failed} of {len(paths)} files are invalid", err=True)
        sys.exit(1)


@instruments.command("list")
@with_appcontext
def instruments_list():
    """List the instrument files and the versions stored in the database."""
    stored = {i.key: i for i in _stored_instruments()}
    for path, definition, errors in validate_files(instrument_files(_instrument_dir())):
        if errors:
            click.echo(f"{path.stem:<20} INVALID ({len(errors)} errors; run 'validate')")
            continue
        instrument = stored.get(definition.key)
        latest = instrument.latest if instrument else None
        if latest is None:
            state = "not synced"
        elif latest.content_hash == definition.content_hash:
            state = f"version {latest.number}, in sync"
        else:
            state = f"version {latest.number} stored, file changed (run 'sync')"
        click.echo(
            f"{definition.key:<20} {definition.kind:<11} {len(definition.items):>3} items  {state}"
        )


def _stored_instruments():
    try:
        return all_instruments()
    except sa.exc.OperationalError:
        return []  # no database yet: files only


@instruments.command("show")
@click.argument("key")
@click.option("--lang", type=click.Choice(["es", "en"]), default="en", show_default=True)
@with_appcontext
def instruments_show(key: str, lang: str):
    """Print an instrument's forms, dimensions and items."""
    path = _instrument_dir() / f"{key}.yaml"
    if not path.is_file():
        known = ", ".join(p.stem for p in instrument_files(_instrument_dir()))
        raise click.ClickException(f"no instrument {key!r} (known: {known})")
    ((_path, definition, errors),) = list(validate_files([path]))
    if errors:
        for error in errors:
            click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(f"{definition.key}: {definition.title[lang]} ({definition.kind})")
    click.echo(f"content hash {definition.content_hash[:12]}")
    labels = {d["code"]: d["label"][lang] for d in definition.dimensions}
    for form in definition.forms:
        click.echo(f"\n[{form['code']}] {form['title'][lang]} (measures {form['measure']})")
        for item in definition.items:
            if form["code"] in item.forms:
                click.echo(
                    f"  {item.code:<6} {labels[item.dimension]:<22} {item.type:<10} "
                    f"{item.text(form['code'], lang)}"
                )


@instruments.command("sync")
@with_appcontext
def instruments_sync():
    """Store changed instrument files as new versions (all or nothing)."""
    try:
        results = sync_directory(_instrument_dir())
    except InstrumentInvalid as invalid:
        db.session.rollback()
        for error in invalid.errors:
            click.echo(str(error), err=True)
        click.echo("nothing was synced", err=True)
        sys.exit(1)
    db.session.commit()
    for result in results:
        verb = "new version" if result.created else "unchanged, version"
        click.echo(f"{result.key}: {verb} {result.version}")


main.add_command(api_tokens)
main.add_command(report_command)
main.add_command(gaps_command)
main.add_command(audits_command)
main.add_command(pqr_command)


# --- users --------------------------------------------------------------------------------


@main.group()
def users():
    """Manage staff accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--site", "site_codes", multiple=True, help="Limit to this site code (repeatable).")
@click.password_option(help="Prompted for when not given.")
@with_appcontext
def users_create(email: str, name: str, role: str, site_codes: tuple[str, ...], password: str):
    """Create a staff account."""
    sites = []
    for code in site_codes:
        site = db.session.scalar(sa.select(Site).filter_by(code=code))
        if site is None:
            raise click.ClickException(f"no site with code {code!r}")
        sites.append(site)
    try:
        user = account_ops.create_user(email, name, password, role, sites)
    except account_ops.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")


# --- responses ----------------------------------------------------------------------------


@main.group()
def responses():
    """Import responses from other tools, export a campaign's responses."""


def _campaign_or_fail(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.ClickException(f"no campaign {campaign_id}")
    return campaign


@responses.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help='JSON: {"columns": {"REL1_E": "header", ...}, "touchpoint": code, "site": code, '
    '"language", "date_format": iso|dmy|mdy, "timezone"}; unnamed fields map by header name.',
)
@click.option("--encoding", type=click.Choice(list(ENCODINGS)), default="auto", show_default=True)
@click.option("--dry-run", is_flag=True, help="Check every row; store nothing.")
@with_appcontext
def responses_import(
    file: Path, campaign_id: int, mapping_file: Path, encoding: str, dry_run: bool
):
    """Import a CSV or XLSX of responses into a campaign: every row or none."""
    campaign = _campaign_or_fail(campaign_id)
    data = file.read_bytes()
    try:
        spec = json.loads(mapping_file.read_text(encoding="utf-8"))
        table = read_table(data, file.name, encoding)
        plan = importing.build_plan(campaign, "en")
        mapping = importing.mapping_from_json(spec, table.headers, plan)
        if "timezone" not in spec:
            mapping.timezone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
        if "language" not in spec:
            mapping.language = current_app.config["BABEL_DEFAULT_LOCALE"]
        outcome = importing.import_responses(
            campaign, table, mapping, importing.file_hash(data), dry_run=dry_run
        )
    except (TableError, importing.MappingError, ValueError) as refused:
        db.session.rollback()
        raise click.ClickException(str(refused)) from None
    if outcome.problems:
        db.session.rollback()
        for problem in outcome.problems:
            click.echo(
                f"{file.name}:{problem.row}: {problem.column}={problem.value!r}: {problem.reason}",
                err=True,
            )
        click.echo(
            f"{len(outcome.problems)} problems in {len({p.row for p in outcome.problems})} rows; "
            "nothing was imported",
            err=True,
        )
        sys.exit(1)
    if dry_run:
        db.session.rollback()
        click.echo(
            f"{outcome.rows - outcome.already_imported} rows would be imported "
            f"({outcome.already_imported} already imported); encoding {table.encoding}"
        )
        return
    db.session.commit()
    click.echo(f"{outcome.created} responses imported into campaign {campaign.id}")
    if outcome.already_imported:
        click.echo(f"{outcome.already_imported} rows already imported from this file: skipped")


@responses.command("export")
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.option("--format", "kind", type=click.Choice(list(exporting.FORMATS)), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--lang", type=click.Choice(["es", "en"]), default="en", show_default=True)
@click.option("--with-comments", is_flag=True, help="Include the open comments.")
@with_appcontext
def responses_export(campaign_id: int, kind: str, out: Path, lang: str, with_comments: bool):
    """Write a campaign's responses to a CSV, XLSX or SPSS file."""
    campaign = _campaign_or_fail(campaign_id)
    if kind == "csv":
        with out.open("w", encoding="utf-8", newline="") as handle:
            for chunk in exporting.write_csv(campaign, lang, with_comments):
                handle.write(chunk)
    elif kind == "xlsx":
        out.write_bytes(exporting.write_xlsx(campaign, lang, with_comments))
    else:
        out.write_bytes(exporting.write_sav(campaign, lang, with_comments))
    click.echo(f"wrote {out}")


# --- demo and serving ---------------------------------------------------------------------


@main.command("demo")
@click.option("--reset", is_flag=True, help="Delete the demo database and build it again.")
@click.option("--no-serve", is_flag=True, help="Build only; do not start the web server.")
@click.option("--port", default=5000, show_default=True)
@click.option("--yes", is_flag=True, help="Do not ask before --reset deletes data.")
@with_appcontext
def demo_command(reset: bool, no_serve: bool, port: int, yes: bool):
    """Build a demo organisation worth looking at, then serve it on 127.0.0.1."""
    if reset and not yes and sys.stdin.isatty():
        click.confirm(
            "--reset deletes every record in the database at "
            f"{db.engine.url.render_as_string(hide_password=True)}. Continue?",
            abort=True,
        )
    report = demo.build(reset=reset, echo=click.echo)
    if report is None:
        click.echo("The demo already exists; use --reset to rebuild it.")
    if not no_serve:
        _serve("127.0.0.1", port, workers=2, dev=False)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes.")
@click.option("--dev", is_flag=True, help="Flask's development server with reloading.")
def serve_command(host: str, port: int, workers: int, dev: bool):
    """Run the web application (gunicorn unless --dev)."""
    _serve(host, port, workers, dev)


def _serve(host: str, port: int, workers: int, dev: bool) -> None:
    click.echo(f"servqual on http://{host}:{port}/  (Ctrl+C stops)")
    if dev:
        create_app().run(host=host, port=port, debug=True)
        return

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")

        def load(self):
            return server_app()

    Server().run()
