"""What every view takes from the running app: the store, the settings, the caches made by
``create_app``, and the one shape of an error response. Views import this module, never the
package (``kg.web``), so the app factory can import the views without a cycle."""

from __future__ import annotations

from typing import Any, cast

from flask import Response, current_app, g, jsonify, render_template, request

from kg.config import Settings
from kg.store.base import QueryCache, Store
from kg.web.readmodels.cache import VersionedCache
from kg.web.readmodels.reports import report_text
from kg.web.readmodels.search import SearchIndex

LANGS = ("en", "zh")
LANG_COOKIE = "cnkg_lang"  # set by i18n.js with the remembered choice, so server pages follow it
STORE = "kg.store"
QUERY_CACHE = "kg.cache"
VIEWS = "kg.views"
SEARCH = "kg.search"


def get_store() -> Store:
    return cast(Store, current_app.extensions[STORE])


def get_settings() -> Settings:
    return cast(Settings, current_app.config["SETTINGS"])


def query_cache() -> QueryCache:
    """Serialised answers of the SPARQL endpoint, keyed by store version and request."""
    return cast(QueryCache, current_app.extensions[QUERY_CACHE])


def views() -> VersionedCache:
    """The read models' results, computed once per store version."""
    return cast(VersionedCache, current_app.extensions[VIEWS])


def search_index() -> SearchIndex:
    return cast(SearchIndex, current_app.extensions[SEARCH])


def text_of(report: str) -> str:
    """A report's source text by IRI, once per store version (entities and the reader need it often)."""
    return views().get(f"text:{report}", lambda: report_text(get_store(), report))


def page_lang() -> str:
    """The language of a page: ``?lang=``, else the remembered choice, else English."""
    for chosen in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if chosen in LANGS:
            return chosen
    return "en"


def wants_json() -> bool:
    accept = request.accept_mimetypes
    return accept.best_match(["application/json", "text/plain", "text/html"]) == "application/json" or (
        request.path.startswith(("/api/", "/sparql")) and not accept.accept_html
    )


def wants_html_page() -> bool:
    """A person's browser asking for a page (not a program, not the API or the endpoint)."""
    accept = request.accept_mimetypes
    return (
        not request.path.startswith(("/api/", "/sparql"))
        and accept.best_match(["text/html", "text/plain"]) == "text/html"
        and accept["text/html"] > accept["*/*"]
    )


def error_response(status: int, message: str, **extra: Any) -> Response:
    """Errors as JSON for programs, an HTML page with search and navigation for people, plain text
    otherwise; never a stack trace."""
    g.error_message = message
    if wants_json():
        response = jsonify(error=message, status=status, **extra)
    elif wants_html_page():
        response = Response(render_template("error.html", status=status, message=message), mimetype="text/html")
    else:
        response = Response(f"{status} {message}\n", mimetype="text/plain")
    response.status_code = status
    return response
