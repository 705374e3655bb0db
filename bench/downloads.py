"""The downloads step of ``kg build`` (``kg.export.write_exports``) on an existing build, two
implementations side by side: this checkout's and the one at a git revision (by default the last
one that held every quad in memory), each in its own process under GNU ``/usr/bin/time -v`` for
its peak resident memory, on the same dataset and store, alternating, and the files of both
compared byte for byte.

The build is only read: each run writes into a fresh folder with links to its dataset and store.

Usage: .venv/bin/python bench/downloads.py --build DIR [--before REV] [--repeats 1]
       [--out bench/results-downloads.md]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from endpoint import machine  # noqa: E402
from kg.builddir import DATASET, STORE, Build, open_build  # noqa: E402

# The last revision whose downloads step held the sorted quads and their union as Python objects.
BEFORE = "48914ad"
RUN = """
import json, sys, time
from pathlib import Path
from kg.export import write_exports
started = time.perf_counter()
listed = write_exports(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
print(json.dumps({"seconds": time.perf_counter() - started, **listed}))
"""


def run(src: Path, build: Path, queries: Path, work: Path) -> dict[str, Any]:
    version = Path(tempfile.mkdtemp(dir=work))
    (version / DATASET).symlink_to(build / DATASET)
    (version / STORE).symlink_to(build / STORE)
    env = {**os.environ, "PYTHONPATH": str(src)}
    finished = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, "-c", RUN, str(version), str(version / DATASET), str(queries)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", finished.stderr)
    result: dict[str, Any] = json.loads(finished.stdout.splitlines()[-1])
    result["peak_mb"] = int(peak.group(1)) / 1024 if peak else float("nan")
    result["digests"] = {
        name: hashlib.sha256((version / entry["file"]).read_bytes()).hexdigest()
        for name, entry in result["downloads"].items()
    }
    subprocess.run(["rm", "-rf", str(version)], check=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--build", type=Path, required=True, help="a kg build (only read), or a folder with dataset.nq and store/"
    )
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-downloads.md")
    args = parser.parse_args()
    # A finished build (its manifest says what it holds), or any folder with a dataset.nq and store/.
    build = (
        open_build(args.build, verify_hash=False)
        if (args.build / "manifest.json").exists() or args.build.is_symlink()
        else Build(args.build, {})
    )
    with tempfile.TemporaryDirectory(prefix="downloads-bench-") as scratch:
        work = Path(scratch)
        before_src = work / "before"
        before_src.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.before, "src"], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", str(before_src)], input=archive.stdout, check=True)
        sides = {f"before ({args.before})": before_src / "src", "after (this checkout)": ROOT / "src"}
        results: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
        for _ in range(args.repeats):
            for side, src in sides.items():
                results[side].append(run(src, build.path, ROOT / "queries", work))
                print(side, results[side][-1]["seconds"], results[side][-1]["peak_mb"], flush=True)
    digests = [r["digests"] for runs in results.values() for r in runs]
    identical = all(d == digests[0] for d in digests)
    load = os.getloadavg()
    lines = [
        "# Downloads step (`write_exports`) before and after streaming",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {machine()} · load average "
        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (shared cores)",
        f"build: {args.build} ({results[next(iter(results))][0]['statistics']['triples']} distinct triples, "
        f"{len(build.manifest.get('reports', [])) or 'n/a'} reports in the manifest); repeats: {args.repeats}",
        "",
        "| implementation | wall s (each run) | peak RSS MB (each run) |",
        "| --- | ---: | ---: |",
    ]
    for side, runs in results.items():
        walls = ", ".join(f"{r['seconds']:.1f}" for r in runs)
        peaks = ", ".join(f"{r['peak_mb']:.0f}" for r in runs)
        lines.append(f"| {side} | {walls} | {peaks} |")
    before, after = (runs[0] for runs in results.values())
    lines += [
        "",
        f"ratio after/before (first run): wall {float(after['seconds']) / float(before['seconds']):.2f}×, "
        f"peak RSS {float(after['peak_mb']) / float(before['peak_mb']):.2f}×",
        f"every file byte-identical across all runs (SHA-256): {'yes' if identical else 'NO'}",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
