"""Duties from the rows of a duty table ("Phụ lục: Phân công nhiệm vụ"), as the readers write them:

    "- STT: 1 · Nội dung nhiệm vụ: … · Cơ quan chủ trì: … · Cơ quan phối hợp: … · Thời gian hoàn thành: …"

The columns are recognised by the words of their headers — document-structure words, not names: the
lead ("chủ trì"), the supporting bodies ("phối hợp"), the body that carries it out when the table has no
lead column ("thực hiện"), the deadline ("thời gian", "thời hạn", "tiến độ", "hoàn thành") and the task
("nội dung", "nhiệm vụ", "công việc", "hoạt động"). A row is a duty when it has a task and a body.
The deadline cell is a deadline by its column, so a bare "30/6/2025", "Tháng 9/2025" or "Quý II/2025"
counts (ingest.deadlines needs a keyword in running text).
"""

from __future__ import annotations

import calendar
import re
from functools import lru_cache
from dataclasses import dataclass
from datetime import date

from ingest.deadlines import Deadline, parse_deadline
from ingest.normalize import fold
from ingest.tables import SEP

_ROW = re.compile(r"^- ")
_LABEL = re.compile(r"^([^:·]{2,60}):\s+(.*)$", re.S)
_LONG_LABEL = re.compile(r"^([^:·]{2,200}):\s+(.*)$", re.S)
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True)
class TableDuty:
    task: str  # "Thành lập Đội … tại các xã"
    lead: tuple[str, ...]  # the bodies of the lead column as written, one per entry of the cell
    partners: tuple[str, ...]  # the supporting bodies
    executors: tuple[str, ...]  # "Cơ quan thực hiện" when the table has no lead column
    deadline_text: str | None  # the deadline cell as written: "Quý II/2025"
    deadline: Deadline | None
    start: int  # the row's span in the text it was read from
    end: int

    @property
    def quote(self) -> str:
        return self.task


@lru_cache(maxsize=8192)
def column_kind(label: str) -> str | None:
    """"lead" | "partners" | "executors" | "deadline" | "task" | "group" | None, from a column header. Read with the
    spaces taken out, so a header whose words a PDF extractor glued ("Đơn vịchủ trì", "Thờigian thựchiện")
    reads as written; "Nhiệm vụ thực hiện", "Kết quả thực hiện" name no body."""
    f = re.sub(r"[^a-z]", "", fold(label))
    if "chutri" in f:
        return "lead"
    if "phoihop" in f:
        return "partners"
    if re.search(r"thoigian|thoihan|tiendo|hoanthanh|thoidiem", f):
        return "deadline"
    if re.search(r"(coquan|donvi|bophan|nguoi)\w*thuchien|trachnhiem(thuchien|xuly)|phutrach", f) or f == "thuchien":
        return "executors"  # "Cơ quan thực hiện", "Trách nhiệm thực hiện", "Bộ phụ trách tiếp nhận, xử lý"
    if "thutu" in f or f.startswith("vanban"):
        return None  # "Thứ tự công việc" numbers the steps; "Văn bản giao nhiệm vụ" names where a task comes from
    if "nhom" in f and re.search(r"noidung|nhiemvu|congviec|hoatdong|giaiphap", f):
        return "group"  # "Thuộc nhóm nhiệm vụ, hành động": the task is the row's other column
    if re.search(r"noidung|nhiemvu|congviec|hoatdong", f) or re.match(r"(thongtin)?(dexuat|kiennghi)", f):
        return "task"  # … and what a table of requests asks the body to handle: "Thông tin đề xuất", "Kiến nghị"
    return None


def labelled_cells(paragraph: str, longest: int = 30) -> list[list[str]] | None:
    """[label, value] of each labelled cell of a table row as ingest/tables.py writes it ("- STT: 1 · Nội dung:
    … · Cơ quan chủ trì: …"), or None when the paragraph is not such a row. A label longer than `longest`
    that names no kind of column is taken for text of the cell before."""
    if not _ROW.match(paragraph):
        return None
    parts: list[list[str]] = []  # [label, value]: a labelled column ("STT: 1", "Ghi chú: …") and its cell
    for part in paragraph[2:].split(SEP):
        m = (_LABEL if longest <= 60 else _LONG_LABEL).match(part)
        if m and (column_kind(m.group(1)) or len(m.group(1)) <= longest):
            parts.append([m.group(1), m.group(2).strip()])
        elif parts:
            parts[-1][1] += SEP + part  # " · " inside a cell
    return parts


def is_data_row(paragraph: str) -> bool:
    """A table row with labelled cells none of which is a task or a body (a row of figures, of names): no
    duty, whatever body the heading above it names."""
    parts = labelled_cells(paragraph.strip())
    return bool(parts) and len(parts) >= 2 and not any(
        column_kind(label) in ("task", "group", "lead", "partners", "executors") for label, _ in parts)


def row_values(paragraph: str) -> str | None:
    """A table row's cell values in their order, without the column labels the reader writes before them,
    as the row reads in the source table ("89. Xây dựng Chương trình … Bộ Thông tin và Truyền thông … 9/2025");
    None when the paragraph is not a row with labelled cells."""
    parts = labelled_cells(paragraph, longest=200)  # the long labels of a table of figures too (ingest/text_tables.py)
    return " ".join(value for _, value in parts) if parts else None


def read_row(paragraph: str) -> dict[str, str] | None:
    """A table row's cells by column kind, or None when the paragraph is not a row with labelled cells."""
    parts = labelled_cells(paragraph)
    if parts is None:
        return None
    if parts and column_kind(parts[0][0]) == "task" and _ROW_NUMBER.fullmatch(parts[0][1]) \
            and not any(NUMBER_LABEL.match(fold(label.strip())) for label, _ in parts):
        # the header lost its first column (STT): every cell stands under the next column's label
        # ("Nội dung: 1.1 · Đơn vị thực hiện: Xây dựng kế hoạch … · Đơn vị phối hợp: Sở Nông nghiệp …")
        parts = [[parts[i][0], parts[i + 1][1]] for i in range(len(parts) - 1)]
    cells: dict[str, str] = {}
    for label, value in parts:
        kind = column_kind(label)
        if kind and kind not in cells:
            cells[kind] = value  # a second "Nội dung công việc: …" is another column, not this one
    if "task" not in cells and "group" in cells:
        cells["task"] = cells.pop("group")  # a table whose only task column is the group's
    return cells if "task" in cells else None


_ROW_NUMBER = re.compile(r"\d{1,3}(?:\.\d{1,3})*\.?|[IVX]{1,5}\.?|[Bb]ước\s*\d{1,2}\.?")  # "1.1", "IV", "Bước 2": STT
# the header of a table's number column, folded: "STT", "TT", "Số TT", "Bước", "Thứ tự công việc"
NUMBER_LABEL = re.compile(r"^(?:s\.?\s?t\.?\s?t|t\.?\s?t|so (?:tt|thu tu)|so|(?:ten )?buoc(?: thuc hien)?"
                          r"|thu tu(?: cong viec| cac buoc)?)\.?$")


def table_duties(text: str, plan_date: date | None = None) -> list[TableDuty]:
    """Every duty row in a passage (its paragraphs are separated by blank lines)."""
    out = []
    pos = 0
    for para in text.split("\n\n"):
        start = text.index(para, pos)
        pos = start + len(para)
        cells = read_row(para.strip())
        if not cells or not any(cells.get(k) for k in ("lead", "partners", "executors")):
            continue
        if not cells.get("lead") and not cells.get("executors"):
            continue  # only supporting bodies: nobody is given the duty
        written = cells.get("deadline") or None
        out.append(TableDuty(
            task=cells["task"],
            lead=_bodies(cells.get("lead", "")),
            partners=_bodies(cells.get("partners", "")),
            executors=_bodies(cells.get("executors", "")),
            deadline_text=written,
            deadline=cell_deadline(written, plan_date) if written else None,
            start=start,
            end=start + len(para),
        ))
    return out


# a body's name holds no sentence: a full stop after a lower-case word (not "TP.") before a capital, or the
# table's cell separator, means the cell is running text or ran into the next column ("Bước 3 · Nội dung …")
_SENTENCE_END = re.compile(r"(\w+)[.!?]\s+(?:[-–]\s*)?[A-ZĐÀ-Ỹ]")


def _not_a_name(entry: str) -> bool:
    return SEP in entry or any(m.group(1).islower() for m in _SENTENCE_END.finditer(entry))


def _bodies(cell: str) -> tuple[str, ...]:
    """The entries of a cell of bodies: one per line of the cell (joined with "; ") or per semicolon.
    "03 ngày làm việc" in a body column is no body, nor is a sentence of running text."""
    parts = (p.strip(" .,-–+") for p in re.split(r";|\n", cell))
    return tuple(p for p in parts if p and not p[0].isdigit() and not _not_a_name(p))


def cell_deadline(cell: str, plan_date: date | None = None) -> Deadline | None:
    """A deadline column's cell read as a deadline: the plan's own phrasing first, then the bare forms."""
    found = parse_deadline(cell, plan_date)
    if found.kind != "none":
        return found
    bare = " ".join(cell.split())
    if re.match(r"^\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}$", bare) or re.match(r"^ngày\s+\d", bare, re.I):
        found = parse_deadline("trước ngày " + re.sub(r"^ngày\s+", "", bare, flags=re.I), plan_date)
    elif re.match(r"^tháng\s+\d", bare, re.I):
        found = parse_deadline("trong " + bare[0].lower() + bare[1:], plan_date)
    if found.kind != "none":
        return Deadline(found.kind, cell, date=found.date, month=found.month)
    m = re.match(r"^quý\s+(I{1,3}V?|IV|[1-4])\s*(?:/|năm)\s*(\d{4})$", bare, re.I)
    if m and m.group(1).lower() in _QUARTERS:
        q, year = _QUARTERS[m.group(1).lower()], int(m.group(2))
        month = 3 * q
        return Deadline("date", cell, date=date(year, month, calendar.monthrange(year, month)[1]),
                        note=f"hết quý {m.group(1)}")
    m = re.match(r"^(?:trong\s+)?năm\s+(\d{4})$", bare, re.I)
    if m:
        year = int(m.group(1))
        return Deadline("date", cell, date=date(year, 12, 31), note="hết năm")
    return None
