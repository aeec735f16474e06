"""Server-side SVG charts: valid, accessible, localized, deterministic, colour-blind safe."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from servqual.reports import charts
from servqual.reports.charts import (
    AlphaBar,
    ChartWords,
    DimensionChart,
    HeatmapCell,
    HeatmapChart,
    ImportancePoint,
    IntervalBar,
    QuadrantChart,
    QuadrantLabels,
    ReliabilityChart,
    TrendChart,
    TrendSeries,
    WaterfallChart,
    WaterfallLabels,
    WaterfallPillar,
    ZoneChart,
    ZoneLabels,
    ZoneRow,
    palette,
    render_svg,
)

SVG = "{http://www.w3.org/2000/svg}"

WORDS = {
    "es": ChartWords(
        locale="es",
        no_data="sin datos",
        too_few="menos de 5 respuestas",
        n="n",
        ci_low="IC 95 % inferior",
        ci_high="IC 95 % superior",
        significant="* significativo tras la corrección de Holm",
        indicative="° indicativo: menos de 30 respuestas",
    ),
    "en": ChartWords(
        locale="en",
        no_data="no data",
        too_few="fewer than 5 answers",
        n="n",
        ci_low="95% CI lower",
        ci_high="95% CI upper",
        significant="* significant after Holm correction",
        indicative="° indicative: fewer than 30 answers",
    ),
}

#: Words each language's charts must show, beside the chart-specific ones below.
TEXT = {
    "es": {
        "pillars": ("Agilidad", "Calidez", "Cumplimiento"),
        "touchpoints": ("Mostrador", "Teléfono", "Web"),
        "dimensions": ("Tangibles", "Fiabilidad", "Capacidad de respuesta", "Seguridad"),
        "gap": "Brecha 5 (P − E)",
        "score": "puntuación (1–7)",
    },
    "en": {
        "pillars": ("Agility", "Warmth", "We keep our word"),
        "touchpoints": ("Counter", "Phone", "Web"),
        "dimensions": ("Tangibles", "Reliability", "Responsiveness", "Assurance"),
        "gap": "Gap 5 (P − E)",
        "score": "score (1–7)",
    },
}


def waterfall(lang: str, pillars: tuple[WaterfallPillar, ...] | None = None) -> WaterfallChart:
    """Return a waterfall chart of two pillars, the second with missing levels."""
    es = lang == "es"
    gap = "Brecha" if es else "Gap"
    names = TEXT[lang]["pillars"]
    labels = WaterfallLabels(
        expectation="E\nexpectativa" if es else "E\nexpectation",
        management="M\ndirección" if es else "M\nmanagement",
        specification="S\nestándar" if es else "S\nstandard",
        delivery="D\nentrega" if es else "D\ndelivery",
        communication="C\npromesa" if es else "C\npromise",
        perception="P\npercepción" if es else "P\nperception",
        gap1=f"{gap} 1",
        gap2=f"{gap} 2",
        gap3=f"{gap} 3",
        gap4=f"{gap} 4",
        gap5=f"{gap} 5",
        axis=TEXT[lang]["score"],
        pillar="Pilar" if es else "Pillar",
        delivery_source="Fuente de D" if es else "Source of D",
    )
    if pillars is None:
        pillars = (
            WaterfallPillar(
                names[0], 6.2, 5.8, 5.5, 5.1, 6.0, 5.4, "auditoría" if es else "audits"
            ),
            WaterfallPillar(names[1], 6.0, None, 5.9, float("nan"), None, 6.1),
        )
    return WaterfallChart(
        title="Cascada de brechas" if es else "Gap waterfall",
        summary="La entrega queda por debajo de lo esperado." if es else "Delivery falls short.",
        words=WORDS[lang],
        labels=labels,
        pillars=pillars,
        scale_low=1,
        scale_high=7,
    )


def heatmap(
    lang: str, cells: tuple[tuple[HeatmapCell | None, ...], ...] | None = None
) -> HeatmapChart:
    """Return a 3 × 3 heatmap with significant, indicative, hidden and empty cells."""
    es = lang == "es"
    if cells is None:
        cells = (
            (HeatmapCell(-0.8, 120, 0.001), HeatmapCell(0.8, 45, 0.2), None),
            (HeatmapCell(-0.2, 12, 0.04), HeatmapCell(0.4, 3, 0.01), HeatmapCell(None, 50)),
            (
                HeatmapCell(0.35, 1234, 0.01, 0.1, 0.6),
                HeatmapCell(-1.2, 80, 0.0001),
                HeatmapCell(0.1, 60, None),
            ),
        )
    rows = TEXT[lang]["touchpoints"][: len(cells)]
    columns = TEXT[lang]["pillars"][: len(cells[0]) if cells else 0]
    return HeatmapChart(
        title="Brecha 5 por punto de contacto" if es else "Gap 5 by touchpoint",
        summary="El mayor déficit está en Web." if es else "The largest shortfall is on the web.",
        words=WORDS[lang],
        row_label="Punto de contacto" if es else "Touchpoint",
        column_label="Pilar" if es else "Pillar",
        value_label=TEXT[lang]["gap"],
        adjusted_p_label="p ajustado (Holm)" if es else "adjusted p (Holm)",
        rows=rows,
        columns=columns,
        cells=cells,
    )


def dimensions(lang: str, bars: tuple[IntervalBar, ...] | None = None) -> DimensionChart:
    """Return dimension bars: a shortfall, a surplus, a missing and a hidden one."""
    es = lang == "es"
    names = TEXT[lang]["dimensions"]
    if bars is None:
        bars = (
            IntervalBar(names[0], -0.42, -0.6, -0.24, 210, significant=True),
            IntervalBar(names[1], 0.15, -0.05, 0.35, 18),
            IntervalBar(names[2], None, None, None, 0),
            IntervalBar(names[3], -1.1, -1.4, -0.8, 4),
        )
    return DimensionChart(
        title="Brecha por dimensión" if es else "Gap by dimension",
        summary="Tangibles queda por debajo." if es else "Tangibles fall short.",
        words=WORDS[lang],
        category_label="Dimensión" if es else "Dimension",
        value_label=TEXT[lang]["gap"],
        bars=bars,
    )


def zones(lang: str, rows: tuple[ZoneRow, ...] | None = None) -> ZoneChart:
    """Return zones of tolerance with P below, inside, above and missing."""
    es = lang == "es"
    names = TEXT[lang]["dimensions"]
    if rows is None:
        rows = (
            ZoneRow(names[0], 5.1, 6.4, 4.8, 120),
            ZoneRow(names[1], 5.5, 6.8, 6.0, 120),
            ZoneRow(names[2], 4.9, 6.0, 6.3, 25),
            ZoneRow(names[3], 5.0, 6.5, None, 2),
        )
    labels = ZoneLabels(
        zone="zona de tolerancia" if es else "zone of tolerance",
        adequate="adecuado" if es else "adequate",
        desired="deseado" if es else "desired",
        perceived="percibido" if es else "perceived",
        adequacy_gap="MSA (P − A)",
        superiority_gap="MSS (P − Ds)",
    )
    return ZoneChart(
        title="Zona de tolerancia" if es else "Zone of tolerance",
        summary="Tangibles queda bajo lo adecuado." if es else "Tangibles fall below adequate.",
        words=WORDS[lang],
        labels=labels,
        category_label="Dimensión" if es else "Dimension",
        axis_label=TEXT[lang]["score"],
        rows=rows,
        scale_low=1,
        scale_high=7,
    )


def quadrants(lang: str, points: tuple[ImportancePoint, ...] | None = None) -> QuadrantChart:
    """Return an importance–performance grid with one point in each quadrant."""
    es = lang == "es"
    names = TEXT[lang]["dimensions"]
    if points is None:
        points = (
            ImportancePoint(names[0], 30.0, -0.9),
            ImportancePoint(names[1], 28.0, 0.2),
            ImportancePoint(names[2], 12.0, -0.7),
            ImportancePoint(names[3], 10.0, 0.4),
            ImportancePoint("Empatía" if es else "Empathy", None, 0.1),
        )
    labels = QuadrantLabels(
        concentrate_here="concentrarse aquí" if es else "concentrate here",
        keep_up_the_good_work="mantener el buen trabajo" if es else "keep up the good work",
        low_priority="baja prioridad" if es else "low priority",
        possible_overkill="posible exceso" if es else "possible overkill",
    )
    return QuadrantChart(
        title="Importancia y desempeño" if es else "Importance and performance",
        summary="Tangibles pide atención." if es else "Tangibles need attention.",
        words=WORDS[lang],
        labels=labels,
        attribute_label="Dimensión" if es else "Dimension",
        importance_label="importancia declarada (puntos)" if es else "stated importance (points)",
        performance_label=TEXT[lang]["gap"],
        quadrant_label="Cuadrante" if es else "Quadrant",
        points=points,
    )


def trend(lang: str, series: tuple[TrendSeries, ...] | None = None) -> TrendChart:
    """Return two series over four waves, with a gap and a hidden wave."""
    es = lang == "es"
    names = TEXT[lang]["dimensions"]
    if series is None:
        series = (
            TrendSeries(
                names[0],
                (-0.8, -0.6, None, -0.3),
                (-1.0, -0.8, None, -0.5),
                (-0.6, -0.4, None, -0.1),
                (80, 90, 0, 120),
            ),
            TrendSeries(names[1], (0.1, 0.2, 0.15, 0.3), ns=(40, 3, 50, 60)),
        )
    return TrendChart(
        title="Evolución por ola" if es else "Trend across waves",
        summary="Tangibles mejora." if es else "Tangibles improve.",
        words=WORDS[lang],
        wave_label="Ola" if es else "Wave",
        series_label="Dimensión" if es else "Dimension",
        value_label=TEXT[lang]["gap"],
        waves=("2025-T4", "2026-T1", "2026-T2", "2026-T3")
        if es
        else ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"),
        series=series,
    )


def reliability(lang: str, bars: tuple[AlphaBar, ...] | None = None) -> ReliabilityChart:
    """Return α per dimension: one above, one below 0.70, one missing."""
    es = lang == "es"
    names = TEXT[lang]["dimensions"]
    if bars is None:
        bars = (
            AlphaBar(names[0], 0.82, 0.78, 0.86, 210, 4),
            AlphaBar(names[1], 0.64, 0.55, 0.72, 210, 5),
            AlphaBar(names[2], None, None, None, 1, 4),
            AlphaBar(names[3], -0.2, -0.9, 0.3, 12, 4),
        )
    return ReliabilityChart(
        title="Fiabilidad por dimensión" if es else "Reliability by dimension",
        summary="Fiabilidad queda bajo 0,70." if es else "Reliability is below 0.70.",
        words=WORDS[lang],
        category_label="Dimensión" if es else "Dimension",
        value_label="α de Cronbach" if es else "Cronbach's α",
        reference_label="0,70 aceptable" if es else "0.70 acceptable",
        items_label="ítems" if es else "items",
        bars=bars,
    )


BUILDERS: dict[str, Callable[..., charts.Chart]] = {
    "waterfall": waterfall,
    "heatmap": heatmap,
    "dimensions": dimensions,
    "zones": zones,
    "quadrants": quadrants,
    "trend": trend,
    "reliability": reliability,
}

#: Labels of each chart that must appear in its SVG, per language.
EXPECTED = {
    "waterfall": lambda lang: [*TEXT[lang]["pillars"][:2], TEXT[lang]["score"]],
    "heatmap": lambda lang: [*TEXT[lang]["touchpoints"], *TEXT[lang]["pillars"], TEXT[lang]["gap"]],
    "dimensions": lambda lang: [*TEXT[lang]["dimensions"], TEXT[lang]["gap"]],
    "zones": lambda lang: [*TEXT[lang]["dimensions"], TEXT[lang]["score"]],
    "quadrants": lambda lang: [*TEXT[lang]["dimensions"], TEXT[lang]["gap"]],
    "trend": lambda lang: [*TEXT[lang]["dimensions"][:2], TEXT[lang]["gap"]],
    "reliability": lambda lang: [*TEXT[lang]["dimensions"]],
}


def parse(svg: str) -> ET.Element:
    """Parse ``svg`` as XML and check it is an SVG document."""
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    """Return every piece of text drawn in the SVG, one entry per <text> element."""
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def drawn(svg: str) -> str:
    """Return all drawn text (not title/desc), lines joined by spaces."""
    return " ".join(" ".join(text.split()) for text in texts(parse(svg)))


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_every_chart_renders_valid_accessible_svg_with_its_labels(kind, lang):
    """Each chart is valid SVG, titled and described, and shows the caller's words."""
    chart = BUILDERS[kind](lang)
    svg = render_svg(chart)
    root = parse(svg)
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text == chart.title
    assert desc is not None and desc.text == chart.summary
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    text = drawn(svg)
    for label in EXPECTED[kind](lang):
        assert " ".join(label.split()) in text, label
    assert "nan" not in text.lower().split()
    assert "NaN" not in svg
    assert "font-family" in svg or "DejaVu Sans" in svg
    assert "DejaVu Sans" in svg


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_numbers_are_written_in_the_reader_locale(kind):
    """Spanish charts write decimal commas, English ones decimal points."""
    spanish, english = (
        drawn(render_svg(BUILDERS[kind]("es"))),
        drawn(render_svg(BUILDERS[kind]("en"))),
    )
    assert re.search(r"\d,\d", spanish)
    assert not re.search(r"\d\.\d\d?(?!\d)", spanish)  # "1.234" groups thousands in Spanish
    assert re.search(r"\d\.\d", english)


def test_text_stays_text_in_dejavu_sans():
    """Text is <text> (selectable, translatable), not glyph paths."""
    svg = render_svg(dimensions("en"))
    root = parse(svg)
    assert texts(root)
    assert not any(
        (element.get("id") or "").startswith("DejaVuSans") for element in root.iter(f"{SVG}path")
    )
    assert "DejaVu Sans" in svg


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_same_input_gives_identical_bytes(kind):
    """Rendering is deterministic: no date, no random ids."""
    assert render_svg(BUILDERS[kind]("en")) == render_svg(BUILDERS[kind]("en"))


def test_different_charts_do_not_share_element_ids():
    """Two charts inlined in one page keep distinct ids (clip paths, title, desc)."""
    first = parse(render_svg(dimensions("en")))
    second = parse(render_svg(dimensions("es")))
    ids = [{e.get("id") for e in root.iter() if e.get("id")} for root in (first, second)]
    shared = {i for i in ids[0] & ids[1] if re.fullmatch(r"[a-z]+[0-9a-f]{10}|chart-.*", i)}
    assert not shared


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_svg_references_nothing_outside_itself(kind):
    """No prolog DOCTYPE, no links: only the SVG and XLink namespace names mention http."""
    svg = render_svg(BUILDERS[kind]("es"))
    assert "<!DOCTYPE" not in svg
    stripped = svg.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
    )
    for scheme in ("http:", "https:", "file:", "data:"):
        assert scheme not in stripped
    hrefs = re.findall(r'href="([^"]*)"', svg)
    assert all(href.startswith("#") for href in hrefs)


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_empty_inputs_draw_no_data(kind):
    """A chart with nothing to draw says so in the reader's language, without crashing."""
    empty = {
        "waterfall": lambda: waterfall("es", pillars=()),
        "heatmap": lambda: heatmap("es", cells=()),
        "dimensions": lambda: dimensions("es", bars=()),
        "zones": lambda: zones("es", rows=()),
        "quadrants": lambda: quadrants("es", points=()),
        "trend": lambda: trend("es", series=()),
        "reliability": lambda: reliability("es", bars=()),
    }[kind]()
    assert "sin datos" in drawn(render_svg(empty))
    assert empty.table().rows == ()


ALL_NONE = {
    "waterfall": lambda: waterfall(
        "en", pillars=(WaterfallPillar("Agility", None, None, None, None, None, None),)
    ),
    "heatmap": lambda: heatmap("en", cells=((HeatmapCell(None, None),),)),
    "dimensions": lambda: dimensions("en", bars=(IntervalBar("Tangibles", None),)),
    "zones": lambda: zones("en", rows=(ZoneRow("Tangibles", None, None, None),)),
    "quadrants": lambda: quadrants("en", points=(ImportancePoint("Tangibles", None, None),)),
    "trend": lambda: trend("en", series=(TrendSeries("Tangibles", (None, None, None, None)),)),
    "reliability": lambda: reliability("en", bars=(AlphaBar("Tangibles", None),)),
}

ONE_CELL = {
    "waterfall": lambda: waterfall(
        "en", pillars=(WaterfallPillar("Agility", 6.0, None, None, None, None, None),)
    ),
    "heatmap": lambda: heatmap("en", cells=((HeatmapCell(-0.3, 40, 0.01),),)),
    "dimensions": lambda: dimensions("en", bars=(IntervalBar("Tangibles", 0.0, 0.0, 0.0, 40),)),
    "zones": lambda: zones("en", rows=(ZoneRow("Tangibles", 5.0, 5.0, 5.0, 40),)),
    "quadrants": lambda: quadrants("en", points=(ImportancePoint("Tangibles", 20.0, -0.5),)),
    "trend": lambda: trend(
        "en",
        series=(
            TrendSeries(
                "Tangibles",
                (None, -0.2, None, None),
                (None, -0.4, None, None),
                (None, 0.0, None, None),
            ),
        ),
    ),
    "reliability": lambda: reliability("en", bars=(AlphaBar("Tangibles", 0.7, 0.7, 0.7, 40, 4),)),
}


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_all_none_inputs_draw_no_data(kind):
    """Values that are all None are drawn as "no data" and tabled as None."""
    chart = ALL_NONE[kind]()
    svg = render_svg(chart)
    assert "no data" in drawn(svg)
    assert "NaN" not in svg and "nan" not in drawn(svg).split()
    rows = chart.table().rows
    assert rows
    assert all(value is None for row in rows for value in row[1:] if not isinstance(value, str))


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_one_cell_inputs_render(kind):
    """A single value (zero-width interval, one wave, one point) still draws and tables."""
    chart = ONE_CELL[kind]()
    svg = render_svg(chart)
    parse(svg)
    assert "NaN" not in svg
    assert len(chart.table().rows) >= 1


def test_heatmap_marks_significant_cells_and_shows_n():
    """Significant cells carry the mark; every shown cell says its n; n < 5 is hidden."""
    svg = render_svg(heatmap("en"))
    text = drawn(svg)
    assert "−0.80* n = 120" in text
    assert "+0.80 n = 45" in text  # adjusted p = 0.2: not significant
    assert "−1.20* n = 80" in text
    assert "+0.35* n = 1,234" in text
    assert "−0.20*° n = 12" in text  # significant and indicative
    assert "fewer than 5 answers" in text
    assert "+0.40" not in text  # n = 3: hidden
    assert "no data" in text
    assert "* significant after Holm correction" in text
    assert "° indicative: fewer than 30 answers" in text


def test_heatmap_table_hides_small_cells():
    """The table behind the heatmap has one row per cell and blanks n < 5."""
    chart = heatmap("es")
    table = chart.table()
    assert table.header == (
        "Punto de contacto",
        "Pilar",
        "Brecha 5 (P − E)",
        "IC 95 % inferior",
        "IC 95 % superior",
        "n",
        "p ajustado (Holm)",
    )
    assert len(table.rows) == 9
    hidden = table.rows[4]
    assert hidden[:2] == ("Teléfono", "Calidez")
    assert hidden[2] is None and hidden[6] is None
    formatted = table.formatted(chart.words)
    assert formatted[6][2:6] == ("0,35", "0,10", "0,60", "1.234")
    assert formatted[2][2] == "sin datos"


def test_heatmap_colours_are_symmetric_around_zero():
    """+x and −x get colours at equal lightness on opposite arms; zero is the neutral centre."""
    limit = 1.2
    assert palette.diverging_colour(0.0, limit) == palette.DIVERGING_CENTRE.lower()
    for value in (0.1, 0.3, 0.6, 0.9, 1.2, 5.0):
        positive = palette.diverging_colour(value, limit)
        negative = palette.diverging_colour(-value, limit)
        assert positive != negative
        assert palette.relative_luminance(positive) == pytest.approx(
            palette.relative_luminance(negative), abs=0.02
        )
        red_p, _, blue_p = _rgb(positive)
        red_n, _, blue_n = _rgb(negative)
        assert blue_p > red_p and red_n > blue_n  # blue surplus, orange shortfall
    cells = ((HeatmapCell(0.6, 50), HeatmapCell(-0.6, 50), HeatmapCell(0.0, 50)),)
    svg = render_svg(heatmap("en", cells=cells))
    fills = set(re.findall(r"fill: (#[0-9a-f]{6})", svg))
    assert {palette.diverging_colour(v, 0.6) for v in (0.6, -0.6, 0.0)} <= fills


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))


# Machado, Oliveira & Fernandes (2009), deuteranomaly at severity 1.0 (deuteranopia),
# applied to linear RGB.
DEUTERANOPIA = (
    (0.367322, 0.860646, -0.227968),
    (0.280085, 0.672501, 0.047413),
    (-0.011820, 0.042940, 0.961898),
)


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _lab(linear_rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (min(max(c, 0.0), 1.0) for c in linear_rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def seen_with_deuteranopia(colour: str) -> tuple[float, float, float]:
    """Return the CIELAB colour a deuteranope sees for ``colour``."""
    linear = [_linear(c) for c in _rgb(colour)]
    simulated = tuple(sum(m * c for m, c in zip(row, linear, strict=True)) for row in DEUTERANOPIA)
    return _lab(simulated)


def delta_e(first: tuple[float, ...], second: tuple[float, ...]) -> float:
    """Return the CIE76 colour difference."""
    return sum((a - b) ** 2 for a, b in zip(first, second, strict=True)) ** 0.5


def test_simulated_deuteranopia_matrix_keeps_grey_grey():
    """The simulation leaves neutral colours alone (a sanity check of the matrix)."""
    grey = seen_with_deuteranopia("#808080")
    assert abs(grey[1]) < 1 and abs(grey[2]) < 1


@pytest.mark.parametrize(
    "colours",
    [
        palette.SERIES,
        palette.DIVERGING,
        (palette.SHORTFALL, palette.SURPLUS, palette.NO_DATA),
        (palette.LEVEL, palette.SHORTFALL),
    ],
    ids=["series", "diverging", "shortfall-surplus-no-data", "level-step"],
)
def test_adjacent_palette_colours_differ_under_deuteranopia(colours):
    """Neighbouring colours stay distinguishable to a deuteranope (ΔE*ab > 10)."""
    seen = [seen_with_deuteranopia(colour) for colour in colours]
    for first, second in itertools.pairwise(seen):
        assert delta_e(first, second) > 10


def test_importing_and_drawing_every_chart_never_loads_pyplot():
    """The object API only: pyplot (global figures, GUI backends) is never imported."""
    script = (
        "import json, sys\n"
        "from tests.reports import test_charts as t\n"
        "from servqual.reports.charts import render_svg\n"
        "import hashlib\n"
        "digests = [hashlib.sha256(render_svg(build(lang)).encode()).hexdigest()"
        " for build in t.BUILDERS.values() for lang in ('es', 'en')]\n"
        "print(json.dumps({'pyplot': 'matplotlib.pyplot' in sys.modules, 'digests': digests}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    report = json.loads(result.stdout)
    assert report["pyplot"] is False
    # Another process draws the very same bytes (no random ids, no dates).
    assert report["digests"] == [
        hashlib.sha256(render_svg(build(lang)).encode()).hexdigest()
        for build in BUILDERS.values()
        for lang in ("es", "en")
    ]


def test_waterfall_annotates_steps_with_signs_and_table_gaps():
    """Steps carry signed gaps (negative = shortfall); the table has Gaps 1–5."""
    chart = waterfall("en")
    text = drawn(render_svg(chart))
    for step in ("−0.40", "−0.30", "Gap 4 −0.90", "Gap 5 −0.80", "Gap 5 +0.10"):
        assert step in text
    assert "Source of D: audits" in text
    table = chart.table()
    assert table.header[0] == "Pillar" and table.header[7:12] == tuple(
        f"Gap {i}" for i in range(1, 6)
    )
    first, second = table.rows
    assert first[7:12] == pytest.approx((-0.4, -0.3, -0.4, -0.9, -0.8))
    assert second[4] is None  # NaN delivery is no data
    assert second[7:11] == (None, None, None, None)
    assert second[11] == pytest.approx(0.1)


def test_quadrants_follow_martilla_and_james():
    """High importance and low performance is "concentrate here" (crosshairs at means)."""
    chart = quadrants("en")
    rows = {row[0]: row[3] for row in chart.table().rows}
    assert rows == {
        "Tangibles": "concentrate here",
        "Reliability": "keep up the good work",
        "Responsiveness": "low priority",
        "Assurance": "possible overkill",
        "Empathy": None,
    }
    text = drawn(render_svg(chart))
    for name in ("concentrate here", "keep up the good work", "low priority", "possible overkill"):
        assert name in text


def test_dimension_bars_hide_small_groups_and_mark_indicative():
    """n < 5 is never drawn nor tabled; n < 30 carries the indicative mark."""
    chart = dimensions("en")
    text = drawn(render_svg(chart))
    assert "−0.42*" in text
    assert "+0.15°" in text
    assert "−1.10" not in text
    assert "fewer than 5 answers" in text
    assert chart.table().rows[3] == ("Assurance", None, None, None, 4)


def test_zone_table_gives_adequacy_and_superiority_gaps():
    """MSA = P − A and MSS = P − Ds per row; P outside the zone is marked by shape too."""
    rows = zones("en").table().rows
    assert rows[0][4:6] == pytest.approx((4.8 - 5.1, 4.8 - 6.4))
    assert rows[3][1:6] == (None, None, None, None, None)


def test_reliability_draws_the_reference_line_label():
    """The 0.70 reference is labelled in the reader's language."""
    assert "0,70 aceptable" in drawn(render_svg(reliability("es")))


def test_trend_refuses_series_of_the_wrong_length():
    """A series must have one value per wave: a caller bug, reported at once."""
    with pytest.raises(ValueError, match="one value per wave"):
        trend("en", series=(TrendSeries("Tangibles", (0.1,)),))


def test_render_svg_refuses_other_objects():
    """Only chart inputs render."""
    with pytest.raises(TypeError):
        render_svg(dataclasses.make_dataclass("Other", [])())


def test_charts_drawn_in_threads_match_charts_drawn_one_by_one():
    """A threaded server gets the same bytes: rcParams are never interleaved."""
    inputs = [BUILDERS[kind](lang) for kind in ("heatmap", "trend") for lang in ("es", "en")] * 2
    expected = [render_svg(chart) for chart in inputs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(render_svg, inputs)) == expected
