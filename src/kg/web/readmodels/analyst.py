"""The analyst pages' questions, answered from the build's tables (``kg.viewdb``): a page of the
facts table as the URL asks for it (facets, text filter, sort, page), every row of that view for a
download, and full-text search results with the link each one opens.

The URL names a facet value by its last IRI segment (``value_type=target``, ``period=2022``,
``region=shanxi``) when that is unique within the facet, else by the whole IRI; both are accepted.
Pure functions of a connection and the request's arguments: no Flask here."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kg import viewdb
from kg.web.paths import local_path

FACETS = viewdb.FACET_COLUMNS
PAGE_SIZES = (25, 50, 100, 200, 500)
DEFAULT_SIZE = 50
DEFAULT_SORT = "report"
SEARCH_GROUP_SIZE = 5  # results per group on the search page before "show all N"
SEARCH_PAGE_SIZE = 50  # results per page when one group is shown


@dataclass(frozen=True)
class FactsQuery:
    """What a /facts URL asks for: facet values (full values), a text, a sort and a page."""

    filters: dict[str, list[str]]
    text: str
    sort: str
    descending: bool
    page: int
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def sort_arg(self) -> str:
        return ("-" if self.descending else "") + self.sort


def short_names(connection: sqlite3.Connection) -> dict[str, dict[str, str]]:
    """For each facet, every value's name in URLs: its last IRI segment, or the IRI if that is taken."""
    values: dict[str, list[str]] = {facet: [] for facet in FACETS}
    for facet, value in connection.execute("SELECT facet, value FROM facet_values ORDER BY facet, value"):
        if facet in values and value is not None:
            values[facet].append(value)
    names: dict[str, dict[str, str]] = {}
    for facet, every in values.items():
        segments = [value.rstrip("/").rsplit("/", 1)[-1] for value in every]
        taken = {s for s in segments if segments.count(s) > 1}
        names[facet] = {v: (s if s not in taken else v) for v, s in zip(every, segments, strict=True)}
    return names


def parse_facts_query(args: Mapping[str, Sequence[str]], names: dict[str, dict[str, str]]) -> FactsQuery:
    """The query of a /facts URL, or ``viewdb.BadRequest`` saying what is allowed."""
    filters: dict[str, list[str]] = {}
    for facet in FACETS:
        wanted = [v for v in args.get(facet, []) if v]
        if not wanted:
            continue
        by_name = {name: value for value, name in names[facet].items()}
        unknown = [v for v in wanted if v not in by_name and v not in names[facet]]
        if unknown:
            known = ", ".join(sorted(by_name)[:12]) + (" …" if len(by_name) > 12 else "")
            raise viewdb.BadRequest(f"no {facet} {unknown[0]!r} among the facts; for example: {known}")
        filters[facet] = [by_name.get(v, v) for v in wanted]
    sort = (args.get("sort") or [DEFAULT_SORT])[0] or DEFAULT_SORT
    descending = sort.startswith("-")
    sort = sort.removeprefix("-")
    if sort not in viewdb.FACT_COLUMNS:
        raise viewdb.BadRequest(f"cannot sort by {sort!r}; sort by one of: {', '.join(viewdb.FACT_COLUMNS)}")
    page, size = _whole("page", args, 1), _whole("size", args, DEFAULT_SIZE)
    if page < 1 or not 1 <= size <= viewdb.MAX_PAGE:
        raise viewdb.BadRequest(
            f"page must be 1 or more and size 1 to {viewdb.MAX_PAGE} (got page {page}, size {size})"
        )
    text = " ".join((args.get("q") or [""])[0].split())
    return FactsQuery(filters, text, sort, descending, page, size)


def _whole(name: str, args: Mapping[str, Sequence[str]], default: int) -> int:
    given = (args.get(name) or [""])[0]
    if not given:
        return default
    try:
        return int(given)
    except ValueError:
        raise viewdb.BadRequest(f"{name} must be a whole number, not {given!r}") from None


def _filters(query: FactsQuery) -> dict[str, str | Sequence[str]]:
    return dict(query.filters)


def facts_view(connection: sqlite3.Connection, query: FactsQuery, names: dict[str, dict[str, str]]) -> dict[str, Any]:
    """One page of the facts the query selects, the total, and every facet with its counts under
    the other filters (each value with its URL name and whether it is chosen)."""
    page = viewdb.facts_page(
        connection, _filters(query), query.text or None, query.sort, query.descending, query.offset, query.size
    )
    facets = viewdb.facet_counts(connection, _filters(query), query.text or None)
    for facet, values in facets.items():
        chosen = set(query.filters.get(facet, []))
        for value in values:
            value["name"] = names[facet].get(value["value"], value["value"]) if value["value"] is not None else None
            value["chosen"] = value["value"] in chosen
    return {
        "total": page.total,
        "offset": page.offset,
        "first": page.offset + 1 if page.rows else 0,
        "last": page.offset + len(page.rows),
        "page": query.page,
        "pages": max(1, -(-page.total // query.size)),
        "size": query.size,
        "truncated": page.truncated,
        "next_offset": page.next_offset,
        "facts": [with_links(row) for row in page.rows],
        "facets": facets,
    }


def with_links(row: dict[str, Any]) -> dict[str, Any]:
    """A fact row with where it opens: the fact's page and its quote in the reader."""
    return {
        **row,
        "href": local_path(row["fact"]),
        "reader": f"/reader/{row['report']}#{row['quote_start']}-{row['quote_end']}",
    }


def all_facts(connection: sqlite3.Connection, query: FactsQuery) -> Iterator[dict[str, Any]]:
    """Every fact of the query's view (all pages, in its order), for the downloads."""
    offset = 0
    while True:
        page = viewdb.facts_page(
            connection, _filters(query), query.text or None, query.sort, query.descending, offset, viewdb.MAX_PAGE
        )
        yield from page.rows
        if page.next_offset is None:
            return
        offset = page.next_offset


# -- full-text search ----------------------------------------------------------------------------


def search_view(connection: sqlite3.Connection, text: str, kind: str | None, limit: int, offset: int) -> dict[str, Any]:
    """``viewdb.search`` with the link of every result: facts and entities open their page, a
    sentence opens the reader at it (its ``iri`` is its report's, which its Cite button cites)."""
    found = viewdb.search(connection, text, kind, limit, offset)
    for group in found["groups"]:
        for result in group["results"]:
            if result["kind"] == "sentences":
                result["href"] = f"/reader/{result['report']}#{result['sentence_start']}-{result['sentence_end']}"
            else:
                result["href"] = local_path(result["iri"])
    return found
