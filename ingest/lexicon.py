"""The bodies lexicon (`ingest/data/bodies.tsv`, public sources named in its header): which names are
agencies, at which level, in which sector, and how they are abbreviated. Every agency rule of tracuu reads
it; no agency name is written in code.

    find_body("Sở GD&ĐT tỉnh Lào Cai giao …")   -> BodyMatch(canonical="Sở Giáo dục và Đào tạo", rank="tỉnh", …)
    find_body("Bộ Y tế chủ trì …")               -> canonical "Bộ Y tế", rank "trung ương" (never "Sở Y tế")
    sectors_in("ngành y tế và công an")           -> {"Y tế", "Công an"}

Names are matched on tokens of their diacritic-folded form; an acronym ("GD&ĐT", "LĐ-TB&XH") matches its
compact form ("gddt", "ldtbxh") whatever its separators, and a short one ("CA", "SYT") only in capitals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.normalize import fold, nfc

DATA = Path(__file__).with_name("data") / "bodies.tsv"
_TOKEN = re.compile(r"\w+(?:[&\-.]\w+)*&?\w*|(?<=\s)&(?=\s)")


@dataclass(frozen=True)
class Phrase:
    tokens: tuple[str, ...]  # folded tokens; an acronym is one compact token
    acronym: bool  # matched only in capitals unless long or punctuated ("gd&dt")
    strict: bool = False  # a sector phrase that needs a head noun or "ngành" before it ("^xây dựng")


@dataclass(frozen=True)
class Entry:
    kind: str  # "body" | "group" | "sector" | "head" | "level" | "lead" | "verb"
    name: str
    level: str  # "trung ương" | "tỉnh" | "huyện" | "xã" | "mọi cấp" | "-"
    sector: str | None
    phrases: tuple[Phrase, ...]
    former: bool = False  # a body abolished by the 2025 reorganisation ("trước 2025")
    aliases: tuple[str, ...] = ()  # other names as written: "Sở GD&ĐT", "UBND"


@dataclass(frozen=True)
class BodyMatch:
    written: str  # as the text names it, qualifiers included: "Sở Công Thương Lào Cai"
    canonical: str  # "Sở Công Thương"; a body of every level carries its level: "Công an tỉnh"
    base: str  # the lexicon name: "Công an"
    level: str | None  # the level word named or implied: "tỉnh", "thành phố", "phường", "trung ương"
    rank: str | None  # "trung ương" | "tỉnh" | "huyện" | "xã" | None
    sector: str | None
    known: bool  # the lexicon has this body (False: a head noun and a name the lexicon lacks)
    group: bool  # a generic group ("Các sở, ban, ngành")
    scoped: bool  # a body found at every level (Công an, Hội, Mặt trận …)
    end: int  # where the name ends in the text given (its level and place included)
    name_end: int = -1  # where the body's own name ends, before a level or a place ("Sở Công Thương|")

    @property
    def start(self) -> int:
        return self.end - len(self.written)


@dataclass
class Lexicon:
    entries: list[Entry]

    def of_kind(self, *kinds: str) -> list[Entry]:
        """The entries of these kinds (the same list each call, indexed by the first word of their phrases)."""
        cache = self.__dict__.setdefault("_of_kind", {})
        if kinds not in cache:
            cache[kinds] = _Entries(e for e in self.entries if e.kind in kinds)
        return cache[kinds]

    @property
    def level_words(self) -> dict[str, tuple[str, str | None]]:
        """folded level word -> (the word as written, its rank)"""
        out = {}
        for e in self.of_kind("level"):
            for p in e.phrases:
                out[" ".join(p.tokens)] = (e.name, None if e.level == "-" else e.level)
        return out


class _Entries(list):
    """Entries of the lexicon with their phrases by first word, so a match tries only the phrases that
    start with the word at hand (the library's records look up bodies millions of times)."""

    def __init__(self, entries):
        super().__init__(entries)
        self.by_first: dict[str, list[tuple[Entry, Phrase]]] = {}
        for e in self:
            for p in e.phrases:
                if p.tokens:
                    self.by_first.setdefault(p.tokens[0], []).append((e, p))


def compact(token: str) -> str:
    return re.sub(r"[&\-.]", "", token)


def tokens_of(text: str) -> list[tuple[str, int, int, bool]]:
    """(folded token, start, end, written in capitals) for the words of a text."""
    text = nfc(text)
    out = []
    for m in _TOKEN.finditer(text):
        word = m.group()
        if word == "&":  # "Hội đồng nhân dân & Ủy ban nhân dân"
            out.append(("va", m.start(), m.end(), False))
            continue
        folded = fold(word)
        punct = bool(re.search(r"[&\-.]", word))
        caps = sum(ch.isupper() for ch in word) >= 2 or (len(compact(word)) <= 2 and word.isupper())
        out.append((compact(folded) if punct or caps else folded, m.start(), m.end(), caps))
    return out


def _phrase(text: str, strict: bool = False) -> Phrase:
    toks = tokens_of(text)
    acronym = len(toks) == 1 and toks[0][3]
    return Phrase(tuple(t[0] for t in toks), acronym, strict)


@lru_cache(maxsize=1)
def load(path: str = str(DATA)) -> Lexicon:
    entries: list[Entry] = []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    header_seen = False
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if not header_seen:
            header_seen = True
            continue
        if len(cols) < 4:
            raise ValueError(f"{path}:{number}: cần ít nhất 4 cột (kind, name, level, sector)")
        kind, name, level, sector = (nfc(c.strip()) for c in cols[:4])
        aliases = [a.strip() for a in (cols[4] if len(cols) > 4 else "").split(";") if a.strip()]
        former = "trước 2025" in aliases
        aliases = [a for a in aliases if a != "trước 2025"]
        if kind == "sector":
            phrases = tuple(_phrase(a.lstrip("^"), a.startswith("^")) for a in aliases)
            phrases += tuple(Phrase((i,), True, True) for i in _initials(name, phrases))
        else:
            phrases = tuple(_phrase(a) for a in [name, *aliases])
        entries.append(Entry(kind, name, level, None if sector in ("", "-") else sector, phrases, former,
                             tuple(aliases)))
    return _without_shared_initials(Lexicon(entries))


def _initials(name: str, phrases: tuple[Phrase, ...]) -> list[str]:
    """The initials of a sector's name and of the phrases that name it only after a head noun, as offices
    abbreviate a name after its head noun: "Nội vụ" -> "nv" ("Bộ NV"), "Tài chính" -> "tc" ("Sở TC");
    "và" has no letter. The first is the name's own."""
    taken = {p.tokens[0] for p in phrases if len(p.tokens) == 1}
    out = []
    for p in (_phrase(name), *(p for p in phrases if p.strict)):
        words = [t for t in p.tokens if t != "va"]
        if len(words) >= 2:
            initials = "".join(w[0] for w in words)
            if initials not in taken and initials not in out:
                out.append(initials)
    return out


def _without_shared_initials(lex: Lexicon) -> Lexicon:
    """Keep a generated initials phrase only where it names one sector: one a level word or a written alias
    already means ("TP") is dropped; one two sectors share goes to the sector whose own name gives it
    ("NV": "Nội vụ", not "ngoại vụ" of Ngoại giao), else to neither."""
    written = {p.tokens for e in lex.entries for p in e.phrases if not _generated(e, p)}
    owners: dict[tuple[str, ...], list[Entry]] = {}
    for e in lex.of_kind("sector"):
        for p in e.phrases:
            if _generated(e, p):
                owners.setdefault(p.tokens, []).append(e)

    def keep(e: Entry, p: Phrase) -> bool:
        if not _generated(e, p):
            return True
        if p.tokens in written:
            return False
        named = [o for o in owners[p.tokens] if _initials(o.name, ())[:1] == list(p.tokens)]
        return owners[p.tokens] == [e] or named == [e]

    entries = [Entry(e.kind, e.name, e.level, e.sector, tuple(p for p in e.phrases if keep(e, p)), e.former,
                     e.aliases) if e.kind == "sector" else e for e in lex.entries]
    return Lexicon(entries)


def _generated(entry: Entry, phrase: Phrase) -> bool:
    return entry.kind == "sector" and phrase.acronym and phrase.strict


@lru_cache(maxsize=1)
def folded_heads() -> frozenset[str]:
    """The head nouns a body's name starts with ("Sở", "Công ty", "Ban"), folded."""
    return frozenset(fold(e.name) for e in load().of_kind("head"))


def _matches(phrase: Phrase, toks, i: int) -> bool:
    n = len(phrase.tokens)
    if i + n > len(toks):
        return False
    if tuple(t[0] for t in toks[i:i + n]) != phrase.tokens:
        return False
    if phrase.acronym:
        token = phrase.tokens[0]
        # a short acronym only in capitals ("CA", "SYT"); a long or punctuated one in any case
        return toks[i][3] or (len(token) >= 4 and not _is_word(token))
    return True


def _is_word(token: str) -> bool:
    """A folded token that could be a plain Vietnamese syllable (so not an acronym typed in lower case)."""
    return bool(re.fullmatch(r"[bcdghklmnpqrstvx]{0,3}[aeiouy]{1,3}[cmnpt]?[ghn]?", token))


def _longest(entries, toks, i: int) -> tuple[Entry, int] | None:
    if i >= len(toks):
        return None
    by_first = getattr(entries, "by_first", None)
    pairs = by_first.get(toks[i][0], ()) if by_first is not None else ((e, p) for e in entries for p in e.phrases)
    best = None
    for e, p in pairs:
        if _matches(p, toks, i) and (best is None or len(p.tokens) > best[1]):
            best = (e, len(p.tokens))
    return best


def _skip_leads(toks, i: int = 0) -> int:
    lex = load()
    while True:
        found = _longest(lex.of_kind("lead"), toks, i)
        if not found:
            break
        i += found[1]
        if i < len(toks) and toks[i][0] == "cac":
            i += 1
    return i


def find_body(text: str, locality: str | None = None, at_start: bool = True) -> BodyMatch | None:
    """The body a text names at its start (after "Đề nghị", "Giao", a title), or None."""
    toks = tokens_of(text)
    if not toks:
        return None
    return _body_at(text, toks, _skip_leads(toks), locality)


def bodies_in(text: str, locality: str | None = None) -> list[BodyMatch]:
    """Every body a text names, left to right (a body inside another's name is not repeated)."""
    toks = tokens_of(text)
    out, i = [], 0
    while i < len(toks):
        word = text[toks[i][1]:toks[i][2]]
        if not (word[:1].isupper() or toks[i][0] == "cac"):
            i += 1
            continue
        m = _body_at(text, toks, i, locality)
        if m:
            out.append(m)
            i = next((k for k, t in enumerate(toks) if t[1] >= m.end), len(toks))
        else:
            i += 1
    return out


def _body_at(text: str, toks, i: int, locality: str | None) -> BodyMatch | None:
    lex = load()
    if i >= len(toks):
        return None
    start = i
    if toks[i][0] == "cac" and i + 1 < len(toks):
        plain = _longest(lex.of_kind("body", "group"), toks, i)
        if plain is None:
            i += 1
    found = _longest(lex.of_kind("body", "group"), toks, i)
    head = _longest(lex.of_kind("head"), toks, i)
    if found and head and head[1] >= found[1] and head[0].name.lower() != found[0].name.lower():
        # "Bộ Chỉ huy …" is not the ministry "Bộ …"; a longer head noun wins over a shorter name
        sector = _sector_after(toks, i + head[1])
        if sector and not _entry_for(head[0].name, sector[0]):
            found = None
    if found:
        entry, n = found
        end_i = i + n
        level_word, rank, end_i = _level_after(toks, end_i)
        place_end = _place_after(text, toks, end_i)
        scoped = entry.level == "mọi cấp"
        if scoped:
            level_word = level_word or _locality_level(locality)
            rank = rank or _rank_of(level_word)
            canonical = f"{entry.name} {level_word}" if level_word else entry.name
        else:
            rank = None if entry.level == "-" else entry.level
            canonical, level_word = entry.name, level_word or rank
        end = toks[place_end - 1][2] if place_end > start else toks[end_i - 1][2]
        return BodyMatch(text[toks[start][1]:end].strip(), canonical, entry.name, level_word, rank, entry.sector,
                         True, entry.kind == "group", scoped, end, toks[i + n - 1][2])
    if head:
        entry, n = head
        sector = _sector_after(toks, i + n)
        if sector:
            known = _entry_for(entry.name, sector[0])
            if known:
                return _body_at_entry(text, toks, start, i + n + sector[1], known, locality)
        # a name the lexicon lacks: the head noun and the capitalised words after it ("Bệnh viện Tâm thần")
        j = i + n
        while j < len(toks) and j - i < n + 6 and _joined(text, toks, j) and _name_word(text, toks, j, i + n):
            j += 1
        if j == i + n:
            return None
        name_end = toks[j - 1][2]
        name = text[toks[i][1]:name_end].strip()
        level_word, rank, j = _level_after(toks, j)
        end = toks[j - 1][2]
        written = text[toks[start][1]:end].strip()
        rank = rank or (None if entry.level == "-" else entry.level)
        own = _sector_after(toks, i)  # the head noun itself may name a sector ("Báo", "Bệnh viện")
        sector_name = sector[0].name if sector else (own[0].name if own else None)
        return BodyMatch(written, name[:1].upper() + name[1:], name, level_word or rank, rank,
                         sector_name, False, False, False, end, name_end)
    return None


def _body_at_entry(text, toks, start, end_i, entry: Entry, locality) -> BodyMatch:
    end_name = end_i
    level_word, rank, end_i = _level_after(toks, end_i)
    place_end = _place_after(text, toks, end_i)
    end = toks[max(place_end, end_i) - 1][2]
    rank = None if entry.level in ("-", "mọi cấp") else entry.level
    return BodyMatch(text[toks[start][1]:end].strip(), entry.name, entry.name, level_word or rank, rank,
                     entry.sector, True, False, False, end, toks[end_name - 1][2])


def _entry_for(head: str, sector: Entry) -> Entry | None:
    """The lexicon body named by a head noun and a sector: ("Sở", Giáo dục và Đào tạo) -> Sở Giáo dục và Đào tạo."""
    head_f = fold(head)
    for e in load().of_kind("body"):
        if e.sector == sector.name and fold(e.name).startswith(head_f + " ") and not e.former:
            return e
    for e in load().of_kind("body"):
        if e.sector == sector.name and fold(e.name).startswith(head_f + " "):
            return e
    return None


def _sector_after(toks, i: int) -> tuple[Entry, int] | None:
    return _longest(load().of_kind("sector"), toks, i)


def _name_word(text: str, toks, j: int, first: int) -> bool:
    """Whether token j goes on a name the lexicon lacks: a capitalised word, or the lower-case second
    syllable of a capitalised word ("Xây dựng", "Tâm thần") that is neither a stop word nor a verb."""
    word = text[toks[j][1]:toks[j][2]]
    if word[:1].isupper():
        return not toks[j][3]
    if j == first:
        return False
    prev = text[toks[j - 1][1]:toks[j - 1][2]]
    return prev[:1].isupper() and not is_stop(word) and not _is_verb_start(word)


@lru_cache(maxsize=1)
def stop_syllables() -> frozenset[str]:
    """Folded one-syllable stop words (ingest/data/stopwords_vi.txt)."""
    return frozenset(fold(w) for w in stop_words() if " " not in w)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """The Vietnamese stop words and phrases (ingest/data/stopwords_vi.txt), NFC, lower case."""
    path = DATA.with_name("stopwords_vi.txt")
    return frozenset(nfc(line.strip()).lower() for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


def _is_verb_start(word: str) -> bool:
    """Whether a verb of the lexicon starts with this word, matched with its diacritics when it has them
    ("lâm" of "Trạm Kiểm lâm" is not "làm"), else by its folded form."""
    w = nfc(word).lower()
    if fold(w) == w:
        return w in _verb_starts()[0]
    return w in _verb_starts()[1]


@lru_cache(maxsize=1)
def _verb_starts() -> tuple[frozenset[str], frozenset[str]]:
    """The first words of the lexicon's verbs: folded, and as written."""
    verbs = load().of_kind("verb")
    folded = frozenset(p.tokens[0] for e in verbs for p in e.phrases)
    written = frozenset(nfc(n).lower().split()[0] for e in verbs for n in (e.name, *e.aliases) if n.strip())
    return folded, written


def _level_after(toks, i: int) -> tuple[str | None, str | None, int]:
    words = load().level_words
    commune = {k for k, (_, rank) in words.items() if rank == "xã"}
    if i + 1 < len(toks) and toks[i][0] in commune and toks[i + 1][0] in commune:
        return "cấp xã", "xã", i + 2  # "xã, phường": every commune
    if i + 1 < len(toks) and toks[i][0] == "khu vuc" or (i + 2 < len(toks) and toks[i][0] == "khu" and toks[i + 1][0] == "vuc"):
        j = i + 2
        if j < len(toks) and re.fullmatch(r"[ivxlc]+|\d+", toks[j][0]):
            return f"khu vực {toks[j][0].upper()}", None, j + 1
    if i + 1 < len(toks) and toks[i][0] == "cac" and toks[i + 1][0] in words:
        word, rank = words[toks[i + 1][0]]  # "Ủy ban nhân dân các phường, xã": every commune
        return (f"cấp {rank}" if rank in ("xã", "huyện") else word), rank, i + 2
    for n in (2, 1):
        key = " ".join(t[0] for t in toks[i:i + n])
        if len(toks[i:i + n]) == n and key in words:
            word, rank = words[key]
            return word, rank, i + n
    if i + 1 < len(toks) and toks[i][0] in ("cap",):
        key = toks[i + 1][0]
        if key in words:
            word, rank = words[key]
            return (f"cấp {rank}" if rank in ("xã", "huyện") else word), rank, i + 2
    return None, None, i


def _joined(text: str, toks, j: int) -> bool:
    """Token j follows token j-1 with only spaces between them (a name never runs across punctuation)."""
    return j > 0 and not text[toks[j - 1][2]:toks[j][1]].strip()


def _place_after(text: str, toks, i: int) -> int:
    """After a name: a capitalised place ("Lào Cai", "Tân Phú") belongs to it, up to punctuation or the
    start of another body."""
    lex = load()
    j = i
    while (j < len(toks) and j - i < 4 and _joined(text, toks, j) and text[toks[j][1]:toks[j][1] + 1].isupper()
           and not toks[j][3] and not _longest(lex.of_kind("head", "body", "group"), toks, j)):
        j += 1
    return j


def _rank_of(level_word: str | None) -> str | None:
    if not level_word:
        return None
    found = load().level_words.get(fold(level_word).replace("cap ", ""))
    return found[1] if found else None


def _locality_level(locality: str | None) -> str | None:
    """"thành phố Lạng Sơn" -> "thành phố"; "phường Tân Phú (Đà Nẵng)" -> "phường"."""
    if not locality:
        return None
    toks = tokens_of(locality)
    word, _, _ = _level_after(toks, 0)
    return word


def sectors_in(text: str) -> set[str]:
    """The sectors a text names: by a body it names, or a sector phrase ("ngành y tế", "công an")."""
    lex = load()
    toks = tokens_of(text)
    heads = lex.of_kind("head")
    found: set[str] = set()
    for m in bodies_in(text):
        if m.sector:
            found.update(m.sector.split("; "))
    for i in range(len(toks)):
        for e in lex.of_kind("sector"):
            for p in e.phrases:
                if not _matches(p, toks, i):
                    continue
                if p.strict:
                    before = i > 0 and (toks[i - 1][0] == "nganh" or any(
                        _matches(h, toks, i - len(h.tokens)) for he in heads for h in he.phrases
                        if i - len(h.tokens) >= 0))
                    if not before:
                        continue
                found.add(e.name)
    return found


def body_names() -> list[str]:
    return [e.name for e in load().of_kind("body")]


def head_pattern(kinds: tuple[str, ...] = ("head", "body", "group")) -> str:
    """A regular expression alternation of every head noun, body and group name as written (for
    the structure rules that look for an agency at the start of a heading)."""
    entries = load().of_kind(*kinds)
    names = sorted({e.name for e in entries} | {a for e in entries for a in e.aliases}, key=len, reverse=True)
    return "|".join(re.escape(n) for n in names)


def verb_pattern() -> str:
    """The duty verbs, longest first, as an alternation (where an agency's name ends and its duty begins)."""
    verbs = sorted({e.name for e in load().of_kind("verb")}, key=len, reverse=True)
    return "|".join(re.escape(v) for v in verbs)


def lead_pattern() -> str:
    """The words before a body's name that are not part of it ("Đề nghị", "Chủ tịch"), as an alternation."""
    leads = sorted({e.name for e in load().of_kind("lead")}, key=len, reverse=True)
    return "|".join(re.escape(x) for x in leads)


def is_stop(word: str) -> bool:
    """A stop word, matched with its diacritics when it has them ("để" is one, "đề" is not), else by its
    folded form (typed without diacritics, "de" may be "để")."""
    w = nfc(word).lower()
    return w in stop_syllables() if fold(w) == w else w in stop_words()
