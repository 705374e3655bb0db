"""The SPARQL 1.1 Protocol endpoint at /sparql, its service description, and the VoID description."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from flask import Blueprint, Response, redirect, request, url_for
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD
from werkzeug.wrappers import Response as BaseResponse

from kg import csvout
from kg.errors import QueryRefused
from kg.namespaces import BASE, SD, VOID, bind_prefixes
from kg.sparql import formats
from kg.sparql.guard import QueryInfo, inspect, refuse_update
from kg.store.base import QueryRequest, QueryResult
from kg.web.context import error_response, get_settings, get_store, query_cache
from kg.web.negotiation import query_answer_type, rdf_type
from kg.web.renderers import render_rdf
from kg.web.views import catalog

# Answers up to this size are kept in the query cache; larger ones are streamed and not kept.
CACHE_MAX_BYTES = 1 << 20

blueprint = Blueprint("sparql", __name__)

FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept, Authorization, X-API-Key, If-None-Match",
    "Access-Control-Expose-Headers": "ETag",
    "Access-Control-Max-Age": "86400",
}
# Characters that cannot appear in an IRI reference: a base IRI built from the Host header with
# one of them is not used (the configured base IRI is).
NOT_IN_IRI = re.compile(r'[<>"{}|^`\\\x00-\x20]')


@dataclass
class ProtocolRequest:
    """The operation of a SPARQL Protocol request, read strictly (UTF-8 only)."""

    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format_values: list[str] = field(default_factory=list)


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise QueryRefused(
            400, f"the {what} is not valid UTF-8 (byte {error.start}); the SPARQL Protocol carries UTF-8 only"
        ) from None


def _parameters(raw: bytes, what: str) -> list[tuple[str, str]]:
    """application/x-www-form-urlencoded pairs; invalid UTF-8, raw or percent-encoded, is refused."""
    try:
        return parse_qsl(_utf8(raw, what), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise QueryRefused(
            400, f"the {what} has percent-encoded bytes that are not UTF-8; encode the text as UTF-8 first"
        ) from None


def _single(pairs: list[tuple[str, str]], name: str) -> str | None:
    values = [value for key, value in pairs if key == name]
    if len(values) > 1:
        raise QueryRefused(400, f"the request has {len(values)} '{name}' parameters; send exactly one")
    return values[0] if values else None


def _declared_utf8(kind: str) -> None:
    charset = request.mimetype_params.get("charset", "utf-8").strip().lower()
    if charset not in ("utf-8", "utf8"):
        raise QueryRefused(400, f"the {kind} body declares charset={charset}; the SPARQL Protocol accepts UTF-8 only")


def _read_request() -> ProtocolRequest:
    """The operation and dataset, from GET (or HEAD), a form POST or a direct POST."""
    pairs = _parameters(request.query_string, "query string")
    if request.method == "POST":
        content_type = (request.mimetype or "").lower()
        if content_type == FORM_TYPE:
            _declared_utf8("form")
            pairs += _parameters(request.get_data(cache=False), "form body")
        elif content_type in (QUERY_TYPE, UPDATE_TYPE):
            _declared_utf8("query" if content_type == QUERY_TYPE else "update")
            name = "query" if content_type == QUERY_TYPE else "update"
            if any(key in ("query", "update") for key, _ in pairs):
                raise QueryRefused(400, f"send the {name} either in the body or as a parameter, not both")
            pairs.append((name, _utf8(request.get_data(cache=False), f"{name} body")))
        else:
            raise QueryRefused(
                400,
                f"unsupported Content-Type {content_type or '(none)'!r} for POST: use {QUERY_TYPE} or {FORM_TYPE}",
            )
    operation = ProtocolRequest(
        query=_single(pairs, "query"),
        update=_single(pairs, "update"),
        default_graphs=[value for key, value in pairs if key == "default-graph-uri"],
        named_graphs=[value for key, value in pairs if key == "named-graph-uri"],
        format_values=[value for key, value in pairs if key == "format"],
    )
    if operation.query is not None and operation.update is not None:
        raise QueryRefused(400, "a request carries either a query or an update, not both")
    return operation


def _service_base() -> str:
    """The base IRI of the service: the endpoint's own URL (Protocol §2.3)."""
    base = request.url_root.rstrip("/") + "/sparql"
    return BASE + "sparql" if NOT_IN_IRI.search(base) else base


def _with_base(query: str, info: QueryInfo) -> tuple[str, QueryInfo]:
    """Relative IRIs resolve against the endpoint: a BASE declaration before the query's own prologue
    (a BASE in the query still wins). The guard then checks the text the store will run."""
    if not info.needs_service_base:
        return query, info
    based = f"BASE <{_service_base()}> {query}"  # same line: the store's error positions stay right
    return based, inspect(based)


def answer(request_: QueryRequest) -> Response:
    """The whole answer, streamed from the store, through the cache; the ETag names the content
    version and the request, so it stays the same across a rebuild of unchanged data."""
    store = get_store()
    cache = query_cache()
    version = store.version()
    key = f"{version}:{request_.key()}"
    # ?bom=1 on CSV: the byte-order mark spreadsheet programs need to read the text as UTF-8.
    bom = csvout.BOM.encode() if request_.media_type == formats.CSV and request.args.get("bom") == "1" else b""
    etag = hashlib.sha256(key.encode()).hexdigest()[:32] + ("-bom" if bom else "")
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
        if bom:
            body = itertools.chain([bom], body)
        response = Response(body, mimetype=request_.media_type)
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


@blueprint.route("/sparql", methods=["GET", "HEAD", "POST", "OPTIONS"], provide_automatic_options=False)
def endpoint() -> BaseResponse:
    if request.method == "OPTIONS":  # CORS preflight; the headers are added by cors()
        return Response(status=204)
    operation = _read_request()
    if operation.update is not None:
        refuse_update(operation.update)  # a 403, or a 400 with the parser's message
    query = operation.query
    if query is None:
        if request.method == "GET" and request.accept_mimetypes.accept_html and not request.args:
            best = request.accept_mimetypes.best_match(["text/html", *formats.GRAPH_TYPES])
            if best == "text/html":
                return redirect(url_for("pages.query_editor"))
        return service_description()
    if not query.strip():
        raise QueryRefused(400, "the query is empty")
    query, info = _with_base(query, inspect(query))
    media_type = query_answer_type(info, operation.format_values)
    request_ = QueryRequest(
        query,
        media_type,
        tuple(operation.default_graphs),
        tuple(operation.named_graphs),
        max_rows=get_settings().max_rows,
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
    for name in description.get("graphs", []):
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
    return render_rdf(graph, rdf_type())


@blueprint.get("/void")
def void() -> Response:
    """The VoID description: the dataset's catalog (``kg.web.views.catalog``), which is also VoID."""
    return catalog.catalog()
