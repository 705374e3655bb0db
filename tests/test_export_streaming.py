"""The downloads are written streaming, from the build's sorted dataset.nq (kg.export): the same
bytes as the exporter that held every quad in memory wrote (digests of its output, committed in
tests/fixtures/exports/), on two fixture builds; a dataset not in the canonical order is refused
with the file and the fix; an older build's download is serialised on request, the same bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ONTOLOGY
from corpus import corpus, outcome_fixtures
from kg.authoring.synth import synth
from kg.build import build
from kg.builddir import Build
from kg.config import QUERIES_DIR
from kg.export import DOWNLOADS, FORMATS, SortedDataset, export, write_union

EXPECTED = json.loads((Path(__file__).parent / "fixtures" / "exports" / "digests-before-streaming.json").read_text())


@pytest.fixture(scope="module", params=["synth", "outcomes"])
def fixture_build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Build]:
    name = str(request.param)
    data = tmp_path_factory.mktemp(name) / name  # the folder's name is in the data (kg:curatedAt)
    if name == "synth":
        synth(4, data)
    else:
        corpus(data, *outcome_fixtures())
    return name, build(data, ONTOLOGY, data.parent / "build")


def test_streamed_downloads_are_the_bytes_the_in_memory_exporter_wrote(fixture_build: tuple[str, Build]) -> None:
    name, built = fixture_build
    written = {
        fmt: {"bytes": entry["bytes"], "sha256": entry["sha256"]} for fmt, entry in built.manifest["downloads"].items()
    }
    expected = {fmt: value for fmt, value in EXPECTED[name].items() if fmt != "statistics"}
    assert set(written) == set(DOWNLOADS)
    assert written == expected, json.dumps(written, indent=1, sort_keys=True)
    assert built.manifest["statistics"] == EXPECTED[name]["statistics"]


def test_an_older_build_is_serialised_on_request_to_the_same_bytes(fixture_build: tuple[str, Build]) -> None:
    """A build whose manifest lists no downloads (written before kg build wrote them)."""
    _, built = fixture_build
    older = Build(built.path, {k: v for k, v in built.manifest.items() if k != "downloads"})
    for fmt in [*FORMATS, "context"]:
        assert export(older, fmt, QUERIES_DIR) == (built.path / built.manifest["downloads"][fmt]["file"]).read_bytes()


def test_a_dataset_out_of_canonical_order_is_refused_with_the_fix(
    fixture_build: tuple[str, Build], tmp_path: Path
) -> None:
    _, built = fixture_build
    lines = built.dataset_path.read_bytes().splitlines(keepends=True)
    shuffled = tmp_path / "dataset.nq"
    shuffled.write_bytes(b"".join([lines[1], lines[0], *lines[2:]]))
    sinks = [(tmp_path / f"out-{n}").open("wb") for n in range(4)]
    try:
        with pytest.raises(ValueError, match=r"dataset.nq is not in the canonical order kg build writes.*kg build"):
            write_union(SortedDataset.scan(shuffled), {}, *sinks)
    finally:
        for sink in sinks:
            sink.close()


def test_a_line_without_a_graph_is_refused_with_the_line(tmp_path: Path) -> None:
    dataset = tmp_path / "dataset.nq"
    dataset.write_bytes(b'<https://example.org/s> <https://example.org/p> "o" .\n')
    with pytest.raises(ValueError, match=r"dataset.nq is not in the canonical order.*line 1 does not end with a graph"):
        SortedDataset.scan(dataset)
