"""Agencies, officials and their posts, documents and programs named in the text.

Each finder is a function of its explicit inputs (the text, the context, the lexicon, the
vocabularies, what it needs of the earlier finders) that adds what it finds to an
:class:`EntityIndex`, the one place where a label seen twice becomes one entity.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kg.authoring.draft.context import LEVELS, Context
from kg.authoring.draft.identity import TODO_LABEL, KnownEntity, KnownGraph
from kg.authoring.draft.lexicon import Lexicon, regex_union
from kg.authoring.draft.text import CJK_RANGE, CLAUSE_DELIMITERS, Mention, Text, is_cjk
from kg.numbers import CHINESE_DIGITS
from kg.vocabularies import Vocabularies

SECTIONS = ("agencies", "officials", "documents", "programs", "indicators", "posts")


@dataclass
class Suggestion:
    """An English label proposed by the draft, and where it comes from."""

    text: str
    origin: str


@dataclass
class Entity:
    section: str
    label: str  # Chinese label
    mention: Mention  # the occurrence quoted
    fields: dict[str, Any] = field(default_factory=dict)  # kind, parent, type, issuer, role, agency …
    alt: list[str] = field(default_factory=list)
    known: KnownEntity | None = None
    id: str = ""
    comments: dict[str, str] = field(default_factory=dict)  # field -> end-of-line comment
    posts: list[Entity] = field(default_factory=list)
    en: Suggestion | None = None


@dataclass(frozen=True)
class AgencyMention:
    mention: Mention
    agency: Entity


@dataclass(frozen=True)
class Speaker:
    start: int
    end: int
    official: Entity


class EntityIndex:
    """The entities of the draft by section: the same label (or the same known entity) is one entity."""

    def __init__(self, known: KnownGraph):
        self.known = known
        self.sections: dict[str, list[Entity]] = {s: [] for s in SECTIONS}

    def __getitem__(self, section: str) -> list[Entity]:
        return self.sections[section]

    def add(
        self, section: str, label: str, mention: Mention, known: KnownEntity | None, alias: bool = True, **fields: Any
    ) -> Entity:
        """The entity with this label (or known id), created or extended with ``mention``, whose
        words become an alias unless ``alias`` is false (习近平总书记 implies 中共中央)."""
        for entity in self.sections[section]:
            if (known and entity.known and entity.known.id == known.id) or entity.label == label or label in entity.alt:
                if alias and mention.text != entity.label and mention.text not in entity.alt and not entity.known:
                    entity.alt.append(mention.text)
                if len(mention.text) > len(entity.mention.text) and section == "agencies":
                    entity.mention = mention
                return entity
        entity = Entity(section, label, mention, dict(fields), known=known)
        if alias and not known and mention.text != label:
            entity.alt.append(mention.text)
        self.sections[section].append(entity)
        return entity

    def add_known(self, section: str, label: str, mention: Mention, *names: str, **fields: Any) -> Entity:
        """Like :meth:`add`, matching ``label`` (and ``names``) against the known graph."""
        return self.add(section, label, mention, self.known.find(section, label, *names), **fields)


# -- agencies -------------------------------------------------------------------------------------


def _agency_end(text: str, body_start: int, lex: Lexicon, ctx: Context) -> int | None:
    best = None
    limit = min(len(text), body_start + 14)
    position = body_start
    while position < limit:
        ch = text[position]
        # 平遥县第十八届人民代表大会: a session number inside the name
        session = re.match(rf"第[{CHINESE_DIGITS}]+届", text[position : position + 8])
        if session and text.startswith("人民代表大会", position + session.end()):
            position += session.end()
            limit += session.end()
            continue
        if not is_cjk(ch) or ch in CHINESE_DIGITS:
            break
        if position > body_start and any(text.startswith(w, position) for w in lex.agency_breaks):
            break
        if ch == "和" and position > body_start and _starts_agency(text, position + 1, ctx):
            break
        for suffix in lex.agency_suffixes:
            if text.startswith(suffix, position):
                end = position + len(suffix)
                if end < len(text) and text[end] in lex.not_after_suffix:
                    continue
                if len(suffix) == 1 and text[max(body_start, end - 2) : end] in lex.not_agency_endings:
                    continue
                best = end
                break
        position += 1
    return best


def _starts_agency(text: str, position: int, ctx: Context) -> bool:
    rest = text[position : position + 8]
    return rest[:1] in LEVELS or rest.startswith(("中共", "国家")) or any(rest.startswith(p) for p in ctx.place_names)


def _agency_starts(text: str, ctx: Context, lex: Lexicon) -> Iterator[tuple[int, int]]:
    """(start, body start) of every place where an agency name may begin."""
    for position in range(len(text)):
        if text.startswith(("中共", "国家"), position):
            if not text.startswith("国家级", position):
                yield position, position + 2
            continue
        place = next((p for p in ctx.place_names if text.startswith(p, position)), None)
        if place:
            yield position, position + len(place)
            continue
        if text[position] in LEVELS and (position == 0 or text[position - 1] not in lex.not_before_level):
            yield position, position + 1


def expand(name: str, ctx: Context) -> str:
    """省农业农村厅 -> 山西省农业农村厅, 省委 -> 中共山西省委 when the report's province is known."""
    if name and name[0] in LEVELS and name[0] in ctx.places:
        name = ctx.places[name[0]] + name[1:]
    for place in ctx.place_names:
        if name.startswith(place) and place[-1] in LEVELS:
            rest = name[len(place) :]
            if rest.startswith("委"):
                return "中共" + name
            if rest == "政府":
                return place + "人民政府"
            break
    return name


def known_agency(known: KnownGraph, name: str, full: str, ctx: Context) -> KnownEntity | None:
    found = known.find("agencies", full)
    if found or full == name:
        return found
    found = known.find("agencies", name)
    if found is None:
        return None
    # an abbreviation (省委) is only the known one if that one is of this report's place
    place = ctx.places.get(name[0], "")
    stem = place[:-1] if place else ""
    if not stem or any(stem in label for label in found.labels()):
        return found
    return None


def agency_kind(name: str, ctx: Context, lex: Lexicon, vocab: Vocabularies) -> str:
    stripped = name
    for place in ctx.place_names:
        if stripped.startswith(place):
            stripped = stripped[len(place) :]
            break
    if name.startswith(("中共", "中国共产党", "党中央")) or re.match(r"^[省市县]?委", stripped):
        kind = "party"
    elif name.endswith(lex.zone_endings):
        kind = "zone"
    elif name.endswith(lex.society_endings):
        kind = "society"
    else:
        kind = "government"
    return vocab.pick("agency-kind", kind, "government") or kind


def add_agency(index: EntityIndex, mention: Mention, ctx: Context, lex: Lexicon, vocab: Vocabularies) -> Entity:
    name = mention.text
    full = re.sub(rf"第[{CHINESE_DIGITS}]+届", "", expand(name, ctx))  # the congress, not its session
    known = known_agency(index.known, name, full, ctx)
    return index.add("agencies", full, mention, known, kind=agency_kind(full, ctx, lex, vocab))


def find_agencies(
    text: Text, ctx: Context, lex: Lexicon, vocab: Vocabularies, index: EntityIndex
) -> list[AgencyMention]:
    body = text.text
    found: list[Mention] = []
    for name in lex.central_agencies:
        found += [Mention(s, s + len(name), name) for s in text.occurrences(name)]
    covered_until = -1
    for start, body_start in _agency_starts(body, ctx, lex):
        if start < covered_until or any(m.start <= start < m.end for m in found):
            continue
        end = _agency_end(body, body_start, lex, ctx)
        if end is None:
            continue
        name = body[start:end]
        short_ok = len(name) >= 2 and name[0] in LEVELS and name[1:] in ("委", "政府")
        if len(name) < 3 and not short_ok:
            continue
        if name.startswith(("中共", "国家")) and end - body_start < 2:
            continue
        found.append(Mention(start, end, name))
        covered_until = end
    return [AgencyMention(m, add_agency(index, m, ctx, lex, vocab)) for m in sorted(found, key=lambda m: m.start)]


def find_publisher(
    index: EntityIndex, agencies: list[AgencyMention], ctx: Context, lex: Lexicon, vocab: Vocabularies
) -> tuple[Entity, AgencyMention | None]:
    """The agency named after 来源: (and its mention when it is new), else a government, else the first."""
    source = ctx.source_name
    if source is not None:
        for found in agencies:
            if found.mention.start == source.start:
                return found.agency, None
        entity = add_agency(index, source, ctx, lex, vocab)
        return entity, AgencyMention(source, entity)
    for entity in index["agencies"]:
        if entity.label.endswith("政府"):
            return entity, None
    if index["agencies"]:
        return index["agencies"][0], None
    entity = Entity("agencies", TODO_LABEL, ctx.title, {"kind": vocab.pick("agency-kind", "government")})
    entity.comments["label"] = "no agency found in the text: name the publisher"
    index["agencies"].append(entity)
    return entity, None


def agency_parents(index: EntityIndex, ctx: Context) -> None:
    """parent: the agency whose name begins this one's (省财政厅 of 省财政厅农业农村处), else the
    government (or party committee) of its place (山西省人民政府 of 山西省农业农村厅)."""
    agencies = index["agencies"]
    for entity in agencies:
        if entity.known or "parent" in entity.fields:
            continue
        label = entity.label
        parents = [a for a in agencies if a is not entity and len(a.label) < len(label) and label.startswith(a.label)]
        if parents:
            entity.fields["parent"] = max(parents, key=lambda a: len(a.label))
            continue
        place = next((p for p in ctx.place_names if label.startswith(p)), "")
        if not place or label in (place + "人民政府", place + "政府", place + "委", "中共" + place + "委"):
            continue
        if "政协" in label or "人大" in label:
            continue
        if entity.fields.get("kind") == "party":
            candidates = ("中共" + place + "委", place + "委")
        else:
            candidates = (place + "人民政府", place + "政府")
        parent = next((a for a in agencies if a.label in candidates or set(a.alt) & set(candidates)), None)
        if parent and parent is not entity:
            entity.fields["parent"] = parent


# -- officials ------------------------------------------------------------------------------------


def _name_after(text: str, position: int, lex: Lexicon) -> str | None:
    if position < len(text) and text[position] in " \u3000":
        position += 1
    for size in (2, 3):
        name = text[position : position + size]
        if len(name) < size or not all(is_cjk(c) and c not in CHINESE_DIGITS for c in name):
            continue
        if name[0] not in lex.surnames or any(w in name for w in ("书记", "主任", "局长", "厅长")):
            continue
        after = text[position + size : position + size + 8]
        follows = after.startswith(lex.speech_verbs) and not after.startswith(lex.not_saying)
        if not after or after[0] in CLAUSE_DELIMITERS or after[0] in " \u3000" or follows:
            return name
    return None


def _name_before(text: str, position: int, lex: Lexicon, known: KnownGraph) -> str | None:
    for name in known.officials():
        if position >= len(name) and text[position - len(name) : position] == name:
            return name
    for size in (3, 2):
        name = text[position - size : position]
        if len(name) == size and name[0] in lex.surnames and all(is_cjk(c) for c in name):
            return name
    return None


def role_id(role: str, lex: Lexicon, vocab: Vocabularies) -> tuple[str, str | None]:
    """The roles.ttl id of a title, and a comment when it is an approximation."""
    for slug, names in vocab.names.get("role", {}).items():
        for name in names:
            if role in re.split(r"[、,，/]", name):
                return slug, None
    official = vocab.pick("role", "official") or "official"
    if role.startswith("副") or role in lex.minor_roles:
        return official, f"check: {role} has no role of its own in roles.ttl"
    if role == "总书记":
        return vocab.pick("role", "general-secretary", "official") or official, None
    if role.endswith("书记"):
        return vocab.pick("role", "party-secretary", "official") or official, None
    if role.endswith("主任"):
        return vocab.pick("role", "director", "official") or official, None
    if role.endswith("长"):
        return vocab.pick("role", "head", "official") or official, None
    return official, f"check: {role} has no role of its own in roles.ttl"


Chain = list[tuple[Mention | None, str, int, int]]  # (agency mention, role, role start, role end)


def _agency_at(agencies: list[AgencyMention], end: int) -> AgencyMention | None:
    return next((a for a in agencies if a.mention.end == end), None)


def _chain(text: str, role_start: int, role: str, agencies: list[AgencyMention], lex: Lexicon) -> Chain:
    """[(agency mention or None, role, role start, role end)] of 省委农办主任、省农业农村厅党组书记、厅长."""
    chain: Chain = []
    start, current = role_start, role
    while True:
        agency = _agency_at(agencies, start)
        chain.insert(0, (agency.mention if agency else None, current, start, start + len(current)))
        left = agency.mention.start if agency else start
        if left == 0 or text[left - 1] != "、":
            break
        previous = next(
            (r for r in lex.role_words if left - 1 >= len(r) and text[left - 1 - len(r) : left - 1] == r), None
        )
        if previous is None:
            break
        start, current = left - 1 - len(previous), previous
    return chain


@dataclass(frozen=True)
class OfficialsInput:
    """What finding officials needs of the steps before it."""

    text: Text
    ctx: Context
    lex: Lexicon
    vocab: Vocabularies
    agencies: list[AgencyMention]


def _post_agency(
    given: OfficialsInput, index: EntityIndex, mention: Mention | None, role: str, official: Entity, at: int
) -> Entity | None:
    if mention is not None:
        return next(a.agency for a in given.agencies if a.mention is mention)
    if role == "总书记":
        # 习近平总书记: the General Secretary of the CPC Central Committee, implied
        quote = Mention(at, at + len(official.label) + len(role), official.label + role)
        known = index.known.find("agencies", "中共中央")
        return index.add(
            "agencies", "中共中央", quote, known, alias=False, kind=given.vocab.pick("agency-kind", "party")
        )
    level = given.lex.level_heads.get(role)
    if level:
        for entity in index["agencies"]:
            if entity.label in (given.ctx.places.get(level, "?") + "人民政府", level + "人民政府"):
                return entity
    return None


def _official_with_chain(given: OfficialsInput, index: EntityIndex, name: str, name_start: int, chain: Chain) -> Entity:
    text = given.text.text
    official = index.add_known("officials", name, Mention(name_start, name_start + len(name), name))
    current_agency: Mention | None = None
    for number, (agency_mention, role, role_start, role_end) in enumerate(chain):
        if agency_mention is not None:
            current_agency = agency_mention
        agency = _post_agency(given, index, current_agency, role, official, name_start)
        if agency is None:
            continue
        if agency_mention is not None:
            quote = Mention(agency_mention.start, role_end, text[agency_mention.start : role_end])
        elif number == len(chain) - 1 and name_start < role_start:
            quote = Mention(name_start, role_end, text[name_start:role_end])
        elif number == len(chain) - 1:
            quote = Mention(role_start, name_start + len(name), text[role_start : name_start + len(name)])
        else:
            quote = Mention(role_start, role_end, role)
        written = (current_agency.text if current_agency else agency.label) + role
        if role == "总书记" and current_agency is None:
            written = agency.label + role
        role_slug, comment = role_id(role, given.lex, given.vocab)
        known_post = index.known.find("posts", written, expand(written, given.ctx))
        if any(p.label == written for p in official.posts):
            continue
        post = Entity("posts", written, quote, {"role": role_slug, "agency": agency}, known=known_post)
        if comment:
            post.comments["role"] = comment
        official.posts.append(post)
    return official


def find_officials(given: OfficialsInput, index: EntityIndex) -> list[Speaker]:
    """Officials with their posts (a title chain before the name); the officials who speak."""
    text, lex = given.text.text, given.lex
    taken: list[tuple[int, int]] = []
    speakers: list[Speaker] = []
    position = 0
    while position < len(text):
        role = next((r for r in lex.role_words if text.startswith(r, position)), None)
        if role is None:
            position += 1
            continue
        role_end = position + len(role)
        name = _name_after(text, role_end, lex)
        if role == "总书记" and _agency_at(given.agencies, position) is None:
            name_before = _name_before(text, position, lex, index.known)
            if name_before:
                chain: Chain = [(None, role, position, role_end)]
                _official_with_chain(given, index, name_before, position - len(name_before), chain)
            position = role_end
            continue
        if name is None:
            position = role_end
            continue
        chain = _chain(text, position, role, given.agencies, lex)
        name_start = role_end + (1 if text[role_end] in " \u3000" else 0)
        official = _official_with_chain(given, index, name, name_start, chain)
        taken.append((name_start, name_start + len(name)))
        if lex.says(text, name_start + len(name)):
            speakers.append(Speaker(chain[0][2], name_start + len(name), official))
        position = role_end
    # later mentions: 张玉宏表示, 张玉宏说, “…”张玉宏这样说
    for official in index["officials"]:
        for start in given.text.occurrences(official.label):
            end = start + len(official.label)
            if lex.says(text, end) and not any(s <= start < e for s, e in taken):
                speakers.append(Speaker(start, end, official))
    return speakers


# -- documents ------------------------------------------------------------------------------------


def document_type(title: str, lex: Lexicon, vocab: Vocabularies) -> str:
    stripped = re.sub(r"[(（][^)）]*[)）]$", "", title)
    for slug, endings in lex.document_types:
        if stripped.endswith(endings) and vocab.has("document-type", slug):
            return slug
    return vocab.pick("document-type", "policy-document") or "policy-document"


def find_documents(
    text: Text, lex: Lexicon, vocab: Vocabularies, index: EntityIndex, agencies: list[AgencyMention]
) -> None:
    body = text.text
    aliases: dict[str, str] = {}
    for match in re.finditer(r"《([^《》\n]+)》[(（]以下简称《([^《》\n]+)》[)）]", body):
        aliases[match.group(2)] = match.group(1)
    for span in text.protected:
        if span.kind != "title":
            continue
        title = body[span.start + 1 : span.end - 1]
        if title in aliases:
            continue
        mention = Mention(span.start, span.end, body[span.start : span.end])
        entity = index.add_known("documents", title, mention, type=document_type(title, lex, vocab))
        if entity.mention is not mention:
            continue
        entity.alt = [a for a in entity.alt if a != mention.text]
        for alias, full in aliases.items():
            if full == title and alias not in entity.alt:
                entity.alt.append(alias)
        issuer = next((a.agency for a in agencies if a.mention.start == span.start + 1), None)
        if issuer:
            entity.fields["issuer"] = issuer
    # 中央一号文件
    for match in re.finditer(rf"中央[{CHINESE_DIGITS}\d]+号文件", body):
        if text.inside(match.start(), match.end()):
            continue
        mention = Mention(match.start(), match.end(), match.group())
        entity = index.add_known("documents", match.group(), mention, type=document_type(match.group(), lex, vocab))
        issuer = next((e for e in index["agencies"] if e.label in ("中共中央", "党中央")), None)
        if issuer and "issuer" not in entity.fields:
            entity.fields["issuer"] = issuer
    # counted groups: 等16个重要政策文件, 38项贯彻落实意见或实施方案
    doc_noun = rf"[{CJK_RANGE}]{{0,10}}?(?:{regex_union(lex.document_group_nouns)})"
    for match in re.finditer(rf"(等)?(\d+)(个|项|份|件)({doc_noun})(?![{CJK_RANGE}])", body):
        label = f"{match.group(4)}({match.group(2)}{match.group(3)})"
        mention = Mention(match.start(), match.end(), match.group())
        group = index.add(
            "documents", label, mention, index.known.find("documents", label), alias=False,
            type=vocab.pick("document-type", "policy-document"),
        )  # fmt: skip
        if match.group(1):  # the documents named just before 等 are part of the group
            position = match.start()
            while position > 0 and body[position - 1] == "》":
                title_span = next((s for s in text.protected if s.end == position and s.kind == "title"), None)
                if title_span is None:
                    break
                member = next((d for d in index["documents"] if d.mention.start == title_span.start), None)
                if member and member is not group:
                    member.fields["part_of"] = group
                position = title_span.start
    # 发布地方标准 (and the region's own nouns: 纳入年度实施计划)
    verbs = regex_union(lex.named_after_verbs)
    nouns = regex_union(lex.named_nouns)
    pattern = rf"(?:{verbs})[{CJK_RANGE}]{{0,2}}?((?:“[^“”\n]{{1,20}}”)?[{CJK_RANGE}]{{0,10}}?(?:{nouns}))"
    for match in re.finditer(pattern, body):
        start = match.start(1)
        label = match.group(1)
        if not label or text.inside(start, match.end(1), "title") or label[0] in CHINESE_DIGITS:
            continue
        if label.startswith(("全省", "全县")):
            start += 2
            label = label[2:]
        mention = Mention(start, start + len(label), label)
        index.add("documents", label, mention, index.known.find("documents", label), alias=False,
                  type=document_type(label, lex, vocab))  # fmt: skip


# -- programs -------------------------------------------------------------------------------------


def program_kind(name: str, lex: Lexicon, vocab: Vocabularies, following: str = "") -> str:
    name = name.strip("“”")
    for slug, endings in lex.program_kinds:
        if (name.endswith(endings) or following.startswith(endings)) and vocab.has("program-kind", slug):
            return slug
    return vocab.pick("program-kind", "policy-principle") or "policy-principle"


def _members(text: Text, lex: Lexicon, index: EntityIndex, group: Entity, end: int) -> None:
    """The named members listed just before a group (农村道路通畅、供水保障…五大工程): programs
    whose parent is the group."""
    body = text.text
    if body[end - 1 : end] == "等":
        end -= 1
    start, _ = text.bounds(end - 1, CLAUSE_DELIMITERS - {"、"}) if end > 0 else (0, 0)
    items = re.split("[、和及与]", body[start:end])
    if len(items) < 2:
        return
    position = start
    verbs = rf"^(?:{regex_union(lex.member_adverbs)})?(?:{regex_union(lex.member_verbs)})"
    for item in items:
        item_start = position
        position += len(item) + 1
        verb = re.match(verbs, item)
        if verb and len(item) - verb.end() >= 2:
            item, item_start = item[verb.end() :], item_start + verb.end()
        if not 2 <= len(item) <= 12 or not all(is_cjk(c) for c in item) or any(c in CHINESE_DIGITS for c in item):
            continue
        mention = Mention(item_start, item_start + len(item), item)
        member = index.add_known("programs", item, mention, kind=group.fields.get("kind"))
        if member is not group and not member.known:
            member.fields.setdefault("parent", group)


def find_programs(text: Text, lex: Lexicon, vocab: Vocabularies, index: EntityIndex) -> None:
    body = text.text
    document_spans = [(d.mention.start, d.mention.end) for d in index["documents"]]
    after_name = regex_union(lex.after_quoted_name)
    extension = regex_union(lex.quoted_name_nouns)
    for span in text.protected:
        if span.kind != "quote" or any(s <= span.start < e for s, e in document_spans):
            continue
        start, end = span.start, span.end
        name = body[start:end]
        following = body[end : end + 8]
        doc_following = re.match(rf"[^\W\d的_]{{0,10}}?(?:{after_name})(?![{CJK_RANGE}])", following)
        if doc_following:
            label = name + doc_following.group()
            mention = Mention(start, end + len(doc_following.group()), label)
            index.add_known("documents", label, mention, type=document_type(label, lex, vocab))
            continue
        # “晋”字号农产品品牌, “六乱”整治百日攻坚专项行动: the name goes on to its noun
        extended = re.match(rf"[{CJK_RANGE}]{{0,12}}?(?:{extension})", following)
        if extended and (len(name) <= 4 or body[end : end + 1] not in "的"):
            label = name + extended.group()
            mention = Mention(start, end + len(extended.group()), label)
        else:
            label, mention = name, Mention(start, end, name)
        known = index.known.find("programs", label, name, name.strip("“”"))
        index.add("programs", label, mention, known, kind=program_kind(label, lex, vocab, following))
    # 五大工程, 十大产业集群 (the count is a fact as well)
    suffix = regex_union(lex.program_group_nouns)
    for match in re.finditer(rf"(?<!第)([三四五六七八九十]{{1,2}})大([{CJK_RANGE}]{{0,8}}?(?:{suffix}))", body):
        if text.inside(match.start(), match.end()):
            continue
        label = match.group()
        mention = Mention(match.start(), match.end(), label)
        group = index.add_known("programs", label, mention, kind=program_kind(label, lex, vocab))
        _members(text, lex, index, group, match.start())
    _named_programs(text, lex, vocab, index, document_spans)
    _industries(text, lex, vocab, index)
    # 健全…机制, 实施乡村建设行动, 叫响…品牌, 创建4个乡村振兴示范县
    verbs = regex_union(lex.program_verbs)
    nouns = regex_union(lex.program_nouns)
    pattern = rf"(?:{verbs})(?:\d+(?:个|家|项))?([{CJK_RANGE}]{{2,20}}?(?:{nouns}))(?![{CJK_RANGE}]*?(?:{nouns}))"
    for match in re.finditer(pattern, body):
        label = match.group(1)
        start = match.start(1)
        while (verb := re.match(verbs, label)) and len(label) - verb.end() >= 4:
            label, start = label[verb.end() :], start + verb.end()
        if text.inside(start, match.end(1)) or any(c in CHINESE_DIGITS for c in label[:2]):
            continue
        if any(e.label == label for e in index["programs"]):
            continue
        mention = Mention(start, start + len(label), label)
        index.add_known("programs", label, mention, kind=program_kind(label, lex, vocab))


def _named_programs(
    text: Text, lex: Lexicon, vocab: Vocabularies, index: EntityIndex, document_spans: list[tuple[int, int]]
) -> None:
    """Programs of the lexicon's ``named`` list, quoted where the body first writes one of their
    forms (not in the title or a document's title)."""
    title_end = text.title().end
    for name, kind, forms in lex.named_programs:
        if not vocab.has("program-kind", kind) or any(e.label == name for e in index["programs"]):
            continue
        pattern = regex_union(forms)
        for match in re.finditer(pattern, text.text):
            if match.start() < title_end or any(s <= match.start() < e for s, e in document_spans):
                continue
            if text.inside(match.start(), match.end()):
                continue
            index.add_known(
                "programs", name, Mention(match.start(), match.end(), match.group()), match.group(), kind=kind
            )
            break


def _industries(text: Text, lex: Lexicon, vocab: Vocabularies, index: EntityIndex) -> None:
    """木耳产业提质增效。 (a headline sentence opening a paragraph); 茶叶、咖啡、花卉等重点产业 (a
    group of industries and its members)."""
    if not lex.industry_nouns or not vocab.has("program-kind", "industry-cluster"):
        return
    body, nouns = text.text, regex_union(lex.industry_nouns)
    cjk = CJK_RANGE
    for match in re.finditer(rf"(?m)^[ \u3000]*([{cjk}]{{2,4}}(?:{nouns}))[{cjk}]{{2,6}}。", body):
        label = match.group(1)
        index.add_known("programs", label, Mention(match.start(1), match.end(1), label), kind="industry-cluster")
    for match in re.finditer(rf"((?:[{cjk}]{{2,6}}、)+[{cjk}]{{2,6}})等(?:\d+个)?([{cjk}]{{2,8}}?(?:{nouns}))", body):
        if text.inside(match.start(), match.end()):
            continue
        label = match.group(2)
        group = index.add_known(
            "programs", label, Mention(match.start(2), match.end(2), label), kind="industry-cluster"
        )
        position = match.start(1)
        for item in match.group(1).split("、"):
            start, position = position, position + len(item) + 1
            if any(c in CHINESE_DIGITS for c in item):
                continue
            name = item if item.endswith(tuple(lex.industry_nouns)) else item + lex.industry_nouns[0]
            member = index.add_known(
                "programs", name, Mention(start, start + len(item), item), item, kind="industry-cluster"
            )
            if member is not group and not member.known:
                member.fields.setdefault("parent", group)
