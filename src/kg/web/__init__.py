"""The web layer: a Flask app factory over one store (see ``kg.store``).

Blueprints: ``sparql`` (the SPARQL 1.1 Protocol endpoint, service description, VoID),
``api`` (JSON for the explorer), ``pages`` (the explorer, query editor, report reader) and
``linked_data`` (every IRI of ours, as HTML or RDF).
"""

from __future__ import annotations

import hmac
import logging
from base64 import b64decode
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from kg.config import Settings
from kg.namespaces import BASE
from kg.store import open_store
from kg.store.base import QueryCache, QueryRefused, Store

log = logging.getLogger("kg.web")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["kg.store"] = store or open_store(settings)
    app.extensions["kg.cache"] = QueryCache(settings.cache_entries)
    app.jinja_env.globals["base_iri"] = BASE  # the one base IRI of compile, Linked Data and the API

    from kg.web import api, catalog, downloads, linked_data, pages, reconcile, sparql

    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(linked_data.blueprint)
    app.register_blueprint(reconcile.blueprint)
    app.register_blueprint(downloads.blueprint)
    app.register_blueprint(catalog.blueprint)

    @app.before_request
    def require_api_key() -> Response | None:
        if not settings.api_key or request.path == "/healthz" or request.method == "OPTIONS":
            return None
        if _authorised(settings.api_key):
            return None
        response = error_response(401, "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key'")
        response.headers["WWW-Authenticate"] = 'Basic realm="kg", charset="UTF-8"'
        return response

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.errorhandler(QueryRefused)
    def refused(error: QueryRefused) -> Response:
        return error_response(error.status, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        messages = {
            404: f"nothing at {request.path}; the explorer is at /, the SPARQL endpoint at /sparql",
            405: f"{request.method} is not allowed on {request.path}; this service is read-only",
            413: f"the request body is larger than {settings.max_body_bytes:,} bytes",
        }
        return error_response(error.code or 500, messages.get(error.code or 0, error.description or error.name))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "internal error; the server log has the details")

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok", version=get_store().version())

    return app


def _authorised(key: str) -> bool:
    supplied = request.headers.get("X-API-Key", "")
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        supplied = authorization[7:]
    elif authorization.startswith("Basic "):
        try:
            supplied = b64decode(authorization[6:]).decode("utf-8").partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            supplied = ""
    return bool(supplied) and hmac.compare_digest(supplied.encode(), key.encode())


def get_store() -> Store:
    from flask import current_app

    return current_app.extensions["kg.store"]


def get_settings() -> Settings:
    from flask import current_app

    return current_app.config["SETTINGS"]


def wants_json() -> bool:
    accept = request.accept_mimetypes
    return accept.best_match(["application/json", "text/plain", "text/html"]) == "application/json" or (
        request.path.startswith(("/api/", "/sparql")) and not accept.accept_html
    )


def error_response(status: int, message: str, **extra: Any) -> Response:
    """Errors as JSON for programs, plain text otherwise; never a stack trace."""
    g.error_message = message
    if wants_json():
        response = jsonify(error=message, status=status, **extra)
    else:
        response = Response(f"{status} {message}\n", mimetype="text/plain")
    response.status_code = status
    return response
