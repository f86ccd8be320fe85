"""Recognise the agency a section of a plan is assigned to ("3. Sở Y tế", "2. Trạm y tế",
"6.3. Sở Y tế quản lý chặt chẽ …", "- Hội Nông dân: …")."""

from __future__ import annotations

import re

from ingest import lexicon

# the nouns an agency's name starts with (after an optional "Đề nghị" / "Giao"), from the lexicon
_HEADS = lexicon.head_pattern()
_AGENCY_START = re.compile(rf"^(?:Đề nghị|Giao)?\s*(?:{_HEADS}|(?i:{lexicon.head_pattern(('group',))}))(?=[\s,:]|$)")
_LEAD = re.compile(r"^(?:Đề nghị|Giao)\s+")
# a heading that names several bodies of one kind: "Đề nghị các Sở: Giao thông Vận tải, Xây dựng, Công thương"
_PLURAL_START = re.compile(rf"^(?:Đề nghị|Giao)?\s*[Cc]ác\s+(?:{_HEADS})(?=\s*:)")
# where an inline agency name ends and its duty begins: "Sở Y tế | quản lý chặt chẽ …" (the lexicon's verbs)
_DUTY_VERB = re.compile(rf"\s(?<!các )(?<!Các )(?:{lexicon.verb_pattern()})\b")


_TRAILING = re.compile(r"\((Bộ phận [^()]{2,40})\)\s*\.?$")


def trailing_agency(text: str) -> str | None:
    """A sub-unit named at the end of an item: "… xử lý nghiêm minh những trường hợp vi phạm. (Bộ phận Y tế)"."""
    m = _TRAILING.search(text.strip())
    return m.group(1).strip() if m else None


def agency_of(title: str, inline: bool = True) -> str | None:
    """The agency a heading or item is addressed to, as written, or None.

    A short heading ("Sở Y tế", "Đề nghị Viện kiểm sát nhân dân thành phố, Tòa án nhân dân thành phố")
    is the agency's whole name (inline=False); an item that starts with an agency and goes on with its duty
    ("Sở Y tế quản lý chặt chẽ …", "Hội Nông dân: chủ động …") is cut where the duty begins."""
    lead_in = title.strip().endswith(":")  # "Cục X có trách nhiệm:" over its points: the name ends at the verb
    title = title.strip().rstrip(":").strip()
    start = _AGENCY_START if _AGENCY_START.match(title) else _PLURAL_START if not inline else None
    if start is None or not start.match(title):
        return None
    title = _LEAD.sub("", title)
    head_end = start.match(title).end()
    cuts = []
    colon = title.find(":")
    if 0 < colon <= 80:
        cuts.append(colon)
    verb = _DUTY_VERB.search(title, head_end) if inline or lead_in else None
    if verb and verb.start() > 0:
        cuts.append(verb.start())
    if cuts:
        cut = min(cuts)
        if cut == colon and verb and verb.start() > colon and _head_over_sectors(title[:verb.start()]):
            cut = verb.start()  # "Các Bộ: Tài chính, Y tế, Tư pháp khẩn trương …": the bodies follow the colon
        elif cut == colon and not verb and _head_over_sectors(title.split(";")[0]):
            return title.strip(" .")  # a heading "Đề nghị các Sở: Giao thông Vận tải, Xây dựng; Công ty …"
        if title[:cut].count("(") > title[:cut].count(")"):
            cut = title.rfind("(", 0, cut)  # never cut inside a parenthesis: keep the name before it
        name = title[:cut].strip(" ,")
        # a name is a few words, not a list of beneficiaries ("Các tổ chức, cá nhân …; …")
        # a name is a few words, not a list of beneficiaries ("Các tổ chức, cá nhân …; …"), and more than
        # a head noun ("Cơ quan phối hợp" names no body)
        ok = 1 < len(name.split()) <= 16 and ";" not in name and lexicon.find_body(name) is not None
        return name if ok else _subject(title) if inline else None
    if len(title) <= 110 and not re.search(r"[.;]\s", title) and lexicon.find_body(title) is not None:
        return title.rstrip(".").strip()
    return _subject(title) if inline else None


def _subject(text: str) -> str | None:
    """A known body as the subject of an item, whatever its verb: "Bộ Tư pháp kịp thời khắc phục tình trạng
    chậm, lỗi …" -> "Bộ Tư pháp"; the name ends where the predicate (a lower-case word) begins."""
    found = lexicon.find_body(text)
    if found is None or not found.known:
        return None
    # the predicate runs three words or more before any comma ("Các Bộ trưởng, Thủ trưởng …" is a list of
    # titles) and opens with no conjunction ("Ủy ban Mặt trận … và các tổ chức chính trị - xã hội tham gia …")
    rest = text[found.end:]
    if not re.match(r"\s+[a-zà-ỹđ][^\s,;:]*(?:\s+[^\s,;:]+){2}", rest) or re.match(r"\s+(?:và|cùng|hoặc|với)\s", rest):
        return None
    name = text[:found.end].strip()
    # the lexicon reads words, not punctuation: "các Ban của Đảng, Ủy ban …" is a list, not "Ban của Đảng ủy"
    return name if name.count(",") <= found.canonical.count(",") else None


def _head_over_sectors(text: str) -> bool:
    from ingest.canonical import head_over_sectors

    return head_over_sectors(text) is not None


def sectors_of(name: str) -> set[str]:
    """The sectors a name (agency or question) mentions: Sở Y tế ↔ Trạm y tế ↔ Bộ Y tế are linked by
    the sector "Y tế" (ingest/data/bodies.tsv), and never the same agency."""
    return lexicon.sectors_in(name)
