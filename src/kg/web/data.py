"""Read models for the explorer, built with SPARQL over the store (so they work on any store).

User input never reaches a query as raw text: IRIs are checked against the IRI grammar
(:func:`iri_term`), and search runs on an in-memory index, not in SPARQL.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from kg.namespaces import BASE, sparql_prefixes
from kg.sparql.formats import JSON
from kg.store.base import QueryRefused, QueryRequest, Store

IRI_CHARS = re.compile(r'^[^<>"{}|^`\\\x00-\x20]+$')
PREFIXES = sparql_prefixes()


def iri_term(value: str) -> str:
    """``<value>`` for a SPARQL query, refusing anything that is not a plain absolute IRI."""
    if not value or len(value) > 2000 or not IRI_CHARS.match(value) or ":" not in value:
        raise QueryRefused(400, f"not a valid IRI: {value[:200]!r}")
    return f"<{value}>"


def local_path(iri: str) -> str:
    """Where this server shows an IRI: ours by its path (``…/cnkg/id/x`` -> ``/id/x``), others by
    ``/resource?iri=``."""
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else f"/resource?iri={quote(iri, safe='')}"


def values_of(iris: set[str]) -> str:
    """The terms of a SPARQL VALUES block for ``iris``, each checked by :func:`iri_term`."""
    return " ".join(iri_term(i) for i in sorted(iris))


def select(store: Store, query: str) -> list[dict[str, dict[str, str]]]:
    result = store.execute(QueryRequest(PREFIXES + query, JSON))
    return json.loads(result.body)["results"]["bindings"]


def value(binding: dict[str, dict[str, str]], name: str) -> str | None:
    term = binding.get(name)
    return term["value"] if term else None


def group_rows(rows: list[dict[str, dict[str, str]]], name: str) -> dict[str, list[dict[str, dict[str, str]]]]:
    """Result rows grouped by the value of one variable, in first-seen order."""
    grouped: dict[str, list[dict[str, dict[str, str]]]] = defaultdict(list)
    for row in rows:
        grouped[row[name]["value"]].append(row)
    return grouped


def bilingual(rows: list[dict[str, dict[str, str]]], name: str = "label") -> dict[str, str]:
    labels: dict[str, str] = {}
    for row in rows:
        term = row.get(name)
        if term and term.get("xml:lang") in ("zh", "en"):
            labels.setdefault(term["xml:lang"], term["value"])
    return labels


# ------------------------------------------------------------------------------- search


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
            rows = select(self.store, self.LABEL_QUERY)
            by_iri: dict[str, Entry] = {}
            types: dict[str, list[str]] = defaultdict(list)
            for row in rows:
                iri = row["s"]["value"]
                entry = by_iri.setdefault(iri, Entry(iri, {}, [], ""))
                label = row["label"]
                text = label["value"]
                lang = label.get("xml:lang", "")
                if lang in ("zh", "en"):
                    if row["kind"]["value"] == "pref":  # the preferred label wins over aliases
                        entry.labels[lang] = text
                    else:
                        entry.labels.setdefault(lang, text)
                folded = _fold(text)
                if folded not in entry.search_text:
                    entry.search_text.append(folded)
                if "type" in row:
                    types[iri].append(row["type"]["value"])
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
        scored = []
        for number in candidates or ():
            entry = self._entries[number]
            best = None
            for text in entry.search_text:
                position = text.find(needle)
                if position >= 0:
                    rank = (0 if text == needle else 1 if position == 0 else 2, len(text))
                    best = rank if best is None or rank < best else best
            if best is not None:
                scored.append((best, TYPE_ORDER.get(entry.type_iri, 99), entry.iri, entry))
        scored.sort(key=lambda item: item[:3])
        return [item[3] for item in scored[:limit]]


KG = "https://w3id.org/cnkg/ontology#"
TYPE_ORDER = {
    KG + "Official": 0,
    KG + "Agency": 1,
    "http://www.w3.org/ns/org#Post": 2,
    KG + "Program": 3,
    KG + "PolicyDocument": 4,
    KG + "Indicator": 5,
    KG + "Region": 6,
    "http://purl.org/linked-data/cube#Observation": 7,
    KG + "Commitment": 7.1,
    KG + "QualitativeFact": 7.2,
    KG + "Outcome": 7.3,
    KG + "ProgramStatus": 7.4,
    KG + "Report": 8,
    KG + "Unit": 9,
    KG + "Period": 10,
}


def main_type(types: list[str]) -> str:
    ranked = sorted(types, key=lambda t: TYPE_ORDER.get(t, 50))
    return ranked[0] if ranked else ""


# ------------------------------------------------------------------------------- caching per version


class VersionedCache:
    """Explorer read models are pure functions of the build: compute once per store version."""

    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self._version: str | None = None
        self._values: dict[str, Any] = {}

    def get(self, key: str, compute: Any) -> Any:
        version = self.store.version()
        with self._lock:
            if version != self._version:
                self._values, self._version = {}, version
            if key in self._values:
                return self._values[key]
        result = compute()
        with self._lock:
            if version == self._version:
                self._values[key] = result
        return result
