"""Ontology quality: the checks in ontology/checks/ (ODK style) and a known-terms check on the data."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest

from kg.builddir import Build, memory_store
from kg.config import PROJECT_ROOT

CHECKS = sorted((PROJECT_ROOT / "ontology" / "checks").glob("*.rq"))

# Terms of other vocabularies that we use, spelled right. A misspelt one (qb:Dataset,
# sdmx-attribute:unitMultiplier) is not in this list and fails the test.
KNOWN_TERMS = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    *(
        f"http://www.w3.org/2000/01/rdf-schema#{t}"
        for t in ("label", "comment", "domain", "range", "subClassOf", "subPropertyOf")
    ),
    *(
        f"http://www.w3.org/2002/07/owl#{t}"
        for t in ("Ontology", "Class", "ObjectProperty", "DatatypeProperty", "versionInfo")
    ),
    *(
        f"http://www.w3.org/2004/02/skos/core#{t}"
        for t in (
            "Concept",
            "ConceptScheme",
            "prefLabel",
            "altLabel",
            "definition",
            "note",
            "inScheme",
            "broader",
            "exactMatch",
        )
    ),
    *(
        f"http://purl.org/dc/terms/{t}"
        for t in (
            "title",
            "issued",
            "publisher",
            "language",
            "creator",
            "isPartOf",
            "source",
            "spatial",
            "created",
            "bibliographicCitation",
            "isReplacedBy",
        )
    ),
    *(
        f"http://www.w3.org/ns/org#{t}"
        for t in (
            "FormalOrganization",
            "Post",
            "Role",
            "Membership",
            "subOrganizationOf",
            "postIn",
            "role",
            "heldBy",
            "holds",
            "member",
            "organization",
        )
    ),
    "http://xmlns.com/foaf/0.1/Person",
    "http://xmlns.com/foaf/0.1/name",
    "http://www.w3.org/ns/prov#wasDerivedFrom",
    "http://www.w3.org/ns/prov#Entity",
    "http://www.w3.org/ns/prov#Plan",
    *(
        f"http://purl.org/linked-data/cube#{t}"
        for t in (
            "Observation",
            "DataSet",
            "DataStructureDefinition",
            "ComponentSpecification",
            "DimensionProperty",
            "AttributeProperty",
            "dataSet",
            "structure",
            "component",
            "dimension",
            "measure",
            "attribute",
            "order",
            "componentRequired",
            "concept",
        )
    ),
    *(
        f"http://www.w3.org/ns/oa#{t}"
        for t in (
            "SpecificResource",
            "TextQuoteSelector",
            "TextPositionSelector",
            "hasSource",
            "hasSelector",
            "exact",
            "prefix",
            "suffix",
            "start",
            "end",
        )
    ),
    "http://data.europa.eu/eli/ontology#Work",
    "http://data.europa.eu/eli/ontology#type_document",
    "https://schema.org/NewsArticle",
    "https://schema.org/GovernmentOrganization",
    "https://schema.org/Place",
    "http://purl.org/linked-data/sdmx/2009/measure#obsValue",
    "http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure",
    "http://purl.org/linked-data/sdmx/2009/attribute#unitMult",
    "http://purl.org/linked-data/sdmx/2009/dimension#refPeriod",
    "http://purl.org/linked-data/sdmx/2009/dimension#refArea",
}


@pytest.fixture(scope="module")
def store(built: Build) -> pyoxigraph.Store:
    return memory_store(built.dataset_path)


@pytest.mark.parametrize("check", CHECKS, ids=[c.stem for c in CHECKS])
def test_quality_check_finds_nothing(store: pyoxigraph.Store, check: Path) -> None:
    rows = [[t.value if t is not None else None for t in row] for row in store.query(check.read_text())]
    assert rows == [], f"{check.name}: {rows[:10]}"


def test_every_term_used_is_known_or_ours(store: pyoxigraph.Store) -> None:
    used = {row[0].value for row in store.query("SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } }")}
    foreign = {t for t in used if not t.startswith("https://w3id.org/cnkg/") and t not in KNOWN_TERMS}
    assert foreign == set()


def test_quality_checks_exist() -> None:
    assert len(CHECKS) >= 8
