"""Recover a document's heading hierarchy and cut it into passages.

Plans: I. › 1. › 1.1. › a) › -. Legal texts: Phần › Chương › Mục › Điều › khoản › điểm, labelled
"Chương III. … › Điều 32. Trách nhiệm của Bộ Y tế › khoản 1 › điểm a" (the layout of Luật Ban hành văn
bản quy phạm pháp luật). A decision's Điều 1 that carries a programme (I., II., III. …) keeps the
programme's labels; an appendix ("Phụ lục") and a document issued with a decision start their own tree.

Each passage ("unit") is one item with everything under it — a lettered item with its bullets, a
bullet with its "+" points, or the plain paragraphs under a heading — so an item is never cut from its
heading and a passage never spans two Điều. Every unit carries its section path, the agency it is
assigned to, and its span in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.agencies import agency_of, trailing_agency
from ingest.reflow import MARKER, starts_item, strip_marker

# how deep each kind of marker sits; a new marker closes every open level at its depth or deeper
RANK = {"roman": 0, "paren": 1, "num": 1, "letter": 4, "dash": 5}
# the parts of a legal text, above a plan's I./1./a): an appendix starts a tree of its own
APPENDIX = "Phụ lục"  # the part an appendix is read as (legal_heading)
LEGAL_RANK = {APPENDIX: -5, "Phần": -4, "Chương": -3, "Mục": -2, "Danh mục": -2, "Điều": -1}
_TITLE_MAX = 60  # a heading label longer than this is shortened with "…"
INTRO_SECTION = "Phần mở đầu"
SIGNATURE_SECTION = "Nơi nhận, ký"  # the section of the signature block and the recipients
_SIGNATURE = re.compile(r"^(?:Nơi nhận|TM\.\s|KT\.\s|T/M\s|K/T\s|TL\.\s|TUQ\.\s)")
_LEGAL = re.compile(
    r"^(?:(?P<part>Phần|PHẦN)\s+(?P<part_no>(?:thứ|THỨ)\s+[\wÀ-ỹ]+|[IVXLC]+|\d{1,2})"
    r"|(?P<chapter>Chương|CHƯƠNG)\s+(?P<chapter_no>[IVXLC]+|\d{1,2})"
    r"|(?P<section>Mục|MỤC)\s+(?P<section_no>\d{1,2}|[IVXLC]+)"
    r"|(?P<list>Danh mục|DANH MỤC)\s+(?P<list_no>[IVXLC]+|\d{1,2})"
    r"|(?P<annex>Phụ lục|PHỤ LỤC)(?:\s+(?P<annex_no>[IVXLC]+|\d{1,2}[a-z]?|[A-Z]))?"
    r")(?=$|[.:]?\s|[.:]$)"
)
_ARTICLE = re.compile(r"^Điều\s+(?P<no>\d{1,3}[a-zđ]?)\.(?:\s+|$)")
_FOOTNOTE = re.compile(r"^\[\d{1,3}\]\s*\S")
_ATTACHED = re.compile(r"^\((?:Ban hành )?[Kk]èm theo\s")
# the Điều whose title names the body it is about: "Trách nhiệm của Bộ Y tế"
_DUTY_TITLE = re.compile(r"^(?:Trách nhiệm|Nhiệm vụ|Quyền hạn|Nhiệm vụ, quyền hạn|Quyền và nghĩa vụ)"
                         r"(?:,? (?:và )?(?:quyền hạn|trách nhiệm|nghĩa vụ))? của (?P<body>.+)$")


@dataclass(frozen=True)
class Para:
    text: str
    start: int
    end: int
    md: int | None = None  # its Markdown heading level ("## …" -> 2), as the file marked it


@dataclass
class Unit:
    path: list[str]  # section labels from the top
    headings: list[str]  # the full heading texts above the unit
    agency: str | None
    paras: list[Para] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.paras[0].start

    @property
    def end(self) -> int:
        return self.paras[-1].end


@dataclass
class _Level:
    rank: int
    label: str
    text: str
    agency: str | None
    items: int = 0  # bullets seen under this level, to label them "ý 1", "ý 2" …
    legal: str | None = None  # "Điều", "khoản", "Chương" …: a level of a legal text


def legal_heading(text: str) -> tuple[str, str, str] | None:
    """(part, number, title) of a legal text's heading paragraph: "Chương III", "Điều 32. Trách nhiệm
    của Bộ Y tế", "Mục 2", "Phần thứ nhất", "Phụ lục I", "DANH MỤC II"; None for any other paragraph."""
    m = _ARTICLE.match(text)
    if m:
        return "Điều", m.group("no"), text[m.end():].strip()
    if len(text) > 300:
        return None
    m = _LEGAL.match(text)
    if not m:
        return None
    for group, part in (("part", "Phần"), ("chapter", "Chương"), ("section", "Mục"), ("list", "Danh mục"),
                        ("annex", APPENDIX)):
        if m.group(group):
            number = m.group(f"{group}_no") or ""
            title = text[m.end():].strip(" .:")
            if title and not _is_caps(title) and (part in ("Danh mục", "Phụ lục") or not _is_title(title)):
                return None  # "Danh mục I: Các chất …" in a sentence, "Phần kinh phí còn lại …"
            return part, number, title
    return None


def _legal_label(part: str, number: str, title: str) -> str:
    """"Chương III. Những quy định chung", "Điều 32. Trách nhiệm của Bộ Y tế", "Phụ lục"."""
    head = f"{part} {number}".strip()
    if not title:
        return head
    title = title.rstrip(":").strip()
    letters = [c for c in title if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        title = title.capitalize()
    label = f"{head}. {title}"
    if len(label) > _TITLE_MAX:
        label = label[:_TITLE_MAX].rsplit(" ", 1)[0] + "…"
    return label


def _in_article(stack: list[_Level]) -> bool:
    """Inside an Điều, and not inside a programme that the Điều carries (I., II. …)."""
    for level in reversed(stack):
        if level.legal == "Điều":
            return True
        if level.rank == RANK["roman"] or level.legal in LEGAL_RANK:
            return False
    return False


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def marker_of(text: str) -> tuple[str | None, int | None, str]:
    """(kind, rank, marker) of a paragraph's leading item marker, or (None, None, "")."""
    if not starts_item(text):
        return None, None, ""
    m = MARKER.match(text.replace("*", "").strip() + " ")  # as starts_item reads it: "**a)** …"
    kind = next(k for k in ("roman", "num", "letter", "paren", "dash") if m.group(k))
    rank = RANK[kind]
    if kind == "num":
        rank += m.group("num").count(".")
    if kind == "dash" and m.group("dash") == "+":
        rank += 1
    return kind, rank, m.group(0).strip()


def _label(text: str) -> str:
    text = text.rstrip(":").strip()
    letters = [c for c in text if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        # "IV. PHÂN CÔNG NHIỆM VỤ" -> "IV. Phân công nhiệm vụ"
        marker, _, rest = text.partition(" ")
        text = f"{marker} {rest.capitalize()}" if MARKER.match(marker + " ") else text.capitalize()
    if len(text) > _TITLE_MAX:
        text = text[:_TITLE_MAX].rsplit(" ", 1)[0] + "…"
    return text


def _is_title(text: str) -> bool:
    """Short and not a sentence: reads as a heading rather than an item with content."""
    return len(text) <= 120 and not re.search(r"[.;]\s*$", text)


def split_units(paras: list[Para], notes: dict[str, str] | None = None) -> list[Unit]:
    """The document's units with their section paths. `notes` (footnote number -> the sentence that cites
    it, `ingest.normalize.footnote_citations`) heads each footnote with what it is a note to."""
    notes = notes or {}
    units: list[Unit] = []
    stack: list[_Level] = []
    current: Unit | None = None
    current_rank = 99
    paren_rank = None  # the depth of "(1)", "(2)" … items nested in a lettered item or bullet
    in_signature = False

    def open_unit(label: str | None, agency: str | None) -> Unit:
        path = [lv.label for lv in stack] or [INTRO_SECTION]
        unit = Unit(
            path=path + ([label] if label else []),
            headings=[lv.text for lv in stack],
            agency=agency if agency else next((lv.agency for lv in reversed(stack) if lv.agency), None),
        )
        units.append(unit)
        return unit

    skip: set[int] = set()
    md_ranks = _markdown_ranks(paras)
    for i, para in enumerate(paras):
        if i in skip:
            continue
        text = para.text
        if i in md_ranks and not in_signature:
            # "## Mục tiêu chung", "## Sở Thông tin và Truyền thông": a heading whose number the file lost
            rank = md_ranks[i]
            while stack and stack[-1].rank >= rank:
                stack.pop()
            stack.append(_Level(rank, _label(text), text, agency_of(strip_marker(text), inline=False)))
            current, current_rank, paren_rank = None, 99, None
            continue
        legal = legal_heading(text)
        if in_signature and (legal and legal[0] == "Phụ lục" or _attached_starts(paras, i)):
            in_signature = False  # an appendix or a document issued with the decision follows
            stack, current, current_rank, paren_rank = [], None, 99, None
        if in_signature or _SIGNATURE.match(text) or _closing(text):
            if not in_signature:
                in_signature, paren_rank = True, None
                stack = [_Level(0, SIGNATURE_SECTION, text, None)]
                current = open_unit(None, None)
            current.paras.append(para)
            continue
        if legal:
            paren_rank = None
            part, number, title = legal
            heading = text
            if part != "Điều" and not title:
                # "Chương I" / "NHỮNG QUY ĐỊNH CHUNG": the title is the lines in capitals under it
                j = i + 1
                while j < len(paras) and j - i <= 6 and _is_caps(paras[j].text) and not legal_heading(paras[j].text) \
                        and not marker_of(paras[j].text)[0]:
                    title = f"{title} {paras[j].text}".strip()
                    heading = f"{heading} {paras[j].text}"
                    skip.add(j)
                    j += 1
            rank = LEGAL_RANK[part]
            while stack and stack[-1].rank >= rank:
                stack.pop()
            agency = None
            if part == "Điều":
                duty = _DUTY_TITLE.match(title.rstrip("."))
                agency = agency_of(duty.group("body"), inline=False) if duty else None
            stack.append(_Level(rank, _legal_label(part, number, title), heading, agency, legal=part))
            current, current_rank = None, 99
            if part == "Điều" and re.search(r"[.;:]$", title):
                # "Điều 2. Quyết định này có hiệu lực …": the article's content is on its own line
                current = open_unit(None, None)
                current.paras.append(para)
            continue
        if _FOOTNOTE.match(text):
            # a copied page's footnotes at the end ("[2] Nguồn lực dự kiến …"): notes of their own, not the
            # continuation of the last item above them
            stack, paren_rank = [_Level(RANK["roman"], "Chú thích", "Chú thích", None)], None
            number = text[1:text.index("]")]
            if notes.get(number):  # "[9] Một số địa phương …" is a note to "… còn chậm[9]": say so
                cited = notes[number]
                stack.append(_Level(RANK["roman"] + 1, _label(f"[{number}] ghi chú cho: {cited}"), cited, None))
            current, current_rank = open_unit(None, None), 99
            current.paras.append(para)
            continue
        kind, rank, _ = marker_of(text)
        if kind == "paren":
            opens = _marker_number(text.replace("*", "").strip()) == "1"  # "(2)" continues a list opened above
            if paren_rank is None and opens and current is not None and RANK["letter"] <= current_rank < 99:
                # "b) Các Bộ: … cụ thể:" then "(1) Bộ Tài chính …", "(2) …": sub-items of the lettered item
                # (or bullet); it becomes their heading, and keeps its own text as its passage
                stack.append(_Level(current_rank, current.path[-1], current.paras[0].text, current.agency))
                paren_rank = current_rank + 0.5
            elif paren_rank is None and opens and current is None and stack and stack[-1].rank >= RANK["letter"]:
                paren_rank = stack[-1].rank + 0.5  # under a bullet that is a heading
            rank = paren_rank if paren_rank is not None else rank
        elif kind is not None and paren_rank is not None and rank < paren_rank:
            paren_rank = None  # the next lettered item, bullet or heading ends the sub-items
        nxt = paras[i + 1].text if i + 1 < len(paras) else ""
        _, next_rank, _ = marker_of(nxt)

        if kind is None:
            # before any heading, a bullet is a recipient ("Kính gửi: - Sở …; - Viện …") or a line of the preamble:
            # the paragraph after it begins the text, it does not go on with that bullet
            opening = not stack and current is not None and current.path[-1].startswith("ý ") and current_rank == RANK["dash"]
            if current is None or opening or (current_rank == 99 and len(current.paras) >= 1 and _too_long(current, para)):
                current = open_unit(None, None)
                current_rank = 99
            current.paras.append(para)
            continue

        if current is not None and rank > current_rank and kind in ("dash", "letter") and current_rank >= 4:
            # a bullet or "+" point inside a lettered item or bullet stays with it
            current.paras.append(para)
            continue

        article = _in_article(stack) and kind in ("num", "letter") and (kind == "letter" or rank == RANK["num"])
        if article:
            # khoản "1." and điểm "a)" of an Điều
            label = f"khoản {_marker_number(text)}" if kind == "num" else f"điểm {_marker_number(text)}"
            heading_follows = next_rank is not None and next_rank > rank and not legal_heading(nxt)
            while stack and stack[-1].rank >= rank:
                stack.pop()
            if heading_follows:
                stack.append(_Level(rank, label, text, agency_of(strip_marker(text), inline=False),
                                    legal="khoản" if kind == "num" else "điểm"))
                current, current_rank = None, 99
                continue
            inherited = next((lv.agency for lv in reversed(stack) if lv.agency), None)
            current = open_unit(label, None if inherited else agency_of(strip_marker(text)))
            current.paras.append(para)
            current_rank = rank
            continue

        is_heading = rank < 4 or (kind == "dash" and _is_title(text) and len(text) <= 60)
        if is_heading:
            heading_follows = (next_rank is not None and next_rank > rank) or (
                next_rank is None and _is_title(text) and nxt != "" and not legal_heading(nxt)
            )
            while stack and stack[-1].rank >= rank:
                stack.pop()
            if heading_follows or (_is_title(text) and rank < 4):
                stack.append(_Level(rank, _label(text), text, agency_of(strip_marker(text), inline=False)))
                current = None
                current_rank = 99
                if len(text) > 120:
                    # a heading that carries content of its own ("1. Tổ chức … (hoàn thành trong tháng 5)")
                    current = open_unit(None, None)
                    current.paras.append(para)
                continue
            # a numbered item with content and nothing under it ("3.3. Bộ Chỉ huy … chỉ đạo …")
            current = open_unit(_label(text), agency_of(strip_marker(text)))
            current.paras.append(para)
            current_rank = rank
            continue

        while stack and stack[-1].rank >= rank:
            stack.pop()
        if kind in ("letter", "paren"):
            label = _label(text.split(" ", 1)[0])
        else:
            parent = stack[-1] if stack else None
            if parent is not None:
                parent.items += 1
            label = f"ý {parent.items if parent else 1}"
        parent_agency = next((lv.agency for lv in reversed(stack) if lv.agency), None)
        sub_agency = kind == "dash" and ":" in text[:80]  # "- Hội Nông dân: …" under the MTTQ section
        own_agency = agency_of(strip_marker(text)) if sub_agency or kind == "paren" or not parent_agency else None
        own_agency = trailing_agency(text) or own_agency
        current = open_unit(label, own_agency)
        current.paras.append(para)
        current_rank = rank
    return [u for u in units if u.paras]


def _markdown_ranks(paras: list[Para]) -> dict[int, int]:
    """The rank of each Markdown heading of a document whose headings lost their numbers ("# MỤC TIÊU",
    "## Mục tiêu chung", "### …": the shallowest level is a part I., the next an item 1., then 1.1., 1.1.1.).
    Empty when the headings keep their numbers ("## I. MỤC TIÊU": the numbers say the structure; a stray
    "## 5. PHỤ LỤC" among unnumbered ones does not) or there are fewer than three. The headings of the header
    (before the first paragraph of text) and the document's kind line ("# QUYẾT ĐỊNH") are no part of it."""
    from ingest.doc_vocab import vocab

    first_text = next((i for i, p in enumerate(paras) if not p.md), len(paras))
    usable = [i for i, p in enumerate(paras) if p.md and i > first_text and len(p.text) <= 200
              and not legal_heading(p.text) and vocab().kind_named(p.text.rstrip(" :")) is None]
    numbered = [i for i in usable if marker_of(paras[i].text)[0]]
    usable = [i for i in usable if i not in numbered]
    if len(usable) < 3 or len(numbered) * 3 > len(usable):
        return {}
    levels = sorted({paras[i].md for i in usable})
    return {i: min(levels.index(paras[i].md), RANK["num"] + 2) for i in usable}


def _marker_number(text: str) -> str:
    m = MARKER.match(text + " ")
    return (m.group("num") or m.group("letter") or m.group("paren") or "").strip()


def _attached_starts(paras: list[Para], i: int) -> bool:
    """A document issued with the decision begins here: its kind and title in capitals, then
    "(Ban hành kèm theo Quyết định số …)"."""
    if not _is_caps(paras[i].text):
        return False
    return any(_ATTACHED.match(p.text.lstrip("*_ ")) for p in paras[i + 1 : i + 4])  # "* (Ban hành kèm theo …)*"


def _closing(text: str) -> bool:
    """The closing line of a law: "Luật này được Quốc hội … thông qua ngày …"."""
    return bool(re.match(r"^[\wÀ-ỹ ]{2,30} này (?:đã )?được [\wÀ-ỹ ,]{3,160} thông qua\b", text))


def _too_long(unit: Unit, para: Para, limit: int = 900) -> bool:
    return para.end - unit.start > limit
