"""The one store interface the web layer talks to, whatever engine is behind it.

Two kinds of answer. The endpoint's is a stream of serialised chunks (:meth:`Store.stream`), so a
result of any size is sent whole with bounded memory. The read models' are typed:
:meth:`Store.select_rows` gives the variables and rows as RDF terms (and says whether the rows are
complete), :meth:`Store.construct` an rdflib graph; nobody above the store parses a body. No answer
is ever shortened silently: when the operator sets a row cap (``QueryRequest.max_rows``), a larger
result is refused with :class:`~kg.errors.QueryRefused`.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import pyoxigraph

if TYPE_CHECKING:
    from rdflib import Graph

    from kg.builddir import Build

# A term of a SPARQL result: pyoxigraph's classes, whichever store computed it.
Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple


def lexical(term: Term) -> str:
    """A term's lexical value: the IRI, the blank node id, the literal's text (a quoted triple in N-Triples)."""
    return str(term) if isinstance(term, pyoxigraph.Triple) else term.value


# One solution: its bound variables (an unbound variable is absent, as in SPARQL JSON).
Row = dict[str, Term]


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


@dataclass(frozen=True)
class Rows:
    """A SELECT answer as typed rows. ``complete`` is False only when the caller asked for at most
    ``limit`` rows and there were more: ``rows`` then holds the first ``limit``, and the caller says so."""

    variables: tuple[str, ...]
    rows: list[Row]
    complete: bool = True


class Store(Protocol):
    """Read-only SPARQL over the published graph. ``version`` names its content: it changes when
    the data does, and stays the same across a rebuild of unchanged data."""

    def stream(self, request: QueryRequest) -> Iterator[bytes]:
        """The answer in serialised chunks. Refusals (syntax, time limit, row cap) are raised by
        the first ``next()``, before any chunk; a failure after that raises mid-stream."""
        ...

    def execute(self, request: QueryRequest) -> QueryResult:
        """The whole serialised answer (``kg query``)."""
        ...

    def select_rows(self, sparql: str, limit: int | None = None) -> Rows:
        """A SELECT query's rows as terms; with ``limit``, at most that many (see :class:`Rows`)."""
        ...

    def construct(self, sparql: str) -> Graph:
        """A CONSTRUCT or DESCRIBE query's triples as an rdflib graph."""
        ...

    def version(self) -> str: ...

    def local_build(self) -> Build | None:
        """The build directory this store reads, when it reads one (the embedded store), for the
        downloads; None for a store on another server."""
        ...

    def describe(self) -> dict[str, Any]: ...

    def close(self) -> None: ...


def execute_by_stream(store: Store, request: QueryRequest) -> QueryResult:
    return QueryResult(b"".join(store.stream(request)), request.media_type)


def within(variables: tuple[str, ...], rows: list[Row], limit: int | None) -> Rows:
    """``rows`` as :class:`Rows`, cut to ``limit`` (and flagged incomplete) when there are more."""
    if limit is not None and len(rows) > limit:
        return Rows(variables, rows[:limit], complete=False)
    return Rows(variables, rows)


def rows_of_json(body: bytes, limit: int | None) -> Rows:
    """A SPARQL JSON results document (as our serialiser writes it) as typed rows."""
    solutions = pyoxigraph.parse_query_results(body, format=pyoxigraph.QueryResultsFormat.JSON)
    if isinstance(solutions, pyoxigraph.QueryBoolean):
        raise ValueError("select_rows() needs a SELECT query; this one is an ASK")
    variables = tuple(v.value for v in solutions.variables)
    rows = [{name: term for name, term in zip(variables, solution, strict=True) if term is not None}
            for solution in solutions]  # fmt: skip
    return within(variables, rows, limit)


def graph_of_ntriples(body: bytes) -> Graph:
    """An N-Triples document as an rdflib graph (the form the web layer's RDF renderer takes)."""
    from rdflib import Graph

    return Graph().parse(data=body, format="nt")


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
