"""The word lists of the drafting rules, read from ``data/lexicons/`` (see its README).

The general files hold the ordinary usage of Chinese government texts; ``regions/<id>.yaml``
holds what only one region's reports use, added when the report's region is that one or lies
within it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from kg.config import LEXICONS_DIR
from kg.vocabularies import Vocabularies

DEFAULT_LEXICONS = LEXICONS_DIR
FILES = ("agencies", "officials", "documents", "programs", "quantities", "facts")


def longest_first(words: list[str]) -> tuple[str, ...]:
    return tuple(sorted(dict.fromkeys(words), key=len, reverse=True))


@dataclass(frozen=True)
class NumberWord:
    value: int
    unit: str
    type: str
    with_more_than: str | None = None


@dataclass(frozen=True)
class Lexicon:
    # agencies
    agency_suffixes: tuple[str, ...]
    central_agencies: tuple[str, ...]
    not_before_level: frozenset[str]
    not_after_suffix: frozenset[str]
    not_agency_endings: tuple[str, ...]
    agency_breaks: tuple[str, ...]
    zone_endings: tuple[str, ...]
    society_endings: tuple[str, ...]
    # officials
    role_words: tuple[str, ...]
    minor_roles: tuple[str, ...]
    level_heads: dict[str, str]
    saying: tuple[str, ...]
    after_name: tuple[str, ...]
    not_saying: tuple[str, ...]
    surnames: frozenset[str]
    # documents
    document_types: tuple[tuple[str, tuple[str, ...]], ...]
    named_after_verbs: tuple[str, ...]
    named_nouns: tuple[str, ...]
    document_group_nouns: tuple[str, ...]
    after_quoted_name: tuple[str, ...]
    # programs
    program_kinds: tuple[tuple[str, tuple[str, ...]], ...]
    quoted_name_nouns: tuple[str, ...]
    program_group_nouns: tuple[str, ...]
    program_verbs: tuple[str, ...]
    program_nouns: tuple[str, ...]
    member_verbs: tuple[str, ...]
    member_adverbs: tuple[str, ...]
    named_programs: tuple[tuple[str, str, tuple[str, ...]], ...]  # (usual name, kind, forms)
    industry_nouns: tuple[str, ...]
    # quantities
    other_counters: tuple[str, ...]
    person_nouns: tuple[str, ...]
    qualifiers_before: tuple[tuple[str, str], ...]
    qualifiers_after: tuple[tuple[str, str], ...]
    number_words: dict[str, NumberWord]
    approximate_after: tuple[str, ...]
    # facts
    change_words: tuple[str, ...]
    share_words: tuple[str, ...]
    share_endings: re.Pattern[str]
    target_cues: re.Pattern[str]
    progress_cues: re.Pattern[str]
    plan_cues: re.Pattern[str]
    commitment_verbs: tuple[tuple[str, tuple[str, ...]], ...]  # (relation, verbs longest first)
    continuations: tuple[str, ...]
    light_verbs: tuple[str, ...]
    subject_verbs: tuple[str, ...]
    nouns_with_verbs: tuple[str, ...]
    leading_noise: tuple[str, ...]
    noun_stops: tuple[str, ...]
    sources: tuple[Path, ...] = field(default=())

    @property
    def speech_verbs(self) -> tuple[str, ...]:
        return (*self.saying, *self.after_name)

    def says(self, text: str, position: int) -> bool:
        """Whether a name ending at ``position`` is followed by a verb of saying (表示, 补充介绍)."""
        return text.startswith(self.saying, position) and not text.startswith(self.not_saying, position)


def lexicon_dir(data_dir: Path) -> Path:
    """``data_dir/lexicons`` when the data folder has one, else the project's."""
    own = data_dir / "lexicons"
    return own if own.is_dir() else DEFAULT_LEXICONS


def region_chain(vocab: Vocabularies, region: str | None) -> list[str]:
    """The region and every region it lies within (skos:broader), nearest first."""
    chain: list[str] = []
    while region and region not in chain:
        chain.append(region)
        region = vocab.broader.get(region)
    return chain


def _read(path: Path) -> dict[str, Any]:
    document = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(document, dict):
        raise ValueError(f"{path}: a lexicon file is a mapping of lists")
    return document


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    """Add a region file's entries to the general ones: lists are extended, mappings merged."""
    for key, value in extra.items():
        if isinstance(value, dict):
            target = base.setdefault(key, {})
            for name, entry in value.items():
                if isinstance(entry, list) and isinstance(target.get(name), list):
                    target[name] = [*target[name], *entry]
                else:
                    target.setdefault(name, entry)
        elif isinstance(value, list):
            base[key] = [*(base.get(key) or []), *value]
        else:
            base[key] = value


def load_lexicon(directory: Path, regions: list[str] = []) -> Lexicon:  # noqa: B006 (never mutated)
    """The general lexicons of ``directory``, with the region files of ``regions`` added."""
    data = {name: _read(directory / f"{name}.yaml") for name in FILES}
    sources = [directory / f"{name}.yaml" for name in FILES]
    for region in regions:
        path = directory / "regions" / f"{region}.yaml"
        if path.is_file():
            extra = _read(path)
            for name in FILES:
                if name in extra:
                    _merge(data[name], extra[name])
            sources.append(path)
    agencies, officials, documents = data["agencies"], data["officials"], data["documents"]
    programs, quantities, facts = data["programs"], data["quantities"], data["facts"]
    return Lexicon(
        agency_suffixes=longest_first(agencies["suffixes"]),
        central_agencies=tuple(agencies["central_agencies"]),
        not_before_level=frozenset(agencies["not_before_level"]),
        not_after_suffix=frozenset(agencies["not_after_suffix"]),
        not_agency_endings=tuple(agencies["not_agency_endings"]),
        agency_breaks=tuple(agencies["breaks"]),
        zone_endings=tuple(agencies["zone_endings"]),
        society_endings=tuple(agencies["society_endings"]),
        role_words=longest_first(officials["role_words"]),
        minor_roles=tuple(officials["minor_roles"]),
        level_heads=dict(officials["level_heads"]),
        saying=tuple(officials["saying"]),
        after_name=tuple(officials["after_name"]),
        not_saying=tuple(officials.get("not_saying") or ()),
        surnames=frozenset(officials["surnames"]),
        document_types=tuple((slug, tuple(endings)) for slug, endings in documents["types"].items()),
        named_after_verbs=tuple(documents["named_after_verbs"]),
        named_nouns=tuple(documents["named_nouns"]),
        document_group_nouns=tuple(documents["group_nouns"]),
        after_quoted_name=longest_first(documents["after_quoted_name"]),
        program_kinds=tuple((slug, tuple(endings)) for slug, endings in programs["kinds"].items()),
        quoted_name_nouns=tuple(programs["quoted_name_nouns"]),
        program_group_nouns=tuple(programs["group_nouns"]),
        program_verbs=tuple(programs["verbs"]),
        program_nouns=tuple(programs["nouns"]),
        member_verbs=tuple(programs["member_verbs"]),
        member_adverbs=tuple(programs["member_adverbs"]),
        named_programs=tuple(
            (name, str(entry["kind"]), longest_first(entry["forms"]))
            for name, entry in (programs.get("named") or {}).items()
        ),
        industry_nouns=tuple(programs.get("industry_nouns") or ()),
        other_counters=longest_first(quantities["other_counters"]),
        person_nouns=tuple(quantities["person_nouns"]),
        qualifiers_before=tuple(quantities["qualifiers_before"].items()),
        qualifiers_after=tuple(quantities["qualifiers_after"].items()),
        number_words={word: NumberWord(**entry) for word, entry in quantities["number_words"].items()},
        approximate_after=tuple(quantities["approximate_after"]),
        change_words=tuple(facts["change_words"]),
        share_words=tuple(facts["share_words"]),
        share_endings=re.compile(facts["share_endings"]),
        target_cues=re.compile(facts["target_cues"]),
        progress_cues=re.compile(facts["progress_cues"]),
        plan_cues=re.compile(facts["plan_cues"]),
        commitment_verbs=tuple(
            (relation, longest_first(verbs)) for relation, verbs in (facts.get("commitment_verbs") or {}).items()
        ),
        continuations=tuple(facts["continuations"]),
        light_verbs=tuple(dict.fromkeys(facts["light_verbs"])),
        subject_verbs=tuple(dict.fromkeys(facts["subject_verbs"])),
        nouns_with_verbs=longest_first(facts["nouns_with_verbs"]),
        leading_noise=tuple(facts["leading_noise"]),
        noun_stops=tuple(facts["noun_stops"]),
        sources=tuple(sources),
    )


def regex_union(words: tuple[str, ...] | list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
