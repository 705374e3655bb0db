"""Endpoint throughput and latency, side by side in one run, reported as ratios.

For every canned query in queries/, at 1 and 8 concurrent clients, requests/s and p50/p99 of:
  - our endpoint (kg serve, waitress + Flask + pyoxigraph workers), result cache on (the default);
  - our endpoint with the cache off (KG_CACHE_ENTRIES=0): every request runs the query;
  - `oxigraph serve` (PyPI package oxigraph) loaded with the same data, union default graph.
Plus the framework ceiling (our /healthz no-op route) and a trivial label lookup.

Usage: .venv/bin/python bench/endpoint.py [--seconds 2] [--build build] [--out BENCHMARKS-endpoint.md]
Clients are separate processes with keep-alive connections, all on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import free_port, oxigraph_serve_command, wait_for  # noqa: E402

TRIVIAL = 'SELECT ?s WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> "刘志杰"@zh }'


def client(args: tuple[int, str, str, float]) -> tuple[list[float], int]:
    """Requests until the time is up: latencies of the answered ones, and the count of errors."""
    port, path, accept, seconds = args
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies, errors = [], 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Accept": accept})
            response = connection.getresponse()
            response.read()
        except OSError:  # a client-side timeout: counted, and a fresh connection for the next one
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        if response.status == 200:
            latencies.append(time.perf_counter() - started)
        else:
            errors += 1
    connection.close()
    return latencies, errors


def measure(pool: multiprocessing.pool.Pool, port: int, path: str, clients: int, seconds: float) -> dict[str, float]:
    client((port, path, "application/sparql-results+json", 0.2))  # warm up
    started = time.perf_counter()
    results = pool.map(client, [(port, path, "application/sparql-results+json", seconds)] * clients)
    elapsed = time.perf_counter() - started
    latencies = sorted(x for r in results for x in r[0]) or [float("nan")]
    return {
        "errors": sum(r[1] for r in results),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def start(command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{platform.node()} · {cpu} · {os.cpu_count()} cores · Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--build", type=Path, default=ROOT / "build")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-endpoint.md")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    ours, uncached, oxi = free_port(), free_port(), free_port()
    scratch = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    # The peer serves a copy of our own store (same engine, same data, the same materialised
    # union as default graph), so both answer the same queries over the same bytes.
    shutil.copytree(args.build.resolve() / "store", scratch / "oxi")
    servers = [
        start([str(bin_dir / "kg"), "serve", "--build", str(args.build), "--port", str(ours)]),
        start(
            [str(bin_dir / "kg"), "serve", "--build", str(args.build), "--port", str(uncached)],
            env={"KG_CACHE_ENTRIES": "0"},
        ),
        start(oxigraph_serve_command(scratch / "oxi", oxi)),
    ]
    try:
        wait_for(f"http://127.0.0.1:{ours}/healthz")
        wait_for(f"http://127.0.0.1:{uncached}/healthz")
        wait_for(f"http://127.0.0.1:{oxi}/query?query=ASK%7B%7D")
        queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))}
        queries = {"trivial-label-lookup": TRIVIAL, **queries}
        rows = []
        with multiprocessing.get_context("fork").Pool(8) as pool:
            for clients in (1, 8):
                noop = measure(pool, ours, "/healthz", clients, args.seconds)
                rows.append(("no-op route (/healthz)", clients, noop, None, None))
                for name, text in queries.items():
                    encoded = urllib.parse.urlencode({"query": text})
                    cached = measure(pool, ours, f"/sparql?{encoded}", clients, args.seconds)
                    plain = measure(pool, uncached, f"/sparql?{encoded}", clients, args.seconds)
                    peer = measure(pool, oxi, f"/query?{encoded}", clients, args.seconds)
                    rows.append((name, clients, cached, plain, peer))
                    print(
                        f"{name:32s} c={clients} ours {cached['rps']:8.1f}/s  uncached {plain['rps']:8.1f}/s  "
                        f"oxigraph {peer['rps']:8.1f}/s",
                        flush=True,
                    )
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(scratch, ignore_errors=True)

    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}; "
        f"{args.seconds:g} s per cell; clients are processes on the same machine (they share its cores with the "
        "servers).",
        "",
        "| query | clients | ours req/s (cache) | ours req/s (no cache) | oxigraph serve req/s | no cache ÷ oxigraph "
        "| ours p50 / p99 ms (no cache) | oxigraph p50 / p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, clients, cached, plain, peer in rows:
        if plain is None:
            lines.append(
                f"| {name} | {clients} | {cached['rps']:.0f} | | | | {cached['p50']:.1f} / {cached['p99']:.1f} | |"
            )
            continue
        lines.append(
            f"| {name} | {clients} | {cached['rps']:.0f} | {plain['rps']:.0f} | {peer['rps']:.0f} | "
            f"{plain['rps'] / peer['rps']:.2f}× | {plain['p50']:.1f} / {plain['p99']:.1f} | "
            f"{peer['p50']:.1f} / {peer['p99']:.1f} |"
        )
    noop = {clients: cached["rps"] for name, clients, cached, _, _ in rows if name.startswith("no-op")}
    trivial = {clients: plain["rps"] for name, clients, _, plain, _ in rows if name == "trivial-label-lookup"}
    lines.append("")
    for clients in (1, 8):
        lines.append(
            f"- Trivial query at {clients} client(s), no cache: {trivial[clients]:.0f} req/s = "
            f"{trivial[clients] / noop[clients]:.2f}× our no-op route ({noop[clients]:.0f} req/s)."
        )
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
