"""English translations of evidence sentences (kg.translations): attached to every quote of the
sentence, refused with file:line and the closest sentence when they translate no sentence, and
missing ones listed as warnings. Code tests on the broken/valid fixture (test text, not official)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import RDF

from kg.build import compile_and_validate
from kg.compile import compile_data
from kg.curated import CurationFailed
from kg.namespaces import KG
from kg.source import SourceText
from kg.translations import FILE_NAME, evidence_sentences, sentences
from test_live_rebuild import mini_data

FIXTURES = Path(__file__).parent / "fixtures" / "broken"
ROOT = Path(__file__).resolve().parents[1]
INCOME = "2022年,全省农村居民人均可支配收入达到16000元,增长7.5%。"
INCOME_EN = "In 2022, the per-capita disposable income of rural residents reached 16,000 yuan, up 7.5%."


def make_data(tmp_path: Path, translations: str | None) -> Path:
    data = mini_data(tmp_path)  # the broken/valid fixture as report "mini"
    if translations is not None:
        (data / "reports" / "mini" / FILE_NAME).write_text(translations, encoding="utf-8")
    return data


def test_sentences_cover_the_text() -> None:
    source = SourceText.read(FIXTURES / "source.txt")
    spans = sentences(source)
    assert [source.text[s.start : s.end] for s in spans][:2] == ["测试省人民政府网 发布时间:2023-01-05", INCOME]
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


def test_translation_is_on_every_quote_of_its_sentence(tmp_path: Path) -> None:
    data = make_data(tmp_path, f'- zh: "{INCOME}"\n  en: "{INCOME_EN}"\n')
    result = compile_and_validate(data, ROOT / "ontology").validation
    compiled = compile_data(data, ROOT / "ontology")
    graph = compiled.dataset.graph(compiled.reports[0].graph)
    text = SourceText.read(FIXTURES / "source.txt").text
    in_income = [a for a, s in evidence_sentences(graph).items() if text[s.start : s.end] == INCOME]
    assert len(in_income) >= 2  # the income fact and its growth rate share the sentence
    for annotation in in_income:
        assert list(graph.objects(annotation, KG.sentenceTranslation)) == [Literal(INCOME_EN, lang="en")]
    assert result.conforms
    untranslated = [w for w in result.warnings if "no English translation" in w]
    assert len(untranslated) == 1 and "report mini" in untranslated[0] and FILE_NAME in untranslated[0]


def test_no_file_means_warnings_not_errors(tmp_path: Path) -> None:
    data = make_data(tmp_path, None)
    result = compile_and_validate(data, ROOT / "ontology").validation
    compiled = compile_data(data, ROOT / "ontology")
    graph = compiled.dataset.graph(compiled.reports[0].graph)
    annotations = set(graph.subjects(RDF.type, KG.Quote))
    assert annotations and not any(graph.value(a, KG.sentenceTranslation) for a in annotations)
    assert any("no English translation" in w for w in result.warnings)


def test_a_translation_of_no_sentence_names_the_closest(tmp_path: Path) -> None:
    wrong = INCOME.replace("16000", "15000")
    data = make_data(tmp_path, f'# test fixture\n- zh: "{INCOME}"\n  en: "x"\n- zh: "{wrong}"\n  en: "y"\n')
    with pytest.raises(CurationFailed) as failed:
        compile_data(data, ROOT / "ontology")
    message = str(failed.value)
    assert f"{FILE_NAME}:4: this zh is not a sentence" in message
    assert f"the closest sentence is {INCOME!r}" in message


@pytest.mark.parametrize(
    ("content", "line", "expected"),
    [
        (f'- zh: "{INCOME}"\n  en: "a"\n- zh: "{INCOME}"\n  en: "b"\n', 3, "translated twice"),
        (f'- zh: "{INCOME}"\n  fr: "a"\n', 1, "exactly the fields zh and en"),
        ('- zh: "a"\n  en: [x\n', 3, "YAML syntax error"),
        ("zh: a\n", 1, "must be a list"),
        (f'- zh: "{INCOME}"\n  en: 12\n', 1, "must be text"),
    ],
)
def test_malformed_translations(tmp_path: Path, content: str, line: int, expected: str) -> None:
    with pytest.raises(CurationFailed) as failed:
        compile_data(make_data(tmp_path, content), ROOT / "ontology")
    assert f"{FILE_NAME}:{line}: " in str(failed.value) and expected in str(failed.value)
