"""Which engine behind the store: pyoxigraph directly, pyoxigraph through oxrdflib, or rdflib.

Loads one build's dataset into each and times every canned query (median of repeats), reporting
ratios to pyoxigraph. This is the measurement behind the choice of pyoxigraph used directly.

Usage: .venv/bin/python bench/store_choice.py [--build build] [--repeats 5]
Needs the bench extra: pip install -e '.[bench]' (oxrdflib).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from rdflib import Dataset

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from endpoint import machine  # noqa: E402
from kg.builddir import memory_store  # noqa: E402


def median_ms(run, repeats: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-store-choice.md")
    args = parser.parse_args()
    dataset = args.build.resolve() / "dataset.nq"
    queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))}

    started = time.perf_counter()
    oxigraph = memory_store(dataset)
    load_oxigraph = time.perf_counter() - started

    started = time.perf_counter()
    through_oxrdflib = Dataset(store="Oxigraph", default_union=True)
    through_oxrdflib.parse(dataset, format="nquads")
    load_oxrdflib = time.perf_counter() - started

    started = time.perf_counter()
    plain = Dataset(default_union=True)
    plain.parse(dataset, format="nquads")
    load_rdflib = time.perf_counter() - started

    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}; "
        f"{sum(1 for _ in dataset.open('rb')):,} quads; median of {args.repeats}.",
        "",
        f"Load: pyoxigraph bulk_load {load_oxigraph:.2f} s · oxrdflib parse {load_oxrdflib:.2f} s "
        f"({load_oxrdflib / load_oxigraph:.1f}×) · rdflib parse {load_rdflib:.2f} s "
        f"({load_rdflib / load_oxigraph:.1f}×)",
        "",
        "| query | pyoxigraph ms | oxrdflib ms | ÷ | rdflib ms | ÷ |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, text in queries.items():
        direct = median_ms(lambda t=text: list(oxigraph.query(t)), args.repeats)
        wrapped = median_ms(lambda t=text: list(through_oxrdflib.query(t)), args.repeats)
        baseline = median_ms(lambda t=text: list(plain.query(t)), max(1, args.repeats // 2))
        lines.append(
            f"| {name} | {direct:.2f} | {wrapped:.2f} | {wrapped / direct:.1f}× "
            f"| {baseline:.1f} | {baseline / direct:.0f}× |"
        )
        print(lines[-1], flush=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
