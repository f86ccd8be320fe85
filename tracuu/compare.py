"""Compare two documents item by item: which tasks and targets the second adds, drops, keeps or changes
(a deadline moved, a figure raised from 50 % to 70 %, a body's role), each side cited by plan and section.

    result = compare(index, embedder, "vinh-yen_kh-ubnd_2021.txt", "tan-hung", agency="công an")
    print(to_markdown(result))

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

from tracuu.errors import TracuuError

KINDS = ("duty", "target", "reporting", "funding")  # the records compared (ingest/records.py KINDS)
Z_PAIR = 2.0  # how far above the median similarity a pair must stand (e5-small: ~0.915 against ~0.885)
Z_BODY = 0.7  # what sharing a body or a sector adds, in the same units
_MEASURE = re.compile(r"%|phần trăm|đồng|triệu|tỷ|người|xã|phường|lượt|mô hình")


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
        raise TracuuError(f"“{name}” {what} — ghi tên tệp hoặc mã như `tracuu duties` hiện: {files}.")
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
    """The items of two documents of a loaded index (index.store.StoredIndex) set side by side."""
    import numpy as np

    if index.manifest.get("embed_model") not in (None, embedder.name):
        raise TracuuError(f"Chỉ mục được lập với mô hình {index.manifest.get('embed_model')}, không phải "
                          f"{embedder.name} — dùng cùng mô hình, hoặc chạy `tracuu ingest --rebuild`.")
    doc_a, doc_b = find_document(index.documents, name_a), find_document(index.documents, name_b)
    if doc_a.doc_id == doc_b.doc_id:
        raise TracuuError("Hai văn bản cần so sánh là một — chọn hai văn bản khác nhau.")
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


# -- output ----------------------------------------------------------------------------------------
def add_compare_parser(subparsers) -> None:
    from pathlib import Path

    c = subparsers.add_parser("compare", help="so sánh hai văn bản: nhiệm vụ, chỉ tiêu thêm, bỏ, giữ, thay đổi")
    c.add_argument("doc_a", metavar="VĂN_BẢN_A", help="tên tệp, mã hoặc một phần tên (văn bản cũ)")
    c.add_argument("doc_b", metavar="VĂN_BẢN_B", help="văn bản mới, hoặc của cấp khác")
    c.add_argument("--agency", metavar="TÊN", help="chỉ việc của cơ quan này, hoặc cùng ngành ở cấp khác")
    c.add_argument("--format", choices=("md", "json", "xlsx", "docx"), default="md")
    c.add_argument("--out", type=Path, metavar="FILE", help="ghi ra tệp (xlsx/docx mặc định so-sanh.xlsx/.docx)")
    c.set_defaults(func=cmd_compare)


def cmd_compare(args) -> int:
    import json
    import sys
    from datetime import date
    from pathlib import Path

    from index.store import read_index
    from tracuu.duties_cli import _emit
    from tracuu.runtime import Runtime

    runtime = Runtime()
    result = compare(read_index(runtime.settings.index_dir), runtime.embedder, args.doc_a, args.doc_b, args.agency)
    if args.format in ("xlsx", "docx"):
        from tracuu.track_cli import write_office

        out = args.out or Path(f"so-sanh.{args.format}")
        counts = "; ".join(f"{h.lower()}: {len(getattr(result, n))}" for n, h in SECTIONS)
        head = [(args.agency or "").upper(), "SO SÁNH", f"{result.a.label} (A) với {result.b.label} (B)", counts]
        columns = ("STT", "Cơ quan", "Văn bản A", "Văn bản B", "Thay đổi")
        write_office(out, args.format, head, columns, rows(result, None), date.today())
        print(f"Đã ghi so sánh vào {out}", file=sys.stderr)
    elif args.format == "json":
        _emit(json.dumps(to_json(result), ensure_ascii=False, indent=1) + "\n", args.out)
    else:
        _emit(to_markdown(result) + "\n", args.out)
    return 0


def record_json(r) -> dict:
    return {"doc_id": r.doc_id, "file": r.file, "plan_label": r.plan_label, "section": r.section,
            "chunk_id": r.chunk_id, "kind": r.kind, "text": r.text, "deadline_text": r.deadline_text,
            "recurrence": r.recurrence, "figures": list(r.figures),
            "bodies": [{"canonical": d.canonical, "role": d.role} for d in r.duties]}


def to_json(result: Comparison) -> dict:
    def side(doc):
        return {"doc_id": doc.doc_id, "file": doc.file, "label": doc.label}

    def pair(p):
        return {"a": record_json(p.a) if p.a else None, "b": record_json(p.b) if p.b else None,
                "similarity": round(p.similarity, 4), "changes": list(p.changes)}

    return {"a": side(result.a), "b": side(result.b), "agency": result.agency,
            **{name: [pair(p) for p in getattr(result, name)] for name in ("changed", "added", "dropped", "kept")}}


SECTIONS = (  # (attribute, heading) in the order a report reads them
    ("changed", "Nhiệm vụ thay đổi"), ("added", "Nhiệm vụ mới"), ("dropped", "Nhiệm vụ không còn"),
    ("kept", "Nhiệm vụ tiếp tục"),
)


def rows(result: Comparison, limit: int | None = 300) -> list[tuple[str, list[list[str]]]]:
    """(heading, rows of STT | Cơ quan | Văn bản A | Văn bản B | Thay đổi) for each outcome."""
    out = []
    for name, heading in SECTIONS:
        found = getattr(result, name)
        body = []
        for n, p in enumerate(found, 1):
            names = [_names(r, result.agency) for r in (p.a, p.b) if r is not None]
            bodies = names[0] if len(set(names)) == 1 else f"A: {names[0] or '—'}; B: {names[1] or '—'}"
            body.append([str(n), bodies or "—", _cell(p.a, "A", limit), _cell(p.b, "B", limit),
                         "; ".join(p.changes) or ("" if p.a and p.b else "—")])
        out.append((f"{heading} ({len(found)})", body))
    return out


def _cell(record, side: str, limit: int | None) -> str:
    if record is None:
        return "—"
    text = record.text if limit is None or len(record.text) <= limit else record.text[:limit - 1] + "…"
    return f"{text} [{side}, mục {record.section}]"


def to_markdown(result: Comparison) -> str:
    """Tables an official pastes into a report: a heading per outcome, each row cited on both sides."""
    a, b = result.a, result.b
    lines = [f"## So sánh {a.label} (A) với {b.label} (B)", "",
             f"- A: {a.label} — tệp {a.file}", f"- B: {b.label} — tệp {b.file}"]
    if result.agency:
        lines.append(f"- Cơ quan: {result.agency} (cùng cơ quan hoặc cùng ngành ở cấp khác)")
    counts = ", ".join(f"{heading.lower()}: {len(getattr(result, name))}" for name, heading in SECTIONS)
    lines += [f"- Kết quả: {counts}", ""]
    for heading, body in rows(result):
        lines += [f"### {heading}", ""]
        if not body:
            lines += ["Không có.", ""]
            continue
        lines += ["| STT | Cơ quan | Văn bản A | Văn bản B | Thay đổi |", "|---:|---|---|---|---|"]
        lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in body]
        lines.append("")
    return "\n".join(lines)


def _md(text: str) -> str:
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")
