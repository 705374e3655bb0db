"""Materialised analyst tables: ``views.sqlite`` in the build directory, written from the graph.

``kg build`` queries the bulk-loaded Oxigraph store of the new version (never the YAML) and writes
flat tables an analyst's page reads in milliseconds:

- ``facts``: one row per fact (report, value type, period, indicator, region, unit, agency,
  official, program, value, amount as written and in English, quote, sentence and its English
  translation, offsets, IRIs), indexed on every facet column;
- ``commitments``: the scorecard, one row per commitment with its assessed outcome;
- ``search_items`` with FTS5 indexes: labels zh/en and aliases of officials, agencies, programs
  and documents, the labels of facts, and every evidence sentence with its translation. Chinese
  uses the trigram tokenizer (substrings of three characters or more) and, for one or two
  characters, an FTS5 index of single characters (a phrase query: as exact as a LIKE scan, but
  indexed); English uses porter/unicode61 stems, widened by a few derivational suffixes.

The file is written beside the store, in the version directory that ``kg.builddir`` swaps in
atomically, in a fixed order, so the same graph gives the same bytes. :func:`facet_counts`,
:func:`facts_page` and :func:`search` answer the questions of the pages; each says how many rows
there are in all and never shortens a result silently.
"""

from __future__ import annotations

import bisect
import contextlib
import html
import os
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph

from kg.display import show_amount
from kg.namespaces import sparql_prefixes

VIEWS = "views.sqlite"
SCHEMA_VERSION = 1
Progress = Callable[[str], None]
Record = tuple[Any, ...]  # one row of a table, in the order of its columns

# Columns of the facts table, in order; the entity columns hold IRIs and have _zh/_en labels.
LABELLED_COLUMNS = ("value_type", "period", "indicator", "region", "unit", "agency", "official", "program",
                    "qualifier", "compared_with")  # fmt: skip
FACET_COLUMNS = ("report", "value_type", "period", "indicator", "region", "unit", "agency", "official", "program")
FACT_COLUMNS = (
    "fact", "label_zh", "label_en", "report", "report_iri", "report_title_zh", "report_title_en", "issued",
    *(f"{name}{suffix}" for name in LABELLED_COLUMNS for suffix in ("", "_zh", "_en")),
    "value", "value_number", "multiplier", "as_written", "amount_en", "amount_note_en",
    "quote", "quote_start", "quote_end", "sentence", "sentence_en", "sentence_start", "sentence_end", "evidence",
)  # fmt: skip
INTEGER_COLUMNS = {"multiplier", "quote_start", "quote_end", "sentence_start", "sentence_end"}
COMMITMENT_COLUMNS = (
    "commitment", "label_zh", "label_en", "report", "report_iri", "issued", "relation", "relation_zh",
    "relation_en", "subject", "subject_zh", "subject_en", "period", "period_zh", "period_en", "region",
    "region_zh", "region_en", "agencies", "agencies_zh", "agencies_en", "official", "official_zh", "official_en",
    "target", "baseline", "status", "status_zh", "status_en", "outcome", "outcome_report", "explanation_zh",
    "explanation_en", "quote", "quote_start", "quote_end", "outcome_quote", "outcome_start", "outcome_end",
)  # fmt: skip
COMMITMENT_INTEGERS = {"quote_start", "quote_end", "outcome_start", "outcome_end"}
# Search result kinds, in the order the groups are shown, with the class that makes an entity one.
ENTITY_KINDS = {
    "officials": "kg:Official",
    "agencies": "kg:Agency",
    "programs": "kg:Program",
    "documents": "kg:PolicyDocument",
}
KINDS = ("facts", "officials", "agencies", "programs", "documents", "sentences")
MARK_START, MARK_END = "\x02", "\x03"  # snippet markers, replaced by <mark> after HTML-escaping
MAX_PAGE = 1000


# -- reading the graph ------------------------------------------------------------------------


def _select(store: pyoxigraph.Store, query: str) -> Iterator[dict[str, str]]:
    solutions = store.query(sparql_prefixes() + query)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    names = [variable.value for variable in solutions.variables]
    for solution in solutions:
        yield {name: term.value for name, term in zip(names, solution, strict=True) if term is not None}


def _labels(store: pyoxigraph.Store) -> dict[str, dict[str, str]]:
    """The preferred label of every resource in zh and en (the first in code-point order)."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    solutions = store.query(sparql_prefixes() + "SELECT ?s ?label WHERE { ?s skos:prefLabel ?label }")
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    for subject, label in solutions:
        if isinstance(label, pyoxigraph.Literal) and label.language in ("zh", "en"):
            current = labels[subject.value].get(label.language)
            if current is None or label.value < current:
                labels[subject.value][label.language] = label.value
    return labels


def _texts(store: pyoxigraph.Store) -> dict[str, str]:
    return {
        row["report"]: row["text"] for row in _select(store, "SELECT ?report ?text { ?report kg:sourceText ?text }")
    }


def _slug(iri: str | None) -> str | None:
    return iri.rstrip("/").rsplit("/", 1)[-1] if iri else None


FACTS_QUERY = """
SELECT ?fact ?report ?issued ?ev ?value_type ?period ?indicator ?region ?unit ?agency ?official ?program
       ?qualifier ?compared_with ?value ?multiplier ?as_written ?quote ?start ?end ?sstart ?send ?sentence_en
WHERE {
  ?fact a qb:Observation ; qb:dataSet/dct:source ?report ; prov:wasDerivedFrom ?ev .
  ?ev a kg:Quote ; oa:hasSelector ?q , ?p ; kg:sentenceStart ?sstart ; kg:sentenceEnd ?send .
  ?q oa:exact ?quote . ?p oa:start ?start ; oa:end ?end .
  OPTIONAL { ?report dct:issued ?issued }
  OPTIONAL { ?fact kg:valueType ?value_type }
  OPTIONAL { ?fact kg:refPeriod ?period }
  OPTIONAL { ?fact kg:indicator ?indicator }
  OPTIONAL { ?fact kg:refArea ?region }
  OPTIONAL { ?fact sdmx-attribute:unitMeasure ?unit }
  OPTIONAL { ?fact kg:leadAgency ?agency }
  OPTIONAL { ?fact kg:statedBy ?official }
  OPTIONAL { ?fact kg:relatedProgram ?program }
  OPTIONAL { ?fact kg:qualifier ?qualifier }
  OPTIONAL { ?fact kg:comparedWith ?compared_with }
  OPTIONAL { ?fact sdmx-measure:obsValue ?value }
  OPTIONAL { ?fact sdmx-attribute:unitMult ?multiplier }
  OPTIONAL { ?fact kg:asWritten ?as_written }
  OPTIONAL { ?ev kg:sentenceTranslation ?sentence_en }
}"""


def fact_rows(store: pyoxigraph.Store, labels: dict[str, dict[str, str]], texts: dict[str, str]) -> list[Record]:
    """The rows of the facts table, sorted by fact IRI."""
    seen: set[str] = set()
    rows = []
    for row in _select(store, FACTS_QUERY):
        if row["fact"] in seen:  # one evidence per fact; a second would only repeat it
            continue
        seen.add(row["fact"])
        text = texts.get(row["report"], "")
        sentence_start, sentence_end = int(row["sstart"]), int(row["send"])
        value = row.get("value")
        shown = show_amount(row.get("as_written", ""), Decimal(value) if value else None, row.get("unit", ""))
        record: dict[str, Any] = {
            "fact": row["fact"],
            "label_zh": labels.get(row["fact"], {}).get("zh"),
            "label_en": labels.get(row["fact"], {}).get("en"),
            "report": _slug(row["report"]),
            "report_iri": row["report"],
            "report_title_zh": labels.get(row["report"], {}).get("zh"),
            "report_title_en": labels.get(row["report"], {}).get("en"),
            "issued": row.get("issued"),
            "value": value,
            "value_number": float(value) if value else None,
            "multiplier": int(row["multiplier"]) if "multiplier" in row else None,
            "as_written": row.get("as_written"),
            "amount_en": shown.text,
            "amount_note_en": shown.note,
            "quote": row["quote"],
            "quote_start": int(row["start"]),
            "quote_end": int(row["end"]),
            "sentence": text[sentence_start:sentence_end],
            "sentence_en": row.get("sentence_en"),
            "sentence_start": sentence_start,
            "sentence_end": sentence_end,
            "evidence": row["ev"],
        }
        for name in LABELLED_COLUMNS:
            iri = row.get(name)
            record[name] = iri
            record[f"{name}_zh"] = labels.get(iri, {}).get("zh") if iri else None
            record[f"{name}_en"] = labels.get(iri, {}).get("en") if iri else None
        rows.append(tuple(record[column] for column in FACT_COLUMNS))
    rows.sort(key=lambda r: r[0])  # by fact IRI: the rowid order is the IRI order (the pages' tie-break)
    return rows


COMMITMENTS_QUERY = """
SELECT ?c ?report ?issued ?relation ?indicator ?program ?period ?region ?official ?target ?baseline ?status
       ?outcome ?outcome_report ?note_zh ?note_en ?quote ?start ?end ?outcome_quote ?outcome_start ?outcome_end
WHERE {
  ?c a kg:Commitment ; prov:wasDerivedFrom ?ev .
  ?ev a kg:Quote ; oa:hasSource ?report ; oa:hasSelector ?q , ?p .
  ?q oa:exact ?quote . ?p oa:start ?start ; oa:end ?end .
  OPTIONAL { ?report dct:issued ?issued }
  OPTIONAL { ?c kg:relation ?relation }
  OPTIONAL { ?c kg:indicator ?indicator }
  OPTIONAL { ?c kg:relatedProgram ?program }
  OPTIONAL { ?c kg:refPeriod ?period }
  OPTIONAL { ?c kg:refArea ?region }
  OPTIONAL { ?c kg:statedBy ?official }
  OPTIONAL { ?c kg:target/kg:asWritten ?target }
  OPTIONAL { ?c kg:baseline/kg:asWritten ?baseline }
  OPTIONAL { ?assessment kg:assesses ?c ; kg:outcomeStatus ?status .
    OPTIONAL { ?assessment kg:outcomeFact/kg:asWritten ?outcome }
    OPTIONAL { ?assessment skos:note ?note_zh FILTER (LANG(?note_zh) = "zh") }
    OPTIONAL { ?assessment skos:note ?note_en FILTER (LANG(?note_en) = "en") }
    OPTIONAL { ?assessment kg:outcomeQuote ?later .
      ?later oa:hasSource ?outcome_report ; oa:hasSelector ?oq , ?op .
      ?oq oa:exact ?outcome_quote . ?op oa:start ?outcome_start ; oa:end ?outcome_end } }
}"""


def commitment_rows(store: pyoxigraph.Store, labels: dict[str, dict[str, str]]) -> list[Record]:
    agencies: dict[str, list[str]] = defaultdict(list)
    for row in _select(store, "SELECT ?c ?agency { ?c a kg:Commitment ; kg:leadAgency ?agency }"):
        agencies[row["c"]].append(row["agency"])
    seen: set[str] = set()
    rows = []

    def label(iri: str | None, lang: str) -> str | None:
        return labels.get(iri, {}).get(lang) if iri else None

    for row in _select(store, COMMITMENTS_QUERY):
        if row["c"] in seen:
            continue
        seen.add(row["c"])
        committed = sorted(agencies.get(row["c"], []))
        subject = row.get("indicator") or row.get("program")
        record: dict[str, Any] = {
            "commitment": row["c"],
            "label_zh": label(row["c"], "zh"),
            "label_en": label(row["c"], "en"),
            "report": _slug(row["report"]),
            "report_iri": row["report"],
            "issued": row.get("issued"),
            "subject": subject,
            "subject_zh": label(subject, "zh"),
            "subject_en": label(subject, "en"),
            "agencies": " ".join(committed),
            "agencies_zh": "; ".join(label(a, "zh") or "" for a in committed),
            "agencies_en": "; ".join(label(a, "en") or "" for a in committed),
            "target": row.get("target"),
            "baseline": row.get("baseline"),
            "outcome": row.get("outcome"),
            "outcome_report": _slug(row.get("outcome_report")),
            "explanation_zh": row.get("note_zh"),
            "explanation_en": row.get("note_en"),
            "quote": row["quote"],
            "outcome_quote": row.get("outcome_quote"),
        }
        for name in ("relation", "period", "region", "official", "status"):
            record[name] = row.get(name)
            record[f"{name}_zh"] = label(row.get(name), "zh")
            record[f"{name}_en"] = label(row.get(name), "en")
        for name, source in (("quote_start", "start"), ("quote_end", "end"), ("outcome_start", "outcome_start"),
                             ("outcome_end", "outcome_end")):  # fmt: skip
            record[name] = int(row[source]) if source in row else None
        rows.append(tuple(record[column] for column in COMMITMENT_COLUMNS))
    index = COMMITMENT_COLUMNS.index
    rows.sort(
        key=lambda r: (r[index("issued")] or "", r[index("report")], r[index("quote_start")], r[index("commitment")])
    )
    return rows


def _alt_labels(store: pyoxigraph.Store) -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    solutions = store.query(sparql_prefixes() + "SELECT ?s ?label WHERE { ?s skos:altLabel ?label }")
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    for subject, label in solutions:
        if isinstance(label, pyoxigraph.Literal) and label.language in ("zh", "en"):
            found[subject.value][label.language].append(label.value)
    return found


def search_rows(
    store: pyoxigraph.Store, labels: dict[str, dict[str, str]], facts: list[Record], texts: dict[str, str]
) -> list[Record]:
    """(kind, iri, report, label_zh, label_en, text_zh, text_en, sentence_start, sentence_end) rows."""
    alts = _alt_labels(store)
    rows: list[Record] = []
    for kind, rdf_class in ENTITY_KINDS.items():
        for row in _select(store, f"SELECT DISTINCT ?s WHERE {{ ?s a {rdf_class} }}"):
            iri = row["s"]
            own = labels.get(iri, {})
            zh = " · ".join(t for t in [own.get("zh", ""), *sorted(alts.get(iri, {}).get("zh", []))] if t)
            en = " · ".join(t for t in [own.get("en", ""), *sorted(alts.get(iri, {}).get("en", []))] if t)
            rows.append((kind, iri, None, own.get("zh"), own.get("en"), zh, en, None, None))
    column = FACT_COLUMNS.index
    for fact in facts:
        rows.append(("facts", fact[column("fact")], fact[column("report")], fact[column("label_zh")],
                     fact[column("label_en")], fact[column("label_zh")] or "", fact[column("label_en")] or "",
                     fact[column("sentence_start")], fact[column("sentence_end")]))  # fmt: skip
    sentences: dict[tuple[str, int, int], str | None] = {}
    query = """SELECT ?report ?s ?e ?en { ?ev a kg:Quote ; oa:hasSource ?report ; kg:sentenceStart ?s ;
                 kg:sentenceEnd ?e OPTIONAL { ?ev kg:sentenceTranslation ?en } }"""
    for row in _select(store, query):
        key = (row["report"], int(row["s"]), int(row["e"]))
        if sentences.get(key) is None:
            sentences[key] = row.get("en")
    for (report, start, end), english in sentences.items():
        sentence = texts.get(report, "")[start:end]
        rows.append(("sentences", report, _slug(report), sentence, english, sentence, english or "", start, end))
    rows.sort(key=lambda r: (KINDS.index(r[0]), r[1], r[7] or 0))
    return rows


# -- writing --------------------------------------------------------------------------------


def fact_keys(facts: list[Record]) -> tuple[list[Record], list[Record]]:
    """Integer codes for the facet values (in value order per facet) and the narrow row of each fact."""
    column = FACT_COLUMNS.index
    values: list[Record] = []
    codes: dict[tuple[str, str], int] = {}
    for facet in FACET_COLUMNS:
        zh, en = ("report_title_zh", "report_title_en") if facet == "report" else (f"{facet}_zh", f"{facet}_en")
        seen: dict[str, Record] = {}
        counts: Counter[str | None] = Counter()
        for fact in facts:
            value = fact[column(facet)]
            counts[value] += 1
            if value is not None and value not in seen:
                seen[value] = (fact[column(zh)], fact[column(en)])
        for value in sorted(seen):
            codes[(facet, value)] = len(values) + 1
            values.append((len(values) + 1, facet, value, *seen[value], counts[value]))
        if counts[None]:
            values.append((len(values) + 1, facet, None, None, None, counts[None]))
    keys = [
        (number, *(codes.get((facet, fact[column(facet)])) for facet in FACET_COLUMNS),
         fact[column("value_number")], fact[column("issued")], fact[column("quote_start")])
        for number, fact in enumerate(facts, start=1)
    ]  # fmt: skip
    return values, keys


def _create(connection: sqlite3.Connection) -> None:
    def typed(name: str, integers: set[str]) -> str:
        if name in integers:
            return f"{name} INTEGER"
        return f"{name} REAL" if name == "value_number" else f"{name} TEXT"

    # facts: the wide rows, their rowid the rank of the fact IRI; fact_keys: the same rows narrow,
    # facets as integer codes (facet_values), so filters, counts and common sorts scan a few MB.
    connection.execute(f"CREATE TABLE facts ({', '.join(typed(c, INTEGER_COLUMNS) for c in FACT_COLUMNS)}, "
                       "UNIQUE (fact))")  # fmt: skip
    # count: the facts with this value (or with none, value NULL) when nothing is filtered
    connection.execute("CREATE TABLE facet_values (code INTEGER PRIMARY KEY, facet TEXT, value TEXT, label_zh TEXT,"
                       " label_en TEXT, count INTEGER, UNIQUE (facet, value))")  # fmt: skip
    keys = ", ".join(f"{column} INTEGER" for column in FACET_COLUMNS)
    connection.execute(f"CREATE TABLE fact_keys (id INTEGER PRIMARY KEY, {keys}, value_number REAL, issued TEXT, "
                       "quote_start INTEGER)")  # fmt: skip
    # A covering index per facet, in its order: a facet count is one index scan with no sort, and
    # the other filters are read from the same index entries.
    for facet in FACET_COLUMNS:
        others = ", ".join(c for c in FACET_COLUMNS if c != facet)
        connection.execute(f"CREATE INDEX fact_keys_{facet} ON fact_keys ({facet}, {others})")
    columns = ", ".join(typed(c, COMMITMENT_INTEGERS) for c in COMMITMENT_COLUMNS)
    connection.execute(f"CREATE TABLE commitments ({columns}, PRIMARY KEY (commitment))")
    for column in ("report", "status", "period", "region"):
        connection.execute(f"CREATE INDEX commitments_{column} ON commitments ({column})")
    connection.execute(
        "CREATE TABLE search_items (id INTEGER PRIMARY KEY, kind TEXT, iri TEXT, report TEXT, label_zh TEXT,"
        " label_en TEXT, text_zh TEXT, text_en TEXT, sentence_start INTEGER, sentence_end INTEGER)"
    )
    connection.execute("CREATE INDEX search_items_kind ON search_items (kind)")
    connection.execute("CREATE VIRTUAL TABLE search_zh USING fts5(text_zh, content='search_items', "
                       "content_rowid='id', tokenize='trigram')")  # fmt: skip
    connection.execute("CREATE VIRTUAL TABLE search_en USING fts5(text_en, content='search_items', "
                       "content_rowid='id', tokenize='porter unicode61')")  # fmt: skip
    # One or two Chinese characters: each character a token, so a query is a phrase of them.
    connection.execute("CREATE VIRTUAL TABLE search_chars USING fts5(chars, content='', tokenize='unicode61')")
    connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")


def write_views(store: pyoxigraph.Store, target: Path, progress: Progress | None = None) -> Path:
    """Write ``target`` (views.sqlite) from the graph in ``store``; atomic: a temporary file renamed."""
    if progress:
        progress("writing the analyst tables (views.sqlite) from the graph")
    labels = _labels(store)
    texts = _texts(store)
    facts = fact_rows(store, labels, texts)
    commitments = commitment_rows(store, labels)
    searchable = search_rows(store, labels, facts, texts)
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    partial.unlink(missing_ok=True)
    try:
        with contextlib.closing(sqlite3.connect(partial)) as connection:
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            _create(connection)
            connection.executemany(f"INSERT INTO facts VALUES ({', '.join('?' * len(FACT_COLUMNS))})", facts)
            values, keys = fact_keys(facts)
            connection.executemany("INSERT INTO facet_values VALUES (?, ?, ?, ?, ?, ?)", values)
            connection.executemany(f"INSERT INTO fact_keys VALUES ({', '.join('?' * (len(FACET_COLUMNS) + 4))})", keys)
            connection.executemany(
                f"INSERT INTO commitments VALUES ({', '.join('?' * len(COMMITMENT_COLUMNS))})", commitments
            )
            connection.executemany(
                "INSERT INTO search_items (kind, iri, report, label_zh, label_en, text_zh, text_en, sentence_start,"
                " sentence_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                searchable,
            )
            connection.execute("INSERT INTO search_zh (search_zh) VALUES ('rebuild')")
            connection.execute("INSERT INTO search_en (search_en) VALUES ('rebuild')")
            connection.executemany(
                "INSERT INTO search_chars (rowid, chars) VALUES (?, ?)",
                ((number, " ".join(row[5])) for number, row in enumerate(searchable, start=1) if row[5]),
            )
            connection.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            # search_items are in kind order, so each kind is one range of ids (see search()).
            for kind in KINDS:
                ids = [number for number, row in enumerate(searchable, start=1) if row[0] == kind]
                connection.execute(
                    "INSERT INTO meta VALUES (?, ?)", (f"ids:{kind}", f"{ids[0]} {ids[-1]}" if ids else "1 0")
                )
            connection.commit()
            connection.execute("ANALYZE")
            connection.execute("VACUUM")
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def write_build_views(version: Path, store_dir: Path, progress: Progress | None = None) -> Path:
    """The views of a new build version, from its bulk-loaded store (read-only)."""
    store = pyoxigraph.Store.read_only(str(store_dir))
    try:
        return write_views(store, version / VIEWS, progress)
    finally:
        del store


def connect(path: Path) -> sqlite3.Connection:
    """A read-only connection to a views.sqlite file."""
    if not path.is_file():
        raise FileNotFoundError(f"no analyst tables at {path}: run 'kg build' again (it writes {VIEWS})")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    return connection


# -- reading: facets, pages, search -----------------------------------------------------------


class BadRequest(ValueError):
    """A filter, sort or page the tables cannot answer; the message says what is allowed."""


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    total: int  # rows matching the filters, on every page
    offset: int
    limit: int

    @property
    def truncated(self) -> bool:
        """More rows match than this page holds: ask for the next offset."""
        return self.offset + len(self.rows) < self.total

    @property
    def next_offset(self) -> int | None:
        return self.offset + len(self.rows) if self.truncated else None


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


TEXT_COLUMNS = ("label_zh", "label_en", "quote", "sentence", "sentence_en", "as_written")


# Sorts answered on the narrow table (facet codes sort as their values do); others read the wide rows.
NARROW_SORTS = {*FACET_COLUMNS, "value", "value_number", "issued", "quote_start"}


def _where(
    connection: sqlite3.Connection,
    filters: dict[str, str | Sequence[str]],
    text: str | None,
    exclude: str | None = None,
) -> tuple[str, list[Any]]:
    """A WHERE clause on fact_keys (alias k) for the filters, other than ``exclude``, and the text."""
    clauses, parameters = [], []
    for column, wanted in sorted(filters.items()):
        if column not in FACET_COLUMNS:
            raise BadRequest(f"cannot filter facts by {column!r}; filter by one of: {', '.join(FACET_COLUMNS)}")
        if column == exclude:
            continue
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        if not values:
            continue
        codes = [
            row[0]
            for row in connection.execute(
                f"SELECT code FROM facet_values WHERE facet = ? AND value IN ({', '.join('?' * len(values))})",
                [column, *values],
            )
        ]
        clauses.append(f"k.{column} IN ({', '.join('?' * len(codes))})" if codes else "0")
        parameters.extend(codes)
    if text:
        likes = " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in TEXT_COLUMNS)
        clauses.append(f"k.id IN (SELECT rowid FROM facts WHERE {likes})")
        parameters.extend([_like(text)] * len(TEXT_COLUMNS))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", parameters


def facts_page(
    connection: sqlite3.Connection,
    filters: dict[str, str | Sequence[str]] | None = None,
    text: str | None = None,
    sort: str = "report",
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> Page:
    """One page of facts matching ``filters`` (column -> value or values) and ``text`` (a substring of
    labels, quote, sentence or translation), sorted by any column (rows without a value last, ties
    in IRI order), with the total count."""
    if sort not in FACT_COLUMNS:
        raise BadRequest(f"cannot sort facts by {sort!r}; sort by one of: {', '.join(FACT_COLUMNS)}")
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise BadRequest(f"limit must be 1 to {MAX_PAGE} and offset 0 or more (got limit {limit}, offset {offset})")
    where, parameters = _where(connection, filters or {}, text)
    direction = "DESC" if descending else "ASC"
    total = connection.execute(f"SELECT count(*) FROM fact_keys AS k{where}", parameters).fetchone()[0]
    if sort in NARROW_SORTS:
        key = "k.value_number" if sort == "value" else f"k.{sort}"
        ids_query = f"SELECT k.id FROM fact_keys AS k{where}"
    else:
        key = f"f.{sort}"
        ids_query = f"SELECT k.id FROM fact_keys AS k JOIN facts AS f ON f.rowid = k.id{where}"
    ids = [
        row[0]
        for row in connection.execute(
            f"{ids_query} ORDER BY {key} {direction} NULLS LAST, k.id LIMIT ? OFFSET ?", [*parameters, limit, offset]
        )
    ]
    found = {
        row[0]: dict(zip(FACT_COLUMNS, row[1:], strict=True))
        for row in connection.execute(
            f"SELECT rowid, {', '.join(FACT_COLUMNS)} FROM facts WHERE rowid IN ({', '.join('?' * len(ids))})", ids
        )
    }
    rows = [found[i] for i in ids]
    return Page(rows, total, offset, limit)


def facet_counts(
    connection: sqlite3.Connection,
    filters: dict[str, str | Sequence[str]] | None = None,
    text: str | None = None,
    columns: Sequence[str] = FACET_COLUMNS,
) -> dict[str, list[dict[str, Any]]]:
    """For each facet column, every value among the facts matching the other filters, with its
    labels and count, most frequent first (all values: a facet is never cut short)."""
    for column in columns:
        if column not in FACET_COLUMNS:
            raise BadRequest(f"no facet {column!r}; facets: {', '.join(FACET_COLUMNS)}")
    values = {
        row["code"]: row
        for row in connection.execute(
            f"SELECT * FROM facet_values WHERE facet IN ({', '.join('?' * len(columns))})", list(columns)
        )
    }
    counted: dict[str, list[tuple[int | None, int]]] = {}
    for column in columns:
        where, parameters = _where(connection, filters or {}, text, exclude=column)
        if not where:  # nothing else filtered: the counts written with the table
            counted[column] = [(code, row["count"]) for code, row in values.items() if row["facet"] == column]
            continue
        counted[column] = connection.execute(
            f"SELECT k.{column}, count(*) FROM fact_keys AS k{where} GROUP BY k.{column}", parameters
        ).fetchall()
    counts: dict[str, list[dict[str, Any]]] = {}
    for column, pairs in counted.items():
        facet: list[dict[str, Any]] = [
            {
                "value": values[code]["value"] if code is not None else None,
                "label_zh": values[code]["label_zh"] if code is not None else None,
                "label_en": values[code]["label_en"] if code is not None else None,
                "count": count,
            }
            for code, count in pairs
        ]
        facet.sort(key=lambda f: (-f["count"], f["value"] is None, f["value"] or ""))
        counts[column] = facet
    return counts


def commitments_page(
    connection: sqlite3.Connection, status: str | None = None, offset: int = 0, limit: int = 100
) -> Page:
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise BadRequest(f"limit must be 1 to {MAX_PAGE} and offset 0 or more (got limit {limit}, offset {offset})")
    where, parameters = (" WHERE status = ?", [status]) if status else ("", [])
    total = connection.execute(f"SELECT count(*) FROM commitments{where}", parameters).fetchone()[0]
    rows = connection.execute(
        f"SELECT * FROM commitments{where} ORDER BY issued, report, quote_start, commitment LIMIT ? OFFSET ?",
        [*parameters, limit, offset],
    ).fetchall()
    return Page([dict(row) for row in rows], total, offset, limit)


# English words whose derived forms porter does not bring to one stem (employment / employed).
SUFFIXES = ("ments", "ment", "ations", "ation", "ities", "ity", "ings", "ing", "ness", "ies", "ial", "al", "ed",
            "es", "s")  # fmt: skip
# Words analysts search for that the reports' English does not use: each also finds the words the
# translations and labels do use ("money" finds funds, yuan and investment).
SYNONYMS = {
    "money": ("funds", "fund", "funding", "yuan", "investment", "capital"),
    "budget": ("funds", "funding", "allocated"),
    "jobs": ("employment", "employed"),
    "job": ("employment", "employed"),
    "poor": ("poverty",),
    "farmer": ("farmers", "rural residents"),
    "farmers": ("rural residents",),
}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
WORD = re.compile(r"\w+")


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def english_query(text: str) -> str | None:
    """An FTS5 query for the words of ``text`` (all of them, any derived form), safely quoted."""
    words = [w.lower() for w in WORD.findall(text) if not CJK.search(w)]
    if not words:
        return None
    terms = []
    for word in words:
        forms = {_phrase(word), *(_phrase(synonym) for synonym in SYNONYMS.get(word, ()))}
        for suffix in SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                forms.add(_phrase(word[: -len(suffix)]) + "*")
        terms.append("(" + " OR ".join(sorted(forms)) + ")")
    return " AND ".join(terms)


def _html(snippet: str | None) -> str:
    escaped = html.escape(snippet or "")
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def _marked(text: str, needle: str, width: int = 40) -> str:
    """A snippet of ``text`` around the first ``needle`` (case-insensitive), marked for _html."""
    at = text.casefold().find(needle.casefold())
    if at < 0 or len(text.casefold()) != len(text):
        at = text.find(needle)
    if at < 0:
        return text[: 2 * width]
    needle = text[at : at + len(needle)]
    start, end = max(0, at - width), min(len(text), at + len(needle) + width)
    return (("…" if start else "") + text[start:at] + MARK_START + needle + MARK_END + text[at + len(needle) : end]
            + ("…" if end < len(text) else ""))  # fmt: skip


def search(
    connection: sqlite3.Connection, query: str, kind: str | None = None, limit: int = 10, offset: int = 0
) -> dict[str, Any]:
    """Labels and sentences matching ``query`` (Chinese substring or English words), grouped by
    kind (in IRI order within a kind), with highlighted snippets (HTML with <mark>); each group
    has its total and the page of ``limit`` results from ``offset``."""
    query = " ".join(query.split())
    if kind is not None and kind not in KINDS:
        raise BadRequest(f"no kind {kind!r}; kinds: {', '.join(KINDS)}")
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise BadRequest(f"limit must be 1 to {MAX_PAGE} and offset 0 or more (got limit {limit}, offset {offset})")
    parts, parameters = [], []
    # Chinese (and any text of three characters or more: numbers, names) as a substring; one or
    # two Chinese characters as a phrase of single-character tokens (trigrams need three).
    chinese = query if len(query) >= 3 or CJK.search(query) else ""
    if len(query) >= 3:
        parts.append("SELECT rowid FROM search_zh WHERE search_zh MATCH ?")
        parameters.append(_phrase(query))
    elif chinese:
        parts.append("SELECT rowid FROM search_chars WHERE search_chars MATCH ?")
        parameters.append(_phrase(" ".join(query)))
    english = english_query(query)
    if english:
        parts.append("SELECT rowid FROM search_en WHERE search_en MATCH ?")
        parameters.append(english)
    groups: dict[str, dict[str, Any]] = {k: {"kind": k, "total": 0, "results": []} for k in KINDS if kind in (None, k)}
    ids: dict[int, dict[str, Any]] = {}
    # Every match counts; none is ranked by bm25 (that costs more than the search on common words):
    # within a kind, results come in id order, which is IRI order (sentences: report, then position).
    hits: set[int] = set()
    for part, parameter in zip(parts, parameters, strict=True):
        hits.update(row[0] for row in connection.execute(part, (parameter,)))
    ordered = sorted(hits)
    ranges = {
        key.removeprefix("ids:"): tuple(int(n) for n in value.split())
        for key, value in connection.execute("SELECT key, value FROM meta WHERE key LIKE 'ids:%'")
    }
    chosen: list[int] = []
    for group in groups.values():
        first, last = ranges[group["kind"]]
        low, high = bisect.bisect_left(ordered, first), bisect.bisect_right(ordered, last)
        group["total"] = high - low
        chosen.extend(ordered[low + offset : min(high, low + offset + limit)])
    for row in connection.execute(f"SELECT * FROM search_items WHERE id IN ({', '.join('?' * len(chosen))})", chosen):
        text_zh = row["text_zh"] or ""
        ids[row["id"]] = {
            "kind": row["kind"],
            "iri": row["iri"],
            "report": row["report"],
            "label_zh": row["label_zh"],
            "label_en": row["label_en"],
            "sentence_start": row["sentence_start"],
            "sentence_end": row["sentence_end"],
            "snippet_zh": _html(_marked(text_zh, query))
            if chinese and query.casefold() in text_zh.casefold()
            else None,
            "snippet_en": None,
        }
    for number in chosen:
        groups[ids[number]["kind"]]["results"].append(ids[number])
    if english:
        _english_snippets(connection, ids, english)
    for group in groups.values():
        group["offset"] = offset
        group["truncated"] = offset + len(group["results"]) < group["total"]
    return {
        "query": query,
        "groups": list(groups.values()),
        "truncated": any(g["truncated"] for g in groups.values()),
    }


def _english_snippets(connection: sqlite3.Connection, ids: dict[int, dict[str, Any]], english: str) -> None:
    if not ids:
        return
    marks = f"'{MARK_START}', '{MARK_END}', '…', 24"
    for rowid, snippet in connection.execute(
        f"SELECT rowid, snippet(search_en, 0, {marks}) FROM search_en WHERE search_en MATCH ? "
        f"AND rowid IN ({', '.join('?' * len(ids))})",
        [english, *ids],
    ):
        ids[rowid]["snippet_en"] = _html(snippet)
