"""Read-only safety rules applied to every query before any store sees it, decided by parsing.

Each query is parsed with rdflib's SPARQL 1.1 grammar (the parse tree rdflib's algebra is built
from) and refused if the tree holds a ``SERVICE`` pattern anywhere: in a subquery, ``EXISTS``,
``OPTIONAL``, ``UNION``, ``MINUS``, ``GRAPH`` or a ``BIND`` expression. A text that is not a query is
refused too: an update is a 403 (the endpoint is read-only), anything else a 400 with the parser's
message. Nothing that fails to parse ever reaches a store, so no store, embedded or remote, runs a
federated call or an update that the guard did not see.

The parse must see what every engine sees, so three things happen before it:

* ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes are decoded everywhere, as the Recommendation says (§19.2):
  ``\\u0053ERVICE`` is ``SERVICE``. Some engines (Oxigraph) decode them only inside strings and
  IRIs, where they are text; an escape that encodes SPARQL syntax (a quote, ``>``, ``#``, ``{``,
  white space …) would be syntax to one engine and text to another, so it is refused.
* A lone carriage return ends a comment for Oxigraph and the Recommendation, not for rdflib's
  grammar, so the guard parses a copy with CR turned into LF (the same tokens in every other place).
* NUL characters are refused outright.
"""

from __future__ import annotations

import re
import sys
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import Query as QUERY_GRAMMAR
from rdflib.plugins.sparql.parser import UpdateUnit as UPDATE_GRAMMAR
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef

from kg.errors import QueryRefused

CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
IRI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}

READ_ONLY = (
    "this endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP, …) are refused; "
    "change the curated data and run 'kg build' instead"
)
NO_SERVICE = (
    "SERVICE (federated query) is not allowed: this endpoint never contacts other servers; "
    "query the other endpoint directly"
)

# rdflib's grammar recurses about 15 Python frames per triple pattern: at Python's default limit a
# query with 60 patterns would fail. Parsing runs in one thread of its own (pyparsing is not thread
# safe) with a stack large enough for the raised limit.
RECURSION_LIMIT = 20_000
PARSER_STACK_BYTES = 256 * 1024 * 1024
CACHE_ENTRIES = 512
CACHE_MAX_CHARS = 64 * 1024


@dataclass(frozen=True)
class QueryInfo:
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    # FROM / FROM NAMED name the dataset; they only ever name graphs already in the store.
    from_graphs: tuple[str, ...] = ()
    from_named_graphs: tuple[str, ...] = ()
    # True when some IRI of the query is relative and the query gives no BASE of its own to resolve it.
    needs_service_base: bool = False
    # The IRIs of the functions the query calls by name (XSD casts, or an engine's extensions).
    functions: tuple[str, ...] = ()

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")

    @property
    def has_dataset_clause(self) -> bool:
        return bool(self.from_graphs or self.from_named_graphs)


class _Parser:
    """rdflib's grammar, run in one dedicated thread with a large stack."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    def _start(self) -> ThreadPoolExecutor:
        sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
        previous = threading.stack_size(PARSER_STACK_BYTES)
        try:
            executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sparql-guard")
            executor.submit(lambda: None).result()  # the thread starts now, with the large stack
        finally:
            threading.stack_size(previous)
        return executor

    def parse(self, grammar: Any, text: str) -> ParseResults:
        with self._lock:
            if self._executor is None:
                self._executor = self._start()
            executor = self._executor
        parsed: ParseResults = executor.submit(grammar.parse_string, text, parse_all=True).result()
        return parsed


_parser = _Parser()


def decode_escapes(query: str) -> str:
    """Decode ``\\u``/``\\U`` escapes as the Recommendation does, refusing those that encode syntax."""

    def decode(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryRefused(400, f"{match.group()} is not a Unicode character")
        character = chr(code)
        if code < 0x80 and not character.isalnum():
            raise QueryRefused(
                400,
                f"the escape {match.group()} encodes the SPARQL syntax character {character!r}: engines disagree "
                "on whether such an escape is syntax or text, so it is refused; write the character itself "
                "(inside a string, \\\" \\' \\\\ \\n \\t work)",
            )
        return character

    return CODEPOINT_ESCAPE.sub(decode, query)


def _nodes(tree: object) -> Any:
    """Every node of a parse tree: CompValues, lists, parse results and their leaves."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, CompValue):
            stack.extend(node.values())
        elif isinstance(node, ParseResults | list | tuple):
            stack.extend(node)


def _has_service(tree: object) -> bool:
    return any(isinstance(node, CompValue) and node.name == "ServiceGraphPattern" for node in _nodes(tree))


def _needs_service_base(prologue: ParseResults, tree: object) -> bool:
    """Some IRI is relative and no absolute BASE opens the query's own prologue to resolve it.

    (A query that opens with its own BASE gets no second one: the first one would not count, and
    some engines, Virtuoso among them, refuse a BASE that is not the prologue's first declaration.)"""
    first = prologue[0] if len(prologue) else None
    if isinstance(first, CompValue) and first.name == "Base" and IRI_SCHEME.match(str(first.iri)):
        return False
    return any(isinstance(node, URIRef) and not IRI_SCHEME.match(node) for node in _nodes(tree))


def _syntax_error(error: ParseBaseException, kind: str = "SPARQL syntax error") -> QueryRefused:
    return QueryRefused(400, f"{kind} at line {error.lineno}, column {error.col}: {error.msg} (near {error.line!r})")


def _parse(grammar: Any, text: str) -> ParseResults:
    try:
        return _parser.parse(grammar, text)
    except RecursionError:
        raise QueryRefused(400, "the query is nested too deeply for the safety check; simplify it") from None


def _analyse(query: str) -> QueryInfo:
    if "\x00" in query:
        raise QueryRefused(400, "the query contains a NUL character")
    text = decode_escapes(query).replace("\r", "\n")
    try:
        parsed = _parse(QUERY_GRAMMAR, text)
    except ParseBaseException as error:
        refuse_update(query, also_not_a_query=error)
    prologue, body = parsed[0], parsed[1]
    if _has_service(body):
        raise QueryRefused(400, NO_SERVICE)
    try:
        names = translatePrologue(prologue, None)
        dataset = [
            (clause.named is not None, str(names.absolutize(clause.named or clause.default)))
            for clause in body.datasetClause or ()
        ]
        functions = sorted(
            {
                str(names.absolutize(node.iri))
                for node in _nodes(body)
                if isinstance(node, CompValue) and node.name == "Function"
            }
        )
    except Exception as error:  # an undeclared prefix in FROM or in a function name
        raise QueryRefused(400, f"SPARQL syntax error: {error}") from None
    return QueryInfo(
        FORMS[body.name],
        tuple(iri for named, iri in dataset if not named),
        tuple(iri for named, iri in dataset if named),
        _needs_service_base(prologue, parsed),
        tuple(functions),
    )


class _Cache:
    """The verdict (QueryInfo or the refusal) for recent query texts: parsing costs milliseconds."""

    def __init__(self, entries: int):
        self.entries = entries
        self._lock = threading.Lock()
        self._items: OrderedDict[str, QueryInfo | QueryRefused] = OrderedDict()

    def get(self, key: str) -> QueryInfo | QueryRefused | None:
        with self._lock:
            verdict = self._items.get(key)
            if verdict is not None:
                self._items.move_to_end(key)
            return verdict

    def put(self, key: str, verdict: QueryInfo | QueryRefused) -> None:
        with self._lock:
            self._items[key] = verdict
            while len(self._items) > self.entries:
                self._items.popitem(last=False)


_cache = _Cache(CACHE_ENTRIES)


def inspect(query: str) -> QueryInfo:
    """Classify a query and refuse what a read-only, non-federating endpoint must never run."""
    verdict = _cache.get(query)
    if verdict is None:
        try:
            verdict = _analyse(query)
        except QueryRefused as refused:
            verdict = refused
        if len(query) <= CACHE_MAX_CHARS:
            _cache.put(query, verdict)
    if isinstance(verdict, QueryRefused):
        raise QueryRefused(verdict.status, verdict.message)
    return verdict


def refuse_update(update: str, also_not_a_query: ParseBaseException | None = None) -> None:
    """Refuse an update: 403 when it is one (read-only endpoint), 400 with the parser's message if not.

    With ``also_not_a_query`` (the text failed as a query), the text is refused as a query unless it
    parses as an update."""
    text = decode_escapes(update).replace("\r", "\n")
    try:
        operations = _parse(UPDATE_GRAMMAR, text)[0].request
    except ParseBaseException as error:
        if also_not_a_query is not None:
            raise _syntax_error(also_not_a_query) from None
        raise _syntax_error(error, "SPARQL update syntax error") from None
    if not operations and also_not_a_query is not None:  # "" or a lone comment is an empty update
        raise _syntax_error(also_not_a_query)
    raise QueryRefused(403, READ_ONLY)
