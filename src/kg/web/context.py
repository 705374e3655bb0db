"""What every view takes from the running app: the store, the settings, the caches made by
``create_app``, and the one shape of an error response. Views import this module, never the
package (``kg.web``), so the app factory can import the views without a cycle."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

from flask import Response, current_app, g, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from kg import viewdb
from kg.config import Settings
from kg.errors import QueryRefused
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


def analyst_tables_path() -> Path:
    """The build's analyst tables (``views.sqlite``), or a 404 that says what to do instead.

    Only a local build has them: on a store served elsewhere the pages that read them (/facts,
    /search) answer 404 with what to do instead, rather than a slower, second implementation of
    the same questions in SPARQL that could disagree with them."""
    build = get_store().local_build()
    if build is None:
        raise QueryRefused(
            404,
            "this page reads the analyst tables of a local build (views.sqlite), and this server "
            "reads a store elsewhere: run 'kg serve --build DIR' on a build, or ask /sparql",
        )
    path = build.path / viewdb.VIEWS
    if not path.is_file():
        raise QueryRefused(404, f"this build has no analyst tables ({viewdb.VIEWS}): run 'kg build' again")
    return path


def analyst_tables() -> sqlite3.Connection:
    """A read-only connection to the analyst tables for this request (closed at its end)."""
    connection = g.get("analyst_tables")
    if connection is None:
        connection = g.analyst_tables = viewdb.connect(analyst_tables_path())
    return cast(sqlite3.Connection, connection)


def close_analyst_tables(_error: BaseException | None = None) -> None:
    connection = g.pop("analyst_tables", None)
    if connection is not None:
        connection.close()


def refused_page(view: str, refused: QueryRefused) -> Response:
    """A bad view of an analyst page, for a person: the page's frame with the message and a way
    back (programs asking for JSON get the usual JSON error)."""
    if wants_json():
        return error_response(refused.status, refused.message)
    lang = page_lang()
    body = render_template(
        "analyst_error.html", view=view, lang=lang, message=refused.message, back=f"/{view}?lang={lang}"
    )
    g.error_message = refused.message
    return Response(body, status=refused.status, mimetype="text/html")


def language_redirect() -> BaseResponse | None:
    """A page asked for without ``?lang=``: the same page with the language :func:`page_lang` chose
    (the remembered one, else English), so that the address says the language and the top bar's
    script (which reads ``?lang=`` first) agrees with the page."""
    if request.args.get("lang") in LANGS:
        return None
    arguments = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", page_lang())]
    return redirect(f"{request.path}?{urlencode(arguments)}")


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
