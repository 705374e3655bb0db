"""Stage 2, continued: compile a report's commitments, qualitative facts and program statuses.

A commitment (``kg:Commitment``) says who commits to what (an indicator or a program) with which
relation, for which period; its value, where the text gives one, stays a target fact (a Data Cube
observation) that the commitment points to, and so does its baseline. A commitment with a target
takes the target's indicator, period, region, agency, official and program. A qualitative fact
(``kg:QualitativeFact``) is an achievement stated as a relation without a number; a program
status (``kg:ProgramStatus``) is what one report says about a program's state in one period.
The format is in ``docs/curation.md``; what each relation needs is checked by the SHACL shapes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS

from kg.curated import Item
from kg.namespaces import KG, entity_iri, report_iri
from kg.numbers import AmountError, normalise, shown_number

if TYPE_CHECKING:
    from kg.compile import ReportBuilder

# Fields a commitment takes from its target fact when it does not give them.
INHERITED_FROM_TARGET = ("indicator", "period", "region", "agency", "stated_by", "program")
# field -> what it refers to (as in compile.FACT_REFERENCES)
REFERENCES: dict[str, str] = {
    "relation": "vocab:relation",
    "indicator": "indicators",
    "program": "programs",
    "period": "vocab:period",
    "region": "vocab:region",
    "type": "vocab:value-type",
    "stated_by": "officials",
    "compared_with": "vocab:period",
    "compared_with_region": "vocab:region",
    "compared_with_indicator": "indicators",
}
PREDICATES = {
    "relation": KG.relation,
    "indicator": KG.indicator,
    "program": KG.relatedProgram,
    "period": KG.refPeriod,
    "region": KG.refArea,
    "type": KG.valueType,
    "stated_by": KG.statedBy,
    "compared_with": KG.comparedWith,
    "compared_with_region": KG.comparedWithArea,
    "compared_with_indicator": KG.comparedWithIndicator,
}


def _with_target(builder: ReportBuilder, item: Item) -> Item | None:
    """The commitment with the fields it inherits from its target fact filled in (None: no target)."""
    target_id = item.get("target")
    if target_id is None:
        return item
    target = builder.registry.get("facts", {}).get(str(target_id))
    if target is None:
        builder.error(
            item.at("target"),
            f"dangling reference: target {target_id!r} of {item.id!r} is not an id in facts",
            "define the value as a fact of type target and give its id",
        )
        return None
    data = dict(item.data)
    for name in INHERITED_FROM_TARGET:
        inherited = target.get(name)
        given = item.get(name)
        if given is not None and inherited is not None and str(given) != str(inherited):
            builder.error(
                item.at(name),
                f"{name} {given!r} of commitment {item.id!r} disagrees with its target {target_id!r} ({inherited!r})",
                f"remove '{name}:' (it comes from the target fact) or correct one of them",
            )
        if given is None and inherited is not None:
            data[name] = inherited
    return Item(item.section, data, item.location, item.field_lines)


def _fact(builder: ReportBuilder, item: Item, name: str) -> URIRef | None:
    fact_id = item.get(name)
    if fact_id is None:
        return None
    if str(fact_id) not in builder.registry.get("facts", {}):
        builder.error(
            item.at(name),
            f"dangling reference: {name} {fact_id!r} of {item.id!r} is not an id in facts",
            "give the id of a fact of this report",
        )
        return None
    return report_iri(builder.report_id, "fact", str(fact_id))


def _agencies(builder: ReportBuilder, item: Item) -> list[URIRef]:
    given = item.get("agency")
    values = given if isinstance(given, list) else [] if given is None else [given]
    found = []
    for value in values:
        one = Item(item.section, {**item.data, "agency": value}, item.location, item.field_lines)
        iri = builder.resolve(one, "agency", "agencies")
        if iri is not None:
            found.append(iri)
    return found


def _labels(builder: ReportBuilder, item: Item) -> tuple[str, str]:
    """Readable labels: what, the relation, the target or baseline as written, the comparator, the period."""
    vocabulary = builder.vocabularies
    what_section, what_id = (
        ("indicators", item.get("indicator")) if item.get("indicator") else ("programs", item.get("program"))
    )
    what = builder.registered(what_section, what_id)
    names: dict[str, Any] = what.get("label", {}) if what else {}
    relation = builder.vocabulary_iri("relation", item.get("relation"))
    period = builder.vocabulary_iri("period", item.get("period"))
    en = f"{names.get('en', what_id)}: {vocabulary.label(relation, 'en')}"
    zh = f"{names.get('zh', what_id)}:{vocabulary.label(relation, 'zh')}"
    for name, (word_en, word_zh) in (("target", ("", "")), ("baseline", (" from", "(基期"))):
        fact = builder.registered("facts", item.get(name))
        if fact is not None:
            amount = str(fact.get("amount"))
            en += f"{word_en} {_in_english(builder, fact)}"
            zh += f"{word_zh}{amount}{')' if word_zh else ''}"
    for name in ("compared_with_indicator", "compared_with_region"):
        if item.get(name) is None:
            continue
        if name == "compared_with_indicator":
            other = builder.registered("indicators", item.get(name))
            other_names = other.get("label", {}) if other else {}
            en, zh = f"{en} {other_names.get('en', '')}", f"{zh}{other_names.get('zh', '')}"
        else:
            region = builder.vocabulary_iri("region", item.get(name))
            en, zh = f"{en} {vocabulary.label(region, 'en')}", f"{zh}{vocabulary.label(region, 'zh')}"
    compared = builder.vocabulary_iri("period", item.get("compared_with"))
    if compared is not None:
        en, zh = f"{en} {vocabulary.label(compared, 'en')}", f"{zh}{vocabulary.label(compared, 'zh')}"
    return f"{en} ({vocabulary.label(period, 'en')})", f"{zh}({vocabulary.label(period, 'zh')})"


def _in_english(builder: ReportBuilder, fact: Item) -> str:
    """A fact's amount as the English labels of facts show it: "100,000 mu", "56.7 percent"."""
    amount = str(fact.get("amount"))
    unit = builder.vocabulary_iri("unit", fact.get("unit"))
    if unit is None:
        return amount
    number: Decimal | None
    try:
        number = normalise(amount, builder.vocabularies.unit_symbols.get(unit, [])).value
    except AmountError:
        number = Decimal(str(fact.get("value"))) if fact.get("value") is not None else None
    if number is None:
        return amount
    return f"{shown_number(number)} {builder.vocabularies.label(unit, 'en')}"


def _renamed(item: Item, ident: str) -> Item:
    return Item(item.section, {**item.data, "id": ident}, item.location, item.field_lines)


def _statement(builder: ReportBuilder, node: URIRef, item: Item, rdf_type: URIRef, evidence_slug: str) -> None:
    """What commitments and qualitative facts share: type, references, agencies, labels, evidence."""
    builder.add(node, RDF.type, rdf_type)
    builder.curated_at(node, item.location)
    builder.evidence(node, _renamed(item, evidence_slug))
    for name, target in REFERENCES.items():
        builder.add(node, PREDICATES[name], builder.resolve(item, name, target))
    agencies = _agencies(builder, item)
    publisher = builder.report.report.get("publisher")
    committing = rdf_type == KG.Commitment
    if committing and not agencies and item.get("agency") is None and builder.registered("agencies", publisher):
        # A report's commitment that names no actor is its publisher's: said, not left blank.
        agencies = [entity_iri("agency", str(publisher))]
        builder.add(
            node,
            SKOS.note,
            Literal(f"The text names no one who commits; recorded as the report's publisher ({publisher}).", lang="en"),
        )
        builder.add(node, SKOS.note, Literal("原文未写明承诺方,记为报告发布机构。", lang="zh"))
    for agency in agencies:
        builder.add(node, KG.leadAgency, agency)
    en, zh = _labels(builder, item)
    builder.add(node, SKOS.prefLabel, Literal(en, lang="en"))
    builder.add(node, SKOS.prefLabel, Literal(zh, lang="zh"))
    builder.notes(node, item)


def build_commitment(builder: ReportBuilder, item: Item, evidence_slug: str | None = None) -> None:
    node = report_iri(builder.report_id, "commitment", item.id)
    full = _with_target(builder, item)
    if full is None:
        return
    target = full.get("target")
    if target is not None:
        earlier = builder.committed_targets.setdefault(str(target), item)
        if earlier is not item:
            builder.error(
                item.location,
                f"target {target!r} already belongs to a commitment (line {earlier.location.line})",
                "keep one: the commitments entry, or 'relation:' on the target fact",
            )
            return
    _statement(builder, node, full, KG.Commitment, evidence_slug or item.id)
    builder.add(node, RDF.type, PROV.Plan)
    builder.add(node, KG.target, _fact(builder, full, "target"))
    builder.add(node, KG.baseline, _fact(builder, full, "baseline"))


def build_target_commitment(builder: ReportBuilder, fact: Item) -> None:
    """``relation:`` on a target fact (what `kg draft` writes) is the short form of a commitment to
    that target, quoted where the fact is: the commitment takes the fact's id (its IRI is under
    ``commitment/``)."""
    relation = fact.get("relation")
    if relation is None:
        return
    if fact.get("type") != "target":
        builder.error(
            fact.at("relation"),
            f"fact {fact.id!r} has a relation but is not a target (type: {fact.get('type')})",
            "'relation:' says how a target is meant: remove it, or write the commitment under 'commitments:'",
        )
        return
    data = {"id": fact.id, "relation": relation, "target": fact.id, "quote": fact.get("quote")}
    if fact.get("occurrence") is not None:
        data["occurrence"] = fact.get("occurrence")
    short = Item("commitments", data, fact.location, fact.field_lines)
    build_commitment(builder, short, evidence_slug=f"{fact.id}-commitment")


def build_qualitative_fact(builder: ReportBuilder, item: Item) -> None:
    node = report_iri(builder.report_id, "qualitative-fact", item.id)
    _statement(builder, node, item, KG.QualitativeFact, item.id)


def build_program_status(builder: ReportBuilder, item: Item, program: URIRef) -> None:
    """A program entry's ``status`` and ``period``: a statement of this report about one period."""
    status, period = item.get("status"), item.get("period")
    if status is None and period is None:
        return
    if status is None or period is None:
        missing = "status" if status is None else "period"
        builder.error(
            item.at("period" if status is None else "status"),
            f"program {item.id!r} has a {'period' if status is None else 'status'} but no {missing}",
            "give both: status (planned, under-way, completed) and the period the text gives (or unspecified)",
        )
        return
    node = report_iri(builder.report_id, "program-status", item.id)
    status_iri = builder.resolve(item, "status", "vocab:program-status")
    period_iri = builder.resolve(item, "period", "vocab:period")
    vocabulary = builder.vocabularies
    names = item.get("label", {})
    builder.add(node, RDF.type, KG.ProgramStatus)
    builder.add(node, KG.relatedProgram, program)
    builder.add(node, KG.programStatus, status_iri)
    builder.add(node, KG.refPeriod, period_iri)
    # Its own evidence on the program's quote: sharing the program's would make one highlight of
    # the reader stand for two subjects.
    builder.evidence(
        node, Item(item.section, {**item.data, "id": f"{item.id}-status"}, item.location, item.field_lines)
    )
    builder.curated_at(node, item.at("status"))
    en = f"{names.get('en', item.id)}: {vocabulary.label(status_iri, 'en')} ({vocabulary.label(period_iri, 'en')})"
    zh = f"{names.get('zh', item.id)}:{vocabulary.label(status_iri, 'zh')}({vocabulary.label(period_iri, 'zh')})"
    builder.add(node, SKOS.prefLabel, Literal(en, lang="en"))
    builder.add(node, SKOS.prefLabel, Literal(zh, lang="zh"))
