"""Analyst tables (views.sqlite, kg.viewdb) against the same questions asked by SPARQL.

Synthesises and builds N reports (default 1,000; or takes --build), then times, in one run:

- search: kg.viewdb.search over labels, aliases and sentences; SPARQL: CONTAINS over the labels
  and aliases only (less work than the tables do: no sentences);
- facts page: facts of one unit sorted by value, 50 rows, with the total count;
- facets: the nine facet counts of the facts of one unit;

each by views.sqlite in this process and by SPARQL over HTTP to `oxigraph serve` on a copy of the
build's store. Every figure is the median of --repeats rounds, each round's figure the p50 of
its samples. Results go to stdout as a Markdown section for BENCHMARKS.md.

Usage: .venv/bin/python bench/analyst_views.py [--reports 1000] [--build DIR] [--repeats 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import free_port, oxigraph_serve_command, wait_for  # noqa: E402
from endpoint import machine, start  # noqa: E402
from kg import viewdb  # noqa: E402
from kg.namespaces import sparql_prefixes  # noqa: E402

SEARCH_TERMS = ["刘", "乡村", "农业农村厅", "乡村振兴局", "income", "Potato", "synthetic indicator 7", "revitalization"]
YUAN = "https://w3id.org/cnkg/id/unit/yuan"
FACET_PATHS = {
    "report": "qb:dataSet/dct:source",
    "value_type": "kg:valueType",
    "period": "kg:refPeriod",
    "indicator": "kg:indicator",
    "region": "kg:refArea",
    "unit": "sdmx-attribute:unitMeasure",
    "agency": "kg:leadAgency",
    "official": "kg:statedBy",
    "program": "kg:relatedProgram",
}


def sparql_client(port: int) -> Callable[[str], int]:
    def ask(query: str) -> int:
        body = urllib.parse.urlencode({"query": sparql_prefixes() + query}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/query",
            data=body,
            headers={"Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"},
        )
        with urllib.request.urlopen(request, timeout=300) as response:
            return len(json.loads(response.read())["results"]["bindings"])

    return ask


def sparql_search(term: str) -> list[str]:
    needle = json.dumps(term.lower(), ensure_ascii=False)
    return [
        f"""SELECT ?s ?label WHERE {{ ?s skos:prefLabel|skos:altLabel ?label
              FILTER (CONTAINS(LCASE(STR(?label)), {needle})) }}"""
    ]


def sparql_page() -> list[str]:
    return [
        f"""SELECT ?fact ?value ?written ?indicator ?region ?period ?quote WHERE {{
              ?fact a qb:Observation ; sdmx-attribute:unitMeasure <{YUAN}> ; sdmx-measure:obsValue ?value ;
                    kg:asWritten ?written ; kg:indicator ?indicator ; kg:refArea ?region ; kg:refPeriod ?period ;
                    prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote }} ORDER BY DESC(?value) ?fact LIMIT 50""",
        f"SELECT (COUNT(?fact) AS ?n) WHERE {{ ?fact a qb:Observation ; sdmx-attribute:unitMeasure <{YUAN}> }}",
    ]


def sparql_facets() -> list[str]:
    queries = []
    for column, path in FACET_PATHS.items():
        unit = "" if column == "unit" else f"; sdmx-attribute:unitMeasure <{YUAN}>"
        queries.append(
            f"""SELECT ?v (COUNT(?fact) AS ?n) WHERE {{ ?fact a qb:Observation {unit}
                  OPTIONAL {{ ?fact {path} ?v }} }} GROUP BY ?v ORDER BY DESC(?n)"""
        )
    return queries


def p50(action: Callable[[], object], samples: int) -> float:
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--build", type=Path, help="an existing build directory (skips synth and build)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--samples", type=int, default=20, help="samples per question per round (views)")
    parser.add_argument("--sparql-samples", type=int, default=5, help="samples per question per round (SPARQL)")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    scratch = Path(tempfile.mkdtemp(prefix="kg-analyst-views-"))
    server = None
    try:
        build_dir = args.build
        build_s = None
        if build_dir is None:
            data, build_dir = scratch / "data", scratch / "build"
            subprocess.run([str(bin_dir / "kg"), "synth", "--reports", str(args.reports), "--out", str(data)],
                           check=True, stdout=subprocess.DEVNULL)  # fmt: skip
            started = time.perf_counter()
            subprocess.run([str(bin_dir / "kg"), "build", "--data", str(data), "--out", str(build_dir)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            build_s = time.perf_counter() - started
        version = build_dir.resolve()
        manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
        # Written again from the build's store by this code (and timed): the build may be older.
        views_path = scratch / viewdb.VIEWS
        started = time.perf_counter()
        import pyoxigraph

        viewdb.write_views(pyoxigraph.Store.read_only(str(version / "store")), views_path)
        write_s = time.perf_counter() - started
        connection = viewdb.connect(views_path)
        facts = connection.execute("SELECT count(*) FROM facts").fetchone()[0]
        items = connection.execute("SELECT count(*) FROM search_items").fetchone()[0]

        shutil.copytree(version / "store", scratch / "oxi-serve")
        port = free_port()
        server = start(oxigraph_serve_command(scratch / "oxi-serve", port))
        wait_for(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=120)
        ask = sparql_client(port)

        questions: dict[str, tuple[Callable[[], object], list[str]]] = {
            f"search “{term}”": (lambda term=term: viewdb.search(connection, term), sparql_search(term))
            for term in SEARCH_TERMS
        }
        questions["facts page (unit yuan, by value, 50 rows + total)"] = (
            lambda: viewdb.facts_page(connection, {"unit": YUAN}, sort="value", descending=True, limit=50),
            sparql_page(),
        )
        questions["facets (9 columns, unit yuan)"] = (lambda: viewdb.facet_counts(connection, {"unit": YUAN}),
                                                       sparql_facets())  # fmt: skip
        rounds: dict[str, list[tuple[float, float]]] = {name: [] for name in questions}
        for round_number in range(args.repeats):
            for name, (views_question, sparql_questions) in questions.items():
                ours = p50(views_question, args.samples)
                theirs = p50(lambda qs=sparql_questions: [ask(q) for q in qs], args.sparql_samples)
                rounds[name].append((ours, theirs))
                print(f"round {round_number + 1} {name}: views {ours:.2f} ms, SPARQL {theirs:.1f} ms", file=sys.stderr)
        lines = [
            f"## Analyst tables (views.sqlite) vs SPARQL — {dt.date.today().isoformat()}",
            "",
            f"Machine: {machine()}. Other helpers were running builds and tests on the same 2 cores, so "
            "absolute times are noisy; both sides ran interleaved in one run, so the ratios are comparable.",
            "",
            f"Corpus: {len(manifest['reports']):,} reports ({manifest['quads']:,} quads), {facts:,} facts, "
            f"{items:,} search items; views.sqlite {views_path.stat().st_size / 2**20:.1f} MiB, written in "
            f"{write_s:.1f} s" + (f"; whole `kg build` {build_s:.0f} s" if build_s else "") + ". "
            f"Median of {args.repeats} rounds of the p50 of {args.samples} (views) / {args.sparql_samples} "
            "(SPARQL to `oxigraph serve` over HTTP, same store) samples. The SPARQL search only looks at "
            "labels and aliases (not sentences), so it does less than the tables.",
            "",
            "| question | views.sqlite p50 ms | SPARQL p50 ms | SPARQL ÷ views |",
            "| --- | ---: | ---: | ---: |",
        ]
        for name, measured in rounds.items():
            ours = statistics.median(m[0] for m in measured)
            theirs = statistics.median(m[1] for m in measured)
            lines.append(f"| {name} | {ours:.2f} | {theirs:.1f} | {theirs / ours:,.0f}× |")
        print("\n".join(lines))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
