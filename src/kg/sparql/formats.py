"""Media types, content negotiation and SPARQL result serialisers (JSON, XML, CSV, TSV)."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, Protocol, cast

import pyoxigraph

from kg import csvout

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
TRIG = "application/trig"
NQUADS = "application/n-quads"

RESULT_TYPES = [JSON, XML, CSV, TSV]
# ASK answers in the formats that define booleans; CSV and TSV only when nothing else is acceptable.
BOOLEAN_TYPES = [JSON, XML]
GRAPH_TYPES = [TURTLE, NTRIPLES, JSONLD, RDFXML]
DATASET_TYPES = [TRIG, NQUADS, JSONLD]

# format= short names and the aliases clients send (SPARQLWrapper sends its own names, and its
# Accept values, several at once). The same name means a results format for SELECT and ASK and an
# RDF format for CONSTRUCT and DESCRIBE: "json" is JSON-LD for a graph, "xml" is RDF/XML.
ALIASES = {
    "json": JSON,
    "application/json": JSON,
    "text/javascript": JSON,
    "application/javascript": JSON,
    "srj": JSON,
    "xml": XML,
    "application/xml": XML,
    "srx": XML,
    "csv": CSV,
    "tsv": TSV,
    "turtle": TURTLE,
    "ttl": TURTLE,
    "n3": TURTLE,
    "text/n3": TURTLE,
    "application/n3": TURTLE,
    "text/rdf+n3": TURTLE,
    "application/turtle": TURTLE,
    "application/x-turtle": TURTLE,
    "nt": NTRIPLES,
    "ntriples": NTRIPLES,
    "n-triples": NTRIPLES,
    "text/plain": NTRIPLES,
    "jsonld": JSONLD,
    "json-ld": JSONLD,
    "application/x-json+ld": JSONLD,
    "rdfxml": RDFXML,
    "rdf": RDFXML,
    "rdf+xml": RDFXML,
    "trig": TRIG,
    "nquads": NQUADS,
}
GRAPH_ALIASES = {JSON: JSONLD, XML: RDFXML}

OXIGRAPH_RDF = {
    TURTLE: pyoxigraph.RdfFormat.TURTLE,
    NTRIPLES: pyoxigraph.RdfFormat.N_TRIPLES,
    JSONLD: pyoxigraph.RdfFormat.JSON_LD,
    RDFXML: pyoxigraph.RdfFormat.RDF_XML,
    TRIG: pyoxigraph.RdfFormat.TRIG,
    NQUADS: pyoxigraph.RdfFormat.N_QUADS,
}


def canonical(media_type: str, is_graph: bool = False) -> str:
    media_type = media_type.split(";")[0].strip().lower()
    media_type = ALIASES.get(media_type, media_type)
    return GRAPH_ALIASES.get(media_type, media_type) if is_graph else media_type


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q-values, best first; q=0 ranges are dropped."""
    if not header:
        return [("*/*", 1.0)]
    ranges = []
    for index, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        quality = 1.0
        for param in pieces[1:]:
            if param.lower().startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranges.append((pieces[0].lower(), quality, -index))
    ranges.sort(key=lambda r: (r[1], r[0].count("*") == 0, r[2]), reverse=True)
    return [(media, quality) for media, quality, _ in ranges]


def negotiate(
    accept: str | None, available: Sequence[str], is_graph: bool = False, explicit_only: bool = False
) -> str | None:
    """The best of ``available`` for an Accept header (first of ``available`` wins ties), or None.

    With ``explicit_only``, only media types the header names count, not ``*/*`` or ``text/*``."""
    best: tuple[float, int, int] | None = None
    chosen = None
    for media_range, quality in parse_accept(accept):
        if media_range.endswith("*") and explicit_only:
            continue
        if media_range in ("*/*", "*"):
            candidates = list(available)
            specificity = 0
        elif media_range.endswith("/*"):
            candidates = [a for a in available if a.startswith(media_range[:-1])]
            specificity = 1
        else:
            target = canonical(media_range, is_graph)
            candidates = [a for a in available if a == target]
            specificity = 2
        for candidate in candidates:
            rank = (quality, specificity, -available.index(candidate))
            if best is None or rank > best:
                best, chosen = rank, candidate
    return chosen


def choose(accept: str | None, format_values: Sequence[str], available: Sequence[str], is_graph: bool) -> str | None:
    """The media type to answer in, or None (406).

    A type the Accept header names explicitly wins; then the first ``format=`` value the server can
    produce (values it cannot produce or does not know are ignored, as clients send several);
    then the Accept header's wildcards."""
    explicit = negotiate(accept, available, is_graph, explicit_only=True)
    if explicit:
        return explicit
    for value in format_values:
        for name in value.split(","):
            media_type = canonical(name, is_graph)
            if media_type in available:
                return media_type
    return negotiate(accept, available, is_graph)


def term_json(term: object) -> dict[str, str]:
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


XSD = "http://www.w3.org/2001/XMLSchema#"
# Turtle's abbreviated number forms (TSV writes numbers as Turtle does: 42, 1.5, 1.0E6).
NUMBER_FORMS = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
}
# Characters XML 1.0 cannot carry at all, even as character references.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
XML_TEXT_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}  # a raw CR would be read as LF
XML_TEXT = str.maketrans(XML_TEXT_ESCAPES)
XML_ATTRIBUTE = str.maketrans({**XML_TEXT_ESCAPES, '"': "&quot;", "\n": "&#10;", "\t": "&#9;"})


class UnencodableResult(ValueError):
    """A result that the requested format cannot represent; the message says which format can."""


def _term_csv(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    return term.value  # type: ignore[attr-defined,no-any-return]


def _term_tsv(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.Literal):
        form = NUMBER_FORMS.get(term.datatype.value)
        if form is not None and form.fullmatch(term.value):
            return term.value
    return str(term)


def _xml(value: str, escapes: dict[int, str]) -> str:
    bad = NOT_IN_XML.search(value)
    if bad:
        raise UnencodableResult(
            f"the result holds the character U+{ord(bad.group()):04X}, which XML 1.0 cannot carry; "
            "ask for application/sparql-results+json, text/csv or text/tab-separated-values instead"
        )
    return value.translate(escapes)


def _attribute(value: str) -> str:
    return '"' + _xml(value, XML_ATTRIBUTE) + '"'


def _term_xml(term: object) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return f"<uri>{_xml(term.value, XML_TEXT)}</uri>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"<bnode>{_xml(term.value, XML_TEXT)}</bnode>"
    if isinstance(term, pyoxigraph.Literal):
        text = _xml(term.value, XML_TEXT)
        if term.language:
            return f"<literal xml:lang={_attribute(term.language)}>{text}</literal>"
        if term.datatype.value != XSD + "string":
            return f"<literal datatype={_attribute(term.datatype.value)}>{text}</literal>"
        return f"<literal>{text}</literal>"
    return f"<literal>{_xml(str(term), XML_TEXT)}</literal>"


def serialize_select(variables: list[str], rows: Iterable[Sequence[object]], media_type: str) -> bytes:
    return b"".join(select_pieces(variables, rows, media_type))


def select_pieces(variables: list[str], rows: Iterable[Sequence[object]], media_type: str) -> Iterator[bytes]:
    """A SELECT result document in pieces (head, one piece per row, tail), for streaming."""
    if media_type == JSON:
        head = json.dumps({"head": {"vars": variables}}, ensure_ascii=False).encode()
        yield head[:-1] + b', "results": {"bindings": ['
        separator = b""
        for row in rows:
            binding = {name: term_json(term) for name, term in zip(variables, row, strict=True) if term is not None}
            yield separator + json.dumps(binding, ensure_ascii=False).encode()
            separator = b", "
        yield b"]}}"
    elif media_type == XML:
        declared = "".join(f"<variable name={_attribute(v)}/>" for v in variables)
        yield (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head>{declared}</head><results>"
        ).encode()
        for row in rows:
            bindings = "".join(
                f"<binding name={_attribute(name)}>{_term_xml(term)}</binding>"
                for name, term in zip(variables, row, strict=True)
                if term is not None
            )
            yield f"<result>{bindings}</result>".encode()
        yield b"</results></sparql>"
    elif media_type == CSV:  # lexical forms, as the SPARQL 1.1 CSV format defines them
        yield from csvout.lines(variables, ([_term_csv(t) for t in row] for row in rows))
    elif media_type == TSV:
        yield ("\t".join(f"?{v}" for v in variables) + "\n").encode()
        for row in rows:
            yield ("\t".join(_term_tsv(t) for t in row) + "\n").encode()
    else:
        raise ValueError(media_type)


def serialize_ask(value: bool, media_type: str) -> bytes:
    word = "true" if value else "false"
    if media_type == JSON:
        return json.dumps({"head": {}, "boolean": value}).encode()
    if media_type == XML:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{word}</boolean></sparql>"
        ).encode()
    if media_type == CSV:  # not defined by the CSV/TSV Recommendation; written as Oxigraph does
        return f"_askResult\r\n{word}\r\n".encode()
    if media_type == TSV:
        return f"?_askResult\n{word}\n".encode()
    raise ValueError(media_type)


class TooManyRows(Exception):
    """A result with more rows (or triples) than the operator's cap: refused, never shortened."""


class Writer(Protocol):
    """A binary file-like target (pyoxigraph's serialiser calls both)."""

    def write(self, data: bytes) -> int: ...

    def flush(self) -> None: ...


def _within(items: Iterator[Any], cap: int) -> Iterable[Any]:
    """``items`` unchanged, or, under a cap, the first ``cap`` of them after checking there are
    no more (so a result over the cap is refused before anything is written)."""
    if not cap:
        return items
    head = list(itertools.islice(items, cap + 1))
    if len(head) > cap:
        raise TooManyRows
    return head


def write_results(results: Any, media_type: str, out: Writer, max_rows: int, prefixes: dict[str, str]) -> None:
    """Write query results (pyoxigraph's, or a remote store's answer parsed into the same shapes:
    a boolean, solutions with ``variables``, or triples) to ``out`` as ``media_type``.

    Every store answers through here, so a result reads the same whatever engine computed it.
    ``max_rows`` (0: no cap) refuses a larger result with :class:`TooManyRows`."""
    if isinstance(results, bool | pyoxigraph.QueryBoolean):
        out.write(serialize_ask(bool(results), media_type))
    elif hasattr(results, "variables"):
        variables = [v.value for v in results.variables]
        for piece in select_pieces(variables, _within(iter(results), max_rows), media_type):
            out.write(piece)
    else:
        rdf_format = OXIGRAPH_RDF[media_type]
        kept = prefixes if rdf_format == pyoxigraph.RdfFormat.TURTLE else None
        # pyoxigraph writes to any object with write() and flush(); its stub names IO[bytes].
        pyoxigraph.serialize(_within(iter(results), max_rows), cast(IO[bytes], out), rdf_format, prefixes=kept)
