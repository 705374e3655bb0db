"""Canned queries: ``queries/*.rq`` files whose header comments give a title and description in both languages;
and :func:`select`, how our own code asks a store a query written with our prefixes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.namespaces import sparql_prefixes
from kg.store.base import Rows, Store

PREFIXES = sparql_prefixes()
HEADER = re.compile(r"^#\s*(?P<key>[a-z]+)(?:@(?P<lang>zh|en))?\s*:\s*(?P<value>.*)$")


@dataclass(frozen=True)
class CannedQuery:
    name: str
    sparql: str
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "sparql": self.sparql,
        }


def parse(name: str, text: str) -> CannedQuery:
    meta: dict[str, dict[str, str]] = {"title": {}, "description": {}}
    for line in text.splitlines():
        match = HEADER.match(line)
        if not match:
            if line.strip() and not line.startswith("#"):
                break
            continue
        key, lang = match["key"], match["lang"] or "en"
        if key in meta:
            meta[key][lang] = match["value"].strip()
    if "en" not in meta["title"] or "zh" not in meta["title"]:
        raise ValueError(f"queries/{name}.rq needs '# title:' and '# title@zh:' header lines")
    return CannedQuery(name, text, meta["title"], meta["description"])


def load_all(queries_dir: Path) -> dict[str, CannedQuery]:
    return {p.stem: parse(p.stem, p.read_text(encoding="utf-8")) for p in sorted(queries_dir.glob("*.rq"))}


def select(store: Store, query: str, limit: int | None = None) -> Rows:
    """A SELECT written with our prefixes (``kg:``, ``skos:`` …), as typed rows."""
    return store.select_rows(PREFIXES + query, limit)
