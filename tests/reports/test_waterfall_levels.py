"""The waterfall's levels: one builder for the dashboard and the PDFs, same suppression."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from servqual.gaps.chain import RATINGS_SOURCE, DeliveryEstimate
from servqual.gaps.sources import Label
from servqual.reports import figures, panels


def _level(mean: float, n: int):
    return SimpleNamespace(mean=mean, n=n, suppressed_for_staff=n < 5)


def _chain(touchpoint: int, pillar: Label, delivery_n: int, delivery: float):
    levels = SimpleNamespace(
        management=6.0,
        specification=5.5,
        delivery=DeliveryEstimate(RATINGS_SOURCE, delivery, None, None, delivery_n, "ok"),
        communication=6.5,
    )
    return SimpleNamespace(
        touchpoint=Label("touchpoint", touchpoint, None, f"Touchpoint {touchpoint}"),
        pillar=pillar,
        waterfall=SimpleNamespace(levels=levels, delivery_source=RATINGS_SOURCE),
    )


@pytest.fixture
def analysis():
    speed = Label("pillar", "SPEED", "SPEED", "Agility")
    warm = Label("pillar", "WARM", "WARM", "Warmth")
    return SimpleNamespace(
        pillars=SimpleNamespace(
            subjects=(speed, warm),
            expectation=(_level(6.2, 40), _level(6.0, 3)),
            perception=(_level(5.4, 40), _level(6.1, 3)),
        ),
        # D of the first touchpoint rests on 3 ratings: left out of the pillar's mean.
        chain=(_chain(1, speed, 3, 2.0), _chain(2, speed, 12, 5.0), _chain(1, warm, 12, 4.0)),
        campaign=SimpleNamespace(scale_low=1, scale_high=7),
    )


@pytest.mark.parametrize(
    ("lang", "source"), [("en", "delivery ratings"), ("es", "calificaciones de entrega")]
)
def test_dashboard_and_pdf_draw_the_same_levels(app, analysis, lang, source):
    with app.test_request_context(), force_locale(lang):
        levels = figures.waterfall_pillars(analysis)
        speed, warm = levels
        assert speed.delivery == 5.0  # the 3-rating D is not shown, nor averaged in
        assert (speed.expectation, speed.perception) == (6.2, 5.4)
        # E and P on fewer than 5 respondents are not shown either.
        assert (warm.expectation, warm.perception, warm.delivery) == (None, None, 4.0)
        assert speed.delivery_source == source
        assert panels.waterfall_panel(analysis).chart.pillars == levels
        # The PDF keeps only the pillars of its heatmap (here: Agility).
        grid = figures.PillarGrid((), (analysis.pillars.subjects[0],), {}, {})
        assert figures.waterfall_pillars(analysis, grid.pillars) == (speed,)
