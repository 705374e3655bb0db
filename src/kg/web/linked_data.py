"""Linked Data: every IRI of ours resolves here — HTML for browsers, RDF by Accept or ?format=.

``<base>id/<path>`` is served at ``/id/<path>``, the ontology at ``/ontology``, each named graph
at ``/graph/<path>``. Each HTML page links to its RDF with ``<link rel="alternate">``.
"""

from __future__ import annotations

import itertools
from urllib.parse import quote

from flask import Blueprint, Response, redirect, render_template, request

from kg.namespaces import BASE
from kg.sparql import formats
from kg.store.base import QueryRefused, QueryRequest
from kg.web import get_store
from kg.web.api import entity_json
from kg.web.data import iri_term, local_path, select, value

blueprint = Blueprint("linked_data", __name__)

RDF_TYPES = [formats.TURTLE, formats.JSONLD, formats.NTRIPLES, formats.RDFXML]
EXTENSIONS = {"ttl": formats.TURTLE, "jsonld": formats.JSONLD, "nt": formats.NTRIPLES, "rdf": formats.RDFXML}


def _wanted() -> str:
    requested = request.args.get("format")
    if requested:
        media_type = formats.canonical(EXTENSIONS.get(requested, requested))
        if media_type not in [*RDF_TYPES, "text/html", "html"]:
            raise QueryRefused(406, f"format {requested!r} is not available; use html, {', '.join(EXTENSIONS)}")
        return "text/html" if media_type == "html" else media_type
    return formats.negotiate(request.headers.get("Accept"), ["text/html", *RDF_TYPES]) or ""


def _describe(construct: str, media_type: str) -> Response:
    """The whole answer, streamed (a report's graph can be large); never cut."""
    chunks = get_store().stream(QueryRequest(construct, media_type))
    first = next(chunks, b"")  # a refusal is raised here, before the status is sent
    response = Response(itertools.chain([first], chunks), mimetype=media_type)
    response.charset = "utf-8"
    response.headers["Vary"] = "Accept"
    return response


def replacement(iri: str) -> str | None:
    """The IRI an id was merged into (``dct:isReplacedBy``, curated as ``replaced_by``), if any."""
    rows = select(get_store(), f"SELECT ?new WHERE {{ {iri_term(iri)} dct:isReplacedBy ?new }} LIMIT 1")
    return value(rows[0], "new") if rows else None


def _moved(new: str) -> Response:
    """301 to where the replacing IRI is served here, keeping the query (?format=…)."""
    location = local_path(new)
    other_args = [(k, v) for k, v in request.args.items(multi=True) if k != "iri"]
    if other_args:
        location += ("&" if "?" in location else "?") + "&".join(f"{quote(k)}={quote(v)}" for k, v in other_args)
    response = redirect(location, code=301)
    response.headers["Link"] = f'<{new}>; rel="canonical"'
    return response


def resource(iri: str) -> Response | str:
    new = replacement(iri)
    if new is not None:
        return _moved(new)
    media_type = _wanted()
    if not media_type:
        raise QueryRefused(406, f"acceptable: text/html, {', '.join(RDF_TYPES)}")
    if media_type != "text/html":
        term = iri_term(iri)
        return _describe(
            f"CONSTRUCT {{ {term} ?p ?o . ?s ?q {term} . ?o ?op ?ov }} WHERE {{ "
            f"{{ {term} ?p ?o OPTIONAL {{ ?o ?op ?ov FILTER (isBlank(?o)) }} }} UNION {{ ?s ?q {term} }} }}",
            media_type,
        )
    data = entity_json(iri)
    if data is None:
        raise QueryRefused(404, f"nothing is known about {iri}")
    return render_template("resource.html", entity=data, iri=iri, path=request.path)


@blueprint.get("/id/<path:rest>")
def identified(rest: str) -> Response | str:
    return resource(BASE + "id/" + rest)


@blueprint.get("/ontology")
def ontology() -> Response | str:
    media_type = _wanted()
    graph = BASE + "graph/ontology"
    if media_type == "text/html":
        return resource(BASE + "ontology")
    return _describe(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri_term(graph)} {{ ?s ?p ?o }} }}", media_type or formats.TURTLE
    )


@blueprint.get("/graph/<path:rest>")
def named_graph(rest: str) -> Response:
    graph = BASE + "graph/" + rest
    media_type = _wanted()
    if media_type in ("", "text/html"):
        media_type = formats.TURTLE
    return _describe(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri_term(graph)} {{ ?s ?p ?o }} }}", media_type)


@blueprint.get("/resource")
def any_resource() -> Response | str:
    """Any IRI in the store (ours or a vocabulary's), by ``?iri=``."""
    iri = request.args.get("iri", "")
    iri_term(iri)
    return resource(iri)
