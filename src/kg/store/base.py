"""The one store interface the web layer talks to, whatever engine is behind it."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol


class QueryRefused(Exception):
    """A query that will not be answered, with the HTTP status and a message a person can act on."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class QueryResult:
    body: bytes
    media_type: str
    truncated: bool = False


@dataclass(frozen=True)
class QueryRequest:
    sparql: str
    media_type: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    def key(self) -> str:
        digest = hashlib.sha256()
        parts = (self.sparql, self.media_type, *self.default_graphs, "|", *self.named_graphs)
        for part in parts:
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\x00")
        return digest.hexdigest()


class Store(Protocol):
    """Read-only SPARQL over the published graph. ``version`` changes with every new build."""

    def execute(self, request: QueryRequest) -> QueryResult: ...

    def version(self) -> str: ...

    def describe(self) -> dict[str, object]: ...

    def close(self) -> None: ...


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
