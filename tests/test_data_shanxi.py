"""Data acceptance tests of the curated Shanxi report (data/reports/shanxi-2022-04-02): what the
canned queries and the graph answer, checked against the source text.

These pin the curated data (63 facts, 8 agencies, Liu Zhijie's three posts …): a curator's
correction may need a change here, and only here. The code is tested on fixtures elsewhere.
"""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph
import pytest

from kg.builddir import Build, memory_store
from kg.config import PROJECT_ROOT
from test_pipeline import rows
from test_queries import run


@pytest.fixture(scope="module")
def store(built: Build) -> pyoxigraph.Store:
    return memory_store(built.dataset_path)


def test_officials_and_posts(client) -> None:  # type: ignore[no-untyped-def]
    rows = run(client, "officials-and-posts")
    posts: dict[str, set[str]] = {}
    for row in rows:
        posts.setdefault(row["official_zh"], set()).add(row["post_zh"])
    assert {k: len(v) for k, v in posts.items()} == {"刘志杰": 3, "张玉宏": 2, "习近平": 1}
    assert {"省委农办主任", "省农业农村厅党组书记", "省农业农村厅厅长"} == posts["刘志杰"]
    assert all(row["attested"] == "2022-04-02" for row in rows)


def test_agency_hierarchy(client) -> None:  # type: ignore[no-untyped-def]
    rows = run(client, "agency-hierarchy")
    assert len(rows) == 8
    parent = {r["agency_zh"]: r.get("parent_zh") for r in rows}
    assert parent["中共山西省委农村工作领导小组办公室"] == "中共山西省委"
    assert parent["山西省农业农村厅"] == "山西省人民政府"


def test_achievements_in_yuan_largest_first(client) -> None:  # type: ignore[no-untyped-def]
    rows = run(client, "achievements-yuan")
    values = [Decimal(r["value"]) for r in rows]
    assert values == sorted(values, reverse=True)
    assert rows[0]["as_written"] == "1286.87亿元" and values[0] == Decimal("128687000000")
    assert {"741.34亿元", "368亿元", "98.74亿元", "60.55亿元", "37.22亿元", "28.6亿元", "15308元"} <= {
        r["as_written"] for r in rows
    }


def test_growth_rates(client) -> None:  # type: ignore[no-untyped-def]
    rows = run(client, "growth-rates")
    percent = {r["as_written"] for r in rows if r["unit_en"] == "percent"}
    assert {"8.1%", "10.3%", "12.7%"} <= percent
    more_workers = [r for r in rows if r["as_written"] == "3.29万人"]
    assert more_workers and Decimal(more_workers[0]["value"]) == 32900 and more_workers[0]["compared_en"] == "2020"


def test_targets_2022_with_responsible_agency(client) -> None:  # type: ignore[no-untyped-def]
    rows = run(client, "targets-2022")
    by_written = {r["quote"]: r for r in rows}
    potato = by_written["建设10万亩加工型马铃薯基地"]
    assert Decimal(potato["value"]) == 100000 and potato["unit_en"].startswith("mu")
    assert potato["agency_en"] == "Shanxi Provincial Department of Agriculture and Rural Affairs"
    assert potato["stated_by_en"] == "Liu Zhijie"
    counties = by_written["创建4个乡村振兴示范县"]
    assert counties["agency_en"] == "Shanxi Provincial Rural Revitalization Bureau"
    assert len(rows) == 8


def test_targets_beside_achievements_share_the_indicator(client) -> None:  # type: ignore[no-untyped-def]
    rows = run(client, "targets-vs-achievements")
    assert {r["indicator_zh"] for r in rows} >= {"加工型马铃薯基地面积", "创建乡村振兴示范县数"}


def test_statements_by_liu_zhijie(client) -> None:  # type: ignore[no-untyped-def]
    rows = run(client, "statements-by-official")
    assert {r["official_en"] for r in rows} == {"Liu Zhijie"}
    assert "10万亩" in {r["as_written"] for r in rows}


def test_fact_provenance_points_at_the_sentence(client) -> None:  # type: ignore[no-untyped-def]
    text = (PROJECT_ROOT / "data" / "reports" / "shanxi-2022-04-02" / "source.txt").read_text(encoding="utf-8")
    rows = run(client, "fact-provenance")
    assert rows
    for row in rows:
        start, end = int(row["start"]), int(row["end"])
        assert text[start:end] == row["quote"]
        assert row["quote"] in row["sentence"] and row["sentence"] in text
        assert row["issued"] == "2022-04-02"
        assert row["publisher_en"] == "Shanxi Provincial People's Government"


def test_facts_by_region(client) -> None:  # type: ignore[no-untyped-def]
    rows = run(client, "facts-by-region")
    regions = {r["region_zh"] for r in rows}
    assert {"山西省", "山西脱贫地区", "晋中市"} <= regions
    assert sum(int(r["facts"]) for r in rows) == 63


def test_fund_totals(client) -> None:  # type: ignore[no-untyped-def]
    rows = run(client, "fund-totals")
    actual_2021 = next(r for r in rows if r["type_en"] == "actual" and r["period_en"] == "2021")
    assert Decimal(actual_2021["total_yuan"]) > Decimal("128687000000")


def test_documents_and_programs(client) -> None:  # type: ignore[no-untyped-def]
    rows = run(client, "documents-and-programs")
    documents = {r["document_zh"] for r in rows}
    assert "中央一号文件" in documents
    assert "关于全面推进乡村振兴加快农业农村现代化的实施方案" in documents


def test_programs_by_kind(client) -> None:  # type: ignore[no-untyped-def]
    rows = run(client, "programs-by-kind")
    assert len({r["program_zh"] for r in rows}) >= 60
    assert "“有机旱作·晋品”" in {r["program_zh"] for r in rows}


def test_income_2021(client) -> None:  # type: ignore[no-untyped-def]
    rows = run(client, "income-2021")
    values = {(r["region_en"], r["type_en"]): Decimal(r["value"]) for r in rows}
    assert values[("Shanxi Province", "actual")] == 15308
    assert values[("Shanxi Province", "change")] == Decimal("10.3")
    assert values[("Shanxi's areas lifted out of poverty", "actual")] == 11666
    assert values[("Shanxi's areas lifted out of poverty", "change")] == Decimal("12.7")


def test_graph_summary_and_reports(client) -> None:  # type: ignore[no-untyped-def]
    summary = {r["class_en"]: int(r["count"]) for r in run(client, "graph-summary")}
    assert summary["Agency"] == 8 and summary["Official"] == 3
    reports = run(client, "reports")
    assert reports[0]["issued"] == "2022-04-02" and int(reports[0]["facts"]) == 63


def test_posts_of_liu_zhijie(store: pyoxigraph.Store) -> None:
    posts = rows(
        store,
        """SELECT ?post ?agency WHERE {
             ?p a kg:Official ; skos:prefLabel "刘志杰"@zh ; org:holds ?x .
             ?x skos:prefLabel ?post FILTER (LANG(?post) = "zh")
             ?x org:postIn/skos:prefLabel ?agency FILTER (LANG(?agency) = "zh") }""",
    )
    names = sorted(r["post"] for r in posts)
    assert len(names) == 3, names
    assert any("农办主任" in n for n in names)
    assert any("党组书记" in n for n in names)
    assert any(n.endswith("厅长") for n in names)
    assert {r["agency"] for r in posts} >= {"中共山西省委农村工作领导小组办公室", "山西省农业农村厅"}


def test_rural_income_2021_and_its_growth(store: pyoxigraph.Store) -> None:
    found = rows(
        store,
        """SELECT ?type ?value ?unit ?written WHERE {
             ?i skos:prefLabel "农村居民人均可支配收入"@zh .
             ?f kg:indicator ?i ; kg:refArea <https://w3id.org/cnkg/id/region/shanxi> ;
                kg:refPeriod <https://w3id.org/cnkg/id/period/2021> ; kg:valueType ?type ;
                sdmx-measure:obsValue ?value ; sdmx-attribute:unitMeasure ?unit ; kg:asWritten ?written }""",
    )
    by_type = {r["type"].rsplit("/", 1)[-1]: r for r in found}
    assert Decimal(by_type["actual"]["value"]) == Decimal("15308")
    assert by_type["actual"]["unit"].endswith("/unit/yuan")
    assert Decimal(by_type["change"]["value"]) == Decimal("10.3")
    assert by_type["change"]["unit"].endswith("/unit/percent")


def test_every_2022_target_has_a_unit_and_a_value(store: pyoxigraph.Store) -> None:
    targets = rows(
        store,
        """SELECT ?f ?value ?unit ?written WHERE {
             ?f kg:valueType <https://w3id.org/cnkg/id/value-type/target> ;
                kg:refPeriod <https://w3id.org/cnkg/id/period/2022> .
             OPTIONAL { ?f sdmx-measure:obsValue ?value } OPTIONAL { ?f sdmx-attribute:unitMeasure ?unit }
             OPTIONAL { ?f kg:asWritten ?written } }""",
    )
    assert len(targets) >= 8
    assert all(r["value"] and r["unit"] and r["written"] for r in targets)
    written = {r["written"] for r in targets}
    assert {"10万亩", "100个"} <= written


def test_amounts_are_normalised(store: pyoxigraph.Store) -> None:
    found = rows(
        store,
        """SELECT ?written ?value ?mult WHERE { ?f kg:asWritten ?written ; sdmx-measure:obsValue ?value ;
             sdmx-attribute:unitMult ?mult FILTER (?written IN ("1286.87亿元", "7.6万", "27万亩")) }""",
    )
    values = {r["written"]: (Decimal(r["value"]), int(r["mult"])) for r in found}
    assert values["1286.87亿元"] == (Decimal("128687000000"), 8)
    assert values["7.6万"] == (Decimal("76000"), 4)
    assert values["27万亩"] == (Decimal("270000"), 4)


def test_every_evidence_sentence_has_an_english_translation(store: pyoxigraph.Store) -> None:
    """Issue 14: the explorer reads in English — every sentence behind a claim is translated."""
    found = rows(
        store,
        """SELECT ?evidence ?translation WHERE {
             GRAPH <https://w3id.org/cnkg/graph/report/shanxi-2022-04-02> {
               ?evidence a kg:Quote . OPTIONAL { ?evidence kg:sentenceTranslation ?translation } } }""",
    )
    assert len(found) > 300  # every quote of the report (facts, entities, commitments)
    assert [r["evidence"] for r in found if not r["translation"]] == []
    translations = {r["translation"] for r in found}
    assert len(translations) == 46  # one per evidence sentence
    assert any("6.055 billion yuan" in t for t in translations)
    assert not any("6.06 billion" in t or "colour" in t or "poverty-stricken" in t for t in translations)
