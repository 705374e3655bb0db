"""Stage 2: compile curated reports and the shared vocabularies into one RDF dataset.

Layout read from the data directory::

    vocabularies/*.ttl            one named graph each (units, regions, periods, …)
    reports/<id>/report.yaml      curated facts of one report -> one named graph
    reports/<id>/source.txt       the report text, verbatim

Every quote is located in the text by this stage (offsets are never typed by hand); every
reference is resolved; every amount is normalised. Problems are collected and raised together
as :class:`~kg.curated.CurationFailed`.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, QB, RDF, SKOS, XSD

from kg import commitments, curated, translations
from kg.curated import CuratedReport, CurationError, CurationFailed, Item, Location
from kg.display import show_amount
from kg.namespaces import (
    ELI,
    ID,
    KG,
    OA,
    ONTOLOGY_GRAPH,
    SCHEMA,
    SDMX_ATTRIBUTE,
    SDMX_MEASURE,
    bind_prefixes,
    entity_iri,
    report_graph,
    report_iri,
    vocabulary_graph,
)
from kg.numbers import AmountError, normalise
from kg.source import QuoteAmbiguous, QuoteNotFound, SourceText, Span
from kg.vocabularies import Vocabularies, load_vocabularies

CONTEXT_CHARS = 16

# Which IRI kind each section's entities are minted under.
ENTITY_KIND = {
    "agencies": "agency",
    "officials": "person",
    "posts": "post",
    "documents": "document",
    "programs": "program",
    "indicators": "indicator",
}
# Fact field -> what it refers to: a section of curated ids, or a vocabulary IRI kind.
FACT_REFERENCES: dict[str, str] = {
    "indicator": "indicators",
    "type": "vocab:value-type",
    "period": "vocab:period",
    "region": "vocab:region",
    "unit": "vocab:unit",
    "qualifier": "vocab:qualifier",
    "compared_with": "vocab:period",
    "agency": "agencies",
    "stated_by": "officials",
    "program": "programs",
}


# The field that gives an entity its kind, per section: it must agree wherever the entity is defined.
KIND_FIELD = {"agencies": "kind", "programs": "kind", "documents": "type", "posts": "role"}
# The singular of each section: in messages, and as the prefix of the provisional ids kg draft makes.
SINGULAR = {
    "agencies": "agency",
    "officials": "official",
    "posts": "post",
    "documents": "document",
    "programs": "program",
    "indicators": "indicator",
}


@dataclass(frozen=True)
class Definition:
    """What one report says an entity is: compared across reports, which may define it too."""

    iri: str
    section: str
    ident: str
    kind: str | None
    labels: tuple[tuple[str, str], ...]  # (language, preferred label), sorted
    kind_at: Location
    label_at: Location


def conflicting_definitions(definitions: list[Definition]) -> list[CurationError]:
    """An entity defined in several reports must have one kind and one preferred label per language
    there, or the union breaks the shapes (sh:maxCount 1, sh:uniqueLang) and labels flip."""
    first: dict[str, Definition] = {}
    errors = []
    # In the order of the report folders (as paths: "a" before "a-b"), the first definition is the reference.
    for definition in sorted(definitions, key=lambda d: (d.label_at.path, d.label_at.line)):
        earlier = first.setdefault(definition.iri, definition)
        if earlier is definition:
            continue
        what = f"{SINGULAR[definition.section]} {definition.ident!r}"
        if definition.kind != earlier.kind:
            field_name = KIND_FIELD[definition.section]
            errors.append(
                CurationError(
                    definition.kind_at,
                    f"{what} has {field_name} {definition.kind!r} here but {earlier.kind!r} at {earlier.kind_at}",
                    f"an entity has one {field_name}: correct it in one of the two reports",
                )
            )
        mine, theirs = dict(definition.labels), dict(earlier.labels)
        for lang in sorted(set(mine) | set(theirs)):
            if mine.get(lang) != theirs.get(lang):
                errors.append(
                    CurationError(
                        definition.label_at,
                        f"{what} has the {lang} label {mine.get(lang)!r} here but {theirs.get(lang)!r} "
                        f"at {earlier.label_at}",
                        f"use one preferred label in every report that defines it (e.g. {lang}: "
                        f"{theirs.get(lang)}), and put the other name under 'alt:'",
                    )
                )
    return errors


@dataclass
class ReportInfo:
    id: str
    graph: URIRef
    curated_path: Path
    triples: int = 0


@dataclass
class Compiled:
    dataset: Dataset
    reports: list[ReportInfo]
    # Where each subject was curated, so validation can point at the line to fix.
    locations: dict[URIRef, Location] = field(default_factory=dict)

    @property
    def ontology(self) -> Graph:
        return self.dataset.graph(ONTOLOGY_GRAPH)

    def vocabulary_graphs(self) -> list[Graph]:
        prefix = str(vocabulary_graph(""))
        return [g for g in self.dataset.graphs() if str(g.identifier).startswith(prefix)]


def iter_report_dirs(data_dir: Path) -> Iterator[Path]:
    reports = data_dir / "reports"
    if not reports.is_dir() or not (data_dir / "vocabularies").is_dir():
        raise CurationFailed(
            [
                CurationError(
                    Location(data_dir, 0),
                    f"{data_dir} is not a data folder (it needs reports/ and vocabularies/)",
                    "pass --data pointing at a folder laid out like data/: reports/<id>/{source.txt,report.yaml}",
                )
            ]
        )
    yield from sorted(p for p in reports.iterdir() if (p / "report.yaml").is_file())


def add_graph(dataset: Dataset, graph: Graph) -> None:
    """Copy ``graph`` into the named graph of ``dataset`` with the same identifier."""
    target = dataset.graph(graph.identifier)
    target += graph


def load_ontology(ontology_dir: Path) -> Graph:
    graph = Graph(identifier=ONTOLOGY_GRAPH)
    graph.parse(ontology_dir / "kg.ttl", format="turtle")
    return graph


@dataclass
class CompiledReport:
    info: ReportInfo | None
    graph: Graph | None
    locations: dict[URIRef, Location]
    errors: list[CurationError]
    definitions: list[Definition] = field(default_factory=list)


def compile_report(report_dir: Path, vocabularies: Vocabularies, data_dir: Path) -> CompiledReport:
    """Compile one report on its own: it must define (and quote) every entity it refers to,
    which is what lets reports be compiled and validated independently, in parallel."""
    try:
        report = curated.load(report_dir / "report.yaml")
    except CurationFailed as failed:
        return CompiledReport(None, None, {}, failed.errors)
    source_path = report_dir / str(report.report.get("text", "source.txt"))
    if not source_path.is_file():
        error = CurationError(
            report.report.at("text"),
            f"the report text {source_path} does not exist",
            "save the report text (UTF-8) there, or correct 'text:'",
        )
        return CompiledReport(None, None, {}, [error])
    try:
        source = SourceText.read(source_path)
    except (OSError, UnicodeDecodeError) as problem:
        error = CurationError(
            report.report.at("text"),
            f"cannot read the report text {source_path}: {problem}",
            "save the report text as UTF-8 there, or correct 'text:'",
        )
        return CompiledReport(None, None, {}, [error])
    registry = {section: {item.id: item for item in items} for section, items in report.items.items()}
    builder = ReportBuilder(report, source, vocabularies, registry, data_dir)
    graph = builder.build()
    errors = builder.errors + translations.attach(graph, report_dir, source)
    info = ReportInfo(report.report.id, URIRef(graph.identifier), report.path, len(graph))
    return CompiledReport(info, graph, builder.locations, errors, builder.definitions)


def shared_graphs(data_dir: Path, ontology_dir: Path) -> tuple[Graph, dict[str, Graph]]:
    return load_ontology(ontology_dir), load_vocabularies(data_dir)


def duplicate_report_ids(infos: list[ReportInfo]) -> list[CurationError]:
    seen: dict[str, ReportInfo] = {}
    errors = []
    for info in infos:
        if info.id in seen:
            errors.append(
                CurationError(
                    Location(info.curated_path, 1),
                    f"report id {info.id!r} is also used by {seen[info.id].curated_path}",
                    "give each report its own id (its folder name is a good choice)",
                )
            )
        seen.setdefault(info.id, info)
    return errors


def compile_data(
    data_dir: Path,
    ontology_dir: Path,
    progress: Callable[[str], None] | None = None,
) -> Compiled:
    """Compile the ontology, the vocabularies and every report under ``data_dir``, in this process."""
    dataset = bind_prefixes(Dataset())
    ontology, vocab_graphs = shared_graphs(data_dir, ontology_dir)
    for graph in (ontology, *vocab_graphs.values()):
        add_graph(dataset, graph)
    vocabularies = Vocabularies(list(vocab_graphs.values()))
    compiled = Compiled(dataset=dataset, reports=[])
    errors: list[CurationError] = []
    definitions: list[Definition] = []
    report_dirs = list(iter_report_dirs(data_dir))
    for number, report_dir in enumerate(report_dirs, start=1):
        if progress:
            progress(f"compiling report {number}/{len(report_dirs)}: {report_dir.name}")
        result = compile_report(report_dir, vocabularies, data_dir)
        errors.extend(result.errors)
        definitions.extend(result.definitions)
        if result.info is None or result.graph is None:
            continue
        add_graph(dataset, result.graph)
        compiled.locations.update(result.locations)
        compiled.reports.append(result.info)
    errors.extend(duplicate_report_ids(compiled.reports))
    errors.extend(conflicting_definitions(definitions))
    if errors:
        raise CurationFailed(errors)
    return compiled


def _lang_literals(label: dict[str, Any] | str) -> list[Literal]:
    if isinstance(label, str):
        return [Literal(label, lang="en")]
    literals = []
    for lang, text in label.items():
        for value in text if isinstance(text, list) else [text]:
            literals.append(Literal(str(value).strip(), lang=lang))
    return literals


class ReportBuilder:
    """Builds one report's named graph, collecting every problem instead of stopping at the first."""

    def __init__(
        self,
        report: CuratedReport,
        source: SourceText,
        vocabularies: Vocabularies,
        registry: dict[str, dict[str, Item]],
        data_dir: Path,
    ):
        self.report = report
        self.source = source
        self.vocabularies = vocabularies
        self.registry = registry
        self.data_dir = data_dir
        self.report_id = report.report.id
        self.graph = Graph(identifier=report_graph(self.report_id))
        self.report_node = report_iri(self.report_id)
        self.errors: list[CurationError] = []
        self.locations: dict[URIRef, Location] = {}
        self.definitions: list[Definition] = []
        # (section, old id) -> the id it is merged into (replaced_by); references follow it.
        self.replacements = {(item.section, item.id): str(item.get("replaced_by")) for item in report.replaced}
        self.committed_targets: dict[str, Item] = {}  # target fact id -> the commitment to it

    # -- helpers ---------------------------------------------------------------------------

    def error(self, location: Location, message: str, fix: str) -> None:
        self.errors.append(CurationError(location, message, fix))

    def add(self, s: URIRef, p: URIRef, o: Any) -> None:
        if o is not None:
            self.graph.add((s, p, o))

    def notes(self, node: URIRef, item: Item) -> None:
        if item.get("note"):
            for literal in _lang_literals(item.get("note")):
                self.add(node, SKOS.note, literal)

    def registered(self, section: str, value: Any) -> Item | None:
        """The entry of ``section`` with id ``value``, following replaced_by."""
        ident = str(value)
        return self.registry.get(section, {}).get(self.replacements.get((section, ident), ident))

    def vocabulary_iri(self, kind: str, value: Any) -> URIRef | None:
        """The concept ``value`` of a shared vocabulary, or None (no error: for labels only)."""
        iri = ID[f"{kind}/{value}"]
        return iri if value is not None and iri in self.vocabularies.known else None

    def curated_at(self, node: URIRef, location: Location) -> None:
        self.locations[node] = location
        try:
            shown = location.path.resolve().relative_to(self.data_dir.resolve().parent)
        except ValueError:
            shown = location.path
        self.add(node, KG.curatedAt, Literal(f"{shown}:{location.line}"))

    def resolve(self, item: Item, name: str, target: str) -> URIRef | None:
        """The IRI that ``item[name]`` refers to, or None after recording a dangling-reference error."""
        value = item.get(name)
        if value is None:
            return None
        value = str(value)
        if target.startswith("vocab:"):
            kind = target.removeprefix("vocab:")
            iri = ID[f"{kind}/{value}"]
            if iri not in self.vocabularies.known:
                choices = self.vocabularies.choices(kind)
                what = "unknown unit" if kind == "unit" else f"unknown {kind}"
                self.error(
                    item.at(name),
                    f"{what} {value!r} in {item.section} entry {item.id!r}",
                    f"use one of: {', '.join(choices)} — or add it to data/vocabularies/{kind}s.ttl",
                )
                return None
            return iri
        value = self.replacements.get((target, value), value)
        if value not in self.registry.get(target, {}):
            known = sorted(self.registry.get(target, {}))
            close = curated._suggest(value, set(known)) if known else f"there are no {target} yet"
            self.error(
                item.at(name),
                f"dangling reference: {name} {value!r} of {item.id!r} is not an id in {target}",
                f"define it under '{target}:' or correct the id ({close})",
            )
            return None
        return entity_iri(ENTITY_KIND[target], value)

    def evidence(self, node: URIRef, item: Item) -> Span | None:
        """Locate the item's quote and attach it as a Web Annotation specific resource."""
        quote = item.get("quote")
        if not isinstance(quote, str) or not quote:
            self.error(item.at("quote"), f"{item.id!r} has an empty quote", "copy the exact words from the source text")
            return None
        occurrence = item.get("occurrence")
        try:
            span = self.source.locate(quote, occurrence)
        except QuoteNotFound as missing:
            self.error(
                item.at("quote"),
                f"quote of {item.id!r} is not in {self.source.path}: {quote!r}",
                f"copy the exact words from the text; the closest passage is {missing.nearest!r}",
            )
            return None
        except QuoteAmbiguous as ambiguous:
            self.error(
                item.at("quote"),
                f"quote of {item.id!r} occurs {ambiguous.count} times in {self.source.path}: {quote!r}",
                f"add 'occurrence: N' (1 to {ambiguous.count}) to say which one, or quote more words",
            )
            return None
        slug = item.id if item.section != "report" else "title"
        annotation = report_iri(self.report_id, "evidence", slug)
        quote_selector = report_iri(self.report_id, "evidence", slug, "quote")
        position_selector = report_iri(self.report_id, "evidence", slug, "position")
        sentence = self.source.sentence(span)
        text = self.source.text
        g = self.graph
        g.add((annotation, RDF.type, KG.Quote))
        g.add((annotation, RDF.type, OA.SpecificResource))
        g.add((annotation, OA.hasSource, self.report_node))
        g.add((annotation, OA.hasSelector, quote_selector))
        g.add((annotation, OA.hasSelector, position_selector))
        g.add((annotation, KG.sentenceStart, Literal(sentence.start, datatype=XSD.integer)))
        g.add((annotation, KG.sentenceEnd, Literal(sentence.end, datatype=XSD.integer)))
        g.add((quote_selector, RDF.type, OA.TextQuoteSelector))
        g.add((quote_selector, OA.exact, Literal(text[span.start : span.end])))
        g.add((quote_selector, OA.prefix, Literal(text[max(0, span.start - CONTEXT_CHARS) : span.start])))
        g.add((quote_selector, OA.suffix, Literal(text[span.end : span.end + CONTEXT_CHARS])))
        g.add((position_selector, RDF.type, OA.TextPositionSelector))
        g.add((position_selector, OA.start, Literal(span.start, datatype=XSD.integer)))
        g.add((position_selector, OA.end, Literal(span.end, datatype=XSD.integer)))
        g.add((node, PROV.wasDerivedFrom, annotation))
        for part in (annotation, quote_selector, position_selector):
            self.locations[part] = item.at("quote")
        return span

    def labelled(self, node: URIRef, item: Item, *types: URIRef) -> None:
        for rdf_type in types:
            self.add(node, RDF.type, rdf_type)
        for literal in _lang_literals(item.get("label", {})):
            self.add(node, SKOS.prefLabel, literal)
        for literal in _lang_literals(item.get("alt") or {}):
            self.add(node, SKOS.altLabel, literal)
        self.notes(node, item)
        self.curated_at(node, item.location)
        self.evidence(node, item)
        if item.section != "report":
            self.add(self.report_node, KG.mentions, node)
            kind_field = KIND_FIELD.get(item.section)
            kind = item.get(kind_field) if kind_field else None
            labels = tuple(sorted((lit.language or "", str(lit)) for lit in _lang_literals(item.get("label", {}))))
            self.definitions.append(
                Definition(
                    str(node),
                    item.section,
                    item.id,
                    None if kind is None else str(kind),
                    labels,
                    item.at(kind_field) if kind_field else item.location,
                    item.at("label"),
                )
            )

    # -- sections --------------------------------------------------------------------------

    def build(self) -> Graph:
        self.build_report()
        for item in self.report.items.get("agencies", []):
            self.build_agency(item)
        for item in self.report.items.get("officials", []):
            self.build_official(item)
        for item in self.report.items.get("posts", []):
            self.build_post(item)
        for item in self.report.items.get("documents", []):
            self.build_document(item)
        for item in self.report.items.get("programs", []):
            self.build_program(item)
        for item in self.report.items.get("regions", []):
            self.build_region(item)
        for item in self.report.items.get("indicators", []):
            self.build_indicator(item)
        for item in self.report.items.get("facts", []):
            self.build_fact(item)
        for item in self.report.items.get("commitments", []):
            commitments.build_commitment(self, item)
        for item in self.report.items.get("facts", []):
            commitments.build_target_commitment(self, item)
        for item in self.report.items.get("qualitative_facts", []):
            commitments.build_qualitative_fact(self, item)
        for item in self.report.replaced:
            self.build_replaced(item)
        self.check_not_facts()
        return self.graph

    def build_report(self) -> None:
        item = self.report.report
        node = self.report_node
        for rdf_type in (KG.Report, SCHEMA.NewsArticle, ELI.Work, PROV.Entity):
            self.add(node, RDF.type, rdf_type)
        for literal in _lang_literals(item.get("title", {})):
            self.add(node, DCTERMS.title, literal)
            self.add(node, SKOS.prefLabel, literal)
        issued = item.get("issued")
        if not isinstance(issued, dt.date):
            self.error(item.at("issued"), f"issued {issued!r} is not a date", "write issued: YYYY-MM-DD")
        else:
            self.add(node, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date))
        publisher = self.resolve(item, "publisher", "agencies")
        self.add(node, DCTERMS.publisher, publisher)
        self.add(node, DCTERMS.language, Literal(item.get("language", "zh")))
        if item.get("citation"):
            self.add(node, DCTERMS.bibliographicCitation, Literal(item.get("citation")))
        if item.get("source_url"):
            self.source_url(node, item)
        self.add(node, KG.sourceText, Literal(self.source.text))
        self.curated_at(node, item.location)
        self.evidence(node, item)
        dataset = report_iri(self.report_id, "dataset")
        self.add(dataset, RDF.type, QB.DataSet)
        self.add(dataset, QB.structure, KG.observationStructure)
        self.add(dataset, DCTERMS.source, node)
        title = item.get("title", {})
        self.add(dataset, SKOS.prefLabel, Literal(f"{title.get('zh', self.report_id)} — 数量事实", lang="zh"))
        self.add(dataset, SKOS.prefLabel, Literal(f"{title.get('en', self.report_id)} — quantitative facts", lang="en"))

    def build_agency(self, item: Item) -> None:
        node = entity_iri("agency", item.id)
        self.labelled(node, item, KG.Agency, ORG.FormalOrganization)
        kind = self.resolve(item, "kind", "vocab:agency-kind")
        self.add(node, KG.agencyKind, kind)
        if kind in (ID["agency-kind/government"], ID["agency-kind/zone"]):
            self.add(node, RDF.type, SCHEMA.GovernmentOrganization)
        self.add(node, ORG.subOrganizationOf, self.resolve(item, "parent", "agencies"))

    def build_official(self, item: Item) -> None:
        node = entity_iri("person", item.id)
        self.labelled(node, item, KG.Official, FOAF.Person)
        for literal in _lang_literals(item.get("label", {})):
            self.add(node, FOAF.name, literal)

    def build_post(self, item: Item) -> None:
        post = entity_iri("post", item.id)
        person = entity_iri("person", item.get("holder"))
        self.labelled(post, item, ORG.Post)
        agency = self.resolve(item, "agency", "agencies")
        role = self.resolve(item, "role", "vocab:role")
        self.add(post, ORG.postIn, agency)
        self.add(post, ORG.role, role)
        self.add(post, ORG.heldBy, person)
        self.add(person, ORG.holds, post)
        membership = report_iri(self.report_id, "membership", item.id)
        self.add(membership, RDF.type, ORG.Membership)
        holder = self.registry.get("officials", {}).get(str(item.get("holder")))
        holder_names = holder.get("label", {}) if holder else {}
        for lang, post_name in item.get("label", {}).items():
            self.add(membership, SKOS.prefLabel, Literal(f"{holder_names.get(lang, '')} — {post_name}", lang=lang))
        self.add(membership, ORG.member, person)
        self.add(membership, ORG.organization, agency)
        self.add(membership, ORG.role, role)
        self.add(membership, KG.post, post)
        issued = self.report.report.get("issued")
        if isinstance(issued, dt.date):
            self.add(membership, KG.attestedOn, Literal(issued.isoformat(), datatype=XSD.date))
        self.add(membership, PROV.wasDerivedFrom, report_iri(self.report_id, "evidence", item.id))
        self.curated_at(membership, item.location)

    def build_document(self, item: Item) -> None:
        node = entity_iri("document", item.id)
        self.labelled(node, item, KG.PolicyDocument, ELI.Work)
        for literal in _lang_literals(item.get("label", {})):
            self.add(node, DCTERMS.title, literal)
        self.add(node, ELI.type_document, self.resolve(item, "type", "vocab:document-type"))
        self.add(node, DCTERMS.creator, self.resolve(item, "issuer", "agencies"))
        self.add(node, DCTERMS.isPartOf, self.resolve(item, "part_of", "documents"))

    def build_program(self, item: Item) -> None:
        node = entity_iri("program", item.id)
        self.labelled(node, item, KG.Program)
        self.add(node, KG.programKind, self.resolve(item, "kind", "vocab:program-kind"))
        self.add(node, KG.leadAgency, self.resolve(item, "lead", "agencies"))
        self.add(node, KG.parentProgram, self.resolve(item, "parent", "programs"))
        self.add(node, KG.establishedBy, self.resolve(item, "established_by", "documents"))
        self.add(node, DCTERMS.spatial, self.resolve(item, "region", "vocab:region"))
        commitments.build_program_status(self, item, node)

    def build_replaced(self, item: Item) -> None:
        """An id merged into another: ``old dct:isReplacedBy new`` (the old IRI then redirects)."""
        kind = ENTITY_KIND[item.section]
        new = str(item.get("replaced_by"))
        if new not in self.registry.get(item.section, {}):
            self.error(
                item.at("replaced_by"),
                f"{item.id!r} is replaced by {new!r}, which is not defined under '{item.section}:' in this report",
                f"define {new!r} in full under '{item.section}:' (copy its entry from the report that has it)",
            )
            return
        node = entity_iri(kind, item.id)
        self.add(node, DCTERMS.isReplacedBy, entity_iri(kind, new))
        self.curated_at(node, item.location)
        self.notes(node, item)

    def build_region(self, item: Item) -> None:
        node = self.resolve(item, "id", "vocab:region")
        if node is None:
            return
        self.curated_at(node, item.location)
        self.evidence(node, item)
        self.add(self.report_node, KG.mentions, node)

    def build_indicator(self, item: Item) -> None:
        node = entity_iri("indicator", item.id)
        self.labelled(node, item, KG.Indicator, SKOS.Concept)
        self.add(node, SKOS.inScheme, ID["scheme/indicators"])

    def build_fact(self, item: Item) -> None:
        node = report_iri(self.report_id, "fact", item.id)
        self.add(node, RDF.type, QB.Observation)
        self.add(node, QB.dataSet, report_iri(self.report_id, "dataset"))
        self.curated_at(node, item.location)
        span = self.evidence(node, item)
        refs = {name: self.resolve(item, name, target) for name, target in FACT_REFERENCES.items()}
        self.add(node, KG.indicator, refs["indicator"])
        self.add(node, KG.refPeriod, refs["period"])
        self.add(node, KG.refArea, refs["region"])
        self.add(node, KG.valueType, refs["type"])
        self.add(node, SDMX_ATTRIBUTE.unitMeasure, refs["unit"])
        self.add(node, KG.qualifier, refs["qualifier"])
        self.add(node, KG.comparedWith, refs["compared_with"])
        self.add(node, KG.leadAgency, refs["agency"])
        self.add(node, KG.statedBy, refs["stated_by"])
        self.add(node, KG.relatedProgram, refs["program"])
        amount = str(item.get("amount"))
        self.add(node, KG.asWritten, Literal(amount))
        if span is not None and amount not in self.source.text[span.start : span.end]:
            self.error(
                item.at("amount"),
                f"amount {amount!r} of fact {item.id!r} is not inside its quote {item.get('quote')!r}",
                "write the amount exactly as it appears inside the quote, or widen the quote",
            )
        value = self.fact_value(item, amount, refs["unit"])
        if value is not None:
            number, power = value
            self.add(node, SDMX_MEASURE.obsValue, Literal(number, datatype=XSD.decimal))
            self.add(node, SDMX_ATTRIBUTE.unitMult, Literal(power, datatype=XSD.integer))
        self.notes(node, item)
        self.fact_labels(node, item, amount, value, refs)

    def fact_value(self, item: Item, amount: str, unit: URIRef | None) -> tuple[Decimal, int] | None:
        """The normalised value: read from the amount, or the curated ``value`` for words like 一半."""
        if unit is None:
            return None
        symbols = self.vocabularies.unit_symbols.get(unit, [])
        given = item.get("value")
        try:
            quantity = normalise(amount, symbols)
        except AmountError as problem:
            if given is None:
                self.error(
                    item.at("amount"),
                    f"cannot normalise amount {amount!r} of fact {item.id!r} "
                    f"with unit {str(unit).rsplit('/', 1)[-1]!r}: {problem}",
                    "check the unit, or give the number explicitly with 'value:' (e.g. 一半 -> value: 50)",
                )
                return None
            return Decimal(str(given)), 0
        if given is not None and Decimal(str(given)) != quantity.value:
            self.error(
                item.at("value"),
                f"value {given} of fact {item.id!r} disagrees with its amount {amount!r} (= {quantity.value})",
                "remove 'value:' (the build computes it) or correct it",
            )
        return quantity.value, quantity.multiplier

    def fact_labels(
        self, node: URIRef, item: Item, amount: str, value: tuple[Decimal, int] | None, refs: dict[str, URIRef | None]
    ) -> None:
        indicator = self.registered("indicators", item.get("indicator"))
        if indicator is None:
            return
        names = indicator.get("label", {})
        label = self.vocabularies.label
        period, kind, unit = refs["period"], refs["type"], refs["unit"]
        self.add(
            node,
            SKOS.prefLabel,
            Literal(f"{names.get('zh', '')}({label(period, 'zh')},{label(kind, 'zh')}):{amount}", lang="zh"),
        )
        # Issue 14: the number with the text's precision and a natural unit word ("16", never "16 count").
        shown = show_amount(amount, value[0], str(unit)).text if value and unit else amount
        english = f"{names.get('en', '')} ({label(period, 'en')}, {label(kind, 'en')}): {shown}"
        self.add(node, SKOS.prefLabel, Literal(english, lang="en"))

    def source_url(self, node: URIRef, item: Item) -> None:
        """The address the report was published at, when the curator knows it (never made up): an
        absolute http(s) IRI, parsed (not pattern-matched), as ``dct:source`` of the report."""
        url = str(item.get("source_url")).strip()
        parts = urllib.parse.urlsplit(url)
        forbidden = any(ch in '<>"{}|\\^`' or ord(ch) <= 0x20 for ch in url)  # not allowed in an IRI
        if parts.scheme not in ("http", "https") or not parts.hostname or forbidden:
            self.error(
                item.at("source_url"),
                f"source_url {url!r} is not an absolute http(s) address",
                "write the address the report was published at (source_url: https://…), or leave it out",
            )
            return
        self.add(node, DCTERMS.source, URIRef(url))

    def check_not_facts(self) -> None:
        for item in self.report.not_facts:
            text = str(item.get("text"))
            if not self.source.occurrences(text):
                self.error(
                    item.at("text"),
                    f"not_facts text {text!r} is not in the source",
                    f"copy the exact words; the closest passage is {self.source.nearest(text)!r}",
                )
