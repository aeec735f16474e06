"""The database adapter: every figure equals an independent computation from the raw rows."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pingouin
import pytest
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from servqual.gaps.sources import Scope, SourceError, analyse_wave, previous_campaign, summary
from tests import factories
from tests.gaps import wavedata
from tests.gaps.checks import assert_no_nan
from tests.gaps.wavedata import DIMENSIONS, ITEMS, PILLARS, group_score

TOL = 1e-9


@pytest.fixture
def wave(db):
    return wavedata.build()


def _close(a, b):
    assert a == pytest.approx(b, rel=TOL, abs=TOL)


def test_item_gap5_equals_scipy_on_the_raw_rows(wave):
    analysis = analyse_wave(Scope(wave.campaign.id))
    e, p, _overall, _points = wave.arrays()
    for j, cell in enumerate(analysis.item_gaps):
        assert cell.subject.code == ITEMS[j]
        g = p[:, j] - e[:, j]
        g = g[~np.isnan(g)]
        t = sps.ttest_rel(g, np.zeros_like(g))
        low, high = sps.t.interval(0.95, g.size - 1, loc=g.mean(), scale=sps.sem(g))
        w = sps.wilcoxon(g, zero_method="pratt", correction=False, method="approx")
        assert cell.n == g.size
        _close(cell.gap.mean, g.mean())
        _close(cell.gap.p_value, t.pvalue)
        _close(cell.gap.ci_low, low)
        _close(cell.gap.ci_high, high)
        _close(cell.gap.wilcoxon_p, w.pvalue)
        _close(cell.gap.d_z, g.mean() / g.std(ddof=1))


def test_item_cells_by_touchpoint_are_holm_adjusted_as_one_family(wave):
    analysis = analyse_wave(Scope(wave.campaign.id), by=("touchpoint", "site"))
    cells = analysis.item_gaps_by["touchpoint"]
    e, p, _, _ = wave.arrays()
    raw = []
    for cell in cells:
        keep = wave.mask(touchpoint=cell.group.id)
        j = ITEMS.index(cell.subject.code)
        g = (p[keep, j] - e[keep, j])[~np.isnan(p[keep, j] - e[keep, j])]
        assert cell.n == g.size
        raw.append(sps.ttest_1samp(g, 0).pvalue)
    assert len(cells) == 2 * len(ITEMS)
    expected = multipletests(raw, method="holm")[1]
    for cell, p_adj in zip(cells, expected, strict=True):
        _close(cell.adjusted_p, p_adj)
    sites = {c.group.id for c in analysis.item_gaps_by["site"]}
    assert sites == {s.id for s in wave.sites} | {None}  # the phone line has no site


def test_dimension_pillar_and_overall_scores_are_respondent_level(wave):
    analysis = analyse_wave(Scope(wave.campaign.id))
    e, p, _overall, points = wave.arrays()
    g = p - e
    dims = {}
    for cell, (code, items) in zip(analysis.dimensions.gap, DIMENSIONS.items(), strict=True):
        scores = group_score(g, items)
        dims[code] = scores
        observed = scores[~np.isnan(scores)]
        assert cell.subject.code == code and cell.n == observed.size
        _close(cell.gap.mean, observed.mean())
        _close(cell.gap.p_value, sps.ttest_1samp(observed, 0).pvalue)
        perceived = group_score(p, items)
        _close(cell.perception.mean, np.nanmean(perceived))
    for cell, (code, items) in zip(analysis.pillars.gap, PILLARS.items(), strict=True):
        assert cell.subject.code == code
        if not items:
            assert cell.n == 0 and cell.gap.status == "no_items"
            continue
        scores = group_score(g, items)
        _close(cell.gap.mean, np.nanmean(scores))
    _close(analysis.servqual.value, np.mean([np.nanmean(s) for s in dims.values()]))
    servperf = np.mean([np.nanmean(group_score(p, items)) for items in DIMENSIONS.values()])
    _close(analysis.servperf.value, servperf)
    both = np.column_stack(list(dims.values()))
    complete = ~np.isnan(both).any(axis=1)
    weighted = (points[complete] / 100 * both[complete]).sum(axis=1)
    assert analysis.weighted_servqual.n == complete.sum()
    _close(analysis.weighted_servqual.respondent_level, weighted.mean())


def test_reliability_validity_and_importance_equal_pingouin_and_statsmodels(wave):
    analysis = analyse_wave(Scope(wave.campaign.id))
    e, p, overall, points = wave.arrays()
    measures = {"E": e, "P": p, "G": p - e}
    for cell in analysis.reliability:
        data = measures[cell.measure][:, DIMENSIONS[cell.dimension.code]]
        alpha, _ci = pingouin.cronbach_alpha(data=pd.DataFrame(data), nan_policy="listwise")
        _close(cell.alpha.alpha, alpha)
        assert cell.alpha.n == (~np.isnan(data).any(axis=1)).sum()
    assert analysis.validity.adequacy.n == (~np.isnan(p).any(axis=1)).sum()
    g = p - e
    x = np.column_stack([group_score(g, items) for items in DIMENSIONS.values()])
    keep = ~np.isnan(x).any(axis=1)
    fit = sm.OLS(overall[keep], sm.add_constant(x[keep])).fit()
    derived = analysis.importance.derived
    for ours, theirs in zip(derived.coefficients, fit.params[1:], strict=True):
        _close(ours, theirs)
    _close(derived.r_squared, fit.rsquared)
    stated = analysis.importance.stated
    _close(stated.mean_points[0], points[:, 0].mean())
    assert analysis.importance.stated_quadrants.status == "ok"


def test_summary_equals_analyse_wave_and_the_raw_rows(wave):
    scope = Scope(wave.campaign.id)
    table, analysis = summary(scope), analyse_wave(scope)
    e, p, _, _ = wave.arrays()
    g = p - e
    for cell in (*table.cells, *table.touchpoint_margins, *table.pillar_margins, table.overall):
        tp = cell.touchpoint.id if cell.touchpoint else None
        pillar = cell.pillar.code if cell.pillar else None
        twin = analysis.cell(tp, pillar)
        assert twin is not None and twin.n == cell.n and twin.gap.status == cell.status
        for ours, theirs in [
            (cell.mean, twin.gap.mean),
            (cell.ci_low, twin.gap.ci_low),
            (cell.ci_high, twin.gap.ci_high),
        ]:
            assert (ours is None and theirs is None) or ours == pytest.approx(theirs, rel=TOL)
        items = PILLARS[pillar] if pillar else sorted({j for v in PILLARS.values() for j in v})
        keep = wave.mask(touchpoint=tp)
        scores = group_score(g[keep], items)
        if items:
            assert cell.n == (~np.isnan(scores)).sum()
            _close(cell.mean, np.nanmean(scores))
    assert table.cell(wave.touchpoints[0].id, "EMPTY").status == "no_items"
    json.dumps(table.to_dict(), allow_nan=False)


def test_scope_filters_keep_only_the_asked_responses(wave):
    site = wave.sites[0]
    scope = Scope(wave.campaign.id, site_ids=[site.id], segments=["loyal"])
    analysis = analyse_wave(scope)
    keep = wave.mask(site=site.id, segment="loyal")
    assert analysis.campaign.n_responses == keep.sum()
    e, p, _, _ = wave.arrays(keep)
    g = (p[:, 0] - e[:, 0])[~np.isnan(p[:, 0] - e[:, 0])]
    _close(analysis.item_gaps[0].gap.mean, g.mean())
    table = summary(scope)
    assert table.overall.n == analysis.cell(None, None).n
    nothing = analyse_wave(Scope(wave.campaign.id, site_ids=[]))
    assert nothing.campaign.n_responses == 0


def test_empty_wave_is_labelled_not_an_exception(db):
    wavedata.organisation()
    campaign = factories.campaign()
    analysis = analyse_wave(Scope(campaign.id), by=("touchpoint", "site", "channel", "segment"))
    assert_no_nan(analysis.servqual)
    data = analysis.to_dict(for_staff=False)
    json.dumps(data, allow_nan=False)
    assert {c.gap.status for c in analysis.item_gaps} == {"not_enough_data"}
    assert analysis.servqual.status == "missing_dimension"
    assert analysis.reliability[0].alpha.status in {"not_enough_data", "too_few_items"}
    tp = campaign.touchpoints[0].id
    assert analysis.cell(tp, "AG").n == 0
    assert summary(Scope(campaign.id)).cell(tp, "AG").status == "not_enough_data"


@pytest.mark.parametrize(
    ("answers", "expected_status"),
    [
        ([{"REL1": (5, 5), "REL2": (4, 4), "EMP1": (6, 6), "EMP2": (3, 3)}] * 8, "zero_variance"),
        ([{"REL1": (5, 4)}], "not_enough_data"),
        ([dict.fromkeys(ITEMS, (None, None))] * 6, "not_enough_data"),
    ],
    ids=["zero variance", "one response", "all not applicable"],
)
def test_degenerate_waves_give_labelled_finite_results(db, answers, expected_status):
    wavedata.organisation()
    campaign = factories.campaign()
    for row in answers:
        factories.response(campaign, row, overall=4, points={"reliability": 50, "empathy": 50})
    analysis = analyse_wave(Scope(campaign.id), by=("touchpoint", "segment"))
    assert analysis.item_gaps[0].gap.status == expected_status
    json.dumps(analysis.to_dict(for_staff=False), allow_nan=False)
    json.dumps(analysis.to_dict(), allow_nan=False)


def test_a_dimension_with_one_answered_item_still_scores(db):
    wavedata.organisation()
    campaign = factories.campaign()
    for e in range(2, 8):
        factories.response(campaign, {"REL1": (e, 4), "REL2": (None, 3), "EMP1": (5, 5)})
    analysis = analyse_wave(Scope(campaign.id))
    reliability = analysis.dimensions.gap[0]
    assert reliability.n == 6  # one of two items answered is half: the score exists
    _close(reliability.gap.mean, np.mean([4 - e for e in range(2, 8)]))
    empathy_alpha = [r for r in analysis.reliability if r.dimension.code == "empathy"]
    assert {r.alpha.status for r in empathy_alpha} == {"not_enough_data"}


def test_staff_never_see_cells_of_fewer_than_five(db):
    wavedata.organisation()
    campaign = factories.campaign()
    for e in (3, 4, 5):
        factories.response(campaign, dict.fromkeys(ITEMS, (e, 6)))
    data = analyse_wave(Scope(campaign.id)).to_dict()
    cell = data["item_gaps"][0]
    assert cell["n"] == 3 and cell["status"] == "suppressed"
    assert cell["gap"]["mean"] is None and cell["expectation"]["mean"] is None
    raw = analyse_wave(Scope(campaign.id)).to_dict(for_staff=False)
    assert raw["item_gaps"][0]["gap"]["mean"] == pytest.approx(6 - 4)
    assert summary(Scope(campaign.id)).to_dict()["overall"]["mean"] is None


def test_gap_chain_per_touchpoint_and_pillar(wave, make_user):
    from servqual.surveys.internal_models import (
        CommunicationRating,
        DeliveryRating,
        ManagementRating,
        SpecificationRating,
    )

    db = factories.db
    tp, site = wave.touchpoints[0], wave.sites[0]
    admin = make_user("admin")
    version = factories.management_instrument()
    managers = [make_user("manager") for _ in range(3)]
    m_values = {managers[0].id: (5, 6), managers[1].id: (6, 6), managers[2].id: (4, None)}
    for user, (rel1, emp1) in m_values.items():
        for code, value in (("REL1", rel1), ("EMP1", emp1)):
            db.session.add(
                ManagementRating(
                    campaign_id=wave.campaign.id,
                    instrument_version_id=version.id,
                    user_id=user,
                    touchpoint_id=tp.id,
                    item_code=code,
                    value=value,
                )
            )
    common = {"campaign_id": wave.campaign.id, "touchpoint_id": tp.id, "rated_by_id": admin.id}
    db.session.add(SpecificationRating(item_code="REL1", value=6, **common))
    db.session.add(SpecificationRating(item_code="EMP1", has_standard=False, value=None, **common))
    db.session.add(CommunicationRating(item_code="EMP1", value=7, **common))
    for value, rater in ((4, admin), (5, managers[0])):
        common_d = {**common, "rated_by_id": rater.id}
        db.session.add(DeliveryRating(item_code="REL1", value=value, site_id=site.id, **common_d))
    db.session.flush()
    analysis = analyse_wave(Scope(wave.campaign.id))
    chain = next(c for c in analysis.chain if c.touchpoint.id == tp.id and c.pillar.code == "AG")
    manager_scores = [5.5, 6.0, 4.0]  # each manager's mean over the pillar's items
    e, _p, _, _ = wave.arrays(wave.mask(touchpoint=tp.id))
    e_scores = group_score(e, PILLARS["AG"])
    welch = sps.ttest_ind(manager_scores, e_scores[~np.isnan(e_scores)], equal_var=False)
    _close(chain.gap1.difference, np.mean(manager_scores) - np.nanmean(e_scores))
    _close(chain.gap1.p_value, welch.pvalue)
    _close(chain.gap2.value, 6 - np.mean(manager_scores))
    _close(chain.gap3.value, 4.5 - 6)
    _close(chain.gap4.value, 4.5 - 7)
    assert chain.covered_items == 1 and chain.waterfall.telescopes is True
    other = next(c for c in analysis.chain if c.touchpoint.id != tp.id and c.pillar.code == "AG")
    assert other.gap2.status == "uncovered" and other.waterfall.status == "uncovered"


def test_change_against_the_previous_wave_of_the_same_instrument(db):
    earlier = wavedata.build(n=60, seed=1)
    later_campaign = factories.campaign(
        touchpoints=earlier.touchpoints,
        sites=earlier.sites,
        instrument_version=earlier.campaign.instrument_version,
        wave="2027-Q1",
    )
    later = wavedata.build(n=60, seed=2, campaign=later_campaign)
    assert previous_campaign(later.campaign.id) == earlier.campaign.id
    assert previous_campaign(earlier.campaign.id) is None
    analysis = analyse_wave(Scope(later.campaign.id))
    assert analysis.previous.id == earlier.campaign.id
    tp = earlier.touchpoints[0].id
    change = next(c for c in analysis.changes if c.touchpoint.id == tp and c.pillar.code == "AG")

    def scores(w):
        e, p, _, _ = w.arrays(w.mask(touchpoint=tp))
        s = group_score(p - e, PILLARS["AG"])
        return s[~np.isnan(s)]

    now, before = scores(later), scores(earlier)
    welch = sps.ttest_ind(now, before, equal_var=False)
    _close(change.change.comparison.difference, now.mean() - before.mean())
    _close(change.change.comparison.p_value, welch.pvalue)
    assert change.change.direction is not None


def test_priorities_rank_significant_shortfalls_by_touchpoint_and_pillar(wave):
    analysis = analyse_wave(Scope(wave.campaign.id), correction="bh")
    assert analysis.correction == "bh"
    means = [row.priority.mean for row in analysis.priorities]
    assert means == sorted(means) and all(m < 0 for m in means)
    for row in analysis.priorities:
        cell = analysis.cell(row.touchpoint.id, row.pillar.code)
        assert cell.adjusted_p < 0.05 and row.priority.mean == cell.gap.mean


def test_bad_arguments_raise_source_errors(wave):
    with pytest.raises(SourceError, match="unknown grouping"):
        analyse_wave(Scope(wave.campaign.id), by=("weekday",))
    with pytest.raises(SourceError, match="correction"):
        analyse_wave(Scope(wave.campaign.id), correction="bonferroni")
    with pytest.raises(SourceError, match="no campaign"):
        analyse_wave(Scope(999_999))
    # pillar and dimension are score levels, always reported: accepted in by
    assert analyse_wave(Scope(wave.campaign.id), by=("touchpoint", "pillar")).by == ("touchpoint",)


def test_zone_of_tolerance_shares(db):
    wavedata.organisation()
    campaign = factories.campaign(format="zone_of_tolerance")
    rows = [(3, 5, 4), (3, 5, 2), (3, 5, 6), (4, 6, 5), (2, 6, 6), (4, 5, 4)]
    for a, ds, p in rows:
        factories.response(campaign, dict.fromkeys(ITEMS, (None, p, a, ds)))
    zone = analyse_wave(Scope(campaign.id)).zone
    item = zone.items[0][1]
    assert (item.below, item.inside, item.above) == pytest.approx((1 / 6, 4 / 6, 1 / 6))
    _close(item.mean_adequacy_gap, np.mean([p - a for a, _ds, p in rows]))
