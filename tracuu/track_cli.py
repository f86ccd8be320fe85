"""`tracuu track`: follow the tasks of the plans to their deadlines, and `tracuu compare`. No model is
loaded by `track`: the tasks are the duties table of the index (tracuu.track), their statuses are in the
follow-up store (tracuu.track_store).

    tracuu track list --agency "công an phường" --overdue
    tracuu track set 3f9a1c2b7d --status "đang thực hiện" --note "đã họp triển khai" --by binh
    tracuu track report --agency "Công an phường" --period 11/2025 --format docx --out bao-cao.docx
    tracuu track calendar --agency "Công an phường" --out han.ics
    tracuu track backup theo-doi-2026-12-04.sqlite
    tracuu compare vinh-yen_kh-ubnd_2021.txt tan-hung-hai-phong_kh-ubnd_2025.txt --agency "công an"
"""

from __future__ import annotations

import getpass
import json
import shutil
import sys
import textwrap
from datetime import date, datetime, timezone
from pathlib import Path

from tracuu.errors import TracuuError


def add_track_parsers(subparsers) -> None:
    t = subparsers.add_parser("track", help="theo dõi nhiệm vụ: trạng thái, quá hạn, báo cáo định kỳ, lịch hạn")
    tsub = t.add_subparsers(title="việc", metavar="VIỆC")
    t.set_defaults(func=lambda args: t.print_help() or 0)
    ls = tsub.add_parser("list", help="các nhiệm vụ với mã, thời hạn và trạng thái")
    _agency(ls)
    ls.add_argument("--plan", metavar="FILE", help="chỉ kế hoạch này: tên tệp, mã hoặc một phần tên")
    ls.add_argument("--due-in", metavar="MM/YYYY", help="chỉ việc đến hạn trong tháng này (12/2025 hoặc 2025-12)")
    ls.add_argument("--overdue", action="store_true", help="chỉ việc quá hạn mà chưa hoàn thành")
    ls.add_argument("--format", choices=("table", "json"), default="table", help="table (mặc định) hoặc json")
    ls.set_defaults(func=cmd_list)
    st = tsub.add_parser("set", help="đặt trạng thái một nhiệm vụ (giữ lịch sử)")
    st.add_argument("task_id", metavar="MÃ", help="mã nhiệm vụ (cột đầu của `tracuu track list`)")
    st.add_argument("--status", required=True, metavar="TRẠNG_THÁI",
                    help="chưa thực hiện | đang thực hiện | đã hoàn thành (có dấu hay không dấu)")
    st.add_argument("--note", default="", help="ghi chú: đã làm gì, vướng gì")
    st.add_argument("--by", default="", metavar="TÊN", help="người cập nhật (mặc định: tên người dùng máy)")
    st.set_defaults(func=cmd_set)
    sh = tsub.add_parser("show", help="một nhiệm vụ và lịch sử trạng thái của nó")
    sh.add_argument("task_id", metavar="MÃ")
    sh.set_defaults(func=cmd_show)
    rp = tsub.add_parser("report", help="báo cáo định kỳ của một cơ quan: nhiệm vụ đến hạn trong kỳ, quá hạn "
                         "và thường xuyên, theo văn bản và mục, có tình hình và ghi chú")
    _agency(rp, required=True)
    rp.add_argument("--period", required=True, metavar="MM/YYYY", help="kỳ báo cáo (tháng): 11/2025")
    rp.add_argument("--format", choices=("docx", "xlsx"), default="docx")
    rp.add_argument("--out", type=Path, metavar="FILE", help="tệp ra (mặc định bao-cao-MM-YYYY.docx/.xlsx)")
    rp.set_defaults(func=cmd_report)
    cal = tsub.add_parser("calendar", help="lịch các hạn (.ics); việc định kỳ thành sự kiện lặp lại")
    _agency(cal)
    cal.add_argument("--out", type=Path, default=Path("han-nhiem-vu.ics"), metavar="FILE.ics")
    cal.set_defaults(func=cmd_calendar)
    bk = tsub.add_parser("backup", help="sao lưu sổ theo dõi (SQLite) ra một tệp, kể cả khi đang có người ghi")
    bk.add_argument("out", type=Path, metavar="FILE")
    bk.set_defaults(func=cmd_backup)

    from tracuu.compare import add_compare_parser

    add_compare_parser(subparsers)


def _agency(p, required: bool = False) -> None:
    p.add_argument("--agency", required=required, metavar="TÊN",
                   help="cơ quan: tên, viết tắt hoặc một phần tên, có dấu hay không dấu ('Công an phường', 'so y te')")


def _open(args):
    from tracuu.settings import Settings
    from tracuu.track_store import open_store

    settings = Settings.from_env()
    return settings, open_store(settings)


def cmd_list(args) -> int:
    from tracuu.track import load_tasks

    settings, store = _open(args)
    tasks = load_tasks(settings, store, date.today(), args.agency, args.plan, args.due_in, args.overdue)
    if args.format == "json":
        print(json.dumps([t.to_json() for t in tasks], ensure_ascii=False, indent=1))
    else:
        sys.stdout.write(render_tasks(tasks, shutil.get_terminal_size((120, 24)).columns))
    if not tasks:
        print("Không có nhiệm vụ nào khớp bộ lọc.", file=sys.stderr)
    return 0


def render_tasks(tasks, width: int = 120) -> str:
    """The tasks as a text table, grouped by plan."""
    from assistant.duties_table import deadline_label

    widths = {"Mã": 10, "Cơ quan": 24, "Thời hạn": 18, "Trạng thái": 16}
    widths["Nhiệm vụ"] = max(30, width - sum(widths.values()) - 3 * len(widths) - 1)
    lines, plan = [], None
    for t in tasks:
        if t.duty.plan_label != plan:
            plan = t.duty.plan_label
            lines += ["", plan, " | ".join(h.ljust(w) for h, w in widths.items()).rstrip(),
                      "-+-".join("-" * w for w in widths.values())]
        text = t.duty.text if len(t.duty.text) <= 240 else t.duty.text[:239] + "…"
        cells = [t.task_id, f"{t.duty.canonical} ({t.duty.role})", deadline_label(t.duty), t.situation(), text]
        wrapped = [textwrap.wrap(c, w) or [""] for c, w in zip(cells, widths.values())]
        for i in range(max(len(w) for w in wrapped)):
            lines.append(" | ".join((w[i] if i < len(w) else "").ljust(x) for w, x in zip(wrapped, widths.values())).rstrip())
    return "\n".join(lines).strip("\n") + "\n" if lines else ""


def cmd_set(args) -> int:
    from tracuu.track import find_task

    settings, store = _open(args)
    task = find_task(settings, store, args.task_id, date.today())
    entry = store.set_status(task.task_id, args.status, args.note, args.by or getpass.getuser(),
                             cited=f"{task.cited} — {task.duty.canonical}: {task.duty.text[:200]}")
    print(f"Đã đặt {task.task_id} “{task.duty.text[:80]}” → {entry.status} ({entry.set_by}, {entry.set_at}).")
    return 0


def cmd_show(args) -> int:
    from tracuu.track import find_task

    settings, store = _open(args)
    task = find_task(settings, store, args.task_id, date.today())
    print(f"{task.task_id}  {task.duty.canonical} ({task.duty.role})\n{task.duty.text}\nVăn bản giao: {task.cited}")
    print(f"Thời hạn: {task.duty.deadline_text or 'không nêu'}   Tình hình: {task.situation()}")
    for e in store.history(task.task_id):
        print(f"  {e.set_at}  {e.status}  ({e.set_by})  {e.note}")
    return 0


def cmd_report(args) -> int:
    from assistant.duties_table import month_span, parse_month
    from ingest.canonical import lookup
    from ingest.deadlines import due_between
    from tracuu.track import load_tasks, of_period

    settings, store = _open(args)
    year, month = parse_month(args.period)
    every = load_tasks(settings, store, date.today(), args.agency)
    if not every:
        raise TracuuError(f"Không có nhiệm vụ nào của “{args.agency}” — xem tên cơ quan bằng "
                          "`tracuu duties` hoặc `tracuu track list`, rồi chạy lại.")
    tasks = of_period(every, year, month)
    bodies = sorted({t.duty.canonical for t in tasks})
    body = bodies[0] if len(bodies) == 1 else (lookup(args.agency).canonical if lookup(args.agency).known else args.agency)
    first, last = month_span(year, month)
    today = date.today()
    due = sum(1 for t in tasks if t.duty.deadline and due_between(t.duty.deadline, max(first, t.start), last))
    head = [body.upper(), "BÁO CÁO", f"Tình hình thực hiện nhiệm vụ được giao tháng {month:02d}/{year}",
            f"Kỳ báo cáo: {first:%d/%m/%Y} – {last:%d/%m/%Y}. {len(tasks)} nhiệm vụ theo "
            f"{len({t.duty.doc_id for t in tasks})} văn bản: {due} đến hạn trong kỳ, "
            f"{sum(1 for t in tasks if t.overdue)} quá hạn, còn lại thực hiện thường xuyên hoặc không nêu hạn. "
            f"Tình hình theo sổ theo dõi đến ngày {today:%d/%m/%Y}."]
    groups = report_groups(tasks)
    out = args.out or Path(f"bao-cao-{month:02d}-{year}.{args.format}")
    write_office(out, args.format, head, REPORT_COLUMNS, groups, today)
    print(f"Đã ghi báo cáo {len(tasks)} nhiệm vụ của {body} tháng {month:02d}/{year} vào {out}", file=sys.stderr)
    return 0


REPORT_COLUMNS = ("STT", "Nhiệm vụ", "Văn bản giao", "Thời hạn", "Tình hình thực hiện", "Ghi chú")


def report_groups(tasks) -> list[tuple[str, list[list[str]]]]:
    """The rows of a report, one per task, under a heading for each document and top-level section."""
    from assistant.duties_table import deadline_label

    groups: list[tuple[str, list[list[str]]]] = []
    for n, t in enumerate(sorted(tasks, key=lambda t: (t.duty.plan_label, t.duty.section)), 1):
        d = t.duty
        heading = f"{d.plan_label} — {d.section.split(' › ')[0]}"
        if not groups or groups[-1][0] != heading:
            groups.append((heading, []))
        role = "" if d.role == "chủ trì" else f" ({d.role})"
        when = f"; cập nhật {t.entry.set_at[:10]} ({t.entry.set_by})" if t.entry else ""
        groups[-1][1].append([str(n), d.text + role, f"{d.plan_label}, mục {d.section}",
                              deadline_label(d) or (d.deadline_text or ""), t.situation() + when,
                              t.entry.note if t.entry else ""])
    return groups


def write_office(out: Path, fmt: str, head: list[str], columns, groups, today: date) -> None:
    """A table the way offices lay it out: the body and the national motto side by side, a title, a line
    on what it covers, then the table with a heading row for each group. head = [body, title, subtitle, about]."""
    from tracuu.duties_cli import _save

    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        wb = Workbook()
        ws = wb.active
        ws.title = "Báo cáo"
        for line in (head[0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM — Độc lập - Tự do - Hạnh phúc", *head[1:], ""):
            ws.append([line])
            ws.cell(row=ws.max_row, column=1).font = Font(bold=line in head[:3])
        ws.append(list(columns))
        top = ws.max_row
        for cell in ws[top]:
            cell.font = Font(bold=True)
        for title, rows in groups:
            ws.append([title])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(columns))
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True, italic=True)
            for row in rows:
                ws.append(row)
        for i, width in enumerate((6, 70, 45, 20, 30, 30)[:len(columns)], 1):
            ws.column_dimensions[ws.cell(row=top, column=i).column_letter].width = width
        for line in ws.iter_rows(min_row=top + 1):
            for cell in line:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        _save(lambda: wb.save(out), out)
        return
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    banner = doc.add_table(rows=1, cols=2)
    left, right = banner.rows[0].cells
    left.paragraphs[0].add_run(head[0]).bold = True
    right.paragraphs[0].add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").bold = True
    right.add_paragraph().add_run("Độc lập - Tự do - Hạnh phúc").bold = True
    right.add_paragraph().add_run(f"ngày {today.day:02d} tháng {today.month:02d} năm {today.year}").italic = True
    for cell in (left, right):
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, bold in ((head[1], True), (head[2], True)):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(text).bold = bold
    doc.add_paragraph(head[3])
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, columns):
        cell.paragraphs[0].add_run(name).bold = True
    for title, rows in groups:
        cells = table.add_row().cells
        merged = cells[0].merge(cells[-1])
        merged.paragraphs[0].add_run(title).bold = True
        for row in rows:
            for cell, value in zip(table.add_row().cells, row):
                cell.paragraphs[0].add_run(value).font.size = Pt(10)
    doc.add_paragraph()
    sign = doc.add_paragraph("Nơi nhận:\n- Như trên;\n- Lưu: VT.")
    sign.runs[0].font.size = Pt(10)
    _save(lambda: doc.save(str(out)), out)


def cmd_calendar(args) -> int:
    from tracuu.track import calendar_ics, load_tasks

    settings, store = _open(args)
    tasks = load_tasks(settings, store, date.today(), args.agency)
    name = f"Hạn nhiệm vụ — {args.agency}" if args.agency else "Hạn nhiệm vụ"
    text = calendar_ics(tasks, name, datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
    from tracuu.duties_cli import _save

    _save(lambda: args.out.write_bytes(text.encode("utf-8")), args.out)
    print(f"Đã ghi {text.count('BEGIN:VEVENT')} hạn vào {args.out}", file=sys.stderr)
    return 0


def cmd_backup(args) -> int:
    _, store = _open(args)
    store.backup(args.out)
    print(f"Đã sao lưu sổ theo dõi {store.url} vào {args.out}", file=sys.stderr)
    return 0
