"""Pages of a source file, carried from the reader to each chunk.

A reader returns a `RawText`: the file's text page by page (PDF pages; a Word file's pages where its page
breaks say so), and for a page read by OCR the recognition confidence of each word. The clean document
text is built from the pages joined by form feeds, then reflowed and tidied; `locate_pages` finds where
each page went in that clean text by walking both word sequences in order, so reflow, tidying and dropped
page numbers do not matter. A chunk's character span then gives its page range and, for scanned pages,
the mean confidence of its words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.normalize import fold, nfc

_WORD = re.compile(r"\w+")
_WINDOW = 80  # how far ahead in the raw words the next clean word is looked for
LOW_CONFIDENCE = 85.0  # mean OCR word confidence (0-100) below which a passage is marked as read from a scan


@dataclass
class RawPage:
    text: str
    # OCR only: the confidence (0-100) of each \w+ word of `text`, in order; None for a text layer
    confidences: list[float] | None = None

    @property
    def ocr(self) -> bool:
        return self.confidences is not None

    @property
    def mean_confidence(self) -> float | None:
        if self.confidences is None:
            return None
        return sum(self.confidences) / len(self.confidences) if self.confidences else 0.0


@dataclass
class RawText:
    pages: list[RawPage]
    paged: bool = False  # True when the pages are real pages (PDF, Word page breaks)
    notes: list[str] = field(default_factory=list)  # what the reader did, for the user ("trang 2: OCR …")

    @property
    def text(self) -> str:
        return "\f".join(p.text for p in self.pages)

    @classmethod
    def plain(cls, text: str) -> "RawText":
        return cls([RawPage(text)])


@dataclass(frozen=True)
class PageSpan:
    number: int  # 1-based page number
    start: int  # character span in the clean document text
    end: int
    ocr: bool


@dataclass
class PageMap:
    """Where each page of the source stands in the clean text, and each word's OCR confidence."""

    spans: list[PageSpan]
    # (offset in the clean text, confidence) of every word that came from an OCR'd page
    ocr_words: list[tuple[int, float]] = field(default_factory=list)

    def pages(self, start: int, end: int) -> str | None:
        """The pages a span covers: "3" or "3-4"; None when the source has no pages."""
        hit = [s.number for s in self.spans if s.start < max(end, start + 1) and start < s.end]
        if not hit:
            return None
        return str(hit[0]) if hit[0] == hit[-1] else f"{hit[0]}-{hit[-1]}"

    def confidence(self, start: int, end: int) -> float | None:
        """Mean OCR confidence of the words in a span; None when none of them came from OCR."""
        confs = [c for pos, c in self.ocr_words if start <= pos < end]
        return round(sum(confs) / len(confs), 1) if confs else None


def locate_pages(raw: RawText, text: str) -> PageMap | None:
    """Map the raw pages onto the clean text. None when the source has no real pages and no OCR."""
    if not raw.paged and not any(p.ocr for p in raw.pages):
        return None
    raw_words: list[tuple[str, int, float | None]] = []  # (folded word, page index, confidence)
    for i, page in enumerate(raw.pages):
        words = _WORD.findall(nfc(page.text))
        confs = page.confidences if page.confidences is not None and len(page.confidences) == len(words) else None
        for k, w in enumerate(words):
            raw_words.append((fold(w), i, confs[k] if confs else (0.0 if page.ocr else None)))
    page_of_offset: list[tuple[int, int]] = []  # (offset in text, page index), non-decreasing
    ocr_words: list[tuple[int, float]] = []
    j, page = 0, 0
    for m in _WORD.finditer(text):
        word = fold(m.group())
        for k in range(j, min(j + _WINDOW, len(raw_words))):
            if raw_words[k][0] == word:
                page = max(page, raw_words[k][1])
                if raw_words[k][2] is not None:
                    ocr_words.append((m.start(), raw_words[k][2]))
                j = k + 1
                break
        page_of_offset.append((m.start(), page))
    spans = []
    for i in range(len(raw.pages)):
        offsets = [pos for pos, p in page_of_offset if p == i]
        if offsets:
            start = offsets[0]
            while start > 0 and not text[start - 1].isspace() and not _WORD.match(text[start - 1]):
                start -= 1  # the page starts with the marker or bracket before its first word
            if start > 0 and text[start - 1] == " " and start >= 2 and text[start - 2] in "-–+•" and (
                start < 3 or text[start - 3] in "\n"
            ):
                start -= 2  # "- " of a bullet or table row
            spans.append((i, start))
    out = []
    for n, (i, start) in enumerate(spans):
        end = spans[n + 1][1] if n + 1 < len(spans) else len(text)
        out.append(PageSpan(i + 1, start, end, raw.pages[i].ocr))
    if out:  # the text before the first word still belongs to the first page found
        out[0] = PageSpan(out[0].number, 0, out[0].end, out[0].ocr)
    return PageMap(out if raw.paged else [], ocr_words)
