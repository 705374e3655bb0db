"""The draft as a curated data file (docs/curation.md): YAML with a comment on every guess.

A known entity (already curated in a report of the data folder) is written with its id, its
labels and the required fields only: its aliases, parent and notes are in the graph already,
from the report that curated it. A new entity's English label is a suggestion, written with
``suggested: {en: <origin>}`` until a person has reviewed it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from kg.authoring.draft.context import Context
from kg.authoring.draft.entities import Entity, EntityIndex, Suggestion
from kg.authoring.draft.facts import Commitment, Fact
from kg.authoring.draft.identity import TODO_LABEL
from kg.authoring.draft.text import CLAUSE_DELIMITERS, Text

HEADER = """Draft of the curated data of report {id}, written by `kg draft` from {name} on {today}.
Format: docs/curation.md. Every candidate was found automatically: check each one against the
text, delete what is wrong, add what is missing. English labels are suggestions marked
`suggested: {{en: <origin>}}` (a curated report, data/lexicons/glossary.tsv, pinyin, CC-CEDICT):
check each, then delete its `suggested:` line (`kg validate` lists those left, `kg build --strict`
refuses them); replace every `en: TODO` (kg build refuses TODO labels). `# known`: the id and
labels of an entity already in the graph (data/reports); `# new`: a provisional id made from the
Chinese label: rename it to an English slug. Values are normalised numbers (value: 12500 for
1.25万元); `relation:` says how a target is meant; `# check:` marks a guess."""


def number(value: Decimal) -> int | float:
    """A YAML number equal to ``value`` (compile compares ``Decimal(str(value))``)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def flow(mapping: CommentedMap) -> CommentedMap:
    mapping.fa.set_flow_style()
    return mapping


@dataclass(frozen=True)
class Draft:
    """Everything the draft found, ready to be written."""

    text: Text
    ctx: Context
    index: EntityIndex
    publisher: Entity
    facts: list[Fact]
    not_facts: list[tuple[str, str, int | None]]
    title_en: Suggestion | None
    data_dir: Path
    commitments: list[Commitment] = field(default_factory=list)


def _shown_path(path: Path, data_dir: Path) -> str:
    """data/reports/<id>/report.yaml: the known file, relative to the data directory's parent."""
    try:
        return path.resolve().relative_to(data_dir.resolve().parent).as_posix()
    except ValueError:
        return str(path)


def _label(zh: str, en: Suggestion | None, known_en: str | None = None) -> CommentedMap:
    return flow(CommentedMap([("zh", zh), ("en", known_en or (en.text if en else TODO_LABEL))]))


def _entry(draft: Draft, entity: Entity, fields: Iterable[tuple[str, Any]]) -> CommentedMap:
    node = CommentedMap()
    node["id"] = entity.id
    known = entity.known
    if known:
        node["label"] = _label(known.label("zh") or entity.label, None, known.label("en"))
    else:
        node["label"] = _label(entity.label, entity.en)
        if entity.en is not None:
            node["suggested"] = flow(CommentedMap([("en", entity.en.origin)]))
        names = [a for a in dict.fromkeys(entity.alt) if a != entity.label]
        if names:
            seq = CommentedSeq(names)
            seq.fa.set_flow_style()
            node["alt"] = flow(CommentedMap([("zh", seq)]))
    for name, value in fields:
        if value is not None:
            node[name] = value
    node["quote"] = entity.mention.text
    occurrence = draft.text.occurrence(entity.mention.text, entity.mention.start)
    if occurrence is not None:
        node["occurrence"] = occurrence
    if known:
        node.yaml_add_eol_comment(f"known ({_shown_path(known.path, draft.data_dir)})", "id")
    else:
        node.yaml_add_eol_comment("new", "id")
    for name, comment in entity.comments.items():
        if name in node:
            node.yaml_add_eol_comment(comment, name)
    return node


def _known_field(entity: Entity, name: str) -> Any:
    value = entity.known.data.get(name) if entity.known else None
    return str(value) if value else entity.fields.get(name)


def _ref(value: Any) -> str | None:
    return value.id if isinstance(value, Entity) else None


def _report(draft: Draft) -> CommentedMap:
    ctx, title = draft.ctx, draft.ctx.title
    report = CommentedMap()
    report["id"] = ctx.report_id
    report["text"] = ctx.text_name
    report["title"] = _label(title.text, draft.title_en)
    if draft.title_en is not None:
        report["suggested"] = flow(CommentedMap([("en", draft.title_en.origin)]))
    report["issued"] = ctx.issued
    if ctx.issued_comment:
        report.yaml_add_eol_comment(ctx.issued_comment, "issued")
    report["publisher"] = draft.publisher.id
    report["quote"] = title.text
    occurrence = draft.text.occurrence(title.text, title.start)
    if occurrence is not None:
        report["occurrence"] = occurrence
    return report


def _fact_quote(text: Text, fact: Fact, start: int, end: int) -> tuple[str, int | None]:
    """A unique quote around the amount, in which the amount's first occurrence is this one:
    the words naming it and the amount (入库项目261个, 16个重要政策文件), else its clause."""
    q, body = fact.quantity, text.text
    amount = body[q.start : q.end]
    clause_start, clause_end = text.clause(start)
    wide_start, wide_end = text.bounds(start, CLAUSE_DELIMITERS - {"、"})
    label = fact.label_span
    if label and label[0] >= start:
        lo = start
    elif label and label[1] <= start and start - label[1] <= 4 and label[1] - label[0] <= 16:
        lo = label[0]
    elif start - clause_start <= 10:
        lo = clause_start
    else:
        lo = start - 4
    while lo > 0 and (body[lo - 1].isdigit() or body[lo - 1] == ".") and lo < start:
        lo -= 1  # 1.08万户2.71万人, not 08万户2.71万人
    if label and label[0] >= start and label[0] - end <= 1 and label[1] - end <= 14:
        hi = label[1]
    elif lo == start:
        hi = min(clause_end, end + 6)
    else:
        hi = end
    candidates = [(lo, hi), (min(lo, clause_start), hi), (lo, max(hi, clause_end)), (min(lo, wide_start), hi),
                  (min(lo, wide_start), max(hi, wide_end))]  # fmt: skip
    for a, b in candidates:
        quote = body[a:b]
        if len(text.occurrences(quote)) == 1 and body.find(amount, a) == q.start:
            return quote, None
    for a, b in candidates:
        if body.find(amount, a) == q.start:
            quote = body[a:b]
            return quote, text.occurrence(quote, a)
    quote = body[start:end]
    return quote, text.occurrence(quote, start)


def _fact_entry(draft: Draft, fact: Fact, number_: int) -> CommentedMap:
    q, body = fact.quantity, draft.text.text
    node = CommentedMap()
    node["id"] = f"fact-{number_:02d}"
    node["indicator"] = fact.indicator.id
    node["type"] = fact.type
    if fact.relation:
        node["relation"] = fact.relation
    node["period"] = DoubleQuotedScalarString(fact.period) if fact.period.isdigit() else fact.period
    node["region"] = fact.region
    node["amount"] = body[q.start : q.end]
    node["value"] = number(q.value)
    node["unit"] = q.unit
    if q.qualifier:
        node["qualifier"] = q.qualifier
    if fact.compared_with:
        node["compared_with"] = DoubleQuotedScalarString(fact.compared_with)
    if fact.agency is not None:
        node["agency"] = fact.agency.id
    if fact.stated_by is not None:
        node["stated_by"] = fact.stated_by.id
    quote, occurrence = _fact_quote(draft.text, fact, fact.quote_start(), q.span_end)
    node["quote"] = quote
    if occurrence is not None:
        node["occurrence"] = occurrence
    for name, comment in {**q.comments, **fact.comments}.items():
        if name in node and comment:
            node.yaml_add_eol_comment(comment, name)
    return node


def _commitment_entry(draft: Draft, commitment: Commitment, number_: int) -> CommentedMap:
    node = CommentedMap()
    node["id"] = f"commitment-{number_:02d}"
    node["relation"] = commitment.relation
    node["program"] = commitment.program.id
    node["period"] = DoubleQuotedScalarString(commitment.period) if commitment.period.isdigit() else commitment.period
    node["region"] = commitment.region
    if commitment.agency is not None:
        node["agency"] = commitment.agency.id
    if commitment.stated_by is not None:
        node["stated_by"] = commitment.stated_by.id
    quote = commitment.quote
    node["quote"] = quote.text
    occurrence = draft.text.occurrence(quote.text, quote.start)
    if occurrence is not None:
        node["occurrence"] = occurrence
    for name, comment in commitment.comments.items():
        node.yaml_add_eol_comment(comment, name)
    return node


def _regions(draft: Draft) -> CommentedSeq:
    ctx, title = draft.ctx, draft.ctx.title
    regions = CommentedSeq()
    used = {f.region for f in draft.facts} | set(ctx.regions)
    for slug in sorted(used, key=lambda s: ctx.regions[s].start if s in ctx.regions else 10**9):
        node = CommentedMap()
        node["id"] = slug
        if slug in ctx.regions:
            mention = ctx.regions[slug]
            node["quote"] = mention.text
            occurrence = draft.text.occurrence(mention.text, mention.start)
        else:
            # the report's region is not named in the text as such: quote the title
            node["quote"] = title.text
            occurrence = draft.text.occurrence(title.text, title.start)
            node.yaml_add_eol_comment("check: the region is not named in the text", "quote")
        if occurrence is not None:
            node["occurrence"] = occurrence
        regions.append(node)
    return regions


def document(draft: Draft) -> CommentedMap:
    index = draft.index
    doc = CommentedMap()
    doc["report"] = _report(draft)
    doc["agencies"] = CommentedSeq(
        _entry(
            draft, e, [("kind", _known_field(e, "kind")), ("parent", None if e.known else _ref(e.fields.get("parent")))]
        )
        for e in index["agencies"]
    )
    officials = CommentedSeq()
    for official in index["officials"]:
        if not official.posts:
            continue
        node = _entry(draft, official, [])
        node["posts"] = CommentedSeq(
            _entry(draft, post, [("role", _known_field(post, "role")), ("agency", post.fields["agency"].id)])
            for post in official.posts
        )
        officials.append(node)
    if officials:
        doc["officials"] = officials
    documents = CommentedSeq(
        _entry(draft, e, [
            ("type", _known_field(e, "type")),
            ("issuer", _ref(e.fields.get("issuer"))),
            ("part_of", None if e.known else _ref(e.fields.get("part_of"))),
        ])
        for e in index["documents"]
    )  # fmt: skip
    if documents:
        doc["documents"] = documents
    programs = CommentedSeq()
    for entity in index["programs"]:
        parent = None if entity.known else _ref(entity.fields.get("parent"))
        programs.append(_entry(draft, entity, [("kind", _known_field(entity, "kind")), ("parent", parent)]))
    if programs:
        doc["programs"] = programs
    regions = _regions(draft)
    if regions:
        doc["regions"] = regions
    used = {id(f.indicator) for f in draft.facts}
    indicators = CommentedSeq(_entry(draft, e, []) for e in index["indicators"] if id(e) in used)
    if indicators:
        doc["indicators"] = indicators
    if draft.facts:
        doc["facts"] = CommentedSeq(_fact_entry(draft, f, n) for n, f in enumerate(draft.facts, start=1))
    if draft.commitments:
        doc["commitments"] = CommentedSeq(_commitment_entry(draft, c, n) for n, c in enumerate(draft.commitments, 1))
    if draft.not_facts:
        not_facts = CommentedSeq()
        for phrase, reason, occurrence in draft.not_facts:
            node = CommentedMap([("text", phrase)])
            if occurrence is not None:
                node["occurrence"] = occurrence
            node["reason"] = reason
            not_facts.append(node)
        doc["not_facts"] = not_facts
    rule = "-" * 93
    for key in doc:
        if key != "report":
            doc.yaml_set_comment_before_after_key(key, before="\n" + rule)
    return doc


def dump(doc: CommentedMap, header: str) -> str:
    doc.yaml_set_start_comment(header)
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.allow_unicode = True
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()
