"""Turning SPARQL JSON results into rows, and rows into a terminal table, CSV or JSON.

CSV goes through :mod:`kg.csvout`, the one CSV writer."""

from __future__ import annotations

import json
import unicodedata

from kg import csvout
from kg.store.base import QueryResult


def rows_of(result: QueryResult) -> tuple[list[str], list[dict[str, str]]]:
    """Variables and rows (plain values) of a SPARQL JSON result; ASK becomes one 'boolean' row."""
    data = json.loads(result.body)
    if "boolean" in data:
        return ["boolean"], [{"boolean": "true" if data["boolean"] else "false"}]
    variables = data["head"]["vars"]
    rows = [{k: v["value"] for k, v in binding.items()} for binding in data["results"]["bindings"]]
    return variables, rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render_results(result: QueryResult, style: str) -> str:
    variables, rows = rows_of(result)
    if style == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if style == "csv":
        return csvout.write_dicts(variables, rows).decode("utf-8")
    cells = [[row.get(v, "") for v in variables] for row in rows]
    widths = [max([_width(v), *(_width(c[i]) for c in cells)]) for i, v in enumerate(variables)]

    def line(values: list[str]) -> str:
        return " | ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(variables), "-+-".join("-" * w for w in widths)]
    out.extend(line(c) for c in cells)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"
