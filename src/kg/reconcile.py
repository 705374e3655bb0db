"""Entity reconciliation over the published graph: names in a spreadsheet -> our identifiers.

The matching behind ``/reconcile`` (the W3C Entity Reconciliation API 0.2, which OpenRefine 3.x
speaks; the protocol itself is in ``kg.web.views.reconcile``). Pure functions over a :class:`Store`:
:func:`load_index` reads the entities of the reconcilable types with their labels and the values
of a few properties, and :class:`Index` answers queries, suggestions and data extension from
memory.

Names are compared after normalisation (:func:`compact`): NFKC, case, spaces and punctuation
folded; the words of a Latin name in any rotation ("Yuhong Zhang" = "Zhang Yuhong"); the pinyin
of an official's Chinese name; and the aliases of the graph (``skos:altLabel``, the abbreviations
the reports use, such as 省农业农村厅) plus those of ``data/lexicons/reconcile.yaml`` (names people
use that the reports do not write). A score is 0–100; only a unique candidate of at least
:data:`CONFIDENT` with no contradicted property constraint is flagged ``match``.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph
from pypinyin import lazy_pinyin
from ruamel.yaml import YAML

from kg.namespaces import ID, KG
from kg.queries import select
from kg.store.base import Store, lexical

CONFIDENT = 90
# The score of a name that equals a label after normalisation, and of one that equals an alias,
# a rotation of the words or the pinyin of the name; anything else scores at most FUZZY.
EXACT, ALIAS, FUZZY = 100, 95, 85
# What a property constraint the candidate contradicts costs, and what one it meets adds.
CONSTRAINT_PENALTY, CONSTRAINT_BONUS = 30, 10
DEFAULT_LIMIT = 5


@dataclass(frozen=True)
class EntityType:
    id: str
    iri: str
    name: str
    description: str


TYPES: dict[str, EntityType] = {
    t.id: t
    for t in (
        EntityType("agency", str(KG.Agency), "Agency", "a government or party body (机构)"),
        EntityType("official", str(KG.Official), "Official", "a named official (官员)"),
        EntityType("program", str(KG.Program), "Program", "a program, plan, campaign or mechanism (项目、工程、行动)"),
        EntityType("region", str(KG.Region), "Region", "an administrative region (地区)"),
        EntityType("indicator", str(KG.Indicator), "Indicator", "a measured quantity (指标)"),
        EntityType("document", str(KG.PolicyDocument), "Policy document", "a policy document (政策文件)"),
    )
}


@dataclass(frozen=True)
class Property:
    id: str
    name: str
    description: str
    types: tuple[str, ...]
    path: str  # a SPARQL property path from the entity to the value


PROPERTIES: dict[str, Property] = {
    p.id: p
    for p in (
        Property("agency", "Agency", "the agency an official holds a post in", ("official",), "org:holds/org:postIn"),
        Property("post", "Post", "a post the official holds", ("official",), "org:holds"),
        Property(
            "parent",
            "Parent",
            "the body or program this one belongs to",
            ("agency", "program"),
            "org:subOrganizationOf|kg:parentProgram",
        ),
        Property(
            "kind", "Kind", "the kind of agency or program", ("agency", "program"), "kg:agencyKind|kg:programKind"
        ),
        Property("leadAgency", "Lead agency", "the agency that leads the program", ("program",), "kg:leadAgency"),
        Property("region", "Region", "where the program applies", ("program",), "dct:spatial"),
        Property("broader", "Within", "the region this region lies in", ("region",), "skos:broader"),
        Property("creator", "Issued by", "the agency that issued the document", ("document",), "dct:creator"),
    )
}
# Label properties, offered by data extension for every type.
LABEL_PROPERTIES = {
    "nameZh": Property("nameZh", "Chinese name", "the Chinese name (中文名称)", tuple(TYPES), ""),
    "nameEn": Property("nameEn", "English name", "the English name", tuple(TYPES), ""),
}


class ReconcileError(ValueError):
    """A request that cannot be answered; the message says what to send instead."""


# ------------------------------------------------------------------------------- normalisation

_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORDS = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """NFKC and case folded, punctuation and runs of spaces as one space."""
    return _PUNCTUATION.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def compact(text: str) -> str:
    """The comparison key of a name: :func:`fold` without any spaces."""
    return fold(text).replace(" ", "")


def is_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


# Words an English name may leave out ("Shanxi Rural Revitalization Bureau" names the provincial
# bureau; "Jinzhong" the city) and the endings a Chinese region name may leave out (晋中 = 晋中市).
OPTIONAL_WORDS = {"the", "provincial", "province", "city", "county", "prefecture", "municipality"}
REGION_ENDINGS = ("自治州", "省", "市", "县", "区")


def name_keys(text: str, person: bool = False) -> set[str]:
    """Other spellings of a name that count as the same name: every rotation of its Latin words
    ("Yuhong Zhang" -> "zhangyuhong"), the name without optional words or a region's ending, and
    for a person's Chinese name its pinyin."""
    folded = fold(text)
    keys: set[str] = set()
    if is_chinese(folded):
        joined = folded.replace(" ", "")
        if person:
            keys.add("".join(lazy_pinyin(joined)))
        for ending in REGION_ENDINGS:
            if joined.endswith(ending) and len(joined) > len(ending) + 1:
                keys.add(joined[: -len(ending)])
                break
    else:
        words = _LATIN_WORDS.findall(folded)
        if 1 < len(words) <= 4:
            keys.update("".join(words[i:] + words[:i]) for i in range(len(words)))
        kept = [w for w in words if w not in OPTIONAL_WORDS]
        if kept and len(kept) < len(words):
            keys.add("".join(kept))
    keys.discard(compact(text))
    return keys


def _grams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} if len(text) > 1 else {text}


# ------------------------------------------------------------------------------- the index


@dataclass(frozen=True)
class Value:
    """A property value: an entity of ours (``id`` set) or a literal."""

    id: str | None
    name: str


@dataclass
class Entity:
    id: str  # the IRI relative to the id/ namespace: "agency/shanxi-agriculture-department"
    iri: str
    types: set[str] = field(default_factory=set)  # ids of TYPES
    labels: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    values: dict[str, list[Value]] = field(default_factory=lambda: defaultdict(list))

    def name(self, chinese: bool = False) -> str:
        first, second = ("zh", "en") if chinese else ("en", "zh")
        return self.labels.get(first) or self.labels.get(second) or self.id

    def details(self) -> list[str]:
        """What places the entity: its posts, parent, lead agency, kind, region, issuer."""
        lines = []
        for pid in ("post", "parent", "leadAgency", "kind", "broader", "creator"):
            names = [v.name for v in self.values.get(pid, [])]
            if names:
                lines.append(f"{PROPERTIES[pid].name}: {'; '.join(sorted(set(names)))}")
        return lines

    def description(self, chinese: bool = False) -> str:
        """The other language's name, then :meth:`details`."""
        other = self.labels.get("en" if chinese else "zh", "")
        return " — ".join([other, *self.details()] if other and other != self.name(chinese) else self.details())


@dataclass(frozen=True)
class Candidate:
    entity: Entity
    score: float
    match: bool
    features: dict[str, float]


def entity_id(iri: str) -> str:
    return iri[len(str(ID)) :] if iri.startswith(str(ID)) else iri


def entity_iri(identifier: str) -> str:
    return identifier if identifier.startswith(("http://", "https://")) else str(ID) + identifier


def _type_values() -> str:
    return " ".join(f"(<{t.iri}> {json.dumps(t.id)})" for t in TYPES.values())


def load_index(store: Store, aliases_file: Path | None = None) -> Index:
    """Every entity of the reconcilable types, their labels and property values, in three queries."""
    entities: dict[str, Entity] = {}
    for row in select(
        store,
        f"""SELECT ?s ?type ?kind ?label WHERE {{
              VALUES (?class ?type) {{ {_type_values()} }}
              ?s a ?class .
              {{ ?s skos:prefLabel ?label BIND("pref" AS ?kind) }}
              UNION {{ ?s skos:altLabel|foaf:name|rdfs:label|dct:title ?label BIND("alt" AS ?kind) }}
              FILTER (isIRI(?s)) }}""",
    ).rows:
        iri = lexical(row["s"])
        entity = entities.setdefault(iri, Entity(entity_id(iri), iri))
        entity.types.add(lexical(row["type"]))
        label = row["label"]
        text = lexical(label)
        lang = (label.language or "") if isinstance(label, pyoxigraph.Literal) else ""
        if lexical(row["kind"]) == "pref" and lang in ("zh", "en") and lang not in entity.labels:
            entity.labels[lang] = text
        elif text not in entity.aliases:
            entity.aliases.append(text)
    for entity in entities.values():
        entity.aliases = [a for a in entity.aliases if a not in entity.labels.values()]
    branches = " UNION ".join(f'{{ ?s {p.path} ?o BIND("{p.id}" AS ?property) }}' for p in PROPERTIES.values())
    for row in select(
        store,
        f"""SELECT ?s ?property ?o ?label WHERE {{
              VALUES (?class ?type) {{ {_type_values()} }}
              ?s a ?class . {branches}
              OPTIONAL {{ ?o skos:prefLabel ?label FILTER (lang(?label) = "en") }} }}""",
    ).rows:
        subject = entities.get(lexical(row["s"]))
        if subject is None:
            continue
        term = row["o"]
        english = row.get("label")
        if isinstance(term, pyoxigraph.NamedNode):
            value = Value(entity_id(term.value), lexical(english) if english is not None else entity_id(term.value))
        else:
            value = Value(None, lexical(term))
        values = subject.values[lexical(row["property"])]
        if value not in values:
            values.append(value)
    for identifier, names in read_aliases(aliases_file).items():
        aliased = entities.get(entity_iri(identifier))
        if aliased is not None:
            aliased.aliases.extend(n for n in names if n not in aliased.aliases)
    return Index(sorted(entities.values(), key=lambda e: e.id))


def read_aliases(path: Path | None) -> dict[str, list[str]]:
    """``data/lexicons/reconcile.yaml``: entity id -> extra names. A missing file is no aliases."""
    if path is None or not path.is_file():
        return {}
    document = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(document, dict) or not all(isinstance(v, list) for v in document.values()):
        raise ReconcileError(f"{path}: expected a mapping of entity id to a list of names")
    return {str(k): [str(n) for n in v] for k, v in document.items()}


class Index:
    """Names of every reconcilable entity, with a bigram index for the fuzzy candidates."""

    def __init__(self, entities: list[Entity]):
        self.entities = entities
        self.by_id = {e.id: e for e in entities}
        # key -> [(entity number, score of an equal name)]
        self._exact: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._names: list[list[str]] = []
        self._postings: dict[str, set[int]] = defaultdict(set)
        for number, entity in enumerate(entities):
            person = "official" in entity.types
            names = [*entity.labels.values(), *entity.aliases]
            self._names.append([compact(n) for n in names])
            for name in names:
                score = EXACT if name in entity.labels.values() else ALIAS
                self._exact[compact(name)].append((number, score))
                for key in name_keys(name, person):
                    self._exact[key].append((number, ALIAS))
                for gram in _grams(compact(name)):
                    self._postings[gram].add(number)

    # ---------------------------------------------------------------- reconciliation

    def reconcile(self, query: dict[str, Any]) -> list[Candidate]:
        """One query of a batch (``query``, ``type``, ``limit``, ``properties``, ``type_strict``)."""
        text = query.get("query")
        if text is not None and not isinstance(text, str):
            raise ReconcileError("'query' must be a string")
        constraints = query.get("properties") or []
        if not text and not constraints:
            raise ReconcileError("a query needs 'query' (a name) or 'properties'")
        if not isinstance(constraints, list) or not all(isinstance(c, dict) and "v" in c for c in constraints):
            raise ReconcileError('\'properties\' must be a list of {"pid": ..., "v": ...}')
        for constraint in constraints:
            if constraint.get("pid") not in PROPERTIES and constraint.get("pid") not in LABEL_PROPERTIES:
                known = ", ".join([*PROPERTIES, *LABEL_PROPERTIES])
                raise ReconcileError(f"unknown property {constraint.get('pid')!r}; the properties are {known}")
        types = self.wanted_types(query.get("type"))
        limit = query.get("limit", DEFAULT_LIMIT)
        if not isinstance(limit, int | float) or limit < 1:
            raise ReconcileError("'limit' must be a positive number")
        scores = self.name_scores(text) if text else {n: 0.0 for n in range(len(self.entities))}
        candidates = []
        for number, name_score in scores.items():
            entity = self.entities[number]
            if types and not entity.types & types:
                continue
            features = {"name": round(name_score, 1)}
            score = name_score
            contradicted = 0
            for constraint in constraints:
                fit = self.constraint_fits(entity, constraint)
                features[f"property:{constraint.get('pid')}"] = 1.0 if fit else 0.0
                if text:
                    contradicted += not fit
                    score += CONSTRAINT_BONUS if fit else -CONSTRAINT_PENALTY
                else:
                    score += 100 / len(constraints) if fit else 0
            score = max(0.0, min(100.0, score))
            if score > 0:
                candidates.append((entity, round(score, 1), contradicted, features))
        candidates.sort(key=lambda c: (-c[1], c[0].id))
        confident = [c for c in candidates if c[1] >= CONFIDENT and not c[2]]
        return [
            Candidate(entity, score, len(confident) == 1 and confident[0][0] is entity, features)
            for entity, score, _, features in candidates[: int(limit)]
        ]

    def wanted_types(self, value: Any) -> set[str]:
        if value is None:
            return set()
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ReconcileError("'type' must be a type id or a list of them")
        return {self.type_of(name).id for name in names}

    @staticmethod
    def type_of(name: str) -> EntityType:
        for entity_type in TYPES.values():
            if name in (entity_type.id, entity_type.iri, "kg:" + entity_type.iri.rpartition("#")[2]):
                return entity_type
        raise ReconcileError(f"unknown type {name!r}; the types are {', '.join(TYPES)}")

    def name_scores(self, text: str) -> dict[int, float]:
        """Every entity whose names resemble ``text``, with the score of its best name."""
        key = compact(text)
        if not key:
            return {}
        scores: dict[int, float] = defaultdict(float)
        for probe in {key, *name_keys(text, person=True)}:
            for number, score in self._exact.get(probe, []):
                scores[number] = max(scores[number], float(score))
        shared: dict[int, int] = defaultdict(int)
        for gram in _grams(key):
            for number in self._postings.get(gram, ()):
                shared[number] += 1
        for number, _ in sorted(shared.items(), key=lambda item: -item[1])[:200]:
            if scores.get(number, 0) >= ALIAS:
                continue
            best = max(difflib.SequenceMatcher(None, key, name).ratio() for name in self._names[number])
            scores[number] = max(scores.get(number, 0.0), best * FUZZY)
        return {n: s for n, s in scores.items() if s >= 20}

    def constraint_fits(self, entity: Entity, constraint: dict[str, Any]) -> bool:
        pid = constraint["pid"]
        wanted = constraint.get("v")
        wanted_values = wanted if isinstance(wanted, list) else [wanted]
        have = self.values_of(entity, str(pid))
        for value in wanted_values:
            if isinstance(value, dict):
                if entity_id(str(value.get("id", ""))) in {v.id for v in have}:
                    return True
                continue
            key = compact(str(value))
            if not key:
                continue
            for target in have:
                names = [target.name, target.id or ""]
                linked = self.by_id.get(target.id or "")
                if linked is not None:
                    names += [*linked.labels.values(), *linked.aliases]
                if any(compact(n) == key or (len(key) > 1 and key in compact(n)) for n in names if n):
                    return True
        return False

    def values_of(self, entity: Entity, pid: str) -> list[Value]:
        if pid == "nameZh":
            return [Value(None, entity.labels["zh"])] if "zh" in entity.labels else []
        if pid == "nameEn":
            return [Value(None, entity.labels["en"])] if "en" in entity.labels else []
        return list(entity.values.get(pid, []))

    # ---------------------------------------------------------------- suggest

    def suggest_entities(self, prefix: str, types: set[str], limit: int) -> list[tuple[Entity, bool]]:
        """Entities with a name starting with (then containing) ``prefix``; the flag: Chinese input."""
        key = compact(prefix)
        if not key:
            return []
        ranked = []
        for number, entity in enumerate(self.entities):
            if types and not entity.types & types:
                continue
            positions = [name.find(key) for name in self._names[number]]
            found = [p for p in positions if p >= 0]
            if found:
                ranked.append((min(found) > 0, min(len(n) for n in self._names[number]), entity.id, entity))
        ranked.sort(key=lambda item: item[:3])
        return [(item[3], is_chinese(prefix)) for item in ranked[:limit]]


def suggest_types(prefix: str) -> list[EntityType]:
    key = compact(prefix)
    return [t for t in TYPES.values() if not key or key in compact(f"{t.id} {t.name} {t.description}")]


def properties_for(type_name: str | None) -> list[Property]:
    """The properties data extension offers for a type (all of them without one)."""
    wanted = Index.type_of(type_name).id if type_name else None
    every: Iterable[Property] = [*LABEL_PROPERTIES.values(), *PROPERTIES.values()]
    return [p for p in every if wanted is None or wanted in p.types]


def suggest_properties(prefix: str, type_name: str | None = None) -> list[Property]:
    key = compact(prefix)
    return [p for p in properties_for(type_name) if not key or key in compact(f"{p.id} {p.name} {p.description}")]


def extend(index: Index, ids: list[str], property_ids: list[str]) -> dict[str, Any]:
    """The data extension response: for each id and property its values (entities or strings)."""
    for pid in property_ids:
        if pid not in PROPERTIES and pid not in LABEL_PROPERTIES:
            raise ReconcileError(f"unknown property {pid!r}; propose_properties lists them")
    meta: list[dict[str, Any]] = []
    for pid in property_ids:
        prop = PROPERTIES.get(pid) or LABEL_PROPERTIES[pid]
        entry: dict[str, Any] = {"id": pid, "name": prop.name}
        if pid in PROPERTIES and pid != "kind":
            target = {
                "agency": "agency",
                "leadAgency": "agency",
                "creator": "agency",
                "region": "region",
                "broader": "region",
            }.get(pid)
            if target:
                entry["type"] = {"id": target, "name": TYPES[target].name}
        meta.append(entry)
    rows: dict[str, dict[str, list[dict[str, str]]]] = {}
    for identifier in ids:
        entity = index.by_id.get(entity_id(identifier))
        row: dict[str, list[dict[str, str]]] = {}
        for pid in property_ids:
            values = index.values_of(entity, pid) if entity is not None else []
            row[pid] = [{"id": v.id, "name": v.name} if v.id else {"str": v.name} for v in values]
        rows[identifier] = row
    return {"meta": meta, "rows": rows}
