"""The organisation chart: agencies with their parents and kinds, posts with their holders and the
dates each holding was stated (the issue dates of the reports that name the holder in that post)."""

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

HELD = """SELECT DISTINCT ?post ?holder ?on WHERE {
            ?membership a org:Membership ; kg:post ?post ; org:member ?holder ; kg:attestedOn ?on }"""


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
    posts: list[dict[str, Any]] = [
        {
            "iri": iri,
            "label": bilingual(rows),
            "agency": value(rows[0], "agency"),
            "holder": value(rows[0], "holder"),
            "holder_label": bilingual(rows, "holderLabel"),
        }
        for iri, rows in group_rows(select(store, POSTS).rows, "post").items()
    ]
    held: dict[tuple[str, str], list[str]] = {}
    for row in select(store, HELD).rows:
        held.setdefault((value(row, "post") or "", value(row, "holder") or ""), []).append(value(row, "on") or "")
    for post in posts:
        post["held_on"] = sorted(held.get((post["iri"], post["holder"] or ""), []))
    return {"agencies": agencies, "posts": posts}
