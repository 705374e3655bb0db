"""Growth: how build time, store size, peak memory and two typical queries grow with the corpus.

For each size (synthetic reports, ``kg synth``): the wall time of ``kg build``, the size of the
store on disk, the peak memory of the build and of the server (the sum of the resident memory of
the process and all its descendants — the build's worker processes, the server's query workers —
sampled every 0.1 s from /proc), and the p50 of the facts-table canned query (SPARQL, through our
endpoint, result cache off) and of /api/search. Then, for each measure, the growth exponent
fitted by least squares on log(measure) against log(reports): 1.0 is linear.

Usage: .venv/bin/python bench/growth.py [--sizes 10 100 1000] [--keep DIR] [--out bench/results-growth.md]
(``--keep DIR`` keeps each size's data and build under DIR and reuses them on the next run:
their build time is then not measured again but read from DIR.)
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import free_port, wait_for  # noqa: E402
from endpoint import machine, start  # noqa: E402
from scale import SEARCH_TERMS, du, timed_get  # noqa: E402

FACTS_TABLE = (ROOT / "queries" / "facts-table.rq").read_text(encoding="utf-8")
QUERY_RUNS = 5
QUERY_BUDGET_S = 60.0


def tree_rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, from /proc."""
    total, pending, seen = 0.0, [pid], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


class PeakMemory:
    """The peak of tree_rss_mib(pid), sampled in a thread until stopped."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mib(self.pid))
            time.sleep(0.1)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_measured(command: list[str]) -> tuple[float, float]:
    """Wall time and peak memory (MiB, the whole process tree) of a command."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    memory = PeakMemory(process.pid)
    status = process.wait()
    peak = memory.stop()
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed with status {status}")
    return time.perf_counter() - started, peak


def p50_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def exponent(sizes: list[int], values: list[float]) -> float:
    """The slope of log(value) on log(size), by least squares."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(v, 1e-9)) for v in values]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def measure(size: int, work: Path, bin_dir: Path) -> dict[str, float]:
    data, out, recorded = work / "data", work / "build", work / "build-measure.json"
    if not (data / "reports").is_dir():
        subprocess.run(
            [str(bin_dir / "kg"), "synth", "--reports", str(size), "--out", str(data)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    if recorded.is_file() and out.exists():
        build = json.loads(recorded.read_text())
    else:
        build_s, build_peak = run_measured([str(bin_dir / "kg"), "build", "--data", str(data), "--out", str(out)])
        build = {"build_s": build_s, "build_peak_mib": build_peak}
        recorded.write_text(json.dumps(build))
    manifest = json.loads((out / "manifest.json").read_text())
    port = free_port()
    server = start(
        [str(bin_dir / "kg"), "serve", "--build", str(out), "--port", str(port), "--timeout", "300"],
        env={"KG_CACHE_ENTRIES": "0"},
    )
    memory = PeakMemory(server.pid)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz", timeout=120)
        facts: list[float] = []
        while len(facts) < QUERY_RUNS and sum(facts) < QUERY_BUDGET_S:
            facts.append(timed_get(base + "/sparql?" + urllib.parse.urlencode({"query": FACTS_TABLE})))
        timed_get(base + "/api/search?q=%E5%88%98")  # the first search builds the index
        search = [
            timed_get(base + "/api/search?" + urllib.parse.urlencode({"q": term}))
            for _ in range(3)
            for term in SEARCH_TERMS
        ]
    finally:
        server_peak = memory.stop()
        server.terminate()
        server.wait(timeout=30)
    return {
        "quads": manifest["quads"],
        **build,
        "store_mib": du(out.resolve() / "store") / 2**20,
        "server_peak_mib": server_peak,
        "facts_table_ms": p50_ms(facts),
        "search_ms": p50_ms(search),
    }


COLUMNS = [
    ("build_s", "build s", "{:.1f}"),
    ("store_mib", "store MiB", "{:.0f}"),
    ("build_peak_mib", "build peak MiB", "{:.0f}"),
    ("server_peak_mib", "server peak MiB", "{:.0f}"),
    ("facts_table_ms", "facts-table p50 ms", "{:.0f}"),
    ("search_ms", "search p50 ms", "{:.1f}"),
]


def table(rows: dict[int, dict[str, float]]) -> list[str]:
    lines = [
        "| reports | quads | " + " | ".join(title for _, title, _ in COLUMNS) + " |",
        "| ---: | ---: |" + " ---: |" * len(COLUMNS),
    ]
    for size, row in rows.items():
        cells = " | ".join(fmt.format(row[key]) for key, _, fmt in COLUMNS)
        lines.append(f"| {size:,} | {row['quads']:,} | {cells} |")
    if len(rows) >= 2:
        sizes = list(rows)
        fitted = " | ".join(f"{exponent(sizes, [rows[s][key] for s in sizes]):.2f}" for key, _, _ in COLUMNS)
        quads = exponent(sizes, [rows[s]["quads"] for s in sizes])
        lines.append(f"| growth exponent | {quads:.2f} | {fitted} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--keep", type=Path, default=Path("/tmp/kg-growth"))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-growth.md")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    header = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}; other work was "
        "loading the cores at the same time, so absolute times are high.",
        "",
    ]
    rows: dict[int, dict[str, float]] = {}
    for size in args.sizes:
        work = args.keep / str(size)
        work.mkdir(parents=True, exist_ok=True)
        rows[size] = measure(size, work, bin_dir)
        print(json.dumps({"reports": size, **rows[size]}), flush=True)
        args.out.write_text("\n".join([*header, *table(rows)]) + "\n", encoding="utf-8")
    print("\n".join(table(rows)))


if __name__ == "__main__":
    main()
