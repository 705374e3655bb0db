"""The pipeline in one call: compile -> validate -> publish (dataset + bulk-loaded store + manifest)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

from kg.compile import Compiled, compile_data
from kg.publish import DATASET, Build, finish, load_store, new_version, sha256
from kg.validate import ValidationResult, validate_compiled

Progress = Callable[[str], None]


class ValidationFailed(Exception):
    def __init__(self, result: ValidationResult):
        self.result = result
        super().__init__(result.text())


def compile_and_validate(data_dir: Path, ontology_dir: Path, progress: Progress | None = None) -> tuple[Compiled, ValidationResult]:
    compiled = compile_data(data_dir, ontology_dir, progress)
    if progress:
        progress(f"validating {len(compiled.reports)} report graph(s) with SHACL")
    return compiled, validate_compiled(compiled, ontology_dir)


def build(data_dir: Path, ontology_dir: Path, out: Path, progress: Progress | None = None) -> Build:
    """Compile and validate; only a conforming dataset is published, atomically, to ``out``."""
    compiled, result = compile_and_validate(data_dir, ontology_dir, progress)
    if not result.conforms:
        raise ValidationFailed(result)
    version = new_version(out)
    try:
        if progress:
            progress(f"writing {len(compiled.dataset):,} quads to {version}")
        dataset_path = version / DATASET
        compiled.dataset.serialize(destination=dataset_path, format="nquads", encoding="utf-8")
        if progress:
            progress("bulk-loading the Oxigraph store")
        quads = load_store(version, dataset_path)
        manifest = {
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "quads": quads,
            "reports": [
                {"id": r.id, "graph": str(r.graph), "triples": r.triples} for r in compiled.reports
            ],
            "graphs": sorted(str(g.identifier) for g in compiled.dataset.graphs() if len(g)),
            "files": {DATASET: sha256(dataset_path)},
        }
        return finish(out, version, manifest)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
