"""``/search?q=``: full-text search of the build's analyst tables (labels zh/en and aliases, and
every quoted sentence with its translation), grouped as facts, officials, agencies, programs,
documents and sentences, each group with its total and a "show all" link when it is cut; and the
same as JSON at ``/api/search/full``. ``/api/search`` keeps its contract (the top bar's
as-you-type answers, from the store)."""

from __future__ import annotations

from flask import Blueprint, Response, request
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from kg import viewdb
from kg.errors import QueryRefused
from kg.web.context import analyst_tables, language_redirect, page_lang, refused_page
from kg.web.readmodels import analyst
from kg.web.renderers import render_html, render_json
from kg.web.views.facts import href

blueprint = Blueprint("fulltext", __name__)

GROUP_TITLES = {
    "facts": ("Facts", "事实"),
    "officials": ("Officials", "负责人"),
    "agencies": ("Agencies", "机构"),
    "programs": ("Programs", "项目"),
    "documents": ("Documents", "文件"),
    "sentences": ("Sentences", "原文句子"),
}


def _search(default_limit: int) -> tuple[str, str | None, int, int, dict[str, object]]:
    text = " ".join(request.args.get("q", "").split())
    kind = request.args.get("kind") or None
    try:
        limit = int(request.args.get("limit", str(default_limit)))
        offset = int(request.args.get("offset", "0"))
        if not text:
            raise QueryRefused(400, "give the words to search for: /search?q=… (Chinese or English)")
        return text, kind, limit, offset, analyst.search_view(analyst_tables(), text, kind, limit, offset)
    except ValueError as bad:  # viewdb.BadRequest is a ValueError; so is int("x")
        message = str(bad) if isinstance(bad, viewdb.BadRequest) else "limit and offset must be whole numbers"
        raise QueryRefused(400, message) from None


@blueprint.get("/api/search/full")
def search_json() -> Response:
    """Every kind of result for ``q`` (``kind`` for one group; ``limit``, ``offset`` to page it)."""
    return render_json(_search(10)[4])


@blueprint.get("/search")
def search_page() -> BaseResponse | str:
    moved = language_redirect()
    if moved is not None:
        return moved
    lang = page_lang()
    if not request.args.get("q", "").strip():
        found = None
        text, kind, limit, offset = "", None, analyst.SEARCH_GROUP_SIZE, 0
    else:
        limit_default = analyst.SEARCH_PAGE_SIZE if request.args.get("kind") else analyst.SEARCH_GROUP_SIZE
        try:
            text, kind, limit, offset, found = _search(limit_default)
        except QueryRefused as refused:
            if refused.status != 400:
                raise
            return refused_page("search", refused)
    params = [("q", text), *([("kind", kind)] if kind else []), ("lang", lang)]
    return render_html(
        "search.html",
        view="search",
        lang=lang,
        other_lang="zh" if lang == "en" else "en",
        text=text,
        kind=kind,
        limit=limit,
        offset=offset,
        found=found,
        titles=GROUP_TITLES,
        safe=Markup,  # the snippets: HTML-escaped by kg.viewdb, with <mark> around the matches
        group_href=lambda group: href("/search", params, drop=("offset",), kind=group),
        all_href=href("/search", [p for p in params if p[0] != "kind"]),
        page_href=lambda at: href("/search", params, offset=str(at) if at else None),
    )
