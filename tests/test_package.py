"""Installable as a package: the wheel, installed (not editable) into a clean environment, builds and
serves outside the source checkout, with its templates, static files, ontology, queries and
vocabularies found as package resources."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import free_port, wait_for
from kg.config import PROJECT_ROOT, Settings


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the wheel installed; its dependencies come from the test venv (no download)."""
    root = tmp_path_factory.mktemp("package")
    wheels = root / "wheels"
    # pip builds in the source tree, and setuptools would leave its build/ folder where `kg build`
    # writes ours (then `make run` refuses it): build the wheel from a copy of the sources.
    source = root / "source"
    shutil.copytree(
        PROJECT_ROOT,
        source,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "node_modules", "build", ".*.versions", ".*.validated", "tests", "bench",
            "*.egg-info", "__pycache__", ".mypy_cache", ".ruff_cache", ".hypothesis", ".pytest_cache",
        ),
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), str(source)],
        check=True,
        timeout=600,
    )
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    (wheel,) = wheels.glob("cnkg-*.whl")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)],
        check=True,
        timeout=600,
    )
    # The dependencies, not the project: a plain path entry, so the test venv's editable finder is not loaded.
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    return venv


def run_installed(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_") and k != "PYTHONPATH"}
    return subprocess.run(
        [str(venv / "bin" / "kg"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_the_installed_package_builds_and_serves(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import kg, kg.config as c; print(kg.__file__, c.PROJECT_ROOT)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert where[0].startswith(str(installed)), where  # the installed copy, not the checkout
    assert where[1] == "None"
    made = run_installed(installed, tmp_path, "synth", "--reports", "2", "--out", "data")
    assert made.returncode == 0, made.stderr
    built = run_installed(installed, tmp_path, "build", "--data", "data")
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "build" / "manifest.json").is_file()  # build/ of the current directory
    port = free_port()
    server = subprocess.Popen(
        [str(installed / "bin" / "kg"), "serve", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if not k.startswith("KG_")},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/healthz", server)

        def fetch(path: str, accept: str = "*/*") -> tuple[int, str, bytes]:
            request = urllib.request.Request(url + path, headers={"Accept": accept})
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers.get_content_type(), response.read()

        page = fetch("/explore", "text/html")[2]  # a template (the graph view, which carries the base IRI)
        assert b"<html" in page and b'data-base-iri="https://w3id.org/cnkg/"' in page
        assert fetch("/static/js/app.js")[1] in ("text/javascript", "application/javascript")  # static, recursive
        queries = json.loads(fetch("/api/queries")[2])["queries"]  # the canned queries
        assert len(queries) == len(list((PROJECT_ROOT / "queries").glob("*.rq")))
        assert b"kg:Report" in fetch("/ontology", "text/turtle")[2] or b"Report" in fetch("/ontology", "text/turtle")[2]
        report = fetch("/id/report/synth-00000", "text/html")  # Linked Data under the one base IRI
        assert report[0] == 200 and b"synthetic report" in report[2]
        query = urllib.parse.urlencode(
            {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/cnkg/ontology#Report> }"}
        )
        answer = json.loads(fetch(f"/sparql?{query}", "application/sparql-results+json")[2])
        assert answer["results"]["bindings"][0]["n"]["value"] == "2"
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_base_iri_is_not_a_setting_that_could_disagree_with_the_build() -> None:
    """One base IRI, kg.namespaces.BASE, for compile, Linked Data and the API (the setting is gone)."""
    assert not hasattr(Settings(), "base_iri")
