"""The query worker processes: never lost, never orphaned, stopped with their server, quick to start."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import start_server
from kg.config import Settings
from kg.errors import QueryRefused
from kg.namespaces import PREFIXES
from kg.sparql.formats import JSON, NTRIPLES
from kg.store.base import QueryRequest
from kg.store.embedded import EmbeddedStore

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "SELECT ?s WHERE { ?s a <https://w3id.org/cnkg/ontology#Official> }"
EVERYTHING = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def workers_of(pid: int) -> set[int]:
    """The query worker processes among the children of ``pid`` (from /proc)."""
    children: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        children.update(int(c) for c in (task / "children").read_text().split())
    found = set()
    for child in children:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"kg.store.embedded" in command:
            found.add(child)
    return found


def running(pid: int) -> bool:
    """Neither ended nor a zombie (ended, not yet reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def alive(pid: int) -> bool:
    """Running (a zombie, killed but not reaped, counts as alive: nobody reaped it)."""
    return Path(f"/proc/{pid}").exists()


def test_a_stream_abandoned_midway_gives_its_worker_back(build_dir: Path) -> None:
    """Any exception during an exchange (here the client going away mid-answer) discards the worker
    and frees its place: with one worker allowed, the next query still gets one."""
    others = workers_of(os.getpid())  # of other stores this test process has open
    store = EmbeddedStore(Settings(build_dir=build_dir, query_workers=1, query_timeout=10))
    try:
        for _ in range(3):
            chunks = store.stream(QueryRequest(EVERYTHING, NTRIPLES))
            assert next(chunks)
            chunks.close()  # what the WSGI server does when the client disconnects
            rows = json.loads(store.execute(QueryRequest(SIMPLE, JSON)).body)["results"]["bindings"]
            assert len(rows) >= 1
        assert len(workers_of(os.getpid()) - others) <= 1
    finally:
        store.close()
    time.sleep(0.2)
    assert workers_of(os.getpid()) - others == set()


def test_a_worker_killed_mid_query_is_reaped_and_replaced(build_dir: Path) -> None:
    others = workers_of(os.getpid())  # of other stores this test process has open
    store = EmbeddedStore(Settings(build_dir=build_dir, query_workers=2, query_timeout=20))
    try:
        outcome: list[BaseException | bytes] = []

        def runaway() -> None:
            try:
                outcome.append(store.execute(QueryRequest(RUNAWAY, JSON)).body)
            except QueryRefused as refused:
                outcome.append(refused)

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(1.0)
        before = workers_of(os.getpid()) - others
        assert before
        for pid in before:  # the OS kills the workers (as it would for memory)
            os.kill(pid, signal.SIGKILL)
        thread.join(timeout=30)
        assert isinstance(outcome[0], QueryRefused) and outcome[0].status == 500, outcome
        # A killed process takes a moment to end on a busy machine; until then nobody can tell it
        # from a live idle worker. Once it has ended, the store must notice and replace it.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(running(pid) for pid in before):
            time.sleep(0.05)
        for _ in range(3):  # both places are free again
            assert json.loads(store.execute(QueryRequest(SIMPLE, JSON)).body)["results"]["bindings"]
        for pid in before:
            assert not alive(pid), f"worker {pid} was not reaped"
        assert len(workers_of(os.getpid()) - others) <= 2
    finally:
        store.close()


def start_runaway(url: str) -> threading.Thread:
    def run() -> None:
        with contextlib.suppress(urllib.error.URLError, ConnectionError, OSError):  # the server goes away
            urllib.request.urlopen(url + "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY}), timeout=60).read()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def wait_gone(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return {p for p in pids if alive(p)}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_stop_the_server_and_its_workers(build_dir: Path, signum: int) -> None:
    server = start_server(build_dir, "--timeout", "60")
    runaway = start_runaway(server.url)
    time.sleep(1.0)
    workers = workers_of(server.process.pid)
    assert workers, "the server has query workers"
    started = time.monotonic()
    server.process.send_signal(signum)
    status = server.process.wait(timeout=15)
    stopped_in = time.monotonic() - started
    assert status == 0, server.process.stderr.read().decode() if server.process.stderr else status
    assert stopped_in < 5, f"stopping took {stopped_in:.1f} s"
    assert wait_gone(workers, 3) == set()
    runaway.join(timeout=10)


def test_workers_die_with_a_killed_server(build_dir: Path) -> None:
    server = start_server(build_dir, "--timeout", "60")
    try:
        start_runaway(server.url)
        time.sleep(1.0)
        workers = workers_of(server.process.pid)
        assert workers
        server.process.kill()  # no clean-up runs: the workers must notice by themselves
        server.process.wait(timeout=10)
        assert wait_gone(workers, 5) == set(), "query workers outlived their server"
    finally:
        server.stop()


def test_a_worker_does_not_import_rdflib(built) -> None:  # type: ignore[no-untyped-def]
    worker = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "kg.store.embedded",
            str(built.store_path),
            json.dumps(PREFIXES),
            "1024",
        ],
        input=b"",  # end of input: the worker opens the store and exits
        capture_output=True,
        timeout=60,
    )
    assert worker.returncode == 0, worker.stderr.decode()[-2000:]
    imported = {line.split("|")[-1].strip() for line in worker.stderr.decode().splitlines() if "|" in line}
    assert "pyoxigraph" in imported
    assert not {name for name in imported if name.split(".")[0] in ("rdflib", "flask", "werkzeug")}
