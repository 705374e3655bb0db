"""An external SPARQL 1.1 server as the store (Oxigraph server, Apache Jena Fuseki, Virtuoso …).

Queries are forwarded with SPARQLWrapper after the same safety guard as the embedded store
(``kg.sparql.guard``, applied again here to every query, the explorer's own included): no update,
no SERVICE, FROM only naming graphs of the server. The guard is the only defence here: the
server runs the query, so the query workers' sandbox (``kg.store.sandbox``) does not apply. The server
sees the union of its graphs as the default graph because ``kg publish`` writes it there (do not
turn on a server-side union such as ``oxigraph serve --union-default-graph``: Oxigraph's is a bag,
and it would hide the materialised one).

The build version published by ``kg publish`` lives in the graph ``<base>graph/build``; caches in
the web layer are keyed by it, so a new publish invalidates them.

Answers are passed on as the server sends them, in chunks, never cut. A server that cuts a
result itself and says so (Virtuoso's ``X-SPARQL-MaxRows`` header, from its ResultSetMaxRows)
is refused rather than relayed as if it were whole.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.error
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from SPARQLWrapper import POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
)

from kg.config import Settings
from kg.namespaces import GRAPH, ID, KG
from kg.sparql import formats
from kg.sparql.guard import inspect
from kg.store.base import QueryRefused, QueryRequest, QueryResult, execute_by_stream

BUILD_GRAPH = str(GRAPH["build"])
BUILD_NODE = str(ID["build"])
VERSION_TTL_SECONDS = 2.0
CHUNK_BYTES = 256 * 1024


class RemoteStore:
    def __init__(self, url: str, settings: Settings):
        self.url = url
        self.settings = settings
        self._lock = threading.Lock()
        self._version: tuple[float, str] | None = None
        self._description: tuple[str, dict[str, object]] | None = None
        self.version()  # fail fast, with a clear message, when the server is not there

    def _wrapper(self, request: QueryRequest) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.url, agent="kg (CNKG endpoint)")
        wrapper.setMethod(POST)
        wrapper.setRequestMethod("postdirectly")
        wrapper.setQuery(request.sparql)
        wrapper.setTimeout(int(max(1, self.settings.query_timeout)))
        wrapper.setOnlyConneg(True)
        # XML results are written here from the server's JSON: see formats.reserialize_json_results.
        wrapper.addCustomHttpHeader("Accept", formats.JSON if request.media_type == formats.XML else request.media_type)
        for graph in request.default_graphs:
            wrapper.addDefaultGraph(graph)
        for graph in request.named_graphs:
            wrapper.addNamedGraph(graph)
        return wrapper

    def stream(self, request: QueryRequest) -> Iterator[bytes]:
        info = inspect(request.sparql)
        if info.has_dataset_clause and not (request.default_graphs or request.named_graphs):
            # Some servers (Virtuoso; Oxigraph with a server-side union) let their union win over
            # FROM; naming the same graphs as protocol parameters gives FROM its standard meaning.
            request = replace(request, default_graphs=info.from_graphs, named_graphs=info.from_named_graphs)
        wrapper = self._wrapper(request)
        with self._errors():
            response = wrapper.query().response
        try:
            cut_at = response.headers.get("X-SPARQL-MaxRows")
            if cut_at:
                raise QueryRefused(
                    502,
                    f"the SPARQL server at {self.url} cut this result at {cut_at} rows (its own result limit, "
                    "e.g. Virtuoso's ResultSetMaxRows): raise that limit on the server, or page through the "
                    "result with ORDER BY, LIMIT and OFFSET",
                )
            if request.media_type == formats.XML:
                # Written here from the server's JSON (see formats.reserialize_json_results).
                with self._errors():
                    body = response.read()
                try:
                    yield formats.reserialize_json_results(body, formats.XML)
                except formats.UnencodableResult as error:
                    raise QueryRefused(406, str(error)) from None
                return
            while True:
                with self._errors():
                    chunk = response.read(CHUNK_BYTES)
                if not chunk:
                    return
                yield chunk
        finally:
            response.close()

    def execute(self, request: QueryRequest) -> QueryResult:
        return execute_by_stream(self, request)

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """The server's failures as refusals a person can act on."""
        try:
            yield
        except QueryBadFormed as error:
            raise QueryRefused(400, f"SPARQL syntax error (reported by the store): {_detail(error)}") from None
        except EndPointNotFound:
            raise QueryRefused(503, f"the SPARQL server at {self.url} has no endpoint there; check --store") from None
        except (EndPointInternalError, SPARQLWrapperException) as error:
            raise QueryRefused(502, f"the SPARQL server at {self.url} failed: {_detail(error)}") from None
        except TimeoutError:
            raise QueryRefused(
                504, f"the query was stopped after the {self.settings.query_timeout:g} s time limit"
            ) from None
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            raise QueryRefused(
                503,
                f"the SPARQL server at {self.url} is not reachable ({getattr(error, 'reason', error)}); "
                "service resumes when it is back",
            ) from None

    def version(self) -> str:
        now = time.monotonic()
        with self._lock:
            if self._version and now - self._version[0] < VERSION_TTL_SECONDS:
                return self._version[1]
        query = f"SELECT ?v WHERE {{ GRAPH <{BUILD_GRAPH}> {{ <{BUILD_NODE}> <{KG.buildVersion}> ?v }} }}"
        result = self.execute(QueryRequest(query, formats.JSON))
        bindings = json.loads(result.body)["results"]["bindings"]
        version = bindings[0]["v"]["value"] if bindings else "unpublished"
        with self._lock:
            self._version = (now, version)
        return version

    def describe(self) -> dict[str, object]:
        version = self.version()
        if self._description and self._description[0] == version:
            return self._description[1]
        graphs = json.loads(
            self.execute(QueryRequest("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", formats.JSON)).body
        )["results"]["bindings"]
        count = json.loads(
            self.execute(
                QueryRequest(
                    f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != <{BUILD_GRAPH}>) }}",
                    formats.JSON,
                )
            ).body
        )["results"]["bindings"]
        union = json.loads(  # the default graph that kg publish writes: the union, as a set
            self.execute(QueryRequest("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", formats.JSON)).body
        )["results"]["bindings"]
        names = sorted(g["g"]["value"] for g in graphs)
        reports: list[dict[str, Any]] = []
        for name in names:
            if "/graph/report/" in name:
                size = json.loads(
                    self.execute(
                        QueryRequest(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}", formats.JSON)
                    ).body
                )["results"]["bindings"]
                reports.append({"id": name.rsplit("/", 1)[-1], "graph": name, "triples": int(size[0]["n"]["value"])})
        description: dict[str, object] = {
            "engine": f"remote SPARQL server {self.url}",
            "version": version,
            "graphs": names,
            "quads": int(count[0]["n"]["value"]) if count else 0,
            "triples": int(union[0]["n"]["value"]) if union else 0,
            "reports": reports,
        }
        self._description = (version, description)
        return description

    def close(self) -> None:
        return None


def _detail(error: Exception) -> str:
    text = str(error)
    return text.split("Response:", 1)[-1].strip()[:500] or type(error).__name__
