"""Numbers in the text: numerals with their multipliers, units and qualifiers, and for every
numeral that is not a quantity the reason it is not (a date, an ordinal, part of a name …)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from kg.authoring.draft.lexicon import Lexicon
from kg.authoring.draft.text import CLAUSE_DELIMITERS, Text, is_cjk
from kg.numbers import PERCENT_PREFIX, AmountError, read_numeral, scan_numerals
from kg.vocabularies import Vocabularies

COUNTER_REASON = "a count in "
TITLE_REPEATS = "the title repeats a figure stated in the text"
DATE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}月\d{1,2}日|\d{1,2}月(?=份|底|初|中旬|上旬|下旬)"
    r"|\d{1,2}[—–\-~至到]\d{1,2}月"
)
YEAR = re.compile(r"(?:19|20)\d{2}年|[〇零一二三四五六七八九]{4}年")


@dataclass
class Quantity:
    start: int  # the amount as written: text[start:end]
    end: int
    value: Decimal
    unit: str
    numerals: list[tuple[int, int]]  # the scanned numerals it covers
    span_end: int  # after the qualifier written after the amount
    qualifier: str | None = None
    qualifier_start: int | None = None
    change: bool = False
    comments: dict[str, str] = field(default_factory=dict)
    share: bool = False  # a part of a whole by its very words (一半, 十分之一, 七成)
    readable: bool = True  # the build can read the amount (else the draft gives value:)


@dataclass(frozen=True)
class Quantities:
    found: list[Quantity]
    skipped: dict[tuple[int, int], str]  # numeral span -> why it is not a quantity


def unit_after(text: str, position: int, vocab: Vocabularies) -> tuple[str, str] | None:
    """(symbol, unit id) of the unit symbol written at ``position``."""
    for symbol in sorted(vocab.symbol_unit, key=len, reverse=True):
        if symbol != PERCENT_PREFIX and text.startswith(symbol, position):
            return symbol, vocab.symbol_unit[symbol]
    return None


def other_counter(text: str, position: int, lex: Lexicon, vocab: Vocabularies) -> str | None:
    """The counter written at ``position`` that units.ttl has no unit for (公里, 人次); a counter
    of the list that has become a unit symbol (吨) is a unit."""
    return next((c for c in lex.other_counters if text.startswith(c, position) and c not in vocab.symbol_unit), None)


def noun_after(text: str, position: int, lex: Lexicon) -> str:
    end = position
    while end < len(text) and is_cjk(text[end]) and end - position < 14:
        stop = next((w for w in lex.noun_stops if text.startswith(w, end)), None)
        if stop and end > position and not (stop == "实施" and text[end - 1] in "或和及与"):
            break
        end += 1
    return text[position:end]


def noun_unit(text: str, position: int, lex: Lexicon, vocab: Vocabularies) -> tuple[str, str | None]:
    """Unit of a number written without one (7.6万脱贫户, 159万脱贫劳动力), and a comment."""
    counter = other_counter(text, position, lex, vocab)
    if counter:
        return vocab.pick("unit", "count") or "count", f"check: unit {counter} is not in units.ttl"
    noun = noun_after(text, position, lex)
    if "户" in noun[:6] and vocab.has("unit", "household"):
        return "household", None
    if any(p in noun[:8] for p in lex.person_nouns) and vocab.has("unit", "person"):
        return "person", None
    return vocab.pick("unit", "count") or "count", "check: no unit written; count assumed"


def skip_reason(text: Text, start: int, end: int, numeral: str) -> str | None:
    body = text.text
    span = text.inside(start, end)
    if span:
        inner = body[span.start + 1 : span.end - 1]
        if span.kind == "title":
            return f"part of the title of 《{inner}》 (a document)"
        return f"part of the name “{inner}” (a program or slogan)"
    for match in DATE.finditer(body, max(0, start - 12), min(len(body), end + 12)):
        if match.start() <= start and end <= match.end():
            return "a date, not a quantity"
    for match in YEAR.finditer(body, max(0, start - 6), min(len(body), end + 2)):
        if match.start() <= start and end <= match.end():
            return "a calendar year; recorded as the period of the facts it dates"
    if start > 0 and body[start - 1] == "第":
        return "an ordinal (第…)"
    if body.startswith("届", end) or (start > 0 and body[start - 1] == "届"):
        return "the number of a session (届/次), not a quantity"
    if numeral == "百" and body.startswith("分点", end):
        return "“percentage point”, the unit of a change"
    if not numeral[0].isdigit():
        if numeral == "半" and body.startswith("年", end):
            return "half a year (上半年, 下半年), a time"
        if body.startswith("年", end):
            return "a span of years, not a separate quantity"
        if start > 0 and body[start - 1] in "（(" and body.startswith(("）", ")"), end):
            return "a list number"
        if body.startswith("、", end) and (start == 0 or body[start - 1] == "\n"):
            return "a list number"
    return None


def quantity(text: Text, start: int, end: int, numeral: str, lex: Lexicon, vocab: Vocabularies) -> Quantity | str:
    body = text.text
    reason = skip_reason(text, start, end, numeral)
    if reason:
        return reason
    arabic = numeral[0].isdigit()
    word = lex.number_words.get(numeral)
    if word is not None and vocab.has("unit", word.unit):
        return Quantity(start, end, Decimal(word.value), word.unit, [(start, end)], end,
                        share=word.type == "share", readable=False)  # fmt: skip
    try:
        value = read_numeral(numeral)
    except AmountError:
        return "not a number on its own (a word or a set phrase)"
    comments: dict[str, str] = {}
    approx = next((w for w in lex.approximate_after if arabic and body.startswith(w, end)), None)
    after = end + (1 if approx else 0)
    counter = other_counter(body, after, lex, vocab)
    if counter:
        return f"{COUNTER_REASON}{counter}: the unit is not in units.ttl yet (add it, then make this a fact)"
    # 七成, 三成以上: tenths (not 成立, 成果 …)
    if body.startswith("成", after) and 0 < value < 10:
        following = body[after + 1 : after + 3]
        if not is_cjk(following[:1] or "。") or following in ("以上", "左右"):
            return Quantity(start, after + 1, value * 10, "percent", [(start, end)], after + 1, share=True)
    if not arabic:
        if body.startswith("大", end) and value >= 3 and is_cjk(body[end + 1 : end + 2]):
            return Quantity(start, end, value, "count", [(start, end)], end)
        unit = unit_after(body, end, vocab)
        if unit is None or value == 1 or unit[1] == "year":
            return "not a quantity (a word or a set phrase with a numeral)"
        if numeral[-1] in "万亿千百" and len(numeral) == 1:
            return "not a quantity (a word or a set phrase with a numeral)"
        return Quantity(start, end + len(unit[0]), value, unit[1], [(start, end)], end + len(unit[0]))
    # Arabic numerals
    if body.startswith("个百分点", end):
        comments["unit"] = "check: percentage points"
        return Quantity(start, end, value, vocab.pick("unit", "percent") or "percent", [(start, end)],
                        end + 4, change=True, comments=comments)  # fmt: skip
    unit = unit_after(body, after, vocab)
    if unit is not None and not approx:
        if unit[1] == "year" and value >= 1900:
            return "a calendar year; recorded as the period of the facts it dates"
        return Quantity(start, after + len(unit[0]), value, unit[1], [(start, end)], after + len(unit[0]))
    slug, comment = (unit[1], None) if unit else noun_unit(body, after, lex, vocab)
    if comment:
        comments["unit"] = comment
    found = Quantity(start, end, value, slug, [(start, end)], after + (len(unit[0]) if unit else 0))
    found.comments = comments
    if approx:
        found.qualifier, found.qualifier_start = "more-than", end
    return found


def qualify(text: Text, q: Quantity, lex: Lexicon, vocab: Vocabularies) -> None:
    body = text.text
    if q.qualifier is None:
        for word, slug in lex.qualifiers_after:
            if body.startswith(word, q.span_end):
                number_word = lex.number_words.get(body[q.start : q.end])
                if number_word and number_word.with_more_than and slug == "more-than":
                    slug = number_word.with_more_than
                q.qualifier, q.qualifier_start = slug, q.span_end
                q.span_end += len(word)
                break
    if q.qualifier is None:
        for word, slug in lex.qualifiers_before:
            if body[max(0, q.start - len(word)) : q.start] == word:
                q.qualifier, q.qualifier_start = slug, q.start - len(word)
                break
    if q.qualifier and not vocab.has("qualifier", q.qualifier):
        q.qualifier = None
    # 12065个项目全部开工
    clause_end = text.bounds(q.end, CLAUSE_DELIMITERS - {"(", ")", "（", "）"})[1]
    if q.qualifier is None and "全部" in body[q.end : min(clause_end, q.end + 10)] and vocab.has("qualifier", "all"):
        q.qualifier = "all"


def find_quantities(text: Text, lex: Lexicon, vocab: Vocabularies) -> Quantities:
    """Every quantity drafted as a fact, and the reason each other numeral is not one."""
    body = text.text
    numerals = scan_numerals(body)
    found: list[Quantity] = []
    skipped: dict[tuple[int, int], str] = {}
    consumed: set[int] = set()
    for index, (start, end, numeral) in enumerate(numerals):
        if index in consumed:
            continue
        # 百分之十五: the scan sees 百 and 十五
        if numeral == "百" and body.startswith("分之", end) and index + 1 < len(numerals):
            nxt = numerals[index + 1]
            if nxt[0] == end + 2 and not nxt[2][0].isdigit():
                consumed.add(index + 1)
                reason = skip_reason(text, start, nxt[1], nxt[2])
                if reason:
                    skipped[(start, end)] = skipped[(nxt[0], nxt[1])] = reason
                    continue
                try:
                    value = read_numeral(nxt[2])
                except AmountError:
                    skipped[(start, end)] = skipped[(nxt[0], nxt[1])] = "not a number"
                    continue
                found.append(Quantity(start, nxt[1], value, "percent", [(start, end), (nxt[0], nxt[1])], nxt[1]))
                continue
        result = quantity(text, start, end, numeral, lex, vocab)
        if isinstance(result, Quantity):
            found.append(result)
        else:
            skipped[(start, end)] = result
    for q in found:
        qualify(text, q, lex, vocab)
    return Quantities(found, skipped)
