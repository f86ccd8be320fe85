"""What an answer is: its text, its citations (checked), how it was made and how long it took. The
`tracuu ask --json` contract is `Answer.to_json`; fields are only ever added to it."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Callable

from assistant.citations import page_fields

REFUSAL_PREFIX = "Các văn bản hiện có không nêu"


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    file: str
    title: str
    number: str | None
    section: str
    quote: str
    # extensions beyond the contract
    label: str = ""
    date: str | None = None
    locality: str | None = None
    chunk_id: str = ""
    start: int = 0
    end: int = 0
    pages: str | None = None  # source pages of the passage: "3", "3-4" (PDF, Word with page breaks)
    ocr_confidence: float | None = None  # read from a scan: mean OCR word confidence (0-100)


@dataclass
class Answer:
    question: str
    text: str
    refused: bool
    citations: list[Citation]
    timings: dict
    model: str
    standalone: str = ""
    mode: str = "generated"  # "duties" | "generated" | "refused"
    closest: list[Citation] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # statements dropped as unsupported
    model_text: str = ""  # what the model wrote, before verification
    shown: list[Citation] = field(default_factory=list)  # the passages in the model's prompt, as shown there

    def to_json(self) -> dict:
        """The `tracuu ask --json` contract, plus extensions."""
        keep = ("n", "doc_id", "file", "title", "number", "section", "quote")
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [{k: asdict(c)[k] for k in keep} | {"label": c.label, "date": c.date} | page_fields(c.pages, c.ocr_confidence)
                          for c in self.citations],
            "timings": self.timings,
            "model": self.model,
            "standalone_question": self.standalone,
            "mode": self.mode,
            "closest": [{k: asdict(c)[k] for k in keep} | {"label": c.label} for c in self.closest],
            "removed_statements": self.removed,
            "model_text": self.model_text,
        }


def citation_for(n: int, hit_or_chunk, document) -> Citation:
    chunk = getattr(hit_or_chunk, "chunk", hit_or_chunk)
    return Citation(
        n=n, doc_id=document.doc_id, file=document.file, title=document.title, number=document.number,
        section=chunk.section, quote=chunk.text, label=document.label, date=document.date,
        locality=document.locality, chunk_id=chunk.chunk_id, start=chunk.start, end=chunk.end,
        pages=getattr(chunk, "pages", None), ocr_confidence=getattr(chunk, "ocr_confidence", None),
    )


@dataclass
class Turn:
    """One question being answered: what every step of assistant/ reads and adds to."""
    question: str  # as asked
    standalone: str  # rewritten from the conversation
    intent: object  # assistant.intent.Intent
    search: object  # index.search.SearchResult, or a function that runs the search when it is first needed
    filters: object  # index.search.Filters or None
    model_name: str
    on_token: Callable[[str], None]
    started: float = field(default_factory=time.perf_counter)
    timings: dict = field(default_factory=dict)

    @property
    def result(self):
        """The passages found (assistant.retrieve): searched at the first use, so an answer made from the
        records alone (a duty listing) never embeds the question."""
        if callable(self.search):
            self.search = self.search()
        return self.search

    def mark_first_token(self) -> None:
        if self.timings.get("first_token_ms") is None:
            self.timings["first_token_ms"] = round((time.perf_counter() - self.started) * 1000, 1)

    def answer(self, text: str, citations: list, mode: str, model: str | None = None, refused: bool = False,
               closest: list | None = None) -> Answer:
        return Answer(self.question, text, refused, citations, self.timings, model or self.model_name,
                      self.standalone, mode, closest or [])
