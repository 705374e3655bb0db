"""/facts, /api/facts/table, /search, /api/search/full and /api/cite over HTTP (the Flask app on a
real build of the fixture corpus, tests/corpus.py: analyst_corpus): facets, paging, sorting,
filters, the downloads (CSV with a BOM, JSON, XLSX opened with openpyxl), grouped search, the
citations, and clear 4xx answers for bad requests. The expected numbers come from the facts table
itself or from SPARQL on the store, never from the code under test."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from conftest import ONTOLOGY
from corpus import analyst_corpus
from kg.build import build
from kg.builddir import open_build
from kg.config import Settings
from kg.web import create_app
from kg.web.context import LANG_COOKIE

TARGET = "https://w3id.org/cnkg/id/value-type/target"
Y2022 = "https://w3id.org/cnkg/id/period/2022"
BASES_2022 = "https://w3id.org/cnkg/id/report/shanxi-2022-04-02/fact/characteristic-industry-bases-target-2022"


@pytest.fixture(scope="module")
def build_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("analyst-pages")
    build(analyst_corpus(root / "data"), ONTOLOGY, root / "build")
    return root / "build"


@pytest.fixture(scope="module")
def app(build_root: Path) -> Iterator[Flask]:
    application = create_app(Settings(build_dir=build_root))
    application.config["TESTING"] = True
    yield application
    application.extensions["kg.store"].close()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def table(build_root: Path) -> Iterator[sqlite3.Connection]:
    path = open_build(build_root).path / "views.sqlite"
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    yield connection
    connection.close()


def count(table: sqlite3.Connection, where: str = "1", *parameters: Any) -> int:
    return int(table.execute(f"SELECT count(*) FROM facts WHERE {where}", parameters).fetchone()[0])


def get_json(client: FlaskClient, url: str, status: int = 200) -> dict[str, Any]:
    response = client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return dict(response.get_json())


# -- /api/cite ----------------------------------------------------------------------------------


def test_cite_gives_every_format_with_the_quote_and_its_translation(client: FlaskClient) -> None:
    data = get_json(client, f"/api/cite?iri={BASES_2022}")
    assert set(data["formats"]) == {"apa", "chicago", "bibtex", "ris", "csl-json"}
    apa = data["formats"]["apa"]
    assert "100个乡村特色产业示范基地" in apa and "demonstration bases for rural specialty industries" in apa
    assert data["sentence_en"] in apa and BASES_2022 in apa
    assert json.loads(data["formats"]["csl-json"])[0]["URL"] == BASES_2022


@pytest.mark.parametrize(
    ("style", "media_type", "start"),
    [
        ("apa", "text/plain", "Shanxi Provincial People's Government. (2022, April 2)."),
        ("chicago", "text/plain", "Shanxi Provincial People's Government. “"),
        ("bibtex", "application/x-bibtex", "@misc{cnkg-report-shanxi-2022-04-02-fact-"),
        ("ris", "application/x-research-info-systems", "TY  - ELEC"),
        ("csl-json", "application/vnd.citationstyles.csl+json", "["),
    ],
)
def test_cite_in_one_format_has_its_media_type(client: FlaskClient, style: str, media_type: str, start: str) -> None:
    response = client.get(f"/api/cite?iri={BASES_2022}&format={style}")
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.get_data(as_text=True).startswith(start)


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("", 400, "give the IRI"),
        ("iri=not%20an%20iri", 400, "not an absolute IRI"),
        ("iri=https://w3id.org/cnkg/id/nothing-here", 404, "nothing to cite at https://w3id.org/cnkg/id/nothing-here"),
        (f"iri={BASES_2022}&format=mla", 400, "use one of: apa, chicago, bibtex, ris, csl-json"),
    ],
)
def test_cite_refuses_with_a_message(client: FlaskClient, query: str, status: int, message: str) -> None:
    assert message in get_json(client, "/api/cite?" + query, status)["error"]


# -- /facts -------------------------------------------------------------------------------------


def test_the_table_pages_every_fact_and_says_which_rows(client: FlaskClient, table: sqlite3.Connection) -> None:
    total = count(table)
    seen: list[str] = []
    for page in range(1, total // 25 + 2):
        data = get_json(client, f"/api/facts/table?size=25&page={page}")
        assert data["total"] == total
        assert data["first"] == (page - 1) * 25 + 1 and data["last"] == min(page * 25, total)
        assert data["truncated"] == (data["last"] < total)
        seen += [row["fact"] for row in data["facts"]]
    assert sorted(seen) == sorted(r[0] for r in table.execute("SELECT fact FROM facts"))
    html = client.get("/facts?lang=en&size=25&page=2").get_data(as_text=True)
    assert f"rows 26–50 of {total}" in html
    moved = client.get("/facts?size=25&page=2")  # no language asked for or remembered: English, said in the URL
    assert moved.status_code == 302 and moved.headers["Location"] == "/facts?size=25&page=2&lang=en"
    client.set_cookie(LANG_COOKIE, "zh")  # the remembered choice (i18n.js sets it)
    moved = client.get("/facts?size=25&page=2")
    assert moved.status_code == 302 and moved.headers["Location"] == "/facts?size=25&page=2&lang=zh"
    zh = client.get("/facts?size=25&page=2", follow_redirects=True).get_data(as_text=True)
    assert f"第 26–50 行,共 {total} 行" in zh and '<html lang="zh-CN"' in zh
    client.delete_cookie(LANG_COOKIE)


def test_filters_by_short_names_or_iris(client: FlaskClient, table: sqlite3.Connection) -> None:
    expected = count(table, "value_type = ? AND period = ?", TARGET, Y2022)
    by_name = get_json(client, "/api/facts/table?value_type=target&period=2022&size=100")
    by_iri = get_json(client, f"/api/facts/table?value_type={TARGET}&period={Y2022}&size=100")
    assert by_name["total"] == by_iri["total"] == expected == len(by_name["facts"])
    assert {r["value_type"] for r in by_name["facts"]} == {TARGET}
    # Two values of one facet: either of them.
    both = get_json(client, "/api/facts/table?period=2022&period=2023")["total"]
    assert both == count(table, "period IN (?, ?)", Y2022, "https://w3id.org/cnkg/id/period/2023")


def test_facets_count_under_the_other_filters(client: FlaskClient, table: sqlite3.Connection) -> None:
    data = get_json(client, "/api/facts/table?value_type=target")
    periods = {f["name"]: f["count"] for f in data["facets"]["period"]}
    for name, n in periods.items():
        assert n == count(table, "value_type = ? AND period = ?", TARGET, f"https://w3id.org/cnkg/id/period/{name}")
    value_types = {f["name"]: f for f in data["facets"]["value_type"]}
    assert value_types["target"]["chosen"] and value_types["actual"]["count"] == count(
        table, "value_type LIKE '%/actual'"
    )
    html = client.get("/facts?lang=en&value_type=target").get_data(as_text=True)
    assert 'href="/facts?value_type=target&amp;period=2022&amp;lang=en"' in html  # adds a filter, keeps the view
    assert 'href="/facts?lang=en" title="remove"' in html  # the chip takes the filter off


@pytest.mark.parametrize("sort", ["-value", "value", "agency_en", "-issued", "label_zh"])
def test_sort_by_any_column(client: FlaskClient, table: sqlite3.Connection, sort: str) -> None:
    column = sort.removeprefix("-")
    rows = get_json(client, f"/api/facts/table?sort={sort}&size=1000")["facts"]
    key = "value_number" if column == "value" else column
    present = [r[key] for r in rows if r[key] is not None]
    assert present == sorted(present, reverse=sort.startswith("-"))
    assert all(r[key] is None for r in rows[len(present) :])  # rows without a value come last
    assert len(rows) == count(table)


def test_text_filter_finds_facts_about_employment(client: FlaskClient, table: sqlite3.Connection) -> None:
    data = get_json(client, "/api/facts/table?q=employment&size=100")
    expected = count(
        table, "label_en LIKE '%employment%' OR sentence_en LIKE '%employment%' OR quote LIKE '%employment%'"
    )
    assert data["total"] == expected > 0


def test_rows_link_their_fact_and_quote_with_numbers_as_written(client: FlaskClient) -> None:
    html = client.get("/facts?lang=en&value_type=target&period=2022&sort=-value").get_data(as_text=True)
    assert 'href="/id/report/shanxi-2022-04-02/fact/characteristic-industry-bases-target-2022"' in html
    assert 'href="/reader/shanxi-2022-04-02#3173-3187"' in html
    assert "Responsible agency" in html and "Shanxi Provincial Rural Revitalization Bureau" in html
    assert "^^" not in html and "xsd:decimal" not in html and "100 count" not in html
    assert f'data-cite-iri="{BASES_2022}"' in html
    assert (
        'aria-sort="descending"><a href="/facts?value_type=target&amp;period=2022&amp;sort=value&amp;lang=en"' in html
    )


def test_downloads_hold_every_row_of_the_view(client: FlaskClient, table: sqlite3.Connection) -> None:
    expected = count(table, "value_type = ?", TARGET)
    assert expected > 5
    response = client.get("/facts?value_type=target&size=5&page=2&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="cnkg-facts.csv"' in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == expected and {r["value_type"] for r in rows} == {TARGET}
    assert "100个乡村特色产业示范基地" in {r["quote"] for r in rows}

    data = json.loads(client.get("/facts?value_type=target&size=5&format=json").get_data())
    assert data["total"] == len(data["facts"]) == expected and data["truncated"] is False

    xlsx = client.get("/facts?value_type=target&size=5&format=xlsx")
    assert xlsx.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.get_data()), read_only=True)["facts"]
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    header, body_rows = cells[0], cells[1:]
    assert len(body_rows) == expected
    fact = header.index("fact")
    assert {r[fact] for r in body_rows} == {r["fact"] for r in rows}
    assert all(isinstance(r[header.index("value_number")], int | float) for r in body_rows)  # numbers, not text


def test_download_follows_the_sort(client: FlaskClient) -> None:
    body = client.get("/facts?value_type=target&sort=-value&format=csv").get_data().decode("utf-8-sig")
    values = [float(r["value_number"]) for r in csv.DictReader(io.StringIO(body))]
    assert values == sorted(values, reverse=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sort=colour", "cannot sort by 'colour'; sort by one of: fact, "),
        ("region=atlantis", "no region 'atlantis' among the facts; for example: "),
        ("page=0", "page must be 1 or more"),
        ("size=5000", "size 1 to 1000"),
        ("page=two", "page must be a whole number, not 'two'"),
        ("format=pdf", "no download format 'pdf'; use one of: csv, json, xlsx"),
    ],
)
def test_bad_views_are_refused_with_what_is_allowed(client: FlaskClient, query: str, message: str) -> None:
    assert message in get_json(client, "/facts?" + query, 400)["error"]
    if not query.startswith("format"):  # the JSON view has no downloads
        assert message in get_json(client, "/api/facts/table?" + query, 400)["error"]


def test_a_person_gets_the_message_in_the_page(client: FlaskClient) -> None:
    for url, message, back in (
        ("/facts?lang=en&sort=colour", "cannot sort by &#39;colour&#39;", "/facts?lang=en"),
        ("/search?q=x&kind=people&lang=zh", "no kind &#39;people&#39;", "/search?lang=zh"),
    ):
        response = client.get(url, headers={"Accept": "text/html"})
        assert response.status_code == 400 and response.mimetype == "text/html"
        html = response.get_data(as_text=True)
        assert message in html and f'href="{back}"' in html and 'role="alert"' in html


def test_api_facts_keeps_its_contract(client: FlaskClient, table: sqlite3.Connection) -> None:
    """The charts' /api/facts: every fact, under "facts" (not paged, no facets)."""
    data = get_json(client, "/api/facts")
    assert len(data["facts"]) == count(table) and "total" not in data


# -- /search ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "group", "found"),
    [
        ("industry", "facts", "industrial"),  # an English stem finds the derived word
        ("employment", "sentences", "employment"),
        ("industry support", "sentences", "industries"),  # several words: all of them
        ("money", "facts", "funds"),
        ("billion", "facts", "billion"),
        ("target 2022", "facts", "target"),
        ("产业", "programs", "产业"),  # a Chinese substring
    ],
)
def test_search_groups_with_marked_matches(client: FlaskClient, words: str, group: str, found: str) -> None:
    data = get_json(client, "/api/search/full?q=" + words)
    groups = {g["kind"]: g for g in data["groups"]}
    assert list(groups) == ["facts", "officials", "agencies", "programs", "documents", "sentences"]
    hits = groups[group]["results"]
    assert groups[group]["total"] >= len(hits) > 0
    snippets = " ".join((r["snippet_en"] or "") + (r["snippet_zh"] or "") for r in hits)
    assert "<mark>" in snippets and found.lower() in snippets.lower()
    assert all(r["href"].startswith(("/id/", "/reader/")) for r in hits)


def test_search_page_cuts_groups_with_a_show_all_link(client: FlaskClient) -> None:
    data = get_json(client, "/api/search/full?q=产业&kind=facts&limit=1000")
    total = data["groups"][0]["total"]
    assert total > 5 and len(data["groups"]) == 1 and len(data["groups"][0]["results"]) == total
    html = client.get("/search?q=产业&lang=en").get_data(as_text=True)
    assert f"show all {total} →" in html and 'href="/search?q=%E4%BA%A7%E4%B8%9A&amp;kind=facts&amp;lang=en"' in html
    assert html.count('data-kind="facts"') == 1
    whole = client.get("/search?q=产业&kind=facts&lang=en").get_data(as_text=True)
    assert whole.count('<li data-iri="') == total and "show all" not in whole
    assert client.get("/search?q=产业&lang=zh").get_data(as_text=True).count("显示全部") >= 1


def test_search_escapes_everything_but_the_marks(client: FlaskClient) -> None:
    html = client.get("/search?q=<script>alert(1)</script>&lang=en").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    data = get_json(client, "/api/search/full?q=<b>产业</b>")
    assert all("<b>" not in (r["snippet_zh"] or "") for g in data["groups"] for r in g["results"])


def test_search_refuses_bad_requests(client: FlaskClient) -> None:
    assert "give the words" in get_json(client, "/api/search/full?q=", 400)["error"]
    assert "no kind 'people'" in get_json(client, "/api/search/full?q=x&kind=people", 400)["error"]
    assert "whole numbers" in get_json(client, "/api/search/full?q=x&limit=ten", 400)["error"]
    empty = client.get("/search?lang=en")
    assert empty.status_code == 200 and "Type a word above" in empty.get_data(as_text=True)


def test_api_search_keeps_its_contract(client: FlaskClient) -> None:
    """The top bar's as-you-type search: {"query", "results"}, a flat list."""
    data = get_json(client, "/api/search?q=产业")
    assert data["query"] == "产业" and isinstance(data["results"], list) and data["results"]


# -- a store without a local build ----------------------------------------------------------------


def test_a_remote_store_says_the_pages_need_a_local_build(remote_app: Flask) -> None:
    client = remote_app.test_client()
    for url in ("/facts?lang=en", "/api/facts/table", "/search?q=x&lang=en", "/api/search/full?q=x"):
        response = client.get(url, headers={"Accept": "application/json"})
        assert response.status_code == 404
        assert "local build (views.sqlite)" in response.get_json()["error"]
    assert client.get(f"/api/cite?iri={BASES_2022}").status_code == 200  # citations come from any store
