"""Recover a plan's heading hierarchy (I. › 1. › 1.1. › a) › -) and cut it into passages.

Each passage ("unit") is one item with everything under it — a lettered item with its bullets, a
bullet with its "+" points, or the plain paragraphs under a heading — so an item is never cut from its
heading. Every unit carries its section path, the agency it is assigned to, and its span in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.agencies import agency_of, trailing_agency
from ingest.reflow import MARKER, starts_item

# how deep each kind of marker sits; a new marker closes every open level at its depth or deeper
RANK = {"roman": 0, "paren": 1, "num": 1, "letter": 4, "dash": 5}
_TITLE_MAX = 60  # a heading label longer than this is shortened with "…"
_INTRO = "Phần mở đầu"
_SIGNATURE = re.compile(r"^(?:Nơi nhận|TM\.\s|KT\.\s)")
_APPENDIX = re.compile(r"^(?:PHỤ LỤC|Phụ lục)\b")  # an appendix after the signature is content again


@dataclass(frozen=True)
class Para:
    text: str
    start: int
    end: int


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


def marker_of(text: str) -> tuple[str | None, int | None, str]:
    """(kind, rank, marker) of a paragraph's leading item marker, or (None, None, "")."""
    if not starts_item(text):
        return None, None, ""
    m = MARKER.match(text + " ")
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


def split_units(paras: list[Para]) -> list[Unit]:
    units: list[Unit] = []
    stack: list[_Level] = []
    current: Unit | None = None
    current_rank = 99
    in_signature = False

    def open_unit(label: str | None, agency: str | None) -> Unit:
        path = [lv.label for lv in stack] or [_INTRO]
        unit = Unit(
            path=path + ([label] if label else []),
            headings=[lv.text for lv in stack],
            agency=agency if agency else next((lv.agency for lv in reversed(stack) if lv.agency), None),
        )
        units.append(unit)
        return unit

    for i, para in enumerate(paras):
        text = para.text
        if _APPENDIX.match(text) and len(text) <= 160:
            in_signature, current, current_rank = False, None, 99
            stack = [_Level(0, _label(text), text, None)]
            continue
        if in_signature or _SIGNATURE.match(text):
            if not in_signature:
                in_signature = True
                stack = [_Level(0, "Nơi nhận, ký", text, None)]
                current = open_unit(None, None)
            current.paras.append(para)
            continue
        kind, rank, _ = marker_of(text)
        nxt = paras[i + 1].text if i + 1 < len(paras) else ""
        _, next_rank, _ = marker_of(nxt)

        if kind is None:
            if current is None or (current_rank == 99 and len(current.paras) >= 1 and _too_long(current, para)):
                current = open_unit(None, None)
                current_rank = 99
            current.paras.append(para)
            continue

        if current is not None and rank > current_rank and kind in ("dash", "letter") and current_rank >= 4:
            # a bullet or "+" point inside a lettered item or bullet stays with it
            current.paras.append(para)
            continue

        is_heading = rank < 4 or (kind == "dash" and _is_title(text) and len(text) <= 60)
        if is_heading:
            heading_follows = (next_rank is not None and next_rank > rank) or (
                next_rank is None and _is_title(text) and nxt != ""
            )
            while stack and stack[-1].rank >= rank:
                stack.pop()
            if heading_follows or (_is_title(text) and rank < 4):
                stack.append(_Level(rank, _label(text), text, agency_of(_strip_marker(text), inline=False)))
                current = None
                current_rank = 99
                if len(text) > 120:
                    # a heading that carries content of its own ("1. Tổ chức … (hoàn thành trong tháng 5)")
                    current = open_unit(None, None)
                    current.paras.append(para)
                continue
            # a numbered item with content and nothing under it ("3.3. Bộ Chỉ huy … chỉ đạo …")
            current = open_unit(_label(text), agency_of(_strip_marker(text)))
            current.paras.append(para)
            current_rank = rank
            continue

        while stack and stack[-1].rank >= rank:
            stack.pop()
        if kind == "letter":
            label = _label(text.split(" ", 1)[0])
        else:
            parent = stack[-1] if stack else None
            if parent is not None:
                parent.items += 1
            label = f"ý {parent.items if parent else 1}"
        parent_agency = next((lv.agency for lv in reversed(stack) if lv.agency), None)
        sub_agency = kind == "dash" and ":" in text[:80]  # "- Hội Nông dân: …" under the MTTQ section
        own_agency = agency_of(_strip_marker(text)) if sub_agency or not parent_agency else None
        own_agency = trailing_agency(text) or own_agency
        current = open_unit(label, own_agency)
        current.paras.append(para)
        current_rank = rank
    return [u for u in units if u.paras]


def _too_long(unit: Unit, para: Para, limit: int = 900) -> bool:
    return para.end - unit.start > limit


def _strip_marker(text: str) -> str:
    m = MARKER.match(text + " ")
    return text[m.end():].strip() if m else text
