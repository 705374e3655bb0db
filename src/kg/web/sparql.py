"""The SPARQL 1.1 Protocol endpoint at /sparql, its service description, and the VoID description."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator

from flask import Blueprint, Response, current_app, redirect, request, url_for
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from kg.namespaces import BASE, SD, VOID, bind_prefixes
from kg.sparql import formats
from kg.sparql.guard import inspect
from kg.store.base import QueryRefused, QueryRequest, QueryResult
from kg.web import error_response, get_settings, get_store

# Answers up to this size are kept in the query cache; larger ones are streamed and not kept.
CACHE_MAX_BYTES = 1 << 20

blueprint = Blueprint("sparql", __name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept, Authorization, X-API-Key, If-None-Match",
    "Access-Control-Expose-Headers": "ETag",
    "Access-Control-Max-Age": "86400",
}


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise QueryRefused(400, f"the request has {len(values)} '{name}' parameters; send exactly one")
    return values[0] if values else None


def _read_request() -> tuple[str | None, list[str], list[str]]:
    """The query text and dataset parameters, from GET, a form POST or a direct POST."""
    args = request.args
    if request.method == "GET":
        if "update" in args:
            raise QueryRefused(403, "this endpoint is read-only: updates are refused (and never accepted by GET)")
        query = _single(args.getlist("query"), "query")
        return query, args.getlist("default-graph-uri"), args.getlist("named-graph-uri")
    content_type = (request.mimetype or "").lower()
    if content_type in FORM_TYPES:
        form = request.form
        if "update" in form:
            raise QueryRefused(403, "this endpoint is read-only: SPARQL updates are refused")
        query = _single(form.getlist("query") + args.getlist("query"), "query")
        return (
            query,
            form.getlist("default-graph-uri") + args.getlist("default-graph-uri"),
            form.getlist("named-graph-uri") + args.getlist("named-graph-uri"),
        )
    if content_type == "application/sparql-query":
        if "query" in args:
            raise QueryRefused(400, "send the query either in the body or as ?query=, not both")
        try:
            body = request.get_data(cache=False).decode(request.mimetype_params.get("charset", "utf-8"))
        except (UnicodeDecodeError, LookupError):
            raise QueryRefused(400, "the request body is not valid UTF-8") from None
        return body, args.getlist("default-graph-uri"), args.getlist("named-graph-uri")
    if content_type == "application/sparql-update":
        raise QueryRefused(403, "this endpoint is read-only: SPARQL updates are refused")
    raise QueryRefused(
        400,
        f"unsupported Content-Type {content_type or '(none)'!r} for POST: use "
        "application/sparql-query or application/x-www-form-urlencoded",
    )


def _choose_type(is_graph: bool) -> str:
    available = formats.GRAPH_TYPES if is_graph else formats.RESULT_TYPES
    requested = request.values.get("format")
    if requested:
        media_type = formats.canonical(requested)
        if media_type not in available:
            raise QueryRefused(
                406, f"format {requested!r} is not available for this query; use one of {', '.join(available)}"
            )
        return media_type
    media_type = formats.negotiate(request.headers.get("Accept"), available)
    if media_type is None:
        raise QueryRefused(
            406,
            f"cannot produce {request.headers.get('Accept')!r} for this query; acceptable: {', '.join(available)}",
        )
    return media_type


def answer(request_: QueryRequest) -> Response:
    """The whole answer, streamed from the store, through the cache; the ETag names the content
    version and the request, so it stays the same across a rebuild of unchanged data."""
    store = get_store()
    cache = current_app.extensions["kg.cache"]
    version = store.version()
    key = f"{version}:{request_.key()}"
    etag = hashlib.sha256(key.encode()).hexdigest()[:32]
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        cached = cache.get(key)
        if cached is not None:
            body: Iterable[bytes] = [cached.body]
        else:
            chunks = store.stream(request_)
            first = next(chunks, b"")  # a refusal (syntax, time limit, row cap) is raised here, before any header

            def keep(whole: bytes) -> None:  # runs after the view returned: no app context, hence the closure
                if store.version() == version:  # not an answer of the old build under the new one's key
                    cache.put(key, QueryResult(whole, request_.media_type))

            body = _kept(itertools.chain([first], chunks), keep)
        response = Response(body, mimetype=request_.media_type)
        if request_.media_type.startswith("text/") or request_.media_type.endswith(("json", "xml")):
            response.charset = "utf-8"
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Vary"] = "Accept"
    return response


def _kept(chunks: Iterator[bytes], keep: Callable[[bytes], None]) -> Iterator[bytes]:
    """The chunks, passed on as they come; a small answer is also handed to ``keep`` once complete."""
    kept: list[bytes] | None = []
    size = 0
    for chunk in chunks:
        if kept is not None:
            size += len(chunk)
            kept = [*kept, chunk] if size <= CACHE_MAX_BYTES else None
        yield chunk
    if kept is not None:
        keep(b"".join(kept))


@blueprint.route("/sparql", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
def endpoint() -> Response:
    if request.method == "OPTIONS":  # CORS preflight; the headers are added by cors()
        return Response(status=204)
    query, default_graphs, named_graphs = _read_request()
    if query is None:
        if request.method == "GET" and request.accept_mimetypes.accept_html and not request.args:
            best = request.accept_mimetypes.best_match(["text/html", *formats.GRAPH_TYPES])
            if best == "text/html":
                return redirect(url_for("pages.query_editor"))
        return service_description()
    if not query.strip():
        raise QueryRefused(400, "the query is empty")
    info = inspect(query)
    media_type = _choose_type(info.is_graph)
    request_ = QueryRequest(
        query, media_type, tuple(default_graphs), tuple(named_graphs), max_rows=get_settings().max_rows
    )
    return answer(request_)


@blueprint.route("/sparql", methods=["PUT", "DELETE", "PATCH"], provide_automatic_options=False)
def refuse_write() -> Response:
    response = error_response(405, "this endpoint is read-only: use GET or POST with a SPARQL query")
    response.headers["Allow"] = "GET, POST, OPTIONS"
    return response


@blueprint.after_app_request
def cors(response: Response) -> Response:
    if request.path.startswith(("/sparql", "/api/", "/void", "/id/", "/ontology")):
        for name, value in CORS_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def _rdf_response(graph: Graph) -> Response:
    available = formats.GRAPH_TYPES
    requested = request.args.get("format")
    media_type = (
        formats.canonical(requested) if requested else formats.negotiate(request.headers.get("Accept"), available)
    )
    if media_type not in available:
        raise QueryRefused(406, f"acceptable formats: {', '.join(available)}")
    rdflib_format = {
        formats.TURTLE: "turtle",
        formats.NTRIPLES: "nt",
        formats.JSONLD: "json-ld",
        formats.RDFXML: "xml",
    }[media_type]
    response = Response(graph.serialize(format=rdflib_format, encoding="utf-8"), mimetype=media_type)
    response.charset = "utf-8"
    return response


def service_description() -> Response:
    """A SPARQL 1.1 Service Description of this endpoint."""
    graph = bind_prefixes(Graph())
    graph.bind("sd", str(SD))
    graph.bind("void", str(VOID))
    endpoint_iri = URIRef(request.url_root.rstrip("/") + "/sparql")
    service = URIRef(endpoint_iri + "#service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, endpoint_iri))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for format_name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    ):
        graph.add((service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/" + format_name)))
    dataset = BNode("dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default_graph = BNode("defaultGraph")
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    description = get_store().describe()
    # The default graph is the union of the named graphs, as a set: its distinct triples.
    graph.add((default_graph, VOID.triples, Literal(int(description.get("triples", 0)), datatype=XSD.integer)))
    for name in description.get("graphs", []):  # type: ignore[union-attr]
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, SD.name, URIRef(str(name))))
    graph.add(
        (
            service,
            DCTERMS.description,
            Literal(
                "Read-only SPARQL 1.1 endpoint. The default graph is the union of every named graph "
                "(reports, vocabularies, ontology). SERVICE and updates are refused.",
                lang="en",
            ),
        )
    )
    return _rdf_response(graph)


@blueprint.get("/void")
def void() -> Response:
    """A VoID description of the dataset, one subset per named graph."""
    graph = bind_prefixes(Graph())
    graph.bind("void", str(VOID))
    root = request.url_root.rstrip("/")
    dataset = URIRef(root + "/void#dataset")
    description = get_store().describe()
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("CNKG: Chinese government reports knowledge graph", lang="en")))
    graph.add((dataset, DCTERMS.title, Literal("中国政府报告知识图谱", lang="zh")))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(root + "/sparql")))
    graph.add((dataset, VOID.uriSpace, Literal(BASE + "id/")))
    # Each statement once: the distinct triples of the union (the quads of the named graphs are
    # counted by the subsets, one per report graph).
    graph.add((dataset, VOID.triples, Literal(int(description.get("triples", 0)), datatype=XSD.integer)))
    for fmt in ("turtle", "nt", "jsonld", "trig", "csv"):
        graph.add((dataset, VOID.dataDump, URIRef(f"{root}/download/{fmt}")))
    for report in description.get("reports", []):  # type: ignore[union-attr]
        subset = URIRef(f"{root}/void#{report['id']}")
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, VOID.triples, Literal(int(report["triples"]), datatype=XSD.integer)))
        graph.add((subset, DCTERMS.source, URIRef(report["graph"])))
    return _rdf_response(graph)
