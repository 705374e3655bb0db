"""Helpers of the endpoint tests: a connection-counting listener, builds of arbitrary data, and the
two ways of serving it (`kg serve` on the embedded store, `kg serve --store` on `oxigraph serve`)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import LiveServer, OxigraphServer, start_server
from kg.builddir import DATASET, content_version, finish, load_store, new_version, open_build, sha256
from kg.publish import publish_build

STORES = ("embedded", "oxigraph-serve")


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection attempt."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


def build_of(out: Path, nquads: bytes) -> Path:
    """A build directory (as `kg build` publishes it) holding exactly these quads."""
    version = new_version(out)
    (version / DATASET).write_bytes(nquads)
    counts = load_store(version, version / DATASET)
    digest = sha256(version / DATASET)
    manifest = {
        "version": content_version(digest),
        "files": {DATASET: digest},
        "quads": counts.quads,
        "triples": counts.triples,
        "reports": [],
    }
    finish(out, version, manifest)
    return out


@contextmanager
def serve(store: str, build: Path, tmp: Path) -> Iterator[LiveServer]:
    """`kg serve` over ``build``: on its embedded store, or on an `oxigraph serve` it was published to."""
    if store == "embedded":
        server = start_server(build)
        try:
            yield server
        finally:
            server.stop()
        return
    oxigraph = OxigraphServer(tmp / "oxigraph-db")
    try:
        publish_build(open_build(build), oxigraph.store_url)
        server = start_server(build, "--store", oxigraph.query_url)
        try:
            yield server
        finally:
            server.stop()
    finally:
        oxigraph.stop()
