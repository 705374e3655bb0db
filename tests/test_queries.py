"""Every canned query answers what the report says (checked against the source text)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from kg.config import PROJECT_ROOT
from kg.queries import load_all

CANNED = load_all(PROJECT_ROOT / "queries")


def run(client, name: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    response = client.post("/sparql", data={"query": CANNED[name].sparql}, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.data
    data = json.loads(response.data)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def test_there_are_at_least_15_bilingual_canned_queries() -> None:
    assert len(CANNED) >= 15
    for query in CANNED.values():
        assert query.title["en"] and query.title["zh"]
        assert query.description.get("en") and query.description.get("zh"), query.name


@pytest.mark.parametrize("name", sorted(CANNED))
def test_every_canned_query_runs_and_answers(client, name: str) -> None:  # type: ignore[no-untyped-def]
    assert run(client, name), f"{name} returned no rows"


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


@pytest.mark.parametrize(
    "path", ["/", "/reader/shanxi-2022-04-02", "/charts", "/orgchart", "/query", "/id/person/liu-zhijie"]
)
def test_every_html_page_links_to_its_rdf(client, path: str) -> None:  # type: ignore[no-untyped-def]
    html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert '<link rel="alternate" type="text/turtle"' in html
    if path.startswith("/reader/"):
        assert "/id/report/shanxi-2022-04-02?format=ttl" in html
    if path.startswith("/id/"):
        assert 'href="/id/person/liu-zhijie?format=ttl"' in html
