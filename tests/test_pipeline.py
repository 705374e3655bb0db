"""The real report, built end to end: conformance, provenance, exports, CLI and answers from the source."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from conftest import run_kg
from kg.build import compile_and_validate
from kg.builddir import Build, memory_store
from kg.config import PROJECT_ROOT
from kg.export import export
from kg.source import SourceText

SOURCE = PROJECT_ROOT / "data" / "reports" / "shanxi-2022-04-02" / "source.txt"
PREFIXES = """
PREFIX kg: <https://w3id.org/cnkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
"""


@pytest.fixture(scope="module")
def store(built: Build) -> pyoxigraph.Store:
    return memory_store(built.dataset_path)


def rows(store: pyoxigraph.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(PREFIXES + query)
    names = [v.value for v in solutions.variables]
    return [{n: (t.value if t is not None else None) for n, t in zip(names, s, strict=True)} for s in solutions]


def test_real_data_conforms_to_shapes() -> None:
    result = compile_and_validate(PROJECT_ROOT / "data", PROJECT_ROOT / "ontology").validation
    assert result.conforms, result.text()


def test_every_quote_is_the_text_at_its_offsets(store: pyoxigraph.Store) -> None:
    text = SourceText.read(SOURCE).text
    found = rows(
        store,
        """SELECT ?exact ?start ?end ?s0 ?s1 WHERE {
             ?e a kg:Quote ; oa:hasSelector ?q , ?p ; kg:sentenceStart ?s0 ; kg:sentenceEnd ?s1 .
             ?q a oa:TextQuoteSelector ; oa:exact ?exact .
             ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }""",
    )
    assert len(found) > 100
    for row in found:
        start, end = int(row["start"]), int(row["end"])
        assert text[start:end] == row["exact"]
        assert int(row["s0"]) <= start <= end <= int(row["s1"])


def test_every_entity_and_fact_has_evidence(store: pyoxigraph.Store) -> None:
    missing = rows(
        store,
        """SELECT ?s WHERE {
             VALUES ?class { kg:Agency kg:Official org:Post kg:PolicyDocument kg:Program kg:Indicator
                             qb:Observation kg:Report }
             ?s a ?class FILTER NOT EXISTS { ?s prov:wasDerivedFrom/a kg:Quote } }""",
    )
    assert missing == []


def test_every_entity_has_chinese_and_english_labels(store: pyoxigraph.Store) -> None:
    missing = rows(
        store,
        """SELECT ?s ?lang WHERE {
             VALUES ?class { kg:Agency kg:Official org:Post kg:PolicyDocument kg:Program kg:Indicator qb:Observation }
             VALUES ?lang { "zh" "en" }
             ?s a ?class FILTER NOT EXISTS { ?s skos:prefLabel ?l FILTER (LANG(?l) = ?lang) } }""",
    )
    assert missing == []


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "rdfxml", "trig", "nquads"])
def test_exports_round_trip(built: Build, fmt: str, tmp_path: Path) -> None:
    """Triple formats hold the union of the graphs; TriG and N-Quads every named graph."""
    reference = Dataset()
    reference.parse(built.dataset_path, format="nquads")
    data = export(built, fmt, PROJECT_ROOT / "queries")
    if fmt in ("turtle", "nt", "jsonld", "rdfxml"):
        parsed = Graph().parse(data=data, format={"jsonld": "json-ld", "rdfxml": "xml"}.get(fmt, fmt))
        union = Graph()
        for graph in reference.graphs():
            union += graph
        assert isomorphic(parsed, union)
    else:
        parsed_ds = Dataset()
        parsed_ds.parse(data=data, format=fmt)
        for graph in reference.graphs():
            if len(graph):
                assert isomorphic(parsed_ds.graph(graph.identifier), graph), graph.identifier


def test_csv_export_has_one_row_per_fact(built: Build, store: pyoxigraph.Store) -> None:
    text = export(built, "csv", PROJECT_ROOT / "queries").decode("utf-8-sig")
    lines = text.strip().splitlines()
    header = lines[0].split(",")
    assert header[:3] == ["report", "fact", "indicator_zh"]
    facts = rows(store, "SELECT (COUNT(?f) AS ?n) WHERE { ?f a qb:Observation }")
    assert len(lines) - 1 == int(facts[0]["n"])
    assert any("15308元" in line and "15308" in line for line in lines)


def test_cli_build_validate_export(tmp_path: Path) -> None:
    out = tmp_path / "build"
    built = run_kg("build", "--out", str(out))
    assert built.returncode == 0, built.stderr
    assert "compiling and validating report" in built.stderr  # progress is shown
    valid = run_kg("validate")
    assert valid.returncode == 0 and "conforms" in valid.stdout
    target = tmp_path / "x.nt"
    exported = run_kg("export", "--build", str(out), "--format", "nt", "-o", str(target))
    assert exported.returncode == 0, exported.stderr
    assert len(Graph().parse(target, format="nt")) > 1000
    to_stdout = run_kg("export", "--build", str(out), "--format", "turtle", "-o", "-")
    assert to_stdout.stdout.startswith("@prefix")
