"""Tasks to follow: every row of the duties table with a stable id, its status from the follow-up store
(tracuu.track_store) and whether it is overdue, computed from its deadline against today (never stored).

    tasks = load_tasks(settings, store, date.today(), agency="công an", overdue=True)
    [(t.task_id, t.status, t.missed) for t in tasks]

A task id is a short hash of the document's text (so re-ingesting the same text, under any file name,
keeps it), the item's section path, the body's canonical name and its role; a second row with the same
four gets "#2" in its key, counted in plan order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from ingest.duties import Duty
from tracuu.track_store import DONE, STATUSES, StatusEntry

ID_LENGTH = 10  # hex digits: a million tasks collide with odds about 1 in 2 million


@dataclass(frozen=True)
class Task:
    task_id: str
    duty: Duty
    status: str  # one of STATUSES; "chưa thực hiện" when nobody has set one
    entry: StatusEntry | None  # the latest status set (note, who, when), None when never set
    missed: date | None  # the deadline (for a recurring one, its latest day) passed without completion
    next_due: date | None  # the next day it falls due, from today on
    start: date  # the day its plan starts to count (assistant.duties_table.plan_start)

    @property
    def overdue(self) -> bool:
        return self.missed is not None

    @property
    def cited(self) -> str:
        """"Kế hoạch 12/KH-UBND — tỉnh Thử Nghiệm, 2025 › II. Nhiệm vụ … › 3.\""""
        return f"{self.duty.plan_label} › {self.duty.section}"

    def situation(self) -> str:
        """The status as a report writes it: "đang thực hiện (quá hạn từ 22/11/2021)"."""
        late = f" (quá hạn từ {self.missed:%d/%m/%Y})" if self.missed else ""
        return self.status + late

    def to_json(self) -> dict:
        """The `duties --format json` row with the follow-up fields added."""
        entry = self.entry.to_json() if self.entry else {"status": self.status, "note": "", "set_by": "", "set_at": None}
        return {"id": self.task_id, **self.duty.to_json(), **entry, "overdue": self.overdue,
                "missed_due": self.missed.isoformat() if self.missed else None,
                "next_due": self.next_due.isoformat() if self.next_due else None}


def task_ids(duties: list[Duty], documents: dict) -> list[str]:
    """The stable id of every row, in order (see the module's docstring)."""
    text_hash: dict[str, str] = {}
    seen: dict[str, int] = {}
    out = []
    for d in duties:
        doc = documents.get(d.doc_id)
        if d.doc_id not in text_hash:
            identity = doc.text if doc is not None else d.doc_id
            text_hash[d.doc_id] = hashlib.sha256(identity.encode("utf-8")).hexdigest()
        key = "\x1f".join((text_hash[d.doc_id], d.section, d.canonical, d.role))
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key += f"\x1f#{seen[key]}"
        out.append(hashlib.sha256(key.encode("utf-8")).hexdigest()[:ID_LENGTH])
    return out


def missed_deadline(duty: Duty, start: date, entry: StatusEntry | None, today: date) -> date | None:
    """The deadline a task has let pass: a one-off date before today while it is not done; for a
    recurring one, its latest day before today since the plan started, except the days a completion
    covers (done on the 13th or the 16th: the report due on the 14th is done, the next one is not)."""
    deadline = duty.deadline
    if deadline is None:
        return None
    done_on = date.fromisoformat(entry.set_at[:10]) if entry and entry.status == DONE else None
    if deadline.kind in ("date", "relative"):
        return deadline.date if deadline.date and deadline.date < today and done_on is None else None
    from ingest.deadlines import due_between

    since = start
    if done_on:  # the day it covers is the one nearest to the completion, before or after it
        near = due_between(deadline, done_on - timedelta(days=366), done_on + timedelta(days=366)) or [done_on]
        covered = min(near, key=lambda day: (abs((day - done_on).days), day))
        since = max(start, covered + timedelta(days=1))
    days = due_between(deadline, since, today - timedelta(days=1))
    return days[-1] if days else None


def next_due(duty: Duty, today: date) -> date | None:
    deadline = duty.deadline
    if deadline is None:
        return None
    if deadline.kind in ("date", "relative"):
        return deadline.date if deadline.date and deadline.date >= today else None
    from ingest.deadlines import due_between

    days = due_between(deadline, today, today + timedelta(days=366))
    return days[0] if days else None


def tasks_of(duties: list[Duty], documents: dict, statuses: dict[str, StatusEntry], today: date,
             keep: list[Duty] | None = None) -> list[Task]:
    """The tasks of `keep` (a filtered part of `duties`, default all); ids are counted over all `duties`,
    so a filter never changes them."""
    from assistant.duties_table import plan_start

    ids = {id(d): tid for d, tid in zip(duties, task_ids(duties, documents))}
    out = []
    for d in duties if keep is None else keep:
        tid = ids[id(d)]
        entry = statuses.get(tid)
        start = plan_start(documents.get(d.doc_id))
        missed = missed_deadline(d, start, entry, today)
        out.append(Task(tid, d, entry.status if entry else STATUSES[0], entry, missed, next_due(d, today), start))
    return out


def load_tasks(settings, store, today: date, agency: str | None = None, plan: str | None = None,
               due_in: str | None = None, overdue: bool = False, ids: tuple[str, ...] = ()) -> list[Task]:
    """The tasks of the index at settings.index_dir passing the filters (those of `tracuu duties`, plus
    overdue only and given ids)."""
    from assistant.duties_table import load_duties
    from tracuu import services

    duties, documents = load_duties(settings)
    keep = services.filter_duty_rows(duties, documents, agency, plan, None, due_in)
    tasks = tasks_of(duties, documents, store.current(), today, keep)
    if ids:
        tasks = [t for t in tasks if t.task_id in ids]
    return [t for t in tasks if t.overdue] if overdue else tasks


def of_period(tasks: list[Task], year: int, month: int) -> list[Task]:
    """The tasks a report for a month lists: of plans issued by its end, those due in it, those with no
    calendar day (ongoing: "thường xuyên", "định kỳ", or no deadline stated) and those whose one-off
    deadline passed before it while not done by its start. Not: a day after the month, a yearly day
    outside it, a task done before it."""
    from assistant.duties_table import month_span
    from ingest.deadlines import due_between

    first, last = month_span(year, month)
    out = []
    for t in tasks:
        deadline = t.duty.deadline
        done_before = t.entry is not None and t.entry.status == DONE and t.entry.set_at[:10] < first.isoformat()
        if t.start > last:
            continue
        if deadline is None or (next_due(t.duty, t.start) is None and deadline.kind not in ("date", "relative")):
            keep = not done_before  # ongoing
        elif due_between(deadline, max(first, t.start), last):
            keep = True
        else:
            keep = deadline.kind in ("date", "relative") and deadline.date is not None and deadline.date < first \
                and not done_before
        if keep:
            out.append(t)
    return out


def find_task(settings, store, task_id: str, today: date) -> Task:
    """The task with this id (or a unique start of it, at least 4 characters)."""
    from tracuu.errors import TracuuError

    wanted = task_id.strip().lower()
    tasks = load_tasks(settings, store, today)
    found = [t for t in tasks if t.task_id == wanted] or (
        [t for t in tasks if t.task_id.startswith(wanted)] if len(wanted) >= 4 else [])
    if len(found) != 1:
        what = "trùng với nhiều nhiệm vụ" if found else "không có trong chỉ mục hiện tại"
        raise TracuuError(f"Mã nhiệm vụ “{task_id}” {what} — xem mã ở cột đầu của `tracuu track list`.")
    return found[0]


# -- calendar --------------------------------------------------------------------------------------
def calendar_ics(tasks: list[Task], name: str, stamp: str) -> str:
    """An iCalendar (RFC 5545) of the tasks' deadlines: a one-off deadline is an all-day event; a
    monthly or yearly day ("ngày 14 hằng tháng", "trước ngày 15/12 hằng năm") one event that repeats
    (RRULE) from its first day after the plan's date. Deadlines without a calendar day ("thường xuyên")
    are left out. `stamp` is the time written as DTSTAMP ("20261204T173000Z")."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tracuu//theo doi nhiem vu//VI", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_escape(name)}"]
    for t in tasks:
        deadline = t.duty.deadline
        if deadline is None:
            continue
        rule = None
        if deadline.kind in ("date", "relative") and deadline.date:
            first = deadline.date
        elif deadline.kind == "monthly" and deadline.day:
            first, rule = next_due(t.duty, t.start), f"FREQ=MONTHLY;BYMONTHDAY={deadline.day}"
            if deadline.day > 28:  # the last day of shorter months
                rule = f"FREQ=MONTHLY;BYMONTHDAY={','.join(str(d) for d in range(28, deadline.day + 1))};BYSETPOS=-1"
        elif deadline.kind == "yearly" and deadline.month and deadline.day:
            first = next_due(t.duty, t.start)
            rule = f"FREQ=YEARLY;BYMONTH={deadline.month};BYMONTHDAY={deadline.day}"
        else:
            continue
        if first is None:
            continue
        d = t.duty
        summary = f"Hạn: {d.text[:90]}{'…' if len(d.text) > 90 else ''}"
        about = [d.text, f"Cơ quan: {d.canonical} ({d.role})", f"Văn bản giao: {t.cited}",
                 f"Thời hạn: {d.deadline_text or deadline.describe()}", f"Tình hình: {t.situation()}", f"Mã: {t.task_id}"]
        lines += ["BEGIN:VEVENT", f"UID:{t.task_id}@tracuu", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{first:%Y%m%d}", f"DTEND;VALUE=DATE:{first + timedelta(days=1):%Y%m%d}"]
        lines += [f"RRULE:{rule}"] if rule else []
        lines += [f"SUMMARY:{_escape(summary)}", f"DESCRIPTION:{_escape(chr(10).join(about))}",
                  "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space, never inside a character."""
    out, current = [], ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += ch
    return "\r\n ".join(out + [current])
