"""Virtuoso as the external store: what differs from Oxigraph, and that the product hides it.

The whole endpoint suite (tests/test_endpoint.py) also runs against the session's Virtuoso; these
tests cover what only Virtuoso does: its default graph (every graph it holds, as a bag), its
result cap and partial answers, its extensions (functions that fetch URLs, sponging pragmas), its
Graph Store (digest auth, a PUT that is not atomic), and `kg serve --store` on it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import start_server
from kg.builddir import Build
from kg.config import Settings
from kg.publish import STAGING_PREFIX, UNION_PREFIX
from kg.sparql.formats import JSON
from kg.store.base import QueryRequest
from kg.store.remote import RemoteStore
from kg.web import create_app
from test_endpoint import Listener
from virtuoso import RESULT_SET_MAX_ROWS, VirtuosoServer

REPORT_GRAPH = "https://w3id.org/cnkg/graph/report/shanxi-2022-04-02"
UNITS_GRAPH = "https://w3id.org/cnkg/graph/vocabulary/units"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER (STRLEN(CONCAT(STR(?c), STR(?f))) = 7) }"


def select(client, query: str, **params: str) -> list[dict[str, dict[str, str]]]:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": query, **params}, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.data
    return response.json["results"]["bindings"]


def direct(server: VirtuosoServer, query: str, **params: str) -> tuple[int, dict[str, str], bytes]:
    """A query sent to Virtuoso itself, past our endpoint."""
    data = urllib.parse.urlencode({"query": query, **params}).encode()
    request = urllib.request.Request(server.query_url, data=data, headers={"Accept": JSON})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def graph_sizes(store: RemoteStore) -> dict[str, int]:
    body = store.execute(QueryRequest("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", JSON))
    return {b["g"]["value"]: int(b["n"]["value"]) for b in json.loads(body.body)["results"]["bindings"]}


def publish_command(built: Build, server: VirtuosoServer, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "publish", "--build", str(built.path), "--to", server.store_url],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def credentials(server: VirtuosoServer) -> dict[str, str]:
    return {"KG_PUBLISH_USER": server.credentials["user"], "KG_PUBLISH_PASSWORD": server.password}


# ---------------------------------------------------------------- the dataset


def test_default_graph_is_the_union_as_a_set_and_graph_ranges_over_ours(virtuoso_server, virtuoso_app, app) -> None:  # type: ignore[no-untyped-def]
    ours, embedded = virtuoso_app.test_client(), app.test_client()
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    assert select(ours, count) == select(embedded, count)
    assert select(ours, graphs) == select(embedded, graphs)
    # Virtuoso by itself: its system graphs are in the default graph and in GRAPH ?g.
    _, _, body = direct(virtuoso_server, graphs)
    seen = {b["g"]["value"] for b in json.loads(body)["results"]["bindings"]}
    assert "http://www.openlinksw.com/schemas/virtrdf#" in seen
    assert {b["g"]["value"] for b in select(ours, graphs)}.isdisjoint({"http://www.openlinksw.com/schemas/virtrdf#"})
    # FROM without FROM NAMED: no named graphs (Virtuoso alone would range over all of them).
    only_from = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1"
    query = only_from.replace("WHERE", f"FROM <{UNITS_GRAPH}> WHERE")
    assert select(ours, query) == select(embedded, query) == []
    assert json.loads(direct(virtuoso_server, query)[2])["results"]["bindings"] != []


def test_kg_serve_store_starts_on_virtuoso_and_answers(virtuoso_server, build_dir: Path, app) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    server = start_server(build_dir, "--store", virtuoso_server.query_url)
    try:
        print(f"kg serve --store on Virtuoso answered /healthz after {time.monotonic() - started:.1f} s")
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/cnkg/ontology#Official> }"
        url = server.url + "/sparql?" + urllib.parse.urlencode({"query": query})
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": JSON}), timeout=30) as response:
            remote = json.loads(response.read())["results"]["bindings"]
        assert remote == select(app.test_client(), query)
        with urllib.request.urlopen(
            server.url + "/api/search?q=" + urllib.parse.quote("刘志杰"), timeout=30
        ) as response:
            assert json.loads(response.read())["results"]
    finally:
        server.stop()


# ---------------------------------------------------------------- caps and time limits


def test_answers_the_server_may_have_cut_are_refused(virtuoso_server, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    app = create_app(replace(settings, store=virtuoso_server.query_url, max_rows=3 * RESULT_SET_MAX_ROWS))
    try:
        assert app.extensions["kg.store"].server_row_cap == RESULT_SET_MAX_ROWS  # found by the start-up probe
        client = app.test_client()
        wide = "SELECT * WHERE { ?s ?p ?o . ?x a <https://w3id.org/cnkg/ontology#Agency> }"
        refused = client.get("/sparql", query_string={"query": wide}, headers={"Accept": JSON})
        assert refused.status_code == 413
        assert "ResultSetMaxRows" in refused.json["error"] and "LIMIT" in refused.json["error"]
        # CONSTRUCT is cut too, and silently (no header): the probe's cap is what catches it.
        wide_graph = "CONSTRUCT { ?s ?p ?x } WHERE { ?s ?p ?o . ?x a <https://w3id.org/cnkg/ontology#Agency> }"
        assert client.get("/sparql", query_string={"query": wide_graph}).status_code == 413
        small = client.get("/sparql", query_string={"query": wide + " LIMIT 10"}, headers={"Accept": JSON})
        assert small.status_code == 200 and len(small.json["results"]["bindings"]) == 10
    finally:
        app.extensions["kg.store"].close()


def test_a_partial_answer_at_the_time_limit_is_refused(virtuoso_server, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    # Virtuoso itself, asked with a time limit, answers 200 with what it had: flagged only in a header.
    status, headers, _ = direct(virtuoso_server, SLOW, timeout="1000")
    assert status == 200 and headers.get("X-SQL-State") == "S1TAT"
    app = create_app(replace(settings, store=virtuoso_server.query_url, query_timeout=1.0))
    try:
        client = app.test_client()
        started = time.monotonic()
        stopped = client.get("/sparql", query_string={"query": SLOW}, headers={"Accept": JSON})
        assert stopped.status_code == 504
        assert "time limit" in stopped.json["error"] and "partial" in stopped.json["error"]
        print(f"slow query refused after {time.monotonic() - started:.1f} s")
        assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).json["boolean"] is True
    finally:
        app.extensions["kg.store"].close()


# ---------------------------------------------------------------- Virtuoso's own extensions


@pytest.fixture()
def outbound() -> Iterator[Listener]:
    """A listener on 127.0.0.1 that counts the connections anything makes to it."""
    watcher = Listener()
    yield watcher
    watcher.close()


def test_virtuoso_extensions_never_reach_the_server(virtuoso_server, virtuoso_app, outbound: Listener) -> None:  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{outbound.port}/x"
    hostile = [
        f'SELECT (<bif:http_get>("{url}") AS ?x) WHERE {{}}',
        f'PREFIX b: <bif:> SELECT ?x WHERE {{ BIND (b:http_get("{url}") AS ?x) }}',
        f'SELECT * WHERE {{ ?s ?p ?o FILTER (<sql:http_get>("{url}") = "") }}',
        f'DEFINE get:soft "replace" SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}',
        f'define input:grab-all "yes" SELECT * WHERE {{ <{url}> ?p ?o }}',
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SeRvIcE SILENT <{url}> {{ ?s ?p ?o }} }}",
    ]
    client = virtuoso_app.test_client()
    for query in hostile:
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON})
        assert response.status_code == 400, (query, response.data)
    time.sleep(0.3)
    assert outbound.connections == 0
    # The control: sent to Virtuoso directly, the first one makes the server connect out.
    direct(virtuoso_server, hostile[0])
    time.sleep(0.3)
    assert outbound.connections >= 1


# ---------------------------------------------------------------- publishing


def test_publish_asks_for_credentials_and_uses_digest(virtuoso_server, built: Build) -> None:  # type: ignore[no-untyped-def]
    anonymous = publish_command(built, virtuoso_server)
    _, error = anonymous.communicate(timeout=120)
    assert anonymous.returncode == 1
    assert b"401" in error and b"--user" in error and b"Traceback" not in error
    wrong = publish_command(built, virtuoso_server, KG_PUBLISH_USER="kgpublish", KG_PUBLISH_PASSWORD="wrong")
    _, error = wrong.communicate(timeout=120)
    assert wrong.returncode == 1 and b"401" in error
    right = publish_command(built, virtuoso_server, **credentials(virtuoso_server))
    output, error = right.communicate(timeout=300)
    assert right.returncode == 0, error
    assert f"published {len(built.manifest['graphs'])} graphs".encode() in output


def test_readers_never_see_a_graph_half_replaced(virtuoso_server, built: Build, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    store = RemoteStore(virtuoso_server.query_url, settings)
    report = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{REPORT_GRAPH}> {{ ?s ?p ?o }} }}"
    default = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def counts() -> tuple[int, int]:
        answers = [
            json.loads(store.execute(QueryRequest(q, JSON)).body)["results"]["bindings"] for q in (report, default)
        ]
        return int(answers[0][0]["n"]["value"]), int(answers[1][0]["n"]["value"])

    whole = counts()
    seen: list[tuple[int, int]] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.append(counts())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        republish = publish_command(built, virtuoso_server, **credentials(virtuoso_server))
        assert republish.wait(timeout=300) == 0
    finally:
        done.set()
        reader.join()
    print(f"{len(seen)} reads during the publish, all of whole graphs")
    assert len(seen) > 10
    assert set(seen) == {whole}


def test_kill_9_during_publish_leaves_every_graph_whole(virtuoso_server, built: Build, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    store = RemoteStore(virtuoso_server.query_url, settings)
    before = graph_sizes(store)
    for delay in (0.3, 0.8, 1.5, 2.5):
        process = publish_command(built, virtuoso_server, **credentials(virtuoso_server))
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert graph_sizes(store) == before  # each graph is the old or the (identical) new one, never half
    # A publish that runs to the end clears what the killed ones left behind.
    finished = publish_command(built, virtuoso_server, **credentials(virtuoso_server))
    assert finished.wait(timeout=300) == 0
    listing = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    graphs = {b["g"]["value"] for b in json.loads(direct(virtuoso_server, listing)[2])["results"]["bindings"]}
    assert not any(g.startswith(STAGING_PREFIX) for g in graphs)
    unions = {g for g in graphs if g.startswith(UNION_PREFIX)}
    assert store.publication().union_graph in unions
    assert len(unions) == 2  # this publish's and the one before it (for readers that still hold it)


def test_published_graphs_match_the_build(virtuoso_server, built: Build, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    import pyoxigraph

    expected = {
        quad.triple
        for quad in pyoxigraph.parse(path=str(built.dataset_path), format=pyoxigraph.RdfFormat.N_QUADS)
        if quad.graph_name.value == REPORT_GRAPH
        and not isinstance(quad.subject, pyoxigraph.BlankNode)
        and not isinstance(quad.object, pyoxigraph.BlankNode)
    }
    store = RemoteStore(virtuoso_server.query_url, replace(settings, max_rows=RESULT_SET_MAX_ROWS - 1))
    published = set()
    for offset in range(0, 3 * RESULT_SET_MAX_ROWS, RESULT_SET_MAX_ROWS // 2):  # pages under the server's cap
        page = store.execute(
            QueryRequest(
                f"SELECT ?s ?p ?o WHERE {{ GRAPH <{REPORT_GRAPH}> {{ ?s ?p ?o "
                "FILTER (!isBlank(?s) && !isBlank(?o)) } } "
                f"ORDER BY ?s ?p ?o LIMIT {RESULT_SET_MAX_ROWS // 2} OFFSET {offset}",
                JSON,
            )
        )
        rows = pyoxigraph.parse_query_results(page.body, pyoxigraph.QueryResultsFormat.JSON)
        published |= {pyoxigraph.Triple(r["s"], r["p"], r["o"]) for r in rows}
    assert published == expected  # every triple: Chinese literals, language tags, decimals exact


class BasicAuthProxy:
    """A reverse proxy on 127.0.0.1 that wants HTTP basic auth (as nginx in front of a store would)
    and, like Virtuoso, answers 401 without reading the body, then closes the connection."""

    def __init__(self, upstream: str, user: str, password: str):
        import base64
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        proxy = self
        self.challenged = 0

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return None

            def _forward(self) -> None:
                if self.headers.get("Authorization") != expected:
                    proxy.challenged += 1
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="store"')
                    self.send_header("Content-Length", "0")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.close_connection = True
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
                request = urllib.request.Request(upstream + self.path, data=body, method=self.command, headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        status, data = response.status, response.read()
                except urllib.error.HTTPError as error:
                    status, data = error.code, error.read()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def test_publish_answers_a_basic_challenge(oxigraph_server, built: Build, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    from kg.publish import PublishError, publish_build

    proxy = BasicAuthProxy(oxigraph_server.base, "publisher", "s3cret")
    try:
        with pytest.raises(PublishError, match="401"):
            publish_build(built, proxy.url + "/store")
        published = publish_build(built, proxy.url + "/store", user="publisher", password="s3cret")
        assert published == len(built.manifest["graphs"])
        assert proxy.challenged >= 2  # asked once without credentials, once before they were sent
        store = RemoteStore(oxigraph_server.query_url, settings)
        assert store.version() == built.version
    finally:
        proxy.close()
