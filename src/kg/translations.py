"""English translations of a report's evidence sentences (``reports/<id>/translations.yaml``).

The file is a list of ``- zh: <a sentence exactly as in the text>`` / ``en: <its translation>``.
Sentences are the build's (:meth:`kg.source.SourceText.sentence`), so a translation is found by
its Chinese text, never by offsets. Compile attaches each translation to every evidence annotation
(``kg:Quote``) of that sentence as ``kg:sentenceTranslation "…"@en``; a translation of no sentence
of the text is an error naming the closest sentence, an evidence sentence without a translation a
warning (``kg validate``), so a new report builds before it is translated.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from kg.curated import CurationError, Location
from kg.namespaces import KG
from kg.source import SourceText, Span

FILE_NAME = "translations.yaml"


@dataclass(frozen=True)
class Translation:
    zh: str
    en: str
    location: Location


def load(path: Path) -> tuple[list[Translation], list[CurationError]]:
    """The translations of ``path`` (none if the file does not exist) and the problems of its form."""
    if not path.is_file():
        return [], []
    try:
        document = YAML(typ="rt").load(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as problem:
        return [], [CurationError(Location(path, 1), f"not UTF-8 text: {problem.reason}", "save the file as UTF-8")]
    except YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        message = getattr(problem, "problem", None) or str(problem)
        return [], [CurationError(Location(path, line), f"YAML syntax error: {message}", "fix the YAML syntax")]
    if document is None:
        return [], []
    if not isinstance(document, CommentedSeq):
        return [], [
            CurationError(Location(path, 1), "translations must be a list", "write each as '- zh: …' and 'en: …'")
        ]
    translations, errors = [], []
    for index, entry in enumerate(document):
        line = document.lc.item(index)[0] + 1
        where = Location(path, line)
        if not isinstance(entry, CommentedMap) or set(entry) != {"zh", "en"}:
            errors.append(
                CurationError(where, "a translation has exactly the fields zh and en", "write '- zh: …' and 'en: …'")
            )
            continue
        zh, en = entry["zh"], entry["en"]
        if not isinstance(zh, str) or not isinstance(en, str) or not zh.strip() or not en.strip():
            errors.append(
                CurationError(where, "zh and en of a translation must be text", "quote them if YAML reads otherwise")
            )
            continue
        translations.append(Translation(unicodedata.normalize("NFC", zh.strip()), " ".join(en.split()), where))
    return translations, errors


def sentences(source: SourceText) -> list[Span]:
    """Every sentence of the text, in order (as :meth:`SourceText.sentence` cuts them)."""
    found: list[Span] = []
    position = 0
    text = source.text
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        span = source.sentence(Span(position, position + 1))
        found.append(span)
        position = max(span.end, position + 1)
    return found


def evidence_sentences(graph: Graph) -> dict[URIRef, Span]:
    """Each evidence annotation of a report graph and the span of its sentence."""
    found = {}
    for annotation in graph.subjects(RDF.type, KG.Quote):
        start, end = graph.value(annotation, KG.sentenceStart), graph.value(annotation, KG.sentenceEnd)
        if isinstance(annotation, URIRef) and isinstance(start, Literal) and isinstance(end, Literal):
            found[annotation] = Span(int(start.toPython()), int(end.toPython()))
    return found


def attach(graph: Graph, report_dir: Path, source: SourceText) -> list[CurationError]:
    """Add the translations of ``report_dir`` to the evidence of ``graph``; the problems found."""
    translations, errors = load(report_dir / FILE_NAME)
    if not translations:
        return errors
    known = {source.text[s.start : s.end] for s in sentences(source)}
    by_sentence: dict[str, Translation] = {}
    for translation in translations:
        if translation.zh not in known:
            closest = difflib.get_close_matches(translation.zh, sorted(known), n=1, cutoff=0)
            errors.append(
                CurationError(
                    translation.location,
                    f"this zh is not a sentence of {source.path}: {translation.zh!r}",
                    f"copy the whole sentence from the text; the closest sentence is {closest[0]!r}"
                    if closest
                    else "copy the whole sentence from the text",
                )
            )
        elif translation.zh in by_sentence:
            errors.append(
                CurationError(
                    translation.location,
                    f"the sentence {translation.zh[:30]!r}… is translated twice "
                    f"(also at {by_sentence[translation.zh].location})",
                    "keep one translation per sentence",
                )
            )
        else:
            by_sentence[translation.zh] = translation
    for annotation, span in evidence_sentences(graph).items():
        found = by_sentence.get(source.text[span.start : span.end])
        if found is not None:
            graph.add((annotation, KG.sentenceTranslation, Literal(found.en, lang="en")))
    return errors


def untranslated(graph: Graph, report_id: str) -> list[str]:
    """A warning naming the evidence sentences of a report graph that have no English translation."""
    text = next((str(t) for t in graph.objects(None, KG.sourceText)), "")
    missing = sorted(
        {span for annotation, span in evidence_sentences(graph).items()
         if graph.value(annotation, KG.sentenceTranslation) is None},
        key=lambda s: s.start,
    )  # fmt: skip
    if not missing:
        return []
    first = text[missing[0].start : missing[0].end]
    return [
        f"report {report_id}: {len(missing)} evidence sentence(s) have no English translation "
        f"(the first: {first[:40]!r}); add '- zh: <sentence>' / 'en: <translation>' to "
        f"reports/{report_id}/{FILE_NAME}"
    ]
