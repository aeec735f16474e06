"""Exporting a campaign's responses: CSV, XLSX and SPSS, re-importable 1:1, safe in spreadsheets."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pyreadstat
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from scipy import stats

from servqual.cli import main as cli_main
from servqual.extensions import db as _db
from servqual.gaps.sources import Scope, analyse_wave
from servqual.i18n import LOCALE_COOKIE
from servqual.surveys import demo_data, exporting
from servqual.surveys.models import Answer, ImportancePoints, Response
from tests import factories

DANGEROUS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.fixture(autouse=True)
def english(client):
    """Read the pages in English, the language of the messages the tests look for."""
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")


def _demo_campaign(make_user, **fields):
    """A campaign over two touchpoints and two sites, filled by the demo's generator."""
    make_user("admin")
    factories.management_instrument()
    sites = [factories.site(name="Bogotá Norte"), factories.site(name="Medellín")]
    touchpoints = [
        factories.touchpoint(name=name, channel=factories.channel(kind="face_to_face"))
        for name in ("Atención en sede", "Caja")
    ]
    campaign = factories.campaign(touchpoints=touchpoints, sites=sites, **fields)
    demo_data.build([campaign], per_link=6)
    responses = _db.session.scalars(sa.select(Response).where(Response.campaign_id == campaign.id))
    for number, response in enumerate(responses):
        response.segment = ["señora Peña", "충성 고객", None][number % 3]
        response.comment = "Muy amable, gracias" if number % 4 == 0 else None
    _db.session.flush()
    return campaign


def _summary(campaign) -> dict:
    """Per item n, Σ(P − E), and the counts a report shows; what a re-import must keep."""
    gaps = _db.session.execute(
        sa.select(
            Answer.item_code,
            sa.func.count(Answer.p - Answer.e),
            sa.func.sum(Answer.p - Answer.e),
            sa.func.sum(Answer.p),
            sa.func.count(Answer.e),
        )
        .join(Response)
        .where(Response.campaign_id == campaign.id)
        .group_by(Answer.item_code)
    ).all()
    per_cell = _db.session.execute(
        sa.select(
            Response.touchpoint_id,
            Response.site_id,
            Response.segment,
            Response.language,
            sa.func.count(),
        )
        .where(Response.campaign_id == campaign.id)
        .group_by(Response.touchpoint_id, Response.site_id, Response.segment, Response.language)
    ).all()
    overall = _db.session.execute(
        sa.select(
            sa.func.sum(Response.overall_quality),
            sa.func.sum(Response.recommend),
            sa.func.count(Response.comment),
        ).where(Response.campaign_id == campaign.id)
    ).one()
    points = _db.session.execute(
        sa.select(ImportancePoints.dimension, sa.func.sum(ImportancePoints.points))
        .join(Response)
        .where(Response.campaign_id == campaign.id)
        .group_by(ImportancePoints.dimension)
    ).all()
    return {
        "gaps": sorted(tuple(row) for row in gaps),
        "cells": sorted(per_cell, key=repr),
        "overall": tuple(overall),
        "points": sorted(tuple(row) for row in points),
    }


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_reimports_into_a_fresh_campaign_with_the_same_answers(
    app, client, db, make_user, login, kind
):
    source = _demo_campaign(make_user)
    target = factories.campaign(
        name="Copy",
        instrument_version=source.instrument_version,
        touchpoints=list(source.touchpoints),
        sites=list(source.sites),
    )
    login(make_user("manager"))
    exported = client.post(
        f"/campaigns/{source.id}/export",
        data={"format": kind, "language": "es", "include_comment": "y"},
    )
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"].endswith(f'.{kind}"')

    upload = client.post(
        f"/campaigns/{target.id}/import",
        data={"file": (io.BytesIO(exported.data), f"export.{kind}"), "encoding": "auto"},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 303, upload.get_data(as_text=True)
    done = client.post(upload.headers["Location"], data={"action": "import"})
    assert done.status_code == 303, done.get_data(as_text=True)[-3000:]

    before, after = _summary(source), _summary(target)
    assert before["gaps"] and len(before["cells"]) >= 4
    assert after["gaps"] == before["gaps"]
    assert after["cells"] == before["cells"]
    assert after["overall"] == before["overall"]
    assert after["points"] == before["points"]
    times = lambda c: sorted(  # noqa: E731
        _db.session.scalars(sa.select(Response.submitted_at).where(Response.campaign_id == c.id))
    )
    assert times(target) == times(source)


def test_csv_columns_follow_the_instrument_and_leave_out_comments_unless_asked(
    client, db, make_user, login
):
    campaign = _demo_campaign(make_user)
    login(make_user("manager"))
    exported = client.post(f"/campaigns/{campaign.id}/export", data={"format": "csv"})
    assert exported.data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads accents right
    rows = list(csv.DictReader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert list(rows[0])[:8] == [
        "response_id",
        "submitted_at",
        "touchpoint",
        "site",
        "channel",
        "segment",
        "language",
        "source",
    ]
    assert list(rows[0])[8:] == [
        "REL1_E",
        "REL1_P",
        "REL2_E",
        "REL2_P",
        "EMP1_E",
        "EMP1_P",
        "EMP2_E",
        "EMP2_P",
        "overall_quality",
        "recommend",
        "IMP_reliability",
        "IMP_empathy",
    ]
    assert len(rows) == 24
    assert {row["segment"] for row in rows} == {"señora Peña", "충성 고객", ""}


def test_sav_has_variable_and_value_labels(db, make_user, tmp_path):
    campaign = _demo_campaign(make_user, format="e_then_p")
    path = tmp_path / "out.sav"
    path.write_bytes(exporting.write_sav(campaign, lang="es", include_comment=True))
    frame, meta = pyreadstat.read_sav(str(path))
    assert len(frame) == 24
    labels = meta.column_names_to_labels
    # Item wording in the chosen language, the measure marked in brackets.
    assert labels["REL1_E"].startswith("REL1 [")
    assert labels["REL1_E"].endswith("] Las empresas excelentes REL1")
    assert labels["REL1_P"].endswith("] Esta empresa REL1")
    assert labels["REL1_E"].split("]")[0] != labels["REL1_P"].split("]")[0]
    english = tmp_path / "en.sav"
    english.write_bytes(exporting.write_sav(campaign, lang="en"))
    _frame, meta_en = pyreadstat.read_sav(str(english))
    assert meta_en.column_names_to_labels["REL1_E"] == "REL1 [Expectation] Excellent firms REL1"
    assert meta_en.column_names_to_labels["REL1_P"] == "REL1 [Perception] This company REL1"
    assert "comment" not in meta_en.column_names  # comments only when asked
    assert meta.variable_value_labels["REL1_E"] == {
        1.0: "Totalmente en desacuerdo",
        7.0: "Totalmente de acuerdo",
    }
    assert meta.variable_value_labels["overall_quality"][7.0] == "Excelente"
    assert meta.variable_measure["REL1_P"] == "ordinal"
    # "Not applicable" is missing, not a number: the demo leaves some expectations empty.
    stored_na = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Answer)
        .join(Response)
        .where(Response.campaign_id == campaign.id, Answer.e.is_(None))
    )
    assert int(frame[[f"{c}_E" for c in ("REL1", "REL2", "EMP1", "EMP2")]].isna().sum().sum()) == (
        stored_na
    )
    assert set(frame["segment"]) == {"señora Peña", "충성 고객", ""}


def test_formulas_are_neutralised_in_csv_and_xlsx(client, db, make_user, login):
    campaign = factories.campaign()
    link = campaign.links[0]
    for number, text in enumerate(DANGEROUS):
        db.session.add(
            Response(
                campaign_id=campaign.id,
                instrument_version_id=campaign.instrument_version_id,
                touchpoint_id=link.touchpoint_id,
                site_id=link.site_id,
                language="es",
                submission_key=f"k{number}",
                segment=text[:60],
                comment=text,
                answers=[Answer(item_code="REL1", e=5, p=4)],
            )
        )
    db.session.flush()
    login(make_user("manager"))

    exported = client.post(
        f"/campaigns/{campaign.id}/export", data={"format": "csv", "include_comment": "y"}
    )
    rows = list(csv.DictReader(io.StringIO(exported.data.decode("utf-8-sig"), newline="")))
    assert [row["segment"] for row in rows] == ["'" + text for text in DANGEROUS]
    assert [row["comment"] for row in rows] == ["'" + text for text in DANGEROUS]
    assert rows[0]["REL1_E"] == "5"  # numbers stay numbers

    workbook = client.post(
        f"/campaigns/{campaign.id}/export", data={"format": "xlsx", "include_comment": "y"}
    )
    sheet = load_workbook(io.BytesIO(workbook.data)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    segments = [row[header.index("segment")] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in segments)  # text, never a formula
    assert [cell.value for cell in segments][:5] == ["'" + text for text in DANGEROUS[:5]]
    assert all(cell.value.startswith("'") for cell in segments)


def test_export_keeps_to_the_managers_sites(client, db, make_user, login):
    campaign = _demo_campaign(make_user)
    own = campaign.sites[0]
    login(make_user("manager", sites=[own]))
    page = client.get(f"/campaigns/{campaign.id}/export")
    assert page.status_code == 200 and "12 responses of your sites" in page.text
    exported = client.post(f"/campaigns/{campaign.id}/export", data={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert len(rows) == 12 and {row["site"] for row in rows} == {own.name}
    assert all(row.get("comment") is None for row in rows)  # comments only when asked


def test_cli_export_writes_each_format(app, db, make_user, tmp_path):
    campaign = _demo_campaign(make_user)
    runner = app.test_cli_runner()
    for kind in ("csv", "xlsx", "sav"):
        out = tmp_path / f"responses.{kind}"
        args = ["export", "--campaign", str(campaign.id), "--format", kind, "--out", str(out)]
        result = runner.invoke(cli_main, ["responses", *args])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    frame, _meta = pyreadstat.read_sav(str(tmp_path / "responses.sav"))
    assert len(frame) == 24


def test_a_reimported_export_reproduces_an_independent_analysis_of_the_file(
    app, client, db, make_user, login
):
    """The analyst's route (pandas + scipy on the exported CSV) and the engine agree.

    The export is analysed outside servqual, item by item: mean of P − E, its paired t
    test and the Wilcoxon signed-rank test with Pratt's zeros, and Cronbach's α of the
    perception items of each dimension (pingouin, listwise). The file is then imported
    into a fresh campaign and the engine's figures for that campaign must be the same.
    """
    pingouin = pytest.importorskip("pingouin")  # a test dependency: always installed
    source = _demo_campaign(make_user)
    target = factories.campaign(
        name="Copy",
        instrument_version=source.instrument_version,
        touchpoints=list(source.touchpoints),
        sites=list(source.sites),
    )
    login(make_user("manager"))
    exported = client.post(f"/campaigns/{source.id}/export", data={"format": "csv"})
    assert exported.status_code == 200
    frame = pd.read_csv(io.BytesIO(exported.data), encoding="utf-8-sig")
    upload = client.post(
        f"/campaigns/{target.id}/import",
        data={"file": (io.BytesIO(exported.data), "export.csv"), "encoding": "auto"},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 303
    assert client.post(upload.headers["Location"], data={"action": "import"}).status_code == 303

    analysis = analyse_wave(Scope(target.id))
    engine = {cell.subject.code: cell.gap for cell in analysis.item_gaps}
    codes = [c[: -len("_E")] for c in frame.columns if c.endswith("_E") and c[:-2] + "_P" in frame]
    assert sorted(codes) == sorted(engine) and len(codes) >= 4
    for code in codes:
        pair = frame[[f"{code}_E", f"{code}_P"]].dropna()
        gaps = pair[f"{code}_P"] - pair[f"{code}_E"]
        gap = engine[code]
        assert gap.n == len(gaps)
        assert gap.mean == pytest.approx(gaps.mean(), abs=1e-12)
        assert gap.sd == pytest.approx(gaps.std(ddof=1), abs=1e-12)
        paired = stats.ttest_rel(pair[f"{code}_P"], pair[f"{code}_E"])
        assert gap.p_value == pytest.approx(paired.pvalue, rel=1e-9, abs=1e-12)
        if (gaps != 0).any():
            signed = stats.wilcoxon(gaps, zero_method="pratt")
            assert gap.wilcoxon_p == pytest.approx(signed.pvalue, rel=1e-9, abs=1e-12)

    dimension_of = {item.code: item.dimension for item in analysis.items}
    checked = 0
    for cell in analysis.reliability:
        if cell.measure != "P" or cell.alpha.alpha is None:
            continue
        columns = [f"{code}_P" for code in codes if dimension_of[code] == cell.dimension.code]
        expected, _interval = pingouin.cronbach_alpha(frame[columns], nan_policy="listwise")
        assert cell.alpha.alpha == pytest.approx(expected, abs=1e-9)
        checked += 1
    assert checked == len({dimension_of[code] for code in codes})
