"""Read-only safety rules applied to every query before any store sees it.

The query text is reduced to a skeleton (string literals, IRIs and comments blanked out) so that
keywords are found only where they are keywords: ``SERVICE`` inside a string or an IRI is not a
service call, ``?service`` is a variable. Refusing here means no store, embedded or remote, ever
executes a federated call or an update.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.store.base import QueryRefused

_LEXEMES = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*",
    re.DOTALL,
)


def _keyword(*words: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w:?$@\-.])(?:{'|'.join(words)})(?![\w:\-])", re.IGNORECASE)


UPDATE_KEYWORDS = _keyword("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
SERVICE_KEYWORD = _keyword("SERVICE")
FORM_KEYWORD = _keyword("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
FROM_KEYWORD = _keyword("FROM")
FROM_CLAUSE = re.compile(r"(?<![\w:?$@\-.])FROM\s+(NAMED\s+)?<([^<>\"{}|^`\\\x00-\x20]*)>", re.IGNORECASE)


@dataclass(frozen=True)
class QueryInfo:
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    # FROM / FROM NAMED name the dataset; they only ever name graphs already in the store.
    has_dataset_clause: bool = False
    from_graphs: tuple[str, ...] = ()
    from_named_graphs: tuple[str, ...] = ()

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def skeleton(query: str) -> str:
    return _LEXEMES.sub(lambda m: " " * len(m.group()), query)


@lru_cache(maxsize=1024)
def inspect(query: str) -> QueryInfo:
    """Classify a query and refuse what a read-only, non-federating endpoint must never run.

    Cached: canned queries arrive again and again, and the analysis is a pure function of the text."""
    if "\x00" in query:
        raise QueryRefused(400, "the query contains a NUL character")
    bones = skeleton(query)
    if UPDATE_KEYWORDS.search(bones):
        raise QueryRefused(
            403,
            "this endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP, …) are refused; "
            "change the curated data and run 'kg build' instead",
        )
    if SERVICE_KEYWORD.search(bones):
        raise QueryRefused(
            400,
            "SERVICE (federated query) is not allowed: this endpoint never contacts other servers; "
            "query the other endpoint directly",
        )
    form = FORM_KEYWORD.search(bones)
    if form is None:
        raise QueryRefused(400, "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    default, named = [], []
    for clause in FROM_CLAUSE.finditer(query):
        if bones[clause.start() : clause.start() + 4].upper() == "FROM":  # not inside a string
            (named if clause.group(1) else default).append(clause.group(2))
    return QueryInfo(form.group().upper(), bool(FROM_KEYWORD.search(bones)), tuple(default), tuple(named))
