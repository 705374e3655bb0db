"""Read models are pure functions of the build: each is computed once per store version."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from kg.store.base import Store

T = TypeVar("T")


class VersionedCache:
    """Values keyed by name, dropped together when the store's version changes (a new build)."""

    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self._version: str | None = None
        self._values: dict[str, Any] = {}

    def get(self, key: str, compute: Callable[[], T]) -> T:
        version = self.store.version()
        with self._lock:
            if version != self._version:
                self._values, self._version = {}, version
            if key in self._values:
                found: T = self._values[key]
                return found
        result = compute()
        with self._lock:
            if version == self._version:
                self._values[key] = result
        return result
