"""An external SPARQL 1.1 server as the store (Oxigraph server, Virtuoso, Apache Jena Fuseki …).

Queries are forwarded after the same safety guard as the embedded store (``kg.sparql.guard``: no
update, no SERVICE), plus one rule for engines with extensions of their own: only the functions of
SPARQL 1.1 are forwarded (Virtuoso runs ``<bif:http_get>(…)`` for anonymous users, a request to
any URL from the server). They are sent as an HTML form POST (every server reads it; Virtuoso 7.2
never answers a direct ``application/sparql-query`` POST), answered in SPARQL JSON or N-Triples,
and re-serialised by the same code as the embedded store, so a result reads the same on every
engine and its rows can be counted.

Answers are complete or refused: a server that stopped a query at its own time limit and sent what
it had (Virtuoso's "anytime" results, ``X-SQL-State: S1TAT``) gives a 504, and a server that cuts
results at a row cap of its own (Virtuoso's ``ResultSetMaxRows``, found at start-up by a probe,
and its ``X-SPARQL-MaxRows`` header) gives a 413 for any answer that reaches the cap.

The dataset. ``kg publish`` writes the build version into ``<base>graph/build``, with the named
graphs of the build and, on a server whose default graph cannot be written (Virtuoso's default
graph is every graph it holds, its system graphs too, as a bag), the named graph that holds the
union. Then every query is sent with an explicit dataset, so the default graph is that union (a
set) and ``GRAPH ?g`` ranges over our graphs only, as on the embedded store; a query with FROM or
protocol graphs gets exactly those, and an empty named (or default) graph set is sent as a graph
that does not exist, since Virtuoso reads "no named graphs" as "every graph". Caches in the web
layer are keyed by the version, so a new publish invalidates them.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph

from kg.config import Settings
from kg.errors import QueryRefused, too_many_rows
from kg.namespaces import GRAPH, ID, KG, PREFIXES
from kg.sparql import formats
from kg.sparql.guard import QueryInfo, inspect
from kg.store.base import QueryRequest, QueryResult, Rows, execute_by_stream, graph_of_ntriples, lexical, within

if TYPE_CHECKING:
    from rdflib import Graph

BUILD_GRAPH = str(GRAPH["build"])
BUILD_NODE = str(ID["build"])
# A graph no store holds: the dataset of a query that names no named graphs (or no default graph).
NO_GRAPH = str(GRAPH["none"])
VERSION_TTL_SECONDS = 2.0
# An answer is read whole (its rows are counted against the server's own cap before any is passed
# on); a larger one is refused, never cut.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
# How many rows the start-up probe asks a Virtuoso for, to find its ResultSetMaxRows. With no cap
# found up to here, a larger answer from that server cannot be told complete and is refused.
PROBE_ROWS = 100_001
# The start-up probe is the server's check, not a user's query: it gets this long even when the
# operator's query time limit is shorter (a 100,001-row answer takes a few seconds on a busy machine).
PROBE_SECONDS = 60.0
CHUNK_BYTES = 256 * 1024
XSD = "http://www.w3.org/2001/XMLSchema#"
# The only functions named by IRI in SPARQL 1.1: the XSD constructor casts (section 17.5).
STANDARD_FUNCTIONS = frozenset(
    XSD + name for name in ("boolean", "double", "float", "decimal", "integer", "dateTime", "string")
)


@dataclass(frozen=True)
class Publication:
    """What ``kg publish`` recorded in the build graph."""

    version: str
    graphs: tuple[str, ...] = ()
    union_graph: str | None = None


@dataclass(frozen=True)
class _Answer:
    body: bytes
    headers: dict[str, str]


class RemoteStore:
    def __init__(self, url: str, settings: Settings):
        self.url = url
        self.settings = settings
        self._lock = threading.Lock()
        self._publication: tuple[float, Publication] | None = None
        self._description: tuple[str, dict[str, Any]] | None = None
        self.is_virtuoso = False
        self.server_row_cap: int | None = None
        self.publication()  # fail fast, with a clear message, when the server is not there
        self.server_row_cap = self._probe_row_cap()

    # ------------------------------------------------------------------ queries

    def stream(self, request: QueryRequest) -> Iterator[bytes]:
        """The whole answer, written by our serialisers in chunks; refusals come before the first."""
        results = self._results(request)
        out = _Pieces()
        try:
            formats.write_results(results, request.media_type, out, 0, PREFIXES)
        except formats.UnencodableResult as error:
            raise QueryRefused(406, str(error)) from None
        yield from out.chunks()

    def select_rows(self, sparql: str, limit: int | None = None) -> Rows:
        results = self._results(QueryRequest(sparql, formats.JSON))
        if not isinstance(results, _Solutions):
            raise ValueError("select_rows() needs a SELECT query")
        variables = tuple(v.value for v in results.variables)
        rows = [{name: term for name, term in zip(variables, row, strict=True) if term is not None} for row in results]
        return within(variables, rows, limit)

    def construct(self, sparql: str) -> Graph:
        results = self._results(QueryRequest(sparql, formats.NTRIPLES))
        return graph_of_ntriples(pyoxigraph.serialize(results, format=pyoxigraph.RdfFormat.N_TRIPLES) or b"")

    def _results(self, request: QueryRequest) -> Any:
        """The server's complete answer, parsed (solutions, a boolean or triples), after every check."""
        info = inspect(request.sparql)
        refuse_extension_functions(info)
        default_graphs, named_graphs = request.default_graphs, request.named_graphs
        sparql = request.sparql
        if self.is_virtuoso and (default_graphs or named_graphs) and info.has_dataset_clause:
            # Protocol graphs replace the query's FROM (SPARQL 1.1 Protocol 2.1.4); Virtuoso adds
            # them to it instead, so the FROM clauses are blanked out of the text it gets.
            sparql = without_from_clauses(sparql, info)
        if info.has_dataset_clause and not (default_graphs or named_graphs):
            # Some servers (Virtuoso; Oxigraph with a server-side union) let their union win over
            # FROM; naming the same graphs as protocol parameters gives FROM its standard meaning.
            default_graphs, named_graphs = info.from_graphs, info.from_named_graphs
        publication = self.publication()
        if publication.union_graph:
            if default_graphs or named_graphs:
                default_graphs, named_graphs = default_graphs or (NO_GRAPH,), named_graphs or (NO_GRAPH,)
            else:
                default_graphs, named_graphs = (publication.union_graph,), publication.graphs or (NO_GRAPH,)
        wire_type = formats.NTRIPLES if info.is_graph else formats.JSON
        answer = self._post(sparql, wire_type, default_graphs, named_graphs)
        results, count = self._parse(answer.body, wire_type)
        if info.form == "ASK" and isinstance(results, _Solutions):
            # Virtuoso 7.2 answers ASK in JSON as a one-column SELECT (?__ASK_RETVAL 1, or no row).
            results, count = any(row and row[0] is not None and row[0].value in ("1", "true") for row in results), 0
        self._refuse_if_cut(answer, count)
        if request.max_rows and count > request.max_rows:
            raise too_many_rows(request.max_rows)
        return results

    def execute(self, request: QueryRequest) -> QueryResult:
        return execute_by_stream(self, request)

    def _refuse_if_cut(self, answer: _Answer, count: int) -> None:
        """A server that may have cut this answer at a row cap of its own: refused, not passed on."""
        if "x-sparql-maxrows" in answer.headers:
            cap = int(answer.headers["x-sparql-maxrows"])
        elif self.server_row_cap is not None and count >= self.server_row_cap:
            cap = self.server_row_cap
        elif self.is_virtuoso and self.server_row_cap is None and count >= PROBE_ROWS:
            raise QueryRefused(
                413,
                f"the answer has {count:,} rows, more than this server was checked to send whole "
                f"({PROBE_ROWS - 1:,}); page through it with ORDER BY, LIMIT and OFFSET",
            )
        else:
            return
        raise QueryRefused(
            413,
            f"the SPARQL server at {self.url} stops every answer at {cap:,} rows (Virtuoso: ResultSetMaxRows "
            f"in the [SPARQL] section of virtuoso.ini), so this answer of {count:,} rows may be incomplete and "
            f"is refused; page through it with ORDER BY and LIMIT below {cap:,}, or raise the server's cap",
        )

    def _post(
        self,
        sparql: str,
        accept: str,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
        server_time_limit: bool = True,
        time_limit: float | None = None,
    ) -> _Answer:
        """One query as an HTML form POST; errors become a QueryRefused a person can act on.
        ``time_limit`` replaces the operator's query time limit (for our own start-up probe)."""
        timeout = self.settings.query_timeout if time_limit is None else time_limit
        if self.is_virtuoso:
            # The same dataset as Virtuoso's own pragmas: given as protocol parameters, 112 graphs made
            # its answer carry more than 100 headers, past what Python's HTTP client reads.
            pragmas = [f"define input:default-graph-uri <{_checked_iri(g)}> " for g in default_graphs]
            pragmas += [f"define input:named-graph-uri <{_checked_iri(g)}> " for g in named_graphs]
            fields = [("query", "".join(pragmas) + sparql)]
        else:
            fields = [("query", sparql)]
            fields += [("default-graph-uri", g) for g in default_graphs]
            fields += [("named-graph-uri", g) for g in named_graphs]
        socket_timeout = timeout
        if self.is_virtuoso and server_time_limit:
            # Virtuoso stops the query itself at our limit (and flags what it sends then as partial),
            # rather than working on after we have hung up; its answer gets a little time to arrive.
            fields.append(("timeout", str(max(1000, int(timeout * 1000)))))
            socket_timeout = timeout + 5
        request = urllib.request.Request(
            self.url,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "kg"},
        )
        try:
            with urllib.request.urlopen(request, timeout=max(1.0, socket_timeout)) as response:
                headers = {name.lower(): value for name, value in response.headers.items()}
                body = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as error:
            self._note_server(error.headers.get("Server", ""))
            raise self._refusal(error.code, error.read(2000).decode("utf-8", "replace")) from None
        except TimeoutError:
            raise QueryRefused(504, f"the query was stopped after the {timeout:g} s time limit") from None
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError):
                raise QueryRefused(504, f"the query was stopped after the {timeout:g} s time limit") from None
            raise QueryRefused(
                503, f"the SPARQL server at {self.url} is not reachable ({reason}); service resumes when it is back"
            ) from None
        self._note_server(headers.get("server", ""))
        if headers.get("x-sql-state") == "S1TAT":
            raise QueryRefused(
                504,
                f"the query was stopped after the {timeout:g} s time limit (the SPARQL server sent the partial "
                "answer it had then, which is refused); add a LIMIT, narrow the patterns, or avoid cross products",
            )
        if len(body) > MAX_RESPONSE_BYTES:
            raise QueryRefused(413, "the result is too large; add a LIMIT")
        return _Answer(body, headers)

    def _note_server(self, server: str) -> None:
        if server.lower().startswith("virtuoso/"):
            self.is_virtuoso = True

    def _refusal(self, status: int, detail: str) -> QueryRefused:
        text = _detail(detail)
        if status == 404:
            return QueryRefused(503, f"the SPARQL server at {self.url} has no endpoint there; check --store")
        # Virtuoso: MaxQueryExecutionTime (SR171), or its time limit hit while it wrote a long answer
        # (then it sends the rows it had, and the error after them).
        if any(marker in detail for marker in ("SR171", "S1T00", "timed out", "result timeout", "S1TAT")):
            return QueryRefused(504, f"the query was stopped after the {self.settings.query_timeout:g} s time limit")
        if "estimated execution time" in text:  # Virtuoso: MaxQueryCostEstimationTime, refused before it starts
            return QueryRefused(
                504,
                "the SPARQL server refused the query: its estimated run time is over the time limit; "
                f"add a LIMIT, narrow the patterns, or avoid cross products ({text})",
            )
        if "SR353" in detail:  # Virtuoso: MaxSortedTopRows
            return QueryRefused(
                413,
                "the SPARQL server sorts at most a fixed number of rows for ORDER BY with LIMIT/OFFSET (Virtuoso: "
                f"MaxSortedTopRows in [Parameters]); page with a smaller OFFSET + LIMIT ({text})",
            )
        if status == 400 or "SP030" in text or "SP031" in text or "syntax error" in text.lower():
            return QueryRefused(400, f"SPARQL syntax error (reported by the store): {text}")
        return QueryRefused(502, f"the SPARQL server at {self.url} failed with {status}: {text}")

    def _parse(self, body: bytes, wire_type: str) -> tuple[Any, int]:
        """The server's answer as pyoxigraph results, and its number of rows (or triples)."""
        try:
            if wire_type == formats.JSON:
                data = json.loads(body)
                if "boolean" in data:
                    return bool(data["boolean"]), 0
                variables = data["head"]["vars"]
                rows = [[_term(b.get(v)) for v in variables] for b in data["results"]["bindings"]]
                return _Solutions(variables, rows), len(rows)
            triples = [q.triple for q in pyoxigraph.parse(body, pyoxigraph.RdfFormat.N_TRIPLES)]
            return triples, len(triples)
        except (SyntaxError, ValueError, KeyError, TypeError) as error:
            raise QueryRefused(
                502, f"the SPARQL server at {self.url} sent an answer that does not parse: {error}"
            ) from None

    def _probe_row_cap(self) -> int | None:
        """Virtuoso's own row cap (ResultSetMaxRows), when it is below PROBE_ROWS; other servers
        have none (Oxigraph) or say so in a header. One narrow column keeps the probe small."""
        if not self.is_virtuoso:
            return None
        wanted = PROBE_ROWS
        digits = max(1, math.ceil(math.log10(wanted + 1)))
        values = " ".join(str(d) for d in range(10))
        patterns = " ".join(f"VALUES ?d{i} {{ {values} }}" for i in range(digits))
        probe = f"SELECT ?d0 WHERE {{ {patterns} }} LIMIT {wanted}"
        answer = self._post(
            probe, formats.JSON, server_time_limit=False, time_limit=max(self.settings.query_timeout, PROBE_SECONDS)
        )
        _, count = self._parse(answer.body, formats.JSON)
        if "x-sparql-maxrows" in answer.headers:
            return int(answer.headers["x-sparql-maxrows"])
        return count if count < wanted else None

    # ------------------------------------------------------------------ what is published

    def publication(self) -> Publication:
        now = time.monotonic()
        with self._lock:
            if self._publication and now - self._publication[0] < VERSION_TTL_SECONDS:
                return self._publication[1]
        query = (
            f"SELECT ?p ?o WHERE {{ GRAPH <{BUILD_GRAPH}> {{ <{BUILD_NODE}> ?p ?o "
            f"FILTER (?p IN (<{KG.buildVersion}>, <{KG.unionGraph}>, <{KG.publishedGraph}>)) }} }}"
        )
        solutions, _ = self._parse(self._post(query, formats.JSON).body, formats.JSON)
        values: dict[str, list[str]] = {}
        for predicate, value in solutions:
            values.setdefault(predicate.value, []).append(value.value)
        versions = values.get(str(KG.buildVersion), [])
        unions = values.get(str(KG.unionGraph), [])
        publication = Publication(
            versions[0] if versions else "unpublished",
            tuple(sorted(values.get(str(KG.publishedGraph), []))),
            unions[0] if unions else None,
        )
        with self._lock:
            self._publication = (now, publication)
        return publication

    def version(self) -> str:
        return self.publication().version

    def local_build(self) -> None:
        return None

    def _count(self, query: str) -> int:
        rows = self.select_rows(query).rows
        return int(lexical(rows[0]["n"])) if rows else 0

    def describe(self) -> dict[str, Any]:
        version = self.version()
        if self._description and self._description[0] == version:
            return self._description[1]
        graphs = self.select_rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows
        names = sorted(lexical(row["g"]) for row in graphs)
        quads = self._count(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != <{BUILD_GRAPH}>) }}"
        )
        triples = self._count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # the published union, a set
        reports: list[dict[str, Any]] = []
        for name in names:
            if "/graph/report/" in name:
                size = self._count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
                reports.append({"id": name.rsplit("/", 1)[-1], "graph": name, "triples": size})
        description: dict[str, Any] = {
            "engine": f"remote SPARQL server {self.url}",
            "version": version,
            "graphs": names,
            "quads": quads,
            "triples": triples,
            "reports": reports,
        }
        self._description = (version, description)
        return description

    def close(self) -> None:
        return None


class _Pieces:
    """A writer that keeps what is written, to be passed on in chunks of about CHUNK_BYTES."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def chunks(self) -> Iterator[bytes]:
        whole = b"".join(self._parts)
        self._parts = []
        for start in range(0, max(1, len(whole)), CHUNK_BYTES):
            yield whole[start : start + CHUNK_BYTES]


class _Solutions(list):  # type: ignore[type-arg]
    """Parsed solutions that can be read twice (counted, then serialised), shaped like pyoxigraph's."""

    def __init__(self, variables: list[str], rows: list[list[object]]):
        super().__init__(rows)
        self.variables = [pyoxigraph.Variable(v) for v in variables]
        self.rows = rows


def _term(binding: dict[str, str] | None) -> object:
    """A SPARQL JSON term as a pyoxigraph term (Virtuoso's "typed-literal" and "nodeID://…" too)."""
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return pyoxigraph.NamedNode(value)
    if kind == "bnode":
        # Blank node labels are local to one answer; Virtuoso's ("nodeID://b10006") are not valid ids.
        return pyoxigraph.BlankNode("b" + hashlib.sha256(value.encode()).hexdigest()[:24])
    if "xml:lang" in binding:
        return pyoxigraph.Literal(value, language=binding["xml:lang"])
    if "datatype" in binding:
        return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(binding["datatype"]))
    return pyoxigraph.Literal(value)


def _checked_iri(iri: str) -> str:
    """An IRI that can stand between < and > (RFC 3987 excludes these characters from IRIs)."""
    if not iri or any(c in '<>"{}|^`\\' or ord(c) <= 0x20 for c in iri):
        raise QueryRefused(400, f"not a valid graph IRI: {iri[:200]!r}")
    return iri


# A FROM clause as the lexer sees it; the parser found the clauses, and the text surgery below
# must find exactly as many, or the query is refused rather than sent with a dataset half changed.
_LEXEMES = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*",
    re.DOTALL,
)
_FROM_CLAUSE = re.compile(
    r"(?<![\w:?$@\-.])FROM\s+(?:NAMED\s+)?(?:<[^<>\"{}|^`\\\x00-\x20]*>|[A-Za-z_][\w.\-]*:[\w.\-]*|:[\w.\-]*)",
    re.IGNORECASE,
)


def without_from_clauses(query: str, info: QueryInfo) -> str:
    """The query with its ``FROM`` and ``FROM NAMED`` clauses blanked out. Strings and comments are
    masked first, so that a FROM inside them stays; the parser's count of clauses checks the result."""
    masked = _LEXEMES.sub(lambda m: m.group() if m.group().startswith("<") else " " * len(m.group()), query)
    spans = [c.span() for c in _FROM_CLAUSE.finditer(masked)]
    if len(spans) != len(info.from_graphs) + len(info.from_named_graphs):
        raise QueryRefused(
            400,
            "this query's FROM clauses cannot be replaced by the request's dataset parameters on this store; "
            "send either FROM clauses or default-graph-uri / named-graph-uri, not both",
        )
    for start, end in reversed(spans):
        query = query[:start] + " " * (end - start) + query[end:]
    return query


def _detail(text: str) -> str:
    """The server's message without its HTML page around it (Virtuoso wraps errors in <xmp>)."""
    if "<xmp>" in text:
        text = text.split("<xmp>", 1)[1].split("</xmp>", 1)[0]
    text = text.split("SPARQL query:", 1)[0]
    return " ".join(text.split())[:500] or "no detail"


def refuse_extension_functions(info: QueryInfo) -> None:
    """Refuse a query that calls a function outside SPARQL 1.1 (the guard's parse lists them).

    Engines give such IRIs meanings of their own: Virtuoso runs ``<bif:…>`` and ``<sql:…>`` names
    as its built-in procedures, among them ``bif:http_get``, which fetches any URL from the server."""
    for iri in info.functions:
        if iri not in STANDARD_FUNCTIONS:
            raise QueryRefused(
                400,
                f"the function <{iri}> is not part of SPARQL 1.1 and is not forwarded to the external store "
                "(engines give such names powers of their own, such as fetching URLs); use the SPARQL 1.1 "
                "functions and XSD casts",
            )
