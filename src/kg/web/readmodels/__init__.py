"""Read models: pure functions ``Store -> data`` behind every view (the API, the pages, Linked Data).

Each module holds the SPARQL of one kind of answer and shapes its rows into plain data; none of
them knows about HTTP, Flask or a format. Views (``kg.web.views``) call them and hand the result to
a renderer (``kg.web.renderers``). User input reaches a query only through :func:`query.iri_term`,
which checks the IRI grammar; search runs on an in-memory index, not in SPARQL.
"""
