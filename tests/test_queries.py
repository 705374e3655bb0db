"""Every canned query answers what the report says (checked against the source text)."""

from __future__ import annotations

import json
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
