"""The default store: the build's Oxigraph database, queried in killable worker processes.

pyoxigraph has no query timeout, and a Python thread cannot interrupt it, so every query runs in
a worker process that has the store open read-only. A query that outlives the timeout is ended
by killing its worker; a fresh one takes its place. Workers are spawned on demand up to
``query_workers``, so a few runaway queries cannot starve the simple ones, and the operating
system shares the cores between them.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from typing import Any, BinaryIO

import pyoxigraph

from kg.config import Settings
from kg.publish import Build
from kg.sparql import formats
from kg.store.base import QueryRefused, QueryRequest, QueryResult

WARM_WORKERS = 2


def _run(store: pyoxigraph.Store, request: QueryRequest, max_rows: int) -> QueryResult:
    options: dict[str, Any] = {}
    if request.default_graphs or request.named_graphs:
        options["default_graph"] = [pyoxigraph.NamedNode(g) for g in request.default_graphs]
        options["named_graphs"] = [pyoxigraph.NamedNode(g) for g in request.named_graphs]
    body, truncated = formats.write_results(store.query(request.sparql, **options), request.media_type, max_rows)
    return QueryResult(body, request.media_type, truncated)


def _send(stream: BinaryIO, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("!I", len(data)) + data)
    stream.flush()


def _receive(stream: BinaryIO) -> Any:
    header = stream.read(4)
    if len(header) < 4:
        raise EOFError("the worker closed its pipe")
    (size,) = struct.unpack("!I", header)
    return pickle.loads(stream.read(size))


def worker_main(store_path: str, max_rows: int) -> None:
    """A worker process: answer requests from standard input on standard output until it closes.

    Only the parent process writes to the pipe, so unpickling its messages is safe."""
    store = pyoxigraph.Store.read_only(store_path)
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            request = _receive(requests)
        except EOFError:
            return
        try:
            reply: tuple[str, object] = ("ok", _run(store, request, max_rows))
        except SyntaxError as error:
            reply = ("syntax", str(error))
        except Exception as error:  # reported to the client as a 400 with the engine's words
            reply = ("error", f"{type(error).__name__}: {error}")
        _send(replies, reply)


class _Worker:
    """A separate Python process (not multiprocessing: it must not re-import the caller's __main__)."""

    def __init__(self, store_path: str, max_rows: int):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg.store.embedded", store_path, str(max_rows)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.requests: BinaryIO = self.process.stdin
        self.replies: BinaryIO = self.process.stdout

    def send(self, request: QueryRequest) -> None:
        _send(self.requests, request)

    def wait_readable(self, timeout: float) -> bool:
        readable, _, _ = select.select([self.replies], [], [], timeout)
        return bool(readable)

    def receive(self) -> Any:
        return _receive(self.replies)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=5)
        for stream in (self.requests, self.replies):
            with contextlib.suppress(OSError):
                stream.close()


class EmbeddedStore:
    """Queries the build's on-disk Oxigraph store through a pool of killable worker processes."""

    def __init__(self, build: Build, settings: Settings):
        self.build = build
        self.settings = settings
        self._idle: list[_Worker] = []
        self._count = 0
        self._closed = False
        self._condition = threading.Condition()
        # Open once in this process too: it fails fast, with the engine's message, on a bad store.
        pyoxigraph.Store.read_only(str(build.store_path))
        for _ in range(min(WARM_WORKERS, settings.query_workers)):
            self._idle.append(self._spawn())

    def _spawn(self) -> _Worker:
        self._count += 1
        return _Worker(str(self.build.store_path), self.settings.max_rows)

    def _acquire(self, deadline: float) -> _Worker:
        with self._condition:
            while True:
                if self._closed:
                    raise QueryRefused(503, "the server is shutting down")
                if self._idle:
                    return self._idle.pop()
                if self._count < self.settings.query_workers:
                    return self._spawn()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryRefused(
                        503, f"all {self.settings.query_workers} query workers are busy; try again shortly"
                    )
                self._condition.wait(remaining)

    def _release(self, worker: _Worker) -> None:
        with self._condition:
            if self._closed:
                worker.kill()
                return
            self._idle.append(worker)
            self._condition.notify()

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._condition:
            self._count -= 1
            if not self._closed and len(self._idle) < WARM_WORKERS:
                self._idle.append(self._spawn())
            self._condition.notify()

    def execute(self, request: QueryRequest) -> QueryResult:
        timeout = self.settings.query_timeout
        # Waiting for a free worker and running the query each get the whole time limit:
        # under load, a healthy query must not be stopped for time it spent in the queue.
        worker = self._acquire(time.monotonic() + timeout)
        deadline = time.monotonic() + timeout
        try:
            worker.send(request)
            if not worker.wait_readable(max(0.0, deadline - time.monotonic())):
                self._discard(worker)
                raise QueryRefused(
                    504,
                    f"the query was stopped after the {timeout:g} s time limit; add a LIMIT, "
                    "narrow the patterns, or avoid cross products",
                )
            status, payload = worker.receive()
        except (EOFError, OSError, BrokenPipeError):
            self._discard(worker)
            raise QueryRefused(
                500, "the query worker died while answering; the query may use too much memory"
            ) from None
        self._release(worker)
        if status == "ok":
            return payload
        if status == "syntax":
            raise QueryRefused(400, f"SPARQL syntax error: {payload}")
        raise QueryRefused(400, f"the query could not be evaluated: {payload}")

    def version(self) -> str:
        return self.build.version

    def describe(self) -> dict[str, object]:
        return {"engine": "Oxigraph (embedded)", "pid": os.getpid(), **self.build.manifest}

    def close(self) -> None:
        with self._condition:
            self._closed = True
            idle, self._idle = self._idle, []
            self._condition.notify_all()
        for worker in idle:
            worker.kill()


if __name__ == "__main__":
    worker_main(sys.argv[1], int(sys.argv[2]))
