"""No silent truncation, anywhere: at 50 synthetic reports, with a small row cap set for /sparql, the
explorer's own queries, the Linked Data pages and the exports still see everything; /sparql answers
a result whole or refuses it, saying how to get the data; and without a cap it streams every row."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from rdflib import Graph
from ruamel.yaml import YAML

from kg.authoring.synth import synth
from kg.build import build
from kg.builddir import Build
from kg.compile import ENTITY_KIND
from kg.config import PROJECT_ROOT, Settings
from kg.namespaces import BASE
from kg.web import create_app

REPORTS = 50
CAP = 200  # far below the size of one report graph, the facts table, the label index


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Build:
    data = tmp_path_factory.mktemp("fifty") / "data"
    synth(REPORTS, data)
    return build(data, PROJECT_ROOT / "ontology", data.parent / "build")


def build_link(corpus: Build) -> Path:
    return corpus.path.parent.parent / "build"  # .build.versions/<version>/ -> build


@pytest.fixture(scope="module")
def capped(corpus: Build) -> Iterator[Any]:
    app = create_app(Settings(build_dir=build_link(corpus), max_rows=CAP, query_timeout=30))
    yield app.test_client()
    app.extensions["kg.store"].close()


def dataset(corpus: Build) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.bulk_load(path=str(corpus.dataset_path), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


def defined_by(path: Path) -> dict[str, str]:
    """IRI -> English label of everything a curated report file defines (its entities and itself)."""
    document = YAML(typ="safe").load(path)
    defined = {f"{BASE}id/report/{document['report']['id']}": document["report"]["title"]["en"]}
    for section, kind in ENTITY_KIND.items():
        for entry in document.get(section) or []:
            defined[f"{BASE}id/{kind}/{entry['id']}"] = entry["label"]["en"]
    return defined


def test_search_finds_an_entity_only_the_last_report_defines(corpus: Build, capped) -> None:  # type: ignore[no-untyped-def]
    reports = sorted((build_link(corpus).parent / "data" / "reports").iterdir())
    *earlier, last = [defined_by(report / "report.yaml") for report in reports]
    unique = sorted(set(last) - set().union(*earlier))
    assert unique, "the last synthetic report defines something of its own"
    for iri in unique:
        found = capped.get("/api/search", query_string={"q": last[iri]}).json["results"]
        assert iri in [r["iri"] for r in found], (iri, last[iri])


def test_a_report_graph_is_returned_whole(corpus: Build, capped) -> None:  # type: ignore[no-untyped-def]
    last = corpus.manifest["reports"][-1]
    assert last["triples"] > CAP
    response = capped.get(f"/graph/report/{last['id']}", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert len(Graph().parse(data=response.data, format="nt")) == last["triples"]


def test_the_facts_api_counts_every_fact(corpus: Build, capped) -> None:  # type: ignore[no-untyped-def]
    facts = capped.get("/api/facts").json["facts"]
    count = next(
        iter(
            dataset(corpus).query(
                "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { GRAPH ?g { ?f a qb:Observation } }",
                prefixes={"qb": "http://purl.org/linked-data/cube#"},
            )
        )
    )
    assert len(facts) == int(count["n"].value) > CAP
    assert len({f["report"] for f in facts}) == REPORTS


def test_the_org_chart_and_exports_are_whole(corpus: Build, capped) -> None:  # type: ignore[no-untyped-def]
    agencies = capped.get("/api/orgchart").json["agencies"]
    store = dataset(corpus)
    expected = {
        s["a"].value
        for s in store.query("SELECT DISTINCT ?a WHERE { GRAPH ?g { ?a a <https://w3id.org/cnkg/ontology#Agency> } }")
    }
    assert {a["iri"] for a in agencies} == expected
    nt = capped.get("/download/nt")
    assert len(Graph().parse(data=nt.data, format="nt")) == corpus.manifest["triples"]


def test_over_the_cap_sparql_refuses_and_says_how_to_get_the_data(capped) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
    response = capped.get("/sparql", query_string={"query": query}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    message = response.json["error"]
    assert f"more than {CAP}" in message and "LIMIT" in message and "OFFSET" in message and "/download/" in message
    paged = capped.get("/sparql", query_string={"query": query + f" ORDER BY ?s ?label LIMIT {CAP} OFFSET {CAP}"})
    assert paged.status_code == 200 and len(paged.json["results"]["bindings"]) == CAP
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert capped.get("/sparql", query_string={"query": construct}).status_code == 400


@pytest.mark.parametrize(
    "media_type", ["application/sparql-results+json", "text/csv", "application/sparql-results+xml"]
)
def test_without_a_cap_every_row_is_streamed(corpus: Build, media_type: str) -> None:
    app = create_app(Settings(build_dir=build_link(corpus), query_timeout=60))
    try:
        response = app.test_client().get(
            "/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": media_type}
        )
        assert response.status_code == 200 and response.is_streamed
        body = response.get_data()
        if media_type.endswith("json"):
            rows = len(json.loads(body)["results"]["bindings"])
        elif media_type == "text/csv":
            rows = len(list(csv.reader(io.StringIO(body.decode(), newline="")))) - 1
        else:
            rows = body.count(b"<result>")
        assert rows == corpus.manifest["triples"], (rows, corpus.manifest["triples"])
    finally:
        app.extensions["kg.store"].close()


@pytest.mark.parametrize(("cap", "status"), [(3, 200), (2, 400)])
def test_the_cap_is_exact(build_dir: Path, cap: int, status: int) -> None:
    """Three officials: a cap of 3 answers them whole, a cap of 2 refuses (never two of three)."""
    app = create_app(Settings(build_dir=build_dir, max_rows=cap))
    try:
        query = "SELECT ?s WHERE { ?s a <https://w3id.org/cnkg/ontology#Official> }"
        response = app.test_client().get(
            "/sparql", query_string={"query": query}, headers={"Accept": "application/json"}
        )
        assert response.status_code == status
        if status == 200:
            assert len(response.json["results"]["bindings"]) == 3
    finally:
        app.extensions["kg.store"].close()


def test_an_entity_page_says_when_it_shows_part_and_links_to_the_whole(corpus: Build, capped) -> None:  # type: ignore[no-untyped-def]
    quote_class = "https://w3id.org/cnkg/ontology#Quote"  # the class of every quote: thousands at 50 reports
    entity = capped.get("/api/entity", query_string={"iri": quote_class}).json
    assert entity["truncated"] is True
    whole = capped.get(entity["complete"])
    assert whole.status_code == 200 and whole.mimetype == "text/turtle"
    assert len(Graph().parse(data=whole.data, format="turtle")) > len(entity["properties"])
    page = capped.get("/resource", query_string={"iri": quote_class}, headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    assert "the whole description" in page
    small = capped.get("/api/entity", query_string={"iri": f"{BASE}id/report/synth-00049"}).json
    assert small["truncated"] is False
