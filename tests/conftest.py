"""Shared fixtures: a real build of the real data, the Flask app over it, and a real server process."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kg.build import build as run_build
from kg.builddir import Build, open_build
from kg.config import PROJECT_ROOT, Settings

DATA = PROJECT_ROOT / "data"
ONTOLOGY = PROJECT_ROOT / "ontology"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
# Virtuoso as a second external store: fixtures virtuoso_server and virtuoso_app.
pytest_plugins = ["virtuoso"]


# A check a fixture registers to run at the end of the test itself (a failure of the test, not an
# error of the fixture's teardown); see pytest_runtest_call.
AFTER_TEST = pytest.StashKey[Callable[[], None]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> object:
    result = yield
    check = item.stash.get(AFTER_TEST, None)
    if check is not None:
        check()
    return result


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_kg(*args: str) -> CliResult:
    """The `kg` command line in this process (``kg.cli.main``), its output and exit status captured.
    An exception that escapes ``main`` (a traceback a user would see) fails the calling test."""
    from kg.cli import main

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(args))
        except SystemExit as stopped:  # argparse's usage errors
            status = stopped.code if isinstance(stopped.code, int) else 1
    return CliResult(status, _text(out), _text(err))


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8")


def run_kg_process(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The `kg` command line in its own process: for `kg serve`, which binds ports and handles signals."""
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen[bytes] | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kg") / "build"
    run_build(DATA, ONTOLOGY, out)
    return out


@pytest.fixture(scope="session")
def built(build_dir: Path) -> Build:
    return open_build(build_dir)


@pytest.fixture(scope="session")
def settings(build_dir: Path) -> Settings:
    return Settings(build_dir=build_dir, query_timeout=5.0)


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[object]:
    from kg.web import create_app

    application = create_app(settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["kg.store"].close()


@pytest.fixture()
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


class LiveServer:
    def __init__(self, url: str, process: subprocess.Popen[bytes]):
        self.url = url
        self.process = process

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(build: Path, *extra: str, env: dict[str, str] | None = None) -> LiveServer:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--build", str(build), "--port", str(port), *extra],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/healthz", process)
    except Exception:
        process.kill()
        raise
    return LiveServer(url, process)


@pytest.fixture(scope="session")
def live_server(build_dir: Path) -> Iterator[LiveServer]:
    """`kg serve` in its own process on 127.0.0.1, stopped at the end of the session."""
    server = start_server(build_dir)
    yield server
    server.stop()


def oxigraph_serve_command(location: Path, port: int) -> list[str]:
    """`oxigraph serve` on 127.0.0.1 (its default graph is the union that `kg publish` writes there)."""
    oxigraph = str(Path(sys.executable).with_name("oxigraph"))
    return [oxigraph, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]


class OxigraphServer:
    """`oxigraph serve` (PyPI package oxigraph) on 127.0.0.1: the external store of the tests."""

    def __init__(self, location: Path, port: int | None = None):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            oxigraph_serve_command(location, self.port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.wait()

    @property
    def query_url(self) -> str:
        return self.base + "/query"

    @property
    def store_url(self) -> str:
        return self.base + "/store"

    def wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise TimeoutError("oxigraph serve did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory, built: Build) -> Iterator[OxigraphServer]:
    from kg.publish import publish_build

    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "db")
    publish_build(built, server.store_url)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def remote_app(oxigraph_server: OxigraphServer, settings: Settings) -> Iterator[object]:
    from dataclasses import replace

    from kg.web import create_app

    application = create_app(replace(settings, store=oxigraph_server.query_url))
    yield application
    application.extensions["kg.store"].close()


# ------------------------------------------------------------------------------- browser tests

# Debian's Chromium (`make chromium`); Playwright's own browser download cannot work here.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module (the browser test modules skip themselves without it)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()
