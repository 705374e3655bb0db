"""The shared SKOS vocabularies of ``data/vocabularies/*.ttl``, loaded once for every stage that
needs them: ``compile`` resolves references against them, ``draft`` reads their Chinese labels
and unit symbols to recognise regions, units, roles and periods in a text."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.namespaces import ID, KG, vocabulary_graph


def load_vocabularies(data_dir: Path) -> dict[str, Graph]:
    """One graph per vocabulary file, named after it (``units``, ``regions``, …)."""
    graphs = {}
    for path in sorted((data_dir / "vocabularies").glob("*.ttl")):
        graph = Graph(identifier=vocabulary_graph(path.stem))
        graph.parse(path, format="turtle")
        graphs[path.stem] = graph
    return graphs


class Vocabularies:
    """The vocabularies indexed by IRI and by IRI kind (``unit``, ``region``, …) and slug."""

    def __init__(self, graphs: list[Graph]):
        self.known: set[URIRef] = set()
        self.unit_symbols: dict[URIRef, list[str]] = {}
        self.labels: dict[tuple[URIRef, str], str] = {}
        # kind -> slug -> Chinese names, the preferred label(s) first, then the alternative ones
        self.names: dict[str, dict[str, list[str]]] = {}
        self.symbol_unit: dict[str, str] = {}  # 元 -> yuan
        self.broader: dict[str, str] = {}  # region slug -> the region it lies within
        prefix = str(ID)
        for graph in graphs:
            for concept, name in graph.subject_objects(SKOS.prefLabel):
                if isinstance(concept, URIRef) and isinstance(name, Literal) and name.language:
                    self.labels[(concept, name.language)] = str(name)
            self.known.update(s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef))
            for unit, symbol in graph.subject_objects(KG.chineseSymbol):
                if not isinstance(unit, URIRef):
                    continue
                self.unit_symbols.setdefault(unit, []).append(str(symbol))
                self.symbol_unit[str(symbol)] = str(unit).rsplit("/", 1)[-1]
            for subject in sorted({s for s in graph.subjects() if isinstance(s, URIRef)}):
                kind, _, slug = str(subject).removeprefix(prefix).partition("/")
                if not str(subject).startswith(prefix) or not slug or kind == "scheme":
                    continue
                parent = graph.value(subject, SKOS.broader)
                if kind == "region" and isinstance(parent, URIRef):
                    self.broader[slug] = str(parent).rsplit("/", 1)[-1]
                self.names.setdefault(kind, {})[slug] = [
                    str(o)
                    for p in (SKOS.prefLabel, SKOS.altLabel)
                    for o in graph.objects(subject, p)
                    if getattr(o, "language", None) == "zh"
                ]

    @classmethod
    def load(cls, data_dir: Path) -> Vocabularies:
        return cls(list(load_vocabularies(data_dir).values()))

    def label(self, concept: URIRef | None, lang: str) -> str:
        if concept is None:
            return ""
        return self.labels.get((concept, lang), str(concept).rsplit("/", 1)[-1])

    def choices(self, kind: str) -> list[str]:
        prefix = str(ID[f"{kind}/"])
        return sorted(str(i)[len(prefix) :] for i in self.known if str(i).startswith(prefix))

    def has(self, kind: str, slug: str) -> bool:
        return slug in self.names.get(kind, {})

    def pick(self, kind: str, *choices: str) -> str | None:
        """The first of ``choices`` that the vocabulary of ``kind`` has."""
        return next((c for c in choices if self.has(kind, c)), None)

    def symbols_of(self, unit: str) -> list[str]:
        return self.unit_symbols.get(ID[f"unit/{unit}"], [])
