"""pyshacl-turbo, the SHACL engine of the build, against pySHACL, the reference: the same violations,
with the same focus nodes, paths, severities, messages and file:line, on the test fixtures.

The broken fixtures that get as far as SHACL, and the valid fixture with each of its properties
taken away in turn (so that every shape that can fail on a report fails at least once), for the
report shapes; the outcomes fixtures, likewise, for the outcome shapes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from corpus import corpus, outcome_fixtures
from kg.build import _Shared
from kg.compile import compile_report, iter_report_dirs
from kg.outcomes import assess, load_outcome_shapes, outcomes_graph, summarise, validation_context
from kg.validate import ENGINE, ENGINES, Violation, report_violations
from test_curation_errors import make_data

ROOT = Path(__file__).resolve().parents[1]


def described(violations: list[Violation]) -> list[tuple[str, str, str, str, str, str]]:
    return sorted((str(v.focus), v.path, str(v.path_iri), v.severity, v.message, str(v.location)) for v in violations)


def same_on_both(report: Graph, shared: _Shared, shapes: Graph, locations: dict) -> int:  # type: ignore[type-arg]
    """Assert both engines agree on ``report``; return how many violations they found."""
    found = {name: described(report_violations(report, shared.context, shapes, locations, name)) for name in ENGINES}
    assert found[ENGINE] == found["pyshacl"]
    return len(found["pyshacl"])


def without(graph: Graph, predicate: URIRef) -> Graph:
    smaller = Graph()
    smaller += graph
    smaller.remove((None, predicate, None))
    return smaller


# The other broken fixtures are refused by the compiler, before SHACL (tests/test_curation_errors.py).
@pytest.mark.parametrize("case", ["valid", "official-without-post"])
def test_the_engines_agree_on_the_fixtures_that_reach_shacl(tmp_path: Path, case: str) -> None:
    data = make_data(tmp_path, case)
    shared = _Shared(data, ROOT / "ontology")
    compiled = compile_report(data / "reports" / "mini", shared.vocabularies, data)
    assert compiled.graph is not None and not compiled.errors
    found = same_on_both(compiled.graph, shared, shared.shapes, compiled.locations)
    if case == "valid":
        assert found == 0
    if case == "official-without-post":
        assert found >= 1


def test_the_engines_agree_on_the_valid_fixture_with_each_property_taken_away(tmp_path: Path) -> None:
    data = make_data(tmp_path, "valid")
    shared = _Shared(data, ROOT / "ontology")
    compiled = compile_report(data / "reports" / "mini", shared.vocabularies, data)
    assert compiled.graph is not None and not compiled.errors
    predicates = sorted({p for p in compiled.graph.predicates() if isinstance(p, URIRef)})
    failing = sum(
        same_on_both(without(compiled.graph, p), shared, shared.shapes, compiled.locations) > 0 for p in predicates
    )
    assert failing >= len(predicates) // 3, "too few shapes were exercised for the comparison to mean much"


def test_the_engines_agree_on_the_outcome_shapes(tmp_path: Path) -> None:
    data = corpus(tmp_path / "data", *outcome_fixtures())
    shared = _Shared(data, ROOT / "ontology")
    summaries = []
    for report_dir in iter_report_dirs(data):
        compiled = compile_report(report_dir, shared.vocabularies, data)
        assert compiled.graph is not None and not compiled.errors
        summary = summarise(compiled.graph)
        assert summary is not None
        summaries.append(summary)
    graph = outcomes_graph(assess(summaries, {}), {})
    graph += validation_context(summaries)
    shapes = load_outcome_shapes(ROOT / "ontology")
    assert same_on_both(graph, shared, shapes, {}) == 0
    predicates = sorted({p for p in graph.predicates() if isinstance(p, URIRef)})
    assert sum(same_on_both(without(graph, p), shared, shapes, {}) > 0 for p in predicates) >= 1
