"""Citations (kg.cite) of facts, entities and reports gathered from a real store over a built
fixture corpus: CSL-JSON validated against the CSL schema (tests/schemas), BibTeX and RIS parsed
back by bibtexparser and rispy."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy

from corpus import analyst_corpus
from kg.build import build
from kg.cite import FORMATS, Citable, apa, bibtex, chicago, csl_json, gather, render, ris
from kg.config import PROJECT_ROOT, Settings
from kg.store import open_store
from kg.store.base import Store

ID = "https://w3id.org/cnkg/id/"
FACT = ID + "report/fixture-gansu-2022-03-10/fact/rural-income-2021"
SOURCE_URL = "https://example.org/cnkg-test-fixtures/gansu-2022-03-10"
ACCESSED = dt.date(2026, 12, 2)
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "csl-data.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    root = tmp_path_factory.mktemp("cite")
    data = analyst_corpus(root / "data")
    # One fixture report with a curated source address (made up, like the fixture itself).
    gansu = data / "reports" / "fixture-gansu-2022-03-10" / "report.yaml"
    text = gansu.read_text(encoding="utf-8")
    issued = "\n  issued: 2022-03-10\n"
    assert issued in text
    gansu.write_text(text.replace(issued, f"{issued}  source_url: {SOURCE_URL}\n", 1), encoding="utf-8")
    build(data, PROJECT_ROOT / "ontology", root / "build")
    opened = open_store(Settings(build_dir=root / "build", query_workers=1))
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def fact(store: Store) -> Citable:
    found = gather(store, FACT, ACCESSED)
    assert found is not None
    return found


def test_a_fact_is_gathered_with_its_quote_and_translation(fact: Citable) -> None:
    assert fact.kind == "fact"
    assert fact.report_id == "fixture-gansu-2022-03-10"
    assert fact.issued == dt.date(2022, 3, 10)
    assert fact.quote == "可支配收入11433元"
    assert fact.sentence == "2021年,全省农村居民人均可支配收入11433元,增长10.5%;"
    assert fact.sentence_en and "11,433 yuan" in fact.sentence_en
    assert fact.title_zh.startswith("甘肃") and fact.title_en
    assert fact.publisher_en and fact.start is not None and fact.end == fact.start + len(fact.quote)


def test_apa_and_chicago_name_everything(fact: Citable) -> None:
    for text in (apa(fact), chicago(fact)):
        assert fact.title_zh in text and str(fact.title_en) in text and str(fact.publisher_en) in text
        assert FACT in text and "可支配收入11433元" in text and "11,433 yuan" in text
        assert "December 2, 2026" in text
    assert "(2022, March 10)" in apa(fact) and "March 10, 2022" in chicago(fact)


def test_csl_json_is_valid_against_the_schema(store: Store, fact: Citable) -> None:
    items = csl_json(fact)
    jsonschema.validate(items, SCHEMA)
    assert items[0]["URL"] == FACT and items[0]["issued"] == {"date-parts": [[2022, 3, 10]]}
    report = gather(store, ID + "report/shanxi-2022-04-02", ACCESSED)
    entity = gather(store, ID + "agency/shanxi-provincial-government", ACCESSED)
    assert report is not None and entity is not None
    for citable in (report, entity):
        jsonschema.validate(csl_json(citable), SCHEMA)
        json.loads(render(citable, "csl-json"))


def test_bibtex_parses_back(fact: Citable) -> None:
    library = bibtexparser.parse_string(bibtex(fact))
    assert not library.failed_blocks and len(library.entries) == 1
    entry = library.entries[0]
    assert entry.entry_type == "misc" and entry.key == "cnkg-report-fixture-gansu-2022-03-10-fact-rural-income-2021"
    assert entry["url"] == FACT and entry["year"] == "2022" and entry["urldate"] == "2026-12-02"
    assert fact.title_zh in entry["title"] and "11433" in entry["note"]


def test_bibtex_escapes_hostile_text(fact: Citable) -> None:
    hostile = replace(fact, title_zh="50% {of} \\ funds & #1_x}", quote="}@misc{evil, title={x}")
    library = bibtexparser.parse_string(bibtex(hostile))
    assert not library.failed_blocks and [e.key for e in library.entries] == [
        "cnkg-report-fixture-gansu-2022-03-10-fact-rural-income-2021"
    ]


def test_ris_parses_back(fact: Citable) -> None:
    hostile = replace(fact, sentence_en="line one\nER  - \nTY  - JOUR")
    for citable in (fact, hostile):
        entries = rispy.loads(ris(citable))
        assert len(entries) == 1
        entry = entries[0]
        assert entry["type_of_reference"] == "ELEC" and entry["urls"] == [FACT]
        assert entry["title"] == fact.title_zh and entry["translated_title"] == fact.title_en
        assert entry["year"] == "2022"


def test_the_report_is_cited_without_a_quote(store: Store) -> None:
    report = gather(store, ID + "report/shanxi-2022-04-02", ACCESSED)
    assert report is not None and report.kind == "report" and report.quote is None
    assert report.source and report.source.startswith("山西省人民政府网")  # as the curator gives it
    assert report.source_url is None  # the report gives none: never made up
    assert "山西省人民政府网, 2022-04-02" in apa(report)


def test_an_entity_cites_its_first_report(store: Store) -> None:
    entity = gather(store, ID + "agency/shanxi-provincial-government", ACCESSED)
    assert entity is not None and entity.kind == "entity"
    assert entity.label_en == "Shanxi Provincial People's Government" and entity.quote


@pytest.mark.parametrize("iri", [ID + "nothing/here", "not an iri", "http://x/> } SELECT * { ?s ?p ?o"])
def test_unknown_or_malformed_iris_give_nothing(store: Store, iri: str) -> None:
    assert gather(store, iri, ACCESSED) is None


def test_every_format_renders(fact: Citable) -> None:
    assert all(render(fact, style) for style in FORMATS)
    with pytest.raises(ValueError, match="unknown citation style"):
        render(fact, "mla")


def test_a_curated_source_address_is_cited(store: Store) -> None:
    report = gather(store, ID + "report/fixture-gansu-2022-03-10", ACCESSED)
    assert report is not None and report.source_url == SOURCE_URL
    assert report.source_url in apa(report)
    assert csl_json(report)[0]["archive_location"] == report.source_url
