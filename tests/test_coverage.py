"""Every number in a report's text is accounted for: a curated fact, or a not_facts entry saying why not.

The numerals are found by :func:`kg.numbers.scan_numerals` in the stored source text. A numeral is
covered by a fact when it lies inside the span of the fact's ``amount`` within the fact's quote,
and by a ``not_facts`` entry when it lies inside an occurrence of the entry's ``text`` (every
occurrence, or only the one ``occurrence: N`` names). The counts of the real report are checked on
the compiled graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import ORG, QB, RDF

from kg.compile import Compiled, compile_data
from kg.curated import CuratedReport, load
from kg.namespaces import KG, report_graph
from kg.numbers import scan_numerals
from kg.source import SourceText

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
ONTOLOGY = ROOT / "ontology"
REPORT_FILES = sorted((DATA / "reports").glob("*/report.yaml"))
SHANXI = "shanxi-2022-04-02"
CONTEXT = 12


@dataclass(frozen=True)
class Cover:
    start: int
    end: int
    by: str  # "fact <id>" or "not_facts <text>"

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


@dataclass
class Coverage:
    report: CuratedReport
    source: SourceText
    numerals: list[tuple[int, int, str]]
    facts: list[Cover]
    not_facts: list[Cover]

    def context(self, start: int, end: int) -> str:
        text = self.source.text
        before = text[max(0, start - CONTEXT) : start].replace("\n", " ")
        after = text[end : end + CONTEXT].replace("\n", " ")
        return f"{before}[{text[start:end]}]{after}"


def coverage_of(path: Path) -> Coverage:
    report = load(path)
    source = SourceText.read(path.parent / report.report.get("text", "source.txt"))
    text = source.text
    facts = []
    for fact in report.items.get("facts", []):
        quote = source.locate(str(fact.get("quote")), fact.get("occurrence"))
        amount = str(fact.get("amount"))
        start = text.find(amount, quote.start, quote.end)
        assert start != -1, f"fact {fact.id}: amount {amount!r} is not inside its quote (run `kg validate`)"
        facts.append(Cover(start, start + len(amount), f"fact {fact.id}"))
    not_facts = []
    for entry in report.not_facts:
        phrase = str(entry.get("text"))
        starts = source.occurrences(phrase)
        assert starts, f"not_facts text {phrase!r} is not in {source.path}"
        occurrence = entry.get("occurrence")
        if occurrence is not None:
            assert 1 <= occurrence <= len(starts), f"not_facts {phrase!r}: no occurrence {occurrence}"
            starts = [starts[occurrence - 1]]
        not_facts.extend(Cover(s, s + len(phrase), f"not_facts {phrase!r}") for s in starts)
    return Coverage(report, source, scan_numerals(text), facts, not_facts)


@pytest.fixture(scope="module", params=REPORT_FILES, ids=[p.parent.name for p in REPORT_FILES])
def coverage(request: pytest.FixtureRequest) -> Coverage:
    return coverage_of(request.param)


def test_every_numeral_is_a_fact_or_a_not_fact(coverage: Coverage) -> None:
    covers = coverage.facts + coverage.not_facts
    uncovered = [
        f"  {start}: {numeral!r} in …{coverage.context(start, end)}…"
        for start, end, numeral in coverage.numerals
        if not any(c.contains(start, end) for c in covers)
    ]
    assert not uncovered, (
        f"{len(uncovered)} numeral(s) of {coverage.source.path} are neither a fact nor listed in not_facts "
        f"(add a fact, or a not_facts entry with a reason):\n" + "\n".join(uncovered)
    )


def test_every_fact_amount_is_a_numeral(coverage: Coverage) -> None:
    empty = [
        f"  {c.by}: {coverage.context(c.start, c.end)}"
        for c in coverage.facts
        if not any(c.contains(start, end) for start, end, _ in coverage.numerals)
    ]
    assert not empty, "fact amounts that contain no numeral of the text:\n" + "\n".join(empty)


def test_every_not_fact_holds_a_numeral(coverage: Coverage) -> None:
    useless = sorted(
        {c.by for c in coverage.not_facts if not any(c.contains(start, end) for start, end, _ in coverage.numerals)}
    )
    assert not useless, "not_facts entries that cover no numeral (remove them):\n  " + "\n  ".join(useless)


def test_no_numeral_is_both_a_fact_and_a_not_fact(coverage: Coverage) -> None:
    both = []
    for start, end, numeral in coverage.numerals:
        facts = [c.by for c in coverage.facts if c.contains(start, end)]
        excluded = [c.by for c in coverage.not_facts if c.contains(start, end)]
        if facts and excluded:
            both.append(f"  {numeral!r} at {start} ({coverage.context(start, end)}): {facts} and {excluded}")
    assert not both, "numerals claimed by a fact and also excluded by not_facts:\n" + "\n".join(both)


# ---- counts of the real report, on the compiled graph


@pytest.fixture(scope="module")
def compiled() -> Compiled:
    return compile_data(DATA, ONTOLOGY)


@pytest.fixture(scope="module")
def shanxi(compiled: Compiled) -> Graph:
    return compiled.dataset.graph(report_graph(SHANXI))


def instances(graph: Graph, rdf_type: URIRef) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, rdf_type) if isinstance(s, URIRef)}


@pytest.mark.parametrize(
    ("rdf_type", "expected"),
    [(KG.Agency, 8), (KG.Official, 3), (ORG.Post, 6)],
    ids=["agencies", "officials", "posts"],
)
def test_exact_counts(shanxi: Graph, rdf_type: URIRef, expected: int) -> None:
    assert len(instances(shanxi, rdf_type)) == expected


@pytest.mark.parametrize(
    ("rdf_type", "at_least"),
    [(KG.Program, 60), (QB.Observation, 55), (KG.PolicyDocument, 5), (KG.Indicator, 40)],
    ids=["programs", "facts", "documents", "indicators"],
)
def test_minimum_counts(shanxi: Graph, rdf_type: URIRef, at_least: int) -> None:
    assert len(instances(shanxi, rdf_type)) >= at_least


def test_every_curated_fact_is_compiled(shanxi: Graph) -> None:
    curated = load(DATA / "reports" / SHANXI / "report.yaml")
    assert len(instances(shanxi, QB.Observation)) == len(curated.items["facts"])
