"""``/catalog`` (and ``/void``, the same graph): the DCAT catalog and VoID description of the
dataset (``kg.catalog``), as Turtle, JSON-LD, N-Triples or RDF/XML by negotiation. Every
response links to it (``Link: </catalog>; rel="describedby"``)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from kg.catalog import Statistics, catalog_graph, statistics
from kg.web.context import get_store, views
from kg.web.negotiation import rdf_type
from kg.web.renderers import render_rdf

blueprint = Blueprint("catalog", __name__)


def _statistics() -> Statistics:
    """Counted once per store version (a scan of the whole union)."""
    return views().get("catalog:statistics", lambda: statistics(get_store()))


@blueprint.get("/catalog")
def catalog() -> Response:
    root = request.url_root.rstrip("/")
    return render_rdf(catalog_graph(root, _statistics(), get_store().describe()), rdf_type())


@blueprint.after_app_request
def described_by(response: Response) -> Response:
    response.headers.add("Link", '</catalog>; rel="describedby"; type="text/turtle"')
    return response
