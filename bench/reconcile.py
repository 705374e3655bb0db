"""Precision and recall of /reconcile on a spreadsheet column of names, beside a naive baseline.

Sends tests/fixtures/reconcile/names.csv (20 names of real entities, mixed Chinese and English,
abbreviations and variant spellings) plus names of things the graph does not hold, as one batch
to a real `kg serve` on 127.0.0.1, and counts the candidates flagged ``match``:

- precision: correct matches / all matches flagged (over the 20 and the absent names);
- recall: names of the 20 matched to the right id / 20;
- top-1: names whose best candidate is the right id, flagged or not.

The baseline is what a SPARQL lookup of the exact label gives (``?s skos:prefLabel|skos:altLabel
?l FILTER (str(?l) = name)``, a match when one entity has it), over the same store.

Usage: .venv/bin/python bench/reconcile.py [--build build]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import start_server  # noqa: E402
from endpoint import machine  # noqa: E402

NAMES = ROOT / "tests" / "fixtures" / "reconcile" / "names.csv"
# Names of things the graph does not hold (other provinces' bodies, another official, a city).
ABSENT = [
    "王小明",
    "山西省教育厅",
    "Ministry of Education",
    "太原市",
    "Zhang Wei",
    "Shaanxi Rural Revitalization Bureau",
    "陕西省农业农村厅",
    "Li Qiang",
]


def post(base: str, path: str, **form: str) -> dict:
    data = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(urllib.request.Request(base + path, data=data), timeout=120) as response:
        return json.loads(response.read())


def sparql(base: str, query: str) -> list[dict]:
    request = urllib.request.Request(
        base + "/sparql",
        data=urllib.parse.urlencode({"query": query}).encode(),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())["results"]["bindings"]


def baseline(base: str, name: str) -> list[str]:
    literal = json.dumps(name, ensure_ascii=False)
    rows = sparql(
        base,
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT DISTINCT ?s WHERE { "
        f"?s skos:prefLabel|skos:altLabel ?l FILTER (str(?l) = {literal}) }}",
    )
    return [r["s"]["value"].removeprefix("https://w3id.org/cnkg/id/") for r in rows]


def score(expected: list[str | None], matched: list[list[str]], best: list[str | None]) -> dict[str, float]:
    flagged = sum(len(m) for m in matched)
    correct = sum(1 for e, m in zip(expected, matched, strict=True) if e and m == [e])
    present = sum(1 for e in expected if e)
    return {
        "precision": correct / flagged if flagged else 1.0,
        "recall": correct / present,
        "top1": sum(1 for e, b in zip(expected, best, strict=True) if e and b == e) / present,
        "false": float(sum(1 for e, m in zip(expected, matched, strict=True) if m and m != [e])),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    args = parser.parse_args()
    with NAMES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    names = [(r["name"], r["type"] or None, r["expected"]) for r in rows] + [(n, None, None) for n in ABSENT]
    expected = [e for _, _, e in names]
    server = start_server(args.build)
    try:
        queries = {f"q{n}": {"query": name, **({"type": t} if t else {})} for n, (name, t, _) in enumerate(names)}
        started = time.perf_counter()
        answer = post(server.url, "/reconcile", queries=json.dumps(queries, ensure_ascii=False))
        seconds = time.perf_counter() - started
        matched = [[c["id"] for c in answer[f"q{n}"]["result"] if c["match"]] for n in range(len(names))]
        best = [(answer[f"q{n}"]["result"] or [{"id": None}])[0]["id"] for n in range(len(names))]
        ours = score(expected, matched, best)
        started = time.perf_counter()
        exact = [baseline(server.url, name) for name, _, _ in names]
        baseline_seconds = time.perf_counter() - started
        naive = score(expected, [e if len(e) == 1 else [] for e in exact], [e[0] if e else None for e in exact])
    finally:
        server.stop()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Measured {when} on {machine()}; {len(rows)} names of entities + {len(ABSENT)} absent names.",
        "",
        "| method | precision | recall | top-1 | wrong matches | seconds for the batch |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| /reconcile | {ours['precision']:.0%} | {ours['recall']:.0%} | {ours['top1']:.0%} | {ours['false']:.0f} "
        f"| {seconds:.2f} (one request) |",
        f"| exact label (SPARQL) | {naive['precision']:.0%} | {naive['recall']:.0%} | {naive['top1']:.0%} "
        f"| {naive['false']:.0f} | {baseline_seconds:.2f} ({len(names)} requests) |",
        "",
        "| name | expected | /reconcile match | best candidate | exact label |",
        "| --- | --- | --- | --- | --- |",
    ]
    for (name, _, want), got, top, plain in zip(names, matched, best, exact, strict=True):
        lines.append(f"| {name} | {want or '—'} | {', '.join(got) or '—'} | {top or '—'} | {', '.join(plain) or '—'} |")
    text = "\n".join(lines) + "\n"
    (ROOT / "bench" / "results-reconcile.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
