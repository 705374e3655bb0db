"""Errors that carry their HTTP meaning, shared by every layer below the web (the SPARQL guard,
the stores, the read models) and turned into responses in one place (``kg.web.app``).

They sit here, under nothing, so that ``kg.sparql`` and ``kg.store`` need not import each other
for an exception, and the web layer needs neither to know what a refusal looks like.
"""

from __future__ import annotations


class QueryRefused(Exception):
    """A request that will not be answered, with the HTTP status and a message a person can act on."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(message)


def too_many_rows(cap: int) -> QueryRefused:
    """The refusal of a result over the operator's row cap (results are refused, never shortened)."""
    return QueryRefused(
        400,
        f"the result has more than {cap:,} rows, the most this server answers in one response: page "
        f"through it with ORDER BY and LIMIT {cap:,} OFFSET n, or download the whole graph at /download/nquads "
        "(all formats: /void)",
    )
