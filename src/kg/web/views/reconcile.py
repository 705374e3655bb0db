"""``/reconcile``: the W3C Entity Reconciliation API, version 0.2 (what OpenRefine 3.x speaks).

The protocol only: parsing the ``queries`` / ``extend`` parameters (query string or form body,
GET or POST), the manifest, suggest, preview and property proposal. The matching is
``kg.reconcile``, over one index per store version.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, jsonify, request
from markupsafe import escape

from kg import __version__
from kg.errors import QueryRefused
from kg.namespaces import BASE, ID
from kg.reconcile import (
    TYPES,
    Index,
    ReconcileError,
    entity_id,
    extend,
    load_index,
    properties_for,
    suggest_properties,
    suggest_types,
)
from kg.web.context import get_settings, get_store, views

blueprint = Blueprint("reconcile", __name__, url_prefix="/reconcile")

MAX_QUERIES = 1000
JSONP_CALLBACK = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]{0,99}(?:\.[A-Za-z_$][A-Za-z0-9_$]{0,99}){0,3}")
PREVIEW_WIDTH, PREVIEW_HEIGHT = 420, 180


def index() -> Index:
    """The reconciliation index of the store's current version (rebuilt after a new build)."""
    aliases = get_settings().data_dir / "lexicons" / "reconcile.yaml"
    return views().get("reconcile:index", lambda: load_index(get_store(), aliases))


def _json_parameter(name: str) -> Any:
    raw = request.values.get(name, "")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise QueryRefused(400, f"the '{name}' parameter is not JSON ({error.msg} at character {error.pos})") from None


def _refused(error: ReconcileError) -> QueryRefused:
    return QueryRefused(400, str(error))


@blueprint.after_request
def for_browsers(response: Response) -> Response:
    """OpenRefine fetches the manifest and suggestions from the browser, on another origin: CORS,
    and JSONP (``callback=``) for the clients that fall back to it. The data is public and
    read-only; a callback name is an identifier path, nothing else."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    callback = request.args.get("callback")
    if callback is None or request.method != "GET" or not response.is_json:
        return response
    if not JSONP_CALLBACK.fullmatch(callback):
        refused = jsonify(error="callback must be a JavaScript identifier such as jQuery123_456", status=400)
        refused.status_code = 400
        refused.headers["Access-Control-Allow-Origin"] = "*"
        return refused
    script = f"/**/{callback}({response.get_data(as_text=True).strip()});"
    wrapped = Response(script, status=response.status_code, mimetype="application/javascript")
    wrapped.headers["Access-Control-Allow-Origin"] = "*"
    return wrapped


@blueprint.errorhandler(QueryRefused)
def refused(error: QueryRefused) -> tuple[Response, int]:
    """Reconciliation clients read JSON whatever they accept, errors included."""
    return jsonify(error=error.message, status=error.status), error.status


@blueprint.route("", methods=["GET", "POST"])
def service() -> Response:
    if "queries" in request.values:
        return jsonify(_reconcile_batch(_json_parameter("queries")))
    if "extend" in request.values:
        query = _json_parameter("extend")
        if not isinstance(query, dict) or not isinstance(query.get("ids"), list):
            raise QueryRefused(400, 'extend needs {"ids": [...], "properties": [{"id": ...}]}')
        properties = query.get("properties") or []
        if not isinstance(properties, list) or not all(isinstance(p, dict) and "id" in p for p in properties):
            raise QueryRefused(400, 'extend: "properties" must be a list of {"id": ...}')
        try:
            return jsonify(extend(index(), [str(i) for i in query["ids"]], [str(p["id"]) for p in properties]))
        except ReconcileError as error:
            raise _refused(error) from None
    return jsonify(manifest(request.host_url.rstrip("/")))


def _reconcile_batch(queries: Any) -> dict[str, Any]:
    if not isinstance(queries, dict) or not all(isinstance(q, dict) for q in queries.values()):
        raise QueryRefused(400, 'queries must be an object of queries: {"q0": {"query": "张玉宏"}, ...}')
    if len(queries) > MAX_QUERIES:
        raise QueryRefused(400, f"at most {MAX_QUERIES} queries in one batch; send the rest in another request")
    chosen = index()
    results: dict[str, Any] = {}
    for key, query in queries.items():
        try:
            candidates = chosen.reconcile(query)
        except ReconcileError as error:
            raise QueryRefused(400, f"query {key!r}: {error}") from None
        chinese = isinstance(query.get("query"), str) and any("\u3400" <= c <= "\u9fff" for c in query["query"])
        results[key] = {
            "result": [
                {
                    "id": c.entity.id,
                    "name": c.entity.name(chinese),
                    "description": c.entity.description(chinese),
                    "score": c.score,
                    "match": c.match,
                    "type": [{"id": t, "name": TYPES[t].name} for t in sorted(c.entity.types)],
                    "features": [{"id": k, "value": v} for k, v in c.features.items()],
                }
                for c in candidates
            ]
        }
    return results


def manifest(root: str) -> dict[str, Any]:
    return {
        "versions": ["0.2"],
        "name": "CNKG: Chinese government reports (agencies, officials, programs, regions, indicators, documents)",
        "identifierSpace": str(ID),
        "schemaSpace": BASE + "ontology#",
        "serviceVersion": __version__,
        "view": {"url": root + "/id/{{id}}"},
        "defaultTypes": [{"id": t.id, "name": t.name} for t in TYPES.values()],
        "preview": {"url": root + "/reconcile/preview?id={{id}}", "width": PREVIEW_WIDTH, "height": PREVIEW_HEIGHT},
        "suggest": {
            kind: {"service_url": root, "service_path": f"/reconcile/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {"service_url": root, "service_path": "/reconcile/properties"},
            "property_settings": [],
        },
    }


def _limit(default: int = 10) -> int:
    try:
        limit = int(request.args.get("limit", default))
    except ValueError:
        raise QueryRefused(400, "limit must be a whole number") from None
    return max(1, min(limit, 100))


@blueprint.get("/suggest/entity")
def suggest_entity() -> Response:
    prefix = request.args.get("prefix", "")
    try:
        types = index().wanted_types(request.args.get("type") or None)
    except ReconcileError as error:
        raise _refused(error) from None
    try:
        cursor = max(0, int(request.args.get("cursor", 0)))
    except ValueError:
        raise QueryRefused(400, "cursor must be a whole number") from None
    found = index().suggest_entities(prefix, types, cursor + _limit())[cursor:]
    return jsonify(
        result=[
            {
                "id": entity.id,
                "name": entity.name(chinese),
                "description": entity.description(chinese),
                "notable": [{"id": t, "name": TYPES[t].name} for t in sorted(entity.types)],
            }
            for entity, chinese in found
        ]
    )


@blueprint.get("/suggest/type")
def suggest_type() -> Response:
    found = suggest_types(request.args.get("prefix", ""))
    return jsonify(result=[{"id": t.id, "name": t.name, "description": t.description} for t in found])


@blueprint.get("/suggest/property")
def suggest_property() -> Response:
    try:
        found = suggest_properties(request.args.get("prefix", ""), request.args.get("type") or None)
    except ReconcileError as error:
        raise _refused(error) from None
    return jsonify(result=[{"id": p.id, "name": p.name, "description": p.description} for p in found])


@blueprint.get("/properties")
def propose_properties() -> Response:
    type_name = request.args.get("type") or None
    try:
        found = properties_for(type_name)[: _limit(50)]
    except ReconcileError as error:
        raise _refused(error) from None
    body: dict[str, Any] = {"properties": [{"id": p.id, "name": p.name, "description": p.description} for p in found]}
    if type_name:
        body["type"] = type_name
    return jsonify(body)


@blueprint.get("/preview")
def preview() -> Response:
    """A small HTML card of one entity, for OpenRefine's preview frame (so framing is allowed here)."""
    identifier = entity_id(request.args.get("id", ""))
    entity = index().by_id.get(identifier)
    if entity is None:
        raise QueryRefused(404, f"no reconcilable entity {identifier!r}; ids are as /reconcile returns them")
    types = ", ".join(TYPES[t].name for t in sorted(entity.types))
    zh, en = entity.labels.get("zh", ""), entity.labels.get("en", "")
    details = "".join(f"<li>{escape(line)}</li>" for line in entity.details())
    html = (
        '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>'
        f"{escape(entity.name())}</title></head>"
        '<body style="font:14px/1.4 sans-serif;margin:6px">'
        f'<div><strong lang="zh">{escape(zh)}</strong> <span lang="en">{escape(en)}</span></div>'
        f'<div style="color:#555">{escape(types)} · <code>{escape(entity.id)}</code></div>'
        f'<ul style="margin:4px 0;padding-left:18px">{details}</ul>'
        f'<a href="{escape(request.host_url.rstrip("/") + "/id/" + entity.id)}" target="_blank" rel="noopener">'
        "open in the explorer</a></body></html>"
    )
    response = Response(html, mimetype="text/html")
    # OpenRefine shows this page in a frame of its own origin: framing allowed, nothing else loaded.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *; base-uri 'none'"
    )
    return response
