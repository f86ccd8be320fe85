"""The duties table as the CLI, the web UI and the assistant use it: load it from the index, filter it
(by agency, plan, sector, due date) and lay it out in rows with Vietnamese column names.

    duties, documents = load_duties(settings)                 # or duties_from_index(searcher.index)
    rows = filter_duties(duties, DutyFilter(agency="y tế", due_in=(2025, 12)), documents)
    rows = duties_for_sectors(duties, {"Y tế"}, documents, plan="can-tho")
    table_rows(rows)                                          # [{"STT": 1, "Kế hoạch": …, …}, …]
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from ingest.agencies import sectors_of
from ingest.canonical import lookup
from ingest.deadlines import due_between
from ingest.document import Document
from ingest.duties import Duty
from ingest.normalize import fold
from tracuu.errors import TracuuError

# the exported columns: Vietnamese header -> how to read it off a Duty
COLUMNS: dict[str, object] = {
    "STT": None,
    "Kế hoạch": lambda d: d.plan_label,
    "Mục": lambda d: d.section,
    "Cơ quan (theo kế hoạch)": lambda d: d.agency,
    "Cơ quan (chuẩn hóa)": lambda d: d.canonical,
    "Cấp": lambda d: d.level or "",
    "Ngành": lambda d: d.sector or "",
    "Vai trò": lambda d: d.role,
    "Nhiệm vụ": lambda d: d.text,
    "Thời hạn (nguyên văn)": lambda d: d.deadline_text or "",
    "Thời hạn": lambda d: deadline_label(d),
    "Ngày đến hạn": lambda d: d.due.strftime("%d/%m/%Y") if d.due else "",
    "Định kỳ": lambda d: d.recurrence or "",
    "Tệp": lambda d: d.file,
    "Trích dẫn": lambda d: d.quote,
}


@dataclass(frozen=True)
class DutyFilter:
    agency: str | None = None  # canonical name, alias, sector or any part of a name: "so y te", "y tế", "CA TP"
    plan: str | None = None  # file name, doc id, or part of the plan's label/file ("can-tho", "Tam Kỳ")
    due_before: date | None = None  # due on or before this day (recurring deadlines: any occurrence)
    due_in: tuple[int, int] | None = None  # (year, month): due within that month
    sectors: frozenset[str] = frozenset()  # sector names (ingest.agencies.SECTORS): any of them


def agency_label(duty: Duty) -> str:
    """The canonical agency, with the plan's own wording when it differs: 'Sở Y tế (“SYT”)'."""
    return duty.canonical if duty.agency == duty.canonical else f"{duty.canonical} (“{duty.agency}”)"


def deadline_label(duty: Duty) -> str:
    """The parsed deadline in words, or "" when the item states none."""
    return duty.deadline.describe() if duty.deadline else ""


def duty_filter(duties: list[Duty], agency: str | None = None, plan: str | None = None,
                due_before: str | None = None, due_in: str | None = None) -> DutyFilter:
    """The filter for what a user typed (CLI flags or the web form); blank means no filter. A day, a
    month or a plan that matches nothing is a TracuuError that says what to write instead."""
    agency, plan = (agency or "").strip() or None, (plan or "").strip() or None
    if plan and not any(plan_matches(plan, d) for d in duties):
        files = ", ".join(sorted({d.file for d in duties})) or "không có"
        raise TracuuError(f"Không có kế hoạch nào khớp “{plan}” — các kế hoạch có nhiệm vụ: {files}.")
    return DutyFilter(
        agency=agency,
        plan=plan,
        due_before=parse_day(due_before) if (due_before or "").strip() else None,
        due_in=parse_month(due_in) if (due_in or "").strip() else None,
    )


def describe_filters(agency: str | None = None, plan: str | None = None, due_before: str | None = None,
                     due_in: str | None = None) -> str:
    """The filters a user typed, in words: "cơ quan Sở Y tế; hạn trong tháng 2025-12"."""
    parts = [f"{label} {value.strip()}" for label, value in (("cơ quan", agency), ("kế hoạch", plan),
             ("hạn trước", due_before), ("hạn trong tháng", due_in)) if value and value.strip()]
    return "; ".join(parts)


def duties_from_index(index) -> list[Duty]:
    """Every duty in a loaded index (index.store.StoredIndex): the rows of the records its build stored."""
    return index.duty_table.rows


def load_duties(settings) -> tuple[list[Duty], dict[str, Document]]:
    """The duties of the index at settings.index_dir and its documents by id. A missing index is a
    TracuuError that says to run `tracuu ingest`."""
    from index.store import read_index

    index = read_index(settings.index_dir)  # "Chưa có chỉ mục tại … — chạy `tracuu ingest` trước."
    return duties_from_index(index), index.documents_by_id


def filter_duties(duties: list[Duty], f: DutyFilter, documents: dict[str, Document] | None = None) -> list[Duty]:
    """The duties passing every filter set in `f`. With `documents`, recurring deadlines count only from
    the plan's date (a yearly report is not due before its plan was issued)."""
    out = []
    for d in duties:
        if f.agency and not agency_matches(f.agency, d):
            continue
        if f.plan and not plan_matches(f.plan, d):
            continue
        if f.sectors and not (set(f.sectors) & _sectors(d)):
            continue
        start = plan_start(documents.get(d.doc_id)) if documents else date(1900, 1, 1)
        if f.due_before and not (d.deadline and due_between(d.deadline, start, f.due_before)):
            continue
        if f.due_in:
            first, last = month_span(*f.due_in)
            if not (d.deadline and due_between(d.deadline, max(first, start), last)):
                continue
        out.append(d)
    return out


def duties_for_sectors(duties: list[Duty], sectors, documents: dict[str, Document] | None = None,
                       **filters) -> list[Duty]:
    """The duties of every agency in these sectors (e.g. the sectors a question names), with the same
    optional filters as the CLI: agency=, plan=, due_before=, due_in=."""
    return filter_duties(duties, DutyFilter(sectors=frozenset(sectors), **filters), documents)


def agency_matches(query: str, duty: Duty) -> bool:
    """Whether a name typed by a user means this row's agency: a part of its name ("so y te", "y tế"),
    a known alias ("SYT", "CA TP": that agency, at the level named if one is), or a sector ("ngành y")."""
    q = " ".join(fold(query).split())
    if not q:
        return True
    if q in fold(duty.canonical) or q in fold(duty.agency):
        return True
    wanted = lookup(query)
    if wanted.known:
        have = lookup(duty.canonical)
        return wanted.base == have.base and (wanted.level is None or wanted.level == duty.level)
    return bool(sectors_of(query) & _sectors(duty))


def plan_matches(query: str, duty: Duty) -> bool:
    q = " ".join(fold(query).split())
    return query in (duty.file, duty.doc_id) or q in fold(duty.plan_label) or q in fold(duty.file)


def table_rows(duties: list[Duty]) -> list[dict[str, object]]:
    """One dict per duty with the Vietnamese column names of COLUMNS, numbered from 1."""
    return [{name: (n if get is None else get(d)) for name, get in COLUMNS.items()} for n, d in enumerate(duties, 1)]


def plan_start(doc: Document | None) -> date:
    """The day a plan starts to count: its date, or 1 January of its year, or no bound."""
    if doc is None or not doc.date:
        return date(1900, 1, 1)
    try:
        return date.fromisoformat(doc.date) if len(doc.date) == 10 else date(int(doc.date[:4]), 1, 1)
    except ValueError:
        return date(1900, 1, 1)


def month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def parse_day(text: str) -> date:
    """"2025-12-31" or "31/12/2025" -> date; anything else is a TracuuError with an example."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if m and len(m.group(1)) == 4:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        pass
    raise TracuuError(f"Ngày “{text}” không hợp lệ — viết dạng 2025-12-31 hoặc 31/12/2025.")


def parse_month(text: str) -> tuple[int, int]:
    """"2025-12" or "12/2025" -> (2025, 12); anything else is a TracuuError with an example."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    year, month = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    m = m or re.fullmatch(r"(\d{1,2})/(\d{4})", text)
    if m and not year:
        year, month = int(m.group(2)), int(m.group(1))
    if not m or not 1 <= month <= 12:
        raise TracuuError(f"Tháng “{text}” không hợp lệ — viết dạng 2025-12 hoặc 12/2025.")
    return year, month


def _sectors(duty: Duty) -> set[str]:
    return set(duty.sector.split("; ")) if duty.sector else set()
