"""``/facts``: every fact of every report, from the build's analyst tables, as a page with facets,
a text filter, sorting by any column and paging, all of it in the URL; the same view as JSON at
``/api/facts/table`` (``/api/facts`` keeps its contract: all facts, for the charts); and every row
of the view (not only the page) as a download: ``?format=csv`` (UTF-8 with a byte-order mark, so
Excel reads the Chinese), ``json`` (with ``total`` and ``truncated``) or ``xlsx``."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from werkzeug.wrappers import Response as BaseResponse

from kg import csvout, viewdb
from kg.errors import QueryRefused
from kg.web.context import analyst_tables, analyst_tables_path, language_redirect, page_lang, refused_page
from kg.web.readmodels import analyst
from kg.web.renderers import render_html, render_json

blueprint = Blueprint("facts", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOWNLOADS = ("csv", "json", "xlsx")
# The table's columns: (key, column sorted by (``{lang}`` is the page's language), English, Chinese).
COLUMNS = (
    ("fact", "label_{lang}", "Fact", "事实"),
    ("amount", "value", "Amount", "数值"),
    ("value_type", "value_type_{lang}", "Type", "类型"),
    ("period", "period_{lang}", "Period", "时期"),
    ("region", "region_{lang}", "Region", "地区"),
    ("agency", "agency_{lang}", "Responsible agency", "责任机构"),
    ("official", "official_{lang}", "Official", "负责人"),
    ("program", "program_{lang}", "Program", "项目"),
    ("quote", "quote", "Quote", "原文"),
    ("report", "issued", "Report", "报告"),
)
FACET_TITLES = {
    "report": ("Report", "报告"),
    "value_type": ("Value type", "数值类型"),
    "period": ("Period", "时期"),
    "indicator": ("Indicator", "指标"),
    "region": ("Region", "地区"),
    "unit": ("Unit", "单位"),
    "agency": ("Agency", "机构"),
    "official": ("Official", "负责人"),
    "program": ("Program", "项目"),
}


def _args() -> dict[str, list[str]]:
    return {name: request.args.getlist(name) for name in request.args}


def _query() -> tuple[analyst.FactsQuery, dict[str, dict[str, str]]]:
    names = analyst.short_names(analyst_tables())
    try:
        return analyst.parse_facts_query(_args(), names), names
    except viewdb.BadRequest as bad:
        raise QueryRefused(400, str(bad)) from None


def state(query: analyst.FactsQuery, names: dict[str, dict[str, str]], lang: str) -> list[tuple[str, str]]:
    """The URL parameters of a view, in a fixed order (facets, text, sort, size, page, lang)."""
    params = [(facet, names[facet].get(v, v)) for facet in analyst.FACETS for v in query.filters.get(facet, [])]
    if query.text:
        params.append(("q", query.text))
    if query.sort_arg() != analyst.DEFAULT_SORT:
        params.append(("sort", query.sort_arg()))
    if query.size != analyst.DEFAULT_SIZE:
        params.append(("size", str(query.size)))
    if query.page != 1:
        params.append(("page", str(query.page)))
    params.append(("lang", lang))
    return params


# The order of a URL's parameters, so that one view has one URL: facets, then these.
PARAMETER_ORDER = {
    name: rank for rank, name in enumerate((*analyst.FACETS, "q", "kind", "sort", "size", "page", "lang"))
}


def href(path: str, params: Sequence[tuple[str, str]], drop: Sequence[str] = (), **changes: str | None) -> str:
    """``path`` with ``params``, minus ``drop``, with ``changes`` set (None removes)."""
    kept = [(k, v) for k, v in params if k not in drop and k not in changes]
    kept += [(k, v) for k, v in changes.items() if v is not None]
    kept.sort(key=lambda pair: PARAMETER_ORDER.get(pair[0], len(PARAMETER_ORDER)))
    return f"{path}?{urlencode(kept)}" if kept else path


def toggle(params: Sequence[tuple[str, str]], facet: str, name: str) -> str:
    """The view with a facet value added, or removed if it is chosen (back to page 1)."""
    pair = (facet, name)
    kept = [p for p in params if p != pair]
    if pair not in params:
        kept.append(pair)
    return href("/facts", kept, drop=("page",))


@blueprint.get("/facts")
def facts_page() -> BaseResponse | str:
    try:
        query, names = _query()
    except QueryRefused as refused:
        if refused.status != 400:
            raise
        return refused_page("facts", refused)
    download = request.args.get("format")
    if download is not None:
        return _download(query, download)
    moved = language_redirect()
    if moved is not None:
        return moved
    lang = page_lang()
    view = analyst.facts_view(analyst_tables(), query, names)
    params = state(query, names, lang)
    sorts = {}
    for key, column, _en, _zh in COLUMNS:
        sort = column.format(lang=lang)
        current = query.sort == sort
        sorts[key] = {
            "href": href(
                "/facts", params, drop=("page",), sort=f"-{sort}" if current and not query.descending else sort
            ),
            "state": ("descending" if query.descending else "ascending") if current else "none",
        }
    return render_html(
        "facts.html",
        view="facts",
        lang=lang,
        other_lang="zh" if lang == "en" else "en",
        query=query,
        data=view,
        columns=COLUMNS,
        sorts=sorts,
        facet_titles=FACET_TITLES,
        facet_href=lambda facet, name: toggle(params, facet, name),
        params=params,
        page_href=lambda page: href("/facts", params, page=str(page) if page > 1 else None),
        download_href=lambda fmt: href("/facts", params, drop=("page", "size", "lang"), format=fmt),
        lang_href=lambda other: href("/facts", params, lang=other),
        hidden=[(k, v) for k, v in params if k not in ("q", "page", "size")],
        sizes=analyst.PAGE_SIZES,
    )


@blueprint.get("/api/facts/table")
def facts_table() -> Response:
    """The /facts view as JSON: the page of facts, the total, ``truncated``, and the facets."""
    query, _names = _query()
    view = analyst.facts_view(analyst_tables(), query, _names)
    view["query"] = {"filters": query.filters, "q": query.text, "sort": query.sort_arg(), "page": query.page}
    return render_json(view)


def _download(query: analyst.FactsQuery, download: str) -> Response:
    if download not in DOWNLOADS:
        raise QueryRefused(400, f"no download format {download!r}; use one of: {', '.join(DOWNLOADS)}")
    path = analyst_tables_path()
    name = "cnkg-facts"
    if download == "csv":
        body: Iterator[bytes] | bytes = _csv_lines(path, query)
        media_type = csvout.MEDIA_TYPE
    elif download == "json":
        body = _json_lines(path, query)
        media_type = "application/json"
    else:
        body = _xlsx(path, query)
        media_type = XLSX
    response = Response(body, content_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{download}"'
    return response


@contextlib.contextmanager
def _every_fact(path: Path, query: analyst.FactsQuery) -> Iterator[Iterator[dict[str, Any]]]:
    """Every fact of the view, on a connection of its own: a streamed download outlives its request."""
    connection = viewdb.connect(path)
    try:
        yield analyst.all_facts(connection, query)
    finally:
        connection.close()


def _csv_lines(path: Path, query: analyst.FactsQuery) -> Iterator[bytes]:
    with _every_fact(path, query) as rows:
        yield from csvout.lines(viewdb.FACT_COLUMNS, ([row[c] for c in viewdb.FACT_COLUMNS] for row in rows), bom=True)


def _json_lines(path: Path, query: analyst.FactsQuery) -> Iterator[bytes]:
    """All facts of the view as one JSON object, written row by row (a view can be large)."""
    with _every_fact(path, query) as rows:
        yield from _json_body(query, rows)


def _json_body(query: analyst.FactsQuery, rows: Iterator[Mapping[str, Any]]) -> Iterator[bytes]:
    head = {"filters": query.filters, "q": query.text, "sort": query.sort_arg(), "columns": list(viewdb.FACT_COLUMNS)}
    yield json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "facts": ['
    count = 0
    for row in rows:
        yield (b", " if count else b"") + json.dumps(row, ensure_ascii=False).encode()
        count += 1
    # Every row of the view is here: the total is the count written, and nothing is cut.
    yield f'], "total": {count}, "truncated": false}}'.encode()


def _xlsx(path: Path, query: analyst.FactsQuery) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("facts")
    sheet.append(list(viewdb.FACT_COLUMNS))
    with _every_fact(path, query) as rows:
        for row in rows:
            sheet.append([_cell(row[column]) for column in viewdb.FACT_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    """A value Excel keeps: numbers as numbers, text without the control characters XML forbids."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value
