"""``servqual report``: writes the PDF of the latest (or a given) campaign; refuses bad input."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from servqual.cli import main as cli_main
from tests import factories


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_report_of_the_latest_campaign(db, runner, tmp_path):
    factories.campaign(wave="2026-Q1", name="Older wave")
    latest = factories.campaign(wave="2026-Q2", name="Latest wave")
    out = tmp_path / "executive.pdf"

    result = runner.invoke(
        cli_main, ["report", "--kind", "executive", "--lang", "en", "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    assert str(out) in result.output and "2026-Q2" in result.output
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert latest.name in text and "Older wave" not in text


def test_site_report_of_a_given_campaign_by_site_code(db, runner, tmp_path):
    campaign = factories.campaign()
    site = campaign.sites[0]
    out = tmp_path / "site.pdf"

    result = runner.invoke(
        cli_main,
        [
            "report",
            "--campaign",
            str(campaign.id),
            "--kind",
            "site",
            "--site",
            site.code,
            "--lang",
            "es",
            "--out",
            str(out),
        ],
    )

    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--kind", "quarterly"], "Invalid value for '--kind'"),
        (["--kind", "staff", "--lang", "fr"], "Invalid value for '--lang'"),
        (["--kind", "staff", "--campaign", "987654"], "no campaign with id 987654"),
        (["--kind", "site"], "a site report needs --site"),
        (["--kind", "executive", "--site", "{site}"], "leave out --site"),
        (["--kind", "site", "--site", "NOWHERE"], "no site with id or code 'NOWHERE'"),
    ],
)
def test_bad_arguments_exit_non_zero_with_a_message(db, runner, tmp_path, arguments, message):
    site = factories.campaign().sites[0]
    out = tmp_path / "never.pdf"
    arguments = [argument.format(site=site.code) for argument in arguments]

    result = runner.invoke(cli_main, ["report", *arguments, "--out", str(out)])

    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists()


def test_missing_folder_and_missing_campaigns_are_reported(db, runner, tmp_path):
    no_campaign = runner.invoke(
        cli_main, ["report", "--kind", "staff", "--out", str(tmp_path / "x.pdf")]
    )
    factories.campaign()
    no_folder = runner.invoke(
        cli_main, ["report", "--kind", "staff", "--out", str(tmp_path / "missing" / "x.pdf")]
    )

    assert no_campaign.exit_code == 1 and "there is no campaign yet" in no_campaign.output
    assert no_folder.exit_code == 1 and "no folder" in no_folder.output
