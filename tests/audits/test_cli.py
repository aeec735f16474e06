"""``servqual audits``: list, schedule, flags; an unknown programme exits non-zero."""

from __future__ import annotations

from datetime import timedelta

from servqual.cli import main
from tests.audits import builders
from tests.audits.test_review import submitted


def test_audits_commands(app, world, auditor, db):
    runner = app.test_cli_runner()
    scheduled = runner.invoke(main, ["audits", "schedule", str(world.programme.id)])
    assert (
        scheduled.exit_code == 0 and "8 visits added" in scheduled.output
    )  # 2 × 2 sites × 2 months
    again = runner.invoke(main, ["audits", "schedule", str(world.programme.id)])
    assert "0 visits added" in again.output
    listed = runner.invoke(main, ["audits", "programmes"])
    assert "Clientes ocultos 2026" in listed.output and "scheduled: 8" in listed.output
    visit = submitted(world, auditor, minutes=1, day=builders.date(2026, 11, 30))
    visit.ended_at = visit.started_at + timedelta(minutes=1)
    flagged = runner.invoke(main, ["audits", "flags", str(world.programme.id)])
    assert flagged.exit_code == 0 and f"visit {visit.id}\tduration" in flagged.output
    missing = runner.invoke(main, ["audits", "schedule", "999999"])
    assert missing.exit_code == 1 and "no programme with id 999999" in missing.output
