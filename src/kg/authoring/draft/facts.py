"""What each quantity is: its period, value type, region, indicator, who states it and, for a
target, the relation of the commitment (increase, reach, at least …); the commitments without a
number (implement a program, keep a bottom line); and the not_facts entries of every numeral
that is not a fact.

The relation is drafted as a field of the target fact (``relation: at-least``), with the values
issue 12 names for commitments: a target fact is one commitment, its indicator, period, region
and amount the commitment's object and level, and ``relation`` how the level is meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kg.authoring.draft.context import Context
from kg.authoring.draft.entities import AgencyMention, Entity, EntityIndex, Speaker
from kg.authoring.draft.lexicon import Lexicon, regex_union
from kg.authoring.draft.quantities import COUNTER_REASON, DATE, TITLE_REPEATS, YEAR, Quantities, Quantity, noun_after
from kg.authoring.draft.text import CLAUSE_DELIMITERS, Mention, Text, is_cjk
from kg.vocabularies import Vocabularies

PERIOD_MARKERS = re.compile(
    r"(?<![比较])(?:(?P<since>去年以来)|(?P<last>去年一年|过去的一年|过去一年|去年|上年|上一年)|(?P<this>今年|本年|(?<!年)下半年)"
    r"|(?P<whole>(?<![到至])全年)"
    r"|(?P<next>明年)|(?P<cumulative>累计)|(?<!\d)(?P<year>(?:19|20)\d{2})年(?!\d{1,2}月\d)"
    r"|(?P<progress>(?<!年)(?:上半年|前三季度|[一二三四]季度|(?<!\d)\d{1,2}[—–\-~至到]\d{1,2}月)))"
)
# Cues of the report's own year that report progress, not plans: 上半年, 1—6月, 一季度
PROGRESS = re.compile(r"上半年|季度|月$")
# 全年 (the whole year) names no year: the year the text is about, read after every other time word
WHOLE_YEAR = "全年"
# A report issued by the end of this month reviews the year before (January to April: work
# reports, annual press conferences); later in the year it reports the year's progress.
REVIEW_MONTHS = 4
# The relation of a commitment (issue 12), by the words before the amount; the qualifier decides first
RELATION_CUES = (
    ("double", re.compile(r"翻一?番|倍增")),
    ("full-coverage", re.compile(r"全覆盖")),
    ("higher-than", re.compile(r"(?:高于|快于|超过)[\u4e00-\u9fff]{0,12}$")),
    ("keep", re.compile(r"(?:稳定在|保持在|控制在|保持)$")),
    ("reach", re.compile(r"(?:达到|提高到|增加到|提升到|增长到|突破|实现)$")),
    ("decrease", re.compile(r"(?:下降|减少|降低|压减|缩小)$")),
    ("increase", re.compile(r"(?:增长|增加|提高|提升|新增|增)$")),
)
QUALIFIER_RELATION = {"more-than": "at-least", "about": "about", "nearly": "about", "more-than-half": "at-least"}
RELATIONS = ("increase", "decrease", "double", "reach", "at-least", "about", "keep", "full-coverage", "higher-than")


@dataclass
class Fact:
    quantity: Quantity
    type: str
    period: str
    region: str
    indicator: Entity
    compared_with: str | None = None
    label_span: tuple[int, int] | None = None
    agency: Entity | None = None
    stated_by: Entity | None = None
    relation: str | None = None
    comments: dict[str, str] = field(default_factory=dict)

    def quote_start(self) -> int:
        q = self.quantity
        return q.qualifier_start if q.qualifier_start is not None and q.qualifier_start < q.start else q.start


@dataclass(frozen=True)
class FactInput:
    """What reading the facts needs of the steps before it."""

    text: Text
    ctx: Context
    lex: Lexicon
    vocab: Vocabularies
    agencies: list[AgencyMention]
    speakers: list[Speaker]


def period_markers(given: FactInput, start: int, end: int, cumulative: bool = True) -> list[tuple[int, str, str]]:
    """(position, period id, cue) of the time expressions in text[start:end]."""
    text, year = given.text, given.ctx.year
    body = text.text
    found = []
    for pattern, slug in given.ctx.period_patterns:
        for match in pattern.finditer(body, start, min(len(body), end + 1)):
            if match.end() <= end and not text.inside(match.start(), match.end()):
                found.append((match.start(), slug, match.group()))
    for match in PERIOD_MARKERS.finditer(body, start, end):
        if text.inside(match.start(), match.end()):
            continue
        kind = match.lastgroup or ""
        if kind == "since":
            period = "since-last-year"
        elif kind == "last":
            period = str(year - 1)
        elif kind == "next":
            period = str(year + 1)
        elif kind == "cumulative":
            if not cumulative:
                continue
            period = "cumulative"
        elif kind == "whole":
            plan = planned(given, match.start())
            period = str(year if plan or given.ctx.issued.month > REVIEW_MONTHS else year - 1)
        elif kind == "progress" or kind == "this":
            period = str(year)
        else:
            period = match.group("year")
        found.append((match.start(), period, match.group()))
    for match in given.lex.progress_cues.finditer(body, start, end):
        if not text.inside(match.start(), match.end()):
            found.append((match.start(), str(year), match.group()))
    return sorted(found)


def planned(given: FactInput, position: int) -> bool:
    """Whether the paragraph, up to ``position``, speaks of plans (将, 力争, 确保 …)."""
    paragraph_start, _ = given.text.paragraph(position)
    _, clause_end = given.text.clause(position)
    before = given.text.text[paragraph_start:clause_end]
    return bool(
        given.lex.target_cues.search(before[: position - paragraph_start]) or given.lex.plan_cues.search(before)
    )


def is_progress(given: FactInput, cue: str) -> bool:
    return bool(PROGRESS.search(cue) or given.lex.progress_cues.fullmatch(cue))


def period_of(given: FactInput, q: Quantity) -> tuple[str, str]:
    """The period of the time words nearest before the amount: in its sentence, else earlier in
    its paragraph, else in the headings above it; 全年 only when no other time word is found."""
    whole: list[tuple[int, str, str]] = []

    def markers_in(start: int, end: int, cumulative: bool = True) -> list[tuple[int, str, str]]:
        found = period_markers(given, start, end, cumulative)
        whole.extend(m for m in found if m[2] == WHOLE_YEAR)
        return [m for m in found if m[2] != WHOLE_YEAR]

    text = given.text
    sentence_start, _ = text.sentence(q.start)
    markers = markers_in(sentence_start, q.start)
    clause_start, _ = text.bounds(q.start, CLAUSE_DELIMITERS - {"、"})
    continues = text.text.startswith(given.lex.continuations, clause_start)
    markers = [m for m in markers if m[1] != "cumulative" or m[0] >= clause_start or continues]
    if markers:
        _, period, cue = markers[-1]
    else:
        paragraph_start, _ = text.paragraph(q.start)
        markers = markers_in(paragraph_start, sentence_start, cumulative=False)
        if markers:
            _, period, cue = markers[-1]
        else:
            markers = []
            for heading in reversed([h for h in given.ctx.headings if h[1] <= q.start]):
                markers = [m for m in markers_in(*heading, cumulative=False) if m[1] != "since-last-year"]
                if markers:
                    break
            if not markers and not whole:
                return "unspecified", ""
            _, period, cue = (markers or sorted(whole))[-1]
    if not given.vocab.has("period", period):
        return "unspecified", f"check: {cue} is not a period of periods.ttl"
    return period, cue


def fact_type(given: FactInput, q: Quantity, period: str, cue: str = "") -> tuple[str, str | None]:
    """(value type, compared_with)."""
    text, lex, year = given.text.text, given.lex, given.ctx.year
    clause_start, _ = given.text.clause(q.start)
    before = text[
        clause_start : q.qualifier_start if q.qualifier_start is not None and q.qualifier_start < q.start else q.start
    ]
    sentence_start, _ = given.text.sentence(q.start)
    sentence_before = text[sentence_start : q.start]
    compared = None
    base = re.search(r"比(?:(\d{4})年|上年|去年|上一年)|同比", before)
    if base:
        compared = base.group(1) or (str(int(period) - 1) if period.isdigit() else None)
    change = (
        q.change
        or before.endswith(lex.change_words)
        or bool(re.search(r"比(?:\d{4}年|上年|去年|上一年)[多少增减]", before))
    )
    if change and compared is None and period.isdigit():
        compared = str(int(period) - 1)
    if compared and not given.vocab.has("period", compared):
        compared = None
    # the report's year is planned (今年将…), unless the text reports progress in it (上半年, 已完成,
    # 今年以来), or the report, issued after the months of annual reviews, says no plan word
    progress = is_progress(given, cue) or "已" in text[clause_start : q.start]
    if given.ctx.issued.month > REVIEW_MONTHS and not planned(given, q.start):
        progress = True
    future = period.isdigit() and (int(period) > year or (int(period) == year and not progress))
    past = period.isdigit() and int(period) < year
    _, clause_end = given.text.clause(q.start)
    plan = lex.target_cues.search(sentence_before) or lex.plan_cues.search(text[sentence_start:clause_end])
    if future or (not past and not progress and plan):
        return "target", compared if change else None
    if q.unit == "percent" and (
        any(w in before for w in lex.share_words) or q.share or lex.share_endings.search(before)
    ):
        return "share", None
    if change:
        return "change", compared
    return "actual", None


def relation_of(given: FactInput, q: Quantity) -> str:
    """How a target's level is meant: at least, about, reach, increase by … (issue 12's relations)."""
    text = given.text.text
    clause_start, _ = given.text.clause(q.start)
    before = text[
        clause_start : q.qualifier_start if q.qualifier_start is not None and q.qualifier_start < q.start else q.start
    ]
    if q.qualifier in QUALIFIER_RELATION:
        return QUALIFIER_RELATION[q.qualifier]
    for relation, cue in RELATION_CUES:
        if cue.search(before):
            return relation
    return "reach"


def region_of(given: FactInput, q: Quantity) -> str:
    text = given.text
    sentence_start, _ = text.sentence(q.start)
    clause_start, _ = text.clause(q.start)
    best = None
    for mention in given.ctx.region_mentions:
        if sentence_start <= mention.start and mention.end <= q.start:
            words_before = text.text[max(sentence_start, mention.start - 3) : mention.start]
            if re.search(r"(高于|低于|比|超过|于)$", words_before):
                continue
            # a region in an earlier clause counts only as the subject of the sentence
            if mention.start >= clause_start or mention.start - sentence_start <= 6:
                best = mention.region
    return best or given.ctx.default_region


def clean_subject(given: FactInput, start: int, end: int, own_clause: bool) -> tuple[str, int]:
    """The name of what is counted in text[start:end], without time words, regions and verbs."""
    text, lex = given.text.text, given.lex
    noise = (*lex.leading_noise, *(w for w, _ in given.ctx.region_words))
    changed = True
    while changed and start < end:
        changed = False
        marker = PERIOD_MARKERS.match(text, start, end)
        if marker and marker.end() > start:
            start, changed = marker.end(), True
            continue
        for word in noise:
            if text.startswith(word, start) and start + len(word) <= end:
                start, changed = start + len(word), True
                break
        match = re.match(r"在|对|将|要|由|从|比(?:\d{4}年|上年|去年)|同比", text[start:end])
        if match and match.end():
            start, changed = start + match.end(), True
    segment = text[start:end]
    # nouns that contain a verb (第一产业增加值) are kept whole: masked while the verbs are cut
    masks = {word: word[:-1] + "\0" for word in lex.nouns_with_verbs}
    masked = segment
    for word, mask in masks.items():
        masked = masked.replace(word, mask)

    def unmask(label: str) -> str:
        for word, mask in masks.items():
            label = label.replace(mask, word)
        return label

    if own_clause:
        trailing = regex_union([*lex.light_verbs, *lex.change_words, *(w for w, _ in lex.qualifiers_before)])
        label = unmask(re.sub(rf"(?:{trailing}|比(?:\d{{4}}年|上年|去年)|同比)+$", "", masked))
        if label in lex.subject_verbs:
            label = ""
    else:
        cut = len(masked)
        for verb in lex.subject_verbs:
            found = masked.find(verb, 1)
            if found != -1 and found < cut:
                cut = found
        label = unmask(masked[:cut])
    label = label.strip("的和及与、 ")
    if len(label) < 2 or not all(is_cjk(c) or c in "()（）·" for c in label):
        return "", start
    return label, start


def indicator_label(given: FactInput, q: Quantity, own_clause_only: bool = False) -> tuple[str, int] | None:
    """The words naming what is counted, and where they are."""
    text = given.text.text
    clause_start, clause_end = given.text.clause(q.start)
    # 五大工程, 十大产业集群: the name counts
    if text.startswith("大", q.end) and not text[q.start].isdigit():
        suffix = regex_union(given.lex.program_group_nouns)
        match = re.match(rf"大[\u4e00-\u9fff〇]{{0,10}}?(?:{suffix})", text[q.end :])
        if match:
            return text[q.start : q.end + match.end()], q.start
    # amount + noun: 16个重要政策文件, 7.6万脱贫户, 117个县 (not 1286.87亿元 or 8.1%)
    if q.unit not in ("yuan", "percent") and q.span_end < clause_end and is_cjk(text[q.span_end]):
        noun = noun_after(text, q.span_end, given.lex)
        if noun:
            return noun, q.span_end
    # noun + amount in the amount's clause: 入库项目261个, 去年一年培育链主骨干企业164家
    start = q.qualifier_start if q.qualifier_start is not None and q.qualifier_start < q.start else q.start
    label, where = clean_subject(given, clause_start, start, own_clause=True)
    if label or own_clause_only:
        return (label, where) if label else None
    # the subject of an earlier clause: 全省第一产业增加值实现历史性突破,完成1286.87亿元
    sentence_start, _ = given.text.sentence(q.start)
    position = clause_start
    while position > sentence_start:
        previous_start, _ = given.text.clause(position - 1)
        segment = text[previous_start : position - 1]
        if any(c.isdigit() for c in segment) and not re.fullmatch(r"(?:19|20)\d{2}年", segment):
            break
        label, where = clean_subject(given, previous_start, position - 1, own_clause=False)
        if label:
            return label, where
        position = previous_start
    return None


def attribute(given: FactInput, fact: Fact) -> None:
    """stated_by: an official speaking in the sentence, or opening the paragraph; agency: theirs,
    or the agency the sentence starts with."""
    text = given.text
    sentence_start, _ = text.sentence(fact.quantity.start)
    speaker = _speaker(given, fact.quantity.start)
    if speaker is not None and speaker.posts:
        fact.stated_by = speaker
        fact.agency = speaker.posts[-1].fields["agency"]
        return
    lead = text.text[sentence_start : sentence_start + 20]
    for found in given.agencies:
        if found.mention.start == sentence_start + (len(lead) - len(lead.lstrip())):
            fact.agency = found.agency
            return


def separate_duplicates(text: Text, facts: list[Fact], index: EntityIndex) -> None:
    """Two facts with the same indicator, period, region and type would break Data Cube IC-12:
    the later one gets an indicator of its own, named by its quote."""
    seen: set[tuple[str, str, str, str]] = set()
    for fact in facts:
        key = (fact.indicator.label, fact.period, fact.region, fact.type)
        if key in seen:
            start, end = fact.quote_start(), fact.quantity.span_end
            name = text.text[start:end]
            fact.indicator = Entity("indicators", name, Mention(start, end, name))
            index["indicators"].append(fact.indicator)
            key = (name, fact.period, fact.region, fact.type)
        seen.add(key)


def find_facts(given: FactInput, quantities: Quantities, index: EntityIndex) -> tuple[list[Fact], dict[Any, str]]:
    """The facts of the quantities, and the reasons of the numerals that are not facts."""
    text, ctx, vocab = given.text, given.ctx, given.vocab
    skipped = dict(quantities.skipped)
    kept: list[Quantity] = []
    for q in quantities.found:
        amount = text.text[q.start : q.end]
        if ctx.title.start <= q.start < ctx.title.end and len(text.occurrences(amount)) > 1:
            for numeral in q.numerals:
                skipped[numeral] = TITLE_REPEATS
            continue
        kept.append(q)
    facts: list[Fact] = []
    previous: Fact | None = None
    for q in kept:
        period, period_cue = period_of(given, q)
        kind, compared = fact_type(given, q, period, period_cue)
        if kind == "target" and period == "unspecified" and vocab.has("period", str(ctx.year)):
            period, period_cue = str(ctx.year), "check: a plan with no year; the report's year assumed"
        region = region_of(given, q)
        same_sentence = previous is not None and text.sentence(previous.quantity.start) == text.sentence(q.start)
        label = indicator_label(given, q, own_clause_only=compared is not None or kind == "change")
        label_span: tuple[int, int] | None
        if label is None and same_sentence and previous is not None:
            indicator, label_span = previous.indicator, None  # 增长8.1%: the same measure, the same region
            region = previous.region
        else:
            label = label or indicator_label(given, q)
            if label is None:
                clause = text.clause(q.start)
                label = (text.text[clause[0] : clause[1]], clause[0])
            name, where = label
            indicator = index.add_known("indicators", name, Mention(where, where + len(name), name))
            label_span = (where, where + len(name))
        fact = Fact(q, kind, period, region, indicator, compared, label_span)
        if kind == "target":
            fact.relation = relation_of(given, q)
        if period_cue:
            fact.comments["period"] = period_cue
        attribute(given, fact)
        facts.append(fact)
        previous = fact
    separate_duplicates(text, facts, index)
    return facts, skipped


# -- commitments without a number -----------------------------------------------------------------


@dataclass
class Commitment:
    """``commitments:`` of docs/curation.md: a relation to a program, quoted from verb to name."""

    relation: str
    program: Entity
    period: str
    region: str
    quote: Mention
    agency: Entity | None = None
    stated_by: Entity | None = None
    comments: dict[str, str] = field(default_factory=dict)


def find_commitments(given: FactInput, index: EntityIndex, publisher: Entity) -> list[Commitment]:
    """A verb of commitment (落实, 守住 …) right before a drafted program's name, in a passage of
    plans; the period of its time words (else the report's year), the speaker or else the publisher."""
    text, body, vocab = given.text, given.text.text, given.vocab
    names = sorted(
        (
            (name, program)
            for program in index["programs"]
            for name in {program.label, program.mention.text, *program.alt}
        ),
        key=lambda pair: -len(pair[0]),
    )
    found: list[Commitment] = []
    taken: set[int] = set()
    for relation, verbs in given.lex.commitment_verbs:
        if not vocab.has("relation", relation):
            continue
        for match in re.finditer(regex_union(verbs), body):
            after = match.end() + (1 if body[match.end() : match.end() + 1] in "“《" else 0)
            if match.start() in taken or not planned(given, match.start()):
                continue
            named = next(((n, p) for n, p in names if len(n) >= 2 and body.startswith(n, after)), None)
            if named is None or any(c.program is named[1] and c.relation == relation for c in found):
                continue
            taken.update(range(match.start(), match.end()))
            end = after + len(named[0]) + (1 if body[after + len(named[0]) : after + len(named[0]) + 1] in "”》" else 0)
            sentence_start, _ = text.sentence(match.start())
            markers = [m for m in period_markers(given, sentence_start, match.start()) if m[1].isdigit()]
            period = markers[-1][1] if markers else str(given.ctx.year)
            commitment = Commitment(relation, named[1], period, given.ctx.default_region,
                                    Mention(match.start(), end, body[match.start() : end]))  # fmt: skip
            if not markers:
                commitment.comments["period"] = "check: a plan with no year; the report's year assumed"
            speaker = _speaker(given, match.start())
            if speaker is not None and speaker.posts:
                commitment.stated_by, commitment.agency = speaker, speaker.posts[-1].fields["agency"]
            else:
                commitment.agency = publisher
                commitment.comments["agency"] = "check: the text names no one; the publisher is recorded"
            found.append(commitment)
    return sorted(found, key=lambda c: c.quote.start)


def _speaker(given: FactInput, position: int) -> Entity | None:
    """The official speaking in the sentence of ``position``, or opening its paragraph."""
    text = given.text
    sentence_start, sentence_end = text.sentence(position)
    paragraph_start, _ = text.paragraph(position)
    _, first_end = text.sentence(paragraph_start)
    in_sentence = (s.official for s in given.speakers if sentence_start <= s.start < sentence_end)
    opening = (
        s.official for s in given.speakers if paragraph_start <= s.start < first_end and s.start - paragraph_start < 40
    )
    return next(in_sentence, None) or next(opening, None)


# -- not facts ------------------------------------------------------------------------------------


def _window(text: Text, start: int, end: int) -> tuple[int, int]:
    body = text.text
    span = text.inside(start, end)
    if span:
        return span.start + 1, span.end - 1
    for pattern in (DATE, YEAR):
        for match in pattern.finditer(body, max(0, start - 12), min(len(body), end + 12)):
            if match.start() <= start and end <= match.end():
                return match.start(), match.end()
    if body.startswith("百分点", start):
        return start, start + 3
    lo = start - 1 if start > 0 and is_cjk(body[start - 1]) else start
    hi = end + 1 if end < len(body) and is_cjk(body[end]) else end
    if hi - lo == end - start:  # 一、 （二）
        lo = start - 1 if start > 0 and not body[start - 1].isspace() else start
        hi = end + 1 if end < len(body) and not body[end].isspace() else end
    return lo, hi


def not_facts(text: Text, facts: list[Fact], skipped: dict[tuple[int, int], str]) -> list[tuple[str, str, int | None]]:
    """Each numeral that is not a fact, as a short phrase around it with a guessed reason. A
    phrase covers all its occurrences, unless one holds a fact's numeral: then occurrence: N."""
    body = text.text
    fact_numerals = {n for f in facts for n in f.quantity.numerals}
    windows: list[list[Any]] = []
    for (start, end), reason in sorted(skipped.items()):
        if (start, end) in fact_numerals:
            continue
        if reason == TITLE_REPEATS:
            lo, hi = start, end
        elif reason.startswith(COUNTER_REASON):  # 386公里, 3600余人次
            counter = reason[len(COUNTER_REASON) :].split(":")[0]
            lo, hi = start, body.index(counter, end) + len(counter)
        else:
            lo, hi = _window(text, start, end)
        if windows and lo < windows[-1][1] and windows[-1][2] == reason and not text.inside(lo, hi):
            windows[-1][1] = max(windows[-1][1], hi)
        else:
            windows.append([lo, hi, reason])
    entries: dict[str, tuple[str, list[int]]] = {}
    for lo, hi, reason in windows:
        entries.setdefault(body[lo:hi], (reason, []))[1].append(lo)
    result: list[tuple[str, str, int | None]] = []
    for phrase, (reason, starts) in entries.items():
        occurrences = text.occurrences(phrase)
        clash = any(s <= n[0] < s + len(phrase) for s in occurrences for n in fact_numerals)
        if clash:
            for start in sorted(set(starts)):
                result.append((phrase, reason, occurrences.index(start) + 1))
        else:
            result.append((phrase, reason, None))
    return result
