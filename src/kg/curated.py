"""Stage 1: read a report's curated data file (YAML) and check its form, keeping file:line for every item.

The format is documented in ``docs/curation.md``. This module checks everything that can be
checked without the source text or the vocabularies: YAML syntax, known sections and fields,
required fields, ids, language-tagged labels. Cross-references and quotes are checked by
``compile``; every problem becomes a :class:`CurationError` naming the file, the line and the fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TODO = re.compile(r"\bTODO\b")
# The ids `kg draft` makes up for new entities and facts: to be replaced by meaningful slugs.
PLACEHOLDER_ID = re.compile(r"^(?:(?:agency|official|post|document|program|indicator)-[0-9a-f]{6,}|fact-\d+)$")

# A label written by `kg draft` and not yet reviewed: `suggested: {en: <origin>}` (docs/curation.md)
SUGGESTED = "suggested"
# How a target is meant (`relation:` of a target fact), for the commitments of issue 12
RELATIONS = ("increase", "decrease", "double", "reach", "at-least", "about", "keep", "full-coverage", "higher-than")

# The optional fields a commitment and a qualitative fact share.
STATEMENT_FIELDS = {
    "indicator",
    "program",
    "type",
    "agency",
    "stated_by",
    "compared_with",
    "compared_with_region",
    "compared_with_indicator",
    "occurrence",
    "note",
}
# section name -> (required fields, optional fields)
SECTIONS: dict[str, tuple[set[str], set[str]]] = {
    "agencies": ({"id", "label", "kind", "quote"}, {"alt", "parent", "occurrence", "note", SUGGESTED}),
    "officials": ({"id", "label", "quote", "posts"}, {"alt", "occurrence", "note", SUGGESTED}),
    "documents": (
        {"id", "label", "type", "quote"},
        {"alt", "issuer", "part_of", "occurrence", "note", SUGGESTED},
    ),
    "programs": (
        {"id", "label", "kind", "quote"},
        {"alt", "lead", "parent", "established_by", "region", "status", "period", "occurrence", "note", SUGGESTED},
    ),
    "regions": ({"id", "quote"}, {"occurrence", "note"}),
    "indicators": ({"id", "label", "quote"}, {"alt", "occurrence", "note", SUGGESTED}),
    "facts": (
        {"id", "indicator", "type", "period", "region", "amount", "unit", "quote"},
        {
            "value",
            "qualifier",
            "compared_with",
            "agency",
            "stated_by",
            "program",
            "relation",
            "occurrence",
            "note",
        },
    ),
    # Commitments and qualitative facts share their fields (docs/curation.md); a commitment may
    # take its period and region from its target fact.
    "commitments": ({"id", "relation", "quote"}, {*STATEMENT_FIELDS, "target", "baseline", "period", "region"}),
    "qualitative_facts": ({"id", "relation", "period", "region", "quote"}, STATEMENT_FIELDS),
}
# An entry merged into another id (replaced_by) keeps only these fields; see docs/curation.md.
REPLACED_FIELDS = ({"id", "replaced_by"}, {"note"})
MERGEABLE = {"agencies", "officials", "documents", "programs", "indicators"}
POST_FIELDS = ({"id", "label", "role", "agency", "quote"}, {"occurrence", "note", SUGGESTED})
REPORT_FIELDS = (
    {"id", "title", "issued", "publisher", "text", "quote"},
    {"occurrence", "note", "language", "author", "citation", "source_url", SUGGESTED},
)
NOT_FACTS_FIELDS = ({"text", "reason"}, {"occurrence"})
TOP_LEVEL = {"report", "not_facts", *SECTIONS}

# What each field holds. Checked before anything reads the fields, so that a wrong type is a
# file:line message, never a crash later on.
TEXT_FIELDS = {"id", "quote", "text", "reason", "citation", "source_url", "author", "language"}
LABEL_MAPS = {"label", "title"}  # checked by _check_label
REFERENCE_FIELDS = {
    "kind",
    "parent",
    "type",
    "issuer",
    "part_of",
    "lead",
    "established_by",
    "region",
    "role",
    "agency",
    "indicator",
    "period",
    "unit",
    "qualifier",
    "compared_with",
    "stated_by",
    "program",
    "publisher",
    "relation",
    "target",
    "baseline",
    "status",
    "compared_with_region",
    "compared_with_indicator",
    "replaced_by",
}
# References that may name several ids: a commitment made by several agencies together.
REFERENCE_LISTS = {("commitments", "agency"), ("qualitative_facts", "agency")}


@dataclass(frozen=True)
class Location:
    path: Path
    line: int  # 1-based

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class CurationError:
    location: Location
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}\n    fix: {self.fix}"


class CurationFailed(Exception):
    """Raised with every problem found, so one run shows them all."""

    def __init__(self, errors: list[CurationError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class Item:
    """One curated entry: its section, its fields and where it is written."""

    section: str
    data: dict[str, Any]
    location: Location
    field_lines: dict[str, int] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.data.get("id", "(no id)"))

    def get(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def at(self, name: str) -> Location:
        return Location(self.location.path, self.field_lines.get(name, self.location.line))


@dataclass
class CuratedReport:
    path: Path
    report: Item
    items: dict[str, list[Item]]
    not_facts: list[Item]
    # Ids merged into others: entries with only id, replaced_by and note (sections in MERGEABLE).
    replaced: list[Item] = field(default_factory=list)

    def all_items(self) -> list[Item]:
        return [item for section in SECTIONS for item in self.items.get(section, [])]


def _suggest(name: str, choices: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(choices), n=1)
    return f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(sorted(choices))}"


def _item(section: str, node: CommentedMap, path: Path) -> Item:
    fields_at = {key: node.lc.key(key)[0] + 1 for key in node}
    return Item(section, dict(node), Location(path, node.lc.line + 1), fields_at)


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _is_labels(value: Any) -> bool:
    """Text, or a map of language to text or to a list of texts (alt:, note:)."""
    if isinstance(value, str):
        return True
    return isinstance(value, dict) and all(
        isinstance(text, str) or (isinstance(text, list) and all(isinstance(t, str) for t in text))
        for text in value.values()
    )


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and re.fullmatch(r"-?\d+(?:\.\d+)?", value.strip()) is not None


def _type_problem(section: str, name: str, value: Any) -> tuple[str, str] | None:
    """What is wrong with the type of ``value`` in field ``name``, and the fix; None if nothing."""
    if section == "not_facts" and name == "text":  # words of the text, which YAML may read as a number or date
        if not (_is_scalar(value) or isinstance(value, dt.date)):
            return "must be the words of the text", "write text: followed by the words, e.g. text: 2022年"
        return None
    if name in TEXT_FIELDS and not _is_text(value):
        return "must be text", f"write {name}: followed by the text, in quotes if it looks like a number or a date"
    if (section, name) in REFERENCE_LISTS and isinstance(value, list):
        if not value or not all(_is_scalar(v) for v in value):
            return "must be ids", f"write {name}: <id>, or a list of ids: [<id>, <id>]"
        return None
    if name in REFERENCE_FIELDS and not _is_scalar(value):
        return "must be one id", f"write {name}: <id>, a single id (not a list or a map)"
    if name in ("alt", "note") and not _is_labels(value):
        return "must be labels", f"write {name}: {{zh: …, en: …}} (a list of names per language is allowed)"
    if name == "occurrence" and not (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return "must be a whole number from 1", "write occurrence: N, where N counts the quote's occurrences from 1"
    if name == "amount" and not _is_scalar(value):
        return "must be the amount as written", "write amount: followed by the words of the text, e.g. 15308元"
    if name == "value" and not _is_number(value):
        return "must be a number", "write value: followed by a number, e.g. value: 50"
    if name == "posts" and not isinstance(value, list):
        return "must be a list of posts", "start each post with '- id: …'"
    return None


def _check_fields(item: Item, required: set[str], optional: set[str], errors: list[CurationError]) -> None:
    allowed = required | optional
    for name in item.data:
        if name in allowed:
            problem = _type_problem(item.section, str(name), item.data[name])
            if problem is not None:
                message, fix = problem
                errors.append(
                    CurationError(
                        item.at(name),
                        f"'{name}' of {item.section} entry {item.id!r} {message} (found {_shown(item.data[name])})",
                        fix,
                    )
                )
        if name not in allowed:
            errors.append(
                CurationError(
                    item.at(name),
                    f"unknown field '{name}' in {item.section}",
                    f"remove it or rename it: {_suggest(name, allowed)}",
                )
            )
    for name in sorted(required - set(item.data)):
        errors.append(
            CurationError(
                item.location,
                f"{item.section} entry {item.data.get('id', '(no id)')!r} has no '{name}'",
                f"add '{name}:' to this entry (see docs/curation.md)",
            )
        )


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {str(value)[:40]!r}"


def _check_label(item: Item, name: str, errors: list[CurationError]) -> None:
    label = item.get(name)
    where = item.at(name)
    if not isinstance(label, dict):
        errors.append(
            CurationError(where, f"'{name}' of {item.id!r} must have zh and en", f"write {name}: {{zh: …, en: …}}")
        )
        return
    for lang in ("zh", "en"):
        text = label.get(lang)
        if not isinstance(text, str) or not text.strip():
            language = "English" if lang == "en" else "Chinese"
            errors.append(
                CurationError(
                    where,
                    f"{item.section} entry {item.id!r} has no {language} label",
                    f"add '{lang}:' under '{name}:' — every entity needs labels in Chinese and English",
                )
            )
        elif TODO.search(text):
            errors.append(
                CurationError(
                    where,
                    f"{item.section} entry {item.id!r} still has a TODO {lang} label: {text!r}",
                    f"replace the TODO with the {'English' if lang == 'en' else 'Chinese'} label",
                )
            )
    for lang in set(label) - {"zh", "en"}:
        errors.append(CurationError(where, f"unknown language '{lang}' in {name}", "use zh and en"))


def load(path: Path) -> CuratedReport:
    """Parse and form-check one curated file; raise :class:`CurationFailed` listing every problem."""
    yaml = YAML(typ="rt")
    try:
        raw = path.read_bytes()
        document = yaml.load(raw.decode("utf-8"))
    except OSError as exc:
        fail = CurationError(Location(path, 1), f"cannot read the file: {exc.strerror or exc}", "check its permissions")
        raise CurationFailed([fail]) from None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CurationFailed(
            [
                CurationError(
                    Location(path, line),
                    f"the file is not UTF-8 (byte {raw[exc.start]:#04x} at line {line})",
                    "save the file as UTF-8 (most editors: 'Save with encoding')",
                )
            ]
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise CurationFailed(
            [
                CurationError(
                    Location(path, line),
                    f"malformed YAML: {exc.problem or exc.context}",
                    "fix the YAML syntax at this line (indentation, a missing ':' or an unclosed quote)",
                )
            ]
        ) from None
    except YAMLError as exc:  # e.g. a control character the YAML reader refuses
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        raise CurationFailed(
            [CurationError(Location(path, line), f"unreadable YAML: {exc}", "remove the character or fix the syntax")]
        ) from None
    if not isinstance(document, CommentedMap):
        what = "empty" if document is None else "not a YAML mapping"
        raise CurationFailed(
            [CurationError(Location(path, 1), f"the file is {what}", "start with 'report:' (see docs/curation.md)")]
        )
    errors: list[CurationError] = []
    for key in document:
        if key not in TOP_LEVEL:
            errors.append(
                CurationError(
                    Location(path, document.lc.key(key)[0] + 1),
                    f"unknown section '{key}'",
                    f"remove it or rename it: {_suggest(str(key), TOP_LEVEL)}",
                )
            )
    if "report" not in document or not isinstance(document["report"], CommentedMap):
        raise CurationFailed(
            [*errors, CurationError(Location(path, 1), "no 'report:' section", "add report: {id, title, …}")]
        )
    report = _item("report", document["report"], path)
    _check_fields(report, *REPORT_FIELDS, errors)
    if "title" in report.data:
        _check_label(report, "title", errors)
    _check_suggested(report, errors)

    items: dict[str, list[Item]] = {}
    replaced: list[Item] = []
    seen: dict[str, Item] = {}
    for section, (required, optional) in SECTIONS.items():
        if document.get(section) is None:
            continue
        entries = document[section]
        if not isinstance(entries, CommentedSeq):
            errors.append(
                CurationError(
                    Location(path, document.lc.key(section)[0] + 1),
                    f"'{section}' must be a list of entries",
                    "start each entry with '- id: …'",
                )
            )
            continue
        for number, node in enumerate(entries):
            if not isinstance(node, CommentedMap):
                errors.append(
                    CurationError(
                        Location(path, entries.lc.item(number)[0] + 1),
                        f"an entry of {section} is not a mapping (found {_shown(node)})",
                        "write '- id: …' followed by the entry's fields",
                    )
                )
                continue
            item = _item(section, node, path)
            if section in MERGEABLE and "replaced_by" in item.data:
                _check_fields(item, *REPLACED_FIELDS, errors)
                _check_id(item, seen, errors)
                replaced.append(item)
                continue
            _check_fields(item, required, optional, errors)
            _check_id(item, seen, errors)
            if "label" in required:
                _check_label(item, "label", errors)
            _check_suggested(item, errors)
            if section == "facts" and item.get("relation") is not None and item.get("relation") not in RELATIONS:
                errors.append(
                    CurationError(
                        item.at("relation"),
                        f"unknown relation {item.get('relation')!r} of fact {item.id!r}",
                        f"use one of: {', '.join(RELATIONS)}",
                    )
                )
            if section == "officials" and isinstance(item.get("posts"), list):
                for post_node in item.get("posts"):
                    if not isinstance(post_node, CommentedMap):
                        errors.append(
                            CurationError(
                                item.at("posts"),
                                f"a post of official {item.id!r} is not a mapping",
                                "write each post as '- id: …' with label, role, agency and quote",
                            )
                        )
                        continue
                    post = _item("posts", post_node, path)
                    _check_fields(post, *POST_FIELDS, errors)
                    _check_id(post, seen, errors)
                    _check_label(post, "label", errors)
                    _check_suggested(post, errors)
                    items.setdefault("posts", []).append(post)
                    post.data["holder"] = item.id
            items.setdefault(section, []).append(item)

    not_facts = []
    entries = document.get("not_facts") or CommentedSeq()
    if not isinstance(entries, CommentedSeq):
        entries = []
        errors.append(
            CurationError(
                Location(path, document.lc.key("not_facts")[0] + 1),
                "'not_facts' must be a list of entries",
                "write each entry as '- text: …' with a reason",
            )
        )
    for number, node in enumerate(entries):
        if not isinstance(node, CommentedMap):
            errors.append(
                CurationError(
                    Location(path, entries.lc.item(number)[0] + 1),
                    f"an entry of not_facts is not a mapping (found {_shown(node)})",
                    "write it as '- text: <the words in the text>' with 'reason: …'",
                )
            )
            continue
        item = _item("not_facts", node, path)
        _check_fields(item, *NOT_FACTS_FIELDS, errors)
        not_facts.append(item)
    if errors:
        raise CurationFailed(errors)
    return CuratedReport(path, report, items, not_facts, replaced)


def slugify(text: str, words: int = 6) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())[:words])


def suggested_slug(item: Item) -> str:
    """A slug for an entry: from its English label, or for a fact from its indicator and period."""
    if item.section == "facts":
        parts = [str(item.get(name, "")) for name in ("indicator", "period", "type")]
        slug = slugify(" ".join(p for p in parts if p and p != "actual"), words=10)
    else:
        label = item.get("label")
        english = label.get("en") if isinstance(label, dict) else None
        slug = slugify(english) if isinstance(english, str) and not TODO.search(english) else ""
    return slug or "a few English words joined by '-', like shanxi-agriculture-department"


def _check_id(item: Item, seen: dict[str, Item], errors: list[CurationError]) -> None:
    if "id" not in item.data:
        return
    ident = str(item.data["id"])
    if PLACEHOLDER_ID.match(ident):
        errors.append(
            CurationError(
                item.at("id"),
                f"id {ident!r} is a placeholder made by 'kg draft'",
                f"give it a meaningful slug, e.g. {suggested_slug(item)} (and change the references to it)",
            )
        )
    elif not SLUG.match(ident):
        errors.append(
            CurationError(
                item.at("id"),
                f"id {ident!r} is not a slug",
                "use lower-case ASCII words joined by '-', e.g. rural-income-2021",
            )
        )
    if ident in seen:
        first = seen[ident]
        errors.append(
            CurationError(
                item.at("id"),
                f"duplicate id {ident!r} (first defined at line {first.location.line} in {first.section})",
                "give one of them another id; ids are unique across every section of a report",
            )
        )
    else:
        seen[ident] = item


def _check_suggested(item: Item, errors: list[CurationError]) -> None:
    marker = item.get(SUGGESTED)
    if marker is not None and not (isinstance(marker, dict) and set(marker) <= {"en"} and marker):
        errors.append(
            CurationError(
                item.at(SUGGESTED),
                f"'{SUGGESTED}' of {item.id!r} must be {{en: <origin>}}",
                "write suggested: {en: glossary} or delete the line",
            )
        )


def suggestions(report: CuratedReport) -> list[CurationError]:
    """Every label of ``report`` that is still a suggestion of `kg draft`, not yet reviewed."""
    found = []
    for item in [report.report, *report.all_items(), *report.items.get("posts", [])]:
        marker = item.get(SUGGESTED)
        if not isinstance(marker, dict):
            continue
        label = item.get("title" if item.section == "report" else "label") or {}
        for lang, origin in marker.items():
            found.append(
                CurationError(
                    item.at(SUGGESTED),
                    f"{item.section} entry {item.id!r}: the {lang} label {label.get(lang)!r} is a suggestion "
                    f"({origin}), not yet reviewed",
                    "check the label against the text (correct it if needed), then delete the 'suggested:' line",
                )
            )
    return found


def unreviewed_suggestions(data_dir: Path) -> list[CurationError]:
    """The suggestions of every curated file under ``data_dir/reports`` that loads cleanly."""
    found = []
    for path in sorted((data_dir / "reports").glob("*/report.yaml")):
        try:
            found.extend(suggestions(load(path)))
        except CurationFailed:
            continue  # its problems are reported by compile
    return found
