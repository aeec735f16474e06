"""Importing responses exported by other tools: encodings, mapping, every bad row, all or none."""

from __future__ import annotations

import io
import json
import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import Workbook

from servqual.cli import main as cli_main
from servqual.i18n import LOCALE_COOKIE
from servqual.surveys import importing
from servqual.surveys.models import Answer, Response
from servqual.surveys.tables import read_table
from tests import factories

ITEMS = ["REL1", "REL2", "EMP1", "EMP2"]
HEADER = ["Touchpoint", "Site", "Segment", "Timestamp"] + [
    f"{code}_{m}" for code in ITEMS for m in "EP"
]


@pytest.fixture(autouse=True)
def english(client):
    """Read the pages in English, the language of the messages the tests look for."""
    client.set_cookie(LOCALE_COOKIE, "en", domain="servqual.test")


def _campaign(touchpoint_name="Atención en sede", site_name="Bogotá Norte", **fields):
    touchpoint = factories.touchpoint(
        name=touchpoint_name, channel=factories.channel(kind="face_to_face")
    )
    site = factories.site(name=site_name)
    return factories.campaign(touchpoints=[touchpoint], sites=[site], **fields)


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> str:
    return "\n".join(",".join(row) for row in [header, *rows]) + "\n"


def _row(touchpoint, site, segment, values=("5", "6") * 4, when="2026-03-02 10:15"):
    return [touchpoint, site, segment, when, *values]


def _upload(client, campaign, content: bytes, filename="answers.csv", encoding="auto"):
    data = {"file": (io.BytesIO(content), filename), "encoding": encoding}
    return client.post(
        f"/campaigns/{campaign.id}/import", data=data, content_type="multipart/form-data"
    )


def _upload_id(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].rsplit("/", 1)[1]


def _post(client, campaign, upload_id, action, **fields):
    return client.post(
        f"/campaigns/{campaign.id}/import/{upload_id}", data={"action": action, **fields}
    )


def _responses(db, campaign) -> list[Response]:
    return db.session.scalars(
        sa.select(Response).where(Response.campaign_id == campaign.id).order_by(Response.id)
    ).all()


def _files(app) -> set[str]:
    """Return the names of the uploads kept in the instance folder."""
    folder = importing.uploads._upload_dir(app.instance_path)
    return {path.name for path in folder.iterdir()}


@pytest.mark.parametrize(
    ("encoding", "touchpoint", "site", "segments"),
    [
        ("utf-8-sig", "Atención en sede", "Bogotá Norte", ["Señora Müller", "김 고객"]),
        ("cp1252", "Atención en sede", "Bogotá Norte", ["Peña Ñandú", "fidèle"]),
        ("cp949", "창구 상담", "서울 본점", ["충성 고객", "신규 고객"]),
    ],
)
def test_each_encoding_round_trips_accents_and_hangul(
    app, client, db, make_user, login, encoding, touchpoint, site, segments
):
    login(make_user("manager"))
    campaign = _campaign(touchpoint, site)
    content = _csv([_row(touchpoint, site, segment) for segment in segments]).encode(encoding)

    upload_id = _upload_id(_upload(client, campaign, content))
    page = client.get(f"/campaigns/{campaign.id}/import/{upload_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # The detected encoding is preselected and the preview shows the text decoded.
    assert re.search(rf'<option selected value="{re.escape(encoding)}">', html)
    assert segments[0] in html and touchpoint in html

    checked = _post(client, campaign, upload_id, "check")
    assert checked.status_code == 200, checked.get_data(as_text=True)
    assert "2 rows are ready to import" in checked.get_data(as_text=True)
    assert _responses(db, campaign) == []  # a check stores nothing

    done = _post(client, campaign, upload_id, "import")
    assert done.status_code == 303
    stored = _responses(db, campaign)
    assert [r.segment for r in stored] == segments
    assert {r.touchpoint.name for r in stored} == {touchpoint}
    assert {r.site.name for r in stored} == {site}
    assert {r.source for r in stored} == {"import"}
    assert all(len(r.answers) == 4 for r in stored)
    assert not {f for f in _files(app) if f.startswith(upload_id)}  # deleted after the import


def test_the_user_can_correct_a_wrong_encoding(app, client, db, make_user, login):
    login(make_user("manager"))
    campaign = _campaign()
    content = _csv([_row("Atención en sede", "Bogotá Norte", "Peña")]).encode("cp1252")
    upload_id = _upload_id(_upload(client, campaign, content, encoding="cp1252"))

    wrong = _post(client, campaign, upload_id, "encoding", encoding="utf-8")
    assert wrong.status_code == 400
    assert "not valid UTF-8 text" in wrong.get_data(as_text=True)
    assert "Pe\ufffda" in wrong.get_data(as_text=True)  # the preview shows the damage

    right = _post(client, campaign, upload_id, "import", encoding="cp1252")
    assert right.status_code == 303
    assert [r.segment for r in _responses(db, campaign)] == ["Peña"]


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_bad_row(client, db, make_user, login):
    login(make_user("manager"))
    campaign = _campaign()
    good = _row("Atención en sede", "Bogotá Norte", "loyal")
    values = list(good[4:])
    rows = [
        good,
        _row("Atención en sede", "Bogotá Norte", "new", ["9", *values[1:]]),
        _row("Atención en sede", "Bogotá Norte", "new", [*values[:3], "abc", *values[4:]]),
        _row("Nowhere", "Bogotá Norte", "new"),
        _row("", "Bogotá Norte", "new"),
        _row("Atención en sede", "Cali Sur", "new"),
        good,
    ]
    upload_id = _upload_id(_upload(client, campaign, _csv(rows).encode("utf-8")))

    refused = _post(client, campaign, upload_id, "import")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Nothing was imported" in html
    assert _responses(db, campaign) == []
    expected = [
        ("3", "REL1_E", "9", "out of range: the scale runs from 1 to 7"),
        ("4", "REL2_P", "abc", "not a number"),
        ("5", "Touchpoint", "Nowhere", "unknown touchpoint"),
        ("6", "Touchpoint", "", "missing: the touchpoint is required"),
        ("7", "Site", "Cali Sur", "unknown site"),
    ]
    for row, column, value, reason in expected:
        assert re.search(
            rf"<tr><td>{row}</td><td>{column}</td><td>{value}</td><td>[^<]*{reason}", html
        ), (row, column, reason)
    assert "<td>2</td>" not in html and "<td>8</td>" not in html  # good rows are not listed


def test_check_rows_reports_row_column_value_and_reason(db):
    campaign = _campaign()
    text = _csv(
        [
            _row("Atención en sede", "Bogotá Norte", "a"),
            [],  # a blank line: row numbers still follow the file
            _row("Atención en sede", "Bogotá Norte", "b", ["", "", "", "", "", "", "", ""]),
            _row("Atención en sede", "Bogotá Norte", "c", when="yesterday"),
        ]
    )
    table = read_table(text.encode(), "x.csv")
    plan = importing.build_plan(campaign, "en")
    mapping = importing.ImportMapping(columns=importing.auto_columns(plan.fields, table.headers))
    with force_locale("en"):
        parsed, problems = importing.check_rows(table, plan, mapping)
    assert [row.row for row in parsed] == [2]
    assert [(p.row, p.column, p.value, p.reason) for p in problems] == [
        (4, "REL1_E", "", "missing: the row has no answers"),
        (5, "Timestamp", "yesterday", "not a date and time"),
    ]


def test_the_same_file_imports_once(client, db, make_user, login):
    login(make_user("manager"))
    campaign = _campaign()
    content = _csv([_row("Atención en sede", "Bogotá Norte", s) for s in ("a", "b")]).encode()
    first = _upload_id(_upload(client, campaign, content))
    assert _post(client, campaign, first, "import").status_code == 303
    assert len(_responses(db, campaign)) == 2

    again = _upload_id(_upload(client, campaign, content))
    checked = _post(client, campaign, again, "check").get_data(as_text=True)
    assert "2 rows were already imported from this file" in checked
    assert "Every row of this file was already imported" in checked
    _post(client, campaign, again, "import")
    assert len(_responses(db, campaign)) == 2


def test_fixed_touchpoint_and_zone_columns_map_by_name(client, db, make_user, login):
    login(make_user("manager"))
    campaign = _campaign(format="zone_of_tolerance")
    touchpoint = campaign.touchpoints[0]
    header = ["Sede", "segmento", "fecha"] + [f"{c}_{m}" for c in ITEMS for m in ("A", "DS", "P")]
    rows = [["Bogotá Norte", "loyal", "02/03/2026 10:15"] + ["4", "6", "5"] * 4]
    upload_id = _upload_id(_upload(client, campaign, _csv(rows, header).encode()))
    done = _post(
        client, campaign, upload_id, "import", touchpoint=str(touchpoint.id), date_format="dmy"
    )
    assert done.status_code == 303, done.get_data(as_text=True)
    (response,) = _responses(db, campaign)
    assert response.touchpoint_id == touchpoint.id and response.segment == "loyal"
    # 10:15 in Bogotá (UTC−5) is 15:15 UTC, on 2 March (day first).
    assert (response.submitted_at.month, response.submitted_at.day) == (3, 2)
    assert response.submitted_at.hour == 15
    assert {(a.a, a.ds, a.p, a.e) for a in response.answers} == {(4, 6, 5, None)}


def test_a_mapping_without_every_question_is_refused(client, db, make_user, login):
    login(make_user("manager"))
    campaign = _campaign()
    header = ["Touchpoint", "REL1_E", "REL1_P"]
    upload_id = _upload_id(
        _upload(client, campaign, _csv([["Atención en sede", "5", "6"]], header).encode())
    )
    refused = _post(client, campaign, upload_id, "check")
    assert refused.status_code == 400
    assert "these have none: REL2_E, REL2_P" in refused.get_data(as_text=True)


def test_uploads_are_checked_by_size_and_content(app, client, db, make_user, login, monkeypatch):
    login(make_user("manager"))
    campaign = _campaign()
    kept = _files(app)
    monkeypatch.setattr(importing, "MAX_IMPORT_BYTES", 256 * 1024)
    big = _upload(client, campaign, b"a,b\n" + b"1,2\n" * 70_000)
    assert big.status_code == 413
    assert "larger than 0.25 MB" in big.get_data(as_text=True)

    png = _upload(client, campaign, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "answers.csv")
    assert png.status_code == 400
    assert "not a text table" in png.get_data(as_text=True)
    fake = _upload(client, campaign, b"just words", "answers.xlsx")
    assert fake.status_code == 400
    assert "not a readable Excel workbook" in fake.get_data(as_text=True) or (
        "named like a workbook" in fake.get_data(as_text=True)
    )
    empty = _upload(client, campaign, b"REL1_E,REL1_P\n")
    assert empty.status_code == 400
    assert "no responses" in empty.get_data(as_text=True)
    assert _files(app) == kept  # refused uploads are not kept


def test_workbooks_import(client, db, make_user, login):
    login(make_user("manager"))
    campaign = _campaign()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["Atención en sede", "Bogotá Norte", "Ñoño", "2026-03-02 10:15", *[5, 6] * 4])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload_id = _upload_id(_upload(client, campaign, buffer.getvalue(), "answers.xlsx"))
    assert _post(client, campaign, upload_id, "import").status_code == 303
    (response,) = _responses(db, campaign)
    assert response.segment == "Ñoño"
    assert {(a.e, a.p) for a in response.answers} == {(5, 6)}


def test_uploads_stay_with_their_campaign_and_cancel_deletes_them(
    app, client, db, make_user, login
):
    login(make_user("manager"))
    campaign, other = _campaign(), _campaign("Otro", "Otra sede")
    kept = _files(app)
    content = _csv([_row("Atención en sede", "Bogotá Norte", "a")]).encode()
    upload_id = _upload_id(_upload(client, campaign, content))
    elsewhere = client.get(f"/campaigns/{other.id}/import/{upload_id}")
    assert elsewhere.status_code == 302  # another campaign does not see it
    made_up = client.get(f"/campaigns/{campaign.id}/import/{'A' * 22}")
    assert made_up.status_code == 302
    assert client.get(f"/campaigns/{campaign.id}/import/..%2F..%2Fsecret").status_code in (
        302,
        404,
    )
    assert _files(app) - kept == {f"{upload_id}.data", f"{upload_id}.json"}
    cancelled = client.post(f"/campaigns/{campaign.id}/import/{upload_id}/cancel")
    assert cancelled.status_code == 303
    assert _files(app) == kept
    assert _responses(db, campaign) == []


def test_managers_import_only_into_their_sites(client, db, make_user, login):
    campaign = _campaign()
    own = campaign.sites[0]
    other_site = factories.site(name="Cali Sur")
    campaign.sites.append(other_site)
    db.session.flush()
    login(make_user("manager", sites=[own]))
    rows = [
        _row("Atención en sede", "Bogotá Norte", "a"),
        _row("Atención en sede", "Cali Sur", "b"),
    ]
    upload_id = _upload_id(_upload(client, campaign, _csv(rows).encode()))
    refused = _post(client, campaign, upload_id, "import")
    assert refused.status_code == 400
    assert re.search(
        r"<tr><td>3</td><td>Site</td><td>Cali Sur</td><td>outside your sites", refused.text
    )
    assert _responses(db, campaign) == []

    elsewhere = _campaign("Otro", "Medellín")
    assert client.get(f"/campaigns/{elsewhere.id}/import").status_code == 403
    assert client.get(f"/campaigns/{elsewhere.id}/export").status_code == 403


def test_cli_import_with_bad_rows_fails_and_stores_nothing(app, db, tmp_path):
    campaign = _campaign()
    touchpoint = campaign.touchpoints[0]
    header = ["Punto", "Cuando", *[f"P{n}" for n in range(8)]]
    rows = [
        ["Atención en sede", "2026-03-02 10:15", *["5", "6"] * 4],
        ["Atención en sede", "2026-03-02 10:15", "8", *["6"] * 7],
        ["Atención en sede", "2026-03-02 10:15", "x", *["6"] * 7],
    ]
    data = tmp_path / "answers.csv"
    data.write_text(_csv(rows, header), encoding="cp1252")
    columns = {"touchpoint": "Punto", "submitted_at": "Cuando"} | {
        f"{code}_{m}": f"P{2 * i + j}" for i, code in enumerate(ITEMS) for j, m in enumerate("EP")
    }
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"columns": columns, "site": campaign.sites[0].code}))
    db.session.commit()  # the setup survives the command's rollback (the test still rolls back)
    runner = app.test_cli_runner()
    args = ["responses", "import", str(data), "--campaign", str(campaign.id)]
    args += ["--mapping", str(mapping)]

    failed = runner.invoke(cli_main, args)
    assert failed.exit_code == 1
    # One line per problem: file, row, column, value, then the reason.
    assert re.search(r"^answers\.csv:3: P0='8': \S", failed.output, re.MULTILINE)
    assert re.search(r"^answers\.csv:4: P0='x': \S", failed.output, re.MULTILINE)
    assert "2 problems in 2 rows; nothing was imported" in failed.output
    assert _responses(db, campaign) == []

    data.write_text(_csv(rows[:1], header), encoding="cp1252")
    checked = runner.invoke(cli_main, [*args, "--dry-run"])
    assert checked.exit_code == 0, checked.output
    assert "1 rows would be imported" in checked.output
    assert _responses(db, campaign) == []
    done = runner.invoke(cli_main, args)
    assert done.exit_code == 0, done.output
    (response,) = _responses(db, campaign)
    assert response.touchpoint_id == touchpoint.id
    assert response.site_id == campaign.sites[0].id
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Answer).where(Answer.response_id == response.id)
        )
        == 4
    )
