"""A server that lives through rebuilds: `kg serve` follows build/, and prune never removes a version
that a running process holds."""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from conftest import start_server
from kg.build import build
from kg.builddir import hold, open_build, release, versions_dir
from kg.config import PROJECT_ROOT

ONTOLOGY = PROJECT_ROOT / "ontology"
FIXTURES = Path(__file__).parent / "fixtures" / "broken"
LABEL_QUERY = (
    "SELECT ?label WHERE { <https://w3id.org/cnkg/id/agency/test-government> "
    "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label FILTER (LANG(?label) = 'en') }"
)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def mini_data(root: Path) -> Path:
    data = root / "data"
    report = data / "reports" / "mini"
    report.mkdir(parents=True)
    shutil.copytree(PROJECT_ROOT / "data" / "vocabularies", data / "vocabularies")
    shutil.copy(FIXTURES / "source.txt", report / "source.txt")
    shutil.copy(FIXTURES / "valid.yaml", report / "report.yaml")
    return data


def relabel(data: Path, label: str) -> None:
    path = data / "reports" / "mini" / "report.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("en: ", text.index("- id: test-government"))
    end = text.index("}", start)
    path.write_text(text[:start] + f"en: {label}" + text[end:], encoding="utf-8")


def get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def sparql(server_url: str, query: str) -> tuple[int, bytes]:
    return get(server_url + "/sparql?" + urllib.parse.urlencode({"query": query}))


def label_of(server_url: str) -> str:
    status, body = sparql(server_url, LABEL_QUERY)
    assert status == 200, body
    return json.loads(body)["results"]["bindings"][0]["label"]["value"]


def test_serve_follows_rebuilds_without_a_failed_request(tmp_path: Path) -> None:
    data = mini_data(tmp_path)
    out = tmp_path / "build"
    first = build(data, ONTOLOGY, out, jobs=1)
    server = start_server(out, "--timeout", "2")
    failures: list[tuple[int, bytes]] = []
    answers = 0
    stop = threading.Event()

    def client() -> None:  # queries in a loop, bounded by the test's duration
        nonlocal answers
        while not stop.is_set():
            for status, body in (sparql(server.url, LABEL_QUERY), get(server.url + "/healthz")):
                if status != 200:
                    failures.append((status, body[:300]))
                answers += 1

    loop = threading.Thread(target=client)
    loop.start()
    try:
        assert label_of(server.url) == "Test Provincial Government"
        versions = [first.version]
        for number in range(1, 5):
            label = f"Test Provincial Government edition {number}"
            relabel(data, label)
            rebuilt = build(data, ONTOLOGY, out, jobs=1)
            versions.append(rebuilt.version)
            deadline = time.monotonic() + 10
            while label_of(server.url) != label:
                assert time.monotonic() < deadline, f"rebuild {number}: the new label is not served after 10 s"
                time.sleep(0.1)
            health = json.loads(get(server.url + "/healthz")[1])
            assert health["version"] == rebuilt.version
            search_url = server.url + "/api/search?" + urllib.parse.urlencode({"q": f"edition {number}"})
            search = json.loads(get(search_url)[1])
            assert [r["label"]["en"] for r in search["results"]] == [label]
        assert len(set(versions)) == 5
        # Four prunes later, a runaway is cut at the time limit and normal answers follow.
        started = time.monotonic()
        status, body = sparql(server.url, RUNAWAY)
        assert status == 504, body
        assert time.monotonic() - started < 10
        assert label_of(server.url) == "Test Provincial Government edition 4"
    finally:
        stop.set()
        loop.join(timeout=60)
        server.stop()
    assert answers > 20
    assert failures == []
    # prune kept the current version and the one before; the others are gone now nobody holds them
    assert len([p for p in versions_dir(out).iterdir() if p.is_dir()]) <= 3


def test_prune_never_removes_a_version_that_is_held(tmp_path: Path) -> None:
    data = mini_data(tmp_path)
    out = tmp_path / "build"
    first = build(data, ONTOLOGY, out, jobs=1)
    lock = hold(first.path)
    try:
        for number in range(4):
            relabel(data, f"Label {number}")
            build(data, ONTOLOGY, out, jobs=1)
        assert (first.path / "manifest.json").is_file(), "a held version was pruned"
        assert open_build(first.path).version == first.version
    finally:
        release(lock)
    relabel(data, "Label after release")
    build(data, ONTOLOGY, out, jobs=1)
    assert not first.path.exists()
