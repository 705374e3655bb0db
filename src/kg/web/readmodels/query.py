"""What every read model uses to ask the store: checked IRIs, `select` (from kg.queries) and labels."""

from __future__ import annotations

import re
from collections import defaultdict

import pyoxigraph

from kg.errors import QueryRefused
from kg.queries import select
from kg.store.base import Row, Store, Term, lexical

IRI_CHARS = re.compile(r'^[^<>"{}|^`\\\x00-\x20]+$')


def iri_term(value: str) -> str:
    """``<value>`` for a SPARQL query, refusing anything that is not a plain absolute IRI."""
    if not value or len(value) > 2000 or not IRI_CHARS.match(value) or ":" not in value:
        raise QueryRefused(400, f"not a valid IRI: {value[:200]!r}")
    return f"<{value}>"


def values_of(iris: set[str]) -> str:
    """The terms of a SPARQL VALUES block for ``iris``, each checked by :func:`iri_term`."""
    return " ".join(iri_term(i) for i in sorted(iris))


def value(row: Row, name: str) -> str | None:
    """The lexical value of a bound variable (an IRI, a blank node id, a literal's text), or None."""
    term = row.get(name)
    return lexical(term) if term is not None else None


def number(row: Row, name: str) -> int:
    found = value(row, name)
    return int(found) if found is not None else 0


def language(term: Term | None) -> str:
    return (term.language or "") if isinstance(term, pyoxigraph.Literal) else ""


def is_iri(term: Term | None) -> bool:
    return isinstance(term, pyoxigraph.NamedNode)


def group_rows(rows: list[Row], name: str) -> dict[str, list[Row]]:
    """Result rows grouped by the value of one variable, in first-seen order."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[value(row, name) or ""].append(row)
    return grouped


def bilingual(rows: list[Row], name: str = "label") -> dict[str, str]:
    """The first Chinese and the first English value of ``name`` in ``rows``."""
    labels: dict[str, str] = {}
    for row in rows:
        term = row.get(name)
        lang = language(term)
        if term is not None and lang in ("zh", "en"):
            labels.setdefault(lang, value(row, name) or "")
    return labels


LABELS = """SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }}
              {{ ?s skos:prefLabel ?label }} UNION {{ ?s rdfs:label ?label }} }}"""
PREFERRED_LABELS = """SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} ?s skos:prefLabel ?label }}"""


def labels_of(store: Store, iris: set[str], preferred_only: bool = False) -> dict[str, dict[str, str]]:
    """Chinese and English labels for many IRIs in one query: ``skos:prefLabel`` and ``rdfs:label``
    (the first found per language), or with ``preferred_only`` the ``skos:prefLabel`` alone."""
    if not iris:
        return {}
    query = PREFERRED_LABELS if preferred_only else LABELS
    rows = select(store, query.format(values=values_of(iris))).rows
    return {iri: bilingual(group) for iri, group in group_rows(rows, "s").items()}
