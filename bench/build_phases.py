"""Where the build's time goes, per report: the phases of ``kg.build.compile_validate_batch``
timed one by one on a sample of synthetic reports, in one process, with both SHACL engines side by
side (pySHACL, the reference, and pyshacl-turbo, the build's engine), so their ratio holds on a
busy machine.

Usage: .venv/bin/python bench/build_phases.py [--reports 20] [--data DIR] [--out bench/results-build-phases.md]
(``--data`` reuses the output of ``kg synth``; otherwise the sample is synthesised first.)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import kg.build  # noqa: E402
from endpoint import machine  # noqa: E402
from kg import curated  # noqa: E402
from kg.authoring.synth import synth  # noqa: E402
from kg.compile import compile_report, iter_report_dirs  # noqa: E402
from kg.validate import ENGINES, report_violations  # noqa: E402

ONTOLOGY = ROOT / "ontology"


def timed(action: Callable[..., object], *arguments: object) -> float:
    started = time.perf_counter()
    action(*arguments)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=20)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-build-phases.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data
        if data is None:
            data = Path(tmp) / "data"
            synth(args.reports, data)
        kg.build._init_worker(data, ONTOLOGY)
        shared = kg.build._shared
        assert shared is not None
        phases: dict[str, list[float]] = {"YAML load (ruamel, round-trip)": [], "compile (incl. YAML load)": []}
        phases["canonical N-Quads"] = []
        for engine in ENGINES:
            phases[f"SHACL: {engine}"] = []
        for report_dir in list(iter_report_dirs(data))[: args.reports]:
            phases["YAML load (ruamel, round-trip)"].append(timed(curated.load, report_dir / "report.yaml"))
            started = time.perf_counter()
            compiled = compile_report(report_dir, shared.vocabularies, data)
            phases["compile (incl. YAML load)"].append(time.perf_counter() - started)
            assert compiled.graph is not None and not compiled.errors
            graph = compiled.graph
            phases["canonical N-Quads"].append(timed(kg.build.canonical_nquads, graph))
            for engine in ENGINES:
                phases[f"SHACL: {engine}"].append(
                    timed(report_violations, graph, shared.context, shared.shapes, compiled.locations, engine)
                )
    means = {name: statistics.fmean(values) for name, values in phases.items()}
    reference = means["SHACL: pyshacl"]
    lines = [
        f"Measured {machine()}; other helpers were loading the two cores at the same time, so the "
        "absolute times are high; the ratios of one run hold.",
        "",
        f"Mean seconds per synthetic report ({args.reports} reports, one process):",
        "",
        "| phase | s per report | ÷ pySHACL |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {name} | {value:.3f} | {value / reference:.2f} |" for name, value in means.items()]
    per_report = means["compile (incl. YAML load)"] + means["canonical N-Quads"]
    for engine in ENGINES:
        total = per_report + means[f"SHACL: {engine}"]
        lines.append(
            f"\nWith {engine}: {total:.2f} s per report, so 1,000 reports take about {total * 500:.0f} s of "
            "compile and validate on 2 cores (then the outcomes, the dataset and the store load)."
        )
    text = "\n".join(lines) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
