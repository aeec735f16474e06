"""Answer templates: shipped ones load in both languages; bad files are refused clearly."""

from __future__ import annotations

import pytest

from servqual.pqr.answer_templates import TemplatesInvalid, load_templates, parse_templates


def test_shipped_templates_render_in_both_languages():
    templates = {t.key: t for t in load_templates(None)}
    assert len(templates) >= 4
    values = {"name": "Ana", "filing_number": "PQR-2026-AAAA", "site": "Cali", "due_on": "x"}
    apology = templates["complaint_apology"]
    assert apology.render("es", values).startswith("Estimado(a) Ana:")
    assert "PQR-2026-AAAA" in apology.render("en", values)
    assert apology.title_in("fr") == apology.title["es"]  # unknown language: Spanish


def test_unknown_braces_are_left_as_written():
    [template] = parse_templates(
        "templates:\n  - key: t\n    title: T\n    body: 'Hola {name}, ver {manual} y {site}'\n"
    )
    assert template.render("es", {"name": "Ana"}) == "Hola Ana, ver {manual} y {site}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("templates: [", "not valid YAML"),
        ("other: 1", "list 'templates'"),
        ("templates:\n  - key: Bad Key\n    title: T\n    body: B", "'key' must be"),
        (
            "templates:\n  - {key: a, title: T, body: B}\n  - {key: a, title: T, body: B}",
            "used twice",
        ),
        ("templates:\n  - key: a\n    title: {en: T}\n    body: B", "Spanish text"),
    ],
)
def test_bad_templates_are_refused(text, message):
    with pytest.raises(TemplatesInvalid, match=message):
        parse_templates(text)
