"""Bad input never a traceback: malformed curated files and bad command-line arguments get the
file:line (or the argument) and the fix, exit status 1.

The property test mutates the valid fixture report at random — a value replaced by one of another
shape, a key renamed or removed, an entry wrapped in a list, a byte that is not UTF-8 — and runs
`kg validate` on it.
"""

from __future__ import annotations

import io
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from conftest import run_kg, run_kg_process

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "broken"
VALID = (FIXTURES / "valid.yaml").read_text(encoding="utf-8")
# Keys that are required wherever they appear in the fixture: removing one is always an error.
ALWAYS_REQUIRED = {"id", "quote", "label", "reason"}


def make_data(root: Path, text: str | bytes) -> Path:
    data = root / "data"
    report = data / "reports" / "mini"
    if data.exists():
        shutil.rmtree(data)
    report.mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "vocabularies", data / "vocabularies")
    shutil.copy(FIXTURES / "source.txt", report / "source.txt")
    target = report / "report.yaml"
    if isinstance(text, bytes):
        target.write_bytes(text)
    else:
        target.write_text(text, encoding="utf-8")
    return data


def validate_in_process(data: Path) -> tuple[int, str]:
    """`kg validate` as the CLI runs it, in this process (an escaping exception fails the test)."""
    result = run_kg("validate", "--data", str(data))
    return result.returncode, result.stdout + result.stderr


# ---------------------------------------------------------------- the mutations


def nodes(document: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Every (path, node) of the YAML tree below the root."""
    found = []
    children = (
        document.items() if isinstance(document, dict) else enumerate(document) if isinstance(document, list) else []
    )
    for key, child in children:
        found.append(((*path, key), child))
        found.extend(nodes(child, (*path, key)))
    return found


def other_shape(value: Any) -> Any:
    """A value of another shape: a scalar becomes a map, a map a list, a list a map."""
    if isinstance(value, dict):
        return CommentedSeq([value])
    if isinstance(value, list):
        return CommentedMap({"x": CommentedSeq([1])})
    return CommentedMap({"x": CommentedSeq([1])})


def mutate(choice: int, kind: str) -> str:
    yaml = YAML(typ="rt")
    document = yaml.load(VALID)
    every = nodes(document)
    if kind == "reshape":
        path, value = every[choice % len(every)]
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = other_shape(value)
    elif kind == "rename":
        keyed = [(p, v) for p, v in every if isinstance(p[-1], str)]
        path, _ = keyed[choice % len(keyed)]
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        parent.insert(list(parent).index(path[-1]), f"zz-{path[-1]}", parent.pop(path[-1]))
    else:  # remove a key that is required wherever it appears
        keyed = [(p, v) for p, v in every if p[-1] in ALWAYS_REQUIRED]
        path, _ = keyed[choice % len(keyed)]
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        del parent[path[-1]]
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(choice=st.integers(min_value=0, max_value=10_000), kind=st.sampled_from(["reshape", "rename", "remove"]))
def test_any_malformed_structure_is_a_file_line_message(tmp_path: Path, choice: int, kind: str) -> None:
    data = make_data(tmp_path, mutate(choice, kind))
    status, output = validate_in_process(data)
    assert status == 1, output
    assert re.search(r"report\.yaml:\d+: ", output), output
    assert "fix:" in output and "Traceback" not in output


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    position=st.integers(min_value=0, max_value=len(VALID.encode())), byte=st.sampled_from([b"\xff", b"\xc3", b"\x80"])
)
def test_a_file_that_is_not_utf8_is_a_file_line_message(tmp_path: Path, position: int, byte: bytes) -> None:
    raw = VALID.encode()
    data = make_data(tmp_path, raw[:position] + byte + raw[position:])
    status, output = validate_in_process(data)
    assert status == 1 and "is not UTF-8" in output and "report.yaml:" in output, output


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda t: t.replace("    posts:\n      - id: head", "    posts: [x]\n    zz:\n      - id: head"),
            "is not a mapping",
        ),
        (lambda t: t.replace("  - id: rural-income\n", "  - \n", 1), "has no 'id'"),
        (lambda t: t + "not_facts: [16000]\n", "an entry of not_facts is not a mapping"),
        (lambda t: t.replace("occurrence: 1", 'occurrence: "1"'), "must be a whole number from 1"),
        (lambda t: "", "the file is empty"),
        (lambda t: "- report\n", "not a YAML mapping"),
        (
            lambda t: t.replace("    label: {zh: 王明, en: Wang Ming}", "    label: [王明, Wang Ming]"),
            "must have zh and en",
        ),
        (lambda t: t.replace("agencies:\n", "agencies: {}\nzz:\n"), "must be a list"),
    ],
)
def test_the_structures_that_used_to_crash(tmp_path: Path, edit, expected: str) -> None:  # type: ignore[no-untyped-def]
    data = make_data(tmp_path, edit(VALID))
    result = run_kg("validate", "--data", str(data))
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stdout, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert re.search(r"report\.yaml:\d+: ", result.stdout)


# ---------------------------------------------------------------- command-line arguments


@pytest.fixture()
def busy_port() -> Any:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    yield sock.getsockname()[1]
    sock.close()


def test_bad_arguments_of_every_command(tmp_path: Path, built, busy_port: int) -> None:  # type: ignore[no-untyped-def]
    not_a_build = tmp_path / "plain"
    not_a_build.mkdir()
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    query = tmp_path / "q.rq"
    query.write_text("ASK {}", encoding="utf-8")
    latin1 = tmp_path / "latin1.rq"
    latin1.write_bytes("SELECT * WHERE { ?s ?p 'é' }".encode("latin-1"))
    build = str(built.path)
    cases = [
        (["query", str(tmp_path / "missing.rq"), "--build", build], "does not exist"),
        (["query", str(tmp_path), "--build", build], "is a folder"),
        (["query", str(latin1), "--build", build], "is not UTF-8"),
        (["query", str(query), "--build", str(not_a_build)], "is not a kg build"),
        (["query", str(query), "--build", str(tmp_path / "nowhere")], "no build at"),
        (["export", "--format", "nt", "--build", build, "-o", str(a_file / "x.nt")], "cannot write"),
        (["export", "--format", "nt", "--build", str(a_file)], "not a build folder"),
        (["serve", "--build", build, "--port", str(busy_port)], "already in use"),
        (["serve", "--build", str(not_a_build), "--port", "0"], "is not a kg build"),
        (["publish", "--build", str(not_a_build), "--to", "http://127.0.0.1:9/store"], "is not a kg build"),
        (["publish", "--build", build, "--to", "not-a-url"], "is not an http(s) URL"),
        (["draft", str(tmp_path / "missing.txt")], "does not exist"),
        (["synth", "--reports", "0", "--out", str(tmp_path / "s")], "at least 1"),
        (["build", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "b")], "is not a data folder"),
        (["build", "--out", str(a_file / "build")], "cannot write"),
    ]
    for args, expected in cases:
        result = run_kg_process(*args, timeout=120) if args[0] == "serve" else run_kg(*args)
        output = result.stdout + result.stderr
        assert result.returncode == 1, (args, output)
        assert expected in output, (args, output)
        assert "Traceback" not in output, (args, output)


def test_a_setting_that_cannot_be_read_names_its_variable() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**__import__("os").environ, "KG_PORT": "eighty"},
    )
    assert result.returncode == 1
    assert "KG_PORT='eighty' is not a valid int" in result.stderr
    assert "Traceback" not in result.stderr
