"""Citations of a fact, an entity or a report: APA, Chicago, BibTeX, RIS and CSL-JSON.

:func:`gather` asks the store (one SPARQL query) for what a citation needs and returns a plain
:class:`Citable`; every formatter is a pure function of it. A citation names the report (title zh
and en, publisher, date), the original source exactly as the report's curator gives it
(``dct:bibliographicCitation``, and ``dct:source`` when it is an IRI; never made up), the stable
IRI of what is cited, the quote with the English translation of its sentence, and the access date.
An entity quoted in several reports is cited by its earliest report (the first evidence).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import pyoxigraph

from kg.queries import select
from kg.store.base import Store, lexical

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
FORMATS = ("apa", "chicago", "bibtex", "ris", "csl-json")


@dataclass(frozen=True)
class Citable:
    """Everything a citation says, gathered from the graph."""

    iri: str  # the stable IRI of what is cited
    kind: str  # "fact", "entity" or "report"
    label_zh: str | None
    label_en: str | None
    report_iri: str
    report_id: str
    title_zh: str
    title_en: str | None
    publisher_zh: str | None
    publisher_en: str | None
    issued: dt.date | None
    source: str | None  # the original source as the curated report gives it
    source_url: str | None
    quote: str | None
    sentence: str | None
    sentence_en: str | None
    start: int | None
    end: int | None
    accessed: dt.date


def gather(store: Store, iri: str, accessed: dt.date | None = None) -> Citable | None:
    """What the graph says about ``iri`` for a citation; None when it is no fact, entity or report."""
    try:
        term = str(pyoxigraph.NamedNode(iri))  # parsed (RFC 3987), so it cannot break out of <…>
    except ValueError:
        return None
    query = f"""
        SELECT ?kind ?label_zh ?label_en ?report ?title_zh ?title_en ?publisher_zh ?publisher_en ?issued
               ?source ?source_url ?quote ?sentence ?sentence_en ?start ?end WHERE {{
          BIND({term} AS ?this)
          {{ ?this a kg:Report . BIND("report" AS ?kind) BIND(?this AS ?report)
             OPTIONAL {{ ?this prov:wasDerivedFrom ?ev }} }}
          UNION
          {{ ?this prov:wasDerivedFrom ?ev . ?ev oa:hasSource ?report .
             FILTER NOT EXISTS {{ ?this a kg:Report }}
             BIND(IF(EXISTS {{ ?this a qb:Observation }}, "fact", "entity") AS ?kind) }}
          ?report dct:title ?title_zh FILTER (LANG(?title_zh) = "zh")
          OPTIONAL {{ ?report dct:title ?title_en FILTER (LANG(?title_en) = "en") }}
          OPTIONAL {{ ?report dct:issued ?issued }}
          OPTIONAL {{ ?report dct:bibliographicCitation ?source }}
          OPTIONAL {{ ?report dct:source ?source_url FILTER (isIRI(?source_url)) }}
          OPTIONAL {{ ?report dct:publisher ?publisher .
                     OPTIONAL {{ ?publisher skos:prefLabel ?publisher_zh FILTER (LANG(?publisher_zh) = "zh") }}
                     OPTIONAL {{ ?publisher skos:prefLabel ?publisher_en FILTER (LANG(?publisher_en) = "en") }} }}
          OPTIONAL {{ ?this skos:prefLabel ?label_zh FILTER (LANG(?label_zh) = "zh") }}
          OPTIONAL {{ ?this skos:prefLabel ?label_en FILTER (LANG(?label_en) = "en") }}
          OPTIONAL {{ ?ev oa:hasSource ?report ; oa:hasSelector ?q , ?p ;
                         kg:sentenceStart ?sstart ; kg:sentenceEnd ?send .
                     ?q oa:exact ?quote . ?p oa:start ?start ; oa:end ?end .
                     ?report kg:sourceText ?text
                     BIND(SUBSTR(?text, ?sstart + 1, ?send - ?sstart) AS ?sentence)
                     OPTIONAL {{ ?ev kg:sentenceTranslation ?sentence_en }} }}
        }} ORDER BY ?issued ?report ?start LIMIT 1"""
    found = select(store, query, limit=1).rows
    if not found:
        return None
    row = {name: lexical(term) for name, term in found[0].items()}
    issued = row.get("issued")
    report = row["report"]
    if row["kind"] == "report":  # the report itself is cited, not the quote of its title
        for name in ("quote", "sentence", "sentence_en", "start", "end"):
            row.pop(name, None)
    return Citable(
        iri=iri,
        kind=row["kind"],
        label_zh=row.get("label_zh"),
        label_en=row.get("label_en"),
        report_iri=report,
        report_id=report.rstrip("/").rsplit("/", 1)[-1],
        title_zh=row["title_zh"],
        title_en=row.get("title_en"),
        publisher_zh=row.get("publisher_zh"),
        publisher_en=row.get("publisher_en"),
        issued=dt.date.fromisoformat(issued) if issued else None,
        source=row.get("source"),
        source_url=row.get("source_url"),
        quote=row.get("quote"),
        sentence=row.get("sentence"),
        sentence_en=row.get("sentence_en"),
        start=int(row["start"]) if "start" in row else None,
        end=int(row["end"]) if "end" in row else None,
        accessed=accessed or dt.datetime.now(dt.UTC).date(),
    )


# -- the parts every format shares -------------------------------------------------------------


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def author(c: Citable) -> str:
    return _one_line(c.publisher_en or c.publisher_zh) or "Anonymous"


def bilingual_title(c: Citable) -> str:
    """The original title with its English translation in brackets, as APA and Chicago do."""
    return f"{_one_line(c.title_zh)} [{_one_line(c.title_en)}]" if c.title_en else _one_line(c.title_zh)


def cited_thing(c: Citable) -> str | None:
    """What inside the report is cited ("fact: …"), for the note; None for the report itself."""
    if c.kind == "report":
        return None
    label = c.label_en or c.label_zh or c.iri
    return f"{c.kind}: {_one_line(label)}"


def quote_note(c: Citable) -> str:
    """The quote, its sentence's English translation and its offsets, and the original source as
    the report gives it (with its address when curated), as one line."""
    parts = []
    thing = cited_thing(c)
    if thing:
        parts.append(thing[0].upper() + thing[1:])
    if c.quote:
        where = f" (characters {c.start}–{c.end} of the text)" if c.start is not None else ""
        parts.append(f"Quote: “{_one_line(c.quote)}”{where}")
    if c.sentence_en:
        parts.append(f"Sentence in English: “{_one_line(c.sentence_en)}”")
    original = ", ".join(_one_line(x) for x in (c.source, c.source_url) if x)
    if original:
        parts.append(f"Original source: {original}")
    return ". ".join(parts) + ("." if parts else "")


def _long_date(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def _link(c: Citable) -> str:
    return c.iri


# -- formats -------------------------------------------------------------------------------------


def apa(c: Citable) -> str:
    """APA 7: Author. (Year, Month Day). *Title* [English title]. Source. Retrieved …, from IRI."""
    date = f"{c.issued.year}, {MONTHS[c.issued.month - 1]} {c.issued.day}" if c.issued else "n.d."
    source = f" {_one_line(c.source)}." if c.source else ""
    text = f"{author(c)}. ({date}). {bilingual_title(c)}.{source} Retrieved {_long_date(c.accessed)}, from {_link(c)}"
    note = quote_note(c)
    return f"{text} {note}" if note else text


def chicago(c: Citable) -> str:
    """Chicago (notes and bibliography): Author. “Title [English title].” Source, date. Accessed …. IRI."""
    date = _long_date(c.issued) if c.issued else "n.d."
    source = f" {_one_line(c.source)}," if c.source else ""
    text = f"{author(c)}. “{bilingual_title(c)}.”{source} {date}. Accessed {_long_date(c.accessed)}. {_link(c)}."
    note = quote_note(c)
    return f"{text} {note}" if note else text


def citation_key(c: Citable) -> str:
    """A BibTeX/CSL key from the IRI's path: letters, digits and hyphens only."""
    path = c.iri.split("/id/", 1)[-1]
    return "cnkg-" + re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")


BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#",
                  "$": r"\$", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}  # fmt: skip


def bibtex_escape(text: str) -> str:
    return "".join(BIBTEX_SPECIAL.get(char, char) for char in _one_line(text))


def bibtex(c: Citable) -> str:
    fields: list[tuple[str, str]] = [
        ("author", "{" + bibtex_escape(author(c)) + "}"),  # a corporate author: one name, not split
        ("title", bibtex_escape(bilingual_title(c))),
    ]
    if c.issued:
        fields += [("year", str(c.issued.year)), ("month", BIBTEX_MONTHS[c.issued.month - 1]),
                   ("date", c.issued.isoformat())]  # fmt: skip
    if c.source:
        fields.append(("howpublished", bibtex_escape(c.source)))
    fields += [("url", c.iri), ("urldate", c.accessed.isoformat()), ("language", "chinese")]
    note = quote_note(c)
    if note:
        fields.append(("note", bibtex_escape(note)))
    body = ",\n".join(f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{citation_key(c)},\n{body}\n}}\n"


def ris(c: Citable) -> str:
    lines = [("TY", "ELEC"), ("AU", author(c)), ("TI", _one_line(c.title_zh))]
    if c.title_en:
        lines.append(("TT", _one_line(c.title_en)))
    if c.issued:
        lines += [("PY", str(c.issued.year)), ("DA", c.issued.strftime("%Y/%m/%d"))]
    if c.publisher_zh or c.publisher_en:
        lines.append(("PB", _one_line(c.publisher_zh or c.publisher_en)))
    if c.source:
        lines.append(("T2", _one_line(c.source)))
    lines += [("UR", c.iri), ("Y2", c.accessed.strftime("%Y/%m/%d")), ("LA", "zh")]
    note = quote_note(c)
    if note:
        lines.append(("N1", note))
    lines.append(("ID", citation_key(c)))
    return "".join(f"{tag}  - {value}\n" for tag, value in lines) + "ER  - \n"


def _date_parts(day: dt.date) -> dict[str, Any]:
    return {"date-parts": [[day.year, day.month, day.day]]}


def csl_json(c: Citable) -> list[dict[str, Any]]:
    """A CSL-JSON item list (csl-data.json schema) with one item."""
    item: dict[str, Any] = {
        "id": citation_key(c),
        "type": "webpage" if c.kind == "report" else "dataset",
        "title": bilingual_title(c),
        "author": [{"literal": author(c)}],
        "URL": c.iri,
        "accessed": _date_parts(c.accessed),
        "language": "zh-CN",
    }
    if c.issued:
        item["issued"] = _date_parts(c.issued)
    if c.publisher_zh or c.publisher_en:
        item["publisher"] = _one_line(c.publisher_zh or c.publisher_en)
    if c.source:
        item["source"] = _one_line(c.source)
    if c.source_url:
        item["archive_location"] = c.source_url
    note = quote_note(c)
    if note:
        item["note"] = note
    item["custom"] = {
        "report": c.report_iri,
        "title_zh": c.title_zh,
        "title_en": c.title_en,
        "quote": c.quote,
        "sentence": c.sentence,
        "sentence_en": c.sentence_en,
        "start": c.start,
        "end": c.end,
    }
    return [item]


def render(c: Citable, style: str) -> str:
    """One citation as text in ``style`` (one of FORMATS)."""
    if style == "apa":
        return apa(c)
    if style == "chicago":
        return chicago(c)
    if style == "bibtex":
        return bibtex(c)
    if style == "ris":
        return ris(c)
    if style == "csl-json":
        return json.dumps(csl_json(c), ensure_ascii=False, indent=2)
    raise ValueError(f"unknown citation style {style!r}; use one of {', '.join(FORMATS)}")
