"""``kg publish``: copy a build into an external store with the SPARQL 1.1 Graph Store Protocol.

A reader never sees half a graph, and a publish that is killed midway leaves every graph either
as it was or fully replaced. The build version is written last (graph ``<base>graph/build``, with
the list of the build's named graphs): until then clients keep the previous version's caches.

- Servers that apply a Graph Store ``PUT`` atomically (Oxigraph): each named graph is replaced with
  one ``PUT``, then the default graph with the union of all graphs (a set: a triple stated by many
  reports is there once), as in the embedded store.
- Virtuoso clears a graph, commits, then loads the new triples in batches, so a reader would see it
  empty or half loaded. There each graph is loaded under a staging name first and moved into place
  with one SPARQL Update ``COPY``, which Virtuoso runs as one transaction (readers see the old
  graph until it commits). Its default graph cannot be written (a query without a dataset sees
  every graph it holds), so the union goes to a named graph of its own version,
  ``<base>graph/union/<version>/<random>``, that the build graph names; ``kg serve --store`` makes it the
  default graph of every query. The previous version's union stays until the next publish, for
  readers that still hold the old version; older ones and left-over staging graphs are dropped.

Credentials (``--user``/``--password``, or ``KG_PUBLISH_USER``/``KG_PUBLISH_PASSWORD``) answer
the server's challenge, digest or basic, as it asks.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterable

import pyoxigraph

from kg.builddir import Build, union_triples
from kg.namespaces import GRAPH, KG
from kg.store.remote import BUILD_GRAPH, BUILD_NODE

UNION_PREFIX = str(GRAPH["union/"])
STAGING_PREFIX = str(GRAPH["staging/"])
# Virtuoso's authenticated SPARQL endpoint (Query and Update), beside its Graph Store endpoints.
VIRTUOSO_UPDATE_PATH = "/sparql-auth"


class PublishError(Exception):
    pass


class _DigestAuth(urllib.request.HTTPDigestAuthHandler):
    """Digest auth that, once challenged, signs every later request up front.

    The standard handler sends each request bare and only answers the 401; a server that closes the
    connection on its 401 (Virtuoso does) then breaks the upload of a large body midway."""

    challenge: dict[str, str] | None = None

    def http_error_auth_reqed(self, auth_header, host, req, headers):  # type: ignore[no-untyped-def]
        challenge = headers.get(auth_header, "")
        if challenge.lower().startswith("digest "):
            pairs = urllib.request.parse_http_list(challenge.split(" ", 1)[1])
            self.challenge = urllib.request.parse_keqv_list(pairs)
        return super().http_error_auth_reqed(auth_header, host, req, headers)

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        if self.challenge and not req.has_header("Authorization"):
            signed = self.get_authorization(req, self.challenge)
            if signed:
                req.add_unredirected_header("Authorization", f"Digest {signed}")
        return req

    https_request = http_request


class _BasicAuth(urllib.request.HTTPBasicAuthHandler):
    """Basic auth that, once challenged, sends the credentials with every later request.

    The standard handler (even with a prior-auth password manager, whose ``add_password`` entry
    for the whole host shadows the later ones) sends each request bare first; a server that closes
    the connection on its 401 without reading the body then breaks the upload of a large graph."""

    challenged = False

    def __init__(self, passwords: urllib.request.HTTPPasswordMgr, user: str, password: str):
        super().__init__(passwords)
        self._token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")

    def http_error_401(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        if headers.get("WWW-Authenticate", "").lower().startswith("basic"):
            self.challenged = True
        return super().http_error_401(req, fp, code, msg, headers)

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        if self.challenged and not req.has_header("Authorization"):
            req.add_unredirected_header("Authorization", f"Basic {self._token}")
        return req

    https_request = http_request


class GraphStore:
    """A Graph Store Protocol endpoint, answering its authentication challenge (digest or basic)."""

    def __init__(self, url: str, user: str = "", password: str = "", timeout: float = 600):
        self.url = url
        self.timeout = timeout
        self.server = ""
        handlers: list[urllib.request.BaseHandler] = []
        if user:
            # Basic credentials go out up front only after the server asked for them once.
            passwords = urllib.request.HTTPPasswordMgrWithPriorAuth()
            parts = urllib.parse.urlsplit(url)
            passwords.add_password(None, f"{parts.scheme}://{parts.netloc}/", user, password)
            # Digest is tried first (it runs before basic); each answers only its own challenge.
            handlers += [_DigestAuth(passwords), _BasicAuth(passwords, user, password)]
        self._opener = urllib.request.build_opener(*handlers)

    @property
    def is_virtuoso(self) -> bool:
        return self.server.lower().startswith("virtuoso/")

    def _send(self, request: urllib.request.Request, what: str, retry: bool = True) -> bytes:
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                self.server = response.headers.get("Server", self.server)
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as error:
            self.server = error.headers.get("Server", self.server)
            if error.code == 404 and request.get_method() == "GET":
                return b""
            detail = error.read(2000).decode("utf-8", "replace")
            if "<xmp>" in detail:  # Virtuoso's error page: the message is in <xmp>
                detail = detail.split("<xmp>", 1)[1].split("</xmp>", 1)[0]
            hint = ""
            if error.code in (401, 403):
                hint = (
                    "; the server wants credentials with the right to write graphs: pass --user and --password "
                    "(or KG_PUBLISH_USER / KG_PUBLISH_PASSWORD); Virtuoso: publish to /sparql-graph-crud-auth "
                    "as a user with the SPARQL_UPDATE role"
                )
            raise PublishError(f"{what} failed with {error.code}: {' '.join(detail.split())[:500]}{hint}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            if retry and request.data is not None and isinstance(reason, (BrokenPipeError, ConnectionResetError)):
                # The server refused the body before reading it (an auth challenge, a stale nonce):
                # take its challenge on a request without a body, then send the body once more.
                self._send(urllib.request.Request(self._graph_url(BUILD_GRAPH)), f"GET {BUILD_GRAPH}", retry=False)
                return self._send(request, what, retry=False)
            raise PublishError(
                f"cannot reach the Graph Store endpoint {self.url} ({getattr(error, 'reason', error)}); "
                "is the server running, and is this its Graph Store Protocol URL (Oxigraph: /store; "
                "Virtuoso: /sparql-graph-crud-auth)?"
            ) from None

    def _graph_url(self, graph: str | None) -> str:
        separator = "&" if "?" in self.url else "?"
        return f"{self.url}{separator}{urllib.parse.urlencode({'graph': graph}) if graph else 'default'}"

    def get(self, graph: str) -> bytes:
        """The graph as N-Triples (empty when the server has no such graph)."""
        request = urllib.request.Request(self._graph_url(graph), headers={"Accept": "application/n-triples"})
        return self._send(request, f"GET {graph} from {self.url}")

    def put(self, graph: str | None, body: bytes) -> None:
        """Replace the named graph ``graph`` (the default graph when None) with ``body``."""
        request = urllib.request.Request(
            self._graph_url(graph), data=body, method="PUT", headers={"Content-Type": "application/n-triples"}
        )
        self._send(request, f"PUT {graph or 'the default graph'} to {self.url}")

    def sparql(self, operation: str, *, update: bool) -> bytes:
        """A SPARQL Update (or a query) on Virtuoso's authenticated endpoint beside the Graph Store."""
        parts = urllib.parse.urlsplit(self.url)
        endpoint = urllib.parse.urlunsplit((parts.scheme, parts.netloc, VIRTUOSO_UPDATE_PATH, "", ""))
        body = urllib.parse.urlencode({"update" if update else "query": operation}).encode()
        request = urllib.request.Request(
            endpoint,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
        )
        return self._send(request, f"SPARQL {'update' if update else 'query'} at {endpoint}")


def ntriples(triples: Iterable[pyoxigraph.Triple]) -> bytes:
    return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""


def build_record(build: Build, graphs: list[str], union_graph: str | None) -> bytes:
    """The build graph: the version, the build's named graphs, and where the union lives."""
    lines = [f'<{BUILD_NODE}> <{KG.buildVersion}> "{build.version}" .']
    lines += [f"<{BUILD_NODE}> <{KG.publishedGraph}> <{name}> ." for name in graphs]
    if union_graph:
        lines.append(f"<{BUILD_NODE}> <{KG.unionGraph}> <{union_graph}> .")
    return ("\n".join(lines) + "\n").encode()


def publish_build(
    build: Build,
    gsp_url: str,
    progress: Callable[[str], None] | None = None,
    user: str = "",
    password: str = "",
) -> int:
    """Replace every named graph of the build on the server; return the number of graphs written."""
    say = progress or (lambda message: None)
    store = GraphStore(gsp_url, user, password)
    previous = store.get(BUILD_GRAPH)  # also tells which server this is
    graphs: dict[str, list[pyoxigraph.Triple]] = defaultdict(list)
    for quad in pyoxigraph.parse(path=str(build.dataset_path), format=pyoxigraph.RdfFormat.N_QUADS):
        graphs[quad.graph_name.value].append(quad.triple)
    names = sorted(graphs)
    union = {quad.triple for quad in union_triples(build.dataset_path)}
    if store.is_virtuoso:
        _publish_virtuoso(store, build, graphs, union, previous, say)
    else:
        for number, name in enumerate(names, start=1):
            say(f"PUT {number}/{len(names)} {name} ({len(graphs[name]):,} triples)")
            store.put(name, ntriples(graphs[name]))
        say(f"PUT the union of all graphs as the default graph ({len(union):,} triples)")
        store.put(None, ntriples(union))
        store.put(BUILD_GRAPH, build_record(build, names, None))
    say(f"published version {build.version} to {gsp_url}")
    return len(names)


def _staging(graph: str) -> str:
    return STAGING_PREFIX + hashlib.sha256(graph.encode()).hexdigest()[:24]


def _replace_atomically(store: GraphStore, graph: str, body: bytes) -> None:
    """Load under a staging name, then COPY into place in one transaction (Virtuoso)."""
    staging = _staging(graph)
    store.put(staging, body)
    store.sparql(f"COPY <{staging}> TO <{graph}> ; DROP SILENT GRAPH <{staging}>", update=True)


def _publish_virtuoso(
    store: GraphStore,
    build: Build,
    graphs: dict[str, list[pyoxigraph.Triple]],
    union: set[pyoxigraph.Triple],
    previous: bytes,
    say: Callable[[str], None],
) -> None:
    names = sorted(graphs)
    for number, name in enumerate(names, start=1):
        say(f"load {number}/{len(names)} {name} ({len(graphs[name]):,} triples) and COPY it into place")
        _replace_atomically(store, name, ntriples(graphs[name]))
    # A new name at every publish, even of the same build: the union in use is never written to.
    union_graph = f"{UNION_PREFIX}{build.version}/{secrets.token_hex(4)}"
    say(f"PUT the union of all graphs ({len(union):,} triples) as {union_graph}")
    store.put(union_graph, ntriples(union))
    _replace_atomically(store, BUILD_GRAPH, build_record(build, names, union_graph))
    kept = {union_graph}
    for triple in pyoxigraph.parse(previous, pyoxigraph.RdfFormat.N_TRIPLES) if previous else ():
        if triple.predicate.value == str(KG.unionGraph):
            kept.add(triple.object.value)
    listing = store.sparql(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER (STRSTARTS(STR(?g), "{UNION_PREFIX}") || STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }}',
        update=False,
    )
    stale = sorted({b["g"]["value"] for b in json.loads(listing)["results"]["bindings"]} - kept)
    for graph in stale:
        say(f"drop {graph} (an older union or a staging graph left by an interrupted publish)")
        store.sparql(f"DROP SILENT GRAPH <{graph}>", update=True)
