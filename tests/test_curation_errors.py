"""Bad curated data is refused with the file, the line and the fix — one broken fixture per case."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import run_kg
from kg.build import build
from kg.builddir import open_build
from kg.compile import compile_data
from kg.curated import CurationFailed

FIXTURES = Path(__file__).parent / "fixtures" / "broken"
ROOT = Path(__file__).resolve().parents[1]


def make_data(tmp_path: Path, case: str) -> Path:
    data = tmp_path / "data"
    report = data / "reports" / "mini"
    report.mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "vocabularies", data / "vocabularies")
    shutil.copy(FIXTURES / "source.txt", report / "source.txt")
    shutil.copy(FIXTURES / f"{case}.yaml", report / "report.yaml")
    return data


def line_of(path: Path, needle: str) -> int:
    """The last line containing ``needle`` (a duplicate is reported where it repeats)."""
    lines = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line]
    assert lines, f"{needle!r} not in {path}"
    return lines[-1]


def errors_for(tmp_path: Path, case: str) -> tuple[str, Path]:
    data = make_data(tmp_path, case)
    with pytest.raises(CurationFailed) as failed:
        compile_data(data, ROOT / "ontology")
    return str(failed.value), data / "reports" / "mini" / "report.yaml"


def test_valid_fixture_builds(tmp_path: Path) -> None:
    data = make_data(tmp_path, "valid")
    result = build(data, ROOT / "ontology", tmp_path / "build")
    assert result.manifest["reports"][0]["id"] == "mini"


@pytest.mark.parametrize(
    ("case", "needle", "expected"),
    [
        ("malformed-yaml", "title: {zh", ["malformed YAML", "fix the YAML syntax"]),
        ("unknown-field", "unti:", ["unknown field 'unti'", "did you mean 'unit'"]),
        ("duplicate-id", "- id: wang-ming", ["duplicate id 'wang-ming'", "ids are unique"]),
        (
            "dangling-reference",
            "parent: test-govermnent",
            ["dangling reference", "'test-govermnent'", "test-government"],
        ),
        ("unknown-unit", "unit: dollars", ["unknown unit 'dollars'", "yuan", "units.ttl"]),
        ("quote-not-found", "quote: 达到16500元", ["is not in", "closest passage is '达到16000元'"]),
        ("ambiguous-quote", "quote: 农业农村厅", ["occurs 3 times", "occurrence: N"]),
        ("missing-english-label", "label: {zh: 王明}", ["has no English label", "add 'en:'"]),
        ("todo-label", "en: TODO", ["TODO en label", "replace the TODO"]),
        ("amount-unit-mismatch", "amount: 16000元", ["cannot normalise amount '16000元'", "check the unit"]),
    ],
)
def test_broken_fixture_is_refused_with_file_line_and_fix(
    tmp_path: Path, case: str, needle: str, expected: list[str]
) -> None:
    message, path = errors_for(tmp_path, case)
    line = line_of(path, needle)
    if case == "malformed-yaml":
        # The parser notices the unclosed flow mapping at the next line at the latest.
        assert f"{path}:{line}" in message or f"{path}:{line + 1}" in message, message
    else:
        assert f"{path}:{line}:" in message, message
    for fragment in expected:
        assert fragment in message, message
    assert "fix:" in message


def test_refused_build_leaves_previous_build_untouched(tmp_path: Path) -> None:
    data = make_data(tmp_path, "valid")
    out = tmp_path / "build"
    first = build(data, ROOT / "ontology", out)
    before = sorted(p.name for p in out.resolve().iterdir())
    shutil.copy(FIXTURES / "unknown-unit.yaml", data / "reports" / "mini" / "report.yaml")
    result = run_kg("build", "--data", str(data), "--out", str(out))
    assert result.returncode == 1
    assert "unknown unit 'dollars'" in result.stderr
    assert out.resolve() == first.path
    assert sorted(p.name for p in out.resolve().iterdir()) == before
    assert open_build(out).version == first.version


def test_validate_cli_reports_problem_and_exit_code(tmp_path: Path) -> None:
    data = make_data(tmp_path, "dangling-reference")
    result = run_kg("validate", "--data", str(data))
    assert result.returncode == 1
    assert "dangling reference" in result.stdout


def test_shacl_violation_names_file_line_and_fix(tmp_path: Path) -> None:
    """What only the shapes can see (an official holding no post) is reported where it is written."""
    data = make_data(tmp_path, "official-without-post")
    path = data / "reports" / "mini" / "report.yaml"
    result = run_kg("validate", "--data", str(data))
    assert result.returncode == 1
    assert f"{path}:{line_of(path, '- id: wang-ming')}:" in result.stdout
    assert "org:holds" in result.stdout and "add it under 'posts:'" in result.stdout
    turtle = run_kg("validate", "--data", str(data), "--format", "turtle")
    assert turtle.returncode == 1
    assert "sh:conforms false" in turtle.stdout and "kg:curatedAt" in turtle.stdout


def test_a_folder_that_is_not_data_and_a_missing_text_are_explained(tmp_path: Path) -> None:
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    result = run_kg("build", "--data", str(empty), "--out", str(tmp_path / "b"))
    assert result.returncode == 1
    assert "is not a data folder" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "b").exists() and list((tmp_path / ".b.versions").iterdir()) == []
    data = make_data(tmp_path, "valid")
    (data / "reports" / "mini" / "source.txt").unlink()
    result = run_kg("validate", "--data", str(data))
    assert result.returncode == 1
    assert "source.txt does not exist" in result.stdout


def test_rebuild_revalidates_only_what_changed(tmp_path: Path) -> None:
    data = make_data(tmp_path, "valid")
    out = tmp_path / "build"
    build(data, ROOT / "ontology", out)
    markers = tmp_path / ".build.validated"
    assert len(list(markers.iterdir())) == 1  # one conforming report graph remembered
    build(data, ROOT / "ontology", out)
    assert len(list(markers.iterdir())) == 1  # unchanged: nothing new validated
    # A change only the shapes can see must not be hidden by the memory of the old graph.
    shutil.copy(FIXTURES / "official-without-post.yaml", data / "reports" / "mini" / "report.yaml")
    result = run_kg("build", "--data", str(data), "--out", str(out))
    assert result.returncode == 1 and "add it under 'posts:'" in result.stderr


def test_placeholder_ids_of_kg_draft_are_refused_with_a_suggested_slug(tmp_path: Path) -> None:
    data = make_data(tmp_path, "valid")
    path = data / "reports" / "mini" / "report.yaml"
    text = path.read_text(encoding="utf-8").replace("- id: rural-income-2022", "- id: fact-01")
    text = text.replace("- id: wang-ming", "- id: official-8faeea")
    text = text.replace("- id: rural-income", "- id: indicator-3be779")
    path.write_text(text.replace("indicator: rural-income", "indicator: indicator-3be779"), encoding="utf-8")
    result = run_kg("build", "--data", str(data), "--out", str(tmp_path / "build"))
    assert result.returncode == 1
    assert f"{path}:{line_of(path, '- id: official-8faeea')}: id 'official-8faeea' is a placeholder" in result.stderr
    assert "e.g. wang-ming" in result.stderr
    assert "e.g. rural-per-capita-disposable-income" in result.stderr
    assert f"{path}:{line_of(path, '- id: fact-01')}: id 'fact-01' is a placeholder" in result.stderr
    assert "e.g. indicator-3be779-2022" in result.stderr
    assert not (tmp_path / "build").exists()


def two_reports(tmp_path: Path, second_edit: tuple[str, str]) -> tuple[Path, Path, Path]:
    """The valid fixture twice, as two reports that define the same entities; the second edited."""
    data = make_data(tmp_path, "valid")
    first = data / "reports" / "mini" / "report.yaml"
    other = data / "reports" / "mini-two"
    shutil.copytree(first.parent, other)
    second = other / "report.yaml"
    text = second.read_text(encoding="utf-8").replace("  id: mini\n", "  id: mini-two\n", 1)
    old, new = second_edit
    assert old in text
    second.write_text(text.replace(old, new), encoding="utf-8")
    return data, first, second


def test_two_reports_may_define_one_entity_alike(tmp_path: Path) -> None:
    data, _, _ = two_reports(
        tmp_path, ("Test Provincial Government}", "Test Provincial Government}\n    alt: {en: TPG}")
    )
    assert len(build(data, ROOT / "ontology", tmp_path / "build").manifest["reports"]) == 2


@pytest.mark.parametrize(
    ("edit", "needle", "expected"),
    [
        (
            ("en: Test Provincial Government}", "en: The Test Province Government}"),
            "en: The Test Province Government}",
            [
                "agency 'test-government' has the en label 'The Test Province Government' here but "
                "'Test Provincial Government' at",
                "put the other name under 'alt:'",
            ],
        ),
        (
            ("    kind: government\n    parent: test-government", "    kind: party\n    parent: test-government"),
            "kind: party",
            [
                "agency 'test-agriculture-department' has kind 'party' here but 'government' at",
                "correct it in one of the two reports",
            ],
        ),
    ],
)
def test_one_entity_defined_differently_by_two_reports_is_refused(
    tmp_path: Path, edit: tuple[str, str], needle: str, expected: list[str]
) -> None:
    data, first, second = two_reports(tmp_path, edit)
    for command in ("build", "validate"):
        args = ["--out", str(tmp_path / "build")] if command == "build" else []
        result = run_kg(command, "--data", str(data), *args)
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        assert f"{second}:{line_of(second, needle)}:" in output, output
        assert f"at {first}:" in output, output  # both files and lines
        for fragment in expected:
            assert fragment in output, output
    assert not (tmp_path / "build").exists()


@pytest.mark.parametrize(
    "address", ["www.shanxi.gov.cn/report", "ftp://example.org/x", "https://exa mple.org/x", "javascript:alert(1)"]
)
def test_a_source_url_that_is_not_an_http_address_is_refused_with_its_line(tmp_path: Path, address: str) -> None:
    data = make_data(tmp_path, "valid")
    report = data / "reports" / "mini" / "report.yaml"
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace("  issued: 2023-01-05\n", f"  issued: 2023-01-05\n  source_url: {address}\n", 1))
    with pytest.raises(CurationFailed) as failed:
        compile_data(data, ROOT / "ontology")
    message = str(failed.value)
    assert f"report.yaml:{line_of(report, 'source_url')}" in message
    assert "not an absolute http(s) address" in message and "source_url: https://" in message
