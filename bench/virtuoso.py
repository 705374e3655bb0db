"""Virtuoso beside the embedded store and `oxigraph serve`, in one run, read as ratios.

For each size (100 and 1,000 synthetic reports from `kg synth`, built with `kg build`):
  - publish time with `kg publish` to `oxigraph serve` (Graph Store PUTs) and to Virtuoso (staging
    PUT + COPY per graph, the union under its own name), and Virtuoso's start-up time;
  - every canned query (queries/*.rq) through our endpoint (`kg serve`, result cache off) on each
    of the three stores: the embedded Oxigraph store, `--store` oxigraph serve, `--store` Virtuoso:
    p50 of sequential requests from one client, and whether the three answers agree.

Usage: .venv/bin/python bench/virtuoso.py [--sizes 100 1000] [--builds DIR] [--repeats 5]
       [--out bench/results-virtuoso.md]
--builds DIR reuses DIR/build-<size> when it exists (a build of 1,000 reports takes minutes).
Needs Debian's virtuoso-opensource-7-bin (`make virtuoso`).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import OxigraphServer, free_port, wait_for  # noqa: E402
from endpoint import machine, start  # noqa: E402
from virtuoso import VirtuosoServer  # noqa: E402

STORES = ("embedded", "oxigraph serve", "Virtuoso")
QUERY_TIMEOUT_S = 120


def timed_query(port: int, text: str) -> tuple[float, int, str]:
    """Seconds, HTTP status, and the answer's rows in a canonical order (for the agreement check)."""
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": text})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=QUERY_TIMEOUT_S + 30) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        return time.perf_counter() - started, error.code, error.read(300).decode("utf-8", "replace")
    elapsed = time.perf_counter() - started
    rows = json.loads(body)["results"]["bindings"]
    canonical = sorted(
        json.dumps({k: (v["value"], v.get("xml:lang")) for k, v in r.items()}, sort_keys=True) for r in rows
    )
    return elapsed, status, f"{len(rows)}:{hash(tuple(canonical))}"


def build_for(size: int, builds: Path | None, scratch: Path) -> Path:
    if builds and (builds / f"build-{size}").exists():
        return builds / f"build-{size}"
    kg = str(Path(sys.executable).with_name("kg"))
    data, out = scratch / "data", scratch / "build"
    subprocess.run([kg, "synth", "--reports", str(size), "--out", str(data)], check=True, capture_output=True)
    subprocess.run([kg, "build", "--data", str(data), "--out", str(out)], check=True, capture_output=True)
    return out


def publish(build: Path, url: str, **credentials: str) -> float:
    from kg.builddir import open_build
    from kg.publish import publish_build

    started = time.perf_counter()
    publish_build(open_build(build), url, **credentials)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--builds", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-virtuoso.md")
    args = parser.parse_args()
    kg = str(Path(sys.executable).with_name("kg"))
    queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))}
    head = [f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}.", ""]
    summary = [
        "| reports | quads | Virtuoso start s | publish to oxigraph serve s | publish to Virtuoso s "
        "| Virtuoso ÷ oxigraph |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    detail: list[str] = []

    def write() -> None:
        args.out.write_text("\n".join([*head, *summary, "", *detail]) + "\n", encoding="utf-8")

    for size in args.sizes:
        scratch = Path(tempfile.mkdtemp(prefix=f"kg-virtuoso-{size}-"))
        servers: list[subprocess.Popen[bytes]] = []
        oxigraph = virtuoso = None
        try:
            build = build_for(size, args.builds, scratch)
            quads = sum(1 for _ in (build.resolve() / "dataset.nq").open("rb"))
            oxigraph = OxigraphServer(scratch / "oxigraph")
            oxigraph_publish = publish(build, oxigraph.store_url)
            virtuoso = VirtuosoServer(scratch / "virtuoso", free_port(), free_port(), buffers=170_000)
            virtuoso_publish = publish(build, virtuoso.store_url, **virtuoso.credentials)
            summary.append(
                f"| {size} | {quads:,} | {virtuoso.start_seconds:.1f} | {oxigraph_publish:.1f} | "
                f"{virtuoso_publish:.1f} | {virtuoso_publish / oxigraph_publish:.1f}× |"
            )
            print(summary[-1], flush=True)
            ports = [free_port() for _ in STORES]
            env = {"KG_CACHE_ENTRIES": "0", "KG_QUERY_TIMEOUT": str(QUERY_TIMEOUT_S)}
            for port, store in zip(ports, ("embedded", oxigraph.query_url, virtuoso.query_url), strict=True):
                command = [kg, "serve", "--build", str(build), "--port", str(port), "--store", store]
                servers.append(start(command, env=env))
            for port in ports:
                wait_for(f"http://127.0.0.1:{port}/healthz", timeout=300)
            detail += [
                f"### {size} reports ({quads:,} quads): canned queries through `kg serve`, p50 ms of {args.repeats}",
                "",
                "| query | embedded | oxigraph serve | Virtuoso | Virtuoso ÷ embedded | Virtuoso ÷ oxigraph "
                "| same answer |",
                "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
            ]
            for name, text in queries.items():
                p50: list[float] = []
                answers: list[str] = []
                for port in ports:
                    timed_query(port, text)  # warm up
                    runs = [timed_query(port, text) for _ in range(args.repeats)]
                    p50.append(statistics.median(r[0] for r in runs) * 1000)
                    status = runs[-1][1]
                    answers.append(runs[-1][2] if status == 200 else f"HTTP {status}: {runs[-1][2][:80]}")
                agree = "yes" if len(set(answers)) == 1 else "no: " + " / ".join(a.split(":")[0] for a in answers)
                detail.append(
                    f"| {name} | {p50[0]:.1f} | {p50[1]:.1f} | {p50[2]:.1f} | {p50[2] / p50[0]:.2f}× | "
                    f"{p50[2] / p50[1]:.2f}× | {agree} |"
                )
                print(detail[-1], flush=True)
            detail.append("")
            write()
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)
            for peer in (oxigraph, virtuoso):
                if peer is not None:
                    peer.stop()
            shutil.rmtree(scratch, ignore_errors=True)
    write()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
