"""Compare two documents item by item: which tasks and targets the second adds, drops, keeps or changes
(a deadline moved, a figure raised from 50 % to 70 %, a body's role), each side cited by plan and section.

    result = compare(index, embedder, "kh-2021.txt", "kh-2025.txt", agency="công an")
    print(tracuu.compare.to_markdown(result))

Items are the records of the index (ingest/records.py) that assign work or set a target. They are paired
by meaning, with the index's own embedder (index/embedder.py, the query path), and by body: a pair whose
bodies are the same body or the same sector at another level (Công an thành phố ↔ Công an phường, Sở Y
tế ↔ Trạm y tế: the lexicon, ingest/data/bodies.tsv) counts as closer. Two items are a pair when each is
the other's closest and their similarity stands out from the rest: `Z_PAIR` robust standard deviations
(median absolute deviation × 1.4826) above the median similarity of all pairs of the two documents, so
the rule holds for any embedder and for short documents whose few true pairs would pull a mean up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.normalize import fold


KINDS = ("duty", "target", "reporting", "funding")  # the records compared (ingest/records.py KINDS)
Z_PAIR = 2.0  # how far above the median similarity a pair must stand (e5-small: ~0.915 against ~0.885)
Z_BODY = 0.7  # what sharing a body or a sector adds, in the same units
_MEASURE = re.compile(r"%|phần trăm|đồng|triệu|tỷ|người|xã|phường|lượt|mô hình")


class CompareError(ValueError):
    """Two documents that cannot be compared: a name that matches none or several, the same twice, another
    embedder than the index's. Its message says what to do, in Vietnamese."""


@dataclass(frozen=True)
class Pair:
    a: object | None  # ingest.records.Record of the first document (None: added in the second)
    b: object | None  # Record of the second (None: dropped)
    similarity: float = 0.0
    changes: tuple[str, ...] = ()  # "thời hạn: trước ngày 22/11/2021 → trong tháng 5/2025", "50% → 70%"


@dataclass
class Comparison:
    a: object  # ingest.document.Document
    b: object
    agency: str | None
    changed: list[Pair] = field(default_factory=list)
    added: list[Pair] = field(default_factory=list)
    dropped: list[Pair] = field(default_factory=list)
    kept: list[Pair] = field(default_factory=list)


def find_document(documents, name: str):
    """A document by its id, its file name, or a part of its file name or label that names one only."""
    from ingest.normalize import fold

    exact = [d for d in documents if name in (d.doc_id, d.file)]
    q = " ".join(fold(name).split())
    found = exact or [d for d in documents if q and (q in fold(d.file) or q in fold(d.label))]
    if len(found) != 1:
        files = ", ".join(sorted(d.file for d in documents)) or "không có"
        what = "khớp nhiều văn bản" if found else "không khớp văn bản nào"
        raise CompareError(f"“{name}” {what} — ghi tên tệp hoặc mã như `tracuu duties` hiện: {files}.")
    return found[0]


def _bodies(record) -> set[str]:
    """The bodies an item addresses, each as its base name and its sectors (levels aside)."""
    from ingest.canonical import lookup

    out = set()
    for d in record.duties:
        out.add("body:" + lookup(d.canonical).base)
        out |= {"sector:" + s for s in (d.sector or "").split("; ") if s}
    return out


def _asked(duty, agency: str) -> bool:
    """Whether a duty row is the body asked about, at any level: the same body or its sector."""
    from assistant.duties_table import agency_matches
    from ingest.canonical import lookup

    asked = lookup(agency)
    wanted = ({"body:" + asked.base} | {"sector:" + s for s in (asked.sector or "").split("; ") if s}) \
        if asked.known else set()
    have = {"body:" + lookup(duty.canonical).base} | {"sector:" + s for s in (duty.sector or "").split("; ") if s}
    return agency_matches(agency, duty) or bool(wanted & have)


def _addressed(record, agency: str) -> bool:
    return any(_asked(d, agency) for d in record.duties)


def records_of(index, doc, agency: str | None) -> list:
    records = getattr(index, "records", None)
    if records is None:
        from ingest.records import extract_records

        records = extract_records(index.documents, index.chunks)
    return [r for r in records if r.doc_id == doc.doc_id and r.kind in KINDS and (not agency or _addressed(r, agency))]


def compare(index, embedder, name_a: str, name_b: str, agency: str | None = None) -> Comparison:
    """The items of two documents of a loaded index (index.store.StoredIndex), named as `find_document`
    reads a name, set side by side."""
    return compare_documents(index, embedder, find_document(index.documents, name_a),
                             find_document(index.documents, name_b), agency)


def compare_documents(index, embedder, doc_a, doc_b, agency: str | None = None) -> Comparison:
    """The items of two documents (ingest.document.Document) of a loaded index, paired."""
    import numpy as np

    if index.manifest.get("embed_model") not in (None, embedder.name):
        raise CompareError(f"Chỉ mục được lập với mô hình {index.manifest.get('embed_model')}, không phải "
                           f"{embedder.name} — dùng cùng mô hình, hoặc chạy `tracuu ingest --rebuild`.")
    if doc_a.doc_id == doc_b.doc_id:
        raise CompareError("Hai văn bản cần so sánh là một — chọn hai văn bản khác nhau.")
    result = Comparison(doc_a, doc_b, agency)
    side_a, side_b = records_of(index, doc_a, agency), records_of(index, doc_b, agency)
    if not side_a or not side_b:
        result.dropped, result.added = [Pair(r, None) for r in side_a], [Pair(None, r) for r in side_b]
        return result
    va = np.stack([embedder.embed_query(r.text) for r in side_a])
    vb = np.stack([embedder.embed_query(r.text) for r in side_b])
    sim = va @ vb.T
    middle = float(np.median(sim))
    spread = 1.4826 * float(np.median(np.abs(sim - middle))) or 1.0
    body_a, body_b = [_bodies(r) for r in side_a], [_bodies(r) for r in side_b]
    shared = np.array([[bool(x & y) for y in body_b] for x in body_a], dtype=float)
    score = (sim - middle) / spread + Z_BODY * shared
    pairs: dict[int, int] = {}
    for i in range(len(side_a)):
        j = int(score[i].argmax())
        if int(score[:, j].argmax()) == i and score[i, j] >= Z_PAIR:
            pairs[i] = j
    for i, j in pairs.items():
        pair = Pair(side_a[i], side_b[j], float(sim[i, j]), changes(side_a[i], side_b[j]))
        (result.changed if pair.changes else result.kept).append(pair)
    taken = set(pairs.values())
    result.dropped = [Pair(r, None) for i, r in enumerate(side_a) if i not in pairs]
    result.added = [Pair(None, r) for j, r in enumerate(side_b) if j not in taken]
    return result


def changes(a, b) -> tuple[str, ...]:
    """What differs between two paired items: the deadline, the figures of a target, a body's role."""
    out = []
    when_a, when_b = _deadline(a), _deadline(b)
    if when_a != when_b:
        out.append(f"thời hạn: {when_a or 'không nêu'} → {when_b or 'không nêu'}")
    fig_a, fig_b = _measures(a), _measures(b)
    if fig_a != fig_b and (fig_a or fig_b):
        out.append(f"chỉ tiêu, số liệu: {', '.join(fig_a) or 'không có'} → {', '.join(fig_b) or 'không có'}")
    if _bodies(a) and _bodies(b) and not _bodies(a) & _bodies(b):
        out.append(f"cơ quan: {_names(a)} → {_names(b)}")
    roles_a = {_bodies_of(d): d.role for d in a.duties}
    for d in b.duties:
        before = roles_a.get(_bodies_of(d))
        if before and before != d.role:
            out.append(f"vai trò của {d.canonical}: {before} → {d.role}")
    return tuple(out)


def _deadline(record) -> str:
    deadline = next((d.deadline for d in record.duties if d.deadline), None)
    text = deadline.describe() if deadline else (record.deadline_text or "")
    return text[:1].lower() + text[1:]


def _measures(record) -> list[str]:
    """The figures of an item that measure something (a share, an amount, a count), not years or numbers."""
    return [f for f in record.figures if _MEASURE.search(f)]


def _names(record, agency: str | None = None) -> str:
    """The bodies of an item with their roles; only those asked about when a body is."""
    duties = [d for d in record.duties if not agency or _asked(d, agency)]
    return "; ".join(dict.fromkeys(f"{d.canonical} ({d.role})" for d in duties))


def _bodies_of(duty) -> str:
    from ingest.canonical import lookup

    return lookup(duty.canonical).base


# -- a question that compares two documents -----------------------------------------------------------
MAX_LISTED = 12  # items quoted per outcome in an answer; the rest are counted, `tracuu compare` lists them all
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def answer(turn, index, embedder):
    """"Kế hoạch năm 2025 khác gì kế hoạch 2021 về cai nghiện?", "So với kế hoạch của thành phố, phường
    phải làm thêm gì?": the two documents the question names (by number, year, place, level or kind),
    compared by `compare_documents`, the outcomes listed by code, each item cited. The side named after
    "so với" or after "khác …" is the one compared against (A). None when the question compares nothing,
    or does not name two documents of the index (the caller goes on as for any question)."""
    from assistant import question_kinds
    from assistant.listings import cite, listed

    m = question_kinds.find("compare", turn.standalone)
    if m is None:
        return None
    text, phrase, topic = _topic(question_kinds.read_text(m))  # the question as the phrasings read it (NFC, lower case)
    base, other = _sides(text, m)
    docs = _scoped(turn, index)
    side_a, side_b = _named(base, docs), _named(other, docs)
    if side_a is None and (pair := _pair(other)):  # "X và Y khác nhau thế nào?"
        side_a, side_b = _named(pair[0], docs), _named(pair[1], docs)
    if side_a is None or side_b is None:
        return None
    side_a, side_b = _narrowed(side_a, side_b), _narrowed(side_b, side_a)
    if len(side_a) != 1 or len(side_b) != 1 or side_a[0].doc_id == side_b[0].doc_id:
        return _which(turn, side_a, side_b)
    agency = _agency(turn.intent)
    result = compare_documents(index, embedder, side_a[0], side_b[0], agency)
    if topic:
        for name, _ in OUTCOMES:
            setattr(result, name, [p for p in getattr(result, name) if _about(p, topic)])
    return _listing(turn, index, result, phrase, cite, listed)


def _sides(text: str, m) -> tuple[str, str]:
    """(the part naming the document compared against, the part naming the other): "So với X, Y …" and
    "Y so với X …" -> (X, Y); "Y khác gì X" -> (X, Y)."""
    folded = fold(text)
    at = re.search(r"\bso voi\b", folded)
    if at:
        comma = folded.find(",", at.end())
        end = comma if comma > 0 else len(text)
        return text[at.end():end], text[:at.start()] + " " + text[end:]
    return text[m.end():], text[:m.start()]


def _pair(text: str) -> tuple[str, str] | None:
    """"X và Y" -> (X, Y), at the last "và"."""
    pair = re.search(r"^(.*)\bva\b(.*)$", fold(text))
    return (text[:pair.end(1)], text[pair.start(2):]) if pair else None


OUTCOMES = (("changed", "Thay đổi"), ("added", "Mới ở B"), ("dropped", "Có ở A, không còn ở B"), ("kept", "Giữ nguyên"))


def _topic(text: str) -> tuple[str, str, list[str]]:
    """The question without its closing "về …" (the subject asked about), that subject as written, and
    its content words folded (a word typed without diacritics is kept: "cai" may be "cai nghiện")."""
    from ingest.lexicon import is_stop

    m = re.search(r"\bve ((?:\w+ ?)+)\W*$", fold(text))  # spans of the folded text are the text's
    if m is None:
        return text, "", []
    phrase = text[m.start(1):m.end(1)].strip()
    return text[:m.start()], phrase, [fold(w) for w in phrase.split() if len(w) > 1 and not (is_stop(w) and fold(w) != w)]


def _about(pair, topic: list[str]) -> bool:
    """Whether either side of a pair holds most of the subject's words."""
    for r in (pair.a, pair.b):
        if r is not None:
            words = set(re.findall(r"\w+", fold(r.text)))
            if sum(w in words for w in topic) * 2 >= len(topic):
                return True
    return False


def _scoped(turn, index) -> list:
    """The documents the question's filters allow (all without filters)."""
    return [d for d in index.documents if turn.filters is None or turn.filters.allows_document(d)]


def _named(text: str, docs) -> list | None:
    """The documents a part of a question names: by number or subject, by place, by year, by the level of
    its locality ("phường", "thành phố"), by kind; each named criterion narrows the others. None when the
    part names none."""
    from assistant.intent import kind_words, mentioned_places, mentioned_plans, own_place, words

    folded = words(text)
    found, named = list(docs), False
    for ids in (mentioned_plans(text, docs), mentioned_places(text, docs)):
        if ids:
            found, named = [d for d in found if d.doc_id in ids], True
    levels = _levels(folded)
    if levels:
        found, named = [d for d in found if own_place(d.locality)[0] in levels], True
    kinds = set(re.findall(rf"\b(?:{kind_words()})\b", folded))
    if kinds:
        named = True
        found = [d for d in found if words(d.kind) in kinds or any(k in words(d.form or "") for k in kinds)] or found
    years = {int(y) for y in _YEAR.findall(folded)}
    if years:  # a year narrows what is named; alone ("so với năm 2024") it names no document
        found = [d for d in found if d.year in years]
    return found if named else None


def _levels(folded: str) -> set[str]:
    """The level words a text holds ("thanh pho", "phuong"), as the lexicon's level table writes them."""
    from ingest.lexicon import load

    words = load().level_words
    toks = folded.split()
    return {words[k][0] for n in (2, 1) for i in range(len(toks)) if (k := " ".join(toks[i:i + n])) in words}


def _narrowed(side: list, other: list) -> list:
    """Several documents for one side: those of the other side's place, else of its year, when that leaves some."""
    if len(side) < 2 or len(other) != 1:
        return side
    for same in (lambda d: d.locality == other[0].locality, lambda d: d.year == other[0].year):
        kept = [d for d in side if same(d) and d.doc_id != other[0].doc_id]
        if kept:
            return kept
    return [d for d in side if d.doc_id != other[0].doc_id] or side


def _which(turn, side_a: list, side_b: list):
    """The question names more documents than two, or one twice: say which ones, and how to ask."""
    from assistant.listings import listed

    lines = ["Câu hỏi so sánh hai văn bản, nhưng chưa rõ là hai văn bản nào. Các văn bản khớp:"]
    for name, side in (("văn bản được so với (A)", side_a), ("văn bản so sánh (B)", side_b)):
        lines.append(f"- {name}: " + "; ".join(f"{d.label} (tệp {d.file})" for d in side))
    lines.append("Hãy nêu rõ số hiệu hoặc địa phương của từng văn bản, hoặc chạy "
                 "`tracuu compare TỆP_A TỆP_B`.")
    return listed(turn, lines, [], "compare")


def _agency(intent) -> str | None:
    body = intent.body
    if body is None or not body.known:
        return None
    return body.canonical


def _listing(turn, index, result: Comparison, topic: str, cite, listed):
    docs, chunks = index.documents_by_id, {c.chunk_id: c for c in index.chunks}
    citations, cited = [], {}
    about = f" về {topic}" if topic else ""
    who = f", việc của {result.agency}" if result.agency else ""
    counts = "; ".join(f"{h[0].lower()}{h[1:]}: {len(getattr(result, n))}" for n, h in OUTCOMES)
    lines = [f"So sánh {result.a.label} (A) với {result.b.label} (B){about}{who} — {counts}."]

    def ref(record) -> str:
        return f"[{cite(cited, citations, chunks[record.chunk_id], docs[record.doc_id])}]"

    for name, heading in OUTCOMES[:3]:
        found = [p for p in getattr(result, name) if all(r is None or r.chunk_id in chunks for r in (p.a, p.b))]
        if not found:
            continue
        lines += ["", f"**{heading} ({len(found)}):**"]
        for p in found[:MAX_LISTED]:
            if p.a is not None and p.b is not None:
                lines.append(f"- B: {_short(p.b.text)} {ref(p.b)} — A: {_short(p.a.text)} {ref(p.a)}; "
                             + "; ".join(p.changes))
            else:
                r = p.a or p.b
                lines.append(f"- {_short(r.text)} {ref(r)}")
        if len(found) > MAX_LISTED:
            lines.append(f"- … và {len(found) - MAX_LISTED} mục khác.")
    if not any(getattr(result, n) for n, _ in OUTCOMES):
        lines.append("Hai văn bản không có nhiệm vụ, chỉ tiêu nào" + (f"{about}" if topic else "")
                     + (f" của {result.agency}" if result.agency else "") + " để so sánh.")
    lines += ["", f"Bảng đầy đủ: `tracuu compare {result.a.file} {result.b.file}"
              + (f' --agency "{result.agency}"' if result.agency else "") + "`."]
    return listed(turn, lines, citations, "compare")


def _short(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + " …"
