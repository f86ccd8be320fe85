"""Does the evidence hold what the question asks for? Two checks the relevance signal alone misses,
both decided before the model is called:

- a question that asks for a value — a figure ("bao nhiêu"), a share ("bao nhiêu phần trăm"), an
  amount of money ("bao nhiêu tiền", "kinh phí … bao nhiêu"), a date ("ngày nào", "khi nào"), a
  document number ("số hiệu"), a phone number — needs one sentence of the retrieved passages that
  gives a value of that kind (not one the question itself gives) and holds most of the question's
  content words. A plan that talks about the subject but never states the value does not answer it:
  "Hiện nay Nam Định có bao nhiêu người nghiện?" is not answered by "100% người nghiện được quản lý".
- a question about what a named body must do ("Sở Xây dựng tỉnh Nam Định có nhiệm vụ gì?") needs that
  body in the passages, when it belongs to none of the known sectors (whose equivalents at other
  levels — Sở Y tế ↔ Trạm y tế — do answer).

Questions are matched on their diacritic-folded form, so "bao nhieu tien" and "ngay nao" count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.focus import sentences
from index.bm25 import bm25_tokens
from ingest.normalize import fold

# share of the question's content words (idf-weighted) that the value-bearing sentence, with its
# section path and plan, must hold
MIN_SENTENCE_COVERAGE = 0.5

_NUM = r"\d[\d.,]*"


@dataclass(frozen=True)
class Asked:
    kind: str  # "phone" | "docnumber" | "money" | "percent" | "people" | "duration" | "day" | "date" | "number"
    label: str  # what the refusal says is missing
    value: re.Pattern  # a value of that kind, in a folded sentence


# (kind, label, question pattern, value pattern), most specific first; both on folded text
_KINDS = [
    ("phone", "số điện thoại", r"\bso dien thoai\b", rf"\d{{3,4}}[ .]?\d{{3}}[ .]?\d{{3,4}}"),
    ("docnumber", "số hiệu văn bản", r"\bso hieu\b|\b(?:ke hoach|van ban) so (?:may|bao nhieu)\b",
     r"\d+\s*[/-]\s*[a-z]"),
    ("money", "số tiền", r"\bbao nhi(?:e|)u (?:tien|ty|trieu|dong)\b|\b(?:kinh phi|ngan sach|muc ho tro|so tien)\b.*\bbao nhi(?:e|)u\b",
     rf"{_NUM}\s*(?:ty|trieu|nghin|ngan)?\s*(?:dong|vnd)\b|{_NUM}\s*(?:ty|trieu)\b"),
    ("percent", "tỷ lệ phần trăm", r"\bbao nhi(?:e|)u phan tram\b|\bty le\b.*\bbao nhi(?:e|)u\b",
     rf"{_NUM}\s*(?:%|phan tram)"),
    ("people", "số người", r"\bbao nhi(?:e|)u (?:nguoi|doi tuong)\b", rf"{_NUM}\s+(?:nguoi|doi tuong)\b"),
    ("duration", "thời hạn", r"\b(?:bao lau|trong thoi han bao)\b",
     r"\d+\s*(?:ngay|thang|nam|tuan)\b|\b(?:tu|den|den het) nam \d{4}|\d{4}\s*-\s*\d{4}"),
    # a day: "ngày nào", "ngày mấy", "trước ngày nào" -> "ngày 14 hàng tháng", "22/11/2021", "tháng 5"
    ("day", "ngày, tháng", r"\b(?:ngay nao|ngay may|thang may|thoi han nao)\b",
     r"\bngay\s*\d|\d{1,2}\s*/\s*\d{1,2}|\bthang\s*\d|\d+\s*ngay\b"),
    # a time: "khi nào", "bao giờ" -> a day, or a year ("đến năm 2030"), or a recurrence ("hằng năm")
    ("date", "thời gian", r"\b(?:khi nao|bao gio|nam nao)\b",
     r"\bngay\s*\d|\d{1,2}\s*/\s*\d{1,2}|\bthang\s*\d|\bnam\s*\d{4}|\bhang (?:thang|quy|nam)\b|\d+\s*ngay\b"),
    ("number", "số liệu", r"\bbao nhi(?:e|)u\b|\bmay (?:xa|phuong|lan|mo hinh|nguoi|don vi)\b", r"\d+"),
]
_ASKED = [(k, label, re.compile(q), re.compile(v)) for k, label, q, v in _KINDS]


def asked_value(question: str) -> Asked | None:
    """The kind of value a question asks for, or None ("phải làm gì", "ai chủ trì")."""
    folded = " ".join(re.findall(r"[\w%/]+", fold(question)))
    for kind, label, q, v in _ASKED:
        if q.search(folded):
            return Asked(kind, label, v)
    return None


def value_sentences(asked: Asked, question: str, text: str) -> list[str]:
    """The sentences of `text` that give a value of the asked kind other than the question's own
    figures ("năm 2026" asked is no answer)."""
    own = set(re.findall(r"\d+", question))
    out = []
    for sent in sentences(text):
        folded = fold(sent)
        values = [m.group() for m in asked.value.finditer(folded)]
        if any(set(re.findall(r"\d+", v)) - own or not re.search(r"\d", v) for v in values):
            out.append(sent)
    return out


def value_support(searcher, asked: Asked, question: str, hits, skip: set[str] = frozenset()) -> tuple[float, str | None]:
    """The best coverage of the question's content words by one value-bearing sentence of the hits
    (read with its plan and section path), and that sentence."""
    best, best_sent = 0.0, None
    for h in hits:
        context = f"{h.document.label} {h.chunk.section}"
        for sent in value_sentences(asked, question, h.chunk.text):
            share, _ = searcher.coverage(question, set(bm25_tokens(f"{context} {sent}")), skip)
            if share > best:
                best, best_sent = share, sent
    return best, best_sent


# a question about a plan's own number or signing date ("Kế hoạch … có số hiệu là gì?", "… được ký
# ban hành ngày mấy?"): answered by the plan's header, so the plan's metadata decides
_OWN_NUMBER = re.compile(r"\bso hieu\b|\b(?:ke hoach|van ban|nghi quyet) so (?:may|bao nhieu)\b")
_OWN_DATE = re.compile(r"\b(?:ky|ban hanh|ky ban hanh) (?:vao )?(?:ngay|thang|nam|khi)\b")


def lacks_own_metadata(question: str, documents) -> str | None:
    """What the plans in scope leave blank that the question asks of them ("số hiệu", "ngày ban
    hành"), when every one of them leaves it blank; None otherwise."""
    folded = " ".join(re.findall(r"\w+", fold(question)))
    docs = list(documents)
    if _OWN_NUMBER.search(folded) and docs and not any(d.number for d in docs):
        return "số hiệu văn bản"
    if _OWN_DATE.search(folded) and docs and not any(len(str(d.date or "")) >= 10 for d in docs):
        return "ngày ban hành"
    return None


# the nouns a body's name starts with: "Sở Xây dựng", "Bệnh viện Tâm thần"; typed without diacritics,
# "so ngoai vu" (but not "cơ sở", "địa bàn", "nhà trường")
_BODY = r"(?<!nhà )(?<!ủy )(?<!uỷ )(sở|bệnh viện|trung tâm|chi cục|cục|viện|trường|phòng|ban|hội|trạm|đội)"
_BODY_FOLDED = (r"(?<!co )(?<!dia )(?<!nha )(?<!uy )(?<!bien )"
                r"(so|benh vien|trung tam|chi cuc|cuc|vien|truong|phong|ban|hoi|tram|doi)")
_NOT_NAME = set("nao gi cac nhung co la phai trong tren theo cua va voi ve tai o nganh chong ke hoach".split())


def named_body(question: str) -> tuple[str, list[str]] | None:
    """The body a duty question names ("Sở Xây dựng"), as typed, with the folded bigram keys that must
    occur for a passage to speak of it; None if it names none. A name never runs across punctuation."""
    text = " ".join(question.split()).lower()
    plain = fold(text) == text  # typed without diacritics: match the folded nouns
    pattern = _BODY_FOLDED if plain else _BODY
    for m in re.finditer(rf"(?<!\w){pattern} (\w+)(?: (\w+))?", fold(text) if plain else text):
        rest = [w for w in m.groups()[1:] if w]
        if not rest or fold(rest[0]) in _NOT_NAME:
            continue
        if re.match(r"[A-ZĐ]{2}", question.strip()[m.end(1): m.end(1) + 4].strip() or ""):
            return None  # an acronym ("Sở VH-TT-DL", "Phòng LĐ-TB&XH"): matched by sector instead
        if len(rest) == 2 and fold(rest[1]) in _NOT_NAME:
            rest = rest[:1]
        name = " ".join([m.group(1)] + rest)
        keys = fold(name).split()
        shown = question.strip()[m.start(): m.start() + len(name)] if len(text) == len(question.strip()) else name
        return shown, [f"{a}_{b}" for a, b in zip(keys, keys[1:])]
    return None
