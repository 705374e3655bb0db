"""Stage 2b: link every commitment to what later reports state, and compute its outcome status.

Reports are compiled on their own; this stage is the one that looks across them. From each
report graph it keeps a small summary (:func:`summarise`: commitments, observations,
qualitative facts, program statuses); :func:`assess` matches each commitment with the latest
later report that states the same indicator (or program), region, targeted period, value type
and unit, and applies the rule of the commitment's relation. The rules are written down in
``data/vocabularies/relations.ttl`` (``kg:outcomeRule``) and in ``docs/curation.md``; each
function in :data:`RULES` is one of them, word for word. :func:`outcomes_graph` turns the
assessments into the outcomes graph, where every status links both quotes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, QB, RDF, SKOS, XSD
from rdflib.term import Node

from kg.namespaces import ID, KG, OA, OUTCOMES_GRAPH, SDMX_ATTRIBUTE, SDMX_MEASURE
from kg.validate import Violation, report_violations

STATUS = Namespace(ID["outcome-status/"])
VALUE_TYPE = Namespace(ID["value-type/"])
ABOUT_TOLERANCE = Decimal("0.05")

EXCEEDED, MET, PARTLY, MISSED, NO_OUTCOME = "exceeded", "met", "partly", "missed", "no-outcome-yet"


def slug(iri: str | None) -> str:
    return (iri or "").rsplit("/", 1)[-1]


def year_of(period: str) -> int | None:
    """The year of a period IRI (…/period/2022), or None for cumulative, unspecified, …"""
    name = slug(period)
    return int(name) if name.isdigit() else None


# ------------------------------------------------------------------------------- summaries


@dataclass(frozen=True)
class Value:
    """One observation: what a report states as a number."""

    iri: str
    report: str
    issued: dt.date
    indicator: str
    region: str
    period: str
    value_type: str
    unit: str
    value: Decimal
    as_written: str
    quote: str

    def key(self) -> tuple[str, str, str, str]:
        return (self.indicator, self.region, self.period, self.value_type)


@dataclass(frozen=True)
class Comparator:
    """What a "higher than" compares with; None means the same as the subject's."""

    indicator: str | None = None
    region: str | None = None
    period: str | None = None


@dataclass(frozen=True)
class Statement:
    """A qualitative fact: a relation a report states without a number."""

    iri: str
    report: str
    issued: dt.date
    relation: str
    subject: str  # the indicator, or else the program
    region: str
    period: str
    value_type: str
    comparator: Comparator
    quote: str


@dataclass(frozen=True)
class ProgramState:
    iri: str
    report: str
    issued: dt.date
    program: str
    status: str
    period: str
    quote: str


@dataclass(frozen=True)
class Commitment:
    iri: str
    report: str
    issued: dt.date
    relation: str
    indicator: str | None
    program: str | None
    region: str
    period: str
    value_type: str
    target: Value | None
    baseline: Value | None
    comparator: Comparator
    quote: str
    label_en: str
    label_zh: str

    @property
    def subject(self) -> str:
        return self.indicator or self.program or ""

    @property
    def unit(self) -> str | None:
        reference = self.target or self.baseline
        return reference.unit if reference else None


@dataclass
class Summary:
    """What one report contributes to the cross-report stage (small, and picklable)."""

    report: str
    issued: dt.date
    commitments: list[Commitment] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    program_states: list[ProgramState] = field(default_factory=list)


def summarise(graph: Graph) -> Summary | None:
    """The summary of one compiled report graph (None if it has no report node)."""
    report = next(iter(graph.subjects(RDF.type, KG.Report)), None)
    issued_literal = graph.value(report, DCTERMS.issued) if report is not None else None
    if report is None or not isinstance(issued_literal, Literal):
        return None
    issued = issued_literal.toPython()
    if not isinstance(issued, dt.date):
        return None
    summary = Summary(str(report), issued)

    def one(node: Node, predicate: URIRef) -> str | None:
        found = graph.value(node, predicate)
        return str(found) if found is not None else None

    def evidence(node: Node) -> str:
        return one(node, PROV.wasDerivedFrom) or ""

    def comparator(node: Node) -> Comparator:
        return Comparator(
            one(node, KG.comparedWithIndicator), one(node, KG.comparedWithArea), one(node, KG.comparedWith)
        )

    values: dict[str, Value] = {}
    for node in sorted(graph.subjects(RDF.type, QB.Observation), key=str):
        number = graph.value(node, SDMX_MEASURE.obsValue)
        fields = [one(node, p) for p in (KG.indicator, KG.refArea, KG.refPeriod, KG.valueType)]
        unit = one(node, SDMX_ATTRIBUTE.unitMeasure)
        if number is None or unit is None or any(f is None for f in fields):
            continue  # SHACL refuses such a graph; nothing to link
        indicator, area, when, value_type = (str(f) for f in fields)
        values[str(node)] = Value(
            str(node),
            str(report),
            issued,
            indicator,
            area,
            when,
            value_type,
            unit,
            Decimal(str(number)),
            one(node, KG.asWritten) or str(number),
            evidence(node),
        )
    summary.values = list(values.values())
    for node in sorted(graph.subjects(RDF.type, KG.QualitativeFact), key=str):
        subject = one(node, KG.indicator) or one(node, KG.relatedProgram)
        relation, region, period = (one(node, p) for p in (KG.relation, KG.refArea, KG.refPeriod))
        if subject is None or relation is None or region is None or period is None:
            continue
        summary.statements.append(
            Statement(
                str(node),
                str(report),
                issued,
                relation,
                subject,
                region,
                period,
                one(node, KG.valueType) or str(VALUE_TYPE["actual"]),
                comparator(node),
                evidence(node),
            )
        )
    for node in sorted(graph.subjects(RDF.type, KG.ProgramStatus), key=str):
        program, status, period = (one(node, p) for p in (KG.relatedProgram, KG.programStatus, KG.refPeriod))
        if program is None or status is None or period is None:
            continue
        summary.program_states.append(
            ProgramState(str(node), str(report), issued, program, status, period, evidence(node))
        )
    for node in sorted(graph.subjects(RDF.type, KG.Commitment), key=str):
        relation, region, period = (one(node, p) for p in (KG.relation, KG.refArea, KG.refPeriod))
        if relation is None or region is None or period is None:
            continue
        target = values.get(one(node, KG.target) or "")
        baseline = values.get(one(node, KG.baseline) or "")
        labels = {lit.language: str(lit) for lit in graph.objects(node, SKOS.prefLabel) if isinstance(lit, Literal)}
        summary.commitments.append(
            Commitment(
                str(node),
                str(report),
                issued,
                relation,
                one(node, KG.indicator),
                one(node, KG.relatedProgram),
                region,
                period,
                one(node, KG.valueType) or (baseline.value_type if baseline else str(VALUE_TYPE["actual"])),
                target,
                baseline,
                comparator(node),
                evidence(node),
                labels.get("en", ""),
                labels.get("zh", ""),
            )
        )
    return summary


# ------------------------------------------------------------------------------- the rules


@dataclass(frozen=True)
class Figures:
    """The numbers a rule compares: A (the later value), T (target), B (baseline or comparator)."""

    later: Decimal
    target: Decimal | None
    baseline: Decimal | None


def _towards(later: Decimal, target: Decimal, start: Decimal) -> str:
    """Exceeded past T, met at T, partly between B and T, missed at or behind B (either direction)."""
    rising = target >= start
    if later == target:
        return MET
    if (later > target) == rising:
        return EXCEEDED
    if (later > start) == rising and later != start:
        return PARTLY
    return MISSED


def rule_increase(f: Figures) -> str | None:
    if f.baseline is None:
        return None
    if f.target is not None:
        return _towards(f.later, f.target, f.baseline)
    return MET if f.later > f.baseline else MISSED


def rule_decrease(f: Figures) -> str | None:
    if f.baseline is None:
        return None
    if f.target is not None:
        return _towards(f.later, f.target, f.baseline)
    return MET if f.later < f.baseline else MISSED


def rule_double(f: Figures) -> str | None:
    if f.baseline is None:
        return None
    return _towards(f.later, 2 * f.baseline, f.baseline)


def rule_reach(f: Figures) -> str | None:
    if f.target is None:
        return None
    return _towards(f.later, f.target, f.baseline if f.baseline is not None else Decimal(0))


def rule_at_least(f: Figures) -> str | None:
    if f.target is None:
        return None
    return EXCEEDED if f.later > f.target else MET if f.later == f.target else MISSED


def rule_about(f: Figures) -> str | None:
    if f.target is None:
        return None
    band = abs(f.target) * ABOUT_TOLERANCE
    if abs(f.later - f.target) <= band:
        return MET
    return EXCEEDED if f.later > f.target else MISSED


def rule_keep(f: Figures) -> str | None:
    level = f.target if f.target is not None else f.baseline
    if level is None:
        return None
    return MET if f.later >= level else MISSED


def rule_full_coverage(f: Figures) -> str | None:
    if f.later >= 100:
        return MET  # coverage cannot exceed everything
    return _towards(f.later, Decimal(100), f.baseline if f.baseline is not None else Decimal(0))


def rule_higher_than(f: Figures) -> str | None:
    if f.baseline is None:  # here the baseline is the comparator's value
        return None
    return MET if f.later > f.baseline else MISSED


# relation slug -> numeric rule (None: the relation has no numeric form)
RULES: dict[str, Callable[[Figures], str | None] | None] = {
    "increase": rule_increase,
    "decrease": rule_decrease,
    "double": rule_double,
    "reach": rule_reach,
    "at-least": rule_at_least,
    "about": rule_about,
    "keep": rule_keep,
    "full-coverage": rule_full_coverage,
    "higher-than": rule_higher_than,
    "implement": None,
}
# Relations a later qualitative fact (same relation, subject, region, period) fulfils.
QUALITATIVE = {"increase", "decrease", "keep", "full-coverage", "higher-than"}
# Relations whose rule can use the value of the year before the targeted period as baseline.
NEEDS_BASELINE = {"increase", "decrease", "double"}


# ------------------------------------------------------------------------------- assessment


@dataclass
class Assessment:
    commitment: Commitment
    status: str
    outcome: Value | Statement | ProgramState | None = None
    baseline: Value | None = None  # the baseline (or comparator value) the rule used
    explanation_en: str = ""
    explanation_zh: str = ""
    # Set when a later report states the outcome but the rule lacks a number to compare with.
    warning: str | None = None


class Index:
    """Every report's values, qualitative facts and program statuses, keyed for the joins."""

    def __init__(self, summaries: Iterable[Summary]):
        self.values: dict[tuple[str, str, str, str], list[Value]] = defaultdict(list)
        self.statements: dict[tuple[str, str, str, str], list[Statement]] = defaultdict(list)
        self.states: dict[tuple[str, str], list[ProgramState]] = defaultdict(list)
        self.summaries = sorted(summaries, key=lambda s: (s.issued, s.report))
        for summary in self.summaries:
            for value in summary.values:
                if slug(value.value_type) != "target":
                    self.values[value.key()].append(value)
            for statement in summary.statements:
                self.statements[(statement.relation, statement.subject, statement.region, statement.period)].append(
                    statement
                )
            for state in summary.program_states:
                self.states[(state.program, state.period)].append(state)

    def later_value(self, commitment: Commitment, key: tuple[str, str, str, str], unit: str | None) -> Value | None:
        """The value with these dimensions (and unit) stated by the latest report after the commitment's."""
        later = [
            v for v in self.values.get(key, []) if v.issued > commitment.issued and (unit is None or v.unit == unit)
        ]
        return max(later, key=_latest) if later else None

    def value_in(self, report: str, key: tuple[str, str, str, str], unit: str) -> Value | None:
        found = [v for v in self.values.get(key, []) if v.report == report and v.unit == unit]
        return found[0] if found else None

    def year_before(self, commitment: Commitment, unit: str, prefer_report: str) -> Value | None:
        """The baseline fallback: the value for the year before the targeted period, from the
        outcome's report if it gives one, else from the latest report that does."""
        year = year_of(commitment.period)
        if year is None or commitment.indicator is None:
            return None
        key = (commitment.indicator, commitment.region, str(ID[f"period/{year - 1}"]), commitment.value_type)
        found = [v for v in self.values.get(key, []) if v.unit == unit]
        return self.value_in(prefer_report, key, unit) or (max(found, key=_latest) if found else None)

    def later_statement(self, commitment: Commitment) -> Statement | None:
        found = [
            s
            for s in self.statements.get(
                (commitment.relation, commitment.subject, commitment.region, commitment.period), []
            )
            if s.issued > commitment.issued
            and (s.comparator == commitment.comparator or slug(commitment.relation) != "higher-than")
        ]
        return max(found, key=_latest) if found else None

    def later_state(self, commitment: Commitment) -> ProgramState | None:
        found = [
            s
            for s in self.states.get((commitment.program or "", commitment.period), [])
            if s.issued > commitment.issued and slug(s.status) in ("under-way", "completed")
        ]
        return max(found, key=_latest) if found else None


def _latest(item: Value | Statement | ProgramState) -> tuple[dt.date, str, str]:
    return (item.issued, item.report, item.iri)


Names = dict[str, dict[str, str]]  # IRI -> {"en": …, "zh": …}: the vocabulary's preferred labels


class Assessor:
    """Applies the rules to each commitment, explaining every status in both languages."""

    def __init__(self, index: Index, names: Names | None = None):
        self.index = index
        self.names = names or {}

    def name(self, iri: str, lang: str) -> str:
        return self.names.get(iri, {}).get(lang) or slug(iri)

    def status(self, status: str, lang: str) -> str:
        return self.name(str(STATUS[status]), lang)

    def assess(self, commitment: Commitment) -> Assessment:
        relation = slug(commitment.relation)
        year = year_of(commitment.period)
        if year is None:
            period_en, period_zh = self.name(commitment.period, "en"), self.name(commitment.period, "zh")
            return Assessment(
                commitment,
                NO_OUTCOME,
                explanation_en=f"The commitment names no year ({period_en}), so no later figure can match it.",
                explanation_zh=f"承诺未给出年份({period_zh}),无法与后续报告的数据对应。",
            )
        rule = RULES.get(relation)
        if rule is not None and commitment.indicator is not None:
            numeric = self.numeric(commitment, rule, relation)
            if numeric is not None:
                return numeric
        if relation in QUALITATIVE and commitment.target is None:
            statement = self.index.later_statement(commitment)
            if statement is not None:
                return self.stated(commitment, statement, year)
        if relation == "implement":
            state = self.index.later_state(commitment)
            if state is not None:
                return self.stated(commitment, state, year)
        return Assessment(
            commitment,
            NO_OUTCOME,
            explanation_en=f"No report after {slug(commitment.report)} states the outcome for {year} yet.",
            explanation_zh=f"尚无{slug(commitment.report)}之后的报告陈述{year}年的结果。",
        )

    def stated(self, commitment: Commitment, later: Statement | ProgramState, year: int) -> Assessment:
        """Met by what a later report states in words: the same relation, or the program under way or done."""
        if isinstance(later, ProgramState):
            what_en, what_zh = f"the program {self.name(later.status, 'en')}", f"该项目{self.name(later.status, 'zh')}"
        else:
            what_en = f"the same “{self.name(later.relation, 'en')}”"
            what_zh = f"同样的“{self.name(later.relation, 'zh')}”"
        report = slug(later.report)
        return Assessment(
            commitment,
            MET,
            later,
            explanation_en=f"{report} states {what_en} for {year}: {self.status(MET, 'en')}.",
            explanation_zh=f"{report}陈述{year}年{what_zh}:{self.status(MET, 'zh')}。",
        )

    def figures(
        self,
        commitment: Commitment,
        status: str,
        later: Value,
        numbers: list[tuple[str, Value | None]],
        baseline: Value | None,
    ) -> Assessment:
        shown = ", ".join(f"{letter} = {_fmt(value)}" for letter, value in numbers if value is not None)
        relation_en, relation_zh = self.name(commitment.relation, "en"), self.name(commitment.relation, "zh")
        return Assessment(
            commitment,
            status,
            later,
            baseline,
            explanation_en=f"Rule of “{relation_en}”: {shown} → {self.status(status, 'en')}.",
            explanation_zh=f"“{relation_zh}”规则:{shown} → {self.status(status, 'zh')}。",
        )

    def numeric(
        self, commitment: Commitment, rule: Callable[[Figures], str | None], relation: str
    ) -> Assessment | None:
        key = (commitment.indicator or "", commitment.region, commitment.period, commitment.value_type)
        later = self.index.later_value(commitment, key, commitment.unit)
        if later is None:
            return None
        if relation == "higher-than":
            return self.higher_than(commitment, later)
        baseline = commitment.baseline
        if baseline is None and relation in NEEDS_BASELINE:
            baseline = self.index.year_before(commitment, later.unit, later.report)
        target = commitment.target
        status = rule(Figures(later.value, target.value if target else None, baseline.value if baseline else None))
        if status is None:
            relation_en = self.name(commitment.relation, "en")
            return Assessment(
                commitment,
                NO_OUTCOME,
                explanation_en=f"{slug(later.report)} states {later.as_written}, but the rule of “{relation_en}” "
                "needs a baseline and no report gives the value of the year before.",
                explanation_zh=f"{slug(later.report)}给出{later.as_written},"
                f"但“{self.name(commitment.relation, 'zh')}”规则需要基期值,尚无报告给出上一年的数值。",
                warning=f"{commitment.iri}: {slug(later.report)} states the outcome ({later.as_written}) but the "
                f"rule of “{relation_en}” needs a baseline: add 'baseline: <fact id>' to the commitment",
            )
        return self.figures(commitment, status, later, [("A", later), ("T", target), ("B", baseline)], baseline)

    def higher_than(self, commitment: Commitment, later: Value) -> Assessment | None:
        other = commitment.comparator
        compared_key = (
            other.indicator or commitment.indicator or "",
            other.region or commitment.region,
            other.period or commitment.period,
            commitment.value_type,
        )
        compared = self.index.value_in(later.report, compared_key, later.unit)
        if compared is None:
            return None  # the later report may still state it in words (a qualitative fact)
        status = rule_higher_than(Figures(later.value, None, compared.value)) or NO_OUTCOME
        return self.figures(commitment, status, later, [("A", later), ("C", compared)], compared)


def _fmt(value: Value) -> str:
    return f"{value.as_written} ({slug(value.report)})"


def assess(summaries: Iterable[Summary], names: Names | None = None) -> list[Assessment]:
    """The assessment of every commitment of every report, in a stable order."""
    index = Index(summaries)
    assessor = Assessor(index, names)
    commitments = [c for s in index.summaries for c in s.commitments]
    return [assessor.assess(c) for c in sorted(commitments, key=lambda c: c.iri)]


# ------------------------------------------------------------------------------- the outcomes graph


def outcome_iri(commitment: Commitment) -> URIRef:
    """id/outcome/<report id>/<commitment id>"""
    return ID[f"outcome/{slug(commitment.report)}/{slug(commitment.iri)}"]


def outcomes_graph(assessments: Iterable[Assessment], names: Names | None = None) -> Graph:
    graph = Graph(identifier=OUTCOMES_GRAPH)
    for a in assessments:
        node = outcome_iri(a.commitment)
        commitment = URIRef(a.commitment.iri)
        status = (names or {}).get(str(STATUS[a.status]), {})
        en, zh = status.get("en", a.status), status.get("zh", a.status)
        graph.add((node, RDF.type, KG.Outcome))
        graph.add((node, SKOS.prefLabel, Literal(f"{a.commitment.label_en} — {en}", lang="en")))
        graph.add((node, SKOS.prefLabel, Literal(f"{a.commitment.label_zh} — {zh}", lang="zh")))
        graph.add((node, KG.assesses, commitment))
        graph.add((node, KG.outcomeStatus, STATUS[a.status]))
        graph.add((node, KG.commitmentQuote, URIRef(a.commitment.quote)))
        graph.add((node, SKOS.note, Literal(a.explanation_en, lang="en")))
        graph.add((node, SKOS.note, Literal(a.explanation_zh, lang="zh")))
        if a.outcome is not None:
            graph.add((node, KG.outcomeFact, URIRef(a.outcome.iri)))
            graph.add((node, KG.outcomeQuote, URIRef(a.outcome.quote)))
        if a.baseline is not None:
            graph.add((node, KG.baseline, URIRef(a.baseline.iri)))
    return graph


def validation_context(summaries: Iterable[Summary]) -> Graph:
    """The few triples of the report graphs the outcome shapes look at (types, quotes' reports,
    reports' dates), so the outcomes graph is validated without loading every report graph."""
    graph = Graph()
    for summary in summaries:
        report = URIRef(summary.report)
        graph.add((report, RDF.type, KG.Report))
        graph.add((report, DCTERMS.issued, Literal(summary.issued.isoformat(), datatype=XSD.date)))
        typed: list[tuple[str, URIRef]] = [(c.iri, KG.Commitment) for c in summary.commitments]
        typed += [(v.iri, QB.Observation) for v in summary.values]
        typed += [(s.iri, KG.QualitativeFact) for s in summary.statements]
        typed += [(s.iri, KG.ProgramStatus) for s in summary.program_states]
        for iri, rdf_type in typed:
            graph.add((URIRef(iri), RDF.type, rdf_type))
        quotes = [c.quote for c in summary.commitments] + [v.quote for v in summary.values]
        quotes += [s.quote for s in summary.statements] + [s.quote for s in summary.program_states]
        for quote in quotes:
            graph.add((URIRef(quote), RDF.type, KG.Quote))
            graph.add((URIRef(quote), OA.hasSource, report))
    return graph


@dataclass
class Linked:
    """The outcome of the cross-report stage: the graph, what is wrong with it, and warnings."""

    graph: Graph
    assessments: list[Assessment]
    violations: list[Violation]
    warnings: list[str]


def load_outcome_shapes(ontology_dir: Path) -> Graph:
    shapes = Graph()
    shapes.parse(ontology_dir / "outcome-shapes.ttl", format="turtle")
    return shapes


def link(summaries: list[Summary], context: Graph, shapes: Graph) -> Linked:
    """Assess every commitment and validate the outcomes graph (``ontology/outcome-shapes.ttl``)."""
    names: Names = defaultdict(dict)
    for concept, label in context.subject_objects(SKOS.prefLabel):
        if isinstance(label, Literal) and label.language in ("en", "zh"):
            names[str(concept)][label.language] = str(label)
    assessments = assess(summaries, names)
    graph = outcomes_graph(assessments, names)
    data = Graph()
    data += graph
    data += validation_context(summaries)
    violations = report_violations(data, context, shapes, {})
    warnings = [a.warning for a in assessments if a.warning]
    return Linked(graph, assessments, violations, warnings)
