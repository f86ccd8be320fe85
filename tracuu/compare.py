"""`tracuu compare`, `GET /v1/compare` and the "So sánh" tab: two documents item by item, as the Markdown
tables an official pastes into a report, JSON, or an office file. The comparison itself is
assistant/compare.py, which also answers questions such as "Kế hoạch 2025 khác gì kế hoạch 2021?"."""

from __future__ import annotations

from assistant.compare import KINDS, CompareError, Comparison, Pair, _names, compare as _compare, records_of  # noqa: F401
from tracuu.errors import TracuuError


def compare(index, embedder, name_a: str, name_b: str, agency: str | None = None) -> Comparison:
    """assistant.compare.compare, its errors (a name that matches no document, or two) as TracuuError."""
    try:
        return _compare(index, embedder, name_a, name_b, agency)
    except CompareError as e:
        raise TracuuError(str(e)) from None


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
