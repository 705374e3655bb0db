"""Namespaces and the IRI scheme: one function per kind of IRI we mint."""

from __future__ import annotations

from typing import TypeVar

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, XSD, NamespaceManager

BASE = "https://w3id.org/cnkg/"
KG = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
OA = Namespace("http://www.w3.org/ns/oa#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = Namespace("https://schema.org/")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SH = Namespace("http://www.w3.org/ns/shacl#")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

PREFIXES: dict[str, str] = {
    "kg": str(KG),
    "id": str(ID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "org": str(ORG),
    "foaf": str(FOAF),
    "prov": str(PROV),
    "qb": str(QB),
    "oa": str(OA),
    "eli": str(ELI),
    "schema": str(SCHEMA),
    "sdmx-measure": str(SDMX_MEASURE),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
    "sdmx-dimension": str(SDMX_DIMENSION),
}

ONTOLOGY_GRAPH = GRAPH["ontology"]
# Computed across reports by the build: every commitment's outcome (kg.outcomes).
OUTCOMES_GRAPH = GRAPH["outcomes"]


AnyGraph = TypeVar("AnyGraph", bound=Graph)


def bind_prefixes(graph: AnyGraph) -> AnyGraph:
    manager = NamespaceManager(graph, bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        manager.bind(prefix, iri, override=True, replace=True)
    graph.namespace_manager = manager
    return graph


def sparql_prefixes() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def entity_iri(kind: str, slug: str) -> URIRef:
    """Entities shared across reports (agency, person, post, program, ...) are minted by kind and slug."""
    return ID[f"{kind}/{slug}"]


def report_iri(report_id: str, *parts: str) -> URIRef:
    return ID["/".join(("report", report_id, *parts))]


def report_graph(report_id: str) -> URIRef:
    return GRAPH[f"report/{report_id}"]


def vocabulary_graph(name: str) -> URIRef:
    return GRAPH[f"vocabulary/{name}"]
