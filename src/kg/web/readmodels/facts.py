"""The facts table: one row per quantitative fact, with labels, its quote and offsets."""

from __future__ import annotations

from typing import Any

from kg.store.base import Store
from kg.web.readmodels.query import labels_of, number, select, value

COLUMNS = [
    "fact",
    "report",
    "indicator",
    "indicator_zh",
    "indicator_en",
    "value_type",
    "value",
    "unit",
    "unit_zh",
    "unit_en",
    "as_written",
    "qualifier",
    "qualifier_zh",
    "qualifier_en",
    "period",
    "period_zh",
    "period_en",
    "region",
    "region_zh",
    "region_en",
    "agency",
    "agency_zh",
    "agency_en",
    "quote",
    "start",
    "end",
]
FACTS = """SELECT ?fact ?report ?indicator ?vt ?value ?unit ?as_written ?period ?region ?agency ?qualifier
                  ?quote ?start ?end
           WHERE {
             ?fact a qb:Observation ; prov:wasDerivedFrom ?ev ; qb:dataSet/dct:source ?report ;
                   kg:indicator ?indicator ; kg:valueType ?vt ; sdmx-measure:obsValue ?value ;
                   sdmx-attribute:unitMeasure ?unit ; kg:asWritten ?as_written ; kg:refPeriod ?period ;
                   kg:refArea ?region .
             ?ev oa:hasSelector ?q , ?p . ?q oa:exact ?quote . ?p oa:start ?start ; oa:end ?end .
             OPTIONAL { ?fact kg:qualifier ?qualifier }
             OPTIONAL { ?fact kg:leadAgency ?agency }
           }"""
LINKED = ("indicator", "unit", "period", "region", "agency", "qualifier")


def facts(store: Store) -> list[dict[str, Any]]:
    """One row per fact, ordered by report and position; labels come from a second query over the
    IRIs the facts use (joining language-filtered labels inside the fact query multiplies the
    engine's work)."""
    rows = select(store, FACTS).rows
    labels = labels_of(store, {value(row, name) or "" for row in rows for name in LINKED if name in row})
    out = []
    for row in rows:
        item: dict[str, Any] = {
            "fact": value(row, "fact"),
            "report": value(row, "report"),
            "value_type": (value(row, "vt") or "").rsplit("/", 1)[-1],
            "value": float(value(row, "value") or 0),
            "as_written": value(row, "as_written"),
            "quote": value(row, "quote"),
            "start": number(row, "start"),
            "end": number(row, "end"),
        }
        for name in LINKED:
            iri = value(row, name)
            item[name] = iri
            for lang in ("zh", "en"):
                item[f"{name}_{lang}"] = labels.get(iri or "", {}).get(lang)
        out.append(item)
    out.sort(key=lambda r: (r["report"] or "", r["start"]))
    return out


def of_report(rows: list[dict[str, Any]], report_id: str | None) -> list[dict[str, Any]]:
    """The rows of one report (by id), or all of them when no id is given."""
    if not report_id:
        return rows
    return [r for r in rows if (r["report"] or "").rsplit("/", 1)[-1] == report_id]
