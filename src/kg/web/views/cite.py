"""``/api/cite``: how to cite a fact, an entity or a report (APA, Chicago, BibTeX, RIS, CSL-JSON).

Without ``format`` the answer is JSON with every format (what the Cite dialog of static/js/cite.js
shows); with ``format`` it is that one citation in its own media type, for reference managers and
``curl``. The citation comes from the store (``kg.cite.gather``), so it works on every store."""

from __future__ import annotations

import pyoxigraph
from flask import Blueprint, Response, request

from kg import cite
from kg.errors import QueryRefused
from kg.web.context import get_store
from kg.web.renderers import render_json

blueprint = Blueprint("cite", __name__, url_prefix="/api")

MEDIA_TYPES = {
    "apa": "text/plain; charset=utf-8",
    "chicago": "text/plain; charset=utf-8",
    "bibtex": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "csl-json": "application/vnd.citationstyles.csl+json; charset=utf-8",
}


def citable(iri: str) -> cite.Citable:
    """What ``iri`` is cited by, or a 400 (not an IRI) or 404 (nothing to cite) that says why."""
    if not iri:
        raise QueryRefused(400, "give the IRI of a fact, entity or report to cite: /api/cite?iri=…")
    try:
        pyoxigraph.NamedNode(iri)
    except ValueError:
        raise QueryRefused(400, f"not an absolute IRI: {iri!r}; give the IRI of a fact, entity or report") from None
    found = cite.gather(get_store(), iri)
    if found is None:
        raise QueryRefused(
            404, f"nothing to cite at {iri}: it is no fact, entity or report of this graph (or has no quoted source)"
        )
    return found


@blueprint.get("/cite")
def citation() -> Response:
    style = request.args.get("format")
    if style is not None and style not in cite.FORMATS:
        raise QueryRefused(400, f"no citation format {style!r}; use one of: {', '.join(cite.FORMATS)}")
    found = citable(request.args.get("iri", "").strip())
    if style is not None:
        return Response(cite.render(found, style), content_type=MEDIA_TYPES[style])
    return render_json(
        {
            "iri": found.iri,
            "kind": found.kind,
            "label_zh": found.label_zh,
            "label_en": found.label_en,
            "report": found.report_iri,
            "quote": found.quote,
            "sentence": found.sentence,
            "sentence_en": found.sentence_en,
            "accessed": found.accessed.isoformat(),
            "formats": {name: cite.render(found, name) for name in cite.FORMATS},
        }
    )
