"""Exports of a build: the whole graph in every RDF format, and the quantitative facts as CSV.

``kg build`` writes them once, into the build (``downloads/``, listed in the manifest with byte
size and SHA-256: :func:`write_exports`); ``/download/<format>`` and ``kg export`` serve those
files. Every export is sorted (graphs, subjects, predicates, objects; fact rows by report,
position and id), so the same build gives the same bytes and two releases can be diffed.

- Turtle and TriG are written here, grouped by subject, with our prefixes; a prefixed name is
  used only where its local part needs no escape (``id:person/x`` would need ``id:person\\/x``),
  the full IRI elsewhere.
- JSON-LD is compact: one ``@context`` (our prefixes, and per property its kind: IRIs,
  a datatype, or a language map) and one node object per subject. The same context is published
  on its own (``context.jsonld``, served at ``/context.jsonld``).
- Turtle and N-Triples (and RDF/XML, JSON-LD) carry the union of all graphs, the default graph of
  the published store; TriG and N-Quads keep one named graph per report.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pyoxigraph

from kg import csvout
from kg.builddir import STORE, Build, memory_store, sha256, write_atomic
from kg.catalog import count
from kg.namespaces import PREFIXES
from kg.store.base import lexical

DOWNLOADS_DIR = "downloads"
CONTEXT_FILE = "context.jsonld"


@dataclass(frozen=True)
class Download:
    name: str
    file: str
    media_type: str
    title: str


DOWNLOADS: dict[str, Download] = {
    d.name: d
    for d in (
        Download("turtle", "cnkg.ttl", "text/turtle", "the whole graph (union of all graphs), Turtle"),
        Download("nt", "cnkg.nt", "application/n-triples", "the whole graph (union of all graphs), N-Triples"),
        Download("jsonld", "cnkg.jsonld", "application/ld+json", "the whole graph (union), compact JSON-LD"),
        Download("rdfxml", "cnkg.rdf", "application/rdf+xml", "the whole graph (union of all graphs), RDF/XML"),
        Download("trig", "cnkg.trig", "application/trig", "every named graph (one per report), TriG"),
        Download("nquads", "cnkg.nq", "application/n-quads", "every named graph (one per report), N-Quads"),
        Download("csv", "cnkg-facts.csv", "text/csv", "every quantitative fact with its quote, CSV"),
        Download("context", CONTEXT_FILE, "application/ld+json", "the JSON-LD context of the JSON-LD download"),
    )
}
FORMATS = [name for name in DOWNLOADS if name != "context"]
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")}

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

Statement = pyoxigraph.Quad | pyoxigraph.Triple


def open_dataset(build: Build) -> pyoxigraph.Store:
    """An in-memory copy of the build's dataset (exports must not hold the on-disk store's lock)."""
    return memory_store(build.dataset_path)


def _statement_key(statement: Statement) -> tuple[str, ...]:
    graph = str(statement.graph_name) if isinstance(statement, pyoxigraph.Quad) else ""
    return (graph, str(statement.subject), str(statement.predicate), str(statement.object))


def read_quads(dataset_path: Path) -> list[pyoxigraph.Quad]:
    return sorted(pyoxigraph.parse(path=str(dataset_path), format=pyoxigraph.RdfFormat.N_QUADS), key=_statement_key)


def union(quads: Iterable[pyoxigraph.Quad]) -> list[pyoxigraph.Triple]:
    """The triples of every graph, as a set: the default graph of the published store."""
    return sorted({quad.triple for quad in quads}, key=_statement_key)


# ------------------------------------------------------------------------------- Turtle and TriG

# A conservative PN_LOCAL: no escapes, no percent-encoding, ASCII only; anything else is written
# as a full IRI (always correct, only longer).
_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def prefixed(iri: str) -> str | None:
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace) and _LOCAL.match(iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    return None


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def turtle_term(term: Any) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return prefixed(term.value) or f"<{term.value}>"
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return f"{_string(term.value)}@{term.language}"
        datatype = term.datatype.value
        if datatype == XSD + "string":
            return _string(term.value)
        return f"{_string(term.value)}^^{prefixed(datatype) or f'<{datatype}>'}"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    raise ValueError(f"cannot write {term!r} in Turtle")


def _turtle_body(triples: list[pyoxigraph.Triple], indent: str = "") -> list[str]:
    """Triples (sorted) grouped by subject, then by predicate (``a`` first)."""
    lines: list[str] = []
    by_subject: dict[Any, dict[Any, list[Any]]] = {}
    for triple in triples:
        by_subject.setdefault(triple.subject, {}).setdefault(triple.predicate, []).append(triple.object)
    for subject, predicates in by_subject.items():
        ordered = sorted(predicates, key=lambda p: (p.value != RDF_TYPE, p.value))
        parts = []
        for predicate in ordered:
            verb = "a" if predicate.value == RDF_TYPE else turtle_term(predicate)
            parts.append(f"{verb} {' , '.join(turtle_term(o) for o in predicates[predicate])}")
        lines.append(f"{indent}{turtle_term(subject)} " + f" ;\n{indent}    ".join(parts) + " .")
    return lines


def _prefix_lines() -> list[str]:
    return [f"@prefix {prefix}: <{namespace}> ." for prefix, namespace in PREFIXES.items()]


def turtle(triples: list[pyoxigraph.Triple]) -> bytes:
    return ("\n".join([*_prefix_lines(), "", *_turtle_body(triples)]) + "\n").encode("utf-8")


def trig(quads: list[pyoxigraph.Quad]) -> bytes:
    lines = [*_prefix_lines(), ""]
    by_graph: dict[Any, list[pyoxigraph.Triple]] = defaultdict(list)
    for quad in quads:
        by_graph[quad.graph_name].append(quad.triple)
    for graph, triples in by_graph.items():
        if isinstance(graph, pyoxigraph.DefaultGraph):
            lines.extend([*_turtle_body(triples), ""])
        else:
            lines.extend([f"{turtle_term(graph)} {{", *_turtle_body(triples, "    "), "}", ""])
    return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")


# ------------------------------------------------------------------------------- JSON-LD


def _compact_iri(iri: str) -> str:
    """A JSON-LD compact IRI (any suffix but one starting with //), else the IRI itself."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace) and not iri[len(namespace) :].startswith("//"):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _kind(term: Any) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return "@id"
    if term.language:
        return "@language"
    return str(term.datatype.value)


def jsonld_context(triples: list[pyoxigraph.Triple]) -> dict[str, Any]:
    """Our prefixes, and for each property whose values are all of one kind its term definition:
    ``"@type": "@id"`` (IRIs), a datatype, or a language map."""
    kinds: dict[str, set[str]] = defaultdict(set)
    for triple in triples:
        if triple.predicate.value != RDF_TYPE:
            kinds[triple.predicate.value].add(_kind(triple.object))
    context: dict[str, Any] = dict(PREFIXES)
    for iri in sorted(kinds):
        term = _compact_iri(iri)
        if term == iri or len(kinds[iri]) != 1:
            continue
        (kind,) = kinds[iri]
        if kind == "@id":
            context[term] = {"@type": "@id"}
        elif kind == "@language":
            context[term] = {"@container": "@language"}
        elif kind != XSD + "string":
            context[term] = {"@type": _compact_iri(kind)}
    return context


def _jsonld_value(term: Any, definition: Any) -> Any:
    if isinstance(term, pyoxigraph.NamedNode):
        return _compact_iri(term.value) if definition else {"@id": _compact_iri(term.value)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD + "string" or definition:
        return term.value
    return {"@value": term.value, "@type": _compact_iri(term.datatype.value)}


def jsonld(triples: list[pyoxigraph.Triple], context: dict[str, Any]) -> bytes:
    """Compact JSON-LD: one node object per subject, in subject order."""
    nodes: dict[str, dict[str, Any]] = {}
    for triple in triples:
        subject = lexical(triple.subject)
        node = nodes.setdefault(subject, {"@id": _compact_iri(subject)})
        if triple.predicate.value == RDF_TYPE and isinstance(triple.object, pyoxigraph.NamedNode):
            node.setdefault("@type", []).append(_compact_iri(triple.object.value))
            continue
        key = _compact_iri(triple.predicate.value)
        definition = context.get(key)
        value = _jsonld_value(triple.object, definition)
        language = triple.object.language if isinstance(triple.object, pyoxigraph.Literal) else None
        if isinstance(definition, dict) and definition.get("@container") == "@language" and language:
            languages = node.setdefault(key, {})
            existing = languages.get(language)
            languages[language] = (
                value["@value"]
                if existing is None
                else [
                    *(existing if isinstance(existing, list) else [existing]),
                    value["@value"],
                ]
            )
        else:
            node.setdefault(key, []).append(value)
    graph = []
    for node in nodes.values():
        graph.append(
            {k: (v[0] if isinstance(v, list) and len(v) == 1 and k != "@type" else v) for k, v in node.items()}
        )
    document = {"@context": context, "@graph": graph}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def context_document(context: dict[str, Any]) -> bytes:
    return (json.dumps({"@context": context}, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# ------------------------------------------------------------------------------- facts CSV


def _cell(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.Literal) and term.datatype.value in NUMERIC:
        return csvout.number(term.value)
    return str(term.value)


def facts_rows(store: pyoxigraph.Store, queries_dir: Path) -> list[list[str]]:
    query = (queries_dir / FACTS_QUERY).read_text(encoding="utf-8")
    solutions = store.query(query)
    assert isinstance(solutions, pyoxigraph.QuerySolutions), f"{FACTS_QUERY} is a SELECT query"
    rows = [[_cell(solution[column]) for column in CSV_COLUMNS] for solution in solutions]
    position = CSV_COLUMNS.index("start")
    return sorted(rows, key=lambda r: (r[0], int(r[position] or 0), r[1], r))


def facts_csv(store: pyoxigraph.Store, queries_dir: Path) -> bytes:
    """The facts table, without a byte-order mark (``/download/csv?bom=1`` adds one)."""
    return csvout.write(CSV_COLUMNS, facts_rows(store, queries_dir))


# ------------------------------------------------------------------------------- all of them


def serialise(
    quads: list[pyoxigraph.Quad],
    triples: list[pyoxigraph.Triple],
    facts_store: Callable[[], pyoxigraph.Store],
    queries_dir: Path,
) -> Iterator[tuple[str, bytes]]:
    """Every download's bytes, one at a time (a large build's files are not all held at once)."""
    context = jsonld_context(triples)
    yield "nquads", pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS) or b""
    yield "trig", trig(quads)
    yield "nt", pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""
    yield "turtle", turtle(triples)
    yield "rdfxml", pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.RDF_XML, prefixes=PREFIXES) or b""
    yield "jsonld", jsonld(triples, context)
    yield "context", context_document(context)
    yield "csv", facts_csv(facts_store(), queries_dir)


def write_exports(version: Path, dataset_path: Path, queries_dir: Path) -> dict[str, Any]:
    """Write every download into the (not yet published) build ``version``; return what the
    manifest lists: of each download its file, media type, byte size and SHA-256 (``downloads``),
    and the VoID counts of the union (``statistics``, kg.catalog)."""
    folder = version / DOWNLOADS_DIR
    folder.mkdir(exist_ok=True)
    listed: dict[str, dict[str, Any]] = {}
    quads = read_quads(dataset_path)
    triples = union(quads)
    # The facts table is a query: on the build's own store (its default graph is the same union).
    on_disk = partial(pyoxigraph.Store.read_only, str(version / STORE))
    for name, data in serialise(quads, triples, on_disk, queries_dir):
        download = DOWNLOADS[name]
        path = folder / download.file
        write_atomic(path, data)
        listed[name] = {
            "file": f"{DOWNLOADS_DIR}/{download.file}",
            "media_type": download.media_type,
            "bytes": len(data),
            "sha256": sha256(path),
            "title": download.title,
        }
        del data  # before the next format is made
    return {"downloads": listed, "statistics": count(triples).as_dict()}


def download_path(build: Build, name: str) -> Path | None:
    """The file of a download in this build, or None (a build written before exports were)."""
    entry = build.manifest.get("downloads", {}).get(name)
    path = build.path / entry["file"] if entry else None
    return path if path is not None and path.is_file() else None


def export(build: Build, name: str, queries_dir: Path) -> bytes:
    """A download's bytes: the file the build wrote, or (older builds) serialised now."""
    path = download_path(build, name)
    if path is not None:
        return path.read_bytes()
    quads = read_quads(build.dataset_path)
    every = serialise(quads, union(quads), partial(memory_store, build.dataset_path), queries_dir)
    return next(data for made, data in every if made == name)
