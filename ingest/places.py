"""Vietnam's provinces and centrally-run cities, from the data file ingest/data/provinces.tsv (the 34 after
Nghị quyết 202/2025/QH15 and the 63 before it), and a finder of their mentions in a text.

The localities of indexed documents come from the documents themselves (ingest/metadata.py); this list
only makes a province or city recognisable when no indexed document is about it, so that a question
about it can be told apart from a question about the corpus.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable
from pathlib import Path

from ingest.normalize import fold, nfc

DATA = Path(__file__).resolve().parent / "data" / "provinces.tsv"


@dataclass(frozen=True)
class Province:
    name: str  # "Lạng Sơn", "Quảng Nam"
    type: str  # "tỉnh" or "thành phố" (thành phố trực thuộc trung ương)
    current: bool  # one of the 34 units after the 2025 reorganisation
    before_2025: bool  # one of the 63 units before it
    now_part_of: str | None  # for a unit merged in 2025: the unit it is part of now ("Phú Thọ")
    spellings: tuple[str, ...]  # the name and its other spellings ("Thừa Thiên Huế")

    @property
    def full_name(self) -> str:
        """'tỉnh Quảng Nam', 'thành phố Lạng Sơn'."""
        return f"{self.type} {self.name}"


@dataclass(frozen=True)
class PlaceMention:
    province: Province
    written: str  # the mention as the text writes it
    start: int
    end: int
    after_unit: bool = False  # written after "tỉnh", "thành phố" or "TP": "tỉnh Quảng Nam"


@lru_cache(maxsize=1)
def provinces() -> tuple[Province, ...]:
    """Every province and centrally-run city in the data file, current ones first."""
    out = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("name\t"):
            continue
        cols = (nfc(line).split("\t") + [""] * 5)[:5]
        name, kind, period, part_of, also = (c.strip() for c in cols)
        periods = {p.strip() for p in period.split(",")}
        spellings = (name, *[s.strip() for s in also.split(";") if s.strip()])
        out.append(Province(name, kind, "2025" in periods, "old" in periods, part_of or None, spellings))
    return tuple(out)


def province_names(current_only: bool = False) -> list[str]:
    """The known names: ['Hà Nội', 'Huế', …] (the 34 current ones first, then the 29 merged ones)."""
    return [p.name for p in provinces() if p.current or not current_only]


def folded_names() -> dict[str, Province]:
    """Every spelling folded without diacritics ('lao cai', 'thua thien hue', 'tp hcm' …) -> its province."""
    return dict(_folded_index())


def find_province(name: str) -> Province | None:
    """The province or city a name means, with or without diacritics or a level word:
    'Quảng Nam', 'tinh lao cai', 'thành phố Lạng Sơn', 'TP. Hồ Chí Minh' -> its Province; else None."""
    key = _key(name)
    key = re.sub(r"^(?:tinh|thanh pho|tp)\s+", "", key)
    return dict(_folded_index()).get(key)


def find_places(text: str) -> list[PlaceMention]:
    """Mentions of provinces and centrally-run cities in a text, in text order.

    Matching ignores diacritics and the shape of dashes ('Bà Rịa–Vũng Tàu', 'ba ria vung tau'). In a text
    that has capital letters, a mention must be capitalised ('Hòa Bình') or follow 'tỉnh'/'thành phố'/'TP',
    so that common words ('hòa bình' = peace) are not taken for places; a text typed all in lower case
    (a question) is matched as it is."""
    text = nfc(text)
    folded, where = _fold_with_positions(text)
    any_capital = any(c.isupper() for c in text)
    index = dict(_folded_index())
    found: list[PlaceMention] = []
    for m in _names_pattern().finditer(folded):  # leftmost, longest spelling first
        start, end = where[m.start()], where[m.end() - 1] + 1
        written = text[start:end]
        after_unit = _after_level_word(folded, m.start())
        if any_capital and not _capitalised(written) and not after_unit:
            continue
        found.append(PlaceMention(index[" ".join(m.group(0).split())], written, start, end, after_unit))
    return found


@lru_cache(maxsize=1)
def _names_pattern() -> re.Pattern:
    keys = sorted((key for key, _ in _folded_index()), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(r"\s+".join(map(re.escape, k.split())) for k in keys) + r")(?!\w)")


def locality_names(locality: str | None) -> list[str]:
    """The place names in a document's locality, without level words: "thành phố X (Y)" -> ["X", "Y"]."""
    if not locality:
        return []
    from ingest.doc_vocab import vocab

    units = "|".join(re.escape(u.word) for u in sorted(vocab().units, key=lambda u: -len(u.word)))
    names = []
    for part in re.split(r"[()]", nfc(locality)):
        part = re.sub(rf"^\s*(?:{units})\s+", "", part.strip(), flags=re.I).strip(" ,")
        if part:
            names.append(part)
    return names


def places_in(text: str, localities: Iterable[str | None] = ()) -> list[str]:
    """The places a text (a question) names, in text order, each once: the localities of the indexed
    documents ("Tam Kỳ" from "thành phố Tam Kỳ (Quảng Nam)") and every province or centrally-run city
    of the public list, with or without diacritics. A province comes back under its list name."""
    text = nfc(text)
    folded, _ = _fold_with_positions(text)
    any_capital = any(c.isupper() for c in text)
    found: list[tuple[int, str]] = [(m.start, m.province.name) for m in find_places(text)]
    for name in {n for loc in localities for n in locality_names(loc)}:
        key = _key(name)
        if not key or find_province(name):
            continue
        for m in re.finditer(r"(?<!\w)" + r"\s+".join(map(re.escape, key.split())) + r"(?!\w)", folded):
            written = text[m.start() : m.end()]
            if not any_capital or _capitalised(written) or _after_level_word(folded, m.start()):
                found.append((m.start(), name))
    out: list[str] = []
    for _, name in sorted(found):
        if name not in out:
            out.append(name)
    return out


def _capitalised(written: str) -> bool:
    words = re.findall(r"\w+", written)
    return bool(words) and all(w[0].isupper() for w in words)


def _after_level_word(folded: str, pos: int) -> bool:
    return bool(re.search(r"(?:\btinh|\bthanh pho|\btp)\s*$", folded[max(0, pos - 12) : pos]))


def _key(text: str) -> str:
    """Folded, punctuation and dashes turned into single spaces: 'Bà Rịa – Vũng Tàu' -> 'ba ria vung tau'."""
    return " ".join(re.findall(r"\w+", fold(nfc(text))))


@lru_cache(maxsize=1)
def _folded_index() -> tuple[tuple[str, Province], ...]:
    index: dict[str, Province] = {}
    for province in provinces():
        for spelling in province.spellings:
            index.setdefault(_key(spelling), province)
    return tuple(index.items())


def _fold_with_positions(text: str) -> tuple[str, list[int]]:
    """The text folded like normalize.fold, non-word characters as spaces, and for each folded
    character the index of the character of `text` it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            out.append(c)
            where.append(i)
    return "".join(out), where


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    folded = unicodedata.normalize("NFC", fold(ch)) or " "
    return "".join(c if (c.isalnum() or c == "_") else " " for c in folded)
