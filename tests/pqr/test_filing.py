"""Filing numbers: unique, not sequential, forgiving to read, strict about typos."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from servqual.pqr.filing import (
    ALPHABET,
    BODY_LENGTH,
    RANDOM_LENGTH,
    InvalidFilingNumber,
    generate,
    is_valid,
    parse,
)

COUNT = 10_000


def _value(symbols: str) -> int:
    """Return the integer a string of Crockford symbols spells."""
    value = 0
    for symbol in symbols:
        value = value * 32 + ALPHABET.index(symbol)
    return value


@pytest.fixture(scope="module")
def numbers():
    return [generate(2026) for _ in range(COUNT)]


def test_ten_thousand_numbers_are_unique_and_all_validate(numbers):
    shown = [str(number) for number in numbers]
    assert len(set(shown)) == COUNT
    assert len({number.random_part for number in numbers}) == COUNT
    for text, number in zip(shown, numbers, strict=True):
        assert parse(text) == number
        assert text.startswith("PQR-2026-")
        assert len(number.body) == BODY_LENGTH


def test_numbers_are_not_sequential(numbers):
    values = [_value(number.random_part) for number in numbers]
    steps = [later - earlier for earlier, later in itertools.pairwise(values)]
    # No constant step, and no run in one direction: about half go up, half go down.
    assert len(set(steps)) > COUNT * 0.99
    rising = sum(step > 0 for step in steps) / len(steps)
    assert 0.45 < rising < 0.55
    # The value says nothing about the order of generation (|ρ| is about 0.01 by chance;
    # 0.05 is five standard errors).
    rho = stats.spearmanr(range(COUNT), values).statistic
    assert abs(rho) < 0.05
    # Every symbol turns up in every position: nothing is fixed or counted.
    for position in range(RANDOM_LENGTH):
        seen = {number.random_part[position] for number in numbers}
        assert seen == set(ALPHABET)


def test_every_single_changed_character_fails_the_check(numbers):
    for number in numbers[:300]:
        text = f"{number.year}{number.body}"
        for position, original in enumerate(text):
            for replacement in ALPHABET:
                if replacement == original:
                    continue
                typo = "PQR" + text[:position] + replacement + text[position + 1 :]
                with pytest.raises(InvalidFilingNumber) as refused:
                    parse(typo)
                assert refused.value.code in {"checksum", "year"}


def test_reading_forgives_case_spacing_dashes_and_look_alikes():
    number = generate(2026)
    text = str(number)
    variants = [
        text.lower(),
        number.compact,
        " ".join(text.split("-")),
        text.replace("-", "–"),  # a phone's autocorrected dash
        f"  {text}\n",
        text.replace("0", "O").replace("1", "l"),
        "PQR-2O26-" + "-".join(text.split("-")[2:]).replace("1", "I"),
    ]
    for variant in variants:
        assert parse(variant) == number, variant
        assert is_valid(variant)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        (" - ", "empty"),
        ("ABC-2026-0000-0000-0000", "prefix"),
        ("PQR-2026-0000-0000", "length"),
        ("PQR-2026-0000-0000-00000", "length"),
        ("PQR-2026-U000-0000-0000", "character"),
        ("PQR-2026-0000-0000-000*", "character"),
        ("PQR-20A6-0000-0000-0000", "year"),
    ],
)
def test_malformed_numbers_get_a_clear_error(text, code):
    with pytest.raises(InvalidFilingNumber) as refused:
        parse(text)
    assert refused.value.code == code
    assert str(refused.value)
    assert not is_valid(text)


def test_the_error_names_the_wrong_characters():
    with pytest.raises(InvalidFilingNumber) as refused:
        parse("PQR-2026-U000-0000-000*")
    assert "U" in str(refused.value) and "*" in str(refused.value)


def test_a_custom_prefix():
    number = generate(2027, prefix="rad")
    assert str(number).startswith("RAD-2027-")
    assert parse(str(number), prefix="RAD") == number
    assert not is_valid(str(number))  # the default prefix is PQR
    with pytest.raises(ValueError, match="prefix"):
        generate(2027, prefix="PQR1")
    with pytest.raises(ValueError, match="four digits"):
        generate(99)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_either_parses_or_raises_the_documented_error(text):
    try:
        number = parse(text)
    except InvalidFilingNumber as error:
        assert error.code in {"empty", "prefix", "length", "character", "year", "checksum"}
    else:
        assert parse(str(number)) == number
