"""OpenLink Virtuoso (Debian's virtuoso-opensource-7-bin) as a real external store for the tests.

One server per test session, started without interaction from an ini in a temporary folder: its
database, SQL port and HTTP port bind 127.0.0.1 only, and it is stopped by the tests. If the test
process dies first, the kernel kills the server too (PR_SET_PDEATHSIG), so it never outlives us.

The server is set up as in docs/external-stores.md: anonymous read-only SPARQL at /sparql, a
publishing account with the SPARQL_UPDATE role (digest auth at /sparql-graph-crud-auth), the
dba password changed from its well-known default, and result caps configured: ResultSetMaxRows
above the tests' row cap and MaxQueryExecutionTime as a backstop behind our own time limit.
"""

from __future__ import annotations

import ctypes
import secrets
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from kg.builddir import Build
from kg.config import Settings

VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
ISQL = shutil.which("isql-vt") or "/usr/bin/isql-vt"
PUBLISHER = "kgpublish"
# Above our default KG_MAX_ROWS (10,000; the tests use 1,000): our own cap is what clients meet first.
RESULT_SET_MAX_ROWS = 20000
MAX_QUERY_EXECUTION_SECONDS = 30
PR_SET_PDEATHSIG = 1


def available() -> bool:
    return Path(VIRTUOSO).exists() and Path(ISQL).exists()


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
ServerThreads = 20
CheckpointInterval = 60
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
DirsAllowed = {folder}
# ORDER BY with LIMIT/OFFSET sorts at most this many rows (Virtuoso's default is 10,000).
MaxSortedTopRows = 100000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 10
MaxClientConnections = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {max_seconds}
# Off: its estimates misfire (it refused a 2 s query as "0 (sec) exceeds the limit of 400");
# MaxQueryExecutionTime and the time limit kg serve sends with each query stop runaways instead.
MaxQueryCostEstimationTime = 0
DefaultQuery = ASK {{}}
"""


class VirtuosoServer:
    """A Virtuoso server on 127.0.0.1 in ``folder``; ``start_seconds`` is how long it took to answer."""

    def __init__(
        self,
        folder: Path,
        http_port: int,
        sql_port: int,
        *,
        max_rows: int = RESULT_SET_MAX_ROWS,
        max_seconds: int = MAX_QUERY_EXECUTION_SECONDS,
        buffers: int = 20000,
    ):
        self.folder = folder
        self.http_port = http_port
        self.sql_port = sql_port
        self.base = f"http://127.0.0.1:{http_port}"
        self.password = secrets.token_hex(12)
        folder.mkdir(parents=True, exist_ok=True)
        ini = folder / "virtuoso.ini"
        ini.write_text(
            INI.format(
                folder=folder,
                sql_port=sql_port,
                http_port=http_port,
                buffers=buffers,
                dirty_buffers=buffers * 3 // 4,
                max_rows=max_rows,
                max_seconds=max_seconds,
            ),
            encoding="utf-8",
        )
        started = time.monotonic()
        self.process = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            cwd=folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        try:
            self._wait()
            self._set_up_accounts()
        except Exception:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - started

    @property
    def query_url(self) -> str:
        return self.base + "/sparql"

    @property
    def store_url(self) -> str:
        return self.base + "/sparql-graph-crud-auth"

    @property
    def credentials(self) -> dict[str, str]:
        return {"user": PUBLISHER, "password": self.password}

    def log(self) -> str:
        path = self.folder / "virtuoso.log"
        return path.read_text(encoding="utf-8", errors="replace")[-3000:] if path.exists() else ""

    def _wait(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"Virtuoso did not answer within {timeout} s:\n{self.log()}")

    def isql(self, *statements: str, password: str | None = None) -> str:
        """Run SQL statements with isql-vt as dba (the installer's default password at first)."""
        script = "".join(statement.rstrip(";") + ";\n" for statement in statements)
        result = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", password or self.password, "VERBOSE=OFF", "BANNER=OFF"],
            input=script,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0 or "*** Error" in result.stdout + result.stderr:
            raise RuntimeError(f"isql failed: {result.stdout}{result.stderr}")
        return result.stdout

    def _set_up_accounts(self) -> None:
        self.isql(
            f"DB.DBA.USER_CREATE ('{PUBLISHER}', '{self.password}')",
            f'GRANT SPARQL_UPDATE TO "{PUBLISHER}"',
            f"DB.DBA.USER_PASSWORD_SET ('dba', '{self.password}')",
            password="dba",
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# ---------------------------------------------------------------- fixtures (loaded by conftest.py)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory, built: Build) -> Iterator[VirtuosoServer]:
    """One Virtuoso for the whole session, holding the published build."""
    from conftest import free_port
    from kg.publish import publish_build

    if not available():
        pytest.fail("Virtuoso is not installed: `make test` installs Debian's virtuoso-opensource-7-bin")
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"), free_port(), free_port())
    try:
        print(f"\nVirtuoso answered {server.start_seconds:.1f} s after it was started")
        publish_build(built, server.store_url, **server.credentials)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def virtuoso_app(virtuoso_server: VirtuosoServer, settings: Settings) -> Iterator[object]:
    from kg.web import create_app

    application = create_app(replace(settings, store=virtuoso_server.query_url))
    yield application
    application.extensions["kg.store"].close()
