"""A canned query rewritten for speed answers exactly what it answered before, the same rows (and
the same ORDER BY, so the same order up to ties), on the fixture corpora: the real report, and the
commitments-and-outcomes fixtures (several reports, every outcome status)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest

from corpus import corpus, outcome_fixtures
from kg.build import build
from kg.builddir import Build
from kg.config import PROJECT_ROOT

BEFORE = Path(__file__).parent / "fixtures" / "queries-before"
REWRITTEN = sorted(p.stem for p in BEFORE.glob("*.rq"))
ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology"


@pytest.fixture(scope="module")
def outcomes_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("rewrites")
    return build(corpus(root / "data", *outcome_fixtures()), ONTOLOGY, root / "build")


def rows(store: pyoxigraph.Store, text: str) -> list[tuple[str | None, ...]]:
    solutions = store.query(text)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [tuple(None if row[n] is None else str(row[n]) for n in names) for row in solutions]


def order_by(text: str) -> str:
    return text[text.rindex("ORDER BY") :].strip()


def test_there_are_rewrites_to_compare() -> None:
    assert REWRITTEN, "tests/fixtures/queries-before holds no query"
    for name in REWRITTEN:
        assert (PROJECT_ROOT / "queries" / f"{name}.rq").is_file(), f"{name}.rq is no longer a canned query"


@pytest.mark.parametrize("name", REWRITTEN)
@pytest.mark.parametrize("corpus_name", ["shanxi", "outcomes"])
def test_a_rewritten_query_answers_as_before(name: str, corpus_name: str, built: Build, outcomes_build: Build) -> None:
    store = pyoxigraph.Store.read_only(str((built if corpus_name == "shanxi" else outcomes_build).store_path))
    old = (BEFORE / f"{name}.rq").read_text(encoding="utf-8")
    new = (PROJECT_ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    assert order_by(new) == order_by(old)
    before, after = rows(store, old), rows(store, new)
    assert sorted(after, key=repr) == sorted(before, key=repr)
    if corpus_name == "shanxi":
        assert before, f"{name} answers nothing on the report: the comparison would mean nothing"
