"""JSON API of the explorer: search, entity details with evidence, neighbourhoods, report text,
facts for charts, the organisation chart and the canned queries. Every response is JSON; the
tabular ones (facts, search) are also CSV with ``?format=csv``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request

from kg import csvout
from kg.namespaces import BASE
from kg.queries import load_all
from kg.store.base import QueryRefused
from kg.web import get_settings, get_store, scorecard
from kg.web.data import (
    SearchIndex,
    VersionedCache,
    bilingual,
    group_rows,
    iri_term,
    main_type,
    select,
    value,
    values_of,
)

blueprint = Blueprint("api", __name__, url_prefix="/api")

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
HIDDEN_PREDICATES = {"https://w3id.org/cnkg/ontology#sourceText"}


def search_index() -> SearchIndex:
    extensions = current_app.extensions
    if "kg.search" not in extensions:
        extensions["kg.search"] = SearchIndex(get_store())
    return extensions["kg.search"]


def cache() -> VersionedCache:
    extensions = current_app.extensions
    if "kg.views" not in extensions:
        extensions["kg.views"] = VersionedCache(get_store())
    return extensions["kg.views"]


def _labels_of(iris: set[str]) -> dict[str, dict[str, str]]:
    """Chinese and English labels for many IRIs in one query."""
    if not iris:
        return {}
    values = values_of(iris)
    rows = select(
        get_store(),
        f"""SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }}
              {{ ?s skos:prefLabel ?label }} UNION {{ ?s rdfs:label ?label }} }}""",
    )
    return {iri: bilingual(group) for iri, group in group_rows(rows, "s").items()}


def _as_csv(rows: list[dict[str, Any]], columns: list[str]) -> Response:
    """The one CSV form (kg.csvout); ``bom=1`` adds the byte-order mark spreadsheets need."""
    body = csvout.write_dicts(columns, rows, bom=request.args.get("bom") == "1")
    return Response(body, content_type=csvout.MEDIA_TYPE)


def _iri_arg() -> str:
    iri = request.args.get("iri", "")
    iri_term(iri)
    return iri


@blueprint.get("/search")
def search() -> Response:
    query = request.args.get("q", "")
    try:
        limit = max(1, min(100, int(request.args.get("limit", "20"))))
    except ValueError:
        raise QueryRefused(400, "limit must be a whole number from 1 to 100") from None
    entries = search_index().search(query, limit)
    type_labels = _labels_of({e.type_iri for e in entries if e.type_iri})
    results = [
        {
            "iri": e.iri,
            "label": e.labels,
            "type": e.type_iri,
            "type_label": type_labels.get(e.type_iri, {}),
        }
        for e in entries
    ]
    if request.args.get("format") == "csv":
        flat = [
            {
                "iri": r["iri"],
                "label_zh": r["label"].get("zh", ""),
                "label_en": r["label"].get("en", ""),
                "type": r["type"],
            }
            for r in results
        ]
        return _as_csv(flat, ["iri", "label_zh", "label_en", "type"])
    return jsonify(query=query, results=results)


def _evidence(iri: str) -> list[dict[str, Any]]:
    rows = select(
        get_store(),
        f"""SELECT ?evidence ?report ?exact ?start ?end ?sstart ?send ?title ?title_zh WHERE {{
              {iri_term(iri)} prov:wasDerivedFrom ?evidence .
              ?evidence oa:hasSource ?report ; oa:hasSelector ?q , ?p ;
                        kg:sentenceStart ?sstart ; kg:sentenceEnd ?send .
              ?q a oa:TextQuoteSelector ; oa:exact ?exact .
              ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
              OPTIONAL {{ ?report dct:title ?title FILTER (LANG(?title) = "en") }}
              OPTIONAL {{ ?report dct:title ?title_zh FILTER (LANG(?title_zh) = "zh") }}
            }} ORDER BY ?report ?start""",
    )
    evidence = []
    for row in rows:
        report = value(row, "report") or ""
        text = report_text(report)
        sentence_start, sentence_end = int(value(row, "sstart") or 0), int(value(row, "send") or 0)
        evidence.append(
            {
                "iri": value(row, "evidence"),
                "report": report,
                "report_id": report.rsplit("/", 1)[-1],
                "report_title": value(row, "title"),
                "report_title_zh": value(row, "title_zh"),
                "quote": value(row, "exact"),
                "start": int(value(row, "start") or 0),
                "end": int(value(row, "end") or 0),
                "sentence_start": sentence_start,
                "sentence_end": sentence_end,
                "sentence": text[sentence_start:sentence_end],
            }
        )
    return evidence


def report_text(report_iri: str) -> str:
    def compute() -> str:
        rows = select(get_store(), f"SELECT ?text WHERE {{ {iri_term(report_iri)} kg:sourceText ?text }} LIMIT 1")
        return value(rows[0], "text") or "" if rows else ""

    return cache().get(f"text:{report_iri}", compute)


# An entity's page shows at most this many statements (a region is the object of every fact about
# it); the JSON and the page then say so and link to the whole description in RDF.
ENTITY_STATEMENTS = 2000


def entity_json(iri: str) -> dict[str, Any] | None:
    rows = select(
        get_store(),
        f"""SELECT ?p ?o ?dir WHERE {{
              {{ {iri_term(iri)} ?p ?o BIND("out" AS ?dir) }}
              UNION {{ ?o ?p {iri_term(iri)} BIND("in" AS ?dir) }}
            }} ORDER BY DESC(?dir) ?p ?o LIMIT {ENTITY_STATEMENTS + 1}""",
    )
    if not rows:
        return None
    truncated = len(rows) > ENTITY_STATEMENTS
    rows = rows[:ENTITY_STATEMENTS]
    iris = {iri}
    for row in rows:
        iris.add(row["p"]["value"])
        if row["o"]["type"] == "uri":
            iris.add(row["o"]["value"])
    labels = _labels_of(iris)
    linked_types = node_types({r["o"]["value"] for r in rows if r["o"]["type"] == "uri"})
    properties = []
    types = []
    for row in rows:
        predicate, obj, direction = row["p"]["value"], row["o"], row["dir"]["value"]
        if predicate in HIDDEN_PREDICATES:
            continue
        item: dict[str, Any] = {"type": obj["type"], "value": obj["value"]}
        if obj.get("xml:lang"):
            item["lang"] = obj["xml:lang"]
        if obj.get("datatype"):
            item["datatype"] = obj["datatype"]
        if obj["type"] == "uri":
            item["label"] = labels.get(obj["value"], {})
            item["entity_type"] = linked_types.get(obj["value"], "")
        if predicate == RDF_TYPE and direction == "out":
            types.append({"iri": obj["value"], "label": labels.get(obj["value"], {})})
        properties.append(
            {
                "predicate": predicate,
                "predicate_label": labels.get(predicate, {}),
                "direction": direction,
                "value": item,
            }
        )
    return {
        "iri": iri,
        "label": labels.get(iri, {}),
        "types": types,
        "properties": properties,
        "truncated": truncated,
        # the whole description, never cut: the Linked Data page in RDF
        "complete": f"/resource?{urlencode({'iri': iri, 'format': 'ttl'})}",
        "evidence": _evidence(iri),
    }


@blueprint.get("/entity")
def entity() -> Response:
    iri = _iri_arg()
    data = entity_json(iri)
    if data is None:
        raise QueryRefused(404, f"nothing is known about {iri}")
    return jsonify(data)


NEIGHBOURS = 300


@blueprint.get("/neighbours")
def neighbours() -> Response:
    """The entity and the IRIs it links to or is linked from: nodes and edges for the graph view."""
    iri = _iri_arg()
    rows = select(
        get_store(),
        f"""SELECT ?s ?p ?o WHERE {{
              {{ BIND({iri_term(iri)} AS ?s) ?s ?p ?o FILTER (isIRI(?o)) }}
              UNION {{ BIND({iri_term(iri)} AS ?o) ?s ?p ?o FILTER (isIRI(?s)) }}
              FILTER (?p NOT IN (rdf:type, prov:wasDerivedFrom, skos:inScheme, qb:dataSet, kg:mentions))
            }} ORDER BY ?s ?p ?o LIMIT {NEIGHBOURS + 1}""",
    )
    truncated = len(rows) > NEIGHBOURS
    rows = rows[:NEIGHBOURS]
    node_iris = {iri} | {r["s"]["value"] for r in rows} | {r["o"]["value"] for r in rows}
    predicate_iris = {r["p"]["value"] for r in rows}
    labels = _labels_of(node_iris | predicate_iris)
    types = node_types(node_iris)
    facts = fact_values(node_iris)
    nodes = [
        {"id": n, "label": labels.get(n, {}), "type": types.get(n, ""), **facts.get(n, {})} for n in sorted(node_iris)
    ]
    edges = [
        {
            "id": f"{r['s']['value']}|{r['p']['value']}|{r['o']['value']}",
            "source": r["s"]["value"],
            "target": r["o"]["value"],
            "predicate": r["p"]["value"],
            "label": labels.get(r["p"]["value"], {}),
        }
        for r in rows
    ]
    # The graph view shows a neighbourhood; "truncated" says when there is more (see /api/entity).
    return jsonify(center=iri, nodes=nodes, edges=edges, truncated=truncated)


def node_types(iris: set[str]) -> dict[str, str]:

    if not iris:
        return {}
    values = values_of(iris)
    rows = select(get_store(), f"SELECT ?s ?type WHERE {{ VALUES ?s {{ {values} }} ?s a ?type }}")
    return {iri: main_type([row["type"]["value"] for row in group]) for iri, group in group_rows(rows, "s").items()}


def fact_values(iris: set[str]) -> dict[str, dict[str, Any]]:
    if not iris:
        return {}
    values = values_of(iris)
    rows = select(
        get_store(),
        f"""SELECT ?s ?value ?written ?unit WHERE {{ VALUES ?s {{ {values} }}
              ?s sdmx-measure:obsValue ?value ; kg:asWritten ?written ;
                 sdmx-attribute:unitMeasure/skos:prefLabel ?unit FILTER (LANG(?unit) = "en") }}""",
    )
    return {
        row["s"]["value"]: {
            "value": float(row["value"]["value"]),
            "as_written": row["written"]["value"],
            "unit": row["unit"]["value"],
        }
        for row in rows
    }


@blueprint.get("/reports")
def reports() -> Response:
    rows = select(
        get_store(),
        """SELECT ?report ?title ?issued WHERE { ?report a kg:Report ; dct:title ?title .
              OPTIONAL { ?report dct:issued ?issued } } ORDER BY DESC(?issued) ?report""",
    )
    grouped = group_rows(rows, "report")
    result = [
        {
            "iri": iri,
            "id": iri.rsplit("/", 1)[-1],
            "title": bilingual(group, "title"),
            "issued": value(group[0], "issued"),
        }
        for iri, group in grouped.items()
    ]
    return jsonify(reports=result)


def report_iri(report_id: str) -> str:
    return f"{BASE}id/report/{report_id}"


@blueprint.get("/report/<report_id>")
def report(report_id: str) -> Response:
    """The full text of a report with every quoted span: the reader view's data."""
    iri = report_iri(report_id)

    def compute() -> dict[str, Any] | None:
        text = report_text(iri)
        if not text:
            return None
        rows = select(
            get_store(),
            f"""SELECT ?evidence ?subject ?type ?start ?end ?label WHERE {{
                  ?subject prov:wasDerivedFrom ?evidence .
                  ?evidence oa:hasSource {iri_term(iri)} ; oa:hasSelector ?p .
                  ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
                  OPTIONAL {{ ?subject skos:prefLabel ?label }}
                  OPTIONAL {{ ?subject a ?type }}
                }}""",
        )
        spans: dict[str, dict[str, Any]] = {}
        types: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            subject = row["subject"]["value"]
            # Keyed by evidence, not subject: an entity quoted twice is highlighted twice.
            span = spans.setdefault(
                row["evidence"]["value"],
                {"subject": subject, "start": int(row["start"]["value"]), "end": int(row["end"]["value"]), "label": {}},
            )
            label = row.get("label")
            if label and label.get("xml:lang") in ("zh", "en"):
                span["label"].setdefault(label["xml:lang"], label["value"])
            if "type" in row:
                types[subject].append(row["type"]["value"])
        for span in spans.values():
            span["type"] = main_type(types[span["subject"]])
        title_rows = select(
            get_store(), f"SELECT ?title ?issued WHERE {{ {iri_term(iri)} dct:title ?title ; dct:issued ?issued }}"
        )
        highlights = sorted(spans.values(), key=lambda s: (s["start"], -s["end"]))
        return {
            "iri": iri,
            "id": report_id,
            "title": bilingual(title_rows, "title"),
            "issued": value(title_rows[0], "issued") if title_rows else None,
            "text": text,
            "highlights": highlights,
        }

    data = cache().get(f"report:{report_id}", compute)
    if data is None:
        raise QueryRefused(404, f"no report with id {report_id!r}; see /api/reports")
    return jsonify(data)


FACT_COLUMNS = [
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


def facts_rows() -> list[dict[str, Any]]:
    """One row per fact; labels come from a second query over the IRIs the facts use (joining
    language-filtered labels inside the fact query multiplies the engine's work)."""

    def compute() -> list[dict[str, Any]]:
        rows = select(
            get_store(),
            """SELECT ?fact ?report ?indicator ?vt ?value ?unit ?as_written ?period ?region ?agency ?qualifier
                      ?quote ?start ?end
               WHERE {
                 ?fact a qb:Observation ; prov:wasDerivedFrom ?ev ; qb:dataSet/dct:source ?report ;
                       kg:indicator ?indicator ; kg:valueType ?vt ; sdmx-measure:obsValue ?value ;
                       sdmx-attribute:unitMeasure ?unit ; kg:asWritten ?as_written ; kg:refPeriod ?period ;
                       kg:refArea ?region .
                 ?ev oa:hasSelector ?q , ?p . ?q oa:exact ?quote . ?p oa:start ?start ; oa:end ?end .
                 OPTIONAL { ?fact kg:qualifier ?qualifier }
                 OPTIONAL { ?fact kg:leadAgency ?agency }
               }""",
        )
        linked = ("indicator", "unit", "period", "region", "agency", "qualifier")
        labels = _labels_of({row[name]["value"] for row in rows for name in linked if name in row})
        out = []
        for row in rows:
            item: dict[str, Any] = {
                "fact": value(row, "fact"),
                "report": value(row, "report"),
                "value_type": (value(row, "vt") or "").rsplit("/", 1)[-1],
                "value": float(value(row, "value") or 0),
                "as_written": value(row, "as_written"),
                "quote": value(row, "quote"),
                "start": int(value(row, "start") or 0),
                "end": int(value(row, "end") or 0),
            }
            for name in linked:
                iri = value(row, name)
                item[name] = iri
                for lang in ("zh", "en"):
                    item[f"{name}_{lang}"] = labels.get(iri or "", {}).get(lang)
            out.append(item)
        out.sort(key=lambda r: (r["report"] or "", r["start"]))
        return out

    return cache().get("facts", compute)


@blueprint.get("/facts")
def facts() -> Response:
    rows = facts_rows()
    report_filter = request.args.get("report")
    if report_filter:
        rows = [r for r in rows if r["report"].rsplit("/", 1)[-1] == report_filter]
    if request.args.get("format") == "csv":
        return _as_csv(rows, FACT_COLUMNS)
    return jsonify(facts=rows)


def commitment_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str | None]]:
    """The scorecard's rows (all of them, and those the request's filters select) and the filters."""
    every = cache().get("commitments", lambda: scorecard.rows(get_store()))
    wanted = {name: request.args.get(name) or None for name in scorecard.FILTERS}
    for name in ("status", "relation"):
        known = {row[name] for row in every} | (set(scorecard.STATUS_ORDER) if name == "status" else set())
        if wanted[name] and wanted[name] not in known:
            raise QueryRefused(400, f"unknown {name} {wanted[name]!r}; use one of: {', '.join(sorted(known))}")
    return every, scorecard.filtered(every, **wanted), wanted


@blueprint.get("/commitments")
def commitments() -> Response:
    """The commitments scorecard: every commitment with its outcome and both quotes; ?format=csv.
    Filters: report (id), agency (id or IRI), status, relation."""
    every, chosen, wanted = commitment_rows()
    if request.args.get("format") == "csv":
        return _as_csv(chosen, scorecard.COLUMNS)
    return jsonify(
        commitments=chosen,
        count=len(chosen),
        total=len(every),
        truncated=False,
        filters=wanted,
        facets=scorecard.facets(every),
    )


@blueprint.get("/orgchart")
def orgchart() -> Response:
    def compute() -> dict[str, Any]:
        agencies = select(
            get_store(),
            """SELECT ?agency ?label ?parent ?kind WHERE { ?agency a kg:Agency ; skos:prefLabel ?label .
                 OPTIONAL { ?agency org:subOrganizationOf ?parent }
                 OPTIONAL { ?agency kg:agencyKind ?kind } }""",
        )
        posts = select(
            get_store(),
            """SELECT ?post ?label ?agency ?holder ?holderLabel WHERE {
                 ?post a org:Post ; skos:prefLabel ?label ; org:postIn ?agency .
                 OPTIONAL { ?post org:heldBy ?holder . ?holder skos:prefLabel ?holderLabel } }""",
        )
        agency_list = [
            {
                "iri": iri,
                "label": bilingual(rows),
                "parent": value(rows[0], "parent"),
                "kind": (value(rows[0], "kind") or "").rsplit("/", 1)[-1],
            }
            for iri, rows in group_rows(agencies, "agency").items()
        ]
        post_list = [
            {
                "iri": iri,
                "label": bilingual(rows),
                "agency": value(rows[0], "agency"),
                "holder": value(rows[0], "holder"),
                "holder_label": bilingual(rows, "holderLabel"),
            }
            for iri, rows in group_rows(posts, "post").items()
        ]
        return {"agencies": agency_list, "posts": post_list}

    return jsonify(cache().get("orgchart", compute))


@blueprint.get("/types")
def types() -> Response:
    """The classes of our entities, with counts and labels: the graph view's legend and filter."""

    def compute() -> list[dict[str, Any]]:
        rows = select(
            get_store(),
            """SELECT ?type (COUNT(DISTINCT ?s) AS ?count) WHERE { ?s a ?type
                 FILTER (STRSTARTS(STR(?type), STR(kg:)) || ?type IN (org:Post, qb:Observation)) }
               GROUP BY ?type ORDER BY DESC(?count)""",
        )
        labels = _labels_of({r["type"]["value"] for r in rows})
        return [
            {"iri": r["type"]["value"], "count": int(r["count"]["value"]), "label": labels.get(r["type"]["value"], {})}
            for r in rows
        ]

    return jsonify(types=cache().get("types", compute))


@blueprint.get("/queries")
def queries() -> Response:
    canned = load_all(get_settings().queries_dir)
    return jsonify(queries=[q.to_json() for q in canned.values()])


@blueprint.get("/labels")
def labels() -> Response:
    """Labels for up to 200 IRIs at once (``?iri=…&iri=…``)."""
    iris = request.args.getlist("iri")[:200]
    for iri in iris:
        iri_term(iri)
    return jsonify(labels=_labels_of(set(iris)))
