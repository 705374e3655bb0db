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
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from kg.curated import CurationError, Location
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


def curated_at(graph: Graph, node: URIRef) -> Location | None:
    """Where this report's graph says ``node`` is curated (its ``kg:curatedAt``, file:line)."""
    written = graph.value(node, KG.curatedAt)
    path, _, line = str(written or "").rpartition(":")
    return Location(Path(path), int(line)) if path and line.isdigit() else None


def entity_records(graph: Graph) -> list[EntityRecord]:
    """The preferred labels of the entities one report defines, with where it defines them."""
    records = []
    for rdf_type, (kind, _) in KINDS.items():
        for node in sorted(graph.subjects(RDF.type, rdf_type), key=str):
            if not isinstance(node, URIRef):
                continue
            where = curated_at(graph, node)
            for label in graph.objects(node, SKOS.prefLabel):
                if isinstance(label, Literal) and label.language in ("zh", "en"):
                    records.append(EntityRecord(kind, str(node), label.language, str(label), where))
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


@dataclass(frozen=True)
class Replacement:
    """``replaced_by`` in one report: the old IRI, the one that replaces it, where it is written."""

    iri: str
    by: str
    location: Location | None


def replacements(graph: Graph) -> list[Replacement]:
    return [
        Replacement(str(old), str(new), curated_at(graph, old))
        for old, new in sorted(graph.subject_objects(DCTERMS.isReplacedBy))
        if isinstance(old, URIRef)
    ]


def replaced_yet_defined(records: Iterable[EntityRecord], replaced: Iterable[Replacement]) -> list[CurationError]:
    """An id merged into another in one report but still defined in full by another: the merge is
    half done (the old IRI would both redirect and carry data, and the reports would not join)."""
    defined: dict[str, EntityRecord] = {}
    for record in records:
        defined.setdefault(record.iri, record)
    errors = []
    for replacement in replaced:
        other = defined.get(replacement.iri)
        if other is None:
            continue
        old, new = _slug(replacement.iri), _slug(replacement.by)
        errors.append(
            CurationError(
                other.location or Location(Path("(generated)"), 0),
                f"{other.kind} {old!r} is defined here but replaced by {new!r} at {replacement.location}",
                f"finish the merge in this report too: use {new!r} for it (define {new!r} in full) and turn "
                f"the entry of {old!r} into '- id: {old}' with 'replaced_by: {new}'",
            )
        )
    return errors


def _slug(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]
