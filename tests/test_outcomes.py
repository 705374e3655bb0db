"""Commitments and their outcomes across reports, on fixture reports written for this purpose
(tests/fixtures/outcomes: Gansu 2022 and 2023, a 2023 follow-up of Shanxi; not served by `make run`).

The build links each commitment to the latest later report stating the same indicator, region,
period, value type and unit, and computes its status by the rule of its relation
(data/vocabularies/relations.ttl). The rules are also tested one by one, without a build.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS

from conftest import run_kg
from corpus import FIXTURES, corpus, outcome_fixtures
from kg.build import build
from kg.builddir import Build, memory_store
from kg.config import PROJECT_ROOT, Settings
from kg.namespaces import ID, KG
from kg.outcomes import (
    EXCEEDED,
    MET,
    MISSED,
    NO_OUTCOME,
    PARTLY,
    RULES,
    Commitment,
    Comparator,
    Figures,
    Summary,
    Value,
    assess,
)
from kg.web.readmodels.commitments import COLUMNS
from test_ontology import CHECKS, KNOWN_TERMS

ONTOLOGY = PROJECT_ROOT / "ontology"
VOCABULARIES = PROJECT_ROOT / "data" / "vocabularies"
GANSU_2022 = "fixture-gansu-2022-03-10"
GANSU_2023 = "fixture-gansu-2023-02-15"
SHANXI_2023 = "fixture-shanxi-2023-02-20"

# What the fixture reports say, so what the build must compute (the fixtures' notes say why).
EXPECTED = {
    (GANSU_2022, "farmland-2022"): MET,  # reach 400万亩, stated 400万亩 (through a merged indicator id)
    (GANSU_2022, "grain-output-2022"): EXCEEDED,  # at least 1200万吨, stated 1265万吨
    (GANSU_2022, "rural-income-growth-2022"): MET,  # about 6.5%, stated 6.4%
    (GANSU_2022, "rural-income-growth-above-urban-2022"): MET,  # 6.4% against 3.8%
    (GANSU_2022, "fertilizer-use-2022"): MET,  # decrease from 79.8万吨 to 78.6万吨
    (GANSU_2022, "online-retail-doubled-2022"): PARTLY,  # 58.2亿元 -> 96.3亿元, not doubled
    (GANSU_2022, "no-large-scale-return-2022"): MET,  # a qualitative fact of the later report
    (GANSU_2022, "poverty-income-2022"): MET,  # increase from 10360元 to 11475元
    (GANSU_2022, "linkage-funds-share-2022"): MISSED,  # increase, but 58.6% -> 57.2%
    (GANSU_2022, "tap-water-full-coverage-2022"): PARTLY,  # 92% -> 94.5%
    (GANSU_2022, "demonstration-villages-2022"): NO_OUTCOME,  # the later report is silent
    (GANSU_2022, "rural-construction-action-2022"): MET,  # the later report: under way in 2022
    (GANSU_2022, "demonstration-townships-2023"): NO_OUTCOME,  # no report states 2023
    (GANSU_2023, "farmland-2023"): NO_OUTCOME,  # no later report at all
    (GANSU_2023, "rural-income-growth-2023"): NO_OUTCOME,
    (GANSU_2023, "no-large-scale-return-2023"): NO_OUTCOME,
    **{
        (SHANXI_2023, ident): NO_OUTCOME
        for ident in (
            "demonstration-counties-2023",
            "demonstration-villages-2023",
            "linkage-funds-industry-share-2023",
            "poverty-areas-income-growth-above-province-2023",
            "monitoring-full-coverage-2023",
            "no-large-scale-return-2023",
            "rural-income-growth-2023",
            "employed-workers-2023",
            "fertilizer-use-2023",
        )
    },
}
PREFIXES = """PREFIX kg: <https://w3id.org/cnkg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX qb: <http://purl.org/linked-data/cube#>
"""


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("outcomes")
    data = corpus(root / "data", *outcome_fixtures())
    return build(data, ONTOLOGY, root / "build")


@pytest.fixture(scope="module")
def store(fixture_build: Build) -> pyoxigraph.Store:
    return memory_store(fixture_build.dataset_path)


def select(store: pyoxigraph.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(PREFIXES + query)
    names = [v.value for v in solutions.variables]
    return [{n: t.value for n, t in zip(names, row, strict=True) if t is not None} for row in solutions]


def key(commitment_iri: str) -> tuple[str, str]:
    report, _, ident = commitment_iri.removeprefix(str(ID["report/"])).partition("/commitment/")
    return report, ident


# ---------------------------------------------------------------------------------- the statuses


def test_every_status_kind_appears_and_is_right(store: pyoxigraph.Store) -> None:
    rows = select(store, "SELECT ?c ?status WHERE { ?o a kg:Outcome ; kg:assesses ?c ; kg:outcomeStatus ?status }")
    found = {key(r["c"]): r["status"].rsplit("/", 1)[-1] for r in rows}
    assert found == EXPECTED
    assert set(found.values()) == {EXCEEDED, MET, PARTLY, MISSED, NO_OUTCOME}


def test_every_status_links_both_quotes(store: pyoxigraph.Store) -> None:
    rows = select(
        store,
        """SELECT ?o ?status ?cq ?oq ?fact ?c_exact ?c_start ?c_end ?c_text ?c_issued ?o_exact ?o_start ?o_end ?o_text
                  ?o_issued ?fact_quote WHERE {
             ?o a kg:Outcome ; kg:outcomeStatus ?status ; kg:commitmentQuote ?cq ; kg:outcomeQuote ?oq ;
                kg:outcomeFact ?fact .
             ?fact prov:wasDerivedFrom ?fact_quote .
             ?cq oa:hasSource ?cr ; oa:hasSelector ?cqs , ?cps .
             ?cqs oa:exact ?c_exact . ?cps oa:start ?c_start ; oa:end ?c_end .
             ?cr kg:sourceText ?c_text ; dct:issued ?c_issued .
             ?oq oa:hasSource ?or ; oa:hasSelector ?oqs , ?ops .
             ?oqs oa:exact ?o_exact . ?ops oa:start ?o_start ; oa:end ?o_end .
             ?or kg:sourceText ?o_text ; dct:issued ?o_issued .
           }""",
    )
    assessed = [status for status in EXPECTED.values() if status != NO_OUTCOME]
    assert len(rows) == len(assessed)
    for row in rows:
        assert row["c_text"][int(row["c_start"]) : int(row["c_end"])] == row["c_exact"]
        assert row["o_text"][int(row["o_start"]) : int(row["o_end"])] == row["o_exact"]
        assert row["o_issued"] > row["c_issued"], row["o"]
        assert row["fact_quote"] == row["oq"], "the outcome quote is the later fact's own"


def test_a_commitment_with_no_later_report_says_no_outcome_yet(store: pyoxigraph.Store) -> None:
    rows = select(
        store,
        f"""SELECT ?c ?note ?later WHERE {{
              ?o kg:assesses ?c ; kg:outcomeStatus <{ID["outcome-status/no-outcome-yet"]}> ;
                 <http://www.w3.org/2004/02/skos/core#note> ?note FILTER (LANG(?note) = "en")
              OPTIONAL {{ ?o kg:outcomeQuote ?later }} }}""",
    )
    silent = {key(r["c"]): r for r in rows}
    assert (GANSU_2023, "farmland-2023") in silent
    assert (
        "No report after fixture-gansu-2023-02-15 states the outcome for 2023 yet"
        in silent[(GANSU_2023, "farmland-2023")]["note"]
    )
    assert all("later" not in r for r in rows), "no outcome yet links no later quote"
    label = select(
        store,
        f"""SELECT ?label WHERE {{ ?o kg:assesses <{ID[f"report/{GANSU_2023}/commitment/farmland-2023"]}> ;
              <http://www.w3.org/2004/02/skos/core#prefLabel> ?label FILTER (LANG(?label) = "en") }}""",
    )
    assert label[0]["label"].endswith("— no outcome yet")


def test_linking_keeps_regions_periods_and_targets_apart(store: pyoxigraph.Store) -> None:
    """Linxia's 60万亩 (another region) and the 2023 target 420万亩 (a target, another period) are
    never the outcome of Gansu's 2022 farmland commitment; the 2022 value of the province is."""
    farmland = ID[f"report/{GANSU_2022}/commitment/farmland-2022"]
    rows = select(store, f"SELECT ?fact WHERE {{ ?o kg:assesses <{farmland}> ; kg:outcomeFact ?fact }}")
    assert [r["fact"] for r in rows] == [str(ID[f"report/{GANSU_2023}/fact/farmland-2022"])]
    targets = select(
        store,
        """SELECT ?fact WHERE { ?o kg:outcomeFact ?fact .
             ?fact kg:valueType <https://w3id.org/cnkg/id/value-type/target> }""",
    )
    assert targets == []


def test_the_baseline_comes_from_the_later_report_when_the_commitment_has_none(store: pyoxigraph.Store) -> None:
    doubled = ID[f"report/{GANSU_2022}/commitment/online-retail-doubled-2022"]
    rows = select(store, f"SELECT ?baseline WHERE {{ ?o kg:assesses <{doubled}> ; kg:baseline ?baseline }}")
    assert [r["baseline"] for r in rows] == [str(ID[f"report/{GANSU_2022}/fact/online-retail-2021"])]


@pytest.mark.parametrize("check", CHECKS, ids=[c.stem for c in CHECKS])
def test_quality_checks_find_nothing_on_the_fixtures(store: pyoxigraph.Store, check: Path) -> None:
    rows = [[t.value if t is not None else None for t in row] for row in store.query(check.read_text())]
    assert rows == [], f"{check.name}: {rows[:10]}"


def test_every_term_used_on_the_fixtures_is_known_or_ours(store: pyoxigraph.Store) -> None:
    used = {row[0].value for row in store.query("SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } }")}
    assert {t for t in used if not t.startswith("https://w3id.org/cnkg/") and t not in KNOWN_TERMS} == set()


# ---------------------------------------------------------------------------------- merging ids


def test_replaced_by_merges_ids_in_the_graph(store: pyoxigraph.Store) -> None:
    old, new = ID["indicator/farmland-area-newly-built"], ID["indicator/high-standard-farmland-built"]
    rows = select(store, f"SELECT ?p ?o WHERE {{ <{old}> ?p ?o }}")
    assert {r["p"] for r in rows} == {"http://purl.org/dc/terms/isReplacedBy", str(KG.curatedAt), str(SKOS.note)}
    assert next(r["o"] for r in rows if r["p"].endswith("isReplacedBy")) == str(new)
    facts = select(
        store,
        f"SELECT ?indicator WHERE {{ <{ID[f'report/{GANSU_2023}/fact/farmland-2022']}> kg:indicator ?indicator }}",
    )
    assert facts == [{"indicator": str(new)}], "references to the old id follow the replacement"


@pytest.fixture(scope="module")
def client(fixture_build: Build) -> Iterator[object]:
    from kg.web import create_app

    app = create_app(Settings(build_dir=fixture_build.path, query_timeout=10.0))
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["kg.store"].close()


@pytest.mark.parametrize("suffix", ["", "?format=ttl"])
def test_the_old_iri_answers_301_with_the_new_one(client, suffix: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/id/indicator/farmland-area-newly-built{suffix}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/id/indicator/high-standard-farmland-built{suffix}"
    assert client.get(response.headers["Location"]).status_code == 200


def test_build_warns_about_likely_duplicates_with_both_lines(tmp_path: Path) -> None:
    reports = sorted((FIXTURES / "duplicates" / "reports").iterdir())
    data = corpus(tmp_path / "data", *reports)
    result = run_kg("build", "--data", str(data), "--out", str(tmp_path / "build"))
    assert result.returncode == 0, result.stderr
    first, second = (f"data/reports/{r.name}/report.yaml" for r in reports)  # as kg:curatedAt writes them
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2, result.stderr
    indicator = next(w for w in warnings if "indicators" in w)
    assert f"grain-output ({first}:38)" in indicator and f"grain-production ({second}:39)" in indicator
    assert "same English label 'Grain output'" in indicator
    person = next(w for w in warnings if "persons" in w)
    assert f"wang-xiaoming ({first}:23)" in person and f"wang-xiaoming-county-head ({second}:24)" in person
    assert "same Chinese label '王晓明'" in person
    assert "replaced_by: wang-xiaoming" in result.stderr


def test_no_duplicate_warning_once_the_ids_are_merged(fixture_build: Build) -> None:
    assert fixture_build.manifest["warnings"] == []


# ---------------------------------------------------------------------------------- the rules


@pytest.mark.parametrize(
    ("relation", "later", "target", "baseline", "expected"),
    [
        ("reach", "5", "4", None, EXCEEDED),
        ("reach", "4", "4", None, MET),
        ("reach", "3", "4", None, PARTLY),
        ("reach", "0", "4", None, MISSED),
        ("reach", "10", "12", "10", MISSED),  # no progress from the baseline
        ("at-least", "1200", "1200", None, MET),
        ("at-least", "1199", "1200", None, MISSED),  # a floor not reached: no partly
        ("about", "6.2", "6.5", None, MET),  # within 5 %
        ("about", "6.9", "6.5", None, EXCEEDED),
        ("about", "6.1", "6.5", None, MISSED),
        ("increase", "57", None, "56.7", MET),
        ("increase", "56.7", None, "56.7", MISSED),
        ("increase", "58", "60", "55.9", PARTLY),
        ("increase", "61", "60", "55.9", EXCEEDED),
        ("decrease", "78.6", None, "79.8", MET),
        ("decrease", "80", None, "79.8", MISSED),
        ("decrease", "9", "10", "12", EXCEEDED),
        ("decrease", "11", "10", "12", PARTLY),
        ("double", "116.4", None, "58.2", MET),
        ("double", "120", None, "58.2", EXCEEDED),
        ("double", "96.3", None, "58.2", PARTLY),
        ("double", "50", None, "58.2", MISSED),
        ("keep", "95", "95", None, MET),
        ("keep", "94", None, "95", MISSED),
        ("full-coverage", "100", None, None, MET),
        ("full-coverage", "94.5", None, "92", PARTLY),
        ("full-coverage", "90", None, "92", MISSED),
        ("higher-than", "6.4", None, "3.8", MET),  # B is the comparator's value
        ("higher-than", "3.8", None, "3.8", MISSED),
    ],
)
def test_rule(relation: str, later: str, target: str | None, baseline: str | None, expected: str) -> None:
    rule = RULES[relation]
    assert rule is not None
    figures = Figures(Decimal(later), Decimal(target) if target else None, Decimal(baseline) if baseline else None)
    assert rule(figures) == expected


def test_every_relation_has_its_rule_written_down() -> None:
    relations = Graph().parse(VOCABULARIES / "relations.ttl")
    concepts = {str(c) for c in relations.subjects(SKOS.inScheme, URIRef(ID["scheme/relations"]))}
    assert {c.rsplit("/", 1)[-1] for c in concepts} == set(RULES)
    for concept in concepts:
        rules = {lit.language for lit in relations.objects(URIRef(concept), KG.outcomeRule) if isinstance(lit, Literal)}
        assert rules == {"en", "zh"}, concept
    statuses = Graph().parse(VOCABULARIES / "outcome-statuses.ttl")
    names = {str(s).rsplit("/", 1)[-1] for s in statuses.subjects(SKOS.inScheme, None)}
    assert names == {EXCEEDED, MET, PARTLY, MISSED, NO_OUTCOME}


def _value(report: str, issued: str, period: str, number: str) -> Value:
    return Value(
        f"{report}/fact/{period}",
        report,
        dt.date.fromisoformat(issued),
        "indicator/x",
        "region/r",
        str(ID[f"period/{period}"]),
        str(ID["value-type/actual"]),
        "unit/person",
        Decimal(number),
        number,
        f"{report}/evidence/{period}",
    )


def _double(baseline: Value | None) -> Commitment:
    return Commitment(
        "a/commitment/double",
        "a",
        dt.date(2022, 3, 1),
        str(ID["relation/double"]),
        "indicator/x",
        None,
        "region/r",
        str(ID["period/2022"]),
        str(ID["value-type/actual"]),
        None,
        baseline,
        Comparator(),
        "a/evidence/double",
        "x: double (2022)",
        "x:倍增(2022年)",
    )


def test_a_rule_without_its_baseline_warns_and_says_no_outcome_yet() -> None:
    later = Summary("b", dt.date(2023, 2, 1), values=[_value("b", "2023-02-01", "2022", "31")])
    assessment = assess([Summary("a", dt.date(2022, 3, 1), commitments=[_double(None)]), later])[0]
    assert assessment.status == NO_OUTCOME
    assert (
        assessment.warning and "needs a baseline" in assessment.warning and "a/commitment/double" in assessment.warning
    )


def test_the_latest_later_report_wins_and_earlier_ones_never_count() -> None:
    earlier = Summary("z", dt.date(2021, 1, 1), values=[_value("z", "2021-01-01", "2022", "99")])
    first = Summary("b", dt.date(2023, 2, 1), values=[_value("b", "2023-02-01", "2022", "15")])
    revised = Summary("c", dt.date(2024, 2, 1), values=[_value("c", "2024-02-01", "2022", "25")])
    commitment = _double(_value("a", "2022-03-01", "2021", "10"))
    result = assess([Summary("a", dt.date(2022, 3, 1), commitments=[commitment]), earlier, first, revised])[0]
    assert result.status == EXCEEDED and result.outcome is not None and result.outcome.report == "c"


# ---------------------------------------------------------------------------------- the scorecard


def test_api_lists_every_commitment_with_its_status(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/commitments").get_json()
    assert body["count"] == body["total"] == len(EXPECTED) and body["truncated"] is False
    assert {key(r["commitment"]): r["status"] for r in body["commitments"]} == EXPECTED
    assert {s["value"]: s["count"] for s in body["facets"]["status"]} == Counter(EXPECTED.values())
    grain = next(r for r in body["commitments"] if r["commitment"].endswith("/grain-output-2022"))
    assert grain["target"] == "1200万吨" and grain["outcome"] == "1265万吨"
    assert grain["outcome_report"] == GANSU_2023 and grain["relation_en"] == "at least"
    assert grain["agencies_en"] == "Gansu Provincial Department of Agriculture and Rural Affairs"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"report={GANSU_2023}", {k for k in EXPECTED if k[0] == GANSU_2023}),
        ("status=partly", {k for k, v in EXPECTED.items() if v == PARTLY}),
        ("relation=double", {(GANSU_2022, "online-retail-doubled-2022")}),
        (
            f"agency=gansu-rural-revitalization-bureau&report={GANSU_2022}&status={MET}",
            {
                (GANSU_2022, "no-large-scale-return-2022"),
                (GANSU_2022, "poverty-income-2022"),
                (GANSU_2022, "rural-construction-action-2022"),
            },
        ),
    ],
)
def test_api_filters(client, query: str, expected: set[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    body = client.get(f"/api/commitments?{query}").get_json()
    assert {key(r["commitment"]) for r in body["commitments"]} == expected
    assert body["count"] == len(expected) and body["total"] == len(EXPECTED)


def test_api_refuses_an_unknown_status_with_the_choices(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/commitments?status=done")
    assert response.status_code == 400
    assert "unknown status 'done'" in response.get_json()["error"] and "no-outcome-yet" in response.get_json()["error"]


def test_csv_has_every_row_and_column(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/commitments?format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert list(rows[0]) == COLUMNS
    assert {key(r["commitment"]): r["status"] for r in rows} == EXPECTED
    partly = next(r for r in rows if r["commitment"].endswith("/tap-water-full-coverage-2022"))
    assert partly["baseline"] == "92%" and partly["outcome"] == "94.5%"
    assert partly["commitment_reader"].startswith(f"/reader/{GANSU_2022}#")
    assert partly["outcome_reader"].startswith(f"/reader/{GANSU_2023}#")


def test_page_rows_open_both_sentences_in_the_reader(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/commitments", headers={"Accept": "text/html"}).get_data(as_text=True)
    texts = {
        r["id"]: client.get(f"/api/report/{r['id']}").get_json()["text"]
        for r in client.get("/api/reports").get_json()["reports"]
    }
    links = re.findall(
        r'<a class="open-(commitment|outcome)" href="/reader/([^#"]+)#(\d+)-(\d+)" lang="zh">([^<]*)</a>', html
    )
    assert Counter(kind for kind, *_ in links) == {
        "commitment": len(EXPECTED),
        "outcome": sum(1 for status in EXPECTED.values() if status != NO_OUTCOME),
    }
    for _, report, start, end, quote in links:
        assert texts[report][int(start) : int(end)] == quote.replace("&#34;", '"').replace("&#39;", "'")
    assert html.count('<tr data-status="') == len(EXPECTED)


def test_page_filters_by_report_agency_and_status(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get(f"/commitments?status={MISSED}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert html.count('<tr data-status="') == 1 and '<tr data-status="missed"' in html
    assert f'<option value="{MISSED}" selected>' in html
    assert "/api/commitments?status=missed&amp;format=csv" in html
    empty = client.get(f"/commitments?report={GANSU_2023}&status={MET}").get_data(as_text=True)
    assert "No commitment matches these filters" in empty


def test_canned_queries_answer_on_the_fixtures(client) -> None:  # type: ignore[no-untyped-def]
    from kg.queries import load_all

    canned = load_all(PROJECT_ROOT / "queries")

    def run(name: str) -> list[dict[str, str]]:
        response = client.post("/sparql", data={"query": canned[name].sparql}, headers={"Accept": "application/json"})
        assert response.status_code == 200, response.data
        return [{k: v["value"] for k, v in b.items()} for b in response.get_json()["results"]["bindings"]]

    commitments = run("commitments")
    assert len(commitments) == len(EXPECTED)
    doubled = next(r for r in commitments if r["commitment"].endswith("/online-retail-doubled-2022"))
    assert (doubled["status_en"], doubled["baseline"], doubled["outcome"]) == ("partly met", "58.2亿元", "96.3亿元")
    assert doubled["quote"] == "农产品网络零售额实现倍增" and doubled["outcome_quote"] == "网络零售额96.3亿元"
    targets = {(r["indicator_en"], r["target_period"]): r for r in run("targets-vs-achievements")}
    grain = targets[("Grain output", "2022")]
    assert (Decimal(grain["target"]), Decimal(grain["actual"]), grain["status_en"]) == (12000000, 12650000, "exceeded")
    assert "actual" not in targets[("Grain output", "2022")] or grain["actual_issued"] == "2023-02-15"
    assert "actual" not in targets[("High-standard farmland newly built", "2023")]


# ---------------------------------------------------------------------------------- the short form


def _gansu_2022_with(tmp_path: Path, old: str, new: str) -> Path:
    """The two Gansu fixtures, with one edit of the 2022 report's YAML."""
    data = corpus(tmp_path / "data", *(p for p in outcome_fixtures() if "gansu" in p.name))
    curated = data / "reports" / GANSU_2022 / "report.yaml"
    text = curated.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    curated.write_text(text.replace(old, new), encoding="utf-8")
    return data


GRAIN_COMMITMENT = """  - id: grain-output-2022
    relation: at-least
    target: grain-output-target-2022
    quote: 确保粮食产量稳定在1200万吨以上
    note: "Expected: exceeded (1265万吨)."
"""


def test_relation_on_a_target_fact_is_a_commitment(tmp_path: Path) -> None:
    data = _gansu_2022_with(
        tmp_path, "    quote: 稳定在1200万吨以上\n", "    relation: at-least\n    quote: 稳定在1200万吨以上\n"
    )
    curated = data / "reports" / GANSU_2022 / "report.yaml"
    curated.write_text(curated.read_text(encoding="utf-8").replace(GRAIN_COMMITMENT, ""), encoding="utf-8")
    result = build(data, ONTOLOGY, tmp_path / "build")
    store = memory_store(result.dataset_path)
    short = ID[f"report/{GANSU_2022}/commitment/grain-output-target-2022"]
    rows = select(
        store,
        f"""SELECT ?status ?quote WHERE {{ ?o kg:assesses <{short}> ; kg:outcomeStatus ?status ;
              kg:commitmentQuote/oa:hasSelector/oa:exact ?quote }}""",
    )
    assert rows == [{"status": str(ID["outcome-status/exceeded"]), "quote": "稳定在1200万吨以上"}]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    quote: 稳定在1200万吨以上\n",
            "    relation: at-least\n    quote: 稳定在1200万吨以上\n",
            "already belongs to a commitment",
        ),
        (
            "    quote: 粮食总产量1231.5万吨\n",
            "    relation: keep\n    quote: 粮食总产量1231.5万吨\n",
            "has a relation but is not a target",
        ),
        (
            "    relation: double\n    indicator: agricultural-online-retail-sales\n",
            "    relation: doubled\n    indicator: agricultural-online-retail-sales\n",
            "unknown relation 'doubled'",
        ),
        (
            "    target: farmland-target-2022\n",
            "    target: farmland-target-2022\n    region: linxia\n",
            "disagrees with its target",
        ),
    ],
    ids=["two-commitments-one-target", "relation-on-an-actual", "unknown-relation", "disagreeing-region"],
)
def test_commitment_mistakes_name_the_line_and_the_fix(tmp_path: Path, old: str, new: str, message: str) -> None:
    data = _gansu_2022_with(tmp_path, old, new)
    result = run_kg("validate", "--data", str(data))
    assert result.returncode == 1
    assert message in result.stdout, result.stdout
    assert re.search(rf"{re.escape(str(data))}/reports/{GANSU_2022}/report.yaml:\d+: ", result.stdout)
    assert "fix:" in result.stdout or "use one of" in result.stdout


def test_a_commitment_naming_no_one_is_its_publishers_and_says_so(tmp_path: Path) -> None:
    from kg.compile import compile_data
    from kg.namespaces import report_graph

    data = _gansu_2022_with(
        tmp_path,
        "    agency: gansu-agriculture-department\n    quote: 化肥施用量继续减少\n",
        "    quote: 化肥施用量继续减少\n",
    )
    graph = compile_data(data, ONTOLOGY).dataset.graph(report_graph(GANSU_2022))
    node = ID[f"report/{GANSU_2022}/commitment/fertilizer-use-2022"]
    assert list(graph.objects(node, KG.leadAgency)) == [ID["agency/cnkg-test-fixtures"]]
    notes = {str(n) for n in graph.objects(node, SKOS.note)}
    assert "The text names no one who commits; recorded as the report's publisher (cnkg-test-fixtures)." in notes


def test_a_merge_done_in_one_report_only_is_refused(tmp_path: Path) -> None:
    data = _gansu_2022_with(
        tmp_path,
        "  - id: high-standard-farmland-built\n",
        "  - id: farmland-area-newly-built\n    label: {zh: 新建农田, en: Farmland built}\n    quote: 新建高标准农田\n"
        "  - id: high-standard-farmland-built\n",
    )
    for command in (("validate",), ("build", "--out", str(tmp_path / "build"))):
        result = run_kg(*command, "--data", str(data))
        assert result.returncode == 1, result
        output = result.stdout + result.stderr
        assert f"{GANSU_2022}/report.yaml:" in output
        assert (
            "indicator 'farmland-area-newly-built' is defined here but replaced by 'high-standard-farmland-built'"
            in output
        )
        assert f"{GANSU_2023}/report.yaml:" in output and "finish the merge in this report too" in output
