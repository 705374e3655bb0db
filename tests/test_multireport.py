"""Many reports: each its own named graph, shared entities under one IRI, cross-report queries."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph
import pytest

from conftest import run_kg
from kg.authoring.synth import synth
from kg.build import build
from kg.config import PROJECT_ROOT

ONTOLOGY = PROJECT_ROOT / "ontology"


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pyoxigraph.Store]:
    """12 synthetic reports (the parallel path of the build) plus the real Shanxi report."""
    data = tmp_path_factory.mktemp("many") / "data"
    synth(12, data)
    shutil.copytree(PROJECT_ROOT / "data" / "reports" / "shanxi-2022-04-02", data / "reports" / "shanxi-2022-04-02")
    out = data.parent / "build"
    result = build(data, ONTOLOGY, out)
    store = pyoxigraph.Store()
    store.bulk_load(path=str(result.dataset_path), format=pyoxigraph.RdfFormat.N_QUADS)
    return out, store


def test_synth_reports_pass_the_shapes_and_become_named_graphs(many: tuple[Path, pyoxigraph.Store]) -> None:
    out, store = many
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["reports"]) == 13
    graphs = {g.value for g in store.named_graphs()}
    assert {r["graph"] for r in manifest["reports"]} <= graphs


def test_shared_entities_are_one_iri_across_reports(many: tuple[Path, pyoxigraph.Store]) -> None:
    _, store = many
    shared = list(
        store.query(
            """SELECT ?agency (COUNT(DISTINCT ?g) AS ?reports) WHERE {
                 GRAPH ?g { ?agency a <https://w3id.org/cnkg/ontology#Agency> } }
               GROUP BY ?agency HAVING (COUNT(DISTINCT ?g) > 1)"""
        )
    )
    assert shared, "synthetic reports of one province share its agencies"
    shanxi_agency = "https://w3id.org/cnkg/id/agency/shanxi-agriculture-department"
    in_graphs = {
        s["g"].value for s in store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{shanxi_agency}> ?p ?o }} }}")
    }
    assert len(in_graphs) >= 2, in_graphs


def test_an_indicator_over_the_years_is_one_query(many: tuple[Path, pyoxigraph.Store]) -> None:
    out, _ = many
    result = run_kg(
        "query", str(PROJECT_ROOT / "queries" / "indicator-over-time.rq"), "--build", str(out), "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    issued = {r["report_issued"] for r in rows}
    assert len(issued) >= 3, rows
    assert any(r["as_written"] == "15308元" for r in rows)


def test_duplicate_report_ids_are_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    synth(2, data)
    copy = data / "reports" / "copy-of-first"
    shutil.copytree(data / "reports" / "synth-00000", copy)
    result = run_kg("build", "--data", str(data), "--out", str(tmp_path / "build"))
    assert result.returncode == 1
    assert "report id 'synth-00000' is also used by" in result.stderr
