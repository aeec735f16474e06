"""Classification suggestions: transparent keyword rules, matched words as the reason."""

from __future__ import annotations

import pytest

from servqual.pqr.classify import RulesInvalid, load_rules, parse_rules, suggest

RULES = parse_rules(
    """
rules:
  - keywords: [demor*, fila, "nadie contestó"]
    dimension: responsiveness
    pillar: AGIL
  - keywords: [sucio, baño]
    dimension: tangibles
    touchpoint: SALA
"""
)


def test_suggests_the_dimension_with_most_matches_and_shows_the_words():
    text = "La DEMORA fue enorme, la fila no avanzaba y el baño estaba sucio. Nadie contestó."
    suggestion = suggest(text, RULES)
    assert suggestion.dimension.code == "responsiveness"
    # The words as the customer wrote them are the reason shown to the agent.
    assert set(suggestion.dimension.matched) == {"DEMORA", "fila", "Nadie contestó"}
    assert suggestion.pillar.code == "AGIL"
    assert suggestion.touchpoint.code == "SALA"
    assert set(suggestion.touchpoint.matched) == {"baño", "sucio"}
    # Both dimensions are listed so the person confirming sees the alternative.
    assert [c.code for c in suggestion.candidates if c.kind == "dimension"] == [
        "responsiveness",
        "tangibles",
    ]


def test_matching_ignores_accents_and_case_but_needs_whole_words():
    assert suggest("el BANO", RULES).dimension.code == "tangibles"
    assert suggest("nadie contesto", RULES).dimension.code == "responsiveness"
    # "fila" inside "afilado" is not the word "fila".
    assert suggest("un cuchillo afilado", RULES).is_empty
    assert suggest("", RULES).dimension is None


def test_shipped_rules_classify_spanish_and_english_complaints():
    rules = load_rules(None)
    assert suggest("Esperé dos horas, qué lentitud", rules).dimension.code == "responsiveness"
    assert suggest("They overcharged me on the invoice", rules).dimension.code == "reliability"
    assert suggest("The staff member was rude", rules).dimension.code == "assurance"


def test_the_administrators_file_replaces_the_shipped_rules(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("- keywords: [parqueadero]\n  pillar: ACCESO\n", encoding="utf-8")
    suggestion = suggest("No había parqueadero", load_rules(path))
    assert suggestion.pillar.code == "ACCESO" and suggestion.dimension is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: [", "not valid YAML"),
        ("- dimension: empathy", "non-empty list of keywords"),
        ("- keywords: [x]", "must name a dimension"),
        ("- keywords: [x]\n  dimension: speed", "unknown dimension 'speed'"),
        ("- keywords: [x]\n  dimensoin: empathy", "unknown keys: dimensoin"),
        ("- keywords: ['*']\n  dimension: empathy", "empty or non-text keyword"),
    ],
)
def test_bad_rules_are_refused_with_a_clear_message(text, message):
    with pytest.raises(RulesInvalid, match=message):
        parse_rules(text)
