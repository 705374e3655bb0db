"""Reports: the list, each one's full text, and the reader's data (the text with every quoted span)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from kg.namespaces import report_iri
from kg.store.base import Store
from kg.web.readmodels.query import bilingual, group_rows, iri_term, language, number, select, value
from kg.web.readmodels.types import main_type

REPORTS = """SELECT ?report ?title ?issued WHERE { ?report a kg:Report ; dct:title ?title .
               OPTIONAL { ?report dct:issued ?issued } } ORDER BY DESC(?issued) ?report"""
TEXT = "SELECT ?text WHERE {{ {iri} kg:sourceText ?text }} LIMIT 1"
SPANS = """SELECT ?evidence ?subject ?type ?start ?end ?label WHERE {{
      ?subject prov:wasDerivedFrom ?evidence .
      ?evidence oa:hasSource {iri} ; oa:hasSelector ?p .
      ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
      OPTIONAL {{ ?subject skos:prefLabel ?label }}
      OPTIONAL {{ ?subject a ?type }}
    }}"""
TRANSLATIONS = """SELECT DISTINCT ?start ?end ?en WHERE {{
      ?evidence oa:hasSource {iri} ; kg:sentenceStart ?start ; kg:sentenceEnd ?end ; kg:sentenceTranslation ?en }}
    ORDER BY ?start"""
TITLE = "SELECT ?title ?issued WHERE {{ {iri} dct:title ?title ; dct:issued ?issued }}"


def reports(store: Store) -> list[dict[str, Any]]:
    rows = select(store, REPORTS).rows
    return [
        {
            "iri": iri,
            "id": iri.rsplit("/", 1)[-1],
            "title": bilingual(group, "title"),
            "issued": value(group[0], "issued"),
        }
        for iri, group in group_rows(rows, "report").items()
    ]


def report_text(store: Store, iri: str) -> str:
    """The source text of the report ``iri`` ("" when there is no such report)."""
    rows = select(store, TEXT.format(iri=iri_term(iri))).rows
    return (value(rows[0], "text") or "") if rows else ""


def report(store: Store, report_id: str, text_of: Callable[[str], str]) -> dict[str, Any] | None:
    """The full text of a report with every quoted span (keyed by evidence: an entity quoted twice
    is highlighted twice), or None when there is no such report."""
    iri = str(report_iri(report_id))
    text = text_of(iri)
    if not text:
        return None
    spans: dict[str, dict[str, Any]] = {}
    types: dict[str, list[str]] = defaultdict(list)
    for row in select(store, SPANS.format(iri=iri_term(iri))).rows:
        subject = value(row, "subject") or ""
        span = spans.setdefault(
            value(row, "evidence") or "",
            {"subject": subject, "start": number(row, "start"), "end": number(row, "end"), "label": {}},
        )
        lang = language(row.get("label"))
        if lang in ("zh", "en"):
            span["label"].setdefault(lang, value(row, "label"))
        if "type" in row:
            types[subject].append(value(row, "type") or "")
    for span in spans.values():
        span["type"] = main_type(types[span["subject"]])
    title_rows = select(store, TITLE.format(iri=iri_term(iri))).rows
    return {
        "iri": iri,
        "id": report_id,
        "title": bilingual(title_rows, "title"),
        "issued": value(title_rows[0], "issued") if title_rows else None,
        "text": text,
        "highlights": sorted(spans.values(), key=lambda s: (s["start"], -s["end"])),
        # the English of each quoted sentence (the parallel view of the reader)
        "translations": [
            {"start": number(row, "start"), "end": number(row, "end"), "en": value(row, "en")}
            for row in select(store, TRANSLATIONS.format(iri=iri_term(iri))).rows
        ],
    }
