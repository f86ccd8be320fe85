"""`tracuu duties`: who must do what, by when, across all plans — printed, or exported to
CSV / Excel / Word / JSON. No model is loaded: the table is read off the index by rules.

    tracuu duties --agency "so y te"
    tracuu duties --due-in 2025-12 --format xlsx --out thang-12.xlsx
    tracuu duties --plan can-tho_kh-153-ubnd_2025.txt --format json

`--format json` is a contract other tools read: a list of objects with exactly the fields of
ingest.duties.Duty, the deadline as an ISO date (or null) and the recurrence as a string.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import textwrap
from pathlib import Path

from tracuu.errors import TracuuError

FORMATS = ("table", "csv", "xlsx", "docx", "json")
_DEFAULT_OUT = {"xlsx": "nhiem-vu.xlsx", "docx": "nhiem-vu.docx"}


def add_duties_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "duties", help="bảng nhiệm vụ: cơ quan nào phải làm gì, hạn khi nào (không gọi mô hình ngôn ngữ)"
    )
    p.add_argument("--agency", metavar="TÊN", help="chỉ cơ quan này: tên, tên viết tắt, ngành hoặc một phần tên, "
                   "có dấu hay không dấu (ví dụ 'Sở Y tế', 'so y te', 'y tế', 'CA TP')")
    p.add_argument("--plan", metavar="FILE", help="chỉ kế hoạch này: tên tệp, mã hoặc một phần tên (ví dụ 'vinh-yen')")
    p.add_argument("--due-before", metavar="NGÀY", help="chỉ việc đến hạn trước hoặc đúng ngày này (2025-12-31 hoặc 31/12/2025)")
    p.add_argument("--due-in", metavar="YYYY-MM", help="chỉ việc đến hạn trong tháng này (2025-12 hoặc 12/2025)")
    p.add_argument("--format", choices=FORMATS, default="table", help="table (mặc định), csv, xlsx, docx, json")
    p.add_argument("--out", type=Path, metavar="FILE", help="ghi ra tệp (xlsx/docx mặc định nhiem-vu.xlsx/.docx)")
    p.set_defaults(func=cmd_duties)
    return p


def cmd_duties(args) -> int:
    rows = _rows(args)
    fmt = args.format
    out = args.out or (Path(_DEFAULT_OUT[fmt]) if fmt in _DEFAULT_OUT else None)
    if fmt == "json":
        write_json(rows, out)
    elif fmt == "csv":
        write_csv(rows, out)
    elif fmt == "xlsx":
        write_xlsx(rows, out)
    elif fmt == "docx":
        write_docx(rows, out, _describe(args))
    else:
        _emit(render_table(rows, shutil.get_terminal_size((120, 24)).columns), out)
    if out:
        print(f"Đã ghi {len(rows)} nhiệm vụ vào {out}", file=sys.stderr)
    if not rows:
        print(f"Không có nhiệm vụ nào khớp ({_describe(args) or 'không lọc'}).", file=sys.stderr)
    return 0


def _rows(args):
    """The matching duties: from a running tracuu server if there is one (tracuu.client), else read off
    the index here (tracuu.services)."""
    from tracuu import services
    from tracuu.client import Unavailable, connect, fall_back
    from tracuu.settings import Settings

    settings = Settings.from_env()
    client = connect(settings)
    if client is not None:
        try:
            found = client.duties(args.agency, args.plan, args.due_before, args.due_in)
            return [services.duty_from_json(row) for row in found]
        except Unavailable as exc:
            fall_back(client, exc)
    return services.duty_rows(settings, args.agency, args.plan, args.due_before, args.due_in)


def render_table(rows, width: int = 120) -> str:
    """The duties as a text table for the terminal, grouped by plan, long duties shortened."""
    from assistant.duties_table import agency_label, deadline_label

    widths = {"STT": 4, "Cơ quan": 28, "Vai trò": 9, "Thời hạn": 22}
    widths["Nhiệm vụ"] = max(30, width - sum(widths.values()) - 3 * len(widths) - 1)
    rule = "-+-".join("-" * w for w in widths.values())
    lines: list[str] = []
    plan = None
    for n, d in enumerate(rows, 1):
        if d.plan_label != plan:
            plan = d.plan_label
            count = sum(1 for r in rows if r.plan_label == plan)
            header = " | ".join(h.ljust(w) for h, w in widths.items()).rstrip()
            lines += ["", f"{plan} — {count} nhiệm vụ", header, rule]
        text = d.text if len(d.text) <= 320 else d.text[:319] + "…"
        cells = [str(n), agency_label(d), d.role, deadline_label(d), text]
        wrapped = [textwrap.wrap(c, w) or [""] for c, w in zip(cells, widths.values())]
        for i in range(max(len(w) for w in wrapped)):
            cols = ((w[i] if i < len(w) else "").ljust(x) for w, x in zip(wrapped, widths.values()))
            lines.append(" | ".join(cols).rstrip())
        lines.append("")
    return "\n".join(lines).strip("\n") + "\n" if lines else ""


def write_json(rows, out: Path | None) -> None:
    """The `--format json` contract: a list of Duty.to_json() objects."""
    _emit(json.dumps([d.to_json() for d in rows], ensure_ascii=False, indent=1) + "\n", out)


def write_csv(rows, out: Path | None) -> None:
    """UTF-8 with a BOM, so Excel opens the Vietnamese text correctly."""
    import csv
    import io

    from assistant.duties_table import COLUMNS, table_rows

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerows(table_rows(rows))
    data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if out:
        _save(lambda: out.write_bytes(data), out)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def write_xlsx(rows, out: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from assistant.duties_table import COLUMNS, table_rows

    wb = Workbook()
    ws = wb.active
    ws.title = "Nhiệm vụ"
    ws.append(list(COLUMNS))
    for row in table_rows(rows):
        ws.append(list(row.values()))
    widths = {"STT": 6, "Nhiệm vụ": 80, "Trích dẫn": 80, "Kế hoạch": 30, "Mục": 40}
    for i, name in enumerate(COLUMNS, 1):
        letter = ws.cell(row=1, column=i).column_letter
        ws.column_dimensions[letter].width = widths.get(name, 22)
        ws.cell(row=1, column=i).font = Font(bold=True)
    for line in ws.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    _save(lambda: wb.save(out), out)


def write_docx(rows, out: Path, filters: str = "") -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    from assistant.duties_table import deadline_label

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    doc.add_heading("Bảng nhiệm vụ theo các kế hoạch", level=1)
    doc.add_paragraph(f"{len(rows)} nhiệm vụ" + (f" — {filters}" if filters else ""))
    headers = ["STT", "Kế hoạch", "Cơ quan", "Vai trò", "Nhiệm vụ", "Thời hạn", "Mục"]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, headers):
        cell.text = name
        cell.paragraphs[0].runs[0].bold = True
    for n, d in enumerate(rows, 1):
        cells = table.add_row().cells
        values = [str(n), d.plan_label, d.canonical, d.role, d.text, deadline_label(d), d.section]
        for cell, value in zip(cells, values):
            cell.text = value
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(9)
    _save(lambda: doc.save(str(out)), out)


def _save(save, out: Path) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        save()
    except OSError as exc:
        raise TracuuError(f"Không ghi được {out} ({exc.strerror or exc}) — kiểm tra đường dẫn, quyền ghi, "
                          "hoặc đóng tệp nếu nó đang mở trong Excel/Word.") from exc


def _emit(text: str, out: Path | None) -> None:
    if out:
        _save(lambda: out.write_text(text, encoding="utf-8"), out)
    else:
        sys.stdout.write(text)


def _describe(args) -> str:
    from assistant.duties_table import describe_filters

    return describe_filters(args.agency, args.plan, args.due_before, args.due_in)
