"""The maintained summary aggregates: summary() equals the computation from the answers."""

from __future__ import annotations

from datetime import date

import pytest

from servqual.cli import main as cli_main
from servqual.gaps.sources import Scope, summary, summary_live
from servqual.instruments.format import from_definition
from servqual.service.models import Pillar
from servqual.service.operations import delete_guarded, set_item_pillars
from servqual.surveys import importing
from servqual.surveys import operations as survey_ops
from servqual.surveys.aggregate_models import CellMoments
from servqual.surveys.aggregates import rebuild_cell_moments
from servqual.surveys.steps import scored_items
from servqual.surveys.tables import read_table
from tests import factories
from tests.gaps import wavedata


def _figures(table) -> list[tuple]:
    data = table.to_dict(for_staff=False)
    cells = [*data["cells"], *data["touchpoint_margins"], *data["pillar_margins"], data["overall"]]
    return [(c["n"], c["status"], c["mean"], c["ci_low"], c["ci_high"]) for c in cells]


def assert_same(scope: Scope) -> list[tuple]:
    stored, live = _figures(summary(scope)), _figures(summary_live(scope))
    assert len(stored) == len(live)
    for a, b in zip(stored, live, strict=True):
        assert a[:2] == b[:2]
        assert [x is None for x in a] == [x is None for x in b]
        numbers = [(x, y) for x, y in zip(a[2:], b[2:], strict=True) if x is not None]
        assert [x for x, _ in numbers] == pytest.approx([y for _, y in numbers], rel=1e-9)
    return stored


def test_summary_of_factory_responses_equals_the_live_computation(db):
    wave = wavedata.build(n=90)
    figures = assert_same(Scope(wave.campaign.id))
    assert sum(f[0] for f in figures) > 0
    site = wave.sites[0].id
    assert_same(Scope(wave.campaign.id, site_ids=(site,), segments=("loyal",)))
    assert_same(Scope(wave.campaign.id, touchpoint_ids=(wave.touchpoints[1].id,)))
    assert_same(Scope(wave.campaign.id, channel_ids=(wave.touchpoints[0].channel_id,)))


def test_rebuild_gives_the_rows_the_submissions_maintained(app, db):
    wave = wavedata.build(n=60)

    def rows():
        return sorted(
            (r.touchpoint_id, r.site_id, r.channel_id, r.segment, r.pillar_id, r.n, r.total)
            for r in db.session.scalars(
                db.select(CellMoments).filter_by(campaign_id=wave.campaign.id)
            )
        )

    before = rows()
    rebuild_cell_moments(wave.campaign.id)
    after = rows()
    db.session.execute(db.delete(CellMoments))
    db.session.commit()
    result = app.test_cli_runner().invoke(
        cli_main, ["gaps", "refresh", "--campaign", str(wave.campaign.id)]
    )
    assert result.exit_code == 0, result.output
    assert rows() == after
    assert [r[:6] for r in after] == [r[:6] for r in before]
    assert [r[6] for r in after] == pytest.approx([r[6] for r in before])
    assert any(r[3] == "" for r in after)  # responses without a segment have a row


def test_a_mapping_change_recomputes_the_summary(db):
    wave = wavedata.build(n=60)
    scope = Scope(wave.campaign.id)
    before = assert_same(scope)
    wa = db.session.scalar(db.select(Pillar).filter_by(code="WA"))
    set_item_pillars({"REL2": {wa.id}})  # WA now has REL2 and EMP2
    after = assert_same(scope)
    assert after != before


def test_deleting_a_pillar_recomputes_the_promise_margin(db):
    wave = wavedata.build(n=60)
    scope = Scope(wave.campaign.id)
    before = summary(scope)
    wa = db.session.scalar(db.select(Pillar).filter_by(code="WA"))
    delete_guarded(wa, "WA")  # EMP2, mapped to WA only, leaves the promise
    after = assert_same(scope)
    assert summary(scope).overall.mean != before.overall.mean
    assert len(after) == len(_figures(before)) - 3  # WA at the two touchpoints and its margin


def test_imported_and_submitted_responses_are_counted(db):
    wavedata.organisation()
    touchpoint = factories.touchpoint(channel=factories.channel(kind="face_to_face"))
    site = factories.site(name="Norte")
    campaign = factories.campaign(touchpoints=[touchpoint], sites=[site])
    items = wavedata.ITEMS
    header = ["Touchpoint", "Site", "Segment", "Timestamp"] + [
        f"{code}_{m}" for code in items for m in "EP"
    ]
    rows = [
        [touchpoint.name, "Norte", segment, "2026-03-02 10:15", *values]
        for segment, values in (
            ("a", ["5", "6", "4", "4", "6", "3", "7", "7"]),
            ("b", ["3", "6", "", "", "6", "5", "2", "7"]),
            ("", ["5", "5", "5", "1", "6", "6", "7", "4"]),
        )
    ]
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    table = read_table(text.encode(), "x.csv")
    plan = importing.build_plan(campaign, "en")
    mapping = importing.ImportMapping(columns=importing.auto_columns(plan.fields, table.headers))
    outcome = importing.import_responses(campaign, table, mapping, "digest")
    assert outcome.created == 3
    figures = assert_same(Scope(campaign.id))
    assert max(f[0] for f in figures) == 3

    instrument = from_definition(campaign.instrument_version.definition)
    forms = scored_items(instrument)[0].forms
    token = survey_ops.start_draft(campaign.links[0], "en")
    draft = survey_ops.find_draft(token)
    answers = {f"{form}-{code}": "4" for code in items for form in forms}
    survey_ops.save_answers(draft, answers, step=99)
    survey_ops.submit_draft(draft, "en", date(2026, 3, 3))
    db.session.flush()
    figures = assert_same(Scope(campaign.id))
    assert max(f[0] for f in figures) == 4
