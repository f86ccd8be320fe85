"""How many items a part of a document holds: "Kế hoạch … gồm bao nhiêu nội dung công việc?", "Chỉ thị có mấy
nhóm giải pháp?". Counted by code from the headings read at ingest (each chunk's heading path), each item
named and cited; no model call. None when the question names no one document, or no part of it is called
by the noun asked (the caller then weighs the evidence as for any question)."""

from __future__ import annotations

import re

from assistant import question_kinds
from assistant.result import Turn
from ingest.document import piece_of
from ingest.normalize import fold
from ingest.reflow import MARKER, strip_marker, uncapped
from ingest.structure import APPENDIX, INTRO_SECTION, SIGNATURE_SECTION, legal_heading


def answer(turn: Turn, index):
    from assistant.listings import cite, listed

    m = question_kinds.find("parts", turn.standalone)
    scope = turn.intent.scope
    if m is None or len(scope) != 1 or len(question_kinds.parts(turn.standalone)) > 1:
        # "… đã giao bao nhiêu nhiệm vụ, đã hoàn thành bao nhiêu và còn bao nhiêu …": figures a text reports, not
        # the items of one of its parts
        return None
    doc = index.documents_by_id[next(iter(scope))]
    noun = _noun(question_kinds.words_said(m))
    found = next((p for p in _parts(c for c in index.chunks if c.doc_id == doc.doc_id) if _names(p[0][-1], noun)), None)
    if found is None or not _in_order(list(found[1])):
        return None  # no such part, or one read in part: never a short count (nor another part's)
    path, items = found
    title = uncapped(strip_marker(path[-1]))
    citations, cited = [], {}
    lines = [f"**{doc.label}** — phần “{title}” gồm {len(items)} mục:"]
    for heading, chunk in items.items():
        lines.append(f"- {_written(heading, chunk.text)} [{cite(cited, citations, chunk, doc)}]")
    return listed(turn, lines, citations, "records")


def _parts(chunks) -> list[tuple[tuple[str, ...], dict[str, object]]]:
    """Every part of a document that has items under it ("II. Nội dung" › "1. Tổ chức tuyên truyền …", at any
    depth: "Điều 1 › II. Nhiệm vụ, giải pháp › 1. …"), with its items in order and the first chunk under each,
    shallowest first and the text before its appendices. Items are the labels one level down of each chunk's
    section path that carry a number or a letter: a numbered heading, or a numbered paragraph the structure
    reader kept as an item ("1. Đổi mới tư duy, … ; hình thành …" written as one paragraph). An item is shown
    by its whole heading where the chunk has one at that depth, else by its (shortened) section label."""
    tree: dict[tuple[str, ...], dict[str, object]] = {}
    shown: dict[tuple[str, ...], str] = {}
    tops: dict[str, str] = {}
    for c in chunks:
        labels = tuple(piece_of(c.section).split(" › "))
        if labels[0].startswith((INTRO_SECTION, SIGNATURE_SECTION)):
            continue
        headings = c.heading.split(" › ") if c.heading else []
        tops.setdefault(labels[0], headings[0] if headings else labels[0])  # "PHỤ LỤC I …" as written
        for depth in range(1, len(labels)):
            marker = MARKER.match(labels[depth] + " ")
            if marker and not marker.group("dash"):
                tree.setdefault(labels[:depth], {}).setdefault(labels[depth], c)
                whole = headings[depth] if len(headings) > depth else ""
                if whole.startswith(marker.group(0).strip()):
                    shown.setdefault(labels[: depth + 1], whole)
    parts = [(path, {shown.get((*path, label), label): c for label, c in items.items()})
             for path, items in tree.items()]
    return sorted(parts, key=lambda p: (_in_appendix(tops[p[0][0]]), len(p[0])))


def _in_appendix(label: str) -> bool:
    """Whether a top heading is an appendix ("Phụ lục I. …", "PHỤ LỤC II …"), as ingest/structure.py reads one."""
    found = legal_heading(label)
    return bool(found) and found[0] == APPENDIX


def _written(heading: str, text: str, limit: int = 300) -> str:
    """An item's heading whole, as its passage writes it: the section path keeps a long one cut ("1. Hoàn thiện hạ tầng
    công nghệ thông tin và phần mềm quản…"), the passage's first line holds all of it, to its first ":", ";" or "."."""
    heading = " ".join(heading.split())
    short = heading.rstrip("…").strip()
    first = " ".join(text.strip().split("\n")[0].split())
    if not heading.endswith("…") or not first.startswith(short):
        return heading
    end = re.search(r"[:;.](?:\s|$)", first[len(short):])  # a numbered paragraph goes on after its heading
    first = first[: len(short) + end.start()] if end else first
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + " …"


def _in_order(headings: list[str]) -> bool:
    """Whether items are numbered from the first without a gap: 1, 2, 3 / I, II / a, b. A heading whose items
    skip a number was read in part."""
    marks = [MARKER.match(h + " ") for h in headings]
    seq = []
    for m in marks:
        if m.group("num") and "." not in m.group("num"):
            seq.append(int(m.group("num")))
        elif m.group("roman"):
            seq.append(_ROMAN.index(m.group("roman")) + 1 if m.group("roman") in _ROMAN else 0)
        elif m.group("letter"):
            seq.append(_LETTERS.index(m.group("letter")) + 1 if m.group("letter") in _LETTERS else 0)
        else:
            return False
    return bool(seq) and seq == list(range(1, len(seq) + 1))


_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")
_LETTERS = "abcdđeghiklmnopqrstuvxy"  # the letters items run through (Vietnamese order, "đ" after "d")


def _noun(said: str) -> str:
    """The folded noun a count asks for: "gồm bao nhiêu nội dung công việc" -> "noi dung cong viec"."""
    asked = question_kinds.find("how_many", said)
    return " ".join(fold(said[asked.end():] if asked else said).split())


def _names(heading: str, noun: str) -> bool:
    """Whether a part's heading is called by the noun asked, or by its head: "Nội dung" by "nội dung công
    việc", "Nhiệm vụ, giải pháp" by "nhóm nhiệm vụ"."""
    title = f" {fold(strip_marker(heading))} "
    words = noun.split()
    if words[:1] == ["nhom"] and len(words) > 1:
        words = words[1:]
    return any(f" {' '.join(words[:k])} " in title.replace(",", " ") for k in range(len(words), 1, -1)) or (
        len(words) == 1 and f" {words[0]} " in title)
