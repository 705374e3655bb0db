"""Our classes: their ranking (which type names an entity, which comes first in search and in the
explorer's legend) and the read model of ``/api/types``.

:data:`TYPE_RANK` is the one definition: the explorer's JavaScript gets it from the page
(``kg.web.app`` puts it, with the namespaces, into every page), not from a copy of its own.
"""

from __future__ import annotations

from typing import Any

from kg.namespaces import KG, ORG, QB, SKOS
from kg.store.base import Store
from kg.web.readmodels.query import labels_of, number, select, value

OA_SPECIFIC_RESOURCE = "http://www.w3.org/ns/oa#SpecificResource"
TYPE_RANK: dict[str, float] = {
    str(KG.Official): 0,
    str(KG.Agency): 1,
    str(ORG.Post): 2,
    str(KG.Program): 3,
    str(KG.PolicyDocument): 4,
    str(KG.Indicator): 5,
    str(KG.Region): 6,
    str(QB.Observation): 7,
    str(KG.Commitment): 7.1,
    str(KG.QualitativeFact): 7.2,
    str(KG.Outcome): 7.3,
    str(KG.ProgramStatus): 7.4,
    str(KG.Report): 8,
    str(KG.Unit): 9,
    str(KG.Period): 10,
    str(ORG.Membership): 11,
    str(QB.DataSet): 12,
    str(SKOS.Concept): 13,
    OA_SPECIFIC_RESOURCE: 20,
    str(KG.Quote): 20,
}
# The rank of every other class: after all of ours.
UNRANKED = 50


def rank(type_iri: str) -> float:
    return TYPE_RANK.get(type_iri, UNRANKED)


def main_type(types: list[str]) -> str:
    """The type that names an entity: the best ranked of its types ("" when it has none)."""
    ranked = sorted(types, key=rank)
    return ranked[0] if ranked else ""


TYPES = """SELECT ?type (COUNT(DISTINCT ?s) AS ?count) WHERE { ?s a ?type
             FILTER (STRSTARTS(STR(?type), STR(kg:)) || ?type IN (org:Post, qb:Observation)) }
           GROUP BY ?type ORDER BY DESC(?count)"""


def types(store: Store) -> list[dict[str, Any]]:
    """The classes of our entities, with counts and labels: the graph view's legend and filter."""
    rows = select(store, TYPES).rows
    labels = labels_of(store, {value(r, "type") or "" for r in rows})
    return [
        {"iri": value(r, "type"), "count": number(r, "count"), "label": labels.get(value(r, "type") or "", {})}
        for r in rows
    ]
