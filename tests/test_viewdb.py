"""The analyst tables (kg.viewdb) agree with the graph: a fixture corpus (the outcome fixtures and
the Shanxi report) is built, and every table, facet, page and search is compared with the same
question asked by SPARQL of the built store."""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pyoxigraph
import pytest

from corpus import analyst_corpus
from kg import viewdb
from kg.build import build
from kg.builddir import Build, memory_store, sha256
from kg.config import PROJECT_ROOT
from kg.namespaces import sparql_prefixes

YUAN = "https://w3id.org/cnkg/id/unit/yuan"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("views")
    return build(analyst_corpus(root / "data"), PROJECT_ROOT / "ontology", root / "build")


@pytest.fixture(scope="module")
def graph(built: Build) -> pyoxigraph.Store:
    return memory_store(built.dataset_path)


@pytest.fixture(scope="module")
def views(built: Build) -> Iterator[sqlite3.Connection]:
    connection = viewdb.connect(built.path / viewdb.VIEWS)
    yield connection
    connection.close()


def sparql(store: pyoxigraph.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(sparql_prefixes() + query)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: t.value for n, t in zip(names, s, strict=True) if t is not None} for s in solutions]


def test_the_build_writes_the_views_with_their_digest(built: Build) -> None:
    path = built.path / viewdb.VIEWS
    assert built.manifest["files"][viewdb.VIEWS] == sha256(path)


def test_the_same_graph_gives_the_same_bytes(graph: pyoxigraph.Store, tmp_path: Path) -> None:
    first, second = viewdb.write_views(graph, tmp_path / "a.sqlite"), viewdb.write_views(graph, tmp_path / "b.sqlite")
    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    assert not list(tmp_path.glob(".*tmp"))


def test_facts_table_agrees_with_the_graph(graph: pyoxigraph.Store, views: sqlite3.Connection) -> None:
    expected = {
        (r["fact"], Decimal(r["value"]), r["written"], r["quote"], r["indicator"], r["region"], r["unit"], r["period"])
        for r in sparql(
            graph,
            """SELECT ?fact ?value ?written ?quote ?indicator ?region ?unit ?period WHERE {
                 ?fact a qb:Observation ; sdmx-measure:obsValue ?value ; kg:asWritten ?written ;
                       kg:indicator ?indicator ; kg:refArea ?region ; sdmx-attribute:unitMeasure ?unit ;
                       kg:refPeriod ?period ; prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote }""",
        )
    }
    rows = views.execute("SELECT fact, value, as_written, quote, indicator, region, unit, period FROM facts")
    table = {(r[0], Decimal(r[1]), *r[2:]) for r in rows}
    assert len(expected) > 80 and table == expected
    assert views.execute("SELECT count(*) FROM facts").fetchone()[0] == len(expected)


def test_sentences_and_translations_agree_with_the_text(graph: pyoxigraph.Store, views: sqlite3.Connection) -> None:
    fact = "https://w3id.org/cnkg/id/report/fixture-gansu-2022-03-10/fact/rural-income-2021"
    row = views.execute("SELECT * FROM facts WHERE fact = ?", (fact,)).fetchone()
    text = sparql(graph, f"SELECT ?t {{ <{row['report_iri']}> kg:sourceText ?t }}")[0]["t"]
    assert row["sentence"] == text[row["sentence_start"] : row["sentence_end"]]
    assert text[row["quote_start"] : row["quote_end"]] == row["quote"] == "可支配收入11433元"
    assert row["sentence_en"].startswith("In 2021, the per-capita disposable income")
    assert row["amount_en"] == "11,433 yuan" and row["indicator_en"] and row["region_zh"]
    untranslated = views.execute("SELECT count(*) FROM facts WHERE report = 'fixture-gansu-2023-02-15' AND "
                                 "sentence_en IS NOT NULL").fetchone()[0]  # fmt: skip
    assert untranslated == 0  # a fixture without translations.yaml has none, and none is made up


@pytest.mark.parametrize("column", viewdb.FACET_COLUMNS)
def test_facet_counts_agree_with_sparql(graph: pyoxigraph.Store, views: sqlite3.Connection, column: str) -> None:
    path = {
        "report": "qb:dataSet/dct:source", "value_type": "kg:valueType", "period": "kg:refPeriod",
        "indicator": "kg:indicator", "region": "kg:refArea", "unit": "sdmx-attribute:unitMeasure",
        "agency": "kg:leadAgency", "official": "kg:statedBy", "program": "kg:relatedProgram",
    }[column]  # fmt: skip
    found = sparql(
        graph,
        f"""SELECT ?v (COUNT(?fact) AS ?n) WHERE {{ ?fact a qb:Observation OPTIONAL {{ ?fact {path} ?v }} }}
            GROUP BY ?v""",
    )
    expected = {(r.get("v", "").rsplit("/", 1)[-1] if column == "report" else r.get("v")) or None: int(r["n"])
                for r in found}  # fmt: skip
    facets = viewdb.facet_counts(views, columns=[column])[column]
    assert {f["value"]: f["count"] for f in facets} == expected
    assert [f["count"] for f in facets] == sorted((f["count"] for f in facets), reverse=True)


def test_facets_count_under_the_other_filters(views: sqlite3.Connection) -> None:
    facets = viewdb.facet_counts(views, {"unit": YUAN, "report": "shanxi-2022-04-02"})
    assert (
        sum(f["count"] for f in facets["value_type"])
        == viewdb.facts_page(views, {"unit": YUAN, "report": "shanxi-2022-04-02"}).total
    )
    assert len(facets["unit"]) > 1  # a facet ignores its own filter, so the other units stay choosable


def test_a_page_agrees_with_sparql_order_and_count(graph: pyoxigraph.Store, views: sqlite3.Connection) -> None:
    ordered = sparql(
        graph,
        f"""SELECT ?fact ?v WHERE {{ ?fact a qb:Observation ; sdmx-attribute:unitMeasure <{YUAN}> ;
                                    sdmx-measure:obsValue ?v }} ORDER BY DESC(?v) ?fact""",
    )
    page = viewdb.facts_page(views, {"unit": YUAN}, sort="value", descending=True, limit=5)
    assert page.total == len(ordered) and page.truncated and page.next_offset == 5
    assert [r["fact"] for r in page.rows] == [r["fact"] for r in ordered[:5]]
    pages, offset = [], 0
    while True:
        page = viewdb.facts_page(views, {"unit": YUAN}, sort="value", descending=True, offset=offset, limit=7)
        pages.extend(r["fact"] for r in page.rows)
        if page.next_offset is None:
            break
        offset = page.next_offset
    assert pages == [r["fact"] for r in ordered]  # every row, once, in order: nothing cut short


def test_text_filter_and_sort_by_any_column(views: sqlite3.Connection) -> None:
    page = viewdb.facts_page(views, text="衔接补助资金", sort="as_written")
    assert page.total >= 1 and all("衔接补助资金" in (r["sentence"] + (r["label_zh"] or "")) for r in page.rows)
    english = viewdb.facts_page(views, text="LINKAGE SUBSIDY")  # English, any case
    assert english.total >= 1
    everything = viewdb.facts_page(views, limit=1).total
    for column in viewdb.FACT_COLUMNS:
        sorted_page = viewdb.facts_page(views, sort=column, descending=True, limit=50)
        values = [r["value_number" if column == "value" else column] for r in sorted_page.rows]
        present = [v for v in values if v is not None]
        assert sorted_page.total == everything and present == sorted(present, reverse=True)
        assert values[: len(present)] == present  # rows without a value come last
    assert viewdb.facts_page(views, text="100%_\\").total == 0  # LIKE wildcards are literal


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda v: viewdb.facts_page(v, sort="fact; DROP TABLE facts"), "cannot sort facts by"),
        (lambda v: viewdb.facts_page(v, {"quote": "x"}), "cannot filter facts by"),
        (lambda v: viewdb.facts_page(v, limit=0), "limit must be"),
        (lambda v: viewdb.facet_counts(v, columns=["sentence"]), "no facet"),
        (lambda v: viewdb.search(v, "x", kind="triples"), "no kind"),
    ],
)
def test_bad_requests_say_what_is_allowed(views: sqlite3.Connection, call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(viewdb.BadRequest, match=message):
        call(views)


def test_commitments_agree_with_sparql(graph: pyoxigraph.Store, views: sqlite3.Connection) -> None:
    expected = {
        (r["c"], r["status"])
        for r in sparql(
            graph,
            "SELECT ?c ?status { ?c a kg:Commitment . ?a kg:assesses ?c ; kg:outcomeStatus ?status }",
        )
    }
    table = {tuple(r) for r in views.execute("SELECT commitment, status FROM commitments")}
    assert len(expected) > 10 and table == expected
    statuses = Counter(status for _, status in expected)
    page = viewdb.commitments_page(views, status=next(iter(statuses)))
    assert page.total == statuses[next(iter(statuses))]


def entity_labels_containing(graph: pyoxigraph.Store, needle: str) -> set[str]:
    classes = " ".join(viewdb.ENTITY_KINDS.values())
    found = sparql(
        graph,
        f"""SELECT DISTINCT ?s WHERE {{ VALUES ?class {{ {classes} }} ?s a ?class ;
              skos:prefLabel|skos:altLabel ?label FILTER (LANG(?label) = "zh" && CONTAINS(?label, "{needle}")) }}""",
    )
    return {r["s"] for r in found}


@pytest.mark.parametrize("needle", ["乡村振兴", "乡村", "局", "农业农村"])
def test_chinese_search_agrees_with_sparql(graph: pyoxigraph.Store, views: sqlite3.Connection, needle: str) -> None:
    result = viewdb.search(views, needle, limit=1000)
    found = {r["iri"] for g in result["groups"] if g["kind"] in viewdb.ENTITY_KINDS for r in g["results"]}
    assert found == entity_labels_containing(graph, needle) and found
    sentences = next(g for g in result["groups"] if g["kind"] == "sentences")
    assert sentences["total"] >= 1 and all(needle in r["label_zh"] for r in sentences["results"])
    assert all(f"<mark>{needle}</mark>" in (r["snippet_zh"] or "") for g in result["groups"] for r in g["results"])


@pytest.mark.parametrize(("query", "stem"), [("industry", "industri"), ("employment", "employ")])
def test_english_search_finds_derived_words(views: sqlite3.Connection, query: str, stem: str) -> None:
    result = viewdb.search(views, query, limit=1000)
    snippets = [r["snippet_en"] or "" for g in result["groups"] for r in g["results"]]
    marked = {s.split("<mark>", 1)[1].split("</mark>", 1)[0].lower() for s in snippets if "<mark>" in s}
    assert any(word != query and word.startswith(stem) for word in marked), marked


def test_search_groups_are_complete_and_paged(views: sqlite3.Connection) -> None:
    first = viewdb.search(views, "乡村", limit=2)
    sentences = next(g for g in first["groups"] if g["kind"] == "sentences")
    assert sentences["total"] > 2 and sentences["truncated"] and first["truncated"]
    everything = viewdb.search(views, "乡村", kind="sentences", limit=1000)
    assert [g["kind"] for g in everything["groups"]] == ["sentences"]
    assert len(everything["groups"][0]["results"]) == sentences["total"] and not everything["truncated"]


def test_search_shows_no_internal_nodes(views: sqlite3.Connection) -> None:
    result = viewdb.search(views, "山西", limit=1000)
    iris = [r["iri"] for g in result["groups"] for r in g["results"]]
    assert iris and not any(part in iri for iri in iris for part in ("/evidence/", "/membership/", "/dataset"))


@pytest.mark.parametrize("query", ['"', "AND", "NEAR(a b", "*", "a OR", '乡"村', "<script>", "", "   "])
def test_hostile_queries_are_answered(views: sqlite3.Connection, query: str) -> None:
    result = viewdb.search(views, query)
    assert all("<script>" not in (r["snippet_zh"] or "") + (r["snippet_en"] or "")
               for g in result["groups"] for r in g["results"])  # fmt: skip
