"""``servqual demo`` builds a demo worth looking at, once."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from servqual.accounts.models import User
from servqual.audits.models import Visit, VisitAction, VisitAnswer
from servqual.cli import main as cli_main
from servqual.extensions import db
from servqual.gaps.sources import Scope, analyse_wave
from servqual.reports.models import Report, ReportKind, ReportStatus
from servqual.reports.operations import report_path
from servqual.service.models import ItemPillar, Pillar, ServiceCycle, Site, Standard, Touchpoint
from servqual.surveys.internal_models import CommunicationRating, SpecificationRating


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
        _check_audits(report.campaign)
        db.session.remove()

    second = runner.invoke(cli_main, ["demo", "--no-serve"])
    assert second.exit_code == 0
    assert "already exists" in second.output

    rebuilt = runner.invoke(cli_main, ["demo", "--no-serve", "--reset", "--yes"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Demo ready" in rebuilt.output


def _check_audits(campaign):
    """The demo's Gap 3 and Gap 4 come from audits and equal the raw rows' arithmetic."""
    statuses = dict(
        db.session.execute(sa.select(Visit.status, sa.func.count()).group_by(Visit.status)).all()
    )
    assert statuses["approved"] >= 200
    assert statuses["returned"] >= 5
    assert statuses["rejected"] == 1
    # Every visit has the trail its status implies, in time order: assigned, started,
    # ended, submitted (and returned, for each round of a returned visit), then the decision.
    for visit in db.session.scalars(sa.select(Visit)):
        actions = [e.action for e in visit.events]
        times = [e.at for e in visit.events]
        assert actions[:3] == [VisitAction.ASSIGNED, VisitAction.STARTED, VisitAction.ENDED]
        assert actions.count(VisitAction.SUBMITTED) == visit.submission_count >= 1
        assert times == sorted(times)
        assert actions[-1] == visit.status  # submitted, returned, approved or rejected
        assert all(e.user_id == visit.auditor_id for e in visit.events if e.action == "started")
    # Every scored answer of an approved visit within the wave: (touchpoint, pillar) →
    # Σ w·s and Σ w; D = 1 + (7 − 1)·r, r = Σ w·s / Σ w (SERVQUAL items are 1–7).
    sums: dict[tuple[int, str], list[float]] = {}
    by_site: dict[tuple[str, str], list[float]] = {}
    rows = db.session.execute(
        sa.select(
            VisitAnswer.touchpoint_id, Pillar.code, Site.code, VisitAnswer.weight, VisitAnswer.score
        )
        .join(Visit, Visit.id == VisitAnswer.visit_id)
        .join(Site, Site.id == Visit.site_id)
        .join(Standard, Standard.id == VisitAnswer.standard_id)
        .join(Pillar, Pillar.id == Standard.pillar_id)
        .where(
            Visit.status == "approved",
            VisitAnswer.score.is_not(None),
            Visit.scheduled_on.between(campaign.opens_on, campaign.closes_on),
        )
    )
    for tp, pillar, site, weight, score in rows:
        for key, table in (((tp, pillar), sums), ((site, pillar), by_site)):
            pair = table.setdefault(key, [0.0, 0.0])
            pair[0] += weight * score
            pair[1] += weight
    # Compliance differs by site and pillar (Bogotá: warm but slow; Medellín the reverse).
    rate = {key: y / x for key, (y, x) in by_site.items()}
    assert rate["BOG", "CALIDEZ"] - rate["BOG", "AGIL"] > 0.15
    assert rate["MDE", "AGIL"] - rate["MDE", "CALIDEZ"] > 0.15
    analysis = analyse_wave(Scope(campaign.id))
    audited = [cell for cell in analysis.chain if cell.gap3.source == "audit compliance"]
    assert len(audited) >= 5
    specification = _ratings(SpecificationRating, campaign)
    communication = _ratings(CommunicationRating, campaign)
    items = {}
    for code, pillar in db.session.execute(
        sa.select(ItemPillar.item_code, Pillar.code).join(Pillar)
    ):
        items.setdefault(pillar, []).append(code)
    for cell in audited:
        y, x = sums[cell.touchpoint.id, cell.pillar.code]
        d = 1 + 6 * y / x
        s = _mean(specification, cell.touchpoint.id, items[cell.pillar.code])
        c = _mean(communication, cell.touchpoint.id, items[cell.pillar.code])
        assert cell.gap3.minuend == pytest.approx(d)
        if s is not None:
            assert cell.gap3.value == pytest.approx(d - s)
        if c is not None:
            assert cell.gap4.value == pytest.approx(d - c)


def _ratings(model, campaign) -> dict[tuple[int, str], float]:
    query = sa.select(model).where(model.campaign_id == campaign.id)
    return {
        (row.touchpoint_id, row.item_code): row.value
        for row in db.session.scalars(query)
        if row.value is not None and getattr(row, "has_standard", True)
    }


def _mean(ratings, touchpoint_id, codes):
    values = [ratings[touchpoint_id, c] for c in codes if (touchpoint_id, c) in ratings]
    return sum(values) / len(values) if values else None
