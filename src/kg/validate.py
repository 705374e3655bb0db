"""Stage 3: validate compiled report graphs against the SHACL shapes in ``ontology/shapes.ttl``.

Each report is validated on its own (shapes are local to a report) together with the shared
vocabularies and the ontology, so the cost grows linearly with the number of reports.

The engine is pyshacl-turbo (a SHACL engine in Rust with pySHACL's API); pySHACL stays as the
reference: tests/test_shacl_engines.py checks that both give the same violations, with the same
messages, on the test fixtures. pyshacl-turbo reads its data graph from an in-memory Oxigraph store
without going through rdflib, which makes it about five times faster than pySHACL on a report
graph (bench/build_phases.py); given an rdflib graph it would serialise it first with rdflib.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph
import pyshacl
import pyshacl_turbo
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.term import Node

from kg.curated import Location
from kg.namespaces import KG, SH, bind_prefixes


@dataclass
class Violation:
    focus: Node | None
    focus_label: str
    path: str
    message: str
    severity: str
    location: Location | None
    path_iri: URIRef | None = None

    def __str__(self) -> str:
        where = str(self.location) if self.location else "(generated node)"
        return f"{where}: {self.severity}: {self.focus_label} <{self.focus}>\n    {self.path}: {self.message}"


@dataclass
class ValidationResult:
    conforms: bool
    violations: list[Violation]
    # Not errors: likely duplicates, outcomes a rule could not assess (kg.identity, kg.outcomes).
    warnings: list[str] = field(default_factory=list)

    def as_turtle(self) -> str:
        """The result as a SHACL validation report, each result with where to fix it (kg:curatedAt)."""
        graph = bind_prefixes(Graph())
        graph.bind("sh", str(SH))
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for violation in self.violations:
            result = BNode()
            graph.add((report, SH.result, result))
            graph.add((result, RDF.type, SH.ValidationResult))
            if violation.focus is not None:
                graph.add((result, SH.focusNode, violation.focus))
            graph.add((result, SH.resultMessage, Literal(violation.message)))
            graph.add((result, SH.resultSeverity, SH[violation.severity]))
            if violation.path_iri is not None:
                graph.add((result, SH.resultPath, violation.path_iri))
            if violation.location is not None:
                graph.add((result, KG.curatedAt, Literal(str(violation.location))))
        return graph.serialize(format="turtle")

    def text(self) -> str:
        lines = [f"warning: {w}" for w in self.warnings]
        if self.conforms:
            return "\n".join([*lines, "conforms: every report graph satisfies the shapes"])
        lines.append(f"{len(self.violations)} violation(s):")
        lines.extend(str(v) for v in self.violations)
        return "\n".join(lines)


def load_shapes(ontology_dir: Path) -> Graph:
    shapes = Graph()
    shapes.parse(ontology_dir / "shapes.ttl", format="turtle")
    return shapes


Engine = Callable[..., tuple[Any, Any, Any]]
ENGINES: dict[str, Engine] = {"pyshacl-turbo": pyshacl_turbo.validate, "pyshacl": pyshacl.validate}
ENGINE = "pyshacl-turbo"


# The names paths are written with in messages: rdflib's default prefixes (org:, prov:, qb:, skos:…).
_NAMES = Graph().namespace_manager
# The N-Triples of the last context graph seen: every report of a build shares one context.
_context_text: tuple[Graph, int, bytes] | None = None


def _context_ntriples(context: Graph) -> bytes:
    global _context_text
    if _context_text is None or _context_text[0] is not context or _context_text[1] != len(context):
        _context_text = (context, len(context), context.serialize(format="nt", encoding="utf-8"))
    return _context_text[2]


def _data_graph(report: Graph, context: Graph, engine: str) -> Graph | pyoxigraph.Store:
    """The report and its context as one data graph, in the form the engine reads fastest."""
    if engine == "pyshacl":
        data = Graph()
        data += report
        data += context
        return data
    store = pyoxigraph.Store()
    store.load(_context_ntriples(context), format=pyoxigraph.RdfFormat.N_TRIPLES)
    store.load(report.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def validate_graph(data: Graph | pyoxigraph.Store, shapes: Graph, engine: str = ENGINE) -> tuple[bool, Graph]:
    conforms, results, _ = ENGINES[engine](
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        inplace=isinstance(data, Graph),  # no copy of an rdflib graph made for this call alone
        allow_warnings=True,
    )
    return bool(conforms), results


def _label(graphs: tuple[Graph, ...], node: Node | None) -> str:
    labels = {
        lit.language: str(lit)
        for graph in graphs
        for lit in graph.objects(node, SKOS.prefLabel)
        if isinstance(lit, Literal)
    }
    return labels.get("en") or labels.get("zh") or str(node).rsplit("/", 1)[-1]


def _location(locations: dict[URIRef, Location], node: Node | None) -> Location | None:
    return locations.get(node) if isinstance(node, URIRef) else None


def report_violations(
    report: Graph, context: Graph, shapes: Graph, locations: dict[URIRef, Location], engine: str = ENGINE
) -> list[Violation]:
    """Validate one report graph together with ``context`` (the ontology and the vocabularies).

    The ontology goes into the data graph itself: sh:class and sh:targetClass follow
    rdfs:subClassOf only through triples present there.
    """
    conforms, results = validate_graph(_data_graph(report, context, engine), shapes, engine)
    if conforms:
        return []
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        severity = results.value(result, SH.resultSeverity)
        offending = results.value(result, SH.value)
        violations.append(
            Violation(
                focus=focus,
                focus_label=_label((report, context), focus),
                path=_NAMES.normalizeUri(path) if isinstance(path, URIRef) else str(path or ""),
                message=str(results.value(result, SH.resultMessage) or ""),
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                location=_location(locations, offending) or _location(locations, focus),
                path_iri=path if isinstance(path, URIRef) else None,
            )
        )
    return violations
