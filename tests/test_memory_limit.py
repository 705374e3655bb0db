"""The memory one query may use: runaways are stopped with a 507, the server's memory stays bounded
(measured from outside, in /proc), and the other queries go on."""

from __future__ import annotations

import json
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
from kg.sparql.formats import JSON
from kg.store import embedded
from kg.store.base import QueryRequest
from kg.store.embedded import EmbeddedStore
from test_workers import SIMPLE, workers_of

LIMIT_MB = 256
RUNAWAYS = 8
# One sampling interval of growth past the limit, and the backstop's slack, per worker.
SLACK_MB = 96


def runaway(number: int) -> str:
    """An ORDER BY over a cross product of every triple with every triple: it holds every solution
    before it can sort them. Each of the eight is a different text, so none is answered from another."""
    return (
        f"SELECT ?a{number} ?c ?f WHERE {{ ?a{number} ?b ?c . ?d ?e ?f }} "
        f"ORDER BY (STR(?c)) (STR(?f)) LIMIT {number + 1}"
    )


def rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def ask(url: str, query: str) -> tuple[int, str]:
    request = urllib.request.Request(
        url + "/sparql?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "application/sparql-results+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_eight_runaways_at_once_are_stopped_at_the_limit_and_the_server_stays_bounded(build_dir: Path) -> None:
    server = start_server(
        build_dir,
        env={
            "KG_QUERY_MEMORY_MB": str(LIMIT_MB),
            "KG_QUERY_WORKERS": str(RUNAWAYS + 1),
            "KG_QUERY_TIMEOUT": "240",
            "KG_CACHE_ENTRIES": "0",
        },
    )
    try:
        pid = server.process.pid
        baseline = rss_mb(pid) + sum(rss_mb(w) for w in workers_of(pid))
        peak = [baseline]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                total = rss_mb(pid) + sum(rss_mb(w) for w in workers_of(pid))
                peak[0] = max(peak[0], total)
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        answers: dict[int, tuple[int, str]] = {}

        def run(number: int) -> None:
            answers[number] = ask(server.url, runaway(number))

        threads = [threading.Thread(target=run, args=(n,)) for n in range(RUNAWAYS)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        simple_status, simple_body = ask(server.url, SIMPLE)  # while the runaways grow
        simple_done = [not t.is_alive() for t in threads].count(True)
        for thread in threads:
            thread.join(timeout=300)
        sampling.set()
        sampler.join()

        assert simple_status == 200, simple_body
        assert json.loads(simple_body)["results"]["bindings"]
        assert simple_done < RUNAWAYS, "the simple query was answered only after every runaway ended"
        for number in range(RUNAWAYS):
            status, body = answers[number]
            assert status == 507, (number, status, body[:500])
            assert f"{LIMIT_MB:,} MB" in body and "KG_QUERY_MEMORY_MB" in body and "ORDER BY" in body
        # Without the limit, each runaway grows to gigabytes (the cross product has 10^8 solutions).
        bound = baseline + RUNAWAYS * (LIMIT_MB + SLACK_MB)
        print(f"server and workers: baseline {baseline:.0f} MB, peak {peak[0]:.0f} MB, bound {bound:.0f} MB")
        assert peak[0] < bound, f"peak {peak[0]:.0f} MB, bound {bound:.0f} MB (baseline {baseline:.0f} MB)"
        # The killed workers were replaced: queries are still answered.
        status, body = ask(server.url, SIMPLE)
        assert status == 200, body
    finally:
        server.stop()


def test_the_backstop_reports_the_limit_too(build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Growth faster than the sampling meets the worker's own cap (RLIMIT_DATA, twice the limit):
    the allocation fails, the worker ends, and the client still gets the 507, not a 500. With
    sampling switched off here, only the backstop can stop the query."""
    monkeypatch.setattr(embedded, "WATCH_SECONDS", 10_000.0)
    store = EmbeddedStore(Settings(build_dir=build_dir, query_workers=1, query_timeout=120, query_memory_mb=128))
    try:
        with pytest.raises(QueryRefused) as refused:
            store.execute(QueryRequest(runaway(0), JSON))
        assert refused.value.status == 507 and "128 MB" in refused.value.message
        rows = json.loads(store.execute(QueryRequest(SIMPLE, JSON)).body)["results"]["bindings"]
        assert rows, "the worker was not replaced"
    finally:
        store.close()
