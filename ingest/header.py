"""Read what a document's header and signature say: kind, number, date, title, issuing body, locality,
level and signer, for any kind of Vietnamese administrative or legal document.

The header layout (tên cơ quan ban hành, số và ký hiệu, địa danh và ngày, tên loại và trích yếu, chữ ký)
is that of Nghị định 30/2020/NĐ-CP; every word this module looks for comes from
ingest/data/document_kinds.json (ingest/doc_vocab.py), every place from ingest/data/provinces.tsv
(ingest/places.py) or from the document itself.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ingest.doc_vocab import Kind, Vocab, vocab
from ingest.normalize import fold
from ingest.places import find_places, find_province
from ingest.reflow import LEGAL_START, starts_item

_NUMBER = r"(\d{1,5}(?:\s*[-/]\s*[0-9A-Za-zĐđ]+(?:\.[0-9A-ZĐ]+)*)+)"  # "11554/VPCP-V.I"
_DATE_WORDS = r"ngày\s*(\d{1,2})?\s*tháng\s*(\d{1,2})?\s*năm\s*(\d{4})"
_PLACE_DATE = re.compile(r"([A-ZĐ][a-zà-ỹ]+(?: [A-ZĐ][a-zà-ỹ]+)*),\s*" + _DATE_WORDS)
_DMY = re.compile(r"^Ngày (\d{1,2})/(\d{1,2})/(\d{4})")
_ARTICLE_1 = re.compile(r"^Điều 1\.\s*(.*)", re.S)
_HEAD_SPAN = 14  # paragraphs a header may take


@dataclass(frozen=True)
class _Body:
    head: str  # "Ủy ban nhân dân"
    unit: str | None  # "thành phố"
    name: str | None  # the place or the body's own name: "Thử Nghiệm", "Y tế"
    level: str | None
    party: bool
    parent_only: bool
    place: tuple[str, str] | None = None  # (unit, name) of a named body's place: ("tỉnh", "X")


def read_header(paragraphs: list[str]) -> dict:
    """Metadata fields from the clean paragraphs of one document (no sidecar)."""
    v = vocab()
    kind_at, kind, rest = _kind_line(paragraphs)
    head_paras = paragraphs[: kind_at if kind_at is not None else 6]
    head = " ".join(paragraphs[:_HEAD_SPAN])
    number = _number(head, v)
    meta = {
        "kind": kind.name if kind else v.unknown_kind,
        "number": number,
        "date": _date(head) or _passed_on(paragraphs, v),
        "title": _title(paragraphs, kind_at, kind, rest, v),
        "signer": _signer(paragraphs, v),
    }
    letter = _letter_subject(paragraphs[:_HEAD_SPAN], v) if kind is None else None
    if letter:
        meta["kind"], meta["title"] = v.letter_kind, f"{v.letter_kind} {letter}"
    elif kind is None:
        issued = _issued_as(head, v)
        if issued:
            meta["kind"], meta["number"] = issued[0].name, meta["number"] or issued[1]
        elif number and (by_abbr := kind_from_number(number)):
            meta["kind"] = by_abbr.name
        elif own := _issued_itself(paragraphs[:3], v):
            meta["kind"], meta["title"], meta["self_issuer"] = own[0].name, own[1], own[2]
        elif any(re.search(rf"(?:^|\s){re.escape(a)}\s*:", p) for p in paragraphs[:_HEAD_SPAN] for a in v.letter_address):
            meta["kind"] = v.letter_kind  # "Kính gửi: …" without a subject line: a letter all the same
            meta["title"] = f"{v.letter_kind} số {number}" if number else v.letter_kind
    if number is None and (caption := _appendix_caption(paragraphs, v)):
        # no number in the header (a copy that lost its first page): the caption of its appendix names it
        if meta["kind"] in (v.unknown_kind, caption[0].name) or caption[0].name == v.letter_kind:
            meta["kind"], meta["number"] = caption[0].name, caption[1]
            meta["date"] = meta["date"] or caption[2]
            if not meta["title"] or meta["title"] in (v.unknown_kind, v.letter_kind) or meta["title"].startswith(v.letter_address):
                meta["title"] = f"{caption[0].name} số {caption[1]}"
    meta["form"] = meta["kind"].lower()
    meta.update(_carried(paragraphs, kind_at, meta, v))
    meta.pop("carrier", None)
    meta.update(_issuer(head_paras, paragraphs, v))
    own_issuer = meta.pop("self_issuer", None)
    if own_issuer:  # no header: the body the opening sentence says issues it, with the place of its title
        place = _place_of_title(meta["title"], v)
        meta.update(place)
        meta["issuer"] = f"{own_issuer} {place['locality']}" if place else own_issuer
    return meta


def _issued_itself(paragraphs: list[str], v: Vocab) -> tuple[Kind, str, str | None] | None:
    """The kind, title and issuer a document without a header gives itself in its opening sentence: "…;
    Sở Thông tin và Truyền thông ban hành Kế hoạch nâng cao … tỉnh Đắk Nông đến năm 2025, với những nội
    dung sau" -> (Kế hoạch, "Kế hoạch nâng cao … đến năm 2025", "Sở Thông tin và Truyền thông"). The kind
    is written as a name, with its capital; the issuer is the body the clause opens with, if any."""
    from ingest.lexicon import find_body

    kinds = v.kind_pattern()
    verbs = "|".join(map(re.escape, v.self_issue_verbs))
    ends = "|".join(map(re.escape, sorted(v.self_issue_ends, key=len, reverse=True)))
    pattern = re.compile(rf"(?:{verbs})\s+({kinds})\s+([^;:]{{10,250}}?),?\s+(?:{ends})\s*[:.]?\s*$")
    for para in paragraphs:
        m = pattern.search(para.strip())
        if m:
            kind = v.kind_named(m.group(1))
            clause = re.split(r"[;,.:]\s", para.strip()[:m.start()])[-1].strip()
            body = find_body(clause) if clause else None
            issuer = body.written if body and body.start == 0 and body.end >= len(clause) - 1 else None
            return (kind, f"{kind.name} {m.group(2).strip()}", issuer) if kind else None
    return None


def _place_of_title(title: str, v: Vocab) -> dict:
    """The locality and level of the one province a title names after its level word."""
    mentions = {m.province.name: m for m in find_places(title) if m.after_unit}
    if len(mentions) != 1:
        return {}
    province = next(iter(mentions.values())).province
    unit = v.unit_named(province.type)
    return {"locality": province.full_name, "level": unit.level if unit else None}


# --- kind and title ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _kind_patterns() -> list[tuple[Kind, re.Pattern]]:
    kinds = sorted(vocab().kinds, key=lambda k: -len(k.name))  # "Thông tư liên tịch" before "Thông tư"
    return [(k, re.compile(rf"(?:^|\s){re.escape(k.name.upper())}(?=$|\s|:)")) for k in kinds]


def _kind_line(paragraphs: list[str]) -> tuple[int | None, Kind | None, str]:
    """(index, kind, the subject written on the same line) of the line that names the document's kind
    in capitals ("KẾ HOẠCH", "LUẬT PHÒNG, CHỐNG MA TÚY", "Số: 153/KH-UBND … KẾ HOẠCH")."""
    for i, para in enumerate(paragraphs[:_HEAD_SPAN + 6]):
        text = para.strip().rstrip(":")
        for kind, pattern in _kind_patterns():
            m = pattern.search(text)
            if not m:
                continue
            before, after = text[: m.start()].strip(), text[m.end():].strip()
            if re.fullmatch(r"(?:[IVX]{1,5}|\d{1,2}(?:\.\d{1,2})*)\.?", before):
                continue  # "III. KẾ HOẠCH": a section heading, not the document's kind
            if before and not _is_caps(before) and not re.search(r"\d{4}$", before):
                continue  # "… ban hành KẾ HOẠCH" in a sentence
            if after and not _is_caps(after):
                continue
            if before and after:
                continue
            return i, kind, after
    return None, None, ""


def _title(paragraphs: list[str], at: int | None, kind: Kind | None, rest: str, v: Vocab) -> str:
    if at is not None and kind is not None:
        parts = [rest] if rest else []
        for para in paragraphs[at + 1 : at + 4]:
            if parts and not _is_caps(para):
                break
            if _is_issuer_line(para, v) or para.startswith("(") or starts_item(para) or LEGAL_START.match(para):
                break
            if parts and _starts_preamble(para, v):
                break
            parts.append(para)
            if not _is_caps(para):
                break
        subject = _without_issuer_line(" ".join(parts), v)
        subject = re.split(r"\s(?:" + "|".join(map(re.escape, v.preamble_words)) + r")\s", " " + subject)[0].strip()
        subject = subject or (parts[0] if parts else "")
        if len(subject) > 200:
            subject = subject[:200].rsplit(" ", 1)[0] + "…"
        if not subject:
            return kind.name
        return f"{kind.name} {_sentence_case(subject, proper=kind.proper)}"
    first = paragraphs[0] if paragraphs else ""
    m = re.search(rf"ban hành ((?:{v.kind_pattern()}) số \S+ về .+?)(?: với mục tiêu|[.;]|$)", first)
    if m:
        return m.group(1)
    return first[:120]


def _sentence_case(subject: str, proper: bool = False) -> str:
    """A subject written in capitals, in sentence case, province names restored:
    "TRIỂN KHAI … TRÊN ĐỊA BÀN THÀNH PHỐ LẠNG SƠN" -> "triển khai … trên địa bàn thành phố Lạng Sơn"."""
    if not _is_caps(subject):
        return subject[0].upper() + subject[1:] if proper else subject[0].lower() + subject[1:]
    low = list(subject.lower())
    for mention in find_places(subject):
        low[mention.start : mention.end] = list(mention.province.name) if len(mention.province.name) == mention.end - mention.start else low[mention.start : mention.end]
    text = "".join(low)
    return text[0].upper() + text[1:] if proper else text


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


# prepositions: a body's name after one is part of the title, not a competence line joined to it (grammar)
_BEFORE_AN_OBJECT = {"của", "với", "cho", "tại", "và"}


def _without_issuer_line(subject: str, v: Vocab) -> str:
    """The title without the competence line a converter joined to it: "Về việc … năm 2026 ỦY BAN NHÂN
    DÂN TỈNH X", "PHÊ DUYỆT CHƯƠNG TRÌNH … THỦ TƯỚNG CHÍNH PHỦ"."""
    words = subject.split()
    if _is_caps(subject):
        heads = [h.head.upper() for h in v.issuers] + [t.upper() for t in v.signer_titles]
        for k in range(1, len(words)):
            if words[k - 1].lower() in _BEFORE_AN_OBJECT:
                continue  # "KẾT LUẬN CỦA THỦ TƯỚNG CHÍNH PHỦ …": the leader is what the title is about
            rest = " ".join(words[k:])
            # the competence line ends the title: its head, and at most a place's name after it ("… ỦY BAN NHÂN DÂN
            # TỈNH X"); a head with a longer text after it is inside the title ("… PHÓ THỦ TƯỚNG … TẠI BUỔI LÀM VIỆC …")
            if any(rest == h or (rest.startswith(h + " ") and len(words) - k - len(h.split()) <= 4) for h in heads):
                return " ".join(words[:k])
        return subject
    k = len(words)
    while k > 0 and _is_caps(words[k - 1]):
        k -= 1
    return " ".join(words[:k]) if len(words) - k >= 2 and k > 0 else subject


def _letter_subject(paragraphs: list[str], v: Vocab) -> str | None:
    """A letter's subject line: "V/v triển khai …" -> "về việc triển khai …"."""
    for para in paragraphs:
        for mark in v.letter_subject:
            m = re.search(rf"(?:^|\s){re.escape(mark)}\.?\s+(.+)", para)
            if m:
                subject = re.split(r"\s(?:Kính gửi|" + "|".join(map(re.escape, v.preamble_words)) + r")\b", m.group(1))[0]
                date = _PLACE_DATE.search(subject)
                subject = subject[: date.start()] if date else subject
                subject = _without_issuer_line(subject.strip(), v)
                return "về việc " + subject.strip().rstrip(".")
    return None


def _is_issuer_line(para: str, v: Vocab) -> bool:
    """A line in capitals naming the body that decides ("THỦ TƯỚNG CHÍNH PHỦ", "CHỦ TỊCH ỦY BAN NHÂN DÂN
    TỈNH"): it stands between a decision's title and its preamble, and is not part of the title."""
    if not _is_caps(para):
        return False
    heads = [h.head.upper() for h in v.issuers] + [t.upper() for t in v.signer_titles]
    return any(para.startswith(h) for h in heads)


def _starts_preamble(para: str, v: Vocab) -> bool:
    return any(para.startswith(w + " ") for w in v.preamble_words)


def kind_from_number(number: str) -> Kind | None:
    """The kind an abbreviation in a document number names: "140/QĐ-TTg" -> Quyết định,
    "03-NQ/TU" -> Nghị quyết, "105/2021/NĐ-CP" -> Nghị định."""
    for token in re.split(r"[-/]", number)[1:]:
        kind = vocab().kind_of_abbr(token.strip())
        if kind:
            return kind
    return None


# --- number and date -----------------------------------------------------------------------------


def _number(head: str, v: Vocab) -> str | None:
    # "Luật số: 120/2025/QH15" with its colon (a citation "Luật số 73/2021/QH14" has none); "Số 03-NQ/TU"
    labels = "|".join(rf"{re.escape(label)}\s*:" if " " in label else rf"{re.escape(label)}\s*:?"
                      for label in sorted(v.number_labels, key=len, reverse=True))
    m = re.search(rf"(?<![\wÀ-ỹ])(?:{labels})\s*(?:{_NUMBER}|(/))", head)
    if not m or m.group(2):
        return None  # "Số: /KH-UBND": the number is left blank
    return re.sub(r"\s+", "", m.group(1)).rstrip(".-/")


def _issued_as(head: str, v: Vocab) -> tuple[Kind, str] | None:
    kinds = v.kind_pattern()
    m = re.search(rf"ban hành ({kinds}) số {_NUMBER}", head, re.I)
    if not m:
        return None
    kind = v.kind_named(m.group(1))
    return (kind, re.sub(r"\s+", "", m.group(2))) if kind else None


def _iso(day: str, month: str, year: str) -> str:
    """A day written as the document writes it ("02", "12", "2025") as "2025-12-02"."""
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _date(head: str) -> str | None:
    m = _PLACE_DATE.search(head)
    if m:
        day, month, year = m.group(2), m.group(3), m.group(4)
        return _iso(day, month, year) if day and month else year
    m = _DMY.search(head)
    if m:
        return _iso(m.group(1), m.group(2), m.group(3))
    return None


def _appendix_caption(paragraphs: list[str], v: Vocab) -> tuple[Kind, str, str | None] | None:
    """(kind, number, date) of the document an appendix caption says it belongs to: "(Kèm theo Công văn số
    174/CV-BCĐ ngày 02 tháng 12 năm 2025 của Ban Chỉ đạo)". Only a caption standing alone as a short line;
    "… theo Báo cáo số 11296/BC-BNV … gửi kèm" inside a sentence names another document."""
    kinds = v.kind_pattern()
    words = "|".join(map(re.escape, sorted(v.appendix_caption, key=len, reverse=True)))
    pattern = re.compile(rf"^[(*\s]*(?:{words})\s+({kinds})\s+số\s*{_NUMBER}(.*)$", re.I)
    for para in paragraphs:
        line = para.replace("*", "").strip()
        m = pattern.match(line) if len(line) < 200 else None
        kind = v.kind_named(m.group(1)) if m else None
        if kind:
            day = re.search(_DATE_WORDS + r"|ngày\s*(\d{1,2})/(\d{1,2})/(\d{4})", m.group(3))
            dmy = [g for g in (day.groups() if day else ()) if g]
            date = _iso(*dmy) if len(dmy) == 3 else None
            return kind, re.sub(r"\s+", "", m.group(2)).rstrip(".-/"), date
    return None


def _passed_on(paragraphs: list[str], v: Vocab) -> str | None:
    """A law's date: "… thông qua ngày 10 tháng 12 năm 2025" under its last article."""
    words = "|".join(map(re.escape, v.passed_on))
    for para in reversed(paragraphs[-12:]):
        m = re.search(rf"(?:{words})\s*" + _DATE_WORDS, para)
        if m and m.group(1) and m.group(2):
            return _iso(m.group(1), m.group(2), m.group(3))
    return None


# --- a decision that issues a programme ----------------------------------------------------------


def _carried(paragraphs: list[str], at: int | None, meta: dict, v: Vocab) -> dict:
    """A decision that approves or issues a programme/plan is read as that programme, with the
    decision's number and date: kind and title of the programme."""
    if meta["kind"] not in v.carriers:
        return {}
    carried = [k for k in sorted(v.kinds, key=lambda k: -len(k.name)) if k.carried]
    kinds = "|".join(re.escape(k.name) for k in carried)
    verbs = "|".join(re.escape(x) for x in sorted(v.carry_verbs, key=len, reverse=True))
    pattern = re.compile(rf"^(?:{verbs})(?:\s+(?:{'|'.join(map(re.escape, v.carriers))})\s+này)?\s+({kinds})\b(.*)", re.I | re.S)
    subject = meta["title"][len(meta["kind"]):].strip()
    m = pattern.match(subject)
    if not m:
        article = next((p for p in paragraphs[: 80] if _ARTICLE_1.match(p)), None)
        m = pattern.match(_ARTICLE_1.match(article).group(1)) if article else None
        if m:
            # "Điều 1. Phê duyệt Chương trình … với những nội dung sau:"
            subject = re.split(r"\s(?:với|gồm|bao gồm|có)\s(?:các|những)?\s*nội dung|\(sau đây|:", m.group(0))[0]
            m = pattern.match(subject.strip())
    if not m:
        return {}
    kind = v.kind_named(m.group(1))
    rest = m.group(2).strip().rstrip(".:;")
    verb = "phê duyệt" if "phê duyệt" in m.group(0)[: m.start(1)].lower() else "ban hành"
    inside = _content_in_article_1(paragraphs)
    form = f"{meta['kind'].lower()} {verb} {kind.name.lower()}" + (" (nội dung trong Điều 1)" if inside else "")
    return {"kind": kind.name, "title": f"{kind.name} {rest}".strip(), "form": form, "carrier": meta["kind"]}


def _content_in_article_1(paragraphs: list[str]) -> bool:
    """The programme a decision approves stands inside its Điều 1 ("Điều 1. Phê duyệt … với những nội dung
    sau: I. … II. …"), not in a text attached after the signature."""
    at = next((i for i, p in enumerate(paragraphs[:80]) if _ARTICLE_1.match(p)), None)
    if at is None:
        return False
    following = paragraphs[at + 1: at + 4]
    return paragraphs[at].rstrip().endswith(":") and any(re.match(r"^(?:I|1)\.\s", p) for p in following)


# --- issuer, locality, level ---------------------------------------------------------------------


def _issuer(head_paras: list[str], paragraphs: list[str], v: Vocab) -> dict:
    text = " ".join(paragraphs)
    bodies = _header_bodies(" ".join(head_paras), v)
    if not bodies or all(b.level is None and b.unit is None and not b.name for b in bodies):
        bodies = _bodies_in_text(paragraphs[:8], v) or bodies
    if not bodies:
        return {"issuer": None, "locality": None, "level": None}
    issuer = next((b for b in reversed(bodies) if not b.parent_only), bodies[-1])
    place_body = next((b for b in reversed(bodies) if b.name and b.unit), None)
    unit = issuer.unit or (place_body.unit if place_body else None)
    name = issuer.name if issuer.unit else (place_body.name if place_body else None)
    if issuer.unit and not issuer.name and place_body and place_body.unit == issuer.unit:
        name = place_body.name  # "ĐẢNG BỘ TỈNH X / TỈNH ỦY" -> Tỉnh ủy X
    if unit and not name:
        name = _named_province(text, unit)  # "Ủy ban nhân dân tỉnh ban hành …": the province the text names
    level = issuer.level or _unit_level(unit, name, v)
    locality = f"{unit} {name}" if unit and name else None
    if issuer.place and not locality:
        locality = " ".join(issuer.place)
        unit, name = issuer.place
    if locality and level in ("huyện", "xã"):
        parent = _named_province(text, None)
        if parent and fold(parent) != fold(name):
            locality = f"{locality} ({parent})"
    written = _display(issuer, name, text)
    return {"issuer": written, "locality": locality, "level": level}


def _display(body: _Body, place: str | None, text: str) -> str:
    if body.head and body.unit is None and body.name:  # "Bộ Y tế", "Ban Chỉ đạo …"
        written = _proper_case(f"{body.head} {body.name}", text, keep=len(body.head))
        return f"{written} {' '.join(body.place)}" if body.place else written
    if body.party and body.unit and body.head.lower().endswith(("tỉnh ủy", "thành ủy", "huyện ủy", "quận ủy", "thị ủy")):
        return f"{body.head} {place}" if place else body.head  # "Tỉnh ủy Lào Cai", "Ban Thường vụ Thành ủy Lạng Sơn"
    if body.unit:
        return f"{body.head} {body.unit} {place}" if place else f"{body.head} {body.unit}"
    return body.head


def _header_bodies(header: str, v: Vocab) -> list[_Body]:
    """The issuing bodies a header names, top first: ["Ủy ban nhân dân tỉnh X", "Sở Y tế"]."""
    for line in v.not_issuer_lines:
        words = [re.escape(w) for w in re.findall(r"\w+", line)]
        header = re.sub(r"[\s\-–—]*".join(words), " ", header, flags=re.I)
    header = header.replace("*", " ")
    labels = "|".join(re.escape(x) for x in v.number_labels)
    header = re.sub(rf"(?:{labels})\s*:?\s*\d*(?:\s*[-/]\s*[0-9A-Za-zĐđ]+)*", " ", header)
    header = _PLACE_DATE.sub(" ", header)
    heads = sorted(v.issuers, key=lambda h: -len(h.head))
    pattern = re.compile(r"(?<![\wÀ-ỹ])(" + "|".join(re.escape(h.head.upper()) for h in heads) + r")(?![\wÀ-ỹ])")
    units = sorted(v.units, key=lambda u: -len(u.word))
    found: list[_Body] = []
    matches = list(pattern.finditer(header))
    for k, m in enumerate(matches):
        h = next(x for x in heads if x.head.upper() == m.group(1))
        end = matches[k + 1].start() if k + 1 < len(matches) else len(header)
        tail = header[m.end() : end].strip()
        tail = _caps_run(tail)
        unit = h.unit
        if h.local and not h.named:
            for u in units:
                if tail.startswith(u.word.upper() + " ") or tail == u.word.upper():
                    unit, tail = u.word, tail[len(u.word):].strip()
                    break
        name = (_place_case(tail) if h.local else tail) if tail else None
        level = h.level
        place = None
        if h.named and not h.local and tail and level is None:
            # "BAN CHỈ ĐẠO … TỈNH X": the level and place are at the end of the name
            if any(re.search(rf"(?<!\w){re.escape(w.upper())}(?!\w)", tail) for w in v.central_words):
                level = "trung ương"
            else:
                for u in units:
                    m2 = re.search(rf"(?<!\w){re.escape(u.word.upper())}\s+(\S.*)$", tail)
                    if m2:
                        place = (u.word, _place_case(m2.group(1)))
                        name = tail[: m2.start()].strip(" ,")
                        level = _unit_level(u.word, place[1], v)
                        break
        found.append(_Body(h.means, unit, name, level, h.party, h.parent_only, place))
    return found


def _bodies_in_text(paragraphs: list[str], v: Vocab) -> list[_Body]:
    """Without a header: "Ủy ban nhân dân tỉnh ban hành …", "UBND thành phố X xây dựng kế hoạch …"."""
    heads = sorted(v.issuers, key=lambda h: -len(h.head))
    units = "|".join(re.escape(u.word) for u in sorted(v.units, key=lambda u: -len(u.word)))
    name = r"[A-ZĐ][\wÀ-ỹ]+(?: [A-ZĐ][\wÀ-ỹ]+){0,3}"
    alternatives = "|".join(re.escape(h.head) for h in heads if h.local)
    pattern = re.compile(rf"(?<![\wÀ-ỹ])({alternatives})(?:\s+({units})(?:\s+({name}))?)?\s+(?:xây dựng|ban hành)")
    m = pattern.search(" ".join(paragraphs))
    if not m:
        return []
    h = next(x for x in heads if x.head == m.group(1))
    return [_Body(h.means, m.group(2) or h.unit, m.group(3), h.level, h.party, False)]


def _caps_run(text: str) -> str:
    """The words in capitals at the start of `text` (a body's name in a header)."""
    out = []
    for word in text.split():
        if any(c.isalpha() for c in word) and not _is_caps(word) and not (len(word) == 1 and word.isupper()):
            break
        out.append(word)
    return " ".join(out).strip(" ,-–")


def _place_case(name: str) -> str:
    province = find_province(name)
    if province:
        return province.name
    return name.title() if _is_caps(name) else name


def _proper_case(name: str, text: str, keep: int = 0) -> str:
    """How the document itself writes a name its header puts in capitals: "Bộ GIÁO DỤC VÀ ĐÀO TẠO" ->
    "Bộ Giáo dục và Đào tạo" when the text writes so; else the first `keep` characters as they are and
    the rest in lower case after its first letter."""
    if not _is_caps(name[keep:]):
        return name
    pattern = r"\s+".join(re.escape(w) for w in name.split())
    for m in re.finditer(pattern, text, re.I):
        if not _is_caps(m.group(0)[keep:]):
            return m.group(0)
    rest = name[keep:].strip()
    return f"{name[:keep]} {rest[0]}{rest[1:].lower()}".strip() if keep else rest[0] + rest[1:].lower()


def _unit_level(unit: str | None, name: str | None, v: Vocab) -> str | None:
    u = v.unit_named(unit) if unit else None
    if u is None:
        return None
    if u.level_if_not_a_province and not (name and find_province(name)):
        return u.level_if_not_a_province if name else u.level
    return u.level


def _named_province(text: str, unit: str | None) -> str | None:
    """The province or centrally-run city a document names most after a level word ("tỉnh Quảng Nam",
    "thành phố Đà Nẵng"), of the given type if any. With a type and no such mention, the first one
    named without a level word ("không để Lạng Sơn trở thành …")."""
    mentions = [m for m in find_places(text) if unit is None or m.province.type == unit]
    counts = Counter(m.province.name for m in mentions if m.after_unit)
    if counts:
        return counts.most_common(1)[0][0]
    return mentions[0].province.name if mentions and unit else None


# --- signer --------------------------------------------------------------------------------------


def _signer(paragraphs: list[str], v: Vocab) -> str | None:
    """The name under the first signature block ("TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH / Trương Cảnh Tuyên")."""
    titles = "|".join(re.escape(t.upper()) for t in sorted(v.signer_titles, key=len, reverse=True))
    title = re.compile(rf"(?<![\wÀ-ỹ])(?:{titles})(?![\wÀ-ỹ])")
    for i, para in enumerate(paragraphs):
        matches = list(title.finditer(para))
        if not matches:
            continue
        signed = "|".join(map(re.escape, sorted(v.signed_marks, key=len, reverse=True)))
        unsigned = lambda x: re.sub(rf"^[\[(]\s*(?:{signed})\s*[\])]\s*", "", x.strip(), flags=re.I)  # noqa: E731
        words = unsigned(para[matches[-1].end():]).split()  # "[đã ký] Nguyễn …": a published copy's mark
        while words and (_is_caps(words[0]) or words[0] in ("-", "–")):
            words.pop(0)  # "CHỦ TỊCH QUỐC HỘI Trần Thanh Mẫn"
        below = [unsigned(x) for x in paragraphs[i + 1:i + 3]]
        candidate = " ".join(words) if words else next((x for x in below if x), "")
        if not words and i + 1 < len(paragraphs) and title.search(paragraphs[i + 1]):
            continue  # "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH" / name
        if _is_person_name(candidate):
            return candidate
    return None


def _is_person_name(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 5 or len(text) > 40:
        return False
    return all(w.isalpha() and w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words)


# --- whose opinion a letter conveys ------------------------------------------------------------------------


def _ends_in_name(text: str) -> bool:
    """Whether a title ends in a person's name: "Thủ tướng Chính phủ Phạm Minh Chính"."""
    words = text.split()
    return any(_is_person_name(" ".join(words[-k:])) for k in (2, 3, 4))


_VOICE_SPAN = 8000  # characters of a document's opening the sentence that conveys an opinion stands in


def voice(text: str) -> tuple[str, int, int] | None:
    """The leader or body whose opinion or conclusion a letter or notice conveys, as it writes them, where, and where
    what is conveyed begins: "…, Phó Thủ tướng Chính phủ Bùi Thanh Sơn - Trưởng Ban Chỉ đạo 389 quốc gia có ý kiến như
    sau:" -> ("Phó Thủ tướng Chính phủ Bùi Thanh Sơn - Trưởng Ban Chỉ đạo 389 quốc gia", offset, offset after ":"). The
    words before the mark (ingest/data/document_kinds.json, voice_marks), back to the clause's start; None when the opening has no such
    sentence or no capitalised name stands there."""
    v = vocab()
    if not v.voice_marks:
        return None
    marks = "|".join(re.escape(m) for m in sorted(v.voice_marks, key=len, reverse=True))
    head = text[:_VOICE_SPAN]
    m = re.search(rf"(?:{marks})\s*:", head, re.I)
    if not m:
        return None
    before = head[:m.start()]

    def clause_start(end: int) -> int:
        return max(before.rfind(x, 0, end) for x in (",", ";", ":", ".\n", "\n\n", ". ")) + 1

    cut = clause_start(len(before))
    said = re.sub(r"\s+(?:đã|vừa)$", "", " ".join(before[cut:].split()).strip(" -–"))  # "… Mai Văn Chính đã kết luận"
    earlier = clause_start(cut - 1) if cut > 0 and before[cut - 1] == "," else cut
    name = " ".join(before[earlier:cut - 1].split()) if earlier < cut else ""
    from ingest.lexicon import lead_pattern

    titled = re.match(rf"(?:Phó\s+)?(?:{lead_pattern()})\b", name)
    if len(said.split()) <= 4 and titled and _ends_in_name(name):
        # "Thủ tướng Chính phủ Phạm Minh Chính, Trưởng Ban Chỉ đạo kết luận": a title after the leader's name (a
        # clause before it, "Theo đề nghị của Bộ Công Thương, Thủ tướng …", is no leader's title and name)
        cut, said = earlier, f"{name}, {said}"
    if not said or not said[0].isupper() or len(said.split()) > 30:
        return None
    at = head.index(said.split()[0], cut)
    if not _ends_in_name(said):
        # "Thủ tướng Chính phủ kết luận như sau:": the leader by title, named in full earlier in the text ("Thủ tướng
        # Chính phủ Phạm Minh Chính đã đến thăm …")
        named = re.search(rf"{re.escape(said)}\s+((?:\w+\s+){{1,4}}\w+)", head[:m.start()])
        full = named and next((n for n in (" ".join(named.group(1).split()[:k]) for k in (4, 3, 2))
                               if _is_person_name(n)), None)
        if full:
            said = f"{said} {full}"
    return said, at, m.end()
