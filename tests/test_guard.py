"""The SERVICE guard and the query workers' sandbox: no query ever makes the server connect anywhere.

Security tests fail when the protection goes: the property test watches a real listener on
127.0.0.1 through real `kg serve` processes (embedded store, and `--store` on `oxigraph serve`, where
the guard is the only defence); the sandbox test bypasses the guard and shows that the same query
does connect from an unsandboxed Oxigraph.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import LiveServer
from endpoint_helpers import Listener, serve
from kg.config import PROJECT_ROOT, Settings
from kg.errors import QueryRefused
from kg.sparql import formats
from kg.sparql.guard import decode_escapes, inspect
from kg.store.base import QueryRequest
from kg.store.embedded import EmbeddedStore

CANNED = {path.stem: path.read_text(encoding="utf-8") for path in sorted((PROJECT_ROOT / "queries").glob("*.rq"))}
W3C_QUERIES = sorted((Path(__file__).parent / "w3c").rglob("*.rq"))

# Where one token ends and the next begins, in a canned query: the test's own rough lexer, only
# used to choose insertion points (the guard itself never pattern-matches).
TOKEN = re.compile(r'<[^<>"\s]*>|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*|[?$]?[\w:.\-]+|\S')

KEYWORDS = ["SERVICE", "service", "SeRvIcE", r"\u0053ERVICE", r"\U00000053ervice", r"SERVIC\u0045", r"\u0073\u0065rv"
            "ice"]
SEPARATORS = [" ", "\n", "\t", " # a comment\n", "#c\r", "\r\n", "\n#x\n  "]
# What surrounds the SERVICE pattern: glued to punctuation, or inside each kind of group pattern.
WRAPPERS = [
    ("", ""),
    (".", ""),
    (";", ""),
    ("{", "}"),
    ("}", "{"),
    ("(", ")"),
    (" . ", " . "),
    ("} UNION {", ""),
    ("OPTIONAL {", "}"),
    ("FILTER EXISTS {", "}"),
    ("FILTER NOT EXISTS{", "}"),
    ("MINUS {", "}"),
    ("GRAPH ?g {", "}"),
    ("{ SELECT * WHERE {", "} }"),
    ("BIND(EXISTS {", "} AS ?hostile)"),
]


def boundaries(query: str) -> list[int]:
    """Token edges, except the end of a comment (still inside it: the text there is no query)."""
    edges = set()
    for token in TOKEN.finditer(query):
        edges.add(token.start())
        if not token.group().startswith("#"):
            edges.add(token.end())
    return sorted(edges)


def service_clause(port: int, keyword: str, silent: bool, separator: str, wrapper: tuple[str, str]) -> str:
    silent_part = f"SILENT{separator}" if silent else ""
    target = f"<http://127.0.0.1:{port}/sparql>"
    return f"{wrapper[0]}{keyword}{separator}{silent_part}{target}{separator}{{ ?a ?b ?c }}{wrapper[1]}"


# ---------------------------------------------------------------- the guard itself


@pytest.mark.parametrize(
    "pattern",
    [
        "SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
        "{ SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
        "FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "FILTER (NOT EXISTS { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } })",
        "BIND (EXISTS { SERVICE <http://127.0.0.1:9/> { } } AS ?b)",
        "OPTIONAL { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "{ } UNION { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "MINUS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "GRAPH ?g { SERVICE ?endpoint { ?s ?p ?o } }",
        "#c\rSERVICE <http://127.0.0.1:9/> { ?s ?p ?o }\n",
        r"\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
    ],
)
def test_service_is_refused_anywhere(pattern: str) -> None:
    for form in ("SELECT * WHERE {{ {} }}", "ASK {{ {} }}", "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {} }}",
                 "DESCRIBE ?s WHERE {{ {} }}"):
        with pytest.raises(QueryRefused) as refused:
            inspect(form.format(pattern))
        assert refused.value.status == 400
        assert "SERVICE" in refused.value.message, refused.value.message
    having = f"SELECT ?s WHERE {{ ?s ?p ?o }} GROUP BY ?s HAVING (EXISTS {{ {pattern} }})"
    with pytest.raises(QueryRefused, match="SERVICE"):
        inspect(having)


def test_service_as_text_is_not_refused() -> None:
    info = inspect('SELECT ?service { BIND("SERVICE <http://x/> {}" AS ?service) FILTER(?service != <urn:SERVICE>) }')
    assert info.form == "SELECT"
    assert inspect("PREFIX service: <urn:s:> SELECT * { ?s service:p ?o } # SERVICE <http://x/> {}").form == "SELECT"


def test_escapes_are_decoded_as_the_recommendation_says() -> None:
    assert decode_escapes(r"\u0053ERVICE \U0001F600 \u00e9") == "SERVICE \U0001f600 é"
    # \u takes exactly four digits (rdflib's own decoder would take eight here)
    assert decode_escapes(r"\u00410000") == "A0000"
    with pytest.raises(QueryRefused, match="syntax character"):
        inspect(r'SELECT * { BIND("\u0022 AS ?x) . SERVICE <http://127.0.0.1:9/> {} . BIND("\u0022 AS ?y) }')
    with pytest.raises(QueryRefused, match="syntax character"):
        inspect(r"SELECT * { \u005Cu0053ERVICE <http://127.0.0.1:9/> {} }")
    with pytest.raises(QueryRefused, match="not a Unicode character"):
        inspect(r'SELECT * { BIND("\uD800" AS ?x) }')
    assert inspect(r'SELECT * { BIND("caf\u00E9" AS ?x) }').form == "SELECT"


def test_updates_and_syntax_errors() -> None:
    for update in ("CLEAR ALL", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "LOAD <http://127.0.0.1:9/x>",
                   "DELETE { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"):
        with pytest.raises(QueryRefused) as refused:
            inspect(update)
        assert refused.value.status == 403 and "read-only" in refused.value.message
    for broken in ("SELECT ?s WHERE { ?s ?p }", "ASK {", "# only a comment", "CLEAR XYZ"):
        with pytest.raises(QueryRefused) as refused:
            inspect(broken)
        assert refused.value.status == 400 and "syntax error at line 1" in refused.value.message
    with pytest.raises(QueryRefused, match="NUL"):
        inspect("SELECT * {\x00}")


def test_dataset_clauses_and_relative_iris() -> None:
    info = inspect("PREFIX g: <http://example.org/g/> SELECT * FROM g:one FROM NAMED <http://example.org/two> { }")
    assert info.from_graphs == ("http://example.org/g/one",)
    assert info.from_named_graphs == ("http://example.org/two",)
    assert info.has_dataset_clause and not info.needs_service_base
    assert inspect("CONSTRUCT { <s> <p> 1 } WHERE {}").needs_service_base
    assert not inspect("SELECT * { ?s a <http://example.org/C> }").has_dataset_clause


def test_large_queries_parse() -> None:
    """rdflib's grammar recurses per triple pattern: the guard runs it with room for big queries."""
    patterns = " . ".join(f"?s{i} <http://example.org/p> ?o{i}" for i in range(400))
    assert inspect(f"SELECT * WHERE {{ {patterns} }}").form == "SELECT"
    nested = "SELECT * WHERE " + "{ " * 80 + "?s ?p ?o" + " }" * 80
    assert inspect(nested).form == "SELECT"


@pytest.mark.parametrize("name", sorted(CANNED))
def test_every_canned_query_passes(name: str) -> None:
    assert inspect(CANNED[name]).form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


@pytest.mark.parametrize("path", W3C_QUERIES, ids=lambda p: p.name)
def test_every_w3c_query_passes(path: Path) -> None:
    assert inspect(path.read_text(encoding="utf-8")).form in ("SELECT", "ASK")


def test_verdicts_are_cached_per_query_text() -> None:
    query = CANNED["reports"] + "\n# cache probe"
    started = time.perf_counter()
    inspect(query)
    first = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(100):
        inspect(query)
    assert (time.perf_counter() - started) / 100 < first  # a cache hit costs less than one parse


# ---------------------------------------------------------------- property test over HTTP


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    watcher = Listener()
    yield watcher
    watcher.close()


@pytest.fixture(scope="module", params=["embedded", "oxigraph-serve"])
def server(request, build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    with serve(request.param, build_dir, tmp_path_factory.mktemp("guard")) as live:
        yield live


def send(server: LiveServer, query: str, method: str) -> tuple[int, str]:
    url = server.url + "/sparql"
    headers = {"Accept": "application/sparql-results+json"}
    if method == "GET":
        outgoing = urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": query}), headers=headers)
    else:
        outgoing = urllib.request.Request(url, data=query.encode("utf-8"),
                                          headers={**headers, "Content-Type": "application/sparql-query"})
    try:
        with urllib.request.urlopen(outgoing, timeout=60) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.data(),
    name=st.sampled_from(sorted(CANNED)),
    keyword=st.sampled_from(KEYWORDS),
    silent=st.booleans(),
    separator=st.sampled_from(SEPARATORS),
    wrapper=st.sampled_from(WRAPPERS),
    method=st.sampled_from(["GET", "POST"]),
)
def test_no_spelling_of_service_anywhere_makes_the_server_connect(  # type: ignore[no-untyped-def]
    server, listener, data, name: str, keyword: str, silent: bool, separator: str, wrapper: tuple[str, str],
    method: str,
) -> None:
    query = CANNED[name]
    at = data.draw(st.sampled_from(boundaries(query)), label="boundary")
    hostile = query[:at] + service_clause(listener.port, keyword, silent, separator, wrapper) + query[at:]
    before = listener.connections
    status, body = send(server, hostile, method)
    assert status != 200, (status, hostile)
    assert 400 <= status < 500, (status, body[:300])
    assert "Traceback" not in body
    assert listener.connections == before, hostile


def test_the_property_test_reaches_valid_service_queries(listener: Listener) -> None:
    """Guards the property test against vacuity: many insertions are valid SPARQL with a SERVICE
    that Oxigraph would run, so a missing guard would be seen."""
    store = pyoxigraph.Store()
    valid = 0
    for query in CANNED.values():
        for at in boundaries(query)[::7]:
            clause = service_clause(listener.port, "SERVICE", True, " ", (" . ", " . "))
            try:
                store.query(query[:at] + clause + query[at:])
            except SyntaxError:
                continue
            except Exception:  # an evaluation error still means the text parsed
                pass
            valid += 1
    assert valid >= len(CANNED)


# ---------------------------------------------------------------- defence in depth: the workers' sandbox


def test_query_workers_cannot_connect_even_without_the_guard(build_dir: Path, listener: Listener) -> None:
    target = f"<http://127.0.0.1:{listener.port}/sparql>"
    unguarded = f"SELECT * WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }}"
    # The control: the same query from an Oxigraph that is not sandboxed does connect.
    before = listener.connections
    with pytest.raises(OSError):
        list(pyoxigraph.Store().query(unguarded))
    time.sleep(0.2)
    assert listener.connections > before
    store = EmbeddedStore(Settings(build_dir=build_dir, query_timeout=10.0))
    try:
        before = listener.connections
        with pytest.raises(QueryRefused) as refused:
            store.execute(QueryRequest(unguarded, formats.JSON))  # straight to the store: no guard
        assert "Permission denied" in refused.value.message or "unreachable" in refused.value.message
        silent = store.execute(QueryRequest(unguarded.replace("SERVICE", "SERVICE SILENT"), formats.JSON))
        assert b'"bindings"' in silent.body
        time.sleep(0.2)
        assert listener.connections == before
    finally:
        store.close()
