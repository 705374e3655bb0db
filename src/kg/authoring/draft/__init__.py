"""Draft the curated data file of a new report from its text (``kg draft REPORT.txt``).

The steps, one module each, in the order they run:

``text``        the report's text: spans, clauses, sentences, names in “”, titles in 《》
``context``     title, date, source, places and regions -> one frozen :class:`Context`
``lexicon``     the word lists of the rules, from ``data/lexicons/`` (general and per region)
``entities``    agencies, officials and their posts, documents, programs
``quantities``  numerals, units, qualifiers, and why a numeral is not a quantity
``facts``       period, value type, region, indicator, who states it, a target's relation;
                commitments without a number (implement a program, keep a bottom line)
``identity``    what the graph already knows (normalised labels and aliases), provisional ids
``labels``      suggested English labels (curated reports, glossary, pinyin, CC-CEDICT)
``writer``      the YAML of docs/curation.md

Every candidate is quoted from the text (with ``occurrence:`` when the quote is not unique), so
the draft compiles as it is; the rules are heuristics and the draft a proposal to check line by
line, not curated data.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

from kg.authoring.draft import entities, facts, labels, quantities
from kg.authoring.draft.context import read_context
from kg.authoring.draft.entities import EntityIndex, OfficialsInput
from kg.authoring.draft.facts import FactInput
from kg.authoring.draft.identity import KnownGraph, entity_labels, provisional_id
from kg.authoring.draft.lexicon import lexicon_dir, load_lexicon, region_chain
from kg.authoring.draft.text import Text
from kg.authoring.draft.writer import HEADER, Draft, document, dump
from kg.vocabularies import Vocabularies

__all__ = ["default_report_id", "draft_report", "entity_labels"]


def default_report_id(path: Path) -> str:
    stem = path.parent.name if path.stem in ("source", "text", "report") else path.stem
    slug = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", stem).lower()).strip("-")
    return slug or "new-report"


def assign_ids(index: EntityIndex, places: dict[str, str]) -> None:
    """Known entities keep their ids; new ones get a provisional id from their Chinese label,
    with a name relative to the report's place made whole first: 省乡村振兴局 of a Hubei report is
    湖北省乡村振兴局, not the Shanxi bureau a Shanxi report means by the same words."""
    used: set[str] = set()
    for section in ("agencies", "officials", "documents", "programs", "indicators", "posts"):
        found = index[section]
        if section == "officials":
            found = found + [p for o in found for p in o.posts]
        for entity in found:
            if not entity.id and entity.known:
                entity.id = entity.known.id
            elif not entity.id:
                entity.id = provisional_id(entity.section, _absolute(entity.label, places), used)
            used.add(entity.id)


def _absolute(label: str, places: dict[str, str]) -> str:
    place = places.get(label[:1])
    return place + label[1:] if place else label


def draft(text: str, report_id: str, text_name: str, data_dir: Path, suggest: bool = True) -> str:
    """The YAML text of a draft of the curated data file of the report ``text``."""
    vocab = Vocabularies.load(data_dir)
    known = KnownGraph.load(data_dir)
    source = Text.of(text)
    ctx = read_context(source, report_id, text_name, vocab)
    lex = load_lexicon(lexicon_dir(data_dir), region_chain(vocab, ctx.default_region))
    index = EntityIndex(known)
    agencies = entities.find_agencies(source, ctx, lex, vocab, index)
    publisher, source_agency = entities.find_publisher(index, agencies, ctx, lex, vocab)
    if source_agency is not None:
        agencies.append(source_agency)
    entities.agency_parents(index, ctx)
    speakers = entities.find_officials(OfficialsInput(source, ctx, lex, vocab, agencies), index)
    entities.find_documents(source, lex, vocab, index, agencies)
    entities.find_programs(source, lex, vocab, index)
    found = quantities.find_quantities(source, lex, vocab)
    given = FactInput(source, ctx, lex, vocab, agencies, speakers)
    drafted, skipped = facts.find_facts(given, found, index)
    commitments = facts.find_commitments(given, index, publisher)
    assign_ids(index, ctx.places)
    title_en = None
    if suggest:
        suggester = labels.Suggester.load(lexicon_dir(data_dir), known, ctx)
        title_en = suggester.suggest_all(index, ctx.title.text)
    result = Draft(
        source,
        ctx,
        index,
        publisher,
        drafted,
        facts.not_facts(source, drafted, skipped),
        title_en,
        data_dir,
        commitments,
    )
    header = HEADER.format(id=report_id, name=text_name, today=dt.date.today().isoformat())
    return dump(document(result), header)


def draft_report(path: Path, data_dir: Path, report_id: str | None = None, suggest: bool = True) -> str:
    """The YAML text of a draft of the curated data file for the report text at ``path``."""
    text = path.read_text(encoding="utf-8")
    return draft(text, report_id or default_report_id(path), path.name, data_dir, suggest=suggest)
