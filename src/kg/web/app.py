"""The app factory: one store, its caches and search index made here (never lazily by a request),
the blueprints of ``kg.web.views``, access control, security headers and the one error handler."""

from __future__ import annotations

import hmac
import logging
from base64 import b64decode

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from kg.config import Settings
from kg.errors import QueryRefused
from kg.namespaces import BASE, PREFIXES
from kg.store import open_store
from kg.store.base import QueryCache, Store
from kg.web import context
from kg.web.readmodels.cache import VersionedCache
from kg.web.readmodels.search import SearchIndex
from kg.web.readmodels.types import TYPE_RANK, UNRANKED
from kg.web.views import api, catalog, cite, downloads, facts, linked_data, pages, reconcile, search, sparql

log = logging.getLogger("kg.web")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# What the explorer's JavaScript shares with the Python: written into every page (base.html) from
# these definitions, so the namespaces and the type ranking are never typed twice.
FRONT_END_CONSTANTS = {"base": BASE, "namespaces": PREFIXES, "type_rank": TYPE_RANK, "unranked": UNRANKED}


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask("kg.web")
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Flask's DefaultJSONProvider has it
    store = store or open_store(settings)
    app.extensions[context.STORE] = store
    app.extensions[context.QUERY_CACHE] = QueryCache(settings.cache_entries)
    app.extensions[context.VIEWS] = VersionedCache(store)
    app.extensions[context.SEARCH] = SearchIndex(store)
    app.jinja_env.globals["base_iri"] = BASE  # the one base IRI of compile, Linked Data and the API
    app.jinja_env.globals["front_end_constants"] = FRONT_END_CONSTANTS
    app.jinja_env.globals.update(tr=translated, pick=picked, pick_lang=picked_lang, other=other_label)

    @app.context_processor
    def language() -> dict[str, str]:
        return {"lang": context.page_lang()}

    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(linked_data.blueprint)
    app.register_blueprint(reconcile.blueprint)
    app.register_blueprint(downloads.blueprint)
    app.register_blueprint(catalog.blueprint)
    app.register_blueprint(cite.blueprint)
    app.register_blueprint(facts.blueprint)
    app.register_blueprint(search.blueprint)
    app.teardown_appcontext(context.close_analyst_tables)

    @app.before_request
    def require_api_key() -> Response | None:
        if not settings.api_key or request.path == "/healthz" or request.method == "OPTIONS":
            return None
        if _authorised(settings.api_key):
            return None
        response = context.error_response(
            401, "an API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key'"
        )
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
        return context.error_response(error.status, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        messages = {
            404: f"nothing at {request.path}; the start page is at /, the SPARQL endpoint at /sparql",
            405: f"{request.method} is not allowed on {request.path}; this service is read-only",
            413: f"the request body is larger than {settings.max_body_bytes:,} bytes",
        }
        return context.error_response(error.code or 500, messages.get(error.code or 0, error.description or error.name))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return context.error_response(500, "internal error; the server log has the details")

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok", version=context.get_store().version())

    return app


def translated(en: str, zh: str) -> str:
    """A page's own words in the page's language (templates: ``tr("Reports", "报告")``)."""
    return zh if context.page_lang() == "zh" else en


def picked(labels: dict[str, str] | None, fallback: str = "") -> str:
    """A label in the page's language, else in the other one, else ``fallback``."""
    labels = labels or {}
    lang = context.page_lang()
    return labels.get(lang) or labels.get("zh" if lang == "en" else "en") or fallback


def picked_lang(labels: dict[str, str] | None) -> str:
    """The language of ``picked(labels)`` (for the element's lang attribute; "" when there is no
    label and the fallback, an IRI, is shown)."""
    labels = labels or {}
    lang = context.page_lang()
    other = "zh" if lang == "en" else "en"
    return lang if labels.get(lang) else other if labels.get(other) else ""


def other_label(labels: dict[str, str] | None) -> str:
    """The label in the other language, when it differs (shown beside the chosen one)."""
    labels = labels or {}
    other = labels.get("zh" if context.page_lang() == "en" else "en", "")
    return "" if other == picked(labels) else other


def store_of(app: Flask) -> Store:
    """The store ``create_app`` opened; whoever made the app closes it (``kg serve`` on shutdown)."""
    store: Store = app.extensions[context.STORE]
    return store


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
