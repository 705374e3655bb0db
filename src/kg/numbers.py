"""Quantities as Chinese text writes them: finding numerals and normalising amounts.

``1286.87亿元`` -> 128687000000 yuan, multiplier 8; ``7.6万`` -> 76000, multiplier 4;
``百分之十`` -> 10 percent. Chinese numerals are read by cn2an, not by tables of our own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cn2an

MULTIPLIERS = {"万亿": 12, "亿": 8, "万": 4, "千": 3, "百": 2}
CHINESE_DIGITS = "〇零一二两三四五六七八九十百千万亿"
ARABIC = r"\d+(?:\.\d+)?"
ARABIC_AMOUNT = re.compile(rf"^(?P<number>{ARABIC})(?P<multiplier>万亿|亿|万|千|百)?$")
CHINESE_AMOUNT = re.compile(rf"^[{CHINESE_DIGITS}]+$")
PERCENT_PREFIX = "百分之"

# A numeral in running text: Arabic (with an optional 万/亿) or a run of Chinese numeral characters.
NUMERAL = re.compile(rf"{ARABIC}(?:万亿|亿|万|千)?|[{CHINESE_DIGITS}半]+")


class AmountError(ValueError):
    """An amount that cannot be read, with the fix in its message."""


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    multiplier: int  # decimal power written in the text: 亿 -> 8, 万 -> 4, none -> 0
    written_unit: str  # the unit symbol as written ("元", "%", "" when the text has none)


def split_unit(amount: str, symbols: list[str]) -> tuple[str, str]:
    """Split ``amount`` into its numeral and the unit symbol (one of ``symbols``) it is written with."""
    text = amount.strip()
    if text.startswith(PERCENT_PREFIX) and PERCENT_PREFIX in symbols:
        return text[len(PERCENT_PREFIX) :], PERCENT_PREFIX
    for symbol in sorted(symbols, key=len, reverse=True):
        if symbol and text.endswith(symbol) and len(text) > len(symbol):
            return text[: -len(symbol)], symbol
    return text, ""


def parse_numeral(numeral: str) -> tuple[Decimal, int]:
    """``1286.87亿`` -> (128687000000, 8); ``二十`` -> (20, 0). Raises :class:`AmountError`."""
    match = ARABIC_AMOUNT.match(numeral)
    if match:
        power = MULTIPLIERS.get(match["multiplier"] or "", 0)
        return Decimal(match["number"]).scaleb(power).normalize(), power
    if CHINESE_AMOUNT.match(numeral):
        try:
            return Decimal(str(cn2an.cn2an(numeral, "strict"))).normalize(), 0
        except (ValueError, KeyError, InvalidOperation):
            pass
    raise AmountError(f"cannot read {numeral!r} as a number")


def normalise(amount: str, symbols: list[str]) -> Quantity:
    """Read an amount as written (``20万元``) given the symbols its unit may be written with."""
    numeral, symbol = split_unit(amount, symbols)
    if not numeral or numeral[-1] not in "0123456789" + CHINESE_DIGITS:
        raise AmountError(
            f"{amount!r} ends in {numeral[-1:]!r}, which is not how this unit is written ({', '.join(symbols)})"
        )
    value, power = parse_numeral(numeral)
    return Quantity(value=value, multiplier=power, written_unit=symbol)


def scan_numerals(text: str) -> list[tuple[int, int, str]]:
    """Every numeral in ``text`` as (start, end, numeral), for coverage checks and drafting."""
    return [(m.start(), m.end(), m.group()) for m in NUMERAL.finditer(text)]


def read_numeral(numeral: str) -> Decimal:
    """The value of a numeral, like :func:`parse_numeral`, but also reading the Chinese numerals
    cn2an's strict mode refuses (``两``, ``两千三百``) with its normal mode. For drafting: an
    amount only this function can read needs an explicit ``value:`` to compile."""
    try:
        return parse_numeral(numeral)[0]
    except AmountError:
        if not CHINESE_AMOUNT.match(numeral):
            raise
    try:
        return Decimal(str(cn2an.cn2an(numeral, "normal"))).normalize()
    except (ValueError, KeyError, InvalidOperation):
        raise AmountError(f"cannot read {numeral!r} as a number") from None


def shown_number(number: Decimal) -> str:
    """1800000000 -> "1,800,000,000"; 8.10 -> "8.1" (trailing decimal zeros only, never those of 100)."""
    shown = f"{number:,f}"
    return shown.rstrip("0").rstrip(".") if "." in shown else shown
