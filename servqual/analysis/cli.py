"""``servqual gaps``: the gap analysis of one wave as a table, CSV or JSON.

``servqual gaps refresh [--campaign ID]`` recomputes the summary's maintained moments
(:func:`servqual.surveys.aggregates.rebuild_cell_moments`) after a bulk load.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from servqual.extensions import db
from servqual.gaps.sources import Scope, SourceError, analyse_wave
from servqual.service.models import Site
from servqual.surveys.aggregates import rebuild_cell_moments
from servqual.surveys.models import Campaign

#: Columns of the CSV output: one row per Gap 5 cell (items and scores, every grouping).
CSV_COLUMNS = (
    "grouping",
    "group",
    "level",
    "code",
    "name",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "p_value",
    "adjusted_p",
    "wilcoxon_p",
    "adjusted_wilcoxon_p",
    "d_z",
    "status",
)


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def find_campaign(reference: str) -> Campaign:
    """Return the campaign with this id or wave name; ClickException if none or several."""
    if reference.isdigit():
        campaign = db.session.get(Campaign, int(reference))
        if campaign is not None:
            return campaign
    found = db.session.scalars(sa.select(Campaign).where(Campaign.wave == reference)).all()
    if len(found) == 1:
        return found[0]
    if found:
        ids = ", ".join(f"{c.id} ({c.name})" for c in found)
        raise click.ClickException(f"several campaigns are wave {reference!r}: {ids}; give an id")
    raise click.ClickException(f"no campaign with id or wave {reference!r}")


def _site_ids(codes: list[str]) -> tuple[int, ...] | None:
    if not codes:
        return None
    ids = []
    for code in codes:
        site = db.session.scalar(sa.select(Site).where(Site.code == code))
        if site is None:
            raise click.ClickException(f"no site with code {code!r}")
        ids.append(site.id)
    return tuple(ids)


def gap_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten the Gap 5 cells of ``WaveAnalysis.to_dict()`` into CSV rows."""
    cells = list(data["item_gaps"])
    for found in (*data["item_gaps_by"].values(), *data["score_gaps_by"].values()):
        cells.extend(found)
    rows = []
    for cell in cells:
        gap, group = cell["gap"], cell["group"]
        rows.append(
            {
                "grouping": cell["grouping"],
                "group": "" if group is None else (group["code"] or group["name"]),
                "level": cell["level"],
                "code": cell["subject"]["code"] or cell["level"],
                "name": cell["subject"]["name"],
                "n": cell["n"],
                "mean": gap["mean"],
                "ci_low": gap["ci_low"],
                "ci_high": gap["ci_high"],
                "p_value": gap["p_value"],
                "adjusted_p": cell["adjusted_p"],
                "wilcoxon_p": gap["wilcoxon_p"],
                "adjusted_wilcoxon_p": cell["adjusted_wilcoxon_p"],
                "d_z": gap["d_z"],
                "status": cell["status"],
            }
        )
    return rows


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:+.{digits}f}"


def render_table(data: dict[str, Any]) -> str:
    """Render the analysis for a terminal: overall scores, touchpoint × pillar, priorities."""
    campaign = data["campaign"]
    out = [
        f"{campaign['name']} (wave {campaign['wave']}, campaign {campaign['id']}): "
        f"{campaign['n_responses']} responses, correction {data['correction']}",
        f"SERVQUAL (unweighted) {_number(data['servqual']['value'])}   "
        f"weighted {_number(data['weighted_servqual']['respondent_level'])}   "
        f"SERVPERF {_number(data['servperf']['value'], 2).lstrip('+')}",
        "",
        f"{'Gap 5 by touchpoint × pillar':<40} {'n':>7} {'mean':>7} {'95% interval':>17}  status",
    ]
    for cell in data["score_gaps_by"].get("touchpoint", []):
        if cell["level"] not in ("pillar", "promise"):
            continue
        gap = cell["gap"]
        name = f"{cell['group']['name']} / {cell['subject']['name']}"
        interval = f"{_number(gap['ci_low'])} … {_number(gap['ci_high'])}"
        out.append(
            f"{name[:40]:<40} {cell['n']:>7} {_number(gap['mean']):>7} {interval:>17}  "
            f"{cell['status']}"
        )
    out += ["", "Priorities (significant shortfalls, largest first)"]
    if not data["priorities"]:
        out.append("  none")
    for row in data["priorities"]:
        p = row["priority"]
        out.append(
            f"  {p['rank']:>2}. {row['touchpoint']['name']} / {row['pillar']['name']}: "
            f"{_number(p['mean'])} (n {p['n']}, adjusted p {p['adjusted_p']:.3g})"
            if p["adjusted_p"] is not None
            else f"  {p['rank']:>2}. {row['touchpoint']['name']} / {row['pillar']['name']}"
        )
    return "\n".join(out) + "\n"


@click.group("gaps", invoke_without_command=True)
@click.option("--campaign", "reference", help="Campaign id or wave name (required).")
@click.option(
    "--by",
    "by",
    multiple=True,
    default=("touchpoint",),
    show_default=True,
    help="Groupings: touchpoint, site, channel, segment (comma-separated or repeated).",
)
@click.option("--site", "sites", multiple=True, help="Limit to these site codes.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option(
    "--correction",
    type=click.Choice(["holm", "bh"]),
    default="holm",
    show_default=True,
    help="Multiplicity correction within each family.",
)
@click.pass_context
@with_appcontext
def gaps_command(
    ctx: click.Context,
    reference: str | None,
    by: tuple[str, ...],
    sites,
    output: str,
    correction: str,
):
    """Analyse one wave: Gap 5 per item and score, reliability, importance, Gaps 1–4."""
    if ctx.invoked_subcommand is not None:
        return
    if reference is None:
        raise click.UsageError("Missing option '--campaign'.")
    campaign = find_campaign(reference)
    scope = Scope(campaign.id, site_ids=_site_ids(_split(sites)))
    try:
        analysis = analyse_wave(scope, by=_split(by), correction=correction)
    except SourceError as error:
        raise click.ClickException(str(error)) from None
    data = analysis.to_dict()
    if output == "json":
        click.echo(json.dumps(data, ensure_ascii=False, allow_nan=False, indent=1))
    elif output == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(gap_rows(data))
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(render_table(data), nl=False)


@gaps_command.command("refresh")
@click.option("--campaign", "reference", help="Campaign id or wave name (default: every one).")
@with_appcontext
def gaps_refresh(reference: str | None):
    """Recompute the dashboard summary's aggregates from the answers."""
    if reference is not None:
        ids = [find_campaign(reference).id]
    else:
        ids = list(db.session.scalars(sa.select(Campaign.id).order_by(Campaign.id)))
    for campaign_id in ids:
        rebuild_cell_moments(campaign_id)
        db.session.commit()
        click.echo(f"campaign {campaign_id}: refreshed")
