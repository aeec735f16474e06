"""The shipped instruments validate; broken copies fail with file, line and reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from servqual.cli import main as cli_main
from servqual.config import bundled_dir
from servqual.instruments.format import InstrumentInvalid, load_file, parse_instrument
from servqual.instruments.itemtypes import ITEM_TYPES, AnswerError
from servqual.instruments.models import Instrument, InstrumentVersion
from servqual.instruments.operations import sync_directory

DIRECTORY = bundled_dir("instruments")
SHIPPED = ["servqual-22", "servqual-22-zot", "servperf-22", "gap1-management", "gap-internal"]
SERVQUAL_DIMENSIONS = {
    "tangibles": 4,
    "reliability": 5,
    "responsiveness": 4,
    "assurance": 4,
    "empathy": 5,
}


def scored(instrument):
    dims = {d["code"] for d in instrument.dimensions if d.get("scored", True)}
    return [item for item in instrument.items if item.dimension in dims]


@pytest.mark.parametrize("key", SHIPPED)
def test_shipped_instruments_validate(key):
    instrument = load_file(DIRECTORY / f"{key}.yaml")
    assert instrument.key == key
    for item in instrument.items:
        for form in item.forms:
            assert item.text(form, "es").strip() and item.text(form, "en").strip()
        assert item.label["es"] and item.label["en"]


def test_servqual_22_has_the_1991_structure():
    instrument = load_file(DIRECTORY / "servqual-22.yaml")
    items = scored(instrument)
    assert len(items) == 22
    counts = {dim: sum(1 for i in items if i.dimension == dim) for dim in SERVQUAL_DIMENSIONS}
    assert counts == SERVQUAL_DIMENSIONS
    measures = {form["code"]: form["measure"] for form in instrument.forms}
    for item in items:
        assert {measures[f] for f in item.forms} == {"E", "P"}
        assert item.type == "likert" and (item.params["min"], item.params["max"]) == (1, 7)
        assert item.params["anchors"]["1"]["en"].lower() == "strongly disagree"
        assert item.params["anchors"]["7"]["en"].lower() == "strongly agree"
        assert item.text("E" if "E" in item.forms else item.forms[0], "en") != item.text(
            next(f for f in item.forms if measures[f] == "P"), "en"
        )
    types = {item.type for item in instrument.items}
    assert "allocation" in types  # the 100-point importance question
    assert any(measures[f] == "overall" for i in instrument.items for f in i.forms)


def test_the_family_shares_item_codes_and_labels():
    base = {i.code: i for i in scored(load_file(DIRECTORY / "servqual-22.yaml"))}
    for key, measures in [
        ("servqual-22-zot", {"A", "Ds", "P"}),
        ("servperf-22", {"P"}),
        ("gap1-management", {"M"}),
    ]:
        instrument = load_file(DIRECTORY / f"{key}.yaml")
        form_measure = {form["code"]: form["measure"] for form in instrument.forms}
        items = {i.code: i for i in scored(instrument)}
        assert set(items) == set(base), key
        for code, item in items.items():
            assert item.dimension == base[code].dimension
            assert {form_measure[f] for f in item.forms} == measures, (key, code)
    zot = scored(load_file(DIRECTORY / "servqual-22-zot.yaml"))
    assert {(i.params["min"], i.params["max"]) for i in zot} == {(1, 9)}


def test_gap_internal_covers_the_antecedents_of_gaps_1_to_4():
    instrument = load_file(DIRECTORY / "gap-internal.yaml")
    by_gap: dict[int, set[str]] = {}
    for dimension in instrument.dimensions:
        by_gap.setdefault(dimension.get("gap"), set()).add(dimension["code"])
    assert {
        "marketing_research_orientation",
        "upward_communication",
        "levels_of_management",
    } <= by_gap[1]
    assert {
        "management_commitment",
        "goal_setting",
        "task_standardization",
        "perception_of_feasibility",
    } <= by_gap[2]
    assert {
        "teamwork",
        "employee_job_fit",
        "technology_job_fit",
        "perceived_control",
        "supervisory_control",
        "role_conflict",
        "role_ambiguity",
    } <= by_gap[3]
    assert {"horizontal_communication", "propensity_to_overpromise"} <= by_gap[4]
    assert any(item.reverse for item in instrument.items)


# --- broken copies ---------------------------------------------------------------------------


def _line_of(text: str, pattern: str, start: int = 0) -> int:
    """Return the 1-based number of the first line at or after ``start`` matching ``pattern``."""
    for number, line in enumerate(text.splitlines(), 1):
        if number > start and re.search(pattern, line):
            return number
    raise AssertionError(f"no line matches {pattern!r}")


def _replace_line(text: str, number: int, new: str) -> str:
    lines = text.splitlines()
    lines[number - 1] = new
    return "\n".join(lines) + "\n"


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def break_syntax(text):
    n = _line_of(text, r"^items:")
    return _replace_line(text, n, "items: [unclosed"), n + 1, "YAML syntax"


def break_dimension(text):
    n = _line_of(text, r"^\s+dimension: ", _line_of(text, r"^items:"))
    line = text.splitlines()[n - 1]
    return (
        _replace_line(text, n, re.sub(r"dimension: .*", "dimension: nowhere", line)),
        n,
        ("unknown dimension 'nowhere'"),
    )


def break_type(text):
    n = _line_of(text, r"^\s+(- )?type: likert")
    line = text.splitlines()[n - 1]
    return _replace_line(text, n, line.replace("likert", "slider")), n, "unknown item type 'slider'"


def break_duplicate_code(text):
    items = _line_of(text, r"^items:")
    first = _line_of(text, r"^\s+- code: ", items)
    second = _line_of(text, r"^\s+- code: ", first)
    code = text.splitlines()[first - 1].split("code:")[1].strip()
    line = text.splitlines()[second - 1]
    return (
        _replace_line(text, second, re.sub(r"code: .*", f"code: {code}", line)),
        second,
        (f"duplicate item code {code!r}"),
    )


def break_language(text):
    n = _line_of(text, r"^\s+en: ", _line_of(text, r"^items:"))
    lines = text.splitlines()
    del lines[n - 1]
    return "\n".join(lines) + "\n", None, "'en' is missing"


def break_unknown_key(text):
    return text + "colour: red\n", len(text.splitlines()) + 1, "unknown key 'colour'"


def break_format_version(text):
    n = _line_of(text, r"^format_version:")
    return _replace_line(text, n, "format_version: 99"), n, "format_version 99 is not supported"


def break_missing_title(text):
    n = _line_of(text, r"^title:")
    lines = text.splitlines()
    # drop the title and its nested lines
    end = n
    while end < len(lines) and lines[end].startswith((" ", "\t")):
        end += 1
    del lines[n - 1 : end]
    remaining = "\n".join(lines) + "\n"
    return remaining, _line_of(remaining, r"^format_version:"), "'title' is missing"


def break_anchor(text):
    n = _line_of(text, r"^\s+['\"]?1['\"]?: ")
    line = text.splitlines()[n - 1]
    return (
        _replace_line(text, n, re.sub(r"['\"]?1['\"]?:", '"42":', line, count=1)),
        n,
        ("outside the scale"),
    )


def break_duplicate_key(text):
    n = _line_of(text, r"^kind:")
    lines = text.splitlines()
    lines.insert(n, "kind: customer")
    return "\n".join(lines) + "\n", n + 1, "duplicate key 'kind'"


BREAKERS = [
    break_syntax,
    break_dimension,
    break_type,
    break_duplicate_code,
    break_language,
    break_unknown_key,
    break_format_version,
    break_missing_title,
    break_anchor,
    break_duplicate_key,
]


@pytest.mark.parametrize("key", SHIPPED)
@pytest.mark.parametrize("breaker", BREAKERS, ids=lambda b: b.__name__)
def test_broken_copies_fail_with_a_precise_message(key, breaker, tmp_path):
    text = (DIRECTORY / f"{key}.yaml").read_text(encoding="utf-8")
    broken, line, message = breaker(text)
    path = tmp_path / f"{key}.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(InstrumentInvalid) as caught:
        load_file(path)
    errors = caught.value.errors
    matching = [e for e in errors if message in e.message]
    assert matching, f"expected {message!r}, got {[str(e) for e in errors]}"
    assert all(e.file == str(path) for e in errors)
    if line is not None:
        assert matching[0].line == line, str(matching[0])


def test_key_must_match_the_file_name(tmp_path):
    path = tmp_path / "renamed.yaml"
    path.write_text((DIRECTORY / "servperf-22.yaml").read_text(encoding="utf-8"))
    with pytest.raises(InstrumentInvalid, match="must match the file name"):
        load_file(path)


def test_an_empty_file_is_reported():
    with pytest.raises(InstrumentInvalid, match=r"x\.yaml:1: the file is empty"):
        parse_instrument("", "x.yaml")


def test_cli_validate_reports_file_line_and_exits_non_zero(app, tmp_path):
    runner = app.test_cli_runner()
    good = runner.invoke(cli_main, ["instruments", "validate"])
    assert good.exit_code == 0, good.output
    assert good.output.count(": ok") == len(list(DIRECTORY.glob("*.yaml")))
    text = (DIRECTORY / "servqual-22.yaml").read_text(encoding="utf-8")
    broken, line, _message = break_type(text)
    bad = tmp_path / "servqual-22.yaml"
    bad.write_text(broken, encoding="utf-8")
    result = runner.invoke(cli_main, ["instruments", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:{line}: " in result.output and "slider" in result.output


def test_cli_show_and_list(app, db):
    runner = app.test_cli_runner()
    shown = runner.invoke(cli_main, ["instruments", "show", "servqual-22", "--lang", "es"])
    assert shown.exit_code == 0
    assert "TAN1" in shown.output and "EMP5" in shown.output
    missing = runner.invoke(cli_main, ["instruments", "show", "nothing-like-it"])
    assert missing.exit_code != 0 and "no instrument" in missing.output
    listed = runner.invoke(cli_main, ["instruments", "list"])
    assert listed.exit_code == 0 and "servqual-22" in listed.output


# --- versions ------------------------------------------------------------------------------


def _copy_instruments(tmp_path: Path) -> Path:
    folder = tmp_path / "instruments"
    folder.mkdir()
    for key in SHIPPED:
        (folder / f"{key}.yaml").write_text((DIRECTORY / f"{key}.yaml").read_text("utf-8"))
    return folder


def test_sync_creates_a_version_only_when_the_content_changes(db, tmp_path):
    folder = _copy_instruments(tmp_path)
    first = {r.key: r for r in sync_directory(folder)}
    assert all(r.created and r.version == 1 for r in first.values())
    again = sync_directory(folder)
    assert not any(r.created for r in again)

    path = folder / "servperf-22.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("\n", "\n\n"), "utf-8")  # formatting only
    assert not any(r.created for r in sync_directory(folder))
    n = _line_of(text, r"^\s+en: ", _line_of(text, r"^items:"))
    line = text.splitlines()[n - 1]
    path.write_text(
        _replace_line(
            text,
            n,
            line.rstrip().rstrip('"') + ' (revised)"'
            if line.rstrip().endswith('"')
            else line + " (revised)",
        )
    )
    changed = {r.key: r for r in sync_directory(folder)}
    assert changed["servperf-22"].created and changed["servperf-22"].version == 2
    instrument = db.session.scalar(sa.select(Instrument).filter_by(key="servperf-22"))
    assert [v.number for v in instrument.versions] == [1, 2]
    assert instrument.versions[0].content_hash != instrument.versions[1].content_hash


def test_sync_is_all_or_nothing(db, tmp_path):
    folder = _copy_instruments(tmp_path)
    text = (folder / "gap-internal.yaml").read_text("utf-8")
    (folder / "gap-internal.yaml").write_text(break_type(text)[0], "utf-8")
    with pytest.raises(InstrumentInvalid):
        sync_directory(folder)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InstrumentVersion)) == 0


# --- item types ----------------------------------------------------------------------------


def test_likert_answers():
    likert = ITEM_TYPES["likert"]
    params = {"min": 1, "max": 7, "anchors": {}}
    assert likert.parse(params, "7") == 7
    for bad in ["0", "8", "3.5", "seven", "nan"]:
        with pytest.raises(AnswerError):
            likert.parse(params, bad)


def test_allocation_answers_must_sum_to_the_total():
    allocation = ITEM_TYPES["allocation"]
    params = {"total": 100, "among": ["a", "b", "c"]}
    assert allocation.parse(params, {"a": "50", "b": "30", "c": "20"}) == {
        "a": 50,
        "b": 30,
        "c": 20,
    }
    for bad in [{"a": 50, "b": 30, "c": 10}, {"a": 120, "b": -10, "c": -10}, {"a": 100, "b": 0}]:
        with pytest.raises(AnswerError):
            allocation.parse(params, bad)
