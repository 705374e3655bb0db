"""The endpoint's own cost, in part: writing SELECT results in Python (``kg.sparql.formats``, what the
query workers do) against pyoxigraph's native ``QuerySolutions.serialize``, in one process on one
read-only store, after the same query. No HTTP: what is left is the engine and the serialiser.

Usage: .venv/bin/python bench/serialise_cost.py STORE_DIR [--repeats 5] [--out bench/results-serialise-cost.md]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from endpoint import machine  # noqa: E402
from kg.namespaces import PREFIXES  # noqa: E402
from kg.sparql import formats  # noqa: E402

NATIVE = {formats.JSON: pyoxigraph.QueryResultsFormat.JSON, formats.CSV: pyoxigraph.QueryResultsFormat.CSV}


def p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("store", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-serialise-cost.md")
    args = parser.parse_args()
    store = pyoxigraph.Store.read_only(str(args.store))
    queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))}
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}; other work was "
        "loading the cores at the same time (the ratios of one run hold).",
        "",
        "| query | rows | engine only (iterate) ms | + kg formats JSON ms | + native JSON ms | ours ÷ native |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, text in queries.items():
        engine, ours, native = [], [], []
        rows = 0
        for _ in range(args.repeats):
            started = time.perf_counter()
            rows = sum(1 for _ in store.query(text))  # type: ignore[union-attr]
            engine.append(time.perf_counter() - started)
            started = time.perf_counter()
            formats.write_results(store.query(text), formats.JSON, io.BytesIO(), 0, PREFIXES)
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            store.query(text).serialize(io.BytesIO(), NATIVE[formats.JSON])  # type: ignore[union-attr]
            native.append(time.perf_counter() - started)
        lines.append(
            f"| {name} | {rows:,} | {p50_ms(engine):.1f} | {p50_ms(ours):.1f} | {p50_ms(native):.1f} | "
            f"{p50_ms(ours) / p50_ms(native):.2f} |"
        )
        print(lines[-1], flush=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
