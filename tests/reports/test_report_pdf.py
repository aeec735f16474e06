"""The PDF reports print the gap engine's figures, render to real pages, and protect small cells."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from PIL import Image, ImageStat
from pypdf import PdfReader

from servqual.gaps.sources import Scope, analyse_wave
from servqual.reports import documents
from servqual.reports.action_measures import follow_ups_for_wave
from servqual.reports.action_models import Action
from servqual.reports.words import count, number
from servqual.service.models import Pillar
from tests.reports.waves import two_waves

PDFTOPPM = "/usr/bin/pdftoppm"
COMMENT = "The queue at the counter was far too slow this morning"


def _reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in _reader(pdf).pages)


def _outline_titles(outline) -> list[str]:
    titles = []
    for entry in outline:
        if isinstance(entry, list):
            titles += _outline_titles(entry)
        else:
            titles.append(entry.title)
    return titles


def _expected_figures(campaign_id: int, lang: str) -> dict[str, str]:
    """The numbers the report must print, formatted in ``lang`` as the report does."""
    analysis = analyse_wave(Scope(campaign_id), lang=lang)
    with force_locale(lang):
        figures = {
            "responses": count(analysis.campaign.n_responses),
            "servqual": number(analysis.servqual.value, signed=True),
            "servperf": number(analysis.servperf.value),
        }
        for cell in analysis.score_gaps_by["touchpoint"]:
            if cell.level == "pillar" and not cell.suppressed_for_staff:
                key = f"{cell.group.name} × {cell.subject.name}"
                figures[key] = number(cell.gap.mean, signed=True)
        improved = [c.change for c in analysis.changes if c.change.direction == "improved"]
        largest = max(improved, key=lambda change: abs(change.comparison.difference))
        figures["largest improvement"] = number(largest.comparison.difference, signed=True)
        top = analysis.priorities[0].priority
        figures["largest shortfall"] = number(top.mean, signed=True)
        figures["its interval"] = number(top.ci_low, signed=True)
    return figures


@pytest.mark.parametrize("lang", ["es", "en"])
def test_executive_report_prints_the_engine_figures(app, db, lang):
    waves = two_waves(comments=[COMMENT])

    built = documents.build("executive", waves.current, None, lang)

    text = _text(built.pdf.data)
    words = set(text.split())
    for what, figure in _expected_figures(waves.current.id, lang).items():
        assert figure in text, f"{what} ({figure}) is missing from the {lang} report"
    decimal = "," if lang == "es" else "."
    assert any(re.fullmatch(rf"−\d{re.escape(decimal)}\d\d", word) for word in words)
    assert COMMENT in " ".join(text.split())
    titles = _outline_titles(_reader(built.pdf.data).outline)
    for touchpoint in waves.touchpoints:
        assert touchpoint.name in titles  # a bookmark per touchpoint page
    assert built.pdf.pages >= 8
    assert built.pdf.pages == len(_reader(built.pdf.data).pages)


def test_report_pages_render_to_non_blank_images(app, db, tmp_path):
    waves = two_waves()
    built = documents.build("executive", waves.current, None, "en")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(built.pdf.data)

    subprocess.run([PDFTOPPM, "-r", "24", "-png", str(pdf), str(tmp_path / "page")], check=True)

    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == built.pdf.pages
    for page in pages:
        with Image.open(page) as image:
            variance = ImageStat.Stat(image.convert("L")).var[0]
        assert variance > 25, f"{page.name} is blank (variance {variance:.1f})"


def test_site_report_covers_one_site(app, db):
    waves = two_waves()
    built = documents.build("site", waves.current, waves.sites[0], "en")
    text = _text(built.pdf.data)
    assert waves.sites[0].name in text
    assert "All sites" not in text


def test_staff_report_shows_no_cell_under_five_and_no_comment(app, db):
    waves = two_waves(comments=[COMMENT], per_link=(40, 12, 3))

    built = documents.build("staff", waves.current, None, "en")

    text = " ".join(_text(built.pdf.data).split())
    shown = [int(n) for n in re.findall(r"\((\d+) customers\)", text)]
    assert shown, "the staff report shows no figure at all"
    assert min(shown) >= 5
    assert 3 not in shown
    # The third touchpoint (3 respondents) is named, its two pillars withheld.
    assert waves.touchpoints[2].name in text
    assert text.count("Too few customers answered here") == 2
    # Nor can the pillar totals (55 = 40 + 12 + 3) give the small cell away by subtraction.
    assert "(55 customers)" not in text
    assert COMMENT not in text


@pytest.mark.parametrize("lang", ["es", "en"])
def test_next_wave_report_shows_each_action_before_and_after(app, db, make_user, lang):
    waves = two_waves()
    owner = make_user("manager")
    counter = waves.touchpoints[0]
    speed = db.session.scalar(sa.select(Pillar).where(Pillar.code == "SPEED"))
    action = Action(
        campaign_id=waves.previous.id,
        pillar_id=speed.id,
        touchpoint_id=counter.id,
        gap="gap5",
        target_value=-0.2,
        owner_id=owner.id,
        due_on=date(2026, 6, 30),
        description="Open a second counter at rush hour",
    )
    db.session.add(action)
    db.session.flush()
    # What the engine says about the cell in each wave, and the Welch change between them.
    ((found, follow_up),) = follow_ups_for_wave(waves.current)
    assert found.id == action.id
    assert follow_up.after.value > follow_up.before.value  # the current wave improved

    built = documents.build("executive", waves.current, None, lang)

    text = " ".join(_text(built.pdf.data).split())
    with force_locale(lang):
        for figure in (
            follow_up.before.value,
            follow_up.after.value,
            follow_up.change,
            follow_up.change_ci_low,
        ):
            assert number(figure, signed=True) in text
        assert "Open a second counter at rush hour" in text
        heading = "Action plans: did the gap close?" if lang == "en" else "¿se cerró la brecha?"
        assert heading in text
        verdict = "improved significantly" if lang == "en" else "mejoró significativamente"
        assert follow_up.is_significant and verdict in text


def test_a_report_without_earlier_actions_has_no_action_section(app, db):
    waves = two_waves()
    built = documents.build("executive", waves.current, None, "en")
    assert "did the gap close" not in _text(built.pdf.data)
