"""Amounts for people to read, in Chinese and English, with the precision the source gives.

The English number is the written numeral moved by whole powers of ten, never rounded:
``60.55亿元`` -> "6.055 billion yuan" (not 6.06), ``7.6万户`` -> "76,000 households",
``159万人`` -> "1.59 million people", ``1286.87亿元`` -> "128.687 billion yuan". The shown number
always equals the normalised value of :func:`kg.numbers.normalise` exactly. A conversion to
another unit is a separate, marked note ("100,000 mu" + "≈ 6,667 ha"), since it is ours and not
the report's. Chinese keeps the amount as written. Pure functions: no store, no request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from kg.numbers import CHINESE_DIGITS, AmountError, parse_numeral, shown_number

# The numeral at the start of an amount as written: Arabic with an optional 万/亿, or 百分之 + numeral.
LEADING_NUMERAL = re.compile(rf"^(?:百分之)?(?P<numeral>\d+(?:\.\d+)?(?:万亿|亿|万|千|百)?|[{CHINESE_DIGITS}]+)")
# English scale words, largest first; used only when the text itself writes a 万/亿 multiplier.
SCALES = ((12, "trillion"), (9, "billion"), (6, "million"))


@dataclass(frozen=True)
class UnitWords:
    singular: str
    plural: str
    attached: bool = False  # written without a space: 8.1%


# English words per unit of data/vocabularies/units.ttl. 个 counts whatever the indicator says
# (counties, projects, bases), so it gets no word: "16", never "16 count".
UNIT_WORDS: dict[str, UnitWords] = {
    "yuan": UnitWords("yuan", "yuan"),
    "percent": UnitWords("%", "%", attached=True),
    "person": UnitWords("person", "people"),
    "household": UnitWords("household", "households"),
    "mu": UnitWords("mu", "mu"),
    "count": UnitWords("", ""),
    "item": UnitWords("item", "items"),
    "enterprise": UnitWords("enterprise or institution", "enterprises or institutions"),
    "team": UnitWords("team", "teams"),
    "visit": UnitWords("time", "times"),
    "year": UnitWords("year", "years"),
    "tonne": UnitWords("tonne", "tonnes"),
}
# Exact factors to a unit readers of English know, and its symbols (en, zh): 1 mu = 1/15 ha.
CONVERSIONS: dict[str, tuple[Fraction, str, str]] = {"mu": (Fraction(1, 15), "ha", "公顷")}
NOTE_DIGITS = 4  # significant digits of an approximate conversion note


@dataclass(frozen=True)
class Shown:
    """An amount as shown: the text, and a conversion note (None when there is none)."""

    text: str
    note: str | None = None


def unit_slug(unit: str) -> str:
    """``https://w3id.org/cnkg/id/unit/mu`` or ``mu`` -> ``mu``."""
    return unit.rstrip("/").rsplit("/", 1)[-1]


def written_number(amount: str) -> tuple[Decimal, int] | None:
    """The numeral an amount starts with, with the digits it is written with, and its 万/亿 power:
    ``60.55亿元`` -> (Decimal('6.055E+9'), 8). None if the amount does not start with a numeral."""
    match = LEADING_NUMERAL.match(amount.strip())
    if match is None:
        return None
    numeral = match["numeral"]
    arabic = re.fullmatch(r"(\d+(?:\.\d+)?)(万亿|亿|万|千|百)?", numeral)
    try:
        value, power = parse_numeral(numeral)
    except AmountError:
        return None
    if arabic:  # keep the written digits (8.10 stays 8.10): scaleb keeps the exponent
        return Decimal(arabic[1]).scaleb(power), power
    return value, power


def english_number(number: Decimal, power: int = 0) -> str:
    """``number`` in English digits, with a scale word when the text wrote 万/亿 and it reaches a
    million: (6.055E+9, 8) -> "6.055 billion"; (7.6E+4, 4) -> "76,000"; (15308, 0) -> "15,308"."""
    if power >= 4:
        for exponent, word in SCALES:
            if abs(number) >= Decimal(10) ** exponent:
                return f"{_digits(number.scaleb(-exponent))} {word}"
    return _digits(number)


def _digits(number: Decimal) -> str:
    """Grouped digits, keeping written decimals (8.10) with no exponent (1.0E+5 -> 100,000)."""
    return f"{number:,f}"


def with_unit(number_text: str, number: Decimal, unit: str) -> str:
    words = UNIT_WORDS.get(unit_slug(unit))
    if words is None or not words.plural:
        return number_text
    word = words.singular if number == 1 else words.plural
    return f"{number_text}{word}" if words.attached else f"{number_text} {word}"


def conversion_note(value: Decimal, unit: str, lang: str = "en") -> str | None:
    """The amount in a more familiar unit, marked "=" when exact and "≈" when rounded."""
    conversion = CONVERSIONS.get(unit_slug(unit))
    if conversion is None:
        return None
    factor, symbol_en, symbol_zh = conversion
    converted = Fraction(value) * factor
    exact = converted.denominator == 1
    shown = Decimal(converted.numerator) if exact else _significant(converted)
    symbol = symbol_en if lang == "en" else symbol_zh
    if lang == "zh":
        return f"{'合' if exact else '约合'} {shown_number(shown)} {symbol}"
    return f"{'=' if exact else '≈'} {shown_number(shown)} {symbol}"


def _significant(value: Fraction) -> Decimal:
    """``value`` rounded to NOTE_DIGITS significant digits, or to whole units when larger."""
    decimal = Decimal(value.numerator) / Decimal(value.denominator)
    places = max(0, NOTE_DIGITS - decimal.adjusted() - 1)
    return decimal.quantize(Decimal(1).scaleb(-places))


def show_amount(as_written: str, value: Decimal | None, unit: str, lang: str = "en") -> Shown:
    """An amount for a page: Chinese as written; English with the written precision and unit words.

    ``value`` is the normalised value (obsValue); when the text has no numeral the curated value is
    shown (一半 -> "50%"), and when there is no value the words as written."""
    if value is None:  # nothing normalised: only the words can be shown
        return Shown(as_written)
    note = conversion_note(value, unit, lang)
    if lang == "zh":
        return Shown(as_written, note)
    written = written_number(as_written)
    if written is not None and written[0] == value:
        number, power = written
        return Shown(with_unit(english_number(number, power), number, unit), note)
    return Shown(with_unit(english_number(value), value, unit), note)
