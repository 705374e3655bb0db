"""The report's text as the rules read it: spans, clauses, sentences, paragraphs, occurrences,
names in “” and titles in 《》, and section headings. Read-only: every function of the text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from kg.source import SourceText

CJK_RANGE = "\u4e00-\u9fff〇"
CJK = re.compile(f"[{CJK_RANGE}]")
CLAUSE_DELIMITERS = frozenset(",，;；。!！?？:：\n()（）【】“”《》、")
SENTENCE_DELIMITERS = frozenset("。!！?？;；\n")


def is_cjk(ch: str) -> bool:
    return bool(ch) and bool(CJK.match(ch))


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # "quote" (“…”) or "title" (《…》), marks included


@dataclass(frozen=True)
class Text:
    source: SourceText
    protected: tuple[Span, ...] = field(init=False)

    def __post_init__(self) -> None:
        text = self.source.text
        spans = [Span(m.start(), m.end(), "quote") for m in re.finditer(r"“[^“”\n。，,；;！!？?]{1,20}”", text)]
        spans += [Span(m.start(), m.end(), "title") for m in re.finditer(r"《[^《》\n]{1,100}》", text)]
        object.__setattr__(self, "protected", tuple(sorted(spans, key=lambda s: (s.start, s.end, s.kind))))

    @classmethod
    def of(cls, text: str) -> Text:
        return cls(SourceText(text))

    @property
    def text(self) -> str:
        return self.source.text

    def occurrences(self, quote: str) -> list[int]:
        return self.source.occurrences(quote)

    def occurrence(self, quote: str, start: int) -> int | None:
        """``occurrence:`` for a quote at ``start``: None when the quote is unique."""
        starts = self.occurrences(quote)
        return None if len(starts) <= 1 else starts.index(start) + 1

    def inside(self, start: int, end: int, kind: str | None = None) -> Span | None:
        """The name in “” or title in 《》 that contains text[start:end]."""
        for span in self.protected:
            if span.start <= start and end <= span.end and (kind is None or span.kind == kind):
                return span
        return None

    def bounds(self, position: int, delimiters: frozenset[str]) -> tuple[int, int]:
        text = self.text
        start = position
        while start > 0 and text[start - 1] not in delimiters:
            start -= 1
        while start < position and text[start] in " \t\u3000":
            start += 1
        end = position
        while end < len(text) and text[end] not in delimiters:
            end += 1
        return start, end

    def clause(self, position: int) -> tuple[int, int]:
        return self.bounds(position, CLAUSE_DELIMITERS)

    def sentence(self, position: int) -> tuple[int, int]:
        return self.bounds(position, SENTENCE_DELIMITERS)

    def paragraph(self, position: int) -> tuple[int, int]:
        return self.bounds(position, frozenset("\n"))

    def title(self) -> Mention:
        """The first line that is not empty, without a leading 【…】 or (…)."""
        text = self.text
        offset = 0
        for line in text.split("\n"):
            if line.strip():
                break
            offset += len(line) + 1
        line = text[offset:].split("\n", 1)[0]
        match = re.match(r"\s*(?:【[^】]*】\s*)?(?:[(（][^)）]*[)）]\s*)?", line)
        skip = match.end() if match and match.end() < len(line.rstrip()) else 0
        title = line[skip:].strip()
        start = offset + line.index(title)
        return Mention(start, start + len(title), title)

    @cached_property
    def _headings(self) -> tuple[tuple[int, int], ...]:
        spans, offset = [], 0
        for number, line in enumerate(self.text.split("\n")):
            stripped = line.strip()
            if number > 0 and stripped and "。" not in stripped and len(stripped) <= 30:
                spans.append((offset, offset + len(line)))
            offset += len(line) + 1
        return tuple(spans)

    def headings(self, after: int) -> tuple[tuple[int, int], ...]:
        """Short lines without a full stop after ``after`` (the title): section headings
        (一、2022年工作回顾)."""
        return tuple(h for h in self._headings if h[0] > after)
