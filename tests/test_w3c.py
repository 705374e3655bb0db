"""The W3C SPARQL 1.1 test suites (tests/w3c/, see its README) against a real `kg serve`.

Run over HTTP on 127.0.0.1 against the embedded store and against `kg serve --store` on
`oxigraph serve`, each serving a build of exactly the suites' data: the protocol tests' three
graphs under their own names, and each results test's data file as a graph of its own, chosen with
``default-graph-uri`` (the endpoint's default graph is otherwise the union of all graphs).

Adapted for a read-only endpoint: every update request must be refused with a 4xx, a query that
checks an update's effect must find it did not happen, and after every test the whole dataset is
the same as before.
"""

from __future__ import annotations

import csv
import hashlib
import http.client
import io
import json
import urllib.parse
import xml.dom.minidom
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.util import from_n3

from conftest import LiveServer
from endpoint_helpers import STORES, build_of, serve

SUITES = Path(__file__).parent / "w3c"
MANIFEST_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
TABULAR_TYPES = (*BOOLEAN_TYPES, "text/csv", "text/tab-separated-values")
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
             "application/ld+json": "json-ld"}
RESULT_TYPES = {".srj": "application/sparql-results+json", ".csv": "text/csv", ".tsv": "text/tab-separated-values"}
# The results tests the engine cannot pass, and why: Oxigraph (0.5) stores typed numbers as values and
# writes back its own forms, so two terms of data2.ttl come back changed.
CANNOT_PASS = {
    "csv03": 'Oxigraph writes the data\'s "1.0E6"^^xsd:double back as 1000000; CSV carries no datatype, so the '
    "text is all there is to compare",
    "tsv03": 'Oxigraph stores "-3"^^xsd:negativeInteger as "-3"^^xsd:integer: the datatype is lost at load '
    "(the double 1.0E6, written back as 1000000, is the same value and passes)",
}


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]  # "2xx", "3xx", "4xx"
    format: str | None = None
    boolean: bool | None = None

    @property
    def is_update(self) -> bool:
        content_type = self.headers.get("content-type", "")
        form = (self.body or b"").decode("utf-8", "replace") if "urlencoded" in content_type else ""
        query_string = urllib.parse.urlsplit(self.path).query
        return (
            content_type.startswith("application/sparql-update")
            or "update" in dict(urllib.parse.parse_qsl(form))
            or "update" in dict(urllib.parse.parse_qsl(query_string))
        )


@dataclass
class ProtocolTest:
    name: str
    exchanges: list[Exchange] = field(default_factory=list)


def _manifest(suite: str) -> Graph:
    base = f"{MANIFEST_BASE}{suite}/manifest.ttl"
    return Graph().parse(SUITES / suite / "manifest.ttl", format="turtle", publicID=base)


def _entries(graph: Graph) -> list[URIRef]:
    manifest = graph.value(predicate=RDF.type, object=MF.Manifest)
    return list(Collection(graph, graph.value(manifest, MF.entries)))


def protocol_tests() -> list[ProtocolTest]:
    graph = _manifest("protocol")
    tests = []
    for entry in _entries(graph):
        test = ProtocolTest(str(entry).rsplit("#", 1)[-1])
        for node in Collection(graph, graph.value(graph.value(entry, MF.action), HT.requests)):
            headers = {}
            for header in Collection(graph, graph.value(node, HT.headers)) if graph.value(node, HT.headers) else []:
                headers[str(graph.value(header, HT.fieldName)).lower()] = str(graph.value(header, HT.fieldValue))
            body = graph.value(node, HT.body)
            payload = None
            if body is not None:
                encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
                payload = str(graph.value(body, CNT.chars)).encode(encoding)
            response = graph.value(node, HT.resp)
            statuses = {str(s).rsplit("StatusCode", 1)[-1] for s in graph.objects(response, MF.expectedStatus)}
            boolean = graph.value(response, MF.expectedBoolean)
            expected_format = graph.value(response, MF.expectedFormat)
            test.exchanges.append(
                Exchange(
                    str(graph.value(node, HT.methodName)),
                    str(graph.value(node, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
                    headers,
                    payload,
                    statuses,
                    str(expected_format) if expected_format is not None else None,
                    bool(boolean.toPython()) if boolean is not None else None,
                )
            )
        tests.append(test)
    return tests


@dataclass(frozen=True)
class ResultsTest:
    name: str
    suite: str
    query: Path
    data: Path
    result: Path


def results_tests() -> list[ResultsTest]:
    tests = []
    for suite in ("csv-tsv-res", "json-res"):
        graph = _manifest(suite)
        for entry in _entries(graph):
            action = graph.value(entry, MF.action)
            local = SUITES / suite

            def file(node: object, folder: Path = local) -> Path:
                return folder / str(node).rsplit("/", 1)[-1]

            tests.append(
                ResultsTest(
                    str(entry).rsplit("#", 1)[-1],
                    suite,
                    file(graph.value(action, QT.query)),
                    file(graph.value(action, QT.data)),
                    file(graph.value(entry, MF.result)),
                )
            )
    return tests


PROTOCOL_TESTS = protocol_tests()
RESULTS_TESTS = results_tests()


def data_graph(path: Path) -> str:
    return f"{MANIFEST_BASE}{path.parent.name}/{path.name}"


def suite_dataset() -> bytes:
    """Every graph the suites use, as N-Quads."""
    quads: list[pyoxigraph.Quad] = []
    protocol = _manifest("protocol")
    for data in set(protocol.objects(predicate=UT.graphData)):
        name = pyoxigraph.NamedNode(str(protocol.value(data, RDFS.label)))
        source = SUITES / "protocol" / str(protocol.value(data, UT.graph)).rsplit("/", 1)[-1]
        quads.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, name)
                     for t in pyoxigraph.parse(path=str(source), format=pyoxigraph.RdfFormat.N_TRIPLES))
    for data in {test.data for test in RESULTS_TESTS}:
        name = pyoxigraph.NamedNode(data_graph(data))
        triples = pyoxigraph.parse(path=str(data), format=pyoxigraph.RdfFormat.TURTLE, base_iri=data_graph(data))
        quads.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, name) for t in triples)
    return pyoxigraph.serialize(sorted(quads, key=str), format=pyoxigraph.RdfFormat.N_QUADS)


@pytest.fixture(scope="module", params=STORES)
def w3c_server(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("w3c")
    build = build_of(tmp / "build", suite_dataset())
    with serve(request.param, build, tmp) as server:
        yield server


def exchange(server: LiveServer, method: str, path: str, headers: dict[str, str], body: bytes | None
             ) -> tuple[int, str, bytes]:
    address = urllib.parse.urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, (response.getheader("Content-Type") or "").split(";")[0], response.read()
    finally:
        connection.close()


def dataset_digest(server: LiveServer) -> str:
    """Every quad the endpoint holds, named graphs and default graph, as one digest."""
    query = "SELECT ?g ?s ?p ?o WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
    status, _, body = exchange(server, "GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
                               {"Accept": "application/sparql-results+json"}, None)
    assert status == 200
    rows = sorted(json.dumps(row, sort_keys=True) for row in json.loads(body)["results"]["bindings"])
    assert rows, "the suite's dataset is served"
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def parse_boolean(media_type: str, body: bytes) -> bool:
    if media_type == "application/sparql-results+json":
        return bool(json.loads(body)["boolean"])
    return xml.dom.minidom.parseString(body).getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("test", PROTOCOL_TESTS, ids=lambda t: t.name)
def test_protocol(w3c_server: LiveServer, test: ProtocolTest) -> None:
    before = dataset_digest(w3c_server)
    updates_refused = False
    for step in test.exchanges:
        status, media_type, body = exchange(w3c_server, step.method, step.path, step.headers, step.body)
        if step.is_update:  # adapted: refused, whatever the suite expects of a writable endpoint
            assert 400 <= status < 500, (step.path, status, body[:300])
            updates_refused = True
            continue
        assert f"{status // 100}xx" in step.statuses, (step.path, status, body[:300])
        if step.format == "boolean":
            assert media_type in BOOLEAN_TYPES
            # adapted: a query that checks an update's effect finds that it never happened
            expected = False if updates_refused else step.boolean
            assert expected is None or parse_boolean(media_type, body) is expected
        elif step.format == "tabular":
            assert media_type in TABULAR_TYPES
        elif step.format == "RDF":
            assert media_type in RDF_TYPES
            Graph().parse(data=body, format=RDF_TYPES[media_type])
    assert dataset_digest(w3c_server) == before


def _rows(media_type: str, body: bytes) -> tuple[list[str], list[list[str]]] | bool:
    """Variables and rows of cells (each cell a term in the format's own syntax), or the boolean."""
    if media_type == "application/sparql-results+json":
        data = json.loads(body)
        if "boolean" in data:
            return bool(data["boolean"])
        names = data["head"]["vars"]
        return names, [[json.dumps(row.get(v), sort_keys=True) for v in names] for row in data["results"]["bindings"]]
    if media_type == "text/csv":
        lines = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
        return lines[0], lines[1:]
    # TSV cells are terms in Turtle syntax: compared as RDF terms, numbers by value (tsv03 expects
    # the data's "1.0E6" back as 1.0e6), blank nodes by label
    lines = [line.split("\t") for line in body.decode("utf-8").splitlines()]
    return lines[0], [[cell if cell[:2] in ("", "_:") else from_n3(cell).n3() for cell in row] for row in lines[1:]]


def _blank_label(cell: str) -> str | None:
    if cell.startswith("_:"):
        return cell[2:]
    if cell.startswith("{"):
        term = json.loads(cell)
        if term and term.get("type") == "bnode":
            return str(term["value"])
    return None


def same_results(expected: object, actual: object) -> bool:
    """Equal, row by row in order (the queries ORDER BY), up to a one-to-one renaming of blank nodes.

    Columns are matched by variable name: the order of SELECT * variables is not specified."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected == actual
    (expected_vars, expected_rows), (actual_vars, actual_rows) = expected, actual  # type: ignore[misc]
    if sorted(expected_vars) != sorted(actual_vars) or len(expected_rows) != len(actual_rows):
        return False
    columns = [actual_vars.index(name) for name in expected_vars]
    actual_rows = [[row[column] for column in columns] for row in actual_rows]
    mapping: dict[str, str] = {}
    for want_row, got_row in zip(expected_rows, actual_rows, strict=True):
        for want, got in zip(want_row, got_row, strict=True):
            want_blank, got_blank = _blank_label(want), _blank_label(got)
            if want_blank is not None and got_blank is not None:
                if mapping.setdefault(want_blank, got_blank) != got_blank:
                    return False
            elif want != got:
                return False
    return len(set(mapping.values())) == len(mapping)


@pytest.mark.parametrize(
    "test",
    [
        pytest.param(t, marks=pytest.mark.xfail(reason=CANNOT_PASS[t.name], strict=True))
        if t.name in CANNOT_PASS
        else t
        for t in RESULTS_TESTS
    ],
    ids=lambda t: t.name,
)
def test_results_format(w3c_server: LiveServer, test: ResultsTest) -> None:
    media_type = RESULT_TYPES[test.result.suffix]
    path = "/sparql?" + urllib.parse.urlencode({"default-graph-uri": data_graph(test.data)})
    headers = {"Content-Type": "application/sparql-query", "Accept": media_type}
    status, answered_type, body = exchange(w3c_server, "POST", path, headers, test.query.read_bytes())
    assert status == 200, body[:300]
    assert answered_type == media_type
    if media_type == "text/csv":
        assert body.count(b"\n") == body.count(b"\r\n"), "CSV lines end with CRLF"
    assert same_results(_rows(media_type, test.result.read_bytes()), _rows(media_type, body)), body.decode()
