"""Read model of the commitments scorecard: every commitment with its outcome, as flat rows.

All the SPARQL of the scorecard is here (the API, the CSV and the page call :func:`rows`). A row
carries both quotes with their offsets and a link into the reader for each (``/reader/<id>#start-end``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from kg.errors import QueryRefused
from kg.store.base import Row, Store
from kg.web.readmodels.query import labels_of, select, value

COLUMNS = [
    "commitment",
    "report",
    "report_issued",
    "label_zh",
    "label_en",
    "agencies_zh",
    "agencies_en",
    "stated_by_zh",
    "stated_by_en",
    "relation",
    "relation_zh",
    "relation_en",
    "subject",
    "subject_zh",
    "subject_en",
    "period",
    "region_zh",
    "region_en",
    "target",
    "baseline",
    "status",
    "status_zh",
    "status_en",
    "outcome",
    "outcome_report",
    "outcome_report_issued",
    "explanation_zh",
    "explanation_en",
    "commitment_quote",
    "commitment_start",
    "commitment_end",
    "commitment_reader",
    "outcome_quote",
    "outcome_start",
    "outcome_end",
    "outcome_reader",
]
STATUS_ORDER = ["exceeded", "met", "partly", "missed", "no-outcome-yet"]

COMMITMENTS = """
SELECT ?c ?report ?issued ?relation ?subject ?period ?region ?official ?status ?quote ?start ?end
       ?target ?baseline ?outcome ?outcome_report ?outcome_issued ?outcome_quote ?outcome_start ?outcome_end
       ?note_en ?note_zh
WHERE {
  ?c a kg:Commitment ; kg:relation ?relation ; kg:refPeriod ?period ; kg:refArea ?region ;
     prov:wasDerivedFrom ?evidence .
  ?evidence a kg:Quote ; oa:hasSource ?report ; oa:hasSelector ?cq , ?cp .
  ?cq a oa:TextQuoteSelector ; oa:exact ?quote .
  ?cp a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  ?report dct:issued ?issued .
  ?assessment kg:assesses ?c ; kg:outcomeStatus ?status .
  # OPTIONAL last: in the middle it splits the join.
  OPTIONAL { ?c kg:indicator ?indicator }
  OPTIONAL { ?c kg:relatedProgram ?program }
  OPTIONAL { ?c kg:statedBy ?official }
  OPTIONAL { ?c kg:target/kg:asWritten ?target }
  OPTIONAL { ?c kg:baseline/kg:asWritten ?baseline }
  OPTIONAL {
    ?assessment kg:outcomeQuote ?later .
    ?later oa:hasSource ?outcome_report ; oa:hasSelector ?oq , ?op .
    ?oq a oa:TextQuoteSelector ; oa:exact ?outcome_quote .
    ?op a oa:TextPositionSelector ; oa:start ?outcome_start ; oa:end ?outcome_end .
    ?outcome_report dct:issued ?outcome_issued .
  }
  OPTIONAL { ?assessment kg:outcomeFact/kg:asWritten ?outcome }
  OPTIONAL { ?assessment skos:note ?note_en FILTER (LANG(?note_en) = "en") }
  OPTIONAL { ?assessment skos:note ?note_zh FILTER (LANG(?note_zh) = "zh") }
  BIND (COALESCE(?indicator, ?program) AS ?subject)
}"""
AGENCIES = "SELECT ?c ?agency WHERE { ?c a kg:Commitment ; kg:leadAgency ?agency }"


def _slug(iri: str | None) -> str:
    return (iri or "").rsplit("/", 1)[-1]


def _reader(report: str | None, start: str | None, end: str | None) -> str | None:
    return f"/reader/{_slug(report)}#{start}-{end}" if report and start is not None else None


def rows(store: Store) -> list[dict[str, Any]]:
    """One row per commitment, ordered by report date, report and position in the text."""
    found = select(store, COMMITMENTS).rows
    agencies: dict[str, list[str]] = defaultdict(list)
    for row in select(store, AGENCIES).rows:
        agencies[value(row, "c") or ""].append(value(row, "agency") or "")
    linked = {value(row, name) or "" for row in found for name in LABELLED if name in row}
    linked |= {value(row, "c") or "" for row in found} | {iri for iris in agencies.values() for iri in iris}
    labels = labels_of(store, linked, preferred_only=True)
    # One commitment has one outcome; more result rows for it would only repeat it.
    first: dict[str, Row] = {}
    for row in found:
        first.setdefault(value(row, "c") or "", row)
    out = [_row(row, sorted(agencies.get(iri, [])), labels) for iri, row in first.items()]
    out.sort(key=lambda r: (r["report_issued"] or "", r["report"], r["commitment_start"]))
    return out


LABELLED = ("relation", "subject", "region", "official", "status")


def _row(row: Row, agencies: list[str], labels: dict[str, dict[str, str]]) -> dict[str, Any]:
    def get(name: str) -> str | None:
        return value(row, name)

    def label(name: str, lang: str) -> str:
        return labels.get(get(name) or "", {}).get(lang, "")

    def offset(name: str) -> int | None:
        found = get(name)
        return int(found) if found is not None else None

    committed = [
        {"id": _slug(a), "iri": a, "zh": labels.get(a, {}).get("zh", ""), "en": labels.get(a, {}).get("en", "")}
        for a in agencies
    ]
    result: dict[str, Any] = {
        "commitment": get("c"),
        "report": _slug(get("report")),
        "report_issued": get("issued"),
        "label_zh": label("c", "zh"),
        "label_en": label("c", "en"),
        "agencies": committed,
        "agencies_zh": "; ".join(a["zh"] for a in committed),
        "agencies_en": "; ".join(a["en"] for a in committed),
        "stated_by_zh": label("official", "zh"),
        "stated_by_en": label("official", "en"),
        "relation": _slug(get("relation")),
        "subject": get("subject"),
        "period": _slug(get("period")),
        "region_zh": label("region", "zh"),
        "region_en": label("region", "en"),
        "target": get("target"),
        "baseline": get("baseline"),
        "status": _slug(get("status")),
        "outcome": get("outcome"),
        "outcome_report": _slug(get("outcome_report")) or None,
        "outcome_report_issued": get("outcome_issued"),
        "explanation_zh": get("note_zh"),
        "explanation_en": get("note_en"),
        "commitment_quote": get("quote"),
        "commitment_start": offset("start"),
        "commitment_end": offset("end"),
        "commitment_reader": _reader(get("report"), get("start"), get("end")),
        "outcome_quote": get("outcome_quote"),
        "outcome_start": offset("outcome_start"),
        "outcome_end": offset("outcome_end"),
        "outcome_reader": _reader(get("outcome_report"), get("outcome_start"), get("outcome_end")),
    }
    for name in ("relation", "subject", "status"):
        result[f"{name}_zh"], result[f"{name}_en"] = label(name, "zh"), label(name, "en")
    return result


FILTERS = ("report", "agency", "status", "relation")


def filtered(all_rows: list[dict[str, Any]], **wanted: str | None) -> list[dict[str, Any]]:
    """The rows matching every filter given (report id, agency IRI or slug, status, relation)."""
    result = all_rows
    for name, wish in wanted.items():
        if not wish:
            continue
        if name == "agency":
            result = [r for r in result if any(wish in (a["iri"], a["id"]) for a in r["agencies"])]
        else:
            result = [r for r in result if r[name] == wish]
    return result


def facets(all_rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The values each filter can take, with counts and labels: the page's selects and summary."""
    reports: dict[str, dict[str, Any]] = {}
    agencies: dict[str, dict[str, Any]] = {}
    statuses: dict[str, dict[str, Any]] = {}
    relations: dict[str, dict[str, Any]] = {}
    for row in all_rows:
        entry = reports.setdefault(row["report"], {"value": row["report"], "issued": row["report_issued"], "count": 0})
        entry["count"] += 1
        for committed in row["agencies"]:
            agency = agencies.setdefault(committed["id"], {"value": committed["id"], **committed, "count": 0})
            agency["count"] += 1
        for facet, name in ((statuses, "status"), (relations, "relation")):
            item = facet.setdefault(
                row[name], {"value": row[name], "zh": row[f"{name}_zh"], "en": row[f"{name}_en"], "count": 0}
            )
            item["count"] += 1
    order = {status: number for number, status in enumerate(STATUS_ORDER)}
    return {
        "report": sorted(reports.values(), key=lambda r: (r["issued"] or "", r["value"])),
        "agency": sorted(agencies.values(), key=lambda a: a["en"]),
        "status": sorted(statuses.values(), key=lambda s: order.get(s["value"], 99)),
        "relation": sorted(relations.values(), key=lambda r: r["value"]),
    }


def chosen(every: list[dict[str, Any]], wanted: dict[str, str | None]) -> list[dict[str, Any]]:
    """The rows that the filters ``wanted`` select, refusing a status or relation that does not exist."""
    for name in ("status", "relation"):
        known = {row[name] for row in every} | (set(STATUS_ORDER) if name == "status" else set())
        wish = wanted.get(name)
        if wish and wish not in known:
            raise QueryRefused(400, f"unknown {name} {wish!r}; use one of: {', '.join(sorted(known))}")
    return filtered(every, **wanted)
