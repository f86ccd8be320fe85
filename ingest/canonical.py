"""Canonical agencies: the same body under different names is one agency, with its level.

    "Sở Y tế" / "SYT" / "ngành Y tế"                                -> "Sở Y tế"
    "Công an thành phố" / "Công an TP" / "CA TP"                      -> "Công an thành phố"
    "UBND xã, phường" / "Ủy ban nhân dân các phường, xã"              -> "Ủy ban nhân dân cấp xã"
    "Ủy ban MTTQ thành phố" / "Ủy ban Mặt trận Tổ quốc Việt Nam …"    -> "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố"

The level (tỉnh, thành phố, huyện, xã, phường, khu vực) comes from the name, else from the plan's
locality. Bodies that exist at every level (Công an, Mặt trận, Đoàn, Hội, Viện kiểm sát, …) carry it in
their canonical name; a Sở is provincial by definition. Equivalent roles at different levels (Sở Y tế,
Trạm y tế, Bộ phận Y tế) stay separate agencies linked by their sector (`ingest.agencies.SECTORS`).

A name may list several agencies ("Viện kiểm sát nhân dân, Tòa án nhân dân thành phố"): `split_agencies`
cuts it into one name per agency, keeping the commas inside a name ("Sở Văn hóa, Thể thao và Du lịch").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.normalize import fold, nfc, tone_normalize

from ingest import lexicon

# the nouns an agency's name starts with, and the titles before it, from the lexicon (ingest/data/bodies.tsv)
_HEADS = lexicon.head_pattern()
_TITLE = rf"(?:(?i:{lexicon.lead_pattern()})\s+(?:(?i:{lexicon.lead_pattern()})\s+)?(?:các\s+)?)"
_GROUPS = lexicon.head_pattern(("group",))
_HEAD = re.compile(rf"^(?:{_TITLE}?(?:{_HEADS})|(?i:{_GROUPS})|(?i:các\s+(?:{_HEADS}))|{_TITLE}(?i:{_HEADS}))(?=[\s,:;.)]|$)")
_LEAD = re.compile(r"^(?:Đề nghị|Giao)\s+")
_SEP = re.compile(r"(,\s*|;\s*|\s+và\s+)")
# "Các Bộ: Tài chính, Y tế, Tư pháp" names a body per sector after one head noun
_HEAD_THEN_SECTORS = re.compile(rf"^[Cc]ác\s+({_HEADS})\s*:\s*(.+)$")
# where a list of agencies ends and their duty begins ("… Tỉnh Đoàn | chỉ đạo thực hiện …")
# (a verb after "các" is a noun: "các tổ chức"; "giáo dục thường xuyên" is a kind of school)
_DUTY_START = re.compile(rf"\s(?<!các )(?<!Các )(?<!giáo dục )(?:{lexicon.verb_pattern()})(?=[\s,]|$)")

LEVEL_WORDS = ("tỉnh", "thành phố", "huyện", "xã", "phường", "khu vực", "trung ương")
# a level named inside a folded name (administrative vocabulary: "cấp xã", "TP", not "địa phương", "xã hội")
_LEVEL_PATTERNS = (
    (r"\b(trung uong|toi cao)\b", "trung ương"),
    (r"\bkhu vuc\b", "khu vực"),
    (r"\b(cap )?huyen\b", "huyện"),
    (r"\b(cap xa|xa, phuong|phuong, xa|cac xa)\b", "xã"),
    (r"(?<!dia )\bphuong\b", "phường"),
    (r"\bxa\b(?! hoi)", "xã"),
    (r"\btinh\b", "tỉnh"),
    (r"\b(thanh pho|tp|thanh uy|thanh doan|catp)\b", "thành phố"),
)


@dataclass(frozen=True)
class Agency:
    written: str  # as the plan names it: "Viện kiểm sát nhân dân"
    canonical: str  # "Viện kiểm sát nhân dân thành phố"
    base: str  # the canonical name without its level: "Viện kiểm sát nhân dân"
    level: str | None  # "thành phố"
    sector: str | None  # "Kiểm sát" (several joined by "; "), None when no sector fits
    known: bool  # the lexicon has this body (False: the canonical name is just the tidied name)
    scoped: bool = False  # a body found at every level (Công an, Hội, …): its canonical name carries the level
    rank: str | None = None  # "trung ương" | "tỉnh" | "huyện" | "xã": the level in the state's hierarchy


_TAIL = re.compile(r"\s+(?:trên địa bàn\b.*|của (?:thành phố|tỉnh|phường|xã)\b.*|có tuyến\b.*|trực thuộc\b.*|khác)$")


def canonical_agency(name: str, locality: str | None = None) -> tuple[str, str | None]:
    """(canonical name, level) of one agency name, e.g. ("Công an thành phố", "thành phố")."""
    agency = lookup(name, locality)
    return agency.canonical, agency.level


def canonical_agencies(name: str, locality: str | None = None) -> list[Agency]:
    """Every agency a name lists, canonicalised; the same canonical agency once."""
    out: dict[str, Agency] = {}
    for part in split_agencies(name):
        agency = lookup(part, locality)
        out.setdefault(agency.canonical, agency)
    return list(out.values())


@lru_cache(maxsize=4096)
def lookup(name: str, locality: str | None = None) -> Agency:
    """The canonical agency of one name, from the lexicon (ingest/data/bodies.tsv). A body of every level
    (Công an, Mặt trận, Hội …) carries its level in its canonical name; a body of one level (Bộ Y tế, Sở Y tế,
    Trạm y tế) is that body wherever it is named; a name the lexicon lacks is kept as written, tidied."""
    written = " ".join(nfc(name).split()).strip(" ,.;:")
    title = re.match(rf"^{_TITLE}", _LEAD.sub("", written))
    bare = _LEAD.sub("", written)[title.end():] if title else _LEAD.sub("", written)  # "Chủ tịch Ủy ban …": its Ủy ban
    if title and re.search(r"\bcác\s+$", title.group(), re.I) and " " not in bare.strip():
        bare = "Các " + bare.lower()  # "Bộ trưởng các Bộ": the ministries, a group
    named_level = level_in(_folded(bare))  # "Các tổ dân phố trên địa bàn phường": phường
    bare = _TAIL.sub("", bare)
    match = lexicon.find_body(bare, locality)
    level = level_in(_folded(bare)) or named_level or locality_level(locality)
    if match is None or not match.known:
        canonical = bare[:1].upper() + bare[1:]
        sector = match.sector if match else _sectors(bare)
        return Agency(written, canonical, canonical, level, sector, False, False, match.rank if match else None)
    if match.scoped:
        named = match.level or named_level or level  # "cấp xã": every commune
        level = named[len("cấp "):] if named and named.startswith("cấp ") else named
        level = "khu vực" if level and level.startswith("khu vực") else level  # "khu vực IV" is a region
        canonical = f"{match.base} {named}" if named else match.base
        return Agency(written, canonical, match.base, level, match.sector, True, True, match.rank)
    if match.rank == "trung ương":
        level = "trung ương"  # a central body is central wherever a plan names it
    canonical = match.base  # a body of one level, or a generic group ("Các sở, ban, ngành")
    return Agency(written, canonical, match.base, level, match.sector, True, False, match.rank)


def split_agencies(name: str) -> list[str]:
    """One name per agency a name lists: "Viện kiểm sát nhân dân, Tòa án nhân dân thành phố" ->
    ["Viện kiểm sát nhân dân", "Tòa án nhân dân thành phố"]; "Ủy ban nhân dân cấp huyện, cấp xã" ->
    ["Ủy ban nhân dân cấp huyện", "Ủy ban nhân dân cấp xã"]; "Sở Văn hóa, Thể thao và Du lịch" stays one."""
    text = _tidy(name)
    shared = _shared_head(text)
    if shared:
        return shared
    parts = text.split(";")
    if len(parts) > 1 and any(_shared_head(_tidy(p)) for p in parts):
        return [n for p in parts for n in split_agencies(p)]  # "các Sở: Xây dựng, Công thương; Công ty …"
    listed = _HEAD_THEN_SECTORS.match(text)
    apart = _named_apart(listed.group(1), listed.group(2)) if listed else None
    if apart:
        return apart
    pieces = _SEP.split(text)
    if not _HEAD.match(pieces[0]):
        return [text] if text else []
    names = [pieces[0]]
    for sep, piece in zip(pieces[1::2], pieces[2::2]):
        if _HEAD.match(piece) and not (
            re.match(r"(UBND|Ủy ban nhân dân)\b", piece) and re.match(r"Văn phòng (HĐND|Hội đồng)", names[-1], re.I)
        ):
            names.append(piece)
        elif piece.startswith("cấp ") and " cấp " in names[-1]:
            names.append(names[-1][: names[-1].index(" cấp ")] + " " + piece)  # "…cấp huyện, cấp xã"
        else:
            names[-1] += sep + piece
    return [re.sub(r"\b(cấp \w+) \1\b", r"\1", n) for n in names]  # the plan's "cấp xã cấp xã"


def _tidy(name: str) -> str:
    return _LEAD.sub("", " ".join(nfc(name).split()).strip(" ,.;:"))


def head_over_sectors(name: str) -> list[str] | None:
    """The bodies of a list under one head noun ("Các Bộ: Tài chính, Y tế" -> ["Bộ Tài chính", "Bộ Y tế"]), or
    None when the name is no such list."""
    return _shared_head(_tidy(name))


def _shared_head(text: str) -> list[str] | None:
    """"Các Bộ: Tài chính, Y tế, Văn hóa, Thể thao và Du lịch" -> ["Bộ Tài chính", "Bộ Y tế", "Bộ Văn hóa, Thể
    thao và Du lịch"]: each run of the list that with the head noun names a body the lexicon knows; None
    unless the whole list reads so."""
    m = _HEAD_THEN_SECTORS.match(text)
    if not m:
        return None
    head, names = m.group(1), []
    pieces = _SEP.split(m.group(2))  # names and the separators between them
    i = 0
    while i < len(pieces):
        for j in range(len(pieces), i, -2):  # the longest run first: "Văn hóa, Thể thao và Du lịch"
            name = f"{head} {''.join(pieces[i:j])}"
            found = lexicon.find_body(name)
            if found is not None and found.known and found.end >= len(name):  # the whole run is its name
                names.append(name)
                i = j + 1
                break
        else:
            return None
    return names or None


def _named_apart(head: str, listed: str) -> list[str] | None:
    """"Các Cục: Di sản văn hóa, Bản quyền tác giả" where the lexicon knows none of them: each name of the list,
    with the head noun, when every one is a proper name (capitalised, a few words). Names split at ";" when the
    list uses it ("Các Cục: Bản quyền tác giả; Xuất bản, In và Phát hành"), else at ","."""
    pieces = [p.strip(" ,.") for p in re.split(r";" if ";" in listed else r",", listed)]
    if len(pieces) < 2 or not all(p and p[0].isupper() and len(p.split()) <= 12 for p in pieces):
        return None
    return [f"{head} {p}" for p in pieces]


def agency_list_at(text: str) -> tuple[str, int] | None:
    """The agencies named at the start of a clause and where their duty begins:
    "Đề nghị Ủy ban Mặt trận Tổ quốc, …, Tỉnh Đoàn chỉ đạo thực hiện …" -> ("Ủy ban … Tỉnh Đoàn", offset of
    " chỉ đạo"). None unless the names are followed by a duty verb, a colon or a parenthesis."""
    lead = _LEAD.match(text)
    start = lead.end() if lead else 0
    head = _HEAD.match(text[start:])
    if not head or _word_across(text[start:], head.end()):
        return None
    window = text[start: start + 320]
    stops = [m.start() for m in (_DUTY_START.search(window), re.search(r"\s?[:(]", window)) if m]
    hard = re.search(r"[;.\n]", window)
    if not stops or (hard and hard.start() < min(stops)):
        return None
    cut = min(stops)
    if window[cut:cut + 2].strip().startswith(":"):
        # "Các Bộ: Tài chính, Y tế, Tư pháp khẩn trương …": the list after the colon names the bodies
        verb = _DUTY_START.search(window, cut + 1)
        if verb and _shared_head(window[:verb.start()].strip(" ,")):
            cut = verb.start()
    names = window[:cut].strip(" ,")
    if not names or len(names.split()) > 40:
        return None
    if re.search(r"\s(?:đã|vừa|đang)$", names):
        return None  # "(1) Bộ Xây dựng đã chủ động kiểm tra …": what a body did or is doing, no work given to it
    return names, start + cut


def _word_across(text: str, head_end: int) -> bool:
    """A head noun that is the first syllable of a longer word is no body: "Trường hợp …", "Ban hành …",
    "Hội nghị …" (the words of pyvi's dictionary, ingest/words.py)."""
    from ingest.words import dictionary

    words = dictionary()[0]
    syllables = list(re.finditer(r"\w+", text[:80]))[:3]
    for k in (3, 2):
        if len(syllables) >= k and syllables[k - 1].end() > head_end:
            phrase = " ".join(m.group() for m in syllables[:k])
            if tone_normalize(nfc(phrase)).lower() in words:
                body = lexicon.find_body(text[:120])  # "Hội đồng nhân dân": a known body's longer name
                return not (body and body.known and body.end >= syllables[k - 1].end())
    return False


def level_in(folded_name: str) -> str | None:
    for pattern, level in _LEVEL_PATTERNS:
        if re.search(pattern, folded_name):
            return level
    return None


def locality_level(locality: str | None) -> str | None:
    """"thành phố Lạng Sơn" -> "thành phố"; "phường Tân Phú (Đà Nẵng)" -> "phường"."""
    if not locality:
        return None
    head = nfc(locality).strip().lower()
    return next((w for w in LEVEL_WORDS if head.startswith(w)), None)


def _folded(name: str) -> str:
    folded = fold(name).replace("–", "-").replace("—", "-").replace("&", " va ")
    return " ".join(folded.split())


def _sectors(name: str) -> str | None:
    found = lexicon.sectors_in(name)
    return "; ".join(sorted(found)) if found else None
