"""Bounded load test: 16 concurrent clients over the canned queries and the explorer APIs.

Runs against a real `kg serve` on 127.0.0.1 (started here), for a fixed number of requests, and
reports errors and latency percentiles. tests/test_load.py runs a smaller round in CI.

Usage: .venv/bin/python bench/load.py [--clients 16] [--requests 100] [--build build]
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import start_server  # noqa: E402
from endpoint import machine  # noqa: E402

EXPLORER_PATHS = [
    "/api/search?q=%E5%88%98%E5%BF%97%E6%9D%B0",
    "/api/search?q=potato",
    "/api/entity?iri=https%3A%2F%2Fw3id.org%2Fcnkg%2Fid%2Fperson%2Fliu-zhijie",
    "/api/neighbours?iri=https%3A%2F%2Fw3id.org%2Fcnkg%2Fid%2Fperson%2Fliu-zhijie",
    "/api/report/shanxi-2022-04-02",
    "/api/facts",
    "/api/orgchart",
    "/api/types",
    "/id/person/liu-zhijie",
    "/",
]


def paths() -> list[str]:
    canned = [
        "/sparql?" + urllib.parse.urlencode({"query": p.read_text(encoding="utf-8")})
        for p in sorted((ROOT / "queries").glob("*.rq"))
    ]
    return canned + EXPLORER_PATHS


def run_load(base: str, clients: int, requests_per_client: int) -> dict[str, object]:
    targets = paths()

    def worker(index: int) -> tuple[list[float], list[str]]:
        latencies, errors = [], []
        for number in range(requests_per_client):
            path = targets[(index * 7 + number) % len(targets)]
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(base + path, timeout=60) as response:
                    response.read()
                    if response.status != 200:
                        errors.append(f"{response.status} {path[:80]}")
            except (urllib.error.URLError, OSError) as error:
                errors.append(f"{error} {path[:80]}")
            latencies.append(time.perf_counter() - started)
        return latencies, errors

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(worker, range(clients)))
    elapsed = time.perf_counter() - started
    latencies = sorted(x for r in results for x in r[0])
    errors = [e for r in results for e in r[1]]

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * q))] * 1000

    return {
        "requests": len(latencies),
        "errors": errors,
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50": pct(0.5),
        "p90": pct(0.9),
        "p99": pct(0.99),
        "max": latencies[-1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=100, help="requests per client")
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-load.md")
    args = parser.parse_args()
    server = start_server(args.build)
    try:
        result = run_load(server.url, args.clients, args.requests)
    finally:
        server.stop()
    text = (
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}.\n\n"
        f"| clients | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms |\n"
        f"| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        f"| {args.clients} | {result['requests']} | {len(result['errors'])} | {result['rps']:.0f} | "
        f"{result['p50']:.1f} | {result['p90']:.1f} | {result['p99']:.1f} | {result['max']:.1f} |\n"
    )
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
