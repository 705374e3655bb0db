"""The downloads `kg build` writes: listed in the manifest, parsed back to the graph, in the
forms promised (compact JSON-LD, Turtle without escapes, one CSV form), served from disk with
Content-Length, ETag and Range through a real `kg serve`, and read by `kg export`."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from conftest import LiveServer, run_kg
from kg import csvout
from kg.builddir import Build
from kg.export import DOWNLOADS, FORMATS


def test_every_download_is_listed_with_size_and_digest(built: Build) -> None:
    listed = built.manifest["downloads"]
    assert set(listed) == set(DOWNLOADS)
    for name, entry in listed.items():
        data = (built.path / entry["file"]).read_bytes()
        assert entry["bytes"] == len(data) > 0, name
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert entry["media_type"] == DOWNLOADS[name].media_type


def _union(built: Build) -> Graph:
    graph = Graph()
    for line in built.dataset_path.read_text(encoding="utf-8").splitlines():
        graph.parse(data=line.rsplit(" ", 2)[0] + " .", format="nt")
    return graph


def test_jsonld_is_compact_one_node_per_subject(built: Build) -> None:
    document = json.loads((built.path / built.manifest["downloads"]["jsonld"]["file"]).read_bytes())
    context = document["@context"]
    assert context["kg"] == "https://w3id.org/cnkg/ontology#" and context["id"] == "https://w3id.org/cnkg/id/"
    assert context["skos:prefLabel"] == {"@container": "@language"}  # language-tagged terms as language maps
    assert context["sdmx-measure:obsValue"] == {"@type": "xsd:decimal"}  # typed terms
    nodes = document["@graph"]
    subjects = {s for s in _union(built).subjects()}
    assert len(nodes) == len(subjects)
    assert len({n["@id"] for n in nodes}) == len(nodes)
    liu = next(n for n in nodes if n["@id"] == "id:person/liu-zhijie")
    assert liu["skos:prefLabel"] == {"en": "Liu Zhijie", "zh": "刘志杰"}
    # The context published on its own is the one inside the dump.
    published = json.loads((built.path / built.manifest["downloads"]["context"]["file"]).read_bytes())
    assert published == {"@context": context}


def test_turtle_has_prefixes_and_no_escaped_names(built: Build) -> None:
    text = (built.path / built.manifest["downloads"]["turtle"]["file"]).read_text(encoding="utf-8")
    assert "@prefix skos: <http://www.w3.org/2004/02/skos/core#> ." in text
    assert "\\/" not in text
    assert "<https://w3id.org/cnkg/id/person/liu-zhijie> a " in text  # grouped by subject, full IRI
    assert text.count("\n<https://w3id.org/cnkg/id/person/liu-zhijie> ") == 1
    parsed = Graph().parse(data=text, format="turtle")
    assert (URIRef("https://w3id.org/cnkg/id/person/liu-zhijie"), None, None) in parsed


def test_facts_csv_form(built: Build) -> None:
    data = (built.path / built.manifest["downloads"]["csv"]["file"]).read_bytes()
    assert not data.startswith(csvout.BOM.encode())
    assert data.count(b"\r\n") == data.count(b"\n")  # CRLF throughout
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    values = [r["value"] for r in rows]
    assert "16" in values and not any(v.endswith(".0") or "e" in v.lower() for v in values)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (16.0, "16"),
        (16, "16"),
        (6055000000.0, "6055000000"),
        ("6055000000.0", "6055000000"),
        (0.35, "0.35"),
        ("0.350", "0.35"),
        (2.5e20, "250000000000000000000"),
        (1e-7, "0.0000001"),
        ("-3.50", "-3.5"),
    ],
)
def test_one_number_format(value: object, text: str) -> None:
    assert csvout.number(value) == text  # type: ignore[arg-type]


def _get(url: str, **headers: str) -> tuple[int, Message, bytes]:
    """Status, headers (case-insensitive: waitress writes "Etag") and body."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.parametrize("fmt", FORMATS)
def test_download_is_the_file_with_length_etag_and_range(live_server: LiveServer, built: Build, fmt: str) -> None:
    # live_server serves the session build: `built` is the same one
    entry = built.manifest["downloads"][fmt]
    data = (built.path / entry["file"]).read_bytes()
    status, headers, body = _get(f"{live_server.url}/download/{fmt}")
    assert status == 200 and body == data
    assert int(headers["Content-Length"]) == len(data)
    assert headers["ETag"].strip('"') == entry["sha256"]
    assert headers["Content-Type"].startswith(entry["media_type"])
    status, _, _ = _get(f"{live_server.url}/download/{fmt}", **{"If-None-Match": headers["ETag"]})
    assert status == 304
    status, headers, body = _get(f"{live_server.url}/download/{fmt}", Range="bytes=10-19")
    assert status == 206 and body == data[10:20] and headers["Content-Range"] == f"bytes 10-19/{len(data)}"


def test_csv_with_bom_everywhere(live_server: LiveServer) -> None:
    bom = csvout.BOM.encode()
    for path in ("/download/csv", "/api/facts?format=csv", "/sparql?query=SELECT%20%3Fs%20%7B%7D&format=csv"):
        joiner = "&" if "?" in path else "?"
        _, _, plain = _get(live_server.url + path)
        _, _, marked = _get(live_server.url + path + joiner + "bom=1")
        assert not plain.startswith(bom) and marked == bom + plain, path
        assert plain.split(b"\n", 1)[0].endswith(b"\r"), path


def test_context_at_a_stable_url(live_server: LiveServer, built: Build) -> None:
    status, headers, body = _get(live_server.url + "/context.jsonld")
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")
    assert json.loads(body) == {
        "@context": json.loads((built.path / built.manifest["downloads"]["jsonld"]["file"]).read_bytes())["@context"]
    }


def test_unknown_format_says_which_exist(live_server: LiveServer) -> None:
    status, _, body = _get(live_server.url + "/download/xlsx", Accept="application/json")
    assert status == 404 and "turtle" in json.loads(body)["error"]


def test_kg_export_reads_the_build_files(build_dir: Path, built: Build, tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    result = run_kg("export", "--build", str(build_dir), "--format", "turtle", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_bytes() == (built.path / built.manifest["downloads"]["turtle"]["file"]).read_bytes()
