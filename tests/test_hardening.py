"""Under faults and hostile input: nothing lost, nobody in.

Fuzzing (hypothesis) of the endpoint and every explorer API, runaway isolation, kill -9 during
build and publish, corrupt builds refused at start-up, an external store going away and coming
back, injection and XSS, security headers, API keys.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_kg_process
from kg.build import build
from kg.builddir import BuildError, open_build
from kg.config import PROJECT_ROOT, Settings
from kg.web import create_app

ONTOLOGY = PROJECT_ROOT / "ontology"
FIXTURES = Path(__file__).parent / "fixtures"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "SELECT ?s WHERE { ?s a <https://w3id.org/cnkg/ontology#Official> }"
API_PATHS = [
    "/api/search",
    "/api/entity",
    "/api/neighbours",
    "/api/facts",
    "/api/orgchart",
    "/api/types",
    "/api/reports",
    "/api/queries",
    "/api/labels",
    "/api/report/shanxi-2022-04-02",
    "/resource",
    "/id/person/liu-zhijie",
    "/sparql",
    "/void",
    "/",
    "/query",
    "/charts",
    "/download/csv",
]

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

sparql_fragments = st.sampled_from(
    [
        "SELECT",
        "ASK",
        "CONSTRUCT",
        "DESCRIBE",
        "WHERE",
        "{",
        "}",
        "?s",
        "?p",
        "?o",
        "<urn:x>",
        '"x"',
        "FILTER",
        'REGEX(?o, "(a+)+$")',
        "OPTIONAL",
        "UNION",
        "GRAPH",
        "SERVICE",
        "FROM",
        "LIMIT 99999999999999999999",
        "OFFSET -1",
        ".",
        ";",
        ",",
        "*",
        "(",
        ")",
        "VALUES ?s { <urn:a> }",
        "BIND(1/0 AS ?z)",
        "\x00",
        "\u00ff",
        "é",
        "INSERT",
        "DROP",
        "#",
        "'''",
        '"""',
        "a",
        "PREFIX x: <urn:>",
        "x:y",
        "COUNT(*)",
        "GROUP BY ?s",
        "\\u0000",
    ]
)


def assert_safe(response) -> None:  # type: ignore[no-untyped-def]
    body = response.get_data(as_text=True) if hasattr(response, "get_data") else response
    assert response.status_code < 500 or response.status_code in (503, 504), (response.status_code, body[:300])
    assert "Traceback" not in body
    assert 'File "/' not in body


@pytest.fixture(scope="module")
def fuzz_app(build_dir: Path):  # type: ignore[no-untyped-def]
    application = create_app(Settings(build_dir=build_dir, query_timeout=2.0, max_rows=200))
    yield application
    application.extensions["kg.store"].close()


@FUZZ
@given(st.lists(sparql_fragments, max_size=25).map(" ".join))
def test_fuzz_queries_never_5xx(fuzz_app, query: str) -> None:  # type: ignore[no-untyped-def]
    client = fuzz_app.test_client()
    assert_safe(client.get("/sparql", query_string={"query": query}))
    assert_safe(client.post("/sparql", data=query.encode("utf-8"), content_type="application/sparql-query"))


@settings(max_examples=150, deadline=None)
@given(
    path=st.sampled_from(API_PATHS),
    params=st.dictionaries(
        st.sampled_from(["q", "iri", "limit", "format", "query", "report", "default-graph-uri", "lang", "node"]),
        st.one_of(st.text(max_size=300), st.sampled_from(['"} UNION {', "<script>", "1e999", "-1", "x" * 5000])),
        max_size=4,
    ),
    accept=st.sampled_from(["*/*", "text/html", "application/json", "text/turtle", "image/png", ";;;", "q=0"]),
)
def test_fuzz_every_page_and_api_never_5xx(fuzz_app, path: str, params: dict, accept: str) -> None:  # type: ignore[no-untyped-def,type-arg]
    client = fuzz_app.test_client()
    response = client.get(path, query_string=params, headers={"Accept": accept})
    assert_safe(response)


@FUZZ
@given(
    body=st.binary(max_size=2000),
    content_type=st.sampled_from(
        [
            "application/sparql-query",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/sparql-update",
            "text/plain",
            "application/json",
            "",
        ]
    ),
)
def test_fuzz_bodies_never_5xx(fuzz_app, body: bytes, content_type: str) -> None:  # type: ignore[no-untyped-def]
    response = fuzz_app.test_client().post("/sparql", data=body, content_type=content_type)
    assert_safe(response)


def test_pathological_inputs(fuzz_app) -> None:  # type: ignore[no-untyped-def]
    client = fuzz_app.test_client()
    values = " ".join(f"<urn:v{i}>" for i in range(10_000))
    cases = [
        f"SELECT ?s WHERE {{ VALUES ?s {{ {values} }} }}",
        "SELECT * WHERE { " + "{ " * 400 + "?s ?p ?o" + " }" * 400 + " }",
        'SELECT * WHERE { ?s ?p ?o FILTER REGEX(STR(?o), "^(a+)+$") }',
        "SELECT * WHERE { ?s ?p ?o } LIMIT 999999999999999999999999 OFFSET 999999999999999999999",
        'SELECT * WHERE { BIND("' + "x" * 200_000 + '" AS ?x) }',
    ]
    for query in cases:
        assert_safe(client.post("/sparql", data={"query": query}))


# ---------------------------------------------------------------- runaway isolation


def test_several_runaways_never_block_a_simple_query(build_dir: Path) -> None:
    app = create_app(Settings(build_dir=build_dir, query_timeout=4.0, query_workers=8))
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            runaways = [
                pool.submit(app.test_client().get, "/sparql", query_string={"query": RUNAWAY}) for _ in range(3)
            ]
            time.sleep(0.5)
            started = time.monotonic()
            simple = app.test_client().get("/sparql", query_string={"query": SIMPLE})
            simple_seconds = time.monotonic() - started
            assert simple.status_code == 200
            assert not any(r.done() for r in runaways), "the simple query must not wait for the runaways"
            assert all(r.result(timeout=60).status_code == 504 for r in runaways)
        print(f"simple query beside 3 runaways: {simple_seconds * 1000:.0f} ms")
        assert app.test_client().get("/sparql", query_string={"query": SIMPLE}).status_code == 200
    finally:
        app.extensions["kg.store"].close()


# ---------------------------------------------------------------- faults


def copy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    return data


def kill_at(command: list[str], phase: str) -> int:
    """Run a kg command and SIGKILL it as soon as it reports ``phase`` on stderr (its progress
    lines); return how many progress lines it had printed. Fails if the command ended first."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    lines = 0
    for line in process.stderr:
        lines += 1
        if phase in line:
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    assert process.returncode == -signal.SIGKILL, f"the command ended before {phase!r}"
    return lines


@pytest.mark.parametrize(
    "phase", ["compiling and validating report", "writing the dataset", "bulk-loading the Oxigraph store"]
)
def test_kill_9_during_build_leaves_previous_build_servable(tmp_path: Path, phase: str) -> None:
    data = copy_data(tmp_path)
    out = tmp_path / "build"
    first = build(data, ONTOLOGY, out)
    # a change, so that a finished build would be visibly different
    report = data / "reports" / "shanxi-2022-04-02" / "report.yaml"
    report.write_text(
        report.read_text(encoding="utf-8").replace("山西省人民政府网", "山西省人民政府网 ", 1), encoding="utf-8"
    )
    kill_at([sys.executable, "-m", "kg.cli", "build", "--data", str(data), "--out", str(out)], phase)
    current = open_build(out)
    assert current.path == first.path  # killed before the link swap: the previous build, whole
    assert current.manifest == first.manifest
    app = create_app(Settings(build_dir=out))
    try:
        assert app.test_client().get("/sparql", query_string={"query": SIMPLE}).status_code == 200
    finally:
        app.extensions["kg.store"].close()
    # The next build cleans up what the killed one left behind.
    build(data, ONTOLOGY, out)
    leftovers = [p for p in (tmp_path / ".build.versions").iterdir() if not (p / "manifest.json").exists()]
    assert leftovers == []


def test_corrupt_or_half_written_build_is_refused_at_startup(tmp_path: Path, build_dir: Path) -> None:
    version = build_dir.resolve()
    broken = tmp_path / "broken"
    shutil.copytree(version, broken / "v")
    (broken / "build").symlink_to(broken / "v")
    with (broken / "v" / "dataset.nq").open("ab") as handle:
        handle.write(b"<urn:tampered> <urn:p> <urn:o> .\n")
    with pytest.raises(BuildError, match="does not match its manifest"):
        open_build(broken / "build")
    (broken / "v" / "manifest.json").unlink()
    with pytest.raises(BuildError, match="half-written"):
        open_build(broken / "build")
    result = run_kg_process("serve", "--build", str(broken / "build"), "--port", "0", timeout=60)
    assert result.returncode == 1
    assert "half-written" in result.stderr and "kg build" in result.stderr


def test_kill_9_during_publish_leaves_every_graph_whole(oxigraph_server, built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Publish build A, then kill the publish of a different build B in the middle of its PUTs:
    every graph is A's or B's, never half, and the version graph still names A."""
    import json

    from kg.authoring.synth import synth
    from kg.publish import publish_build
    from kg.sparql.formats import JSON
    from kg.store.base import QueryRequest
    from kg.store.remote import RemoteStore

    data = tmp_path / "data"
    synth(3, data)
    other = build(data, ONTOLOGY, tmp_path / "build")
    store = RemoteStore(oxigraph_server.query_url, Settings())

    def graph_sizes() -> dict[str, int]:
        body = store.execute(
            QueryRequest("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", JSON)
        ).body
        return {b["g"]["value"]: int(b["n"]["value"]) for b in json.loads(body)["results"]["bindings"]}

    try:
        publish_build(built, oxigraph_server.store_url)
        before = graph_sizes()
        sizes_b = {r["graph"]: r["triples"] for r in other.manifest["reports"]}
        changed = [g for g, n in sizes_b.items() if before.get(g) != n]
        assert changed, "build B differs from A"
        for after_puts in (3, 6, 10):  # PUT 1 is the ontology, PUT 2.. the reports of B
            command = [sys.executable, "-m", "kg.cli", "publish", "--build", str(tmp_path / "build")]
            kill_at([*command, "--to", oxigraph_server.store_url], f"PUT {after_puts}/")
            sizes = graph_sizes()
            for graph, size in sizes.items():
                assert size in (before.get(graph), sizes_b.get(graph)), (graph, size)
            assert any(sizes.get(g) == sizes_b[g] for g in changed), "the kill came before any PUT"
            assert store.version() == built.version  # the version is written last
    finally:
        publish_build(built, oxigraph_server.store_url)  # the shared server as the other tests expect it


def test_external_store_away_gives_503_and_service_resumes(tmp_path: Path, built) -> None:  # type: ignore[no-untyped-def]
    from conftest import OxigraphServer
    from kg.publish import publish_build

    server = OxigraphServer(tmp_path / "db")
    try:
        publish_build(built, server.store_url)
        app = create_app(Settings(store=server.query_url, query_timeout=5))
        client = app.test_client()
        assert client.get("/sparql", query_string={"query": SIMPLE}).status_code == 200
        server.stop()
        down = client.get(
            "/sparql", query_string={"query": SIMPLE + " LIMIT 1"}, headers={"Accept": "application/json"}
        )
        assert down.status_code == 503
        assert "not reachable" in down.json["error"]
        search = client.get("/api/search", query_string={"q": "刘"}, headers={"Accept": "application/json"})
        assert search.status_code == 503 and "not reachable" in search.json["error"]
        restarted = OxigraphServer(tmp_path / "db", port=server.port)
        try:
            assert client.get("/sparql", query_string={"query": SIMPLE + " LIMIT 2"}).status_code == 200
            assert client.get("/api/search", query_string={"q": "刘志杰"}).json["results"]
        finally:
            restarted.stop()
    finally:
        server.stop()


# ---------------------------------------------------------------- injection and XSS


def test_search_and_templated_queries_escape_input(client) -> None:  # type: ignore[no-untyped-def]
    for hostile in ['"} UNION { ?s ?p ?o } #', "> } UNION { ?s ?p ?o", "\\", '"""', "'; DROP ALL; '"]:
        response = client.get("/api/search", query_string={"q": hostile})
        assert response.status_code == 200
        assert response.json["results"] == []
    for hostile in ["urn:x> ?p ?o } UNION { ?s ?p ?o } #", 'urn:x" } #', "urn:x{}"]:
        response = client.get("/api/entity", query_string={"iri": hostile}, headers={"Accept": "application/json"})
        assert response.status_code == 400
        assert "not a valid IRI" in response.json["error"]


@pytest.fixture(scope="module")
def xss_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("xss") / "data"
    report = data / "reports" / "xss"
    report.mkdir(parents=True)
    shutil.copytree(PROJECT_ROOT / "data" / "vocabularies", data / "vocabularies")
    shutil.copy(FIXTURES / "xss" / "source.txt", report / "source.txt")
    shutil.copy(FIXTURES / "xss" / "report.yaml", report / "report.yaml")
    out = data.parent / "build"
    build(data, ONTOLOGY, out)
    return out


def test_labels_with_markup_are_escaped_in_html(xss_build: Path) -> None:
    app = create_app(Settings(build_dir=xss_build))
    try:
        client = app.test_client()
        page = client.get("/id/agency/xss-agency", headers={"Accept": "text/html"})
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<img src=x onerror" not in html
        api = client.get("/api/search", query_string={"q": "script"})
        assert api.mimetype == "application/json"
    finally:
        app.extensions["kg.store"].close()


def test_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/", "/sparql?query=ASK%7B%7D", "/api/types", "/id/person/liu-zhijie"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"


# ---------------------------------------------------------------- exposure


def test_binds_loopback_by_default(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("KG_HOST", raising=False)
    assert Settings().host == Settings.from_env().host == "127.0.0.1"
    monkeypatch.setenv("KG_HOST", "0.0.0.0")
    assert Settings.from_env().host == "0.0.0.0"
    assert Settings.from_env(host="::1").host == "::1"  # a flag wins over the environment


def test_api_key_protects_everything_but_health(build_dir: Path) -> None:
    app = create_app(Settings(build_dir=build_dir, api_key="s3cret-key"))
    try:
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        assert client.get("/sparql", query_string={"query": SIMPLE}).status_code == 401
        assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert (
            client.get(
                "/sparql", query_string={"query": SIMPLE}, headers={"Authorization": "Bearer s3cret-key"}
            ).status_code
            == 200
        )
        assert client.get("/api/types", headers={"X-API-Key": "s3cret-key"}).status_code == 200
        import base64

        basic = base64.b64encode(b"analyst:s3cret-key").decode()
        assert client.get("/", headers={"Authorization": f"Basic {basic}"}).status_code == 200
    finally:
        app.extensions["kg.store"].close()


def test_api_key_over_http(build_dir: Path) -> None:
    from conftest import start_server

    server = start_server(build_dir, env={"KG_API_KEY": "http-key"})
    try:
        url = server.url + "/sparql?" + urllib.parse.urlencode({"query": SIMPLE})
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(url, timeout=10)
        assert denied.value.code == 401
        request = urllib.request.Request(url, headers={"X-API-Key": "http-key"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
    finally:
        server.stop()


def test_settings_from_env_overrides(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KG_QUERY_TIMEOUT", "7.5")
    monkeypatch.setenv("KG_MAX_ROWS", "12")
    settings_ = Settings.from_env(port=9999)
    assert (settings_.query_timeout, settings_.max_rows, settings_.port) == (7.5, 12, 9999)
    assert replace(settings_, port=1).port == 1
