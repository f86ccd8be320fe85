"""References to the parts of a legal text in a question ("Điều 32", "khoản 2 Điều 5",
"điểm a khoản 1 Điều 28", "dieu 32", "Chương III") and whether a passage's section path is that part.

Pure text functions: the assistant calls them to scope a search the way a plan number does. Section paths
are those ingest/structure.py writes: "Chương III. … › Điều 32. Trách nhiệm của Bộ Y tế › khoản 1 › điểm a".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.document import piece_of
from ingest.normalize import nfc

_ARTICLE = r"(?:điều|dieu|đ\.)\s*(?P<article>\d{1,3}[a-zđ]?)\b"
_CLAUSE = r"(?:khoản|khoan)\s*(?P<clause>\d{1,2})\b"
_POINT = r"(?:điểm|diem)\s*(?P<point>[a-zđ])\b\)?"
_GLUE = r"\s*,?\s*(?:(?:của|cua|tại|tai|thuộc|thuoc)\s+)?"
_CHAPTER = re.compile(r"\b(?:chương|chuong)\s+(?P<chapter>[ivxlc]+|\d{1,2})\b")
# "điểm a khoản 1 Điều 28", "khoản 2 Điều 5", "Điều 32" — smallest part first, as Vietnamese writes it
_FORWARD = re.compile(
    rf"(?:{_POINT}{_GLUE})?(?:{_CLAUSE}{_GLUE})?{_ARTICLE}"
)
# "Điều 28 khoản 1 điểm a" — largest part first
_BACKWARD = re.compile(
    rf"{_ARTICLE.replace('article', 'article2')}(?:\s*,?\s*{_CLAUSE.replace('clause', 'clause2')})?"
    rf"(?:\s*,?\s*{_POINT.replace('point', 'point2')})?"
)
_SEGMENT = re.compile(
    r"^(?:Điều (?P<article>\d{1,3}[a-zđ]?)\b|khoản (?P<clause>\d{1,2})$|điểm (?P<point>[a-zđ])$"
    r"|Chương (?P<chapter>[IVXLC]+|\d{1,2})\b)"
)


@dataclass(frozen=True)
class LegalRef:
    article: str | None = None  # Điều "32", "5a"
    clause: str | None = None  # khoản "2"
    point: str | None = None  # điểm "a"
    chapter: str | None = None  # Chương "III" (Roman numerals in capitals)

    def __str__(self) -> str:
        parts = [f"điểm {self.point}" if self.point else "", f"khoản {self.clause}" if self.clause else "",
                 f"Điều {self.article}" if self.article else "", f"Chương {self.chapter}" if self.chapter else ""]
        return " ".join(p for p in parts if p)


def parse_legal_refs(question: str) -> list[LegalRef]:
    """Every reference to an article (with its clause and point) or a chapter in a question, in order:
    "điểm a khoản 1 Điều 28 và Điều 32" -> [LegalRef("28", "1", "a"), LegalRef("32")]."""
    text = nfc(question).lower()
    found: list[tuple[int, LegalRef]] = []
    taken: list[tuple[int, int]] = []
    for pattern, names in ((_BACKWARD, ("article2", "clause2", "point2")), (_FORWARD, ("article", "clause", "point"))):
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            article, clause, point = (m.group(n) for n in names)
            if pattern is _BACKWARD and not (clause or point):
                continue  # a bare "Điều 32" is the forward pattern's
            taken.append((m.start(), m.end()))
            found.append((m.start(), LegalRef(article, clause, point)))
    for m in _CHAPTER.finditer(text):
        if not any(s <= m.start() < e for s, e in taken):
            found.append((m.start(), LegalRef(chapter=m.group("chapter").upper())))
    return [ref for _, ref in sorted(found, key=lambda x: x[0])]


def parse_legal_ref(question: str) -> LegalRef | None:
    """The first reference in a question, or None: "khoản 2 Điều 5 quy định gì?" -> LegalRef("5", "2")."""
    refs = parse_legal_refs(question)
    return refs[0] if refs else None


def section_ref(section: str) -> LegalRef:
    """The legal parts a section path names: "Chương III. … › Điều 32. … › khoản 1 › điểm a (phần 1/2)"
    -> LegalRef("32", "1", "a", "III")."""
    found: dict[str, str] = {}
    for segment in piece_of(section).split(" › "):
        m = _SEGMENT.match(segment.strip())
        if m:
            found.update({k: v for k, v in m.groupdict().items() if v})
    return LegalRef(found.get("article"), found.get("clause"), found.get("point"), found.get("chapter"))


def section_matches(section: str, ref: LegalRef) -> bool:
    """Whether a passage with this section path is (inside) the part a reference names: "Điều 5" holds
    every passage of Điều 5; "khoản 2 Điều 5" its khoản 2 and the points under it; a chapter every
    article in it. A passage of another article, clause or point does not match."""
    have = section_ref(section)
    if not any((ref.article, ref.clause, ref.point, ref.chapter)):
        return False
    for field in ("chapter", "article", "clause", "point"):
        wanted = getattr(ref, field)
        if wanted is not None and getattr(have, field) != wanted:
            return False
    return True
