"""Scale: 10, 100 and 1,000 synthetic reports (about 25k, 250k and 2.5M quads), in one run.

For each size: build and validate time, load time, store size on disk, peak memory, search
latency, and canned-query p50/p99 through our endpoint (result cache off, so every request runs
the query) — side by side with `oxigraph serve` on the same data and with plain rdflib in
memory as the baseline.

Usage: .venv/bin/python bench/scale.py [--sizes 10 100 1000] [--out bench/results-scale.md]
       .venv/bin/python bench/scale.py --build DIR --out …  (the queries only, on an existing build of
       synthetic reports: no synth, build, load or rdflib columns)
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import free_port, oxigraph_serve_command, wait_for  # noqa: E402
from endpoint import machine, measure, start  # noqa: E402

SEARCH_TERMS = ["刘", "Hebei", "农业农村厅", "income", "土豆革命", "Potato", "synthetic indicator 7", "乡村振兴局"]
RDFLIB_LIMIT_QUADS = 60_000  # beyond this rdflib's engine takes minutes per query: skipped, and said so
RDFLIB_QUERY_BUDGET_S = 5.0
RDFLIB_QUERY_TIMEOUT_S = 20.0


def run(command: list[str]) -> tuple[float, int]:
    """Wall time and the peak RSS (KiB) of the largest process the command ran."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    return elapsed, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def timed_get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
    return time.perf_counter() - started


_rdflib_dataset = None


def _rdflib_samples(text: str, repeats: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    samples: list[float] = []
    while len(samples) < repeats and sum(samples) < RDFLIB_QUERY_BUDGET_S:
        t = time.perf_counter()
        list(_rdflib_dataset.query(text))  # type: ignore[union-attr]
        samples.append(time.perf_counter() - t)
    queue.put(samples)


def rdflib_query_times(
    dataset_path: Path, queries: dict[str, str], repeats: int
) -> tuple[float, dict[str, list[float]]]:
    """rdflib's own engine, each query in a forked child killed after RDFLIB_QUERY_TIMEOUT_S."""
    global _rdflib_dataset
    from rdflib import Dataset

    started = time.perf_counter()
    _rdflib_dataset = Dataset(default_union=True)
    _rdflib_dataset.parse(dataset_path, format="nquads")
    load = time.perf_counter() - started
    context = multiprocessing.get_context("fork")
    times: dict[str, list[float]] = {}
    for name, text in queries.items():
        queue = context.Queue()
        child = context.Process(target=_rdflib_samples, args=(text, repeats, queue))
        child.start()
        child.join(RDFLIB_QUERY_TIMEOUT_S)
        if child.is_alive():
            child.kill()
            child.join()
            times[name] = [float("inf")]
        else:
            times[name] = queue.get()
    _rdflib_dataset = None
    return load, times


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-scale.md")
    parser.add_argument("--build", type=Path, help="measure the queries on this build instead")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))}
    lines = [f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}.", ""]
    summary = [
        "| reports | quads | synth s | build + validate s | peak RSS MiB (largest process) | store MiB | "
        "our load s | oxigraph load s | rdflib load s | search p50 / p99 ms | first search ms |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    detail: list[str] = []
    import json

    import pyoxigraph

    sizes = [len(json.loads((args.build / "manifest.json").read_text())["reports"])] if args.build else args.sizes
    for size in sizes:
        scratch = Path(tempfile.mkdtemp(prefix=f"kg-scale-{size}-"))
        try:
            data, out = scratch / "data", scratch / "build"
            synth_s = build_s = peak = our_load = oxi_load = rdflib_load = float("nan")
            rdflib_times: dict[str, list[float]] = {}
            if args.build:
                out = args.build
            else:
                synth_s, _ = run([str(bin_dir / "kg"), "synth", "--reports", str(size), "--out", str(data)])
                build_s, peak = run([str(bin_dir / "kg"), "build", "--data", str(data), "--out", str(out)])
            dataset = out.resolve() / "dataset.nq"
            quads = sum(1 for _ in dataset.open("rb"))
            store_mib = du(out.resolve() / "store") / 2**20
            if not args.build:
                started = time.perf_counter()
                reload = pyoxigraph.Store(str(scratch / "reload"))
                reload.bulk_load(path=str(dataset), format=pyoxigraph.RdfFormat.N_QUADS)
                our_load = time.perf_counter() - started
                oxi_load, _ = run(
                    [str(bin_dir / "oxigraph"), "load", "--location", str(scratch / "oxi"), "--file", str(dataset)]
                )
                if quads <= RDFLIB_LIMIT_QUADS:
                    rdflib_load, rdflib_times = rdflib_query_times(dataset, queries, 3)

            # The peer serves a copy of our store: same engine, same data, same default graph.
            shutil.copytree(out.resolve() / "store", scratch / "oxi-serve")
            ours, oxi = free_port(), free_port()
            servers = [
                start(
                    [str(bin_dir / "kg"), "serve", "--build", str(out), "--port", str(ours)],
                    env={"KG_CACHE_ENTRIES": "0"},
                ),
                start(oxigraph_serve_command(scratch / "oxi-serve", oxi)),
            ]
            try:
                wait_for(f"http://127.0.0.1:{ours}/healthz", timeout=120)
                wait_for(f"http://127.0.0.1:{oxi}/query?query=ASK%7B%7D", timeout=120)
                first_search = timed_get(f"http://127.0.0.1:{ours}/api/search?q=%E5%88%98") * 1000
                search = [
                    timed_get(f"http://127.0.0.1:{ours}/api/search?" + urllib.parse.urlencode({"q": term}))
                    for _ in range(5)
                    for term in SEARCH_TERMS
                ]
                detail += [
                    f"### {size} reports ({quads:,} quads)",
                    "",
                    "| query | ours p50 / p99 ms | oxigraph p50 / p99 ms | rdflib p50 ms | ours req/s (8 clients) | "
                    "oxigraph req/s (8 clients) | ours ÷ oxigraph |",
                    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
                ]
                with multiprocessing.get_context("fork").Pool(8) as pool:
                    for name, text in queries.items():
                        encoded = urllib.parse.urlencode({"query": text})
                        our1 = measure(pool, ours, f"/sparql?{encoded}", 1, args.seconds)
                        oxi1 = measure(pool, oxi, f"/query?{encoded}", 1, args.seconds)
                        our8 = measure(pool, ours, f"/sparql?{encoded}", 8, args.seconds)
                        oxi8 = measure(pool, oxi, f"/query?{encoded}", 8, args.seconds)
                        rdf = (
                            f"{statistics.median(rdflib_times[name]) * 1000:.1f}"
                            if name in rdflib_times and rdflib_times[name][0] != float("inf")
                            else "> 20 s"
                            if name in rdflib_times
                            else "—"
                        )
                        failed = sum(m["errors"] for m in (our1, oxi1, our8, oxi8))
                        detail.append(
                            f"| {name} | {our1['p50']:.1f} / {our1['p99']:.1f} | {oxi1['p50']:.1f} / {oxi1['p99']:.1f} "
                            f"| {rdf} | {our8['rps']:.0f} | {oxi8['rps']:.0f} | {our8['rps'] / oxi8['rps']:.2f}× |"
                            + (f" {failed} timed out |" if failed else "")
                        )
                        print(f"{size} {name}: ours {our1['p50']:.1f} ms, oxigraph {oxi1['p50']:.1f} ms", flush=True)
                detail.append("")
            finally:
                for server in servers:
                    server.terminate()
                    server.wait(timeout=20)
            summary.append(
                f"| {size} | {quads:,} | {synth_s:.1f} | {build_s:.1f} | {peak / 1024:.0f} | {store_mib:.0f} | "
                f"{our_load:.2f} | {oxi_load:.2f} | {rdflib_load:.1f} | "
                f"{pct(search, 0.5):.1f} / {pct(search, 0.99):.1f} | "
                f"{first_search:.0f} |"
            )
            print(summary[-1], flush=True)
            args.out.write_text("\n".join([*lines, *summary, "", *detail]) + "\n", encoding="utf-8")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    args.out.write_text("\n".join([*lines, *summary, "", *detail]) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
