"""``servqual demo`` builds a demo worth looking at, once."""

from __future__ import annotations

import sqlalchemy as sa

from servqual.accounts.models import User
from servqual.cli import main as cli_main
from servqual.extensions import db
from servqual.reports.models import Report, ReportKind, ReportStatus
from servqual.reports.operations import report_path
from servqual.service.models import ItemPillar, Pillar, ServiceCycle, Site, Standard, Touchpoint


def test_demo_builds_once_and_says_so_the_second_time(empty_app):
    runner = empty_app.test_cli_runner()
    first = runner.invoke(cli_main, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    for role in ("admin", "manager", "auditor", "agent"):
        assert f"  {role} " in first.output
    with empty_app.app_context():
        count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
        assert count(Site) == 3
        assert 2 <= count(ServiceCycle) <= 3
        assert 7 <= count(Touchpoint) <= 9
        assert 4 <= count(Pillar) <= 5
        assert count(Standard) >= count(Pillar)
        assert {u.role for u in db.session.scalars(sa.select(User))} == {
            "admin",
            "manager",
            "auditor",
            "agent",
        }
        mapped = set(db.session.scalars(sa.select(ItemPillar.item_code)))
        assert len(mapped) == 22  # every SERVQUAL item speaks for some pillar
        channels = {tp.channel.kind for tp in db.session.scalars(sa.select(Touchpoint))}
        assert len(channels) >= 3
        # The demo ends with the executive report, stored (so listed on the Reports page).
        report = db.session.scalars(sa.select(Report)).one()
        assert (report.kind, report.language, report.site) == (ReportKind.EXECUTIVE, "es", None)
        assert report.status == ReportStatus.DONE, report.error
        assert report.campaign.wave == "2026-Q4"
        pdf = report_path(report)
        assert str(pdf) in first.output
        assert pdf.read_bytes()[:5] == b"%PDF-"
        assert report.page_count >= 2
        db.session.remove()

    second = runner.invoke(cli_main, ["demo", "--no-serve"])
    assert second.exit_code == 0
    assert "already exists" in second.output

    rebuilt = runner.invoke(cli_main, ["demo", "--no-serve", "--reset", "--yes"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Demo ready" in rebuilt.output
