"""``kg publish``: copy a build into an external store with the SPARQL 1.1 Graph Store Protocol.

Each named graph is replaced with one HTTP PUT, which the server applies atomically, so a reader
never sees half a report. The default graph is then replaced by the union of all graphs (a set:
a triple stated by many reports is there once), as in the embedded store. The build version is
written last (graph ``<base>graph/build``): until then clients keep the previous version's
caches, and a publish that is killed midway leaves every graph either as it was or fully replaced.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable

import pyoxigraph

from kg.namespaces import KG
from kg.publish import Build, union_triples
from kg.store.remote import BUILD_GRAPH, BUILD_NODE


class PublishError(Exception):
    pass


def put_graph(gsp_url: str, graph: str | None, body: bytes, timeout: float = 300) -> None:
    """PUT ``body`` as the named graph ``graph`` (the default graph when None)."""
    separator = "&" if "?" in gsp_url else "?"
    target = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    url = f"{gsp_url}{separator}{target}"
    request = urllib.request.Request(url, data=body, method="PUT", headers={"Content-Type": "application/n-triples"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if response.status not in (200, 201, 204):
                raise PublishError(f"PUT {graph} answered {response.status}")
    except urllib.error.HTTPError as error:
        detail = error.read(500).decode("utf-8", "replace")
        raise PublishError(f"PUT {graph} to {gsp_url} failed with {error.code}: {detail}") from None
    except (urllib.error.URLError, OSError) as error:
        raise PublishError(
            f"cannot reach the Graph Store endpoint {gsp_url} ({getattr(error, 'reason', error)}); "
            "is the server running, and is this its Graph Store Protocol URL (Oxigraph: /store)?"
        ) from None


def publish_build(build: Build, gsp_url: str, progress: Callable[[str], None] | None = None) -> int:
    """Replace every named graph of the build on the server; return the number of graphs written."""
    graphs: dict[str, list[pyoxigraph.Triple]] = defaultdict(list)
    for quad in pyoxigraph.parse(path=str(build.dataset_path), format=pyoxigraph.RdfFormat.N_QUADS):
        graphs[quad.graph_name.value].append(quad.triple)
    names = sorted(graphs)
    for number, name in enumerate(names, start=1):
        if progress:
            progress(f"PUT {number}/{len(names)} {name} ({len(graphs[name]):,} triples)")
        put_graph(gsp_url, name, pyoxigraph.serialize(graphs[name], format=pyoxigraph.RdfFormat.N_TRIPLES))
    if progress:
        progress("PUT the union of all graphs as the default graph")
    union = {quad.triple for quad in union_triples(build.dataset_path)}
    put_graph(gsp_url, None, pyoxigraph.serialize(union, format=pyoxigraph.RdfFormat.N_TRIPLES))
    version = f'<{BUILD_NODE}> <{KG.buildVersion}> "{build.version}" .\n'.encode()
    put_graph(gsp_url, BUILD_GRAPH, version)
    if progress:
        progress(f"published version {build.version} to {gsp_url}")
    return len(names)
