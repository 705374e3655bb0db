"""Stage 3: validate compiled report graphs against the SHACL shapes in ``ontology/shapes.ttl``.

Each report is validated on its own (shapes are local to a report) together with the shared
vocabularies and the ontology, so the cost grows linearly with the number of reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.compile import Compiled
from kg.curated import Location
from kg.namespaces import SH, bind_prefixes


@dataclass
class Violation:
    focus: URIRef
    focus_label: str
    path: str
    message: str
    severity: str
    location: Location | None

    def __str__(self) -> str:
        where = str(self.location) if self.location else "(generated node)"
        return f"{where}: {self.severity}: {self.focus_label} <{self.focus}>\n    {self.path}: {self.message}"


@dataclass
class ValidationResult:
    conforms: bool
    violations: list[Violation]
    report_graph: Graph

    def text(self) -> str:
        if self.conforms:
            return "conforms: every report graph satisfies the shapes"
        lines = [f"{len(self.violations)} violation(s):"]
        lines.extend(str(v) for v in self.violations)
        return "\n".join(lines)


def load_shapes(ontology_dir: Path) -> Graph:
    shapes = Graph()
    shapes.parse(ontology_dir / "shapes.ttl", format="turtle")
    return shapes


def validate_graph(data: Graph, shapes: Graph) -> tuple[bool, Graph]:
    conforms, results, _ = shacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    return bool(conforms), results


def _label(graph: Graph, node: URIRef) -> str:
    labels = {lit.language: str(lit) for lit in graph.objects(node, SKOS.prefLabel) if isinstance(lit, Literal)}
    return labels.get("en") or labels.get("zh") or str(node).rsplit("/", 1)[-1]


def validate_compiled(compiled: Compiled, ontology_dir: Path) -> ValidationResult:
    shapes = load_shapes(ontology_dir)
    vocabularies = Graph()
    for graph in compiled.vocabulary_graphs():
        vocabularies += graph
    ontology = compiled.ontology
    combined_results = bind_prefixes(Graph())
    violations: list[Violation] = []
    conforms = True
    for report in compiled.reports:
        data = Graph()
        data += compiled.dataset.graph(report.graph)
        data += vocabularies
        # The ontology goes into the data graph itself: sh:class and sh:targetClass follow
        # rdfs:subClassOf only through triples present there.
        data += ontology
        ok, results = validate_graph(data, shapes)
        combined_results += results
        if ok:
            continue
        conforms = False
        for result in results.subjects(RDF.type, SH.ValidationResult):
            focus = results.value(result, SH.focusNode)
            path = results.value(result, SH.resultPath)
            message = results.value(result, SH.resultMessage)
            severity = results.value(result, SH.resultSeverity)
            violations.append(
                Violation(
                    focus=focus,
                    focus_label=_label(data, focus),
                    path=data.namespace_manager.normalizeUri(path) if isinstance(path, URIRef) else str(path or ""),
                    message=str(message or ""),
                    severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                    location=compiled.locations.get(focus),
                )
            )
    violations.sort(key=lambda v: (str(v.location.path), v.location.line) if v.location else ("~", 0))
    return ValidationResult(conforms, violations, combined_results)
