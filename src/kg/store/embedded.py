"""The default store: the build's Oxigraph database, queried in killable worker processes.

pyoxigraph has no query timeout, and a Python thread cannot interrupt it, so every query runs in
a worker process that has the store open read-only. A query that outlives the timeout is ended
by killing its worker; a fresh one takes its place. Workers are spawned on demand up to
``query_workers``, so a few runaway queries cannot starve the simple ones, and the operating
system shares the cores between them.

Answers stream: the worker serialises the result as it iterates it and sends it in chunks of
about ``CHUNK_BYTES`` over its pipe, which blocks it when the client reads slowly, so memory stays
bounded whatever the size of the result. The time limit counts the time spent waiting for the
engine, not for the client.

Memory is bounded per query too (``query_memory_mb``): while it waits for a worker, the parent
looks at the worker's private memory (``RssAnon`` in ``/proc/<pid>/status``; file pages of the
store's memory map are shared and not counted) every ``WATCH_SECONDS`` and kills a worker that has
more than the limit; the client gets a 507 that names the limit and what to change in the query.
ORDER BY, GROUP BY and DISTINCT hold every solution in memory, so a cross product under them grows
without bound. As a backstop against growth faster than the sampling, each worker's data segment
is capped at twice the limit (``RLIMIT_DATA``, which counts private writable mappings, not the
store's mapped files): there an allocation fails and the worker ends, reported the same way.

The store follows ``build/``: when a new build is published there, new queries go to a new pool
of workers on the new version, while queries in flight finish on the old pool, which is then
retired. Each pool holds a shared lock on its version directory (:func:`kg.builddir.hold`) so that
``prune`` never removes a version that a server still reads.

This module is also the worker's program (``python -m kg.store.embedded``); it imports neither
rdflib nor Flask, so a worker starts quickly.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph

from kg.builddir import Build, BuildError, hold, open_build, release
from kg.config import Settings
from kg.errors import QueryRefused, too_many_rows
from kg.sparql import formats
from kg.store.base import QueryRequest, QueryResult, Rows, execute_by_stream, graph_of_ntriples, rows_of_json
from kg.store.sandbox import deny_network

if TYPE_CHECKING:
    from rdflib import Graph

log = logging.getLogger("kg.store")

WARM_WORKERS = 2
CHUNK_BYTES = 256 * 1024
# How often, at most, the store looks at where build/ points.
FOLLOW_SECONDS = 0.5
# How often the parent looks at the memory of a worker that is computing.
WATCH_SECONDS = 0.05
# The worker's hard cap on its data segment, as a multiple of the limit the parent enforces.
BACKSTOP_FACTOR = 2
MB = 1024 * 1024

# ---------------------------------------------------------------------------------- the pipe


def _send(stream: IO[bytes], message: object) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    data = memoryview(struct.pack("!I", len(payload)) + payload)
    while data:
        written = stream.write(data)
        data = data[written:] if written is not None else data[len(data) :]
    stream.flush()


def _read(stream: IO[bytes], size: int) -> bytes:
    """Exactly ``size`` bytes (the parent reads its pipes unbuffered, so that ``select`` sees
    every message that has arrived, and an unbuffered read may return less)."""
    parts = []
    while size:
        part = stream.read(size)
        if not part:
            raise EOFError("the worker closed its pipe, or its reply was cut short")
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _receive(stream: IO[bytes]) -> Any:
    (size,) = struct.unpack("!I", _read(stream, 4))
    return pickle.loads(_read(stream, size))


# ---------------------------------------------------------------------------------- the worker


class _Chunks:
    """A binary writer that sends what is written to it in chunks of about CHUNK_BYTES."""

    def __init__(self, replies: IO[bytes]):
        self.replies = replies
        self.buffer = bytearray()

    def write(self, data: bytes) -> int:
        self.buffer += data
        if len(self.buffer) >= CHUNK_BYTES:
            self.send()
        return len(data)

    def flush(self) -> None:
        return None

    def send(self) -> None:
        _send(self.replies, ("chunk", bytes(self.buffer)))
        self.buffer.clear()


def _answer(store: pyoxigraph.Store, request: QueryRequest, prefixes: dict[str, str], out: _Chunks) -> None:
    options: dict[str, Any] = {}
    if request.default_graphs or request.named_graphs:
        options["default_graph"] = [pyoxigraph.NamedNode(g) for g in request.default_graphs]
        options["named_graphs"] = [pyoxigraph.NamedNode(g) for g in request.named_graphs]
    formats.write_results(store.query(request.sparql, **options), request.media_type, out, request.max_rows, prefixes)
    out.send()  # the rest, and at least one chunk for every answer


def _die_with_parent(requests: IO[bytes]) -> None:
    """End this process when the parent's end of the request pipe closes (the parent exited or
    was killed), even while a query runs: pyoxigraph releases the GIL while it evaluates."""

    def watch() -> None:
        poller = select.poll()
        poller.register(requests.fileno(), 0)  # no events asked: poll reports only hang-up and errors
        while True:
            if poller.poll():
                os._exit(0)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def limit_memory(memory_mb: int) -> None:
    """Cap this process's data segment at BACKSTOP_FACTOR times ``memory_mb`` (0: no cap).

    Opening the store read-only takes about 80 MB of it (RocksDB's tables and allocator arenas;
    measured with the store of 1,000 reports too), far below any sensible limit."""
    if memory_mb > 0:
        cap = BACKSTOP_FACTOR * memory_mb * MB
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))


def private_memory(pid: int) -> int | None:
    """The anonymous resident memory of a process in bytes; None where /proc does not tell."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) * 1024
    return None


def worker_main(store_path: str, prefixes: dict[str, str], memory_mb: int) -> None:
    """A worker process: answer requests from standard input on standard output until it closes.

    Only the parent process writes to the pipe, so unpickling its messages is safe."""
    deny_network()  # before the store opens its threads; see kg.store.sandbox
    limit_memory(memory_mb)
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    _die_with_parent(requests)
    store = pyoxigraph.Store.read_only(store_path)
    while True:
        try:
            request = _receive(requests)
        except EOFError:
            return
        out = _Chunks(replies)
        try:
            _answer(store, request, prefixes, out)
            reply: tuple[str, object] = ("end", None)
        except formats.TooManyRows:
            reply = ("too_many", request.max_rows)
        except SyntaxError as error:
            reply = ("syntax", str(error))
        except formats.UnencodableResult as error:
            reply = ("unencodable", str(error))
        except MemoryError:  # the backstop (RLIMIT_DATA) hit in Python code rather than in the engine
            reply = ("memory", None)
        except Exception as error:  # reported to the client as a 400 with the engine's words
            reply = ("error", f"{type(error).__name__}: {error}")
        _send(replies, reply)


# ---------------------------------------------------------------------------------- the parent


class MemoryExceeded(Exception):
    """A worker used more private memory than the limit of one query."""


class _Worker:
    """A separate Python process (not multiprocessing: it must not re-import the caller's __main__)."""

    def __init__(self, store_path: Path, memory_mb: int):
        from kg.namespaces import PREFIXES  # here, not at the top: the worker must not import rdflib

        self.memory_limit = memory_mb * MB
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg.store.embedded", str(store_path), json.dumps(PREFIXES), str(memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.requests: IO[bytes] = self.process.stdin
        self.replies: IO[bytes] = self.process.stdout
        self._last_words = bytearray()
        self._relay = threading.Thread(target=self._relay_stderr, name="worker-stderr", daemon=True)
        self._relay.start()

    def _relay_stderr(self) -> None:
        """Pass the worker's standard error on to ours, keeping its end to tell why it ended."""
        assert self.process.stderr is not None
        for line in self.process.stderr:
            sys.stderr.write(line.decode("utf-8", "replace"))
            self._last_words = (self._last_words + line)[-4096:]
        self.process.stderr.close()

    def send(self, request: QueryRequest) -> None:
        _send(self.requests, request)

    def receive(self, timeout: float) -> tuple[str, Any]:
        """The next message; TimeoutError when the engine needs longer than ``timeout``,
        MemoryExceeded when the worker's private memory goes over its limit meanwhile."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            step = min(remaining, WATCH_SECONDS) if self.memory_limit else remaining
            readable, _, _ = select.select([self.replies], [], [], max(0.0, step))
            if readable:
                message: tuple[str, Any] = _receive(self.replies)
                return message
            if remaining <= step:
                raise TimeoutError
            used = private_memory(self.process.pid)
            if used is not None and used > self.memory_limit:
                raise MemoryExceeded

    def ran_out_of_memory(self) -> bool:
        """Whether a worker that ended had hit its backstop: an allocation failed (the engine's
        allocator says so on standard error, then aborts)."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=1)
        self._relay.join(timeout=1)
        return self.process.poll() == -signal.SIGABRT and (
            b"memory allocation of" in self._last_words or b"bad_alloc" in self._last_words
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=5)
        for stream in (self.requests, self.replies):
            with contextlib.suppress(OSError):
                stream.close()


class _Pool:
    """The worker processes of one build version, and the lock that keeps the version on disk."""

    def __init__(self, build: Build, workers: int, memory_mb: int):
        self.build = build
        self.workers = workers
        self.memory_mb = memory_mb
        self._lock_fd = hold(build.path)
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._starting = 0
        self._retired = False
        self._condition = threading.Condition()

    def warm(self) -> None:
        for _ in range(min(WARM_WORKERS, self.workers)):
            worker = _Worker(self.build.store_path, self.memory_mb)
            with self._condition:
                self._idle.append(worker)

    def _count(self) -> int:
        return len(self._idle) + len(self._busy) + self._starting

    def _acquire(self, deadline: float) -> _Worker:
        dead: list[_Worker] = []
        try:
            return self._take(deadline, dead)
        finally:
            for worker in dead:  # an idle worker that died (killed by the OS): reaped, its place freed
                worker.kill()

    def _take(self, deadline: float, dead: list[_Worker]) -> _Worker:
        with self._condition:
            while True:
                if self._retired:
                    raise QueryRefused(503, "the server is shutting down")
                while self._idle and self._idle[-1].process.poll() is not None:
                    dead.append(self._idle.pop())
                if self._idle:
                    worker = self._idle.pop()
                    self._busy.add(worker)
                    return worker
                if self._count() < self.workers:
                    self._starting += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryRefused(503, f"all {self.workers} query workers are busy; try again shortly")
                self._condition.wait(remaining)
        # Started outside the lock: a process start takes a tenth of a second, and others wait meanwhile.
        try:
            worker = _Worker(self.build.store_path, self.memory_mb)
        except OSError as error:
            with self._condition:
                self._starting -= 1
                self._condition.notify()
            raise QueryRefused(503, f"cannot start a query worker ({error}); try again shortly") from None
        with self._condition:
            self._starting -= 1
            self._busy.add(worker)
        return worker

    @contextlib.contextmanager
    def borrowed(self, deadline: float) -> Iterator[_Worker]:
        """A worker for one exchange. Whatever goes wrong during it (a time-out, a reply cut short,
        a client that went away mid-stream) the worker is killed, never reused, and its place freed."""
        worker = self._acquire(deadline)
        try:
            yield worker
        except BaseException:
            self._remove(worker, kill=True)
            raise
        self._remove(worker, kill=False)

    def _remove(self, worker: _Worker, kill: bool) -> None:
        with self._condition:
            self._busy.discard(worker)
            keep = not kill and not self._retired
            if keep:
                self._idle.append(worker)
            self._condition.notify()
        if not keep:
            worker.kill()
            self._release_if_done()

    def retire(self, kill_busy: bool = False) -> None:
        """No new queries; idle workers end now, busy ones when their query is done (or now)."""
        with self._condition:
            self._retired = True
            ending = self._idle + (list(self._busy) if kill_busy else [])
            self._idle = []
            self._condition.notify_all()
        for worker in ending:
            worker.kill()
        self._release_if_done()

    def _release_if_done(self) -> None:
        with self._condition:
            if not self._retired or self._busy or self._starting or self._lock_fd < 0:
                return
            fd, self._lock_fd = self._lock_fd, -1
        release(fd)


def memory_refusal(memory_mb: int) -> QueryRefused:
    return QueryRefused(
        507,
        f"the query was stopped when it needed more than {memory_mb:,} MB, the memory one query may use "
        "(KG_QUERY_MEMORY_MB): ORDER BY, GROUP BY, DISTINCT and cross products hold every solution at once; "
        "narrow the patterns, put a LIMIT in a subquery, or drop the ORDER BY",
    )


class EmbeddedStore:
    """Queries the build's on-disk Oxigraph store through a pool of killable worker processes."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._switch_lock = threading.Lock()
        self._checked = time.monotonic()
        self._closed = False
        self._pool = self._open_pool(open_build(settings.build_dir))

    def _open_pool(self, build: Build) -> _Pool:
        pool = _Pool(build, self.settings.query_workers, self.settings.query_memory_mb)
        try:
            # Open once in this process too: it fails fast, with the engine's message, on a bad store.
            pyoxigraph.Store.read_only(str(build.store_path))
            if not build.manifest_path.is_file():  # removed by a prune before the lock was taken
                raise BuildError(f"{build.path} was removed")
            pool.warm()
        except BaseException:
            pool.retire(kill_busy=True)
            raise
        return pool

    @property
    def build(self) -> Build:
        return self._current().build

    def _current(self) -> _Pool:
        """The pool of the current build, switching to a new build once it is published."""
        now = time.monotonic()
        if now - self._checked < FOLLOW_SECONDS or self._closed:
            return self._pool
        with self._switch_lock:
            if now - self._checked < FOLLOW_SECONDS:
                return self._pool
            self._checked = now
            old = self._pool
            target = self.settings.build_dir.resolve()
            if target == old.build.path or self._closed:
                return old
            try:
                new = self._open_pool(open_build(self.settings.build_dir))
            except (BuildError, OSError) as problem:  # e.g. pruned between the readlink and the lock
                log.warning("staying on %s: %s", old.build.path.name, problem)
                return old
            self._pool = new
        log.info("now serving %s (version %s)", new.build.path.name, new.build.version)
        old.retire()
        return new

    def stream(self, request: QueryRequest) -> Iterator[bytes]:
        return self._stream(self._current(), request)

    def _stream(self, pool: _Pool, request: QueryRequest) -> Iterator[bytes]:
        timeout = self.settings.query_timeout
        # Waiting for a free worker and running the query each get the whole time limit:
        # under load, a healthy query must not be stopped for time it spent in the queue.
        outcome: tuple[str, Any] = ("end", None)
        with pool.borrowed(time.monotonic() + timeout) as worker:
            engine_time = timeout
            sent = False
            while True:
                started = time.monotonic()
                try:
                    if not sent:
                        worker.send(request)
                        sent = True
                    kind, payload = worker.receive(engine_time)
                except TimeoutError:
                    raise QueryRefused(
                        504,
                        f"the query was stopped after the {timeout:g} s time limit; add a LIMIT, "
                        "narrow the patterns, or avoid cross products",
                    ) from None
                except MemoryExceeded:
                    raise memory_refusal(self.settings.query_memory_mb) from None
                except (EOFError, OSError, ValueError):  # ValueError: its pipe was closed by close()
                    if worker.ran_out_of_memory():
                        raise memory_refusal(self.settings.query_memory_mb) from None
                    raise QueryRefused(
                        500, "the query worker died while answering; the engine failed on this query"
                    ) from None
                engine_time -= time.monotonic() - started
                if kind != "chunk":
                    outcome = (kind, payload)
                    break
                yield payload
        kind, payload = outcome
        if kind == "too_many":
            raise too_many_rows(payload)
        if kind == "syntax":
            raise QueryRefused(400, f"SPARQL syntax error: {payload}")
        if kind == "unencodable":  # the same 406 as the remote store's
            raise QueryRefused(406, str(payload))
        if kind == "memory":
            raise memory_refusal(self.settings.query_memory_mb)
        if kind == "error":
            raise QueryRefused(400, f"the query could not be evaluated: {payload}")

    def execute(self, request: QueryRequest) -> QueryResult:
        return execute_by_stream(self, request)

    def select_rows(self, sparql: str, limit: int | None = None) -> Rows:
        return rows_of_json(self.execute(QueryRequest(sparql, formats.JSON)).body, limit)

    def construct(self, sparql: str) -> Graph:
        return graph_of_ntriples(self.execute(QueryRequest(sparql, formats.NTRIPLES)).body)

    def version(self) -> str:
        return self._current().build.version

    def local_build(self) -> Build:
        return self.build

    def describe(self) -> dict[str, Any]:
        build = self._current().build
        return {"engine": "Oxigraph (embedded)", "pid": os.getpid(), "directory": build.path.name, **build.manifest}

    def close(self) -> None:
        """End every worker now, the busy ones too (their queries fail; the server is stopping)."""
        with self._switch_lock:
            self._closed = True
        self._pool.retire(kill_busy=True)


if __name__ == "__main__":
    worker_main(sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]))
