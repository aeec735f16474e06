"""Checklists are instruments: validated with file:line errors, synced, fit to the model."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask_babel import force_locale

from servqual.audits.checklists import checklist_of, fit_problems
from servqual.cli import main
from servqual.instruments.format import InstrumentInvalid, load_file
from tests.audits import builders

SHIPPED = ["mystery-branch-visit", "mystery-phone-call"]


@pytest.mark.parametrize("key", SHIPPED)
def test_shipped_checklists_validate_in_both_languages(key):
    checklist = load_file(builders.INSTRUMENTS / f"{key}.yaml")
    assert checklist.kind == "checklist" and checklist.items
    for item in checklist.items:
        assert item.label["es"] and item.label["en"] and item.texts["checklist"]["en"]
    assert any(item.params.get("unit") for item in checklist.items)  # a measured value


def _broken(tmp_path: Path, old: str, new: str) -> list[str]:
    source = (builders.INSTRUMENTS / "mystery-phone-call.yaml").read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / "mystery-phone-call.yaml"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InstrumentInvalid) as raised:
        load_file(path)
    return [str(error) for error in raised.value.errors]


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        ('unit: "timbres"', 'unit: "parsecs"', 'unit: "parsecs"', "unknown unit 'parsecs'"),
        ("section: call\n    type: measured", "section: cal\n    type: measured", "section: cal",
         "unknown section 'cal'"),
        ("max_length: 2000", 'max_length: 2000\n    standard: "TIMBRES"', 'standard: "TIMBRES"',
         "cannot be bound to a standard"),
        ("    min: 1\n    max: 5", "    min: 5\n    max: 1", "max: 1", "max must be greater"),
        ("compliant: true", "compliant: false", None, "marked compliant: true"),
        ("integer: true", "integer: yes-please", "integer: yes-please", "is not of type 'boolean'"),
        ("code: HOLD", "code: RINGS", "code: RINGS", "duplicate question code 'RINGS'"),
        ("weight: 2", "wieght: 2", "wieght: 2", "unknown key 'wieght'"),
    ],
)  # fmt: skip
def test_broken_checklists_say_file_line_and_reason(tmp_path, old, new, needle, message):
    errors = _broken(tmp_path, old, new)
    assert any(message in error for error in errors), errors
    if needle is not None:
        edited = (tmp_path / "mystery-phone-call.yaml").read_text(encoding="utf-8").splitlines()
        line = max(i for i, text in enumerate(edited, 1) if text.strip(" -") == needle)
        assert any(e.startswith(f"{tmp_path / 'mystery-phone-call.yaml'}:{line}:") for e in errors)


def test_validate_command_reports_checklists(tmp_path):
    runner = CliRunner()
    good = runner.invoke(main, ["instruments", "validate", *[
        str(builders.INSTRUMENTS / f"{key}.yaml") for key in SHIPPED
    ]])  # fmt: skip
    assert good.exit_code == 0 and good.output.count(": ok") == 2
    _broken(tmp_path, 'unit: "timbres"', 'unit: "parsecs"')
    bad = runner.invoke(
        main, ["instruments", "validate", str(tmp_path / "mystery-phone-call.yaml")]
    )
    assert bad.exit_code != 0 and "unknown unit 'parsecs'" in bad.output


def test_synced_checklist_fits_the_service_model(world):
    checklist = checklist_of(world.branch_checklist)
    assert fit_problems(checklist) == []
    assert [s.touchpoint_code for s in checklist.sections] == [
        "LLEGADA",
        "TURNO",
        "ASESORIA",
        "FIRMA",
    ]
    assert world.branch_checklist.instrument.kind == "checklist"
    assert {i.code for i in world.branch_checklist.items} >= {"WAIT", "COSTS"}
    assert not any(i.is_scored for i in world.branch_checklist.items)  # not survey dimensions


def test_a_misfit_checklist_is_explained(world, db):
    world.standards["ESPERA"].unit = "timbres"
    world.standards["COSTOS"].requires_evidence = False
    world.standards["IDENT"].kind = "rating"
    world.standards["IDENT"].rating_min, world.standards["IDENT"].rating_max = 1, 5
    world.touchpoints["FIRMA"].code = "FIRMAS"
    db.session.flush()
    with force_locale("en"):
        problems = fit_problems(checklist_of(world.branch_checklist))
    assert (
        "question WAIT: unit min cannot be compared with standard ESPERA's unit timbres" in problems
    )
    assert (
        "question ID_CHECK: a yes_no question cannot measure the rating standard IDENT" in problems
    )
    assert "section signing: touchpoint FIRMA does not exist" in problems
