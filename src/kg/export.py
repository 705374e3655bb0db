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
- Written streaming, from the build's sorted dataset.nq, in two passes (per graph; per subject of
  the union, a k-way merge of the graphs' sorted runs), so memory is bounded by one graph and a
  read buffer per graph, not by the size of the build (BENCHMARKS.md §14).
"""

from __future__ import annotations

import contextlib
import heapq
import io
import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph

from kg import csvout
from kg.builddir import STORE, Build, atomic_file, memory_store, sha256, write_atomic
from kg.catalog import Statistics, Tally
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


# ------------------------------------------------------------------------------- reading the dataset
#
# The exports are written from the build's dataset.nq, read again for each of two passes, so memory
# stays bounded by one graph (and, for the union, one buffer per graph) whatever the build's size.
# The build writes each graph's lines sorted; the exports are sorted by graph, then subject,
# predicate, object, each term in its N-Triples form. The union of the graphs is a k-way merge of
# the graphs' sorted runs that drops duplicates.


Key = tuple[str, str, str]


def _triple_key(statement: pyoxigraph.Quad) -> Key:
    return (str(statement.subject), str(statement.predicate), str(statement.object))


def _first(pair: tuple[Key, pyoxigraph.Quad]) -> Key:
    return pair[0]


def _not_canonical(path: Path, where: str) -> ValueError:
    return ValueError(f"{path} is not in the canonical order kg build writes ({where}); rebuild it with kg build")


RUN_BUFFER = 1 << 14  # bytes read at a time from each graph: the merge reads all of them at once


class _Range(io.RawIOBase):
    """Bytes ``start`` to ``end`` of an open file, read with pread: the merge reads every graph of
    the dataset at once through one file descriptor."""

    def __init__(self, fd: int, start: int, end: int):
        super().__init__()
        self._fd, self._position, self._end = fd, start, end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = os.pread(self._fd, min(len(buffer), self._end - self._position), self._position)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)


@dataclass(frozen=True)
class SortedDataset:
    """A dataset.nq in the build's canonical order, and where each graph's lines are.

    ``graphs``: per graph (its N-Triples form, in sorted order), the byte ranges of its sorted runs
    (one, in what the build writes)."""

    path: Path
    graphs: list[tuple[str, list[tuple[int, int]]]]

    @classmethod
    def scan(cls, path: Path) -> SortedDataset:
        ranges: dict[str, list[tuple[int, int]]] = defaultdict(list)
        graph, start, position = b"", 0, 0
        with path.open("rb") as lines:
            for number, line in enumerate(lines, 1):
                # Every line of the build's dataset ends with its graph: `<s> <p> <o> <g> .`
                if not line.endswith(b"> .\n") or b" <" not in line:
                    raise _not_canonical(path, f"line {number} does not end with a graph name")
                named = line[line.rindex(b" <", 0, len(line) - 3) + 1 : line.rindex(b">") + 1]
                if named != graph:
                    if position > start:
                        ranges[graph.decode("utf-8")].append((start, position))
                    graph, start = named, position
                position += len(line)
        if position > start:
            ranges[graph.decode("utf-8")].append((start, position))
        return cls(path, sorted(ranges.items()))

    def _run(self, fd: int, start: int, end: int, graph: str) -> Iterator[tuple[Key, pyoxigraph.Quad]]:
        """The quads of a run, each with its sort key, checked to be in order."""
        previous: Key | None = None
        for quad in pyoxigraph.parse(
            io.BufferedReader(_Range(fd, start, end), RUN_BUFFER), format=pyoxigraph.RdfFormat.N_QUADS
        ):
            key = _triple_key(quad)
            if str(quad.graph_name) != graph or (previous is not None and key < previous):
                raise _not_canonical(self.path, f"in the graph starting at byte {start}: {quad}")
            previous = key
            yield key, quad

    def _graph(self, fd: int, graph: str, ranges: list[tuple[int, int]]) -> Iterator[tuple[Key, pyoxigraph.Quad]]:
        runs = [self._run(fd, start, end, graph) for start, end in ranges]
        return runs[0] if len(runs) == 1 else heapq.merge(*runs, key=_first)

    def by_graph(self) -> Iterator[tuple[str, Iterator[pyoxigraph.Quad]]]:
        """Per graph in order, its quads in order."""
        fd = os.open(self.path, os.O_RDONLY)
        try:
            for graph, ranges in self.graphs:
                yield graph, (quad for _, quad in self._graph(fd, graph, ranges))
        finally:
            os.close(fd)

    def triples(self) -> Iterator[pyoxigraph.Triple]:
        """The union of the graphs, the default graph of the published store: each triple once, in order."""
        fd = os.open(self.path, os.O_RDONLY)
        try:
            runs = [self._graph(fd, graph, ranges) for graph, ranges in self.graphs]
            previous: Key | None = None
            for key, quad in heapq.merge(*runs, key=_first):
                if key != previous:
                    previous = key
                    yield quad.triple
        finally:
            os.close(fd)

    def subjects(self) -> Iterator[list[pyoxigraph.Triple]]:
        """The union, one subject's triples at a time."""
        for _, triples in groupby(self.triples(), key=lambda triple: triple.subject):
            yield list(triples)


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


def _prefix_bytes() -> bytes:
    return "".join(f"{line}\n" for line in _prefix_lines()).encode("utf-8")


def _lines(lines: list[str]) -> bytes:
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def _trig_graph(graph: str, triples: list[pyoxigraph.Triple]) -> bytes:
    return b"\n" + _lines([f"{graph} {{", *_turtle_body(triples, "    "), "}"])


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


def _add_kinds(kinds: dict[str, set[str]], statements: Iterable[pyoxigraph.Quad | pyoxigraph.Triple]) -> None:
    for statement in statements:
        if statement.predicate.value != RDF_TYPE:
            kinds[statement.predicate.value].add(_kind(statement.object))


def jsonld_context(kinds: dict[str, set[str]]) -> dict[str, Any]:
    """Our prefixes, and for each property whose values are all of one kind its term definition:
    ``"@type": "@id"`` (IRIs), a datatype, or a language map. (The kinds are the same in every
    graph's quads as in their union.)"""
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


def _jsonld_node(triples: list[pyoxigraph.Triple], context: dict[str, Any]) -> dict[str, Any]:
    """The node object of one subject."""
    subject = lexical(triples[0].subject)
    node: dict[str, Any] = {"@id": _compact_iri(subject)}
    for triple in triples:
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
    return {k: (v[0] if isinstance(v, list) and len(v) == 1 and k != "@type" else v) for k, v in node.items()}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


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


def write_graphs(dataset: SortedDataset, nquads: BinaryIO, trig: BinaryIO) -> dict[str, Any]:
    """N-Quads and TriG, one graph at a time (a report, the ontology, a vocabulary, the outcomes);
    returns the JSON-LD context, whose kinds are gathered in the same pass."""
    kinds: dict[str, set[str]] = defaultdict(set)
    trig.write(_prefix_bytes())
    for graph, quads in dataset.by_graph():
        listed = list(quads)
        nquads.write(pyoxigraph.serialize(listed, format=pyoxigraph.RdfFormat.N_QUADS) or b"")
        trig.write(_trig_graph(graph, [quad.triple for quad in listed]))
        _add_kinds(kinds, listed)
    return jsonld_context(kinds)


def write_union(
    dataset: SortedDataset,
    context: dict[str, Any],
    nt: BinaryIO,
    turtle: BinaryIO,
    jsonld: BinaryIO,
    rdfxml: BinaryIO,
) -> Statistics:
    """N-Triples, Turtle, compact JSON-LD and RDF/XML of the union, in one pass over it, one
    subject at a time; returns its VoID counts, made in the same pass.

    The JSON-LD is written one node object at a time in exactly the layout of ``json.dumps({"@context":
    …, "@graph": […]}, indent=1)`` (a string in JSON has no raw newline, so indenting a nested
    value is prefixing its lines)."""
    tally = Tally()
    turtle.write(_prefix_bytes() + b"\n")
    jsonld.write(('{\n "@context": ' + _json(context).replace("\n", "\n ") + ',\n "@graph": ').encode("utf-8"))
    nodes = 0

    def each_subject() -> Iterator[pyoxigraph.Triple]:
        nonlocal nodes
        for triples in dataset.subjects():
            nt.write(pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b"")
            turtle.write(_lines(_turtle_body(triples)))
            node = _json(_jsonld_node(triples, context)).replace("\n", "\n  ")
            jsonld.write((("[\n" if nodes == 0 else ",\n") + "  " + node).encode("utf-8"))
            nodes += 1
            for triple in triples:
                tally.add(triple)
            yield from triples  # to the RDF/XML writer, which groups a subject's triples itself

    pyoxigraph.serialize(each_subject(), rdfxml, format=pyoxigraph.RdfFormat.RDF_XML, prefixes=PREFIXES)
    jsonld.write(b"[]\n}\n" if nodes == 0 else b"\n ]\n}\n")
    return tally.statistics()


UNION = ("nt", "turtle", "jsonld", "rdfxml")


def write_exports(version: Path, dataset_path: Path, queries_dir: Path) -> dict[str, Any]:
    """Write every download into the (not yet published) build ``version``, streaming from the
    build's sorted dataset (two passes: per graph, then per subject of the union), so memory does
    not grow with the build; return what the manifest lists: of each download its file, media
    type, byte size and SHA-256 (``downloads``), and the VoID counts of the union (``statistics``,
    kg.catalog)."""
    folder = version / DOWNLOADS_DIR
    folder.mkdir(exist_ok=True)
    dataset = SortedDataset.scan(dataset_path)
    paths = {name: folder / download.file for name, download in DOWNLOADS.items()}
    with contextlib.ExitStack() as files:
        out = {name: files.enter_context(atomic_file(paths[name])) for name in ("nquads", "trig")}
        context = write_graphs(dataset, out["nquads"], out["trig"])
    with contextlib.ExitStack() as files:
        out = {name: files.enter_context(atomic_file(paths[name])) for name in UNION}
        statistics = write_union(dataset, context, *(out[name] for name in UNION))
    write_atomic(paths["context"], context_document(context))
    # The facts table is a query: on the build's own store (its default graph is the same union).
    write_atomic(paths["csv"], facts_csv(pyoxigraph.Store.read_only(str(version / STORE)), queries_dir))
    listed = {
        name: {
            "file": f"{DOWNLOADS_DIR}/{download.file}",
            "media_type": download.media_type,
            "bytes": paths[name].stat().st_size,
            "sha256": sha256(paths[name]),
            "title": download.title,
        }
        for name, download in DOWNLOADS.items()
    }
    return {"downloads": listed, "statistics": statistics.as_dict()}


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
    dataset = SortedDataset.scan(build.dataset_path)
    wanted = io.BytesIO()
    with open(os.devnull, "wb") as discard:

        def sink(made: str) -> BinaryIO:
            return wanted if made == name else discard

        context = write_graphs(dataset, sink("nquads"), sink("trig"))
        if name in UNION:
            write_union(dataset, context, *(sink(made) for made in UNION))
        elif name == "context":
            wanted.write(context_document(context))
        elif name == "csv":
            wanted.write(facts_csv(memory_store(build.dataset_path), queries_dir))
    return wanted.getvalue()
