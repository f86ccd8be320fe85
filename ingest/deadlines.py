"""Deadlines and periodicities in a plan's text, parsed into dates or recurrences.

    "trước ngày 22/11/2021"                              -> date 2021-11-22
    "hoàn thành trong tháng 5 năm 2025"                  -> date 2025-05-31 (the month's last day)
    "trong thời hạn 10 ngày kể từ ngày nhận Kế hoạch"    -> relative: plan date + 10 days (said so)
    "Định kỳ hằng năm (trước ngày 15 tháng 12)"          -> yearly on 12-15
    "ngày 14 hàng tháng"                                 -> monthly on day 14
    "Định kỳ (6 tháng và hàng năm)", "thường xuyên"      -> period (no calendar day)

A phrase is a deadline only with its keyword ("trước ngày", "hằng năm", …): the dates of the documents
a plan cites ("Kế hoạch số 09/KH-UBND ngày 15/01/2020") are not deadlines.

`Deadline.recurrence` is the machine form other tools read: "yearly --12-15", "yearly", "monthly ---14",
"monthly", "quarterly", "periodic", "continuous" (ISO 8601 "--MM-DD" / "---DD" for the recurring day),
or None for a one-off or missing deadline.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("date", "yearly", "monthly", "relative", "period", "none")

_EVERY = r"(?:hằng|hàng)"
_DMY = r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})"
_DMY_LONG = r"(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})"
# a day and month without a year: "15/12", "15 tháng 12" (never a part of "15/12/2025" or "26/103")
_DM = r"(?<![\d/])(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})(?![\d/])"
_DM_LONG = r"(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})(?!\s*(?:năm\s+)?\d)"


@dataclass(frozen=True)
class Deadline:
    kind: str  # "date" | "yearly" | "monthly" | "relative" | "period" | "none"
    text: str  # the expression as the plan writes it
    date: date | None = None  # the due date: "date", and "relative" when the plan's date is known
    month: int | None = None  # "yearly": month of the recurring day; "date" given as a whole month
    day: int | None = None  # "yearly" / "monthly": day of the month
    days: int | None = None  # "relative": how many days
    anchor: str | None = None  # "relative": what the days count from ("ngày nhận Kế hoạch này")
    every: str | None = None  # "period": "6 tháng và hàng năm", "thường xuyên", "định kỳ", "hằng quý"
    note: str = ""  # how a date was worked out, for the reader

    @property
    def recurrence(self) -> str | None:
        if self.kind == "yearly":
            return f"yearly --{self.month:02d}-{self.day:02d}" if self.month and self.day else "yearly"
        if self.kind == "monthly":
            return f"monthly ---{self.day:02d}" if self.day else "monthly"
        if self.kind == "period":
            every = self.every or ""
            if every == "thường xuyên":
                return "continuous"
            return "quarterly" if "quý" in every else "periodic"
        return None

    def describe(self) -> str:
        """The deadline in a few Vietnamese words, for tables."""
        if self.kind == "date" and self.date:
            if self.month and self.date.day == calendar.monthrange(self.date.year, self.date.month)[1]:
                return f"trong tháng {self.date.month}/{self.date.year}"
            return self.date.strftime("%d/%m/%Y")
        if self.kind == "relative":
            base = f"{self.days} ngày kể từ {self.anchor or 'khi nhận kế hoạch'}"
            return f"{base} (≈ {self.date:%d/%m/%Y}; {self.note})" if self.date else f"{base} ({self.note})"
        if self.kind == "yearly":
            return f"hằng năm, hạn {self.day}/{self.month}" if self.month and self.day else "hằng năm"
        if self.kind == "monthly":
            return f"ngày {self.day} hằng tháng" if self.day else "hằng tháng"
        if self.kind == "period":
            return self.every if self.every in ("thường xuyên", "định kỳ", "hằng quý") else f"định kỳ ({self.every})"
        return self.text or ""


NONE = Deadline("none", "")


def parse_deadline(text: str, plan_date: date | None = None) -> Deadline:
    """The most definite deadline in a passage (a date over a recurrence over "thường xuyên"),
    or Deadline(kind="none")."""
    found = find_deadlines(text, plan_date)
    return found[0] if found else NONE


def find_deadlines(text: str, plan_date: date | None = None) -> list[Deadline]:
    """Every deadline expression in a passage, most definite first; overlapping weaker readings of
    the same words are dropped ("Định kỳ (6 tháng và hàng năm)" is one period, not also "yearly")."""
    text = " ".join(text.split())
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, int, Deadline]] = []
    for rank, finder in enumerate(_FINDERS):
        for start, end, deadline in finder(text, plan_date):
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            found.append((rank, start, deadline))
    return [d for _, _, d in sorted(found, key=lambda x: (x[0], x[1]))]


def due_between(deadline: Deadline, start: date, end: date) -> list[date]:
    """The days in [start, end] on which the deadline falls due: the date of a one-off deadline, every
    occurrence of a yearly or monthly day. A period without a calendar day ("định kỳ") has none."""
    if start > end:
        return []
    if deadline.kind in ("date", "relative"):
        return [deadline.date] if deadline.date and start <= deadline.date <= end else []
    days: list[date] = []
    if deadline.kind == "yearly" and deadline.month and deadline.day:
        for year in range(start.year, end.year + 1):
            day = _clamped(year, deadline.month, deadline.day)
            if start <= day <= end:
                days.append(day)
    elif deadline.kind == "monthly" and deadline.day:
        year, month = start.year, start.month
        while (year, month) <= (end.year, end.month):
            day = _clamped(year, month, deadline.day)
            if start <= day <= end:
                days.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def plan_date_of(iso: str | None) -> date | None:
    """A Document.date ("2025-11-17") as a date; None for a bare year ("2021") or no date."""
    if iso and len(iso) == 10:
        try:
            return date.fromisoformat(iso)
        except ValueError:
            return None
    return None


# -- finders, most definite first: each yields (start, end, Deadline) -------------------------------

def _dates(text, plan_date):
    keyword = r"(?:trước|chậm nhất(?: là)?|đến hết|đến|hạn chót(?: là)?)\s+ngày\s+"
    for pattern in (_DMY, _DMY_LONG):
        for m in re.finditer(keyword + pattern, text, re.I):
            day = _valid(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            if day:
                yield m.start(), m.end(), Deadline("date", m.group(0), date=day)


def _months(text, plan_date):
    pattern = r"(?:(?:hoàn thành|xong|thực hiện)\s+)?trong tháng\s+(\d{1,2})(?:\s*/\s*|\s+năm\s+)(\d{4})"
    for m in re.finditer(pattern, text, re.I):
        month, year = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            last = date(year, month, calendar.monthrange(year, month)[1])
            yield m.start(), m.end(), Deadline("date", m.group(0), date=last, month=month)


def _relative(text, plan_date):
    pattern = r"trong (?:thời hạn|vòng|thời gian)\s+(\d{1,3})\s+ngày(\s+làm việc)?(?:\s*,?\s*kể từ\s+(ngày[^.;,)]*?))?(?=[.;,)]|\s*$)"
    for m in re.finditer(pattern, text, re.I):
        days, working, anchor = int(m.group(1)), bool(m.group(2)), (m.group(3) or "").strip() or None
        due, note = None, "kế hoạch không ghi ngày ban hành nên không tính được ngày"
        if working:
            note = "tính theo ngày làm việc; không quy ra ngày lịch"
        elif plan_date:
            due = plan_date + timedelta(days=days)
            note = f"tính từ ngày ban hành {plan_date:%d/%m/%Y}; ngày nhận thực tế có thể muộn hơn"
        yield m.start(), m.end(), Deadline("relative", m.group(0), date=due, days=days, anchor=anchor, note=note)


def _yearly_days(text, plan_date):
    """A day and month without a year, with "hằng năm" beside it or naming a yearly day:
    "Định kỳ hằng năm (trước ngày 15 tháng 12)", "trước ngày 15/12 hằng năm", "Ngày toàn dân … (26/6)"."""
    for pattern in (_DM_LONG, _DM):
        for m in re.finditer(pattern, text):
            month, day = int(m.group("m")), int(m.group("d"))
            if not _valid(2000, month, day):
                continue
            before, after = text[max(0, m.start() - 45): m.start()], text[m.end(): m.end() + 20]
            offset = m.start() - len(before)  # where `before` starts in the text
            every_before = re.search(rf"(?:định kỳ\s+)?{_EVERY}\s+năm[\s(]*(?:trước\s+)?(?:ngày\s+)?$", before, re.I)
            every_after = re.match(rf"\)?\s*{_EVERY}\s+năm", after, re.I)
            named = re.search(r"[“\"]?Ngày [^()“”]{3,50}[”\"]?\s*\($", before)
            if every_before:  # "hằng năm (trước ngày 15 tháng 12)"
                start = offset + every_before.start()
                end = m.end() + (1 if after.startswith(")") and "(" in every_before.group(0) else 0)
            elif every_after:  # "trước ngày 15/12 hằng năm"
                start = m.start() - len(re.search(r"(?:trước\s+)?(?:ngày\s+)?$", before, re.I).group(0))
                end = m.end() + every_after.end()
            elif named and after.startswith(")"):  # a named yearly day: "“Ngày toàn dân phòng, chống ma túy” (26/6)"
                start, end = offset + named.start(), m.end() + 1
            else:
                continue
            yield start, end, Deadline("yearly", text[start:end], month=month, day=day)


def _monthly_days(text, plan_date):
    for m in re.finditer(rf"(?:trước\s+)?ngày\s+(\d{{1,2}})\s+{_EVERY}\s+tháng", text, re.I):
        if 1 <= int(m.group(1)) <= 31:
            yield m.start(), m.end(), Deadline("monthly", m.group(0), day=int(m.group(1)))


def _periods_stated(text, plan_date):
    for m in re.finditer(r"định kỳ\s*\(([^()]{2,60})\)", text, re.I):
        yield m.start(), m.end(), Deadline("period", m.group(0), every=" ".join(m.group(1).split()))


def _every_year(text, plan_date):
    for m in re.finditer(rf"(?:định kỳ\s+)?{_EVERY}\s+năm", text, re.I):
        yield m.start(), m.end(), Deadline("yearly", m.group(0))


def _every_month(text, plan_date):
    for m in re.finditer(rf"(?:định kỳ\s+)?{_EVERY}\s+tháng", text, re.I):
        yield m.start(), m.end(), Deadline("monthly", m.group(0))


def _vague(text, plan_date):
    for pattern, every in ((rf"(?:định kỳ\s+)?{_EVERY}\s+quý", "hằng quý"), (r"\bđịnh kỳ\b", "định kỳ"),
                           (r"\bthường xuyên\b", "thường xuyên")):
        for m in re.finditer(pattern, text, re.I):
            yield m.start(), m.end(), Deadline("period", m.group(0), every=every)


_FINDERS = (_dates, _months, _relative, _yearly_days, _monthly_days, _periods_stated, _every_year,
            _every_month, _vague)


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _clamped(year: int, month: int, day: int) -> date:
    """Day 31 of a 30-day month is its last day; 29/2 in a common year is 28/2."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))
