"""What the whole report says about itself: its title, date, source, places and regions, read
once into one frozen :class:`Context` that every later step takes as an input."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kg.authoring.draft.text import CJK_RANGE, Mention, Text
from kg.numbers import CHINESE_DIGITS
from kg.vocabularies import Vocabularies

LEVELS = "省市州县"  # 州: an autonomous prefecture (临夏州), a city-level place


@dataclass(frozen=True)
class RegionMention:
    start: int
    end: int
    region: str


@dataclass(frozen=True)
class Context:
    report_id: str
    text_name: str
    title: Mention
    issued: dt.date
    issued_comment: str | None
    source_name: Mention | None
    places: dict[str, str]  # level character -> the report's own place of that level (山西省)
    place_names: tuple[str, ...]  # every place prefix an agency name may start with, longest first
    region_words: tuple[tuple[str, str], ...]  # (word, region id), longest first
    alt_region_words: frozenset[str]
    region_mentions: tuple[RegionMention, ...]
    regions: dict[str, Mention]  # region id -> the mention to quote
    default_region: str
    headings: tuple[tuple[int, int], ...]
    period_patterns: tuple[tuple[re.Pattern[str], str], ...]

    @property
    def year(self) -> int:
        return self.issued.year


def issued(text: Text, report_id: str) -> tuple[dt.date, str | None]:
    head = "\n".join(text.text.split("\n")[:8])
    patterns = [
        r"发布(?:时间|日期)[:：]\s*(\d{4})[-年./](\d{1,2})[-月./](\d{1,2})",
        r"(\d{4})-(\d{1,2})-(\d{1,2})",
        r"(\d{4})年(\d{1,2})月(\d{1,2})日",
    ]
    for pattern in patterns:
        match = re.search(pattern, head)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups())), None
            except ValueError:
                continue
    match = re.search(r"(\d{4})-(\d{2})-(\d{2})", report_id)
    if match:
        return dt.date(*(int(g) for g in match.groups())), "check: the date is read from the report id"
    return dt.date.today(), "check: no date found in the text; today's date"


def source_name(text: Text) -> Mention | None:
    match = re.search(r"来源[:：]\s*([^\s　]+)", text.text)
    if not match:
        return None
    name = re.sub(r"(?:官方网站|官网|网站|网)$", "", match.group(1))
    return Mention(match.start(1), match.start(1) + len(name), name) if name else None


def places(
    text: Text, vocab: Vocabularies, publisher: Mention | None, title: Mention
) -> tuple[dict[str, str], set[str]]:
    """Province, city and county names of the report (for 省农业农村厅 -> 山西省农业农村厅), and
    every place name an agency name may start with."""
    own: dict[str, str] = {}
    names: set[str] = set()
    for labels in vocab.names.get("region", {}).values():
        for name in labels:
            if len(name) >= 3 and name[-1] in LEVELS:
                names.update({name, name[:-1]})
    head = " ".join(m.text for m in (publisher, title) if m)
    for match in re.finditer(rf"([{CJK_RANGE}]{{2}})([省市州县])(?=人民政府|委|政府|人大|政协|[^{CJK_RANGE}]|$)", head):
        if not set(match.group(1)) & set("年月日的在和与及"):
            names.update({match.group(0), match.group(1)})
    body = text.text
    for name in sorted(names, key=len, reverse=True):
        if name[-1] in LEVELS and name in body:
            level = name[-1]
            # the report's own province/city/county: the one in its publisher or title, else the most mentioned
            score = (name in head, body.count(name[:-1]))
            best = own.get(level)
            if best is None or score > (best in head, body.count(best[:-1])):
                own[level] = name
    return own, names


def region_of_name(vocab: Vocabularies, name: str) -> str | None:
    for slug, labels in vocab.names.get("region", {}).items():
        for label in labels:
            if len(label) >= 2 and (name == label or (label[-1] in LEVELS and name == label[:-1])):
                return slug
    return None


def region_words(
    vocab: Vocabularies, own: dict[str, str], place_names: set[str]
) -> tuple[list[tuple[str, str]], set[str]]:
    """(word, region id) pairs to look for in the text, longest first; and the words that are aliases."""
    words: dict[str, str] = {}
    aliases: set[str] = set()
    for slug, labels in vocab.names.get("region", {}).items():
        for index, name in enumerate(labels):
            if len(name) >= 2:
                words.setdefault(name, slug)
                if index > 0:
                    aliases.add(name)
                if name[-1] in LEVELS and len(name) >= 3:
                    words.setdefault(name[:-1], slug)
                # 山西脱贫地区 -> 脱贫地区 when the text is about 山西
                for place in place_names:
                    if len(place) >= 2 and name.startswith(place) and len(name) - len(place) >= 3:
                        words.setdefault(name[len(place) :], slug)
    for level in LEVELS:
        own_place = own.get(level)
        own_region = region_of_name(vocab, own_place) if own_place else None
        if own_region:
            for prefix in ("全", "我", "本"):
                words.setdefault(prefix + level, own_region)
    if vocab.has("region", "china"):
        words.setdefault("全国", "china")
    return sorted(words.items(), key=lambda kv: len(kv[0]), reverse=True), aliases


def find_regions(
    text: Text, words: list[tuple[str, str]], aliases: set[str]
) -> tuple[list[RegionMention], dict[str, Mention]]:
    mentions: list[RegionMention] = []
    taken: list[tuple[int, int]] = []
    for word, slug in words:
        for start in text.occurrences(word):
            end = start + len(word)
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            mentions.append(RegionMention(start, end, slug))
    mentions.sort(key=lambda m: (m.start, m.end, m.region))
    first: dict[str, Mention] = {}
    # quote a region by its name rather than an alias (全省 rather than 三晋)
    for mention in sorted(mentions, key=lambda m: (text.text[m.start : m.end] in aliases, m.start)):
        first.setdefault(mention.region, Mention(mention.start, mention.end, text.text[mention.start : mention.end]))
    return mentions, first


def default_region(vocab: Vocabularies, text: Text, own: dict[str, str], regions: dict[str, Mention]) -> str:
    for level in "县州市省":
        place = own.get(level)
        slug = region_of_name(vocab, place) if place else None
        if slug:
            return slug
    counts = {slug: len(text.occurrences(m.text)) for slug, m in regions.items()}
    if counts:
        return max(counts, key=lambda s: counts[s])
    return "china" if vocab.has("region", "china") else sorted(vocab.names.get("region", {"china": []}))[0]


def vocabulary_periods(vocab: Vocabularies) -> list[tuple[re.Pattern[str], str]]:
    """Markers of the non-year periods of periods.ttl by their Chinese labels: 五年间 (also 五年
    before a number: 五年三次), 过渡期. 累计 and 去年以来 are read by the period rules."""
    markers = []
    for slug, names in vocab.names.get("period", {}).items():
        if slug.isdigit() or slug in ("unspecified", "cumulative", "since-last-year"):
            continue
        for name in names:
            pattern = re.escape(name)
            if name.endswith("间"):
                pattern += rf"|{re.escape(name[:-1])}(?=[{CHINESE_DIGITS}\d])"
            markers.append((re.compile(pattern), slug))
    return markers


def read_context(text: Text, report_id: str, text_name: str, vocab: Vocabularies) -> Context:
    title = text.title()
    date, comment = issued(text, report_id)
    source = source_name(text)
    own, names = places(text, vocab, source, title)
    words, aliases = region_words(vocab, own, names)
    mentions, first = find_regions(text, words, aliases)
    return Context(
        report_id=report_id,
        text_name=text_name,
        title=title,
        issued=date,
        issued_comment=comment,
        source_name=source,
        places=own,
        place_names=tuple(sorted(names, key=lambda n: (-len(n), n))),
        region_words=tuple(words),
        alt_region_words=frozenset(aliases),
        region_mentions=tuple(mentions),
        regions=first,
        default_region=default_region(vocab, text, own, first),
        headings=text.headings(after=title.end),
        period_patterns=tuple(vocabulary_periods(vocab)),
    )
