"""One entity: its statements both ways with labels, the sentences it was taken from, its
neighbourhood for the graph view, and what replaced a merged id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from kg.namespaces import KG, RDF, SDMX_ATTRIBUTE, SDMX_MEASURE
from kg.sparql.formats import term_json
from kg.store.base import Store
from kg.web.readmodels.facts import shown
from kg.web.readmodels.query import (
    group_rows,
    iri_term,
    is_iri,
    labels_of,
    number,
    select,
    value,
    values_of,
)
from kg.web.readmodels.types import main_type

HIDDEN_PREDICATES = {str(KG.sourceText)}
# An entity's page shows at most this many statements (a region is the object of every fact about
# it); the JSON and the page then say so and link to the whole description in RDF.
ENTITY_STATEMENTS = 2000
NEIGHBOURS = 300

EVIDENCE = """SELECT ?evidence ?report ?exact ?start ?end ?sstart ?send ?title ?title_zh ?sentence_en WHERE {{
      {iri} prov:wasDerivedFrom ?evidence .
      ?evidence oa:hasSource ?report ; oa:hasSelector ?q , ?p ;
                kg:sentenceStart ?sstart ; kg:sentenceEnd ?send .
      ?q a oa:TextQuoteSelector ; oa:exact ?exact .
      ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
      OPTIONAL {{ ?report dct:title ?title FILTER (LANG(?title) = "en") }}
      OPTIONAL {{ ?report dct:title ?title_zh FILTER (LANG(?title_zh) = "zh") }}
      OPTIONAL {{ ?evidence kg:sentenceTranslation ?sentence_en }}
    }} ORDER BY ?report ?start"""
STATEMENTS = """SELECT ?p ?o ?dir WHERE {{
      {{ {iri} ?p ?o BIND("out" AS ?dir) }}
      UNION {{ ?o ?p {iri} BIND("in" AS ?dir) }}
    }} ORDER BY DESC(?dir) ?p ?o LIMIT {limit}"""
NEIGHBOURHOOD = """SELECT ?s ?p ?o WHERE {{
      {{ BIND({iri} AS ?s) ?s ?p ?o FILTER (isIRI(?o)) }}
      UNION {{ BIND({iri} AS ?o) ?s ?p ?o FILTER (isIRI(?s)) }}
      FILTER (?p NOT IN (rdf:type, prov:wasDerivedFrom, skos:inScheme, qb:dataSet, kg:mentions))
    }} ORDER BY ?s ?p ?o LIMIT {limit}"""
TYPES = "SELECT ?s ?type WHERE {{ VALUES ?s {{ {values} }} ?s a ?type }}"
FACT_VALUES = """SELECT ?s ?value ?written ?unit WHERE {{ VALUES ?s {{ {values} }}
      ?s sdmx-measure:obsValue ?value ; kg:asWritten ?written ;
         sdmx-attribute:unitMeasure/skos:prefLabel ?unit FILTER (LANG(?unit) = "en") }}"""
REPLACED_BY = "SELECT ?new WHERE {{ {iri} dct:isReplacedBy ?new }} LIMIT 1"
# The RDF description of a resource (Linked Data): its statements both ways, and its blank nodes'.
DESCRIPTION = (
    "CONSTRUCT {{ {iri} ?p ?o . ?s ?q {iri} . ?o ?op ?ov }} WHERE {{ "
    "{{ {iri} ?p ?o OPTIONAL {{ ?o ?op ?ov FILTER (isBlank(?o)) }} }} UNION {{ ?s ?q {iri} }} }}"
)
GRAPH_CONTENT = "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}"


def evidence(store: Store, iri: str, text_of: Callable[[str], str]) -> list[dict[str, Any]]:
    """The quotes an entity was taken from, each with its whole sentence (``text_of`` gives a
    report's text by IRI; the views pass a cached one)."""
    found = []
    for row in select(store, EVIDENCE.format(iri=iri_term(iri))).rows:
        report = value(row, "report") or ""
        text = text_of(report)
        sentence_start, sentence_end = number(row, "sstart"), number(row, "send")
        found.append(
            {
                "iri": value(row, "evidence"),
                "report": report,
                "report_id": report.rsplit("/", 1)[-1],
                "report_title": value(row, "title"),
                "report_title_zh": value(row, "title_zh"),
                "quote": value(row, "exact"),
                "start": number(row, "start"),
                "end": number(row, "end"),
                "sentence_start": sentence_start,
                "sentence_end": sentence_end,
                "sentence": text[sentence_start:sentence_end],
                "sentence_en": value(row, "sentence_en"),
            }
        )
    return found


def entity(store: Store, iri: str, text_of: Callable[[str], str]) -> dict[str, Any] | None:
    """Everything known about ``iri`` (up to ENTITY_STATEMENTS statements, flagged when more), or None."""
    answer = select(store, STATEMENTS.format(iri=iri_term(iri), limit=ENTITY_STATEMENTS + 1), ENTITY_STATEMENTS)
    rows = answer.rows
    if not rows:
        return None
    objects = {value(row, "o") or "" for row in rows if is_iri(row.get("o"))}
    labels = labels_of(store, {iri} | {value(row, "p") or "" for row in rows} | objects)
    linked_types = node_types(store, objects)
    properties = []
    types = []
    for row in rows:
        predicate, direction = value(row, "p") or "", value(row, "dir")
        if predicate in HIDDEN_PREDICATES:
            continue
        term = term_json(row["o"])
        item: dict[str, Any] = {"type": term["type"], "value": term["value"]}
        if "xml:lang" in term:
            item["lang"] = term["xml:lang"]
        if "datatype" in term:
            item["datatype"] = term["datatype"]
        if is_iri(row["o"]):
            item["label"] = labels.get(item["value"], {})
            item["entity_type"] = linked_types.get(item["value"], "")
        if predicate == str(RDF.type) and direction == "out":
            types.append({"iri": item["value"], "label": labels.get(item["value"], {})})
        properties.append(
            {
                "predicate": predicate,
                "predicate_label": labels.get(predicate, {}),
                "direction": direction,
                "value": item,
            }
        )
    return {
        "iri": iri,
        "label": labels.get(iri, {}),
        "shown": _shown(properties),
        "types": types,
        "properties": properties,
        "truncated": not answer.complete,
        # the whole description, never cut: the Linked Data page in RDF
        "complete": f"/resource?{urlencode({'iri': iri, 'format': 'ttl'})}",
        "evidence": evidence(store, iri, text_of),
    }


def _shown(properties: list[dict[str, Any]]) -> dict[str, str | None] | None:
    """A fact's amount as written (``facts.shown``), None for anything that is not a fact."""
    out = {p["predicate"]: p["value"]["value"] for p in properties if p["direction"] == "out"}
    written, lexical = out.get(str(KG.asWritten)), out.get(str(SDMX_MEASURE.obsValue))
    if written is None or lexical is None:
        return None
    return shown(written, lexical, out.get(str(SDMX_ATTRIBUTE.unitMeasure), ""))


def neighbours(store: Store, iri: str) -> dict[str, Any]:
    """The entity and the IRIs it links to or is linked from: nodes and edges for the graph view;
    ``truncated`` says when there are more than NEIGHBOURS links."""
    answer = select(store, NEIGHBOURHOOD.format(iri=iri_term(iri), limit=NEIGHBOURS + 1), NEIGHBOURS)
    rows = answer.rows
    node_iris = {iri} | {value(r, "s") or "" for r in rows} | {value(r, "o") or "" for r in rows}
    labels = labels_of(store, node_iris | {value(r, "p") or "" for r in rows})
    types = node_types(store, node_iris)
    facts = fact_values(store, node_iris)
    nodes = [
        {"id": n, "label": labels.get(n, {}), "type": types.get(n, ""), **facts.get(n, {})} for n in sorted(node_iris)
    ]
    edges = []
    for r in rows:
        subject, predicate, obj = value(r, "s") or "", value(r, "p") or "", value(r, "o") or ""
        edges.append(
            {
                "id": f"{subject}|{predicate}|{obj}",
                "source": subject,
                "target": obj,
                "predicate": predicate,
                "label": labels.get(predicate, {}),
            }
        )
    return {"center": iri, "nodes": nodes, "edges": edges, "truncated": not answer.complete}


def node_types(store: Store, iris: set[str]) -> dict[str, str]:
    """The main type (see ``types.main_type``) of each IRI that has one."""
    if not iris:
        return {}
    rows = select(store, TYPES.format(values=values_of(iris))).rows
    return {iri: main_type([value(row, "type") or "" for row in group]) for iri, group in group_rows(rows, "s").items()}


def fact_values(store: Store, iris: set[str]) -> dict[str, dict[str, Any]]:
    """The value, its written form and its unit, for each of ``iris`` that is a quantitative fact."""
    if not iris:
        return {}
    rows = select(store, FACT_VALUES.format(values=values_of(iris))).rows
    return {
        value(row, "s") or "": {
            "value": float(value(row, "value") or 0),
            "as_written": value(row, "written"),
            "unit": value(row, "unit"),
        }
        for row in rows
    }


def replacement(store: Store, iri: str) -> str | None:
    """The IRI an id was merged into (``dct:isReplacedBy``, curated as ``replaced_by``), if any."""
    rows = select(store, REPLACED_BY.format(iri=iri_term(iri))).rows
    return value(rows[0], "new") if rows else None


def description_query(iri: str) -> str:
    return DESCRIPTION.format(iri=iri_term(iri))


def graph_query(graph: str) -> str:
    return GRAPH_CONTENT.format(iri=iri_term(graph))
