"""The one store interface the web layer talks to, whatever engine is behind it.

An answer is a stream of serialised chunks (:meth:`Store.stream`), so a result of any size is
sent whole with bounded memory; :meth:`Store.execute` joins the chunks for the read models that
need the whole body anyway. Neither ever shortens a result: when the operator sets a row cap
(``QueryRequest.max_rows``), a larger result is refused with :class:`QueryRefused`.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol


class QueryRefused(Exception):
    """A query that will not be answered, with the HTTP status and a message a person can act on."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(message)


def too_many_rows(cap: int) -> QueryRefused:
    return QueryRefused(
        400,
        f"the result has more than {cap:,} rows, the most this server answers in one response: page "
        f"through it with ORDER BY and LIMIT {cap:,} OFFSET n, or download the whole graph at /download/nquads "
        "(all formats: /void)",
    )


@dataclass(frozen=True)
class QueryResult:
    body: bytes
    media_type: str


@dataclass(frozen=True)
class QueryRequest:
    sparql: str
    media_type: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    # The operator's hard cap on rows (SELECT) or triples (CONSTRUCT, DESCRIBE); 0 = the whole result.
    max_rows: int = 0

    def key(self) -> str:
        digest = hashlib.sha256()
        parts = (self.sparql, self.media_type, *self.default_graphs, "|", *self.named_graphs, str(self.max_rows))
        for part in parts:
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\x00")
        return digest.hexdigest()


class Store(Protocol):
    """Read-only SPARQL over the published graph. ``version`` names its content: it changes when
    the data does, and stays the same across a rebuild of unchanged data."""

    def stream(self, request: QueryRequest) -> Iterator[bytes]:
        """The answer in serialised chunks. Refusals (syntax, time limit, row cap) are raised by
        the first ``next()``, before any chunk; a failure after that raises mid-stream."""
        ...

    def execute(self, request: QueryRequest) -> QueryResult: ...

    def version(self) -> str: ...

    def describe(self) -> dict[str, object]: ...

    def close(self) -> None: ...


def execute_by_stream(store: Store, request: QueryRequest) -> QueryResult:
    return QueryResult(b"".join(store.stream(request)), request.media_type)


class QueryCache:
    """Answers to repeated identical queries; keyed by store version, so a new build invalidates it."""

    def __init__(self, entries: int):
        self.entries = entries
        self._lock = threading.Lock()
        self._items: OrderedDict[str, QueryResult] = OrderedDict()

    def get(self, key: str) -> QueryResult | None:
        with self._lock:
            result = self._items.get(key)
            if result is not None:
                self._items.move_to_end(key)
            return result

    def put(self, key: str, result: QueryResult) -> None:
        if self.entries <= 0:
            return
        with self._lock:
            self._items[key] = result
            self._items.move_to_end(key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)
