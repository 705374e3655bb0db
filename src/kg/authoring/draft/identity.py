"""Matching what the graph already knows: every entity curated under ``data/reports`` by its
labels and aliases, compared after normalisation (width, spaces, quotation marks, brackets), so
that 晋中国家农高区（山西农谷） finds 晋中国家农高区(山西农谷) and “三农” finds 三农. A matched entity
keeps its id and labels; a new one gets a provisional id made from its Chinese label."""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from kg import curated
from kg.curated import CurationFailed

TODO_LABEL = "TODO"
ID_PREFIX = {
    "agencies": "agency",
    "officials": "official",
    "posts": "post",
    "documents": "document",
    "programs": "program",
    "indicators": "indicator",
}
MARKS = re.compile(r"[\s“”\"'‘’《》〈〉「」『』·・]")
BRACKETED = re.compile(r"[(（][^)）]*[)）]")


def normalise(label: str) -> str:
    """The form labels are compared in: NFKC (full-width -> ASCII), no spaces or quotation marks."""
    return MARKS.sub("", unicodedata.normalize("NFKC", label))


def keys(label: str) -> list[str]:
    """The normalised label, and without what is in brackets (晋中国家农高区(山西农谷) -> 晋中国家农高区)."""
    full = normalise(label)
    short = BRACKETED.sub("", full)
    return [full] if short == full or len(short) < 2 else [full, short]


def short_hash(text: str, size: int = 6) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:size]


def entity_labels(data: dict[str, Any], lang: str = "zh") -> list[str]:
    names: list[str] = []
    for key in ("label", "alt"):
        value = data.get(key)
        if isinstance(value, dict):
            value = value.get(lang)
        if isinstance(value, str):
            names.append(value)
        elif isinstance(value, list):
            names.extend(str(v) for v in value)
    return [n.strip() for n in names if n and n.strip() and n.strip() != TODO_LABEL]


@dataclass(frozen=True)
class KnownEntity:
    section: str
    id: str
    data: dict[str, Any]
    path: Path

    def labels(self, lang: str = "zh") -> list[str]:
        return entity_labels(self.data, lang)

    def label(self, lang: str) -> str | None:
        label = self.data.get("label")
        if isinstance(label, dict) and label.get(lang):
            return str(label[lang])
        return None


class KnownGraph:
    """Labels and aliases of every entity curated under ``data_dir/reports``, by section."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self.data_dir = data_dir or Path()
        self.by_label: dict[str, dict[str, KnownEntity]] = {}  # section -> label as written -> entity
        self.by_key: dict[str, dict[str, KnownEntity]] = {}  # section -> normalised label -> entity
        self.by_id: dict[str, KnownEntity] = {}
        # normalised Chinese label of any curated entry -> (English label, where) for suggestions
        self.english: dict[str, tuple[str, Path]] = {}

    @classmethod
    def load(cls, data_dir: Path) -> KnownGraph:
        known = cls(data_dir)
        for path in sorted((data_dir / "reports").glob("*/report.yaml")):
            for section, data in curated_entries(path):
                known.add(KnownEntity(section, str(data["id"]), data, path))
        return known

    def add(self, entity: KnownEntity) -> None:
        self.by_id.setdefault(entity.id, entity)
        english = entity.label("en")
        for name in entity.labels():
            self.by_label.setdefault(entity.section, {}).setdefault(name, entity)
            for key in keys(name):
                self.by_key.setdefault(entity.section, {}).setdefault(key, entity)
        zh = entity.label("zh")
        if zh and english and TODO_LABEL not in english:
            self.english.setdefault(normalise(zh), (english, entity.path))

    def find(self, section: str, *names: str) -> KnownEntity | None:
        """The known entity of ``section`` one of ``names`` is a label or alias of: as written
        first, then normalised."""
        table = self.by_label.get(section, {})
        found = next((table[n] for n in names if n in table), None)
        if found is not None:
            return found
        normalised = self.by_key.get(section, {})
        return next((normalised[k] for n in names for k in keys(n) if k in normalised), None)

    def officials(self) -> list[str]:
        return list(self.by_label.get("officials", {}))


def curated_entries(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(section, fields) of every labelled entry of one curated file; posts as section 'posts'."""
    try:
        report = curated.load(path)
        for section, items in report.items.items():
            for item in items:
                if section != "facts" and "id" in item.data:
                    yield section, item.data
        return
    except CurationFailed as failed:
        # A file being edited (or a draft with TODOs): take what can be read, say so.
        print(f"kg draft: {path} does not load cleanly ({len(failed.errors)} problem(s)); "
              "matching against what it has", file=sys.stderr)  # fmt: skip
    except Exception as problem:  # malformed YAML
        print(f"kg draft: skipping {path}: {problem}", file=sys.stderr)
        return
    document = YAML(typ="rt").load(path.read_text(encoding="utf-8")) or {}
    for section in ("agencies", "officials", "documents", "programs", "indicators"):
        for node in document.get(section) or []:
            if isinstance(node, dict) and "id" in node:
                yield section, dict(node)
                if section == "officials":
                    for post in node.get("posts") or []:
                        if isinstance(post, dict) and "id" in post:
                            yield "posts", {**post, "holder": node["id"]}


def provisional_id(section: str, label: str, used: set[str]) -> str:
    """``agency-3f2a9c``: the same label gives the same id in every draft."""
    ident, size = f"{ID_PREFIX[section]}-{short_hash(label)}", 6
    while ident in used:
        size += 2
        ident = f"{ID_PREFIX[section]}-{short_hash(label, size)}"
    return ident
