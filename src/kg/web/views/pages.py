"""HTML pages: the start page, the graph explorer, the report reader, charts, the organisation chart, the scorecard, the
query editor, and the front-end packages installed from npm (served locally: no CDN)."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, redirect, request, send_from_directory
from werkzeug.wrappers import Response as BaseResponse

from kg.web.context import get_settings, get_store, text_of, views, wants_json
from kg.web.paths import local_path
from kg.web.readmodels import reports as report_models
from kg.web.readmodels import start as start_models
from kg.web.readmodels.commitments import facets
from kg.web.renderers import render_html, render_json
from kg.web.views.api import all_facts, commitment_rows

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


def start_reports() -> list[dict[str, object]]:
    return views().get("start", lambda: start_models.reports(get_store(), all_facts()))


@blueprint.get("/")
def start() -> str | BaseResponse:
    """What this is, the reports, a few figures and one-click questions. The graph view moved to
    /explore; a shared ``/?node=…`` still opens it."""
    if "node" in request.args:
        return redirect("/explore?" + urlencode(list(request.args.items(multi=True))), 301)
    facts = all_facts()
    reports, topics = start_reports(), start_models.topics(facts)
    if wants_json():  # the same page for programs
        return render_json({"reports": reports, "topics": topics, "facts": len(facts), "truncated": False})
    return render_html("start.html", view="start", reports=reports, topics=topics, fact_count=len(facts))


@blueprint.get("/explore")
def explorer() -> str:
    return render_html("explorer.html", view="explore")


@blueprint.get("/reader")
def reader_list() -> str:
    """The reports, each opening in the reader."""
    return render_html("reports.html", view="reader", reports=start_reports())


@blueprint.get("/reader/<report_id>")
def reader(report_id: str) -> str:
    found = views().get(f"report:{report_id}", lambda: report_models.report(get_store(), report_id, text_of))
    if found is None:
        abort(404)
    return render_html("explorer.html", view="reader", report_id=report_id, report_title=found["title"])


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


@blueprint.get("/vendor/<path:path>")
def vendor(path: str) -> Response:
    for package, allowed in VENDOR_FILES.items():
        prefix = package + "/"
        if path.startswith(prefix) and path[len(prefix) :].startswith(allowed):
            return send_from_directory(get_settings().node_modules_dir, path, max_age=86400)
    abort(404)
