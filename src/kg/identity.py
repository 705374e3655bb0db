"""Identity across reports: warn about ids that are likely one thing under two names.

The same id in two reports is one entity (one IRI). Two *different* ids of one kind with the same
preferred label — two indicators with one English label, one Chinese name under two person ids —
are most likely a duplicate that ``kg draft`` or a curator minted by mistake. ``kg build`` and
``kg validate`` warn about each such pair with both file:lines and the fix (merge them with
``replaced_by``, docs/curation.md); they do not refuse, because homonyms exist.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.curated import Location
from kg.namespaces import KG

# rdf:type -> the kind named in warnings and the curated section that defines it
KINDS: dict[URIRef, tuple[str, str]] = {
    KG.Indicator: ("indicator", "indicators"),
    KG.Official: ("person", "officials"),
    KG.Agency: ("agency", "agencies"),
    KG.Program: ("program", "programs"),
    KG.PolicyDocument: ("document", "documents"),
}


@dataclass(frozen=True)
class EntityRecord:
    kind: str
    iri: str
    lang: str
    label: str
    location: Location | None


def entity_records(graph: Graph, locations: dict[URIRef, Location]) -> list[EntityRecord]:
    """The preferred labels of the entities one report defines, with where it defines them."""
    records = []
    for rdf_type, (kind, _) in KINDS.items():
        for node in sorted(graph.subjects(RDF.type, rdf_type)):
            for label in graph.objects(node, SKOS.prefLabel):
                if isinstance(label, Literal) and label.language in ("zh", "en"):
                    records.append(EntityRecord(kind, str(node), label.language, str(label), locations.get(node)))
    return records


def _normal(label: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", label).casefold().split())


def likely_duplicates(records: Iterable[EntityRecord]) -> list[str]:
    """One warning per pair of ids of one kind that share a preferred label (zh or en)."""
    by_label: dict[tuple[str, str, str], dict[str, EntityRecord]] = defaultdict(dict)
    for record in records:
        by_label[(record.kind, record.lang, _normal(record.label))].setdefault(record.iri, record)
    pairs: dict[tuple[str, str], tuple[EntityRecord, EntityRecord, list[str]]] = {}
    for (_, lang, _), found in sorted(by_label.items()):
        first, *others = sorted(found.values(), key=lambda r: r.iri)
        for other in others:
            _, _, labels = pairs.setdefault((first.iri, other.iri), (first, other, []))
            labels.append(f"{'English' if lang == 'en' else 'Chinese'} label {first.label!r}")
    warnings = []
    for first, other, labels in (pairs[key] for key in sorted(pairs)):
        kind = first.kind
        warnings.append(
            f"likely duplicate {kind}s: {_slug(first.iri)} ({first.location or 'generated'}) and "
            f"{_slug(other.iri)} ({other.location or 'generated'}) have the same {' and the same '.join(labels)}\n"
            f"    fix: if they are one {kind}, keep one id and turn the other's entry into "
            f"'- id: {_slug(other.iri)}' with 'replaced_by: {_slug(first.iri)}' (docs/curation.md); "
            "if they differ, make their labels say how"
        )
    return warnings


def _slug(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]
