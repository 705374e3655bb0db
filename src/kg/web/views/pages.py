"""HTML pages: the explorer, the report reader, charts, the organisation chart, the scorecard, the
query editor, downloads, and the front-end packages installed from npm (served locally: no CDN)."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, send_from_directory

from kg.errors import QueryRefused
from kg.export import FORMATS, export
from kg.web.context import get_settings, get_store, views
from kg.web.paths import local_path
from kg.web.readmodels.commitments import facets
from kg.web.renderers import render_html
from kg.web.views.api import commitment_rows

blueprint = Blueprint("pages", __name__)

# Only these npm packages are served, and only their distribution folders.
VENDOR_FILES = {
    "cytoscape": "dist",
    "cytoscape-fcose": "cytoscape-fcose.js",
    "cose-base": "cose-base.js",
    "layout-base": "layout-base.js",
    "@zazuko/yasgui": "build",
    "chart.js": "dist",
}
DOWNLOAD_TYPES = {
    "turtle": ("text/turtle", "ttl"),
    "nt": ("application/n-triples", "nt"),
    "jsonld": ("application/ld+json", "jsonld"),
    "trig": ("application/trig", "trig"),
    "nquads": ("application/n-quads", "nq"),
    "rdfxml": ("application/rdf+xml", "rdf"),
    "csv": ("text/csv", "csv"),
}


@blueprint.get("/")
def explorer() -> str:
    return render_html("explorer.html", view="explore")


@blueprint.get("/reader/<report_id>")
def reader(report_id: str) -> str:
    return render_html("explorer.html", view="reader", report_id=report_id)


@blueprint.get("/charts")
def charts() -> str:
    return render_html("explorer.html", view="charts")


@blueprint.get("/orgchart")
def orgchart() -> str:
    return render_html("explorer.html", view="orgchart")


blueprint.add_app_template_filter(local_path, "local_path")


@blueprint.get("/commitments")
def commitments_page() -> str:
    """The scorecard: commitments by report, agency and status, each opening both sentences in the reader."""
    every, chosen, wanted = commitment_rows()
    matrix = Counter((row["report"], row["status"]) for row in every)
    return render_html(
        "commitments.html",
        rows=chosen,
        total=len(every),
        facets=facets(every),
        filters=wanted,
        matrix=matrix,
        query_string=urlencode({k: v for k, v in wanted.items() if v}),
        view="commitments",
    )


@blueprint.get("/query")
def query_editor() -> str:
    return render_html("query.html")


@blueprint.get("/download/<fmt>")
def download(fmt: str) -> Response:
    if fmt not in DOWNLOAD_TYPES or fmt not in FORMATS:
        raise QueryRefused(406, f"unknown download format {fmt!r}; available: {', '.join(DOWNLOAD_TYPES)}")
    build = get_store().local_build()
    if build is None:
        raise QueryRefused(404, "downloads are served by the embedded store only; use 'kg export' on the build")
    media_type, extension = DOWNLOAD_TYPES[fmt]
    body = views().get(f"download:{fmt}", lambda: export(build, fmt, get_settings().queries_dir))
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="cnkg-{build.version}.{extension}"'
    return response


@blueprint.get("/vendor/<path:path>")
def vendor(path: str) -> Response:
    for package, allowed in VENDOR_FILES.items():
        prefix = package + "/"
        if path.startswith(prefix) and path[len(prefix) :].startswith(allowed):
            return send_from_directory(get_settings().node_modules_dir, path, max_age=86400)
    abort(404)
