"""The start page: every report with its publisher and what was taken from it (facts, commitments,
entities), a few of its figures as written, and the years the guided questions ask about. All of it
comes from the store: nothing here names a report, a region or a person."""

from __future__ import annotations

from typing import Any

from kg.store.base import Store
from kg.web.readmodels.query import bilingual, group_rows, number, select, value

REPORTS = """SELECT ?report ?title ?issued ?publisher ?publisher_label WHERE {
               ?report a kg:Report ; dct:title ?title .
               OPTIONAL { ?report dct:issued ?issued }
               OPTIONAL { ?report dct:publisher ?publisher . ?publisher skos:prefLabel ?publisher_label }
             } ORDER BY DESC(?issued) ?report"""
FACTS = """SELECT ?report (COUNT(DISTINCT ?fact) AS ?n) WHERE {
             ?fact a qb:Observation ; qb:dataSet/dct:source ?report } GROUP BY ?report"""
COMMITMENTS = """SELECT ?report (COUNT(DISTINCT ?c) AS ?n) WHERE {
                   ?c a kg:Commitment ; prov:wasDerivedFrom/oa:hasSource ?report } GROUP BY ?report"""
# Entities: whatever was quoted from the report that is neither a fact nor a commitment.
ENTITIES = """SELECT ?report (COUNT(DISTINCT ?s) AS ?n) WHERE {
                ?s prov:wasDerivedFrom/oa:hasSource ?report .
                FILTER NOT EXISTS { ?s a qb:Observation } FILTER NOT EXISTS { ?s a kg:Commitment }
              } GROUP BY ?report"""
KEY_FIGURES = 4


def _counts(store: Store, query: str) -> dict[str, int]:
    return {value(row, "report") or "": number(row, "n") for row in select(store, query).rows}


def reports(store: Store, facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Newest first; ``facts`` are the rows of ``readmodels.facts`` (their figures as written)."""
    facts_of, commitments_of, entities_of = (_counts(store, q) for q in (FACTS, COMMITMENTS, ENTITIES))
    out = []
    for iri, group in group_rows(select(store, REPORTS).rows, "report").items():
        issued = value(group[0], "issued")
        year = int(issued[:4]) if issued and issued[:4].isdigit() else None
        out.append(
            {
                "iri": iri,
                "id": iri.rsplit("/", 1)[-1],
                "title": bilingual(group, "title"),
                "issued": issued,
                "year": year,
                "publisher": value(group[0], "publisher"),
                "publisher_label": bilingual(group, "publisher_label"),
                "facts": facts_of.get(iri, 0),
                "commitments": commitments_of.get(iri, 0),
                "entities": entities_of.get(iri, 0),
                "figures": key_figures([f for f in facts if f["report"] == iri]),
            }
        )
    return out


def key_figures(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first reported (actual) figures of a report, one per unit, in the order of the text."""
    chosen: list[dict[str, Any]] = []
    units: set[str] = set()
    for fact in sorted(facts, key=lambda f: f["start"]):
        if fact["value_type"] != "actual" or fact["unit"] in units:
            continue
        units.add(fact["unit"])
        chosen.append(fact)
        if len(chosen) == KEY_FIGURES:
            break
    return chosen


def topics(facts: list[dict[str, Any]], limit: int = 8) -> list[dict[str, Any]]:
    """The indicators with the most facts (ties by name): the start page's "facts by topic" links."""
    counts: dict[str, dict[str, Any]] = {}
    for fact in facts:
        entry = counts.setdefault(
            fact["indicator"] or "",
            {"iri": fact["indicator"], "zh": fact["indicator_zh"], "en": fact["indicator_en"], "n": 0},
        )
        entry["n"] += 1
    return sorted(counts.values(), key=lambda t: (-t["n"], t["en"] or t["zh"] or ""))[:limit]
