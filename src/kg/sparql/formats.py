"""Media types, content negotiation and SPARQL result serialisers (JSON, XML, CSV, TSV)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph

from kg.namespaces import PREFIXES

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


def serialize_select(variables: list[str], rows: list[list[object]], media_type: str) -> bytes:
    if media_type == JSON:
        bindings = [
            {name: _term_json(term) for name, term in zip(variables, row, strict=True) if term is not None}
            for row in rows
        ]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}}, ensure_ascii=False).encode()
    if media_type == XML:
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out.extend(f"<variable name={quoteattr(v)}/>" for v in variables)
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            out.extend(
                f"<binding name={quoteattr(name)}>{_term_xml(term)}</binding>"
                for name, term in zip(variables, row, strict=True)
                if term is not None
            )
            out.append("</result>")
        out.append("</results></sparql>")
        return "".join(out).encode()
    if media_type == CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([["" if t is None else t.value for t in row] for row in rows])
        return buffer.getvalue().encode()
    if media_type == TSV:
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines.extend("\t".join(_term_tsv(t) for t in row) for row in rows)
        return ("\n".join(lines) + "\n").encode()
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


def write_results(results: object, media_type: str, max_rows: int) -> tuple[bytes, bool]:
    """Serialise pyoxigraph query results (solutions, a boolean or triples) as ``media_type``, at
    most ``max_rows`` rows or triples; the flag says whether rows were left out.

    Every store answers through here, so a result reads the same whatever engine computed it."""
    if isinstance(results, (bool, pyoxigraph.QueryBoolean)):
        return serialize_ask(bool(results), media_type), False
    if hasattr(results, "variables"):  # solutions: pyoxigraph's, or a remote store's parsed answer
        variables = [v.value for v in results.variables]
        rows: list[list[object]] = []
        for solution in results:  # type: ignore[attr-defined]
            if len(rows) == max_rows:
                return serialize_select(variables, rows, media_type), True
            rows.append(list(solution))
        return serialize_select(variables, rows, media_type), False
    triples: list[pyoxigraph.Triple] = []
    truncated = False
    for triple in results:  # type: ignore[attr-defined]
        if len(triples) == max_rows:
            truncated = True
            break
        triples.append(triple)
    rdf_format = OXIGRAPH_RDF[media_type]
    options = {"prefixes": PREFIXES} if rdf_format == pyoxigraph.RdfFormat.TURTLE else {}
    return (pyoxigraph.serialize(triples, format=rdf_format, **options) if triples else b""), truncated
