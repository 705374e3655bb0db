"""Linked Data: every IRI of ours resolves here — HTML for browsers, RDF by Accept or ?format=.

``<base>id/<path>`` is served at ``/id/<path>``, the ontology at ``/ontology``, each named graph
at ``/graph/<path>``. Each HTML page links to its RDF with ``<link rel="alternate">``.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from kg.errors import QueryRefused
from kg.namespaces import BASE, GRAPH, ID, ONTOLOGY_GRAPH
from kg.sparql import formats
from kg.store.base import QueryRequest
from kg.web.context import get_store
from kg.web.negotiation import HTML, page_type
from kg.web.paths import local_path
from kg.web.readmodels import entity as entities
from kg.web.readmodels.query import iri_term
from kg.web.renderers import render_html, render_stream
from kg.web.views.api import entity_data

blueprint = Blueprint("linked_data", __name__)


def _rdf(construct: str, media_type: str) -> Response:
    return render_stream(get_store().stream(QueryRequest(construct, media_type)), media_type)


def _moved(new: str) -> BaseResponse:
    """301 to where the replacing IRI is served here, keeping the query (?format=…)."""
    location = local_path(new)
    other_args = [(k, v) for k, v in request.args.items(multi=True) if k != "iri"]
    if other_args:
        location += ("&" if "?" in location else "?") + "&".join(f"{quote(k)}={quote(v)}" for k, v in other_args)
    response = redirect(location, code=301)
    response.headers["Link"] = f'<{new}>; rel="canonical"'
    return response


def resource(iri: str) -> BaseResponse | str:
    new = entities.replacement(get_store(), iri)
    if new is not None:
        return _moved(new)
    media_type = page_type()
    if not media_type:
        raise QueryRefused(406, f"acceptable: {HTML}, {', '.join(formats.GRAPH_TYPES)}")
    if media_type != HTML:
        return _rdf(entities.description_query(iri), media_type)
    return render_html("resource.html", entity=entity_data(iri), iri=iri, path=request.path)


@blueprint.get("/id/<path:rest>")
def identified(rest: str) -> BaseResponse | str:
    return resource(str(ID) + rest)


@blueprint.get("/ontology")
def ontology() -> BaseResponse | str:
    media_type = page_type()
    if media_type == HTML:
        return resource(BASE + "ontology")
    return _rdf(entities.graph_query(str(ONTOLOGY_GRAPH)), media_type or formats.TURTLE)


@blueprint.get("/graph/<path:rest>")
def named_graph(rest: str) -> Response:
    media_type = page_type()
    if media_type in ("", HTML):
        media_type = formats.TURTLE
    return _rdf(entities.graph_query(str(GRAPH) + rest), media_type)


@blueprint.get("/resource")
def any_resource() -> BaseResponse | str:
    """Any IRI in the store (ours or a vocabulary's), by ``?iri=``."""
    iri = request.args.get("iri", "")
    iri_term(iri)
    return resource(iri)
