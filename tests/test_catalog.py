"""/catalog: the DCAT catalog and VoID of the dataset, with counts checked against the dataset
file itself, a distribution per download matching the bytes served, and the licence stated."""

from __future__ import annotations

import hashlib
import urllib.request
from email.message import Message

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from conftest import LiveServer
from kg.builddir import Build

VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")


def _fetch(url: str, accept: str = "text/turtle") -> tuple[int, Message, bytes]:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept}), timeout=60) as response:
        return response.status, response.headers, response.read()


@pytest.fixture(scope="module")
def catalog(live_server: LiveServer) -> Graph:
    _, _, body = _fetch(live_server.url + "/catalog")
    return Graph().parse(data=body, format="turtle")


def _dataset(graph: Graph) -> URIRef:
    (dataset,) = set(graph.subjects(RDF.type, DCAT.Dataset))
    return dataset  # type: ignore[return-value]


def _union(built: Build) -> Graph:
    union = Graph()
    union.parse(built.path / built.manifest["downloads"]["nt"]["file"], format="nt")
    return union


def test_void_counts_are_those_of_the_data(catalog: Graph, built: Build) -> None:
    union = _union(built)
    dataset = _dataset(catalog)
    assert (dataset, RDF.type, VOID.Dataset) in catalog
    expected = {
        VOID.triples: len(union),
        VOID.distinctSubjects: len(set(union.subjects())),
        VOID.distinctObjects: len(set(union.objects())),
        VOID.properties: len(set(union.predicates())),
        VOID.classes: len(set(union.objects(None, RDF.type))),
        VOID.entities: len({s for s in union.subjects() if str(s).startswith("https://w3id.org/cnkg/id/")}),
    }
    for predicate, count in expected.items():
        assert catalog.value(dataset, predicate) == Literal(count), predicate
    examples = set(catalog.objects(dataset, VOID.exampleResource))
    assert examples and all((e, None, None) in union for e in examples)
    subsets = list(catalog.objects(dataset, VOID.subset))
    assert {str(catalog.value(s, DCTERMS.source)) for s in subsets} == {r["graph"] for r in built.manifest["reports"]}


def test_a_distribution_per_download_matching_what_is_served(catalog: Graph, built: Build) -> None:
    dataset = _dataset(catalog)
    distributions = list(catalog.objects(dataset, DCAT.distribution))
    assert len(distributions) == len(built.manifest["downloads"])
    for distribution in distributions:
        url = str(catalog.value(distribution, DCAT.downloadURL))
        status, headers, body = _fetch(url, "*/*")
        assert status == 200
        assert catalog.value(distribution, DCAT.byteSize).toPython() == len(body)
        checksum = catalog.value(distribution, SPDX.checksum)
        assert catalog.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        media_type = str(catalog.value(distribution, DCAT.mediaType)).rpartition("media-types/")[2]
        assert headers["Content-Type"].startswith(media_type)
        assert catalog.value(distribution, DCTERMS.license) == CC_BY


def test_licence_and_rights_and_endpoint(catalog: Graph, live_server: LiveServer) -> None:
    dataset = _dataset(catalog)
    assert catalog.value(dataset, DCTERMS.license) == CC_BY
    rights = {r.language: str(r) for r in catalog.objects(dataset, DCTERMS.rights)}
    assert "CC BY 4.0" in rights["en"] and "official government documents" in rights["en"] and "zh" in rights
    endpoint = URIRef(live_server.url + "/sparql")
    assert catalog.value(dataset, VOID.sparqlEndpoint) == endpoint
    (service,) = set(catalog.subjects(DCAT.servesDataset, dataset))
    assert catalog.value(service, DCAT.endpointURL) == endpoint


def test_catalog_by_negotiation_and_void_is_the_same(live_server: LiveServer, catalog: Graph) -> None:
    _, headers, body = _fetch(live_server.url + "/catalog", "application/ld+json")
    assert headers["Content-Type"].startswith("application/ld+json")
    as_jsonld = Graph().parse(data=body, format="json-ld")
    assert len(as_jsonld) == len(catalog)
    _, _, void = _fetch(live_server.url + "/void")
    assert len(Graph().parse(data=void, format="turtle")) == len(catalog)


def test_every_page_links_to_the_catalog(live_server: LiveServer) -> None:
    for path, accept in (
        ("/", "text/html"),
        ("/id/person/liu-zhijie", "text/html"),
        ("/sparql?query=ASK%7B%7D", "*/*"),
        ("/download/csv", "*/*"),
    ):
        _, headers, _ = _fetch(live_server.url + path, accept)
        assert '</catalog>; rel="describedby"' in headers["Link"], path
    _, _, page = _fetch(live_server.url + "/", "text/html")
    assert b'<link rel="describedby" type="text/turtle" href="/catalog"' in page
    assert b'<footer class="sitefooter"><a href="/catalog">' in page


def test_counts_by_sparql_on_a_remote_store_agree_with_the_build(app, remote_app) -> None:  # type: ignore[no-untyped-def]
    """The embedded store reads the counts kg build made; a remote store has them counted by SPARQL."""
    counted = {}
    for name, application in (("build", app), ("sparql", remote_app)):
        data = application.test_client().get("/catalog", headers={"Accept": "text/turtle"}).data
        graph = Graph().parse(data=data, format="turtle")
        dataset = _dataset(graph)
        counted[name] = {
            p: graph.value(dataset, p)
            for p in (
                VOID.triples,
                VOID.entities,
                VOID.distinctSubjects,
                VOID.distinctObjects,
                VOID.classes,
                VOID.properties,
            )
        } | {"examples": {str(e) for e in graph.objects(dataset, VOID.exampleResource)}}
    assert counted["build"] == counted["sparql"]
    assert all(v is not None for v in counted["build"].values())
