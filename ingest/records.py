"""Plan items as records: every item of a plan (each lettered or numbered point, each bullet, each table
row) with its section path, the bodies it addresses and their role, its deadline or recurrence, its figures
and its kind (duty, target, reporting, scope, funding, legal basis). The duties table is one view of them
(`duties_of`); questions about a target, a deadline or a reporting rule are answered from them.

    records = extract_records(documents, chunks)
    [r for r in records if r.kind == "target" and "2026" in r.figures]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ingest.deadlines import parse_deadline, plan_date_of
from ingest.document import Chunk, Document
from ingest.duties import Duty, _items, item_duties
from ingest.reflow import strip_marker
from ingest.structure import INTRO_SECTION
from ingest.normalize import fold

DATA = Path(__file__).with_name("data") / "record_kinds.tsv"
KINDS = ("duty", "target", "reporting", "scope", "funding", "legal_basis", "other")
# a figure: a share, a ratio, an amount, a count, a year, a date
_FIGURE = re.compile(
    r"\d+(?:[.,]\d+)*\s*(?:%|phần trăm)|\d+\s*/\s*\d+(?:\s*/\s*\d{4})?|\d+(?:[.,]\d{3})+(?:\s*(?:đồng|triệu|tỷ))?"
    r"|\d+\s*(?:đồng|triệu|tỷ|người|xã|phường|lượt|mô hình)|\b(?:19|20)\d\d\b"
)


@dataclass(frozen=True)
class KindCues:
    kind: str
    label: str  # how answers name the kind: "mục tiêu, chỉ tiêu"
    item: tuple[str, ...]  # folded cues in a heading or at the start of an item
    question: tuple[str, ...]  # folded cues in a question


@dataclass(frozen=True)
class Record:
    doc_id: str
    file: str
    plan_label: str
    section: str  # "I. Mục đích, yêu cầu › 4. Các chỉ tiêu cụ thể › b)"
    chunk_id: str  # the (first) chunk of the item, for citations
    start: int  # span of the item in Document.text
    end: int
    text: str  # the item, on one line, without its marker
    kind: str  # one of KINDS
    duties: tuple[Duty, ...] = ()  # the bodies it addresses, one row each, with their role
    deadline_text: str | None = None
    recurrence: str | None = None
    figures: tuple[str, ...] = field(default_factory=tuple)

    @property
    def bodies(self) -> list[tuple[str, str]]:
        """(canonical body, role) for each body the item addresses."""
        return [(d.canonical, d.role) for d in self.duties]


@lru_cache(maxsize=1)
def kind_cues() -> tuple[KindCues, ...]:
    rows = []
    lines = [ln for ln in DATA.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    for line in lines[1:]:
        kind, label, item, question = (line.split("\t") + ["", "", "", ""])[:4]
        split = lambda cell: tuple(" ".join(re.findall(r"\w+", fold(c))) for c in cell.split(";") if c.strip())  # noqa: E731
        rows.append(KindCues(kind.strip(), label.strip(), split(item), split(question)))
    return tuple(rows)


def figures_in(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.group().strip() for m in _FIGURE.finditer(text)))


def kind_of(section: str, text: str, has_bodies: bool) -> str:
    """The kind of an item: by the words of its own start, then of its section path (innermost first);
    an item addressed to a body is a duty unless its words say otherwise."""
    start = " ".join(re.findall(r"\w+", fold(strip_marker(text)[:30])))
    labels = [" ".join(re.findall(r"\w+", fold(label))) for label in reversed(section.split(" › "))]
    for place in [start, *labels]:
        for cues in kind_cues():
            if any(f" {c} " in f" {place} " for c in cues.item):
                if cues.kind == "target" and has_bodies and place != start:
                    continue  # a duty in a section about targets is still a duty
                return cues.kind
    return "duty" if has_bodies else "other"


def extract_records(documents: list[Document], chunks: list[Chunk]) -> list[Record]:
    """Every item of every plan, in plan order."""
    docs = {d.doc_id: d for d in documents}
    records = _preamble_bases(docs, chunks)
    for item in _items(docs, chunks):
        duties = tuple(item_duties(item))
        text = " ".join(strip_marker(item.text).split())
        deadline = parse_deadline(item.text, plan_date_of(item.doc.date))
        has_deadline = deadline.kind != "none"
        records.append(Record(
            doc_id=item.doc.doc_id, file=item.doc.file, plan_label=item.doc.label, section=item.section,
            chunk_id=item.chunk_id, start=item.start, end=item.end, text=text,
            kind=kind_of(item.section, item.text, bool(duties)), duties=duties,
            deadline_text=deadline.text if has_deadline else None,
            recurrence=deadline.recurrence if has_deadline else None,
            figures=figures_in(text),
        ))
    return records


@lru_cache(maxsize=1)
def _basis() -> re.Pattern:
    """The lines of a document's preamble that give its bases, and who proposed it: they open with "Căn cứ",
    "Thực hiện", "Theo đề nghị", "Xét Tờ trình" (the preamble words of ingest/data/document_kinds.json, from the
    layout of Nghị định 30/2020/NĐ-CP on công tác văn thư)."""
    from ingest.doc_vocab import vocab

    return re.compile(rf"^(?:{'|'.join(map(re.escape, vocab().preamble_words))})\b", re.I)


@lru_cache(maxsize=1)
def _cited() -> re.Pattern:
    """A document cited by kind and number: "Chỉ thị số 33/CT-TTg", "Nghị quyết 71/NQ-CP" (the kinds of
    ingest/data/document_kinds.json)."""
    from ingest.doc_vocab import vocab

    return re.compile(rf"\b(?:{vocab().kind_pattern()})\s+(?:số\s+)?(\d+[\w/.-]*)", re.I)


def _preamble_bases(docs: dict[str, Document], chunks: list[Chunk]) -> list[Record]:
    """The preamble's paragraphs that give the document's legal bases, as legal-basis records. A text with no
    such lines (a letter, a telegram, a notice) gives them in its opening: there its opening paragraphs that
    cite another document by kind and number are its bases ("Thủ tướng Chính phủ đã ban hành Chỉ thị số 33/CT-TTg
    …; để triển khai …")."""
    out, seen = [], set()
    with_lines = {c.doc_id for c in chunks if c.section.startswith(INTRO_SECTION)
                  and any(_basis().match(p.strip()) for p in c.text.split("\n"))}
    for c in chunks:
        if c.doc_id not in docs or not c.section.startswith(INTRO_SECTION):
            continue
        doc = docs[c.doc_id]
        own = (doc.number or "").split("/")[0]
        opening = c.doc_id not in with_lines and c.section == INTRO_SECTION
        for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", c.text):  # paragraphs
            para = m.group().strip()
            text = " ".join(para.split())
            cites = opening and any(n.group(1).split("/")[0] != own for n in _cited().finditer(para))
            if ((_basis().match(para) or cites) and (doc.doc_id, text) not in seen  # overlapping chunks hold it twice
                    and doc.text[c.start + m.start():c.start + m.end()] == m.group()):
                seen.add((doc.doc_id, text))
                out.append(Record(doc_id=doc.doc_id, file=doc.file, plan_label=doc.label, section=c.section,
                                  chunk_id=c.chunk_id, start=c.start + m.start(), end=c.start + m.end(),
                                  text=text, kind="legal_basis", figures=figures_in(text)))
    return out


def duties_of(records: list[Record]) -> list[Duty]:
    """The duties table: one row per body an item addresses."""
    return [d for r in records for d in r.duties]


def asked_kind(question: str) -> KindCues | None:
    """The kind of item a question asks about, by its words ("chỉ tiêu … bao nhiêu", "báo cáo khi nào")."""
    words = " ".join(re.findall(r"[\w%]+", fold(question)))
    folded = f" {words} "
    for cues in kind_cues():
        if any(f" {c} " in folded for c in cues.question):
            return cues
    return None
