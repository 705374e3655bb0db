"""Exports of a build: the whole graph as RDF, or the quantitative facts as a CSV table.

Every export is sorted (statements by graph, subject, predicate, object; fact rows by report,
position and id), so the same build gives the same bytes and two releases can be diffed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph

from kg.builddir import Build, memory_store
from kg.namespaces import PREFIXES
from kg.tables import csv_text

# name -> (oxigraph format, keeps named graphs)
RDF_FORMATS: dict[str, tuple[pyoxigraph.RdfFormat, bool]] = {
    "turtle": (pyoxigraph.RdfFormat.TURTLE, False),
    "nt": (pyoxigraph.RdfFormat.N_TRIPLES, False),
    "rdfxml": (pyoxigraph.RdfFormat.RDF_XML, False),
    "jsonld": (pyoxigraph.RdfFormat.JSON_LD, True),
    "trig": (pyoxigraph.RdfFormat.TRIG, True),
    "nquads": (pyoxigraph.RdfFormat.N_QUADS, True),
}
FORMATS = [*RDF_FORMATS, "csv"]

FACTS_QUERY = "facts-table.rq"
CSV_COLUMNS = [
    "report",
    "fact",
    "indicator_zh",
    "indicator_en",
    "value_type",
    "value",
    "unit",
    "unit_multiplier",
    "as_written",
    "qualifier",
    "period",
    "compared_with",
    "region_zh",
    "region_en",
    "agency_en",
    "quote",
    "start",
    "end",
]


def open_dataset(build: Build) -> pyoxigraph.Store:
    """An in-memory copy of the build's dataset (exports must not hold the on-disk store's lock)."""
    return memory_store(build.dataset_path)


def _statement_key(statement: pyoxigraph.Quad | pyoxigraph.Triple) -> tuple[str, ...]:
    graph = str(statement.graph_name) if isinstance(statement, pyoxigraph.Quad) else ""
    return (graph, str(statement.subject), str(statement.predicate), str(statement.object))


def export_rdf(build: Build, name: str) -> bytes:
    rdf_format, keeps_graphs = RDF_FORMATS[name]
    prefixes = PREFIXES if rdf_format in (pyoxigraph.RdfFormat.TURTLE, pyoxigraph.RdfFormat.TRIG) else None
    quads = pyoxigraph.parse(path=str(build.dataset_path), format=pyoxigraph.RdfFormat.N_QUADS)
    if keeps_graphs:
        statements: list[pyoxigraph.Quad] | list[pyoxigraph.Triple] = sorted(quads, key=_statement_key)
    else:
        # Triple formats carry the union of all graphs, as a set: the default graph of the published store.
        statements = sorted({quad.triple for quad in quads}, key=_statement_key)
    return pyoxigraph.serialize(statements, format=rdf_format, prefixes=prefixes) or b""


def facts_rows(store: pyoxigraph.Store, queries_dir: Path) -> Iterable[list[str]]:
    query = (queries_dir / FACTS_QUERY).read_text(encoding="utf-8")
    solutions = store.query(query)
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise ValueError(f"{FACTS_QUERY} must be a SELECT query")
    for solution in solutions:
        row = []
        for column in CSV_COLUMNS:
            term = solution[column]
            row.append("" if term is None else term.value)
        yield row


def export_csv(build: Build, queries_dir: Path) -> bytes:
    position = CSV_COLUMNS.index("start")
    rows = sorted(facts_rows(open_dataset(build), queries_dir), key=lambda r: (r[0], int(r[position] or 0), r[1], r))
    return csv_text(CSV_COLUMNS, (dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows), bom=True).encode("utf-8")


def export(build: Build, name: str, queries_dir: Path) -> bytes:
    if name == "csv":
        return export_csv(build, queries_dir)
    return export_rdf(build, name)
