"""Media types, content negotiation and SPARQL result serialisers (JSON, XML, CSV, TSV)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph

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
GRAPH_TYPES = [TURTLE, NTRIPLES, JSONLD, RDFXML]
DATASET_TYPES = [TRIG, NQUADS, JSONLD]

# format= short names and the aliases clients send
ALIASES = {
    "json": JSON,
    "application/json": JSON,
    "srj": JSON,
    "xml": XML,
    "application/xml": XML,
    "srx": XML,
    "csv": CSV,
    "tsv": TSV,
    "turtle": TURTLE,
    "ttl": TURTLE,
    "application/x-turtle": TURTLE,
    "nt": NTRIPLES,
    "ntriples": NTRIPLES,
    "n-triples": NTRIPLES,
    "text/plain": NTRIPLES,
    "jsonld": JSONLD,
    "json-ld": JSONLD,
    "rdfxml": RDFXML,
    "rdf": RDFXML,
    "trig": TRIG,
    "nquads": NQUADS,
}

OXIGRAPH_RDF = {
    TURTLE: pyoxigraph.RdfFormat.TURTLE,
    NTRIPLES: pyoxigraph.RdfFormat.N_TRIPLES,
    JSONLD: pyoxigraph.RdfFormat.JSON_LD,
    RDFXML: pyoxigraph.RdfFormat.RDF_XML,
    TRIG: pyoxigraph.RdfFormat.TRIG,
    NQUADS: pyoxigraph.RdfFormat.N_QUADS,
}


def canonical(media_type: str) -> str:
    media_type = media_type.split(";")[0].strip().lower()
    return ALIASES.get(media_type, media_type)


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


def negotiate(accept: str | None, available: Sequence[str]) -> str | None:
    """The best of ``available`` for an Accept header (first of ``available`` wins ties), or None."""
    best: tuple[float, int, int] | None = None
    chosen = None
    for media_range, quality in parse_accept(accept):
        if media_range in ("*/*", "*"):
            candidates = list(available)
            specificity = 0
        elif media_range.endswith("/*"):
            candidates = [a for a in available if a.startswith(media_range[:-1])]
            specificity = 1
        else:
            target = canonical(media_range)
            candidates = [a for a in available if a == target]
            specificity = 2
        for candidate in candidates:
            rank = (quality, specificity, -available.index(candidate))
            if best is None or rank > best:
                best, chosen = rank, candidate
    return chosen


def _term_json(term: object) -> dict[str, str]:
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


def _term_tsv(term: object) -> str:
    return "" if term is None else str(term)


def _term_xml(term: object) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def serialize_select(variables: list[str], rows: Iterable[Sequence[object]], media_type: str) -> bytes:
    return b"".join(select_pieces(variables, rows, media_type))


def select_pieces(variables: list[str], rows: Iterable[Sequence[object]], media_type: str) -> Iterator[bytes]:
    """A SELECT result document in pieces (head, one piece per row, tail), for streaming."""
    if media_type == JSON:
        head = json.dumps({"head": {"vars": variables}}, ensure_ascii=False).encode()
        yield head[:-1] + b', "results": {"bindings": ['
        separator = b""
        for row in rows:
            binding = {name: _term_json(term) for name, term in zip(variables, row, strict=True) if term is not None}
            yield separator + json.dumps(binding, ensure_ascii=False).encode()
            separator = b", "
        yield b"]}}"
    elif media_type == XML:
        head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
        yield (
            f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>{head}</head><results>'
        ).encode()
        for row in rows:
            bindings = "".join(
                f"<binding name={quoteattr(name)}>{_term_xml(term)}</binding>"
                for name, term in zip(variables, row, strict=True)
                if term is not None
            )
            yield f"<result>{bindings}</result>".encode()
        yield b"</results></sparql>"
    elif media_type == CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        yield buffer.getvalue().encode()
        for row in rows:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(["" if t is None else t.value for t in row])  # type: ignore[attr-defined]
            yield buffer.getvalue().encode()
    elif media_type == TSV:
        yield ("\t".join(f"?{v}" for v in variables) + "\n").encode()
        for row in rows:
            yield ("\t".join(_term_tsv(t) for t in row) + "\n").encode()
    else:
        raise ValueError(media_type)


def serialize_ask(value: bool, media_type: str) -> bytes:
    if media_type == JSON:
        return json.dumps({"head": {}, "boolean": value}).encode()
    if media_type == XML:
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>"
        ).encode()
    if media_type in (CSV, TSV):
        return b"_askResult\n" + (b"true\n" if value else b"false\n")
    raise ValueError(media_type)
