"""The facts table: one row per quantitative fact, with labels, its quote and offsets."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from kg.display import show_amount
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
    "sentence_en",
    "start",
    "end",
]
FACTS = """SELECT ?fact ?report ?indicator ?vt ?value ?unit ?as_written ?period ?region ?agency ?qualifier
                  ?quote ?start ?end ?sentence_en
           WHERE {
             ?fact a qb:Observation ; prov:wasDerivedFrom ?ev ; qb:dataSet/dct:source ?report ;
                   kg:indicator ?indicator ; kg:valueType ?vt ; sdmx-measure:obsValue ?value ;
                   sdmx-attribute:unitMeasure ?unit ; kg:asWritten ?as_written ; kg:refPeriod ?period ;
                   kg:refArea ?region .
             ?ev oa:hasSelector ?q , ?p . ?q oa:exact ?quote . ?p oa:start ?start ; oa:end ?end .
             OPTIONAL { ?fact kg:qualifier ?qualifier }
             OPTIONAL { ?fact kg:leadAgency ?agency }
             OPTIONAL { ?ev kg:sentenceTranslation ?sentence_en }
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
            "sentence_en": value(row, "sentence_en"),
            "shown": shown(value(row, "as_written") or "", value(row, "value"), value(row, "unit") or ""),
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


def shown(as_written: str, lexical: str | None, unit: str) -> dict[str, str | None]:
    """The amount as a page shows it (``kg.display``): Chinese as written, English with the written
    precision and unit words, and a conversion note apart (ours, not the report's)."""
    try:
        number = Decimal(lexical) if lexical else None
    except InvalidOperation:
        number = None
    en, zh = show_amount(as_written, number, unit, "en"), show_amount(as_written, number, unit, "zh")
    return {"en": en.text, "zh": zh.text, "note_en": en.note, "note_zh": zh.note}
