"""JSON API of the explorer: search, entity details with evidence, neighbourhoods, report text,
facts for charts, the organisation chart, the commitments scorecard and the canned queries. Every
response is JSON; the tables (search, facts, commitments) are also CSV with ``?format=csv``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from kg.errors import QueryRefused
from kg.queries import load_all
from kg.web.context import get_settings, get_store, search_index, text_of, views
from kg.web.negotiation import wants_csv
from kg.web.readmodels import commitments as scorecard
from kg.web.readmodels import entity as entities
from kg.web.readmodels import facts as fact_table
from kg.web.readmodels import orgchart as org
from kg.web.readmodels import reports as report_models
from kg.web.readmodels import search as search_models
from kg.web.readmodels.query import iri_term, labels_of
from kg.web.readmodels.types import types as type_counts
from kg.web.renderers import render_json, render_table

blueprint = Blueprint("api", __name__, url_prefix="/api")


def _iri_arg() -> str:
    iri = request.args.get("iri", "")
    iri_term(iri)
    return iri


@blueprint.get("/search")
def search() -> Response:
    query = request.args.get("q", "")
    try:
        limit = max(1, min(100, int(request.args.get("limit", "20"))))
    except ValueError:
        raise QueryRefused(400, "limit must be a whole number from 1 to 100") from None
    results = search_models.search(search_index(), get_store(), query, limit)
    if wants_csv():
        return render_table("results", search_models.flat(results), search_models.CSV_COLUMNS, True)
    return render_json({"query": query, "results": results})


def entity_data(iri: str) -> dict[str, Any]:
    """The entity read model, or a 404 (also the Linked Data page's data)."""
    data = entities.entity(get_store(), iri, text_of)
    if data is None:
        raise QueryRefused(404, f"nothing is known about {iri}")
    return data


@blueprint.get("/entity")
def entity() -> Response:
    return render_json(entity_data(_iri_arg()))


@blueprint.get("/neighbours")
def neighbours() -> Response:
    return render_json(entities.neighbours(get_store(), _iri_arg()))


@blueprint.get("/reports")
def reports() -> Response:
    return render_json({"reports": report_models.reports(get_store())})


@blueprint.get("/report/<report_id>")
def report(report_id: str) -> Response:
    """The full text of a report with every quoted span: the reader view's data."""
    data = views().get(f"report:{report_id}", lambda: report_models.report(get_store(), report_id, text_of))
    if data is None:
        raise QueryRefused(404, f"no report with id {report_id!r}; see /api/reports")
    return render_json(data)


def all_facts() -> list[dict[str, Any]]:
    return views().get("facts", lambda: fact_table.facts(get_store()))


@blueprint.get("/facts")
def facts() -> Response:
    rows = fact_table.of_report(all_facts(), request.args.get("report"))
    return render_table("facts", rows, fact_table.COLUMNS, wants_csv())


def commitment_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str | None]]:
    """The scorecard's rows (all of them, and those the request's filters select) and the filters."""
    every = views().get("commitments", lambda: scorecard.rows(get_store()))
    wanted = {name: request.args.get(name) or None for name in scorecard.FILTERS}
    return every, scorecard.chosen(every, wanted), wanted


@blueprint.get("/commitments")
def commitments() -> Response:
    """The commitments scorecard: every commitment with its outcome and both quotes; ?format=csv.
    Filters: report (id), agency (id or IRI), status, relation."""
    every, chosen, wanted = commitment_rows()
    return render_table(
        "commitments",
        chosen,
        scorecard.COLUMNS,
        wants_csv(),
        count=len(chosen),
        total=len(every),
        truncated=False,
        filters=wanted,
        facets=scorecard.facets(every),
    )


@blueprint.get("/orgchart")
def orgchart() -> Response:
    return render_json(views().get("orgchart", lambda: org.orgchart(get_store())))


@blueprint.get("/types")
def types() -> Response:
    """The classes of our entities, with counts and labels: the graph view's legend and filter."""
    return render_json({"types": views().get("types", lambda: type_counts(get_store()))})


@blueprint.get("/queries")
def queries() -> Response:
    canned = load_all(get_settings().queries_dir)
    return render_json({"queries": [q.to_json() for q in canned.values()]})


@blueprint.get("/labels")
def labels() -> Response:
    """Labels for up to 200 IRIs at once (``?iri=…&iri=…``)."""
    iris = request.args.getlist("iri")[:200]
    for iri in iris:
        iri_term(iri)
    return render_json({"labels": labels_of(get_store(), set(iris))})
