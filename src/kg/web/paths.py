"""Where this server shows an IRI (templates, the scorecard's links, Linked Data redirects)."""

from __future__ import annotations

from urllib.parse import quote

from kg.namespaces import BASE


def local_path(iri: str) -> str:
    """Ours by its path (``…/cnkg/id/x`` -> ``/id/x``), others by ``/resource?iri=``."""
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else f"/resource?iri={quote(iri, safe='')}"
