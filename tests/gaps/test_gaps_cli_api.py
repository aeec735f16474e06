"""``servqual gaps`` and the manager JSON API under ``/gaps/api``; the demo analyses cleanly."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from flask import current_app

from servqual import demo
from servqual.cli import main as cli_main
from servqual.gaps.sources import Scope, analyse_wave, summary
from servqual.instruments.operations import sync_directory
from servqual.surveys import demo_data
from tests.gaps import wavedata


@pytest.fixture
def wave(db):
    return wavedata.build(n=90)


def test_cli_json_is_the_analysis(app, wave):
    runner = app.test_cli_runner()
    result = runner.invoke(
        cli_main, ["gaps", "--campaign", str(wave.campaign.id), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    expected = analyse_wave(Scope(wave.campaign.id)).to_dict()
    assert data["campaign"]["n_responses"] == 90
    assert data["item_gaps"][0]["gap"]["mean"] == pytest.approx(
        expected["item_gaps"][0]["gap"]["mean"], rel=1e-12
    )


def test_cli_csv_and_table_by_wave_name_and_site(app, wave):
    runner = app.test_cli_runner()
    site = wave.sites[0]
    result = runner.invoke(
        cli_main,
        ["gaps", "--campaign", wave.campaign.wave, "--by", "touchpoint,segment",
         "--site", site.code, "--format", "csv", "--correction", "bh"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {r["grouping"] for r in rows} == {"all", "touchpoint", "segment"}
    overall_item = next(r for r in rows if r["grouping"] == "all" and r["code"] == "REL1")
    keep = wave.mask(site=site.id)
    e, p, _, _ = wave.arrays(keep)
    g = p[:, 0] - e[:, 0]
    assert float(overall_item["mean"]) == pytest.approx(np.nanmean(g), rel=1e-9)
    assert int(overall_item["n"]) == (~np.isnan(g)).sum()
    table = runner.invoke(cli_main, ["gaps", "--campaign", str(wave.campaign.id)])
    assert table.exit_code == 0, table.output
    assert "Gap 5 by touchpoint × pillar" in table.output
    assert wave.touchpoints[0].name in table.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--campaign", "999999"], "no campaign"),
        (["--campaign", "no-such-wave"], "no campaign"),
        (["--by", "weekday"], "unknown grouping"),
        (["--site", "NOPE"], "no site"),
    ],
)
def test_cli_refuses_bad_arguments(app, wave, arguments, message):
    if arguments[0] != "--campaign":
        arguments = ["--campaign", str(wave.campaign.id), *arguments]
    result = app.test_cli_runner().invoke(cli_main, ["gaps", *arguments])
    assert result.exit_code != 0
    assert message in result.output


def test_api_limits_managers_to_their_sites(app, client, make_user, login, wave):
    home, other = wave.sites
    login(make_user("manager", sites=[home]))
    url = f"/gaps/api/campaigns/{wave.campaign.id}"
    response = client.get(url + "?by=touchpoint,pillar")
    assert response.status_code == 200
    data = response.get_json()
    assert data["scope"]["site_ids"] == [home.id]
    assert data["campaign"]["n_responses"] == wave.mask(site=home.id).sum()
    assert client.get(f"{url}?site={other.id}").status_code == 403
    assert client.get(f"{url}/summary?site={other.id}").status_code == 403
    own = client.get(f"{url}/summary?site={home.id}").get_json()
    assert own["overall"]["n"] == summary(Scope(wave.campaign.id, site_ids=[home.id])).overall.n


def test_api_for_admins_covers_every_site_and_rejects_bad_groupings(
    app, client, make_user, login, wave
):
    login(make_user("admin"))
    url = f"/gaps/api/campaigns/{wave.campaign.id}"
    data = client.get(url + "?by=site,segment").get_json()
    assert data["campaign"]["n_responses"] == 90
    assert set(data["item_gaps_by"]) == {"site", "segment"}
    bad = client.get(url + "?by=weekday")
    assert bad.status_code == 400 and "unknown grouping" in bad.get_json()["error"]
    assert client.get("/gaps/api/campaigns/999999").status_code == 404


def test_api_is_closed_to_agents_and_auditors(app, client, make_user, login, wave):
    for role in ("agent", "auditor"):
        login(make_user(role))
        assert client.get(f"/gaps/api/campaigns/{wave.campaign.id}").status_code == 403


def _finite_everywhere(value, path="analysis"):
    if isinstance(value, float):
        assert math.isfinite(value), path
    elif isinstance(value, dict):
        for key, item in value.items():
            _finite_everywhere(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _finite_everywhere(item, f"{path}[{i}]")


def test_the_demo_waves_analyse_without_nan(db):
    sync_directory(Path(current_app.config["INSTRUMENTS_DIR"]))
    demo._build_organisation()
    campaigns = demo._build_campaigns()
    demo_data.build(campaigns, per_link=4)
    analysis = analyse_wave(Scope(campaigns[-1].id), by=("touchpoint", "site", "segment"))
    data = analysis.to_dict(for_staff=False)
    json.dumps(data, allow_nan=False)
    _finite_everywhere(data)
    assert analysis.previous.id == campaigns[0].id
    assert analysis.servqual.value is not None and analysis.servqual.value < 0
    assert len(analysis.chain) == len(campaigns[-1].touchpoints) * len(analysis.pillars.subjects)
    assert analysis.validity.adequacy.n > 0
