"""The plain records that cross stage boundaries: a Document and its Chunks."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Document:
    doc_id: str  # stable id from the file name: "can-tho_kh-153-ubnd_2025"
    file: str  # file name as ingested
    path: str  # absolute source path
    sha256: str  # hash of the source bytes: an unchanged file is not re-ingested
    title: str  # "Kế hoạch triển khai, thực hiện các dự án …"
    kind: str  # "Kế hoạch", "Nghị quyết", … ("Văn bản" when unknown)
    number: str | None  # "153/KH-UBND"; None when the plan leaves it blank
    date: str | None  # ISO date "2025-11-17", or just the year "2021" when the day is blank
    issuer: str | None  # "Ủy ban nhân dân thành phố Lạng Sơn"
    locality: str | None  # "thành phố Lạng Sơn", "phường Tân Phú", …
    text: str  # the clean text answers quote (NFC, paragraphs rejoined, markup removed)
    # added later, with defaults so that indexes written before them still load
    signer: str | None = None  # the name under the signature: "Trương Cảnh Tuyên"
    level: str | None = None  # "trung ương", "tỉnh", "huyện" or "xã"
    # the document's form, whatever its topic: "kế hoạch", "công văn", "quyết định ban hành kế hoạch",
    # "quyết định phê duyệt chương trình (nội dung trong Điều 1)" … (ingest/header.py)
    form: str | None = None

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    @property
    def label(self) -> str:
        """How answers name the plan: 'Kế hoạch 153/KH-UBND — thành phố Lạng Sơn, 2025'."""
        head = f"{self.kind} {self.number}" if self.number else f"{self.kind} (không số)"
        carried = re.match(r"^(.+?) (ban hành|phê duyệt) .+$", self.form or "")
        if carried and self.number:  # the plan a decision issues is cited as itself, with the decision
            how = "ban hành kèm theo" if carried.group(2) == "ban hành" else "phê duyệt tại"
            head = f"{self.kind} {how} {carried.group(1).capitalize()} {self.number}"
        where = ", ".join(x for x in (self.locality, str(self.year) if self.year else None) if x)
        return f"{head} — {where}" if where else head

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Chunk:
    chunk_id: str  # deterministic hash of (doc_id, section, text, agency)
    doc_id: str
    section: str  # section path: "IV. Phân công nhiệm vụ › 3. Sở Y tế › a)"
    text: str  # the passage itself (clean text, a slice of Document.text)
    start: int  # character span of `text` in Document.text
    end: int
    agency: str | None  # the agency whose duties this is, as the plan names it: "Sở Y tế"
    heading: str  # the heading lines above the passage, for embedding and display
    # added later: defaults keep older indexes loading
    pages: str | None = None  # the source pages the passage covers: "3" or "3-4"; None without pages
    ocr_confidence: float | None = None  # mean OCR word confidence (0-100) when read from a scan, else None

    def to_dict(self) -> dict:
        return asdict(self)


# the suffix of one piece of an item too long for one chunk: "… › 3. Sở Y tế (phần 2/3)" (ingest/chunker.py)
PIECE = re.compile(r"\s*\(phần (\d+)/(\d+)\)$")


def piece_of(section: str) -> str:
    """The item's own section path, without the piece suffix of a chunk cut from it."""
    return PIECE.sub("", section)


def chunk_id(doc_id: str, section: str, text: str, agency: str | None = None) -> str:
    """Deterministic: the same passage in the same place, assigned to the same agency, keeps its id
    (and its vector) across re-ingests."""
    return hashlib.sha1(f"{doc_id}\x1f{section}\x1f{text}\x1f{agency or ''}".encode()).hexdigest()[:16]
