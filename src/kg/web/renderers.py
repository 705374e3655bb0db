"""One renderer per format, shared by every view: JSON, CSV, RDF (Turtle, N-Triples, JSON-LD,
RDF/XML) from a graph, a streamed store answer, and HTML. Views decide *what* to answer
(read models) and *in which format* (``kg.web.negotiation``); only this module writes bodies."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from flask import Response, jsonify, render_template, request
from rdflib import Graph

from kg import csvout
from kg.sparql import formats

RDFLIB_FORMATS = {
    formats.TURTLE: "turtle",
    formats.NTRIPLES: "nt",
    formats.JSONLD: "json-ld",
    formats.RDFXML: "xml",
}


def render_json(data: Mapping[str, Any]) -> Response:
    return jsonify(dict(data))


def render_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> Response:
    """A table as CSV (kg.csvout, the one CSV form); ``?bom=1`` adds the byte-order mark spreadsheet
    programs need to read the Chinese as UTF-8."""
    body = csvout.write_dicts(columns, rows, bom=request.args.get("bom") == "1")
    return Response(body, content_type=csvout.MEDIA_TYPE)


def render_table(
    name: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str], as_csv: bool, **more: Any
) -> Response:
    """A table view: CSV of ``columns``, or JSON with the rows under ``name`` and ``more`` beside them."""
    if as_csv:
        return render_csv(rows, columns)
    return render_json({**more, name: list(rows)})


def render_rdf(graph: Graph, media_type: str) -> Response:
    """A graph this server made (service description, VoID), in one of ``formats.GRAPH_TYPES``."""
    return Response(graph.serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8"), mimetype=media_type)


def render_stream(chunks: Iterator[bytes], media_type: str) -> Response:
    """A store's answer, streamed whole (a report's graph can be large; it is never cut). The first
    chunk is taken before the response starts, so that a refusal still becomes a proper error."""
    first = next(chunks, b"")
    response = Response(itertools.chain([first], chunks), mimetype=media_type)
    response.headers["Vary"] = "Accept"
    return response


def render_html(template: str, **context: Any) -> str:
    return render_template(template, **context)
