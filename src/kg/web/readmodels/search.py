"""Search: an in-memory bigram index over every label (Chinese and Latin alike), rebuilt when the
store version changes. Search text never reaches SPARQL."""

from __future__ import annotations

import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from kg.store.base import Store
from kg.web.readmodels.query import labels_of, language, select, value
from kg.web.readmodels.types import main_type, rank


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _grams(text: str) -> set[str]:
    """Character bigrams: enough for Chinese words and for Latin substrings alike."""
    return {text[i : i + 2] for i in range(len(text) - 1)} if len(text) > 1 else {text}


@dataclass
class Entry:
    iri: str
    labels: dict[str, str]
    search_text: list[str]
    type_iri: str


class SearchIndex:
    """An in-memory bigram index over every label, rebuilt when the store version changes."""

    LABEL_QUERY = """
        SELECT ?s ?label ?kind ?type WHERE {
          { ?s skos:prefLabel ?label BIND("pref" AS ?kind) }
          UNION { ?s skos:altLabel ?label BIND("alt" AS ?kind) }
          UNION { ?s rdfs:label ?label BIND("rdfs" AS ?kind) }
          OPTIONAL { ?s a ?type }
          FILTER (isIRI(?s))
        }"""

    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self._version: str | None = None
        self._entries: list[Entry] = []
        self._postings: dict[str, set[int]] = {}

    def _refresh(self) -> None:
        version = self.store.version()
        if version == self._version:
            return
        with self._lock:
            if version == self._version:
                return
            rows = select(self.store, self.LABEL_QUERY).rows
            by_iri: dict[str, Entry] = {}
            types: dict[str, list[str]] = defaultdict(list)
            for row in rows:
                iri = value(row, "s") or ""
                entry = by_iri.setdefault(iri, Entry(iri, {}, [], ""))
                text = value(row, "label") or ""
                lang = language(row.get("label"))
                if lang in ("zh", "en"):
                    if value(row, "kind") == "pref":  # the preferred label wins over aliases
                        entry.labels[lang] = text
                    else:
                        entry.labels.setdefault(lang, text)
                folded = _fold(text)
                if folded not in entry.search_text:
                    entry.search_text.append(folded)
                if "type" in row:
                    types[iri].append(value(row, "type") or "")
            entries = list(by_iri.values())
            postings: dict[str, set[int]] = defaultdict(set)
            for number, entry in enumerate(entries):
                entry.type_iri = main_type(types.get(entry.iri, []))
                for text in entry.search_text:
                    for gram in _grams(text):
                        postings[gram].add(number)
            self._entries, self._postings, self._version = entries, dict(postings), version

    def search(self, query: str, limit: int = 20) -> list[Entry]:
        self._refresh()
        needle = _fold(query.strip())[:100]
        if not needle:
            return []
        grams = sorted(_grams(needle), key=lambda g: len(self._postings.get(g, ())))
        candidates: set[int] | None = None
        for gram in grams:
            posting = self._postings.get(gram, set())
            candidates = set(posting) if candidates is None else candidates & posting
            if not candidates:
                return []
        scored: list[tuple[tuple[int, int], float, str, Entry]] = []
        for number in candidates or ():
            entry = self._entries[number]
            best: tuple[int, int] | None = None
            for text in entry.search_text:
                position = text.find(needle)
                if position >= 0:
                    match = (0 if text == needle else 1 if position == 0 else 2, len(text))
                    best = match if best is None or match < best else best
            if best is not None:
                scored.append((best, rank(entry.type_iri), entry.iri, entry))
        scored.sort(key=lambda item: item[:3])
        return [item[3] for item in scored[:limit]]


def search(index: SearchIndex, store: Store, query: str, limit: int) -> list[dict[str, Any]]:
    """The best ``limit`` entities whose labels contain ``query``, with their type's labels."""
    entries = index.search(query, limit)
    type_labels = labels_of(store, {e.type_iri for e in entries if e.type_iri})
    return [
        {"iri": e.iri, "label": e.labels, "type": e.type_iri, "type_label": type_labels.get(e.type_iri, {})}
        for e in entries
    ]


def flat(results: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Search results as the rows of a table (``?format=csv``)."""
    return [
        {"iri": r["iri"], "label_zh": r["label"].get("zh", ""), "label_en": r["label"].get("en", ""), "type": r["type"]}
        for r in results
    ]


CSV_COLUMNS = ["iri", "label_zh", "label_en", "type"]
