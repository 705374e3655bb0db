"""Content negotiation, once for every view: which media type a request gets.

Every choice goes through :func:`kg.sparql.formats.choose` (an explicit Accept type, then the
first ``format=`` value the view can produce, then the Accept wildcards); the functions here only
say what each kind of view can produce and how it refuses."""

from __future__ import annotations

from collections.abc import Sequence

from flask import request

from kg.errors import QueryRefused
from kg.sparql import formats
from kg.sparql.guard import QueryInfo

HTML = "text/html"
# ?format= names of the Linked Data pages (besides "html" and the media types themselves).
EXTENSIONS = {"ttl": formats.TURTLE, "jsonld": formats.JSONLD, "nt": formats.NTRIPLES, "rdf": formats.RDFXML}


def choose(available: Sequence[str], is_graph: bool, format_values: Sequence[str] | None = None) -> str | None:
    """The best of ``available`` for this request, or None. ``format_values`` default to the
    query string's ``format=`` values (the SPARQL endpoint passes those of a form body too)."""
    values = request.args.getlist("format") if format_values is None else format_values
    return formats.choose(request.headers.get("Accept"), values, available, is_graph)


def query_answer_type(info: QueryInfo, format_values: Sequence[str]) -> str:
    """The media type of a SPARQL query's answer, or a 406 naming the acceptable ones."""
    if info.is_graph:
        choices = [formats.GRAPH_TYPES]
    elif info.form == "ASK":
        choices = [formats.BOOLEAN_TYPES, [formats.CSV, formats.TSV]]
    else:
        choices = [formats.RESULT_TYPES]
    for available in choices:
        media_type = choose(available, info.is_graph, format_values)
        if media_type:
            return media_type
    acceptable = ", ".join(choices[0])
    accept = request.headers.get("Accept")
    raise QueryRefused(406, f"cannot produce {accept!r} for this {info.form} query; acceptable: {acceptable}")


def rdf_type() -> str:
    """The RDF format of a description this server makes (service description, VoID), or a 406."""
    media_type = choose(formats.GRAPH_TYPES, True)
    if media_type is None:
        raise QueryRefused(406, f"acceptable formats: {', '.join(formats.GRAPH_TYPES)}")
    return media_type


def page_type() -> str:
    """HTML or an RDF format for a Linked Data page ("" when the Accept header allows neither).

    ``?format=`` is strict here (a person typed it): an unknown value is a 406 that lists the names."""
    requested = request.args.get("format")
    if requested:
        media_type = formats.canonical(EXTENSIONS.get(requested, requested))
        if media_type not in [*formats.GRAPH_TYPES, HTML, "html"]:
            raise QueryRefused(406, f"format {requested!r} is not available; use html, {', '.join(EXTENSIONS)}")
        return HTML if media_type == "html" else media_type
    return formats.negotiate(request.headers.get("Accept"), [HTML, *formats.GRAPH_TYPES]) or ""


def wants_csv() -> bool:
    """A table asked for as CSV (``?format=csv``); tables are JSON otherwise."""
    return request.args.get("format") == "csv"
