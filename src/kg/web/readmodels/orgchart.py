"""The organisation chart: agencies with their parents and kinds, posts with their holders."""

from __future__ import annotations

from typing import Any

from kg.store.base import Store
from kg.web.readmodels.query import bilingual, group_rows, select, value

AGENCIES = """SELECT ?agency ?label ?parent ?kind WHERE { ?agency a kg:Agency ; skos:prefLabel ?label .
                OPTIONAL { ?agency org:subOrganizationOf ?parent }
                OPTIONAL { ?agency kg:agencyKind ?kind } }"""
POSTS = """SELECT ?post ?label ?agency ?holder ?holderLabel WHERE {
             ?post a org:Post ; skos:prefLabel ?label ; org:postIn ?agency .
             OPTIONAL { ?post org:heldBy ?holder . ?holder skos:prefLabel ?holderLabel } }"""


def orgchart(store: Store) -> dict[str, Any]:
    agencies = [
        {
            "iri": iri,
            "label": bilingual(rows),
            "parent": value(rows[0], "parent"),
            "kind": (value(rows[0], "kind") or "").rsplit("/", 1)[-1],
        }
        for iri, rows in group_rows(select(store, AGENCIES).rows, "agency").items()
    ]
    posts = [
        {
            "iri": iri,
            "label": bilingual(rows),
            "agency": value(rows[0], "agency"),
            "holder": value(rows[0], "holder"),
            "holder_label": bilingual(rows, "holderLabel"),
        }
        for iri, rows in group_rows(select(store, POSTS).rows, "post").items()
    ]
    return {"agencies": agencies, "posts": posts}
