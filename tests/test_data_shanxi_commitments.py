"""Data acceptance: the curated Shanxi report's commitments, qualitative facts, program statuses and
the audit's fixes, as the graph has them — and, with the fixture follow-up report of 2023
(tests/fixtures/outcomes), the outcomes of its 2022 commitments.

These tests check curated data, not code: a curator who changes the Shanxi data changes them.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from corpus import OUTCOME_REPORTS, corpus
from kg.build import build
from kg.builddir import Build, memory_store
from kg.compile import compile_data
from kg.config import PROJECT_ROOT
from kg.curated import CuratedReport, load
from kg.namespaces import ID, KG, OA, report_graph, report_iri
from test_queries import run

DATA = PROJECT_ROOT / "data"
ONTOLOGY = PROJECT_ROOT / "ontology"
SHANXI = "shanxi-2022-04-02"
FOLLOW_UP = "fixture-shanxi-2023-02-20"
PREFIXES = "PREFIX kg: <https://w3id.org/cnkg/ontology#>\nPREFIX prov: <http://www.w3.org/ns/prov#>\n"


@pytest.fixture(scope="module")
def curated() -> CuratedReport:
    return load(DATA / "reports" / SHANXI / "report.yaml")


@pytest.fixture(scope="module")
def graph() -> Graph:
    return compile_data(DATA, ONTOLOGY).dataset.graph(report_graph(SHANXI))


def exact_at(graph: Graph, node: URIRef) -> tuple[str, int, int]:
    evidence = graph.value(node, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
    exact = start = end = None
    for selector in graph.objects(evidence, OA.hasSelector):
        exact = graph.value(selector, OA.exact) or exact
        start = graph.value(selector, OA.start) or start
        end = graph.value(selector, OA.end) or end
    return str(exact), int(start), int(end)


def test_every_commitment_is_in_the_graph_with_its_relation_and_quote(curated: CuratedReport, graph: Graph) -> None:
    text = str(graph.value(report_iri(SHANXI), KG.sourceText))
    items = curated.items["commitments"]
    commitments = set(graph.subjects(RDF.type, KG.Commitment))
    assert len(commitments) == len(items) == 41
    for item in items:
        node = report_iri(SHANXI, "commitment", item.id)
        assert node in commitments, item.id
        assert graph.value(node, KG.relation) == ID[f"relation/{item.get('relation')}"], item.id
        exact, start, end = exact_at(graph, node)
        assert exact == item.get("quote") and text[start:end] == exact, item.id
        assert graph.value(node, KG.leadAgency) is not None, f"{item.id}: who commits"
        assert graph.value(node, KG.indicator) or graph.value(node, KG.relatedProgram), f"{item.id}: to what"


def test_commitments_by_relation(graph: Graph) -> None:
    relations = Counter(
        str(graph.value(node, KG.relation)).rsplit("/", 1)[-1] for node in graph.subjects(RDF.type, KG.Commitment)
    )
    assert relations == {"implement": 30, "reach": 7, "keep": 2, "increase": 1, "double": 1}


def test_every_numeric_target_belongs_to_a_commitment(graph: Graph) -> None:
    targets = set(graph.subjects(KG.valueType, ID["value-type/target"]))
    assert len(targets) == 8
    assert targets == set(graph.objects(None, KG.target))


def test_the_relative_targets_have_their_baselines(graph: Graph) -> None:
    share = report_iri(SHANXI, "commitment", "linkage-funds-industry-share-increase-2022")
    assert graph.value(share, KG.baseline) == report_iri(SHANXI, "fact", "linkage-funds-industry-share-2021")
    doubling = report_iri(SHANXI, "commitment", "out-of-province-employment-doubled-2022")
    assert graph.value(doubling, KG.relation) == ID["relation/double"]
    assert graph.value(doubling, KG.indicator) == ID["indicator/workers-employed-outside-the-province"]


def test_qualitative_facts(curated: CuratedReport, graph: Graph) -> None:
    facts = set(graph.subjects(RDF.type, KG.QualitativeFact))
    assert len(facts) == len(curated.items["qualitative_facts"]) == 12
    national = report_iri(SHANXI, "qualitative-fact", "rural-income-growth-above-national-2021")
    assert graph.value(national, KG.comparedWithArea) == ID["region/china"]
    assert exact_at(graph, national)[0] == "增速高于全国"
    two = [
        report_iri(SHANXI, "qualitative-fact", i)
        for i in ("employed-workers-above-2020", "workers-away-from-home-above-2020")
    ]
    assert all(graph.value(n, KG.comparedWith) == ID["period/2020"] for n in two)
    covered = report_iri(SHANXI, "qualitative-fact", "disaster-insurance-full-coverage-2021")
    assert exact_at(graph, covered)[0] == "实现了全覆盖"


def test_program_statuses_are_those_the_text_gives(graph: Graph) -> None:
    def status(program: str) -> tuple[str, str]:
        node = report_iri(SHANXI, "program-status", program)
        return (
            str(graph.value(node, KG.programStatus)).rsplit("/", 1)[-1],
            str(graph.value(node, KG.refPeriod)).rsplit("/", 1)[-1],
        )

    assert status("five-major-projects") == ("planned", "2022")
    assert status("village-two-committees-elections") == ("completed", "2021")
    assert status("quality-safety-traceability-platform") == ("completed", "unspecified")
    assert status("microcredit") == ("under-way", "2021")
    assert len(set(graph.subjects(RDF.type, KG.ProgramStatus))) == 63


# ---------------------------------------------------------------------------------- the audit


def test_the_38_documents_belong_to_the_linkage_policy_system_and_the_bureau(graph: Graph) -> None:
    documents = report_iri(SHANXI, "fact", "implementing-documents-since-last-year")
    assert graph.value(documents, KG.relatedProgram) == ID["program/linkage-policy-system"]
    english = [
        str(x)
        for x in graph.objects(ID["document/implementing-opinions-and-plans"], SKOS.prefLabel)
        if isinstance(x, Literal) and x.language == "en"
    ]
    assert "four no-removals" not in english[0] and "policy system" in english[0]
    for fact in (
        "county-team-leaders-since-last-year",
        "village-work-teams-since-last-year",
        "first-secretaries-since-last-year",
        "implementing-documents-since-last-year",
    ):
        node = report_iri(SHANXI, "fact", fact)
        assert graph.value(node, KG.leadAgency) == ID["agency/shanxi-rural-revitalization-bureau"], fact
        assert "全省乡村振兴系统" in " ".join(str(n) for n in graph.objects(node, SKOS.note)), fact


def test_the_five_major_projects_are_planned(graph: Graph) -> None:
    english = {str(x) for x in graph.objects(ID["indicator/rural-infrastructure-projects"], SKOS.prefLabel)}
    assert "Major rural infrastructure projects planned" in english


def test_the_jinzhong_figures_say_how_they_are_attributed(graph: Graph) -> None:
    for fact in (
        "zone-industries-with-experts",
        "zone-experts-selected",
        "zone-major-projects-count",
        "zone-organic-dryland-research-bases",
        "zone-organic-dryland-production-bases",
        "zone-grain-oil-demonstration-plots",
    ):
        notes = " ".join(str(n) for n in graph.objects(report_iri(SHANXI, "fact", fact), SKOS.note))
        assert "grammar" in notes, fact
    for fact in ("zone-experts-selected", "zone-industries-with-experts"):
        assert graph.value(report_iri(SHANXI, "fact", fact), KG.relatedProgram) is None, fact


def test_growth_rates_say_the_comparison_with_2020_is_inferred(graph: Graph) -> None:
    for fact in ("primary-industry-growth-2021", "rural-income-growth-2021", "poverty-areas-rural-income-growth-2021"):
        notes = " ".join(str(n) for n in graph.objects(report_iri(SHANXI, "fact", fact), SKOS.note))
        assert "inference" in notes, fact


def test_the_rural_work_office_is_the_leading_groups_office(graph: Graph) -> None:
    for node in (ID["agency/shanxi-rural-work-office"], ID["post/director-shanxi-rural-work-office"]):
        english = [str(x) for x in graph.objects(node, SKOS.prefLabel) if isinstance(x, Literal) and x.language == "en"]
        assert "Office of the Rural Work Leading Group of the CPC Shanxi Provincial Committee" in english[0]


def test_the_missing_programs_and_links(graph: Graph) -> None:
    for program in (
        "agricultural-demonstration-zones",
        "flagship-products",
        "advantage-brands",
        "village-two-committees-elections",
    ):
        assert (ID[f"program/{program}"], RDF.type, KG.Program) in graph, program
    opinions = ID["document/shanxi-implementation-opinions-2022"]
    assert graph.value(ID["program/farmer-linkage-mechanism"], KG.establishedBy) == opinions
    assert graph.value(ID["program/rural-construction-action"], KG.establishedBy) == opinions
    assert (
        graph.value(ID["program/digital-village-demonstration-villages"], KG.parentProgram)
        == ID["program/digital-village-construction"]
    )


def _labels(graph: Graph) -> list[tuple[str, str]]:
    """(Chinese, English) preferred labels of every labelled subject of the report."""
    pairs = []
    for node in set(graph.subjects(SKOS.prefLabel, None)):
        names = {x.language: str(x) for x in graph.objects(node, SKOS.prefLabel) if isinstance(x, Literal)}
        if "zh" in names and "en" in names:
            pairs.append((names["zh"], names["en"]))
    return pairs


def test_one_english_term_per_word_and_one_spelling(graph: Graph) -> None:
    pairs = _labels(graph)
    english = [en for _, en in pairs]
    assert not [en for en in english if re.search(r"poverty-alleviated|characteristic", en, re.I)]
    assert not [
        en
        for en in english
        if re.search(r"organis|civilis|stabilis|revitalis|moderni[sz]ing|labour|centre|programme", en, re.I)
    ]
    for zh, en in pairs:
        if "特色" in zh:
            assert "specialty" in en.lower(), (zh, en)
        if "脱贫" in zh.replace("脱贫攻坚", ""):
            assert "lifted out of poverty" in en, (zh, en)
        if re.search("晋(?!中)", zh.replace("三晋", "")):
            assert "Jin" in en, (zh, en)


# ---------------------------------------------------------------------------------- outcomes


@pytest.fixture(scope="module")
def with_follow_up(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("shanxi-follow-up")
    data = corpus(root / "data", DATA / "reports" / SHANXI, OUTCOME_REPORTS / FOLLOW_UP)
    return build(data, ONTOLOGY, root / "build")


def test_the_2022_commitments_against_the_follow_up(with_follow_up: Build) -> None:
    store = memory_store(Path(with_follow_up.dataset_path))
    rows = store.query(
        PREFIXES
        + f"""SELECT ?c ?status WHERE {{ ?o kg:assesses ?c ; kg:outcomeStatus ?status
                   FILTER (STRSTARTS(STR(?c), "{report_iri(SHANXI)}/")) }}"""
    )
    found = {row["c"].value.rsplit("/", 1)[-1]: row["status"].value.rsplit("/", 1)[-1] for row in rows}
    assert isinstance(store, pyoxigraph.Store) and len(found) == 41
    assessed = {k: v for k, v in found.items() if v != "no-outcome-yet"}
    assert assessed == {
        "processing-potato-bases-2022": "exceeded",
        "demonstration-counties-2022": "met",
        "demonstration-zones-2022": "exceeded",
        "demonstration-villages-2022": "partly",
        "rural-tourism-villages-2022": "met",
        "digital-villages-2022": "met",
        "specialty-industry-bases-2022": "met",
        "linkage-funds-industry-share-increase-2022": "missed",
        "out-of-province-employment-doubled-2022": "partly",
        "five-major-projects-2022": "met",
        "potato-revolution-2022": "met",
        "grain-supply-kept-2022": "met",
    }
    # A commitment that names no year is never matched, even when the follow-up says the same for 2022.
    assert found["no-large-scale-return-to-poverty-kept"] == "no-outcome-yet"


# ---------------------------------------------------------------------------------- canned queries


def test_every_target_has_a_commitment_and_a_status(client) -> None:  # type: ignore[no-untyped-def]
    rows = run(client, "targets-vs-achievements")
    assert {r["indicator_zh"] for r in rows} >= {"加工型马铃薯基地面积", "创建乡村振兴示范县数"}
    assert all(r.get("status_en") for r in rows), "every target belongs to a commitment with a status"


def test_commitments_query_answers_with_their_quotes_and_relations(client, curated: CuratedReport) -> None:  # type: ignore[no-untyped-def]
    text = (DATA / "reports" / SHANXI / "source.txt").read_text(encoding="utf-8")
    relations = Graph().parse(DATA / "vocabularies" / "relations.ttl")
    english = {
        str(concept).rsplit("/", 1)[-1]: str(name)
        for concept, name in relations.subject_objects(SKOS.prefLabel)
        if isinstance(name, Literal) and name.language == "en"
    }
    rows = [r for r in run(client, "commitments") if f"/{SHANXI}/" in r["commitment"]]
    items = curated.items["commitments"]
    assert len(rows) == len(items)
    by_id = {r["commitment"].rsplit("/", 1)[-1]: r for r in rows}
    for item in items:
        row = by_id[item.id]
        assert row["quote"] == item.get("quote") and row["quote"] in text
        assert row["relation_en"] == english[str(item.get("relation"))]
        assert row["agencies_en"] and row["what_en"] and row["status_en"]
