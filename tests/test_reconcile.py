"""/reconcile through a real `kg serve` on 127.0.0.1: every answer valid against the W3C
Reconciliation API 0.2 schemas (tests/schemas/reconciliation/), and a spreadsheet column of names
reconciled to the right ids."""

from __future__ import annotations

import csv
import json
import urllib.error
import urllib.parse
import urllib.request
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry
from referencing.jsonschema import DRAFT7

from conftest import LiveServer

SCHEMAS = Path(__file__).parent / "schemas" / "reconciliation"
NAMES = Path(__file__).parent / "fixtures" / "reconcile" / "names.csv"


@cache
def registry() -> Registry:
    """The schemas by their ``$id`` (the manifest refers to ``type.json`` relatively); draft 7."""
    resources = []
    for path in SCHEMAS.glob("*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["$id"], DRAFT7.create_resource(contents)))
    return Registry().with_resources(resources)


def check(document: Any, schema: str) -> None:
    contents = json.loads((SCHEMAS / schema).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(contents, registry=registry()).validate(document)


def get(server: LiveServer, path: str, **params: str) -> tuple[int, dict[str, str], bytes]:
    url = server.url + path + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def post(server: LiveServer, path: str, **form: str) -> tuple[int, bytes]:
    data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(server.url + path, data=data, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def reconcile(server: LiveServer, queries: dict[str, Any], method: str = "POST") -> dict[str, Any]:
    check(queries, "reconciliation-query-batch.json")
    if method == "POST":
        status, body = post(server, "/reconcile", queries=json.dumps(queries, ensure_ascii=False))
    else:
        status, _, body = get(server, "/reconcile", queries=json.dumps(queries, ensure_ascii=False))
    assert status == 200, body
    result = json.loads(body)
    check(result, "reconciliation-result-batch.json")
    return result


def test_manifest(live_server: LiveServer) -> None:
    status, headers, body = get(live_server, "/reconcile")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    manifest = json.loads(body)
    check(manifest, "manifest.json")
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == "https://w3id.org/cnkg/id/"
    assert {t["id"] for t in manifest["defaultTypes"]} == {
        "agency",
        "official",
        "program",
        "region",
        "indicator",
        "document",
    }
    # The view template leads to the entity's page on this server.
    view = manifest["view"]["url"].replace("{{id}}", "person/zhang-yuhong")
    assert get(live_server, urllib.parse.urlsplit(view).path)[0] == 200


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_batch_in_both_languages_and_both_methods(live_server: LiveServer, method: str) -> None:
    result = reconcile(
        live_server,
        {"q0": {"query": "张玉宏"}, "q1": {"query": "Yuhong Zhang", "type": "official"}, "q2": {"query": "省委农办"}},
        method,
    )
    for key, expected in (
        ("q0", "person/zhang-yuhong"),
        ("q1", "person/zhang-yuhong"),
        ("q2", "agency/shanxi-rural-work-office"),
    ):
        best = result[key]["result"][0]
        assert best["id"] == expected and best["match"] is True and best["score"] >= 90
    assert result["q0"]["result"][0]["name"] == "张玉宏"  # the name in the language of the query
    assert result["q1"]["result"][0]["name"] == "Zhang Yuhong"
    for answer in result.values():
        assert all(0 <= c["score"] <= 100 for c in answer["result"])
        assert sum(c["match"] for c in answer["result"]) <= 1


def test_type_filter_and_strictness(live_server: LiveServer) -> None:
    result = reconcile(live_server, {"q0": {"query": "晋中", "type": "agency", "limit": 10}, "q1": {"query": "晋中"}})
    assert result["q0"]["result"] and all([t["id"] for t in c["type"]] == ["agency"] for c in result["q0"]["result"])
    assert "agency/jinzhong-red-cross" in [c["id"] for c in result["q0"]["result"]]
    assert result["q1"]["result"][0]["id"] == "region/jinzhong"


def test_vague_names_are_candidates_not_matches(live_server: LiveServer) -> None:
    result = reconcile(live_server, {"q0": {"query": "Zhang", "type": "official"}, "q1": {"query": "王小明"}})
    assert result["q0"]["result"] and not any(c["match"] for c in result["q0"]["result"])
    assert result["q1"]["result"] == []


def test_property_constraint_raises_the_right_official_and_lowers_the_wrong(live_server: LiveServer) -> None:
    agency = {"pid": "agency", "v": "省乡村振兴局"}
    result = reconcile(
        live_server,
        {
            "plain": {"query": "Zhang", "type": "official"},
            "fits": {"query": "Zhang", "type": "official", "properties": [agency]},
            "contradicts": {"query": "刘志杰", "properties": [agency]},
            "by_id": {
                "query": "刘志杰",
                "properties": [{"pid": "agency", "v": {"id": "agency/shanxi-agriculture-department"}}],
            },
            "only": {"properties": [agency], "type": "official"},
        },
    )
    plain, fits = result["plain"]["result"][0], result["fits"]["result"][0]
    assert fits["id"] == "person/zhang-yuhong" and fits["score"] > plain["score"]
    contradicted = result["contradicts"]["result"][0]
    assert contradicted["id"] == "person/liu-zhijie" and contradicted["match"] is False and contradicted["score"] < 90
    assert result["by_id"]["result"][0]["match"] is True
    assert [c["id"] for c in result["only"]["result"]] == ["person/zhang-yuhong"]


def test_bad_requests_get_a_message(live_server: LiveServer) -> None:
    for queries, words in (
        ("{not json", "not JSON"),
        (json.dumps({"q0": {"query": "x", "type": "planet"}}), "unknown type 'planet'"),
        (json.dumps({"q0": {"query": "x", "properties": [{"pid": "colour", "v": "red"}]}}), "unknown property"),
        (json.dumps(["x"]), "queries must be an object"),
    ):
        status, body = post(live_server, "/reconcile", queries=queries)
        assert status == 400 and words in json.loads(body)["error"], body


def test_the_spreadsheet_column_reconciles_to_the_right_ids(live_server: LiveServer) -> None:
    with NAMES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 20
    queries = {
        f"q{n}": {"query": row["name"], **({"type": row["type"]} if row["type"] else {})} for n, row in enumerate(rows)
    }
    result = reconcile(live_server, queries)
    wrong = {}
    for n, row in enumerate(rows):
        matched = [c["id"] for c in result[f"q{n}"]["result"] if c["match"]]
        if matched != [row["expected"]]:
            wrong[row["name"]] = (matched, result[f"q{n}"]["result"][:2])
    assert not wrong


def test_suggest(live_server: LiveServer) -> None:
    status, _, body = get(live_server, "/reconcile/suggest/entity", prefix="省乡村")
    assert status == 200
    entities = json.loads(body)
    check(entities, "suggest-entities-response.json")
    assert entities["result"][0]["id"] == "agency/shanxi-rural-revitalization-bureau"
    status, _, body = get(live_server, "/reconcile/suggest/entity", prefix="zhang", type="official")
    assert [e["id"] for e in json.loads(body)["result"]] == ["person/zhang-yuhong"]
    status, _, body = get(live_server, "/reconcile/suggest/type", prefix="off")
    types = json.loads(body)
    check(types, "suggest-types-response.json")
    assert [t["id"] for t in types["result"]] == ["official"]
    status, _, body = get(live_server, "/reconcile/suggest/property", prefix="lead")
    properties = json.loads(body)
    check(properties, "suggest-properties-response.json")
    assert [p["id"] for p in properties["result"]] == ["leadAgency"]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_preview_card(live_server: LiveServer) -> None:
    _, _, body = get(live_server, "/reconcile")
    template = json.loads(body)["preview"]["url"]
    status, headers, body = get(
        live_server, urllib.parse.urlsplit(template.replace("{{id}}", "person/liu-zhijie")).path, id="person/liu-zhijie"
    )
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "frame-ancestors *" in headers["Content-Security-Policy"]
    parser = _Text()
    parser.feed(body.decode("utf-8"))
    text = "".join(parser.text)
    assert "刘志杰" in text and "Liu Zhijie" in text and "Shanxi Provincial Department of Agriculture" in text
    assert "script" not in parser.tags
    status, _, _ = get(live_server, "/reconcile/preview", id="<script>alert(1)</script>")
    assert status == 404


def test_data_extension(live_server: LiveServer) -> None:
    status, _, body = get(live_server, "/reconcile/properties", type="official")
    proposal = json.loads(body)
    check(proposal, "data-extension-property-proposal.json")
    assert {"agency", "post"} <= {p["id"] for p in proposal["properties"]}
    query = {
        "ids": ["person/liu-zhijie", "program/rural-construction-action", "agency/unknown"],
        "properties": [{"id": "agency"}, {"id": "post"}, {"id": "kind"}, {"id": "leadAgency"}, {"id": "nameZh"}],
    }
    check(query, "data-extension-query.json")
    status, body = post(live_server, "/reconcile", extend=json.dumps(query))
    assert status == 200, body
    answer = json.loads(body)
    check(answer, "data-extension-response.json")
    liu = answer["rows"]["person/liu-zhijie"]
    assert {v["id"] for v in liu["agency"]} == {
        "agency/shanxi-rural-work-office",
        "agency/shanxi-agriculture-department",
    }
    assert len(liu["post"]) == 3 and liu["nameZh"] == [{"str": "刘志杰"}]
    program = answer["rows"]["program/rural-construction-action"]
    assert [v["id"] for v in program["kind"]] == ["program-kind/campaign"]
    assert answer["rows"]["agency/unknown"] == {p["id"]: [] for p in query["properties"]}


def test_browsers_get_cors_and_jsonp(live_server: LiveServer) -> None:
    status, headers, body = get(live_server, "/reconcile")
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, body = get(live_server, "/reconcile", callback="jQuery3600_17")
    assert status == 200 and headers["Content-Type"].startswith("application/javascript")
    text = body.decode("utf-8")
    assert text.startswith("/**/jQuery3600_17(") and text.endswith(");")
    check(json.loads(text[len("/**/jQuery3600_17(") : -2]), "manifest.json")
    status, _, body = get(live_server, "/reconcile/suggest/entity", prefix="张", callback="cb")
    assert status == 200 and body.startswith(b"/**/cb(")
    for hostile in ("alert(1)//", "a;b", "<script>", "x" * 200, "a-b"):
        status, headers, body = get(live_server, "/reconcile", callback=hostile)
        assert status == 400 and b"callback must be" in body, hostile
