"""The stored report text: loading it, finding quotes in it and the sentences around them.

Offsets are Python code points into the NFC-normalised text; ``text[start:end] == quote`` always.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

SENTENCE_END = "。!?!?;;\n"


@dataclass(frozen=True)
class Span:
    start: int
    end: int


class QuoteNotFound(LookupError):
    def __init__(self, quote: str, nearest: str):
        self.quote = quote
        self.nearest = nearest
        super().__init__(f"quote not found in the source text: {quote!r}; nearest passage: {nearest!r}")


class QuoteAmbiguous(LookupError):
    def __init__(self, quote: str, count: int):
        self.quote = quote
        self.count = count
        super().__init__(f"quote occurs {count} times in the source text: {quote!r}")


class SourceText:
    def __init__(self, text: str, path: Path | None = None):
        self.text = unicodedata.normalize("NFC", text)
        self.path = path

    @classmethod
    def read(cls, path: Path) -> SourceText:
        return cls(path.read_text(encoding="utf-8"), path)

    def occurrences(self, quote: str) -> list[int]:
        found, position = [], self.text.find(quote)
        while position != -1:
            found.append(position)
            position = self.text.find(quote, position + 1)
        return found

    def locate(self, quote: str, occurrence: int | None = None) -> Span:
        """The span of ``quote``; ``occurrence`` (1-based) picks one when the quote is not unique."""
        quote = unicodedata.normalize("NFC", quote)
        starts = self.occurrences(quote) if quote else []
        if not starts:
            raise QuoteNotFound(quote, self.nearest(quote))
        if occurrence is None:
            if len(starts) > 1:
                raise QuoteAmbiguous(quote, len(starts))
            occurrence = 1
        if not 1 <= occurrence <= len(starts):
            raise QuoteAmbiguous(quote, len(starts))
        start = starts[occurrence - 1]
        return Span(start, start + len(quote))

    def nearest(self, quote: str) -> str:
        """The passage of the same length most like ``quote``, to show beside a failed lookup."""
        if not quote:
            return ""
        width = len(quote)
        best, best_ratio = "", -1.0
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(quote)
        for start in range(max(1, len(self.text) - width + 1)):
            window = self.text[start : start + width]
            matcher.set_seq1(window)
            if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = window, ratio
        return best

    def sentence(self, span: Span) -> Span:
        """The sentence containing ``span``: from after the previous 。/!/?/line break to the next."""
        start = span.start
        while start > 0 and self.text[start - 1] not in SENTENCE_END:
            start -= 1
        while start < span.start and self.text[start].isspace():
            start += 1
        end = span.end
        while end < len(self.text) and self.text[end - 1] not in SENTENCE_END:
            end += 1
        while end > span.end and self.text[end - 1] == "\n":
            end -= 1
        return Span(start, end)
