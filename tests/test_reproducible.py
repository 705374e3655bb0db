"""Builds that reproduce, and metadata that counts each thing once.

The same input gives byte-identical dataset.nq, store content and exports; ETags survive a rebuild
of unchanged data; VoID and `kg build` count distinct triples and quads, each once, by name.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from conftest import DATA, ONTOLOGY, run_kg
from kg.build import build
from kg.builddir import Build
from kg.config import PROJECT_ROOT, Settings
from kg.export import FORMATS, export
from kg.namespaces import VOID
from kg.web import create_app

QUERIES = PROJECT_ROOT / "queries"
LABELS = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label } LIMIT 5"


@pytest.fixture(scope="module")
def second(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """A second build of the same data, in another folder, in another process's lifetime."""
    return build(DATA, ONTOLOGY, tmp_path_factory.mktemp("again") / "build")


def store_lines(built: Build) -> list[bytes]:
    store = pyoxigraph.Store.read_only(str(built.store_path))
    return sorted(store.dump(format=pyoxigraph.RdfFormat.N_QUADS).splitlines())


def test_the_same_input_gives_the_same_dataset_and_store(built: Build, second: Build) -> None:
    assert built.path != second.path
    assert built.dataset_path.read_bytes() == second.dataset_path.read_bytes()
    assert b"_:" not in built.dataset_path.read_bytes()  # no blank node: no label that changes per parse
    assert store_lines(built) == store_lines(second)
    assert built.version == second.version


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_input_gives_the_same_exports(built: Build, second: Build, fmt: str) -> None:
    assert export(built, fmt, QUERIES) == export(second, fmt, QUERIES)


def test_the_same_input_gives_the_same_download_files(built: Build, second: Build) -> None:
    """kg build writes the downloads: the manifest lists the same sizes and digests both times."""
    assert built.manifest["downloads"] == second.manifest["downloads"]
    for entry in built.manifest["downloads"].values():
        assert (built.path / entry["file"]).read_bytes() == (second.path / entry["file"]).read_bytes()


def test_exports_are_sorted(built: Build) -> None:
    lines = export(built, "nquads", QUERIES).splitlines()
    assert lines == sorted(lines, key=lambda line: (line.rsplit(b" ", 2)[-2], line))  # by graph, then statement
    triples = export(built, "nt", QUERIES).splitlines()
    assert triples == sorted(triples)


def test_etags_survive_a_rebuild_of_unchanged_data(tmp_path: Path) -> None:
    out = tmp_path / "build"
    build(DATA, ONTOLOGY, out)
    app = create_app(Settings(build_dir=out))
    try:
        client = app.test_client()
        first = client.get("/sparql", query_string={"query": LABELS})
        etag = first.headers["ETag"]
        version = client.get("/healthz").json["version"]
        rebuilt = build(DATA, ONTOLOGY, out)
        time.sleep(0.6)  # the store looks at build/ at most twice a second
        assert app.extensions["kg.store"].build.path == rebuilt.path  # serving the new directory
        again = client.get("/sparql", query_string={"query": LABELS}, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert client.get("/healthz").json["version"] == version
    finally:
        app.extensions["kg.store"].close()


def distinct_triples_and_quads(built: Build) -> tuple[int, int]:
    quads = list(pyoxigraph.parse(path=str(built.dataset_path), format=pyoxigraph.RdfFormat.N_QUADS))
    return len({q.triple for q in quads}), len(quads)


@pytest.fixture(params=["embedded", "oxigraph-serve"])
def any_client(request):  # type: ignore[no-untyped-def]
    return request.getfixturevalue("app" if request.param == "embedded" else "remote_app").test_client()


def test_void_counts_each_thing_once(any_client, built: Build) -> None:  # type: ignore[no-untyped-def]
    client = any_client
    triples, quads = distinct_triples_and_quads(built)
    graph = Graph().parse(data=client.get("/void", headers={"Accept": "text/turtle"}).data, format="turtle")
    datasets = [s for s in graph.subjects(RDF.type, VOID.Dataset) if (None, VOID.subset, s) not in graph]
    assert len(datasets) == 1
    dataset = datasets[0]
    assert graph.value(dataset, VOID.triples) == Literal(triples)
    subsets = {
        URIRef(str(graph.value(s, URIRef("http://purl.org/dc/terms/source")))): int(graph.value(s, VOID.triples))
        for s in graph.objects(dataset, VOID.subset)
    }
    assert sum(subsets.values()) == sum(r["triples"] for r in built.manifest["reports"])
    assert (built.manifest["triples"], built.manifest["quads"]) == (triples, quads)
    description = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle")
    assert Literal(triples) in set(description.objects(None, VOID.triples))
    assert Literal(quads + triples) not in set(description.objects(None, VOID.triples))


def test_kg_build_says_what_it_counted(tmp_path: Path, built: Build) -> None:
    result = run_kg("build", "--out", str(tmp_path / "build"))
    assert result.returncode == 0, result.stderr
    triples, quads = distinct_triples_and_quads(built)
    graphs = len(built.manifest["graphs"])
    assert re.search(
        rf"{triples:,} distinct triples, stated as {quads:,} quads in {graphs} named graphs", result.stdout
    )


def test_canonical_nquads_are_the_lines_rdflibs_serializer_writes() -> None:
    """The build writes each graph's lines without copying it into a Dataset first; the lines must
    be those of rdflib's N-Quads serializer (sorted), for a real report graph and hostile literals."""
    from rdflib import Dataset

    from kg.build import _Shared, canonical_nquads
    from kg.compile import compile_report, iter_report_dirs

    shared = _Shared(DATA, ONTOLOGY)
    report_dir = next(iter(iter_report_dirs(DATA)))
    graph = compile_report(report_dir, shared.vocabularies, DATA).graph
    assert graph is not None
    node = URIRef("https://w3id.org/cnkg/id/test/odd")
    for text in ("line\nbreak", 'quote " and \\ backslash', "tab\tand\r", "汉字 \u2028 \x00", "\ud800"):
        graph.add((node, RDF.value, Literal(text, lang="zh")))
        graph.add((node, RDF.value, Literal(text)))
    for candidate in (graph, shared.ontology):
        dataset = Dataset()
        target = dataset.graph(candidate.identifier)
        target += candidate
        serialised = dataset.serialize(format="nquads", encoding="utf-8").splitlines()
        expected = b"".join(line + b"\n" for line in sorted(line for line in serialised if line))
        assert canonical_nquads(candidate) == expected
