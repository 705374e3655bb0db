"""The pipeline in one call: compile -> validate -> publish (dataset + bulk-loaded store + manifest).

Reports are independent (each defines and quotes what it refers to), so they are compiled and
validated in batches on every core; the cost grows linearly with the number of reports. What the
union needs besides — an entity defined by several reports agrees on its kind and labels — is
checked after the batches, on what each report defines. Only if every report conforms is
anything published, and then atomically (``kg.builddir``).

The dataset is written in a canonical order (graphs in a fixed order, each graph's lines sorted),
and none of our graphs has blank nodes, so the same input gives the same bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.plugins.serializers.nquads import _nq_row
from rdflib.term import Node

from kg.builddir import DATASET, STORE, Build, content_version, finish, load_store, new_version, sha256
from kg.compile import (
    Definition,
    ReportInfo,
    Vocabularies,
    compile_report,
    conflicting_definitions,
    duplicate_report_ids,
    iter_report_dirs,
    shared_graphs,
)
from kg.config import QUERIES_DIR
from kg.curated import CurationError, CurationFailed
from kg.export import write_exports
from kg.identity import EntityRecord, Replacement, entity_records, likely_duplicates, replaced_yet_defined, replacements
from kg.namespaces import OUTCOMES_GRAPH
from kg.outcomes import Linked, Summary, link, load_outcome_shapes, summarise
from kg.translations import untranslated
from kg.validate import ValidationResult, Violation, load_shapes, report_violations
from kg.viewdb import VIEWS, write_build_views

Progress = Callable[[str], None]
# rdflib's N-Quads row writer (one line, with its newline), which rdflib leaves untyped.
nquads_row: Callable[[tuple[Node, Node, Node], Node], str] = _nq_row
# Below this many reports, worker processes cost more than they save.
PARALLEL_FROM = 8


class ValidationFailed(Exception):
    def __init__(self, result: ValidationResult):
        self.result = result
        super().__init__(result.text())


@dataclass
class Checked:
    """What compile and validate found: the reports (their graphs are in ``parts``), the
    cross-report graph, and the validation result with every violation and warning."""

    batches: BatchResult
    linked: Linked
    validation: ValidationResult
    ontology: Graph
    vocabularies: dict[str, Graph]


def compile_and_validate(
    data_dir: Path,
    ontology_dir: Path,
    progress: Progress | None = None,
    jobs: int | None = None,
    parts: Path | None = None,
    validated: Path | None = None,
) -> Checked:
    """The pipeline's compile and validate stages, for ``kg build`` and ``kg validate`` alike.

    Each report is compiled and validated on its own (in batches on ``jobs`` cores), its graph
    written as N-Quads under ``parts``; then the checks across reports (ids, definitions,
    replaced ids) and the cross-report stage (commitments against later reports, validated).
    Curation errors raise :class:`CurationFailed`; SHACL violations are in ``validation``.
    ``validated`` keeps markers of report graphs that conformed before (see
    :func:`compile_validate_batch`); without it, every report is validated."""
    with contextlib.ExitStack() as scratch:
        if parts is None:
            parts = Path(scratch.enter_context(tempfile.TemporaryDirectory(prefix="kg-parts-")))
        if validated is None:
            validated = Path(scratch.enter_context(tempfile.TemporaryDirectory(prefix="kg-validated-")))
        batches = _compile_in_parallel(data_dir, ontology_dir, parts, validated, jobs or os.cpu_count() or 1, progress)
    errors = (
        batches.errors
        + duplicate_report_ids(batches.reports)
        + conflicting_definitions(batches.definitions)
        + replaced_yet_defined(batches.entities, batches.replaced)
    )
    if errors:
        raise CurationFailed(errors)
    ontology, vocabularies = shared_graphs(data_dir, ontology_dir)
    linked = link_outcomes(batches.summaries, ontology, list(vocabularies.values()), ontology_dir, progress)
    violations = sorted(
        batches.violations + linked.violations,
        key=lambda v: (str(v.location.path), v.location.line) if v.location else ("~", 0),
    )
    validation = ValidationResult(not violations, violations)
    validation.warnings = likely_duplicates(batches.entities) + linked.warnings + batches.untranslated
    return Checked(batches, linked, validation, ontology, vocabularies)


def link_outcomes(
    summaries: list[Summary], ontology: Graph, vocabularies: list[Graph], ontology_dir: Path, progress: Progress | None
) -> Linked:
    """The cross-report stage: every commitment against later reports, validated (kg.outcomes)."""
    if progress:
        progress(f"linking {sum(len(s.commitments) for s in summaries)} commitment(s) to later reports")
    context = Graph()
    for graph in (ontology, *vocabularies):
        context += graph
    return link(summaries, context, load_outcome_shapes(ontology_dir))


@dataclass
class BatchResult:
    reports: list[ReportInfo] = field(default_factory=list)
    errors: list[CurationError] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    # What the cross-report stages need of each report (kg.outcomes, kg.identity).
    summaries: list[Summary] = field(default_factory=list)
    entities: list[EntityRecord] = field(default_factory=list)
    replaced: list[Replacement] = field(default_factory=list)
    # Reports with evidence sentences not yet translated (issue 14): kg validate's warnings only.
    untranslated: list[str] = field(default_factory=list)


class _Shared:
    """What every batch needs, loaded once per worker process."""

    def __init__(self, data_dir: Path, ontology_dir: Path):
        self.data_dir = data_dir
        self.ontology, vocabularies = shared_graphs(data_dir, ontology_dir)
        self.vocabularies = Vocabularies(list(vocabularies.values()))
        self.context = Graph()
        for graph in (self.ontology, *vocabularies.values()):
            self.context += graph
        self.shapes = load_shapes(ontology_dir)
        # The files, not their graphs: blank nodes (the shapes' property shapes) get new labels
        # at every parse, so a digest of the parsed graphs would never match across builds.
        files = [
            ontology_dir / "kg.ttl",
            ontology_dir / "shapes.ttl",
            *sorted((data_dir / "vocabularies").glob("*.ttl")),
        ]
        self.context_key = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()


def canonical_nquads(graph: Graph) -> bytes:
    """A named graph as N-Quads lines in sorted order: the same triples give the same bytes (our
    graphs have no blank nodes, whose labels would change at every parse).

    Each line is written by rdflib's own N-Quads row writer, as its serializer would write it, but
    without first copying the graph into a Dataset (tests/test_reproducible.py checks the two agree)."""
    name = graph.identifier
    lines = sorted(nquads_row(triple, name).encode("utf-8", "replace") for triple in graph)
    return b"".join(lines)


_shared: _Shared | None = None


def _init_worker(data_dir: Path, ontology_dir: Path) -> None:
    global _shared
    _shared = _Shared(data_dir, ontology_dir)


def compile_validate_batch(report_dirs: list[Path], part: Path, validated: Path) -> BatchResult:
    """Compile and validate some reports; write the conforming graphs to ``part`` as N-Quads.

    A report graph that conformed before, to the same shapes with the same ontology and
    vocabularies, is not validated again: ``validated`` keeps one empty marker per such
    (graph, context) digest, so a rebuild only pays SHACL for the reports that changed."""
    assert _shared is not None, "call _init_worker first"
    result = BatchResult()
    quads: list[bytes] = []
    for report_dir in report_dirs:
        compiled = compile_report(report_dir, _shared.vocabularies, _shared.data_dir)
        result.errors.extend(compiled.errors)
        result.definitions.extend(compiled.definitions)
        if compiled.info is None or compiled.graph is None or compiled.errors:
            continue
        lines = canonical_nquads(compiled.graph)
        marker = validated / hashlib.sha256(hashlib.sha256(lines).digest() + _shared.context_key.encode()).hexdigest()
        if not marker.exists():
            violations = report_violations(compiled.graph, _shared.context, _shared.shapes, compiled.locations)
            result.violations.extend(violations)
            if not violations:
                marker.touch()
        result.reports.append(compiled.info)
        quads.append(lines)
        summary = summarise(compiled.graph)
        if summary is not None:
            result.summaries.append(summary)
        result.entities.extend(entity_records(compiled.graph))
        result.replaced.extend(replacements(compiled.graph))
        result.untranslated.extend(untranslated(compiled.graph, compiled.info.id))
    if not result.errors and not result.violations:
        part.write_bytes(b"".join(quads))
    return result


def _batches(items: list[Path], jobs: int) -> list[list[Path]]:
    size = max(1, min(25, len(items) // (jobs * 4) or 1))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _compile_in_parallel(
    data_dir: Path, ontology_dir: Path, parts: Path, validated: Path, jobs: int, progress: Progress | None
) -> BatchResult:
    report_dirs = list(iter_report_dirs(data_dir))
    total = BatchResult()
    if len(report_dirs) < PARALLEL_FROM or jobs == 1:
        _init_worker(data_dir, ontology_dir)
        for number, report_dir in enumerate(report_dirs):
            if progress:
                progress(f"compiling and validating report {number + 1}/{len(report_dirs)}: {report_dir.name}")
            _merge(total, compile_validate_batch([report_dir], parts / f"part-{number:06d}.nq", validated))
        return total
    context = multiprocessing.get_context("forkserver")
    batches = _batches(report_dirs, jobs)
    done_reports = 0
    with ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_init_worker, initargs=(data_dir, ontology_dir)
    ) as pool:
        pending = {
            pool.submit(compile_validate_batch, batch, parts / f"part-{number:06d}.nq", validated): len(batch)
            for number, batch in enumerate(batches)
        }
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                done_reports += pending.pop(future)
                _merge(total, future.result())
            if progress:
                progress(f"compiled and validated {done_reports}/{len(report_dirs)} reports on {jobs} cores")
    return total


def _merge(total: BatchResult, part: BatchResult) -> None:
    total.reports.extend(part.reports)
    total.errors.extend(part.errors)
    total.violations.extend(part.violations)
    total.definitions.extend(part.definitions)
    total.summaries.extend(part.summaries)
    total.entities.extend(part.entities)
    total.replaced.extend(part.replaced)
    total.untranslated.extend(part.untranslated)


def build(
    data_dir: Path, ontology_dir: Path, out: Path, progress: Progress | None = None, jobs: int | None = None
) -> Build:
    """Compile and validate; only a conforming dataset is published, atomically, to ``out``."""
    version = new_version(out)
    try:
        parts = version / "parts"
        parts.mkdir()
        validated = out.parent / f".{out.name}.validated"
        validated.mkdir(exist_ok=True)
        checked = compile_and_validate(data_dir, ontology_dir, progress, jobs, parts, validated)
        if not checked.validation.conforms:
            raise ValidationFailed(checked.validation)
        result, linked, ontology, vocabularies = checked.batches, checked.linked, checked.ontology, checked.vocabularies
        # Not the untranslated sentences: kg validate lists them; a new report builds before it is translated.
        warnings = [w for w in checked.validation.warnings if w not in set(result.untranslated)]
        dataset_path = version / DATASET
        if progress:
            progress(f"writing the dataset of {len(result.reports)} report(s)")
        shared = [ontology, *(vocabularies[name] for name in sorted(vocabularies))]
        with dataset_path.open("wb") as target:
            for graph in shared:
                target.write(canonical_nquads(graph))
            for part in sorted(parts.glob("*.nq")):  # numbered in the order of the sorted report folders
                with part.open("rb") as source:
                    shutil.copyfileobj(source, target)
            target.write(canonical_nquads(linked.graph))  # the cross-report graph, last
        shutil.rmtree(parts)
        if progress:
            progress("bulk-loading the Oxigraph store")
        counts = load_store(version, dataset_path)
        if progress:
            progress("writing the downloads (Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads, facts CSV)")
        exports = write_exports(version, dataset_path, QUERIES_DIR)
        views = write_build_views(version, version / STORE, progress)  # issue 14: the analyst tables
        digest = sha256(dataset_path)
        manifest = {
            "version": content_version(digest),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "quads": counts.quads,
            "triples": counts.triples,
            "reports": [
                {"id": r.id, "graph": str(r.graph), "triples": r.triples}
                for r in sorted(result.reports, key=lambda r: r.id)
            ],
            "graphs": sorted(
                [str(g.identifier) for g in shared if len(g)]
                + [str(r.graph) for r in result.reports]
                + [str(OUTCOMES_GRAPH)]
            ),
            "warnings": warnings,
            "files": {DATASET: digest, VIEWS: sha256(views)},
            **exports,  # downloads (files, sizes, digests) and the VoID statistics
        }
        return finish(out, version, manifest)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
