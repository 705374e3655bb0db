"""Amounts as written (kg.display): the English number keeps the source's precision and equals the
normalised value exactly; unit words are natural; conversions are a separate note."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.display import conversion_note, english_number, show_amount, written_number
from kg.numbers import normalise

SCALE = {"": 0, "thousand": 3, "million": 6, "billion": 9, "trillion": 12}


@pytest.mark.parametrize(
    ("amount", "unit", "english"),
    [
        ("60.55亿元", "yuan", "6.055 billion yuan"),
        ("1286.87亿元", "yuan", "128.687 billion yuan"),
        ("368亿元", "yuan", "36.8 billion yuan"),
        ("18亿元", "yuan", "1.8 billion yuan"),
        ("15308元", "yuan", "15,308 yuan"),
        ("1.5万元", "yuan", "15,000 yuan"),
        ("20万元", "yuan", "200,000 yuan"),
        ("7.6万户", "household", "76,000 households"),
        ("159万人", "person", "1.59 million people"),
        ("95.11万人", "person", "951,100 people"),
        ("1人", "person", "1 person"),
        ("8.1%", "percent", "8.1%"),
        ("8.10%", "percent", "8.10%"),
        ("百分之十", "percent", "10%"),
        ("16个", "count", "16"),
        ("38项", "item", "38 items"),
        ("7066支", "team", "7,066 teams"),
        ("三次", "visit", "3 times"),
        ("10万亩", "https://w3id.org/cnkg/id/unit/mu", "100,000 mu"),
        ("1亿元", "yuan", "100 million yuan"),
        ("2.5万亿元", "yuan", "2.5 trillion yuan"),
    ],
)
def test_english_keeps_the_written_precision(amount: str, unit: str, english: str) -> None:
    symbols = {"yuan": ["元"], "percent": ["%", "百分之"], "person": ["人"], "household": ["户"], "count": ["个"],
               "item": ["项"], "team": ["支"], "visit": ["次"]}.get(unit.rsplit("/", 1)[-1], ["亩"])  # fmt: skip
    value = normalise(amount, symbols).value
    assert show_amount(amount, value, unit).text == english
    assert show_amount(amount, value, unit, "zh").text == amount


def test_conversion_is_a_separate_note() -> None:
    shown = show_amount("10万亩", Decimal(100000), "mu")
    assert shown == type(shown)("100,000 mu", "≈ 6,667 ha")
    assert show_amount("27万亩", Decimal(270000), "mu").note == "= 18,000 ha"
    assert show_amount("10万亩", Decimal(100000), "mu", "zh").note == "约合 6,667 公顷"
    assert conversion_note(Decimal(5), "mu") == "≈ 0.3333 ha"
    assert show_amount("15308元", Decimal(15308), "yuan").note is None


def test_words_without_a_numeral_show_the_curated_value() -> None:
    assert show_amount("一半", Decimal(50), "percent").text == "50%"
    assert show_amount("一半以上", None, "percent").text == "一半以上"
    assert written_number("近20万元") is None


def test_a_value_that_disagrees_with_the_text_is_shown_as_the_value() -> None:
    # the curated value wins over a numeral that is not the amount (never a silently wrong text)
    assert show_amount("3千", Decimal(3001), "yuan").text == "3,001 yuan"


def parse_english(text: str) -> Decimal:
    match = re.fullmatch(r"(?P<n>-?[\d,]+(?:\.\d+)?)(?: (?P<scale>million|billion|trillion))?(?: yuan)?", text)
    assert match, text
    return Decimal(match["n"].replace(",", "")).scaleb(SCALE[match["scale"] or ""])


@given(
    whole=st.integers(min_value=0, max_value=999_999),
    fraction=st.text(alphabet="0123456789", max_size=4),
    multiplier=st.sampled_from(["", "万", "亿", "万亿"]),
)
def test_shown_number_equals_the_normalised_value(whole: int, fraction: str, multiplier: str) -> None:
    numeral = f"{whole}.{fraction}" if fraction else str(whole)
    amount = f"{numeral}{multiplier}元"
    value = normalise(amount, ["元"]).value
    shown = show_amount(amount, value, "yuan").text
    assert parse_english(shown) == value
    digits = numeral.replace(".", "").lstrip("0") or "0"
    # no digit of the text is dropped: the written significant digits all appear, in order
    assert digits.rstrip("0") in shown.replace(",", "").replace(".", "")


def test_english_number_scales_only_written_multipliers() -> None:
    assert english_number(Decimal(2000000)) == "2,000,000"
    assert english_number(Decimal("2E+6"), 4) == "2 million"
