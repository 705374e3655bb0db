"""The dataset's metadata: a DCAT catalog and its VoID description, in one graph.

One ``dcat:Dataset`` (also a ``void:Dataset``) with its licence and rights, the SPARQL endpoint
(a ``dcat:DataService``, the ``void:sparqlEndpoint``), one ``dcat:Distribution`` per download
(media type, byte size, SHA-256 as ``spdx:checksum``, licence, access and download URL), the VoID
statistics counted over the published union (triples, entities, distinct subjects and objects,
classes, properties), example resources, and one ``void:subset`` per report graph.

Pure functions: :func:`statistics` asks the store, :func:`catalog_graph` builds the graph from
that, the store's description (the build manifest) and the server's root URL.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pyoxigraph
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, XSD

from kg.namespaces import BASE, ID, KG, PREFIXES, VOID, bind_prefixes
from kg.queries import select
from kg.store.base import Store, lexical

SPDX = Namespace("http://spdx.org/rdf/terms#")
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
DATA_LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
RIGHTS = (
    "Curation, English translations, identifiers and structure: CNKG contributors, CC BY 4.0. "
    "The quoted source texts (source.txt, every quote and sourceText) are official government "
    "documents, reproduced for reference and attribution under their publishers' terms; the "
    "CC BY licence does not extend to them. See data/LICENSE-DATA.md."
)
RIGHTS_ZH = (
    "整理、英文翻译、标识符与结构:CNKG 贡献者,CC BY 4.0。所引原文(source.txt、各条引文)为政府公开文件,"
    "仅供参考与注明出处,适用其发布者的条款,不在 CC BY 许可范围内。详见 data/LICENSE-DATA.md。"
)
# One example of each of the main kinds of entity.
EXAMPLE_CLASSES = (KG.Official, KG.Agency, KG.Program, KG.Indicator)


@dataclass(frozen=True)
class Statistics:
    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: int
    properties: int
    examples: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "examples": list(self.examples)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Statistics:
        return cls(**{**data, "examples": tuple(data["examples"])})


class Tally:
    """The VoID counts of triples given one at a time (``kg build`` counts the union while it
    writes the downloads, in the same pass)."""

    def __init__(self) -> None:
        self.subjects: set[Any] = set()
        self.objects: set[Any] = set()
        self.properties: set[Any] = set()
        self.classes: set[Any] = set()
        self.typed: dict[str, set[str]] = {str(c): set() for c in EXAMPLE_CLASSES}
        self.total = 0

    def add(self, triple: pyoxigraph.Triple) -> None:
        self.total += 1
        self.subjects.add(triple.subject)
        self.objects.add(triple.object)
        self.properties.add(triple.predicate)
        if triple.predicate.value == str(RDF.type):
            self.classes.add(triple.object)
            if lexical(triple.object) in self.typed:
                self.typed[lexical(triple.object)].add(lexical(triple.subject))

    def statistics(self) -> Statistics:
        return Statistics(
            triples=self.total,
            entities=sum(
                1 for s in self.subjects if isinstance(s, pyoxigraph.NamedNode) and s.value.startswith(str(ID))
            ),
            distinct_subjects=len(self.subjects),
            distinct_objects=len(self.objects),
            classes=len(self.classes),
            properties=len(self.properties),
            examples=tuple(min(found) for found in self.typed.values() if found),
        )


def statistics(store: Store) -> Statistics:
    """The VoID counts of the published union (the store's default graph), each thing once: from
    the build's manifest when the store has one, else counted by SPARQL (a remote store)."""
    described = store.describe().get("statistics")
    if isinstance(described, dict):
        return Statistics.from_dict(described)
    (row,) = select(
        store,
        f"""SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
                   (COUNT(DISTINCT ?p) AS ?properties)
                   (COUNT(DISTINCT IF(isIRI(?s) && STRSTARTS(STR(?s), "{ID}"), ?s, ?unbound)) AS ?entities)
            WHERE {{ ?s ?p ?o }}""",
    ).rows
    (classes,) = select(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }").rows
    examples: list[str] = []
    for cls in EXAMPLE_CLASSES:
        found = select(store, f"SELECT ?s WHERE {{ ?s a <{cls}> }} ORDER BY ?s LIMIT 1")
        examples.extend(lexical(r["s"]) for r in found.rows)
    return Statistics(
        triples=int(lexical(row["triples"])),
        entities=int(lexical(row["entities"])),
        distinct_subjects=int(lexical(row["subjects"])),
        distinct_objects=int(lexical(row["objects"])),
        classes=int(lexical(classes["n"])),
        properties=int(lexical(row["properties"])),
        examples=tuple(examples),
    )


def _integer(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def catalog_graph(root: str, stats: Statistics, description: dict[str, Any]) -> Graph:
    """The catalog of the dataset served at ``root`` (no trailing slash)."""
    graph = bind_prefixes(Graph())
    for prefix, namespace in (("void", VOID), ("dcat", DCAT), ("spdx", SPDX)):
        graph.bind(prefix, str(namespace))
    catalog = URIRef(root + "/catalog")
    dataset = URIRef(root + "/catalog#dataset")
    service = URIRef(root + "/sparql#service")
    add = graph.add

    add((catalog, RDF.type, DCAT.Catalog))
    add((catalog, DCTERMS.title, Literal("CNKG catalog", lang="en")))
    add((catalog, DCAT.dataset, dataset))
    add((catalog, DCAT.service, service))
    add((catalog, FOAF.homepage, URIRef(root + "/")))

    for kind in (DCAT.Dataset, VOID.Dataset):
        add((dataset, RDF.type, kind))
    add((dataset, DCTERMS.title, Literal("CNKG: Chinese government reports knowledge graph", lang="en")))
    add((dataset, DCTERMS.title, Literal("中国政府报告知识图谱", lang="zh")))
    add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "What Chinese governments commit to and report achieving, who said it, and the exact sentence "
                "behind every claim: agencies, officials, posts, programs, documents, indicators, facts and "
                "commitments, with Chinese and English labels.",
                lang="en",
            ),
        )
    )
    add((dataset, DCTERMS.license, DATA_LICENSE))
    add((dataset, DCTERMS.rights, Literal(RIGHTS, lang="en")))
    add((dataset, DCTERMS.rights, Literal(RIGHTS_ZH, lang="zh")))
    for language in ("zh", "en"):
        add((dataset, DCTERMS.language, URIRef(f"http://id.loc.gov/vocabulary/iso639-1/{language}")))
    for keyword in ("government reports", "rural revitalization", "policy commitments", "政府报告", "乡村振兴"):
        add((dataset, DCAT.keyword, Literal(keyword)))
    if description.get("created"):
        add((dataset, DCTERMS.modified, Literal(str(description["created"]), datatype=XSD.dateTime)))
    if description.get("version"):
        add((dataset, OWL.versionInfo, Literal(str(description["version"]))))
    add((dataset, VOID.sparqlEndpoint, URIRef(root + "/sparql")))
    add((dataset, VOID.uriSpace, Literal(str(ID))))
    add((dataset, VOID.triples, _integer(stats.triples)))
    add((dataset, VOID.entities, _integer(stats.entities)))
    add((dataset, VOID.distinctSubjects, _integer(stats.distinct_subjects)))
    add((dataset, VOID.distinctObjects, _integer(stats.distinct_objects)))
    add((dataset, VOID.classes, _integer(stats.classes)))
    add((dataset, VOID.properties, _integer(stats.properties)))
    for example in stats.examples:
        add((dataset, VOID.exampleResource, URIRef(example)))
    for vocabulary in sorted(set(PREFIXES.values()) - {str(ID)}):
        add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    add((dataset, DCTERMS.conformsTo, URIRef(BASE + "ontology")))

    add((service, RDF.type, DCAT.DataService))
    add((service, DCTERMS.title, Literal("SPARQL 1.1 endpoint (read-only)", lang="en")))
    add((service, DCAT.endpointURL, URIRef(root + "/sparql")))
    add((service, DCAT.endpointDescription, URIRef(root + "/sparql")))
    add((service, DCAT.servesDataset, dataset))
    add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))

    downloads: dict[str, dict[str, Any]] = description.get("downloads") or {}
    for name in sorted(downloads):
        entry = downloads[name]
        url = URIRef(f"{root}/context.jsonld" if name == "context" else f"{root}/download/{name}")
        distribution = URIRef(f"{root}/catalog#download-{name}")
        add((dataset, DCAT.distribution, distribution))
        if name != "context":
            add((dataset, VOID.dataDump, url))
        add((distribution, RDF.type, DCAT.Distribution))
        add((distribution, DCTERMS.title, Literal(entry["title"], lang="en")))
        add(
            (
                distribution,
                DCAT.mediaType,
                URIRef("https://www.iana.org/assignments/media-types/" + entry["media_type"]),
            )
        )
        add((distribution, DCAT.byteSize, Literal(int(entry["bytes"]), datatype=XSD.nonNegativeInteger)))
        add((distribution, DCAT.downloadURL, url))
        add((distribution, DCAT.accessURL, url))
        add((distribution, DCTERMS.license, DATA_LICENSE))
        checksum = BNode(f"checksum-{name}")
        add((distribution, SPDX.checksum, checksum))
        add((checksum, RDF.type, SPDX.Checksum))
        add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        add((checksum, SPDX.checksumValue, Literal(entry["sha256"], datatype=XSD.hexBinary)))

    for report in description.get("reports", []):
        subset = URIRef(f"{root}/catalog#{report['id']}")
        add((dataset, VOID.subset, subset))
        add((subset, RDF.type, VOID.Dataset))
        add((subset, DCTERMS.title, Literal(f"report {report['id']}", lang="en")))
        add((subset, VOID.triples, _integer(int(report["triples"]))))
        add((subset, DCTERMS.source, URIRef(report["graph"])))
        add((subset, VOID.inDataset, dataset))
        add((subset, DCTERMS.license, DATA_LICENSE))
        add((subset, VOID.exampleResource, ID[f"report/{report['id']}"]))
    return graph
