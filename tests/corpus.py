"""Fixture corpora: data folders assembled from tests/fixtures/ report folders (plus the shared
vocabularies of data/), built in a temporary directory. Never the data that `make run` serves."""

from __future__ import annotations

import shutil
from pathlib import Path

from kg.config import PROJECT_ROOT

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
OUTCOME_REPORTS = FIXTURES / "outcomes" / "reports"
VOCABULARIES = PROJECT_ROOT / "data" / "vocabularies"


def corpus(target: Path, *report_dirs: Path) -> Path:
    """A data folder at ``target`` with these reports and the shared vocabularies; returns it."""
    shutil.copytree(VOCABULARIES, target / "vocabularies")
    for report in report_dirs:
        shutil.copytree(report, target / "reports" / report.name)
    return target


def outcome_fixtures() -> list[Path]:
    """The fixture reports written to test commitments and outcomes (Gansu 2022 and 2023, the
    Shanxi follow-up of 2023)."""
    return sorted(p for p in OUTCOME_REPORTS.iterdir() if (p / "report.yaml").is_file())


def analyst_corpus(target: Path) -> Path:
    """The outcome fixtures and the Shanxi report together (kg.viewdb's agreement test, kg.cite)."""
    return corpus(target, *outcome_fixtures(), PROJECT_ROOT / "data" / "reports" / "shanxi-2022-04-02")
