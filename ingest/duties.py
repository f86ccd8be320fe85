"""Who must do what, by when: every duty assignment in the ingested plans, one row per agency and item.

Rules, from the structure the chunker already recovered:
1. an item (lettered item, bullet, numbered item or paragraph) under an agency's section is that agency's
   duty; a name that lists several agencies gives each of them a row;
2. elsewhere, a sentence that assigns work gives its agencies a row: "Giao Công an tỉnh chủ trì …",
   "Đề nghị Ủy ban Mặt trận Tổ quốc, …, Tỉnh Đoàn chỉ đạo …" anywhere, and in the task and
   implementation sections a sentence whose subject is an agency ("Các đơn vị phải báo cáo …",
   "Căn cứ …, các phòng, ban, đơn vị, đoàn thể, UBND các phường, xã xây dựng kế hoạch …");
3. "phối hợp với X" gives X a coordinating row when X is a recognised, specific agency ("Công an thành
   phố", "Sở Giáo dục và Đào tạo"); vague partners ("các sở, ngành liên quan", "lực lượng Công an") give none.

The deadline of a row is the most definite one in its item (`ingest.deadlines`), read against the plan's date.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import asdict, dataclass, replace
from functools import lru_cache

from ingest.canonical import Agency, agency_list_at, level_in, lookup, split_agencies
from ingest import lexicon
from ingest.agencies import agency_of, trailing_agency
from ingest.deadlines import Deadline, parse_deadline, plan_date_of
from ingest.document import PIECE, Chunk, Document, piece_of
from ingest.normalize import fold
from ingest.reflow import MARKER, strip_marker, uncapped
from ingest.structure import INTRO_SECTION, SIGNATURE_SECTION
from ingest.tables import SEP
from ingest.table_duties import TableDuty, cell_deadline, column_kind, is_data_row, table_duties

ROLES = ("chủ trì", "phối hợp", "thực hiện")
_SKIPPED = (INTRO_SECTION, SIGNATURE_SECTION)
# the parts that give tasks: "Phân công", "Tổ chức thực hiện", "Nhiệm vụ, giải pháp"
_TASK_SECTION = ("phan cong", "to chuc thuc hien", "nhiem vu", "giai phap")
# … and a conclusion notice's answers to the requests put to it ("III. Về một số kiến nghị của Tỉnh": "… Ủy ban nhân
# dân tỉnh rà soát …"), which give tasks too but do not make the rest of a document one that gives none
_ANSWER_SECTION = ("kien nghi",)
_NOT_TASKS = ("muc dich", "muc tieu", "chi tieu", "pham vi", "doi tuong")
_LEAD_CLAUSE = re.compile(r"^(?:Căn cứ|Định kỳ|Hằng năm|Hàng năm|Về|Trên cơ sở|Sau khi)\b")
# a clause of purpose before the subject: "Để xác định vị trí …, Ủy ban nhân dân tỉnh phối hợp …": the subject is the
# body the sentence hands the work to after the clause ("…, yêu cầu Bộ Y tế …"), else the first body after one of its
# commas, before any "phối hợp với"
_PURPOSE_CLAUSE = re.compile(r"^(?:Để|Nhằm)\s")
_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+(?=[A-ZĐÀ-Ỹ“\"(])|\n\n")
_PARTNER = re.compile(r"\bphối hợp(?:\s+chặt chẽ)?(?:\s+(?:với|cùng))?\s+(?:(?:các\s+)?lực lượng\s+)?", re.I)


@dataclass(frozen=True)
class Duty:
    agency: str  # the agency as the plan names it: "Viện kiểm sát nhân dân"
    canonical: str  # "Viện kiểm sát nhân dân thành phố" (ingest.canonical)
    level: str | None  # "thành phố", "tỉnh", "phường", "xã", "huyện", "khu vực"
    sector: str | None  # same kind of body across levels: "Y tế" (ingest.agencies.SECTORS)
    role: str  # "chủ trì" | "phối hợp" | "thực hiện"
    text: str  # the duty, on one line, without its item marker
    deadline_text: str | None  # the deadline as written: "trước ngày 22/11/2021"
    deadline: Deadline | None  # parsed (ingest.deadlines); None when the item states none
    recurrence: str | None  # "yearly --12-15", "monthly ---14", "periodic", … (Deadline.recurrence)
    doc_id: str
    file: str
    plan_label: str  # "Kế hoạch 153/KH-UBND — thành phố Lạng Sơn, 2025"
    section: str  # "IV. Phân công nhiệm vụ › 3. Sở Y tế › a)"
    chunk_id: str  # the (first) chunk of the item, for citations
    quote: str  # verbatim from Document.text: the item, or the sentence that assigns the work

    @property
    def due(self):
        """The one-off due date (a `date`), or None."""
        return self.deadline.date if self.deadline else None

    def to_json(self) -> dict:
        """The row as `tracuu duties --format json` writes it: the Duty fields, with the deadline as an ISO
        date (or null) and the recurrence as its string. Other tools read these names: keep them stable."""
        row = asdict(self)
        row["deadline"] = self.due.isoformat() if self.due else None
        return row


@dataclass(frozen=True)
class _Item:
    doc: Document
    section: str
    chunk_id: str
    start: int
    end: int
    agency: str | None
    tasks_anywhere: bool = False  # the document has no task section: it assigns work throughout (a letter)

    @property
    def text(self) -> str:
        return self.doc.text[self.start: self.end]


def extract_duties(documents: list[Document], chunks: list[Chunk]) -> list[Duty]:
    """Every duty assignment in the plans, in plan order."""
    docs = {d.doc_id: d for d in documents}
    duties: list[Duty] = []
    for item in _items(docs, chunks):
        duties.extend(item_duties(item))
    return duties


def item_duties(item: "_Item") -> list[Duty]:
    """The duty rows of one item: a row of a duty table says who by its columns; any other item by its
    section and its sentences."""
    rows = table_duties(item.text, plan_date_of(item.doc.date))
    if not rows and is_data_row(item.text):
        return []  # "- STT: 1 · Tên đơn vị: Trường Mầm non …" under "CƠ SỞ GIÁO DỤC …": a list, nobody's task
    found = _table_duties(item, rows) if rows else (_labelled_duties(item) or _item_duties(item))
    return _spelled_out(item.doc, [d for d in found if _WORD.search(d.text)])


_WORD = re.compile(r"[^\W\d_]{2}")  # a task is said in words: "- 94,29" under a body's heading is a score, no duty


_ACRONYM = re.compile(r"\(([A-ZĐ][A-ZĐ0-9&]{1,9})\)")


@lru_cache(maxsize=8)
def _acronyms(text: str) -> dict[str, str]:
    """The short names a document defines for bodies: "Tập đoàn Điện lực Việt Nam (EVN)" -> {"EVN": …}."""
    from ingest.lexicon import bodies_in

    out: dict[str, str] = {}
    for m in _ACRONYM.finditer(text):
        window = " ".join(text[max(0, m.start() - 120): m.start()].split())
        named = [b for b in bodies_in(window) if b.end >= len(window.rstrip())]
        if named and m.group(1) not in out:
            out[m.group(1)] = named[-1].written
    return out


def _spelled_out(doc: Document, rows: list[Duty]) -> list[Duty]:
    """Rows whose body is a short name the document defines, given the body's full name (a task table's
    "EVN" column is "Tập đoàn Điện lực Việt Nam")."""
    short = _acronyms(doc.text) if any(d.agency.isupper() for d in rows) else {}
    out = []
    for d in rows:
        full = short.get(d.agency.strip())
        if full and not lookup(d.agency, doc.locality).known:  # the lexicon's own short names stand ("UBND")
            agency = lookup(full, doc.locality)
            d = replace(d, agency=agency.written, canonical=agency.canonical, level=agency.level, sector=agency.sector)
        out.append(d)
    return out


def _table_duties(item: _Item, rows: list[TableDuty]) -> list[Duty]:
    """The lead column's bodies "chủ trì", the supporting ones "phối hợp", a lone "thực hiện" column "thực hiện"."""
    out: list[Duty] = []
    for row in rows:
        seen: set[str] = set()
        quote = item.text[row.start: row.end]
        for role, written in (("chủ trì", row.lead), ("thực hiện", row.executors), ("phối hợp", row.partners)):
            for name in (n for w in written for n in split_agencies(w)):
                agency = lookup(name, item.doc.locality)
                if agency.canonical in seen:
                    continue
                seen.add(agency.canonical)
                duty = _duty(item, agency, role, row.deadline or Deadline("none", ""), quote)
                out.append(replace(duty, text=row.task, deadline_text=row.deadline_text))
    return out


def _items(docs: dict[str, Document], chunks: list[Chunk]) -> list[_Item]:
    """Chunks back into the plan's items: the pieces of an oversize item ("(phần 2/3)") are rejoined."""
    items: list[_Item] = []
    # a part heading ("III. TỔ CHỨC THỰC HIỆN", "Điều 3. …") that gives tasks; an item "2. Bộ X thực hiện các
    # nhiệm vụ sau" is no such part
    with_tasks = {c.doc_id for c in chunks if _is_task_section(piece_of(c.section), answers=False)
                  and not re.match(r"^\d", c.section)}
    conveyed: dict[str, int | None] = {}  # read once a document

    def conveyed_from(doc_id: str) -> int | None:
        if doc_id not in conveyed:
            conveyed[doc_id] = _conveyed_from(docs[doc_id])
        return conveyed[doc_id]

    for c in chunks:
        if c.doc_id not in docs:
            continue
        part = PIECE.search(c.section)
        base = piece_of(c.section)
        last = items[-1] if items else None
        if part and int(part.group(1)) > 1 and last and last.doc.doc_id == c.doc_id and last.section == base:
            items[-1] = replace(last, end=max(last.end, c.end))
        elif not base.startswith(_SKIPPED) or _NUMBERED_IN_INTRO.match(base):
            items.append(_Item(docs[c.doc_id], base, c.chunk_id, c.start, c.end, c.agency,
                               c.doc_id not in with_tasks))
        elif base.startswith(INTRO_SECTION) and (after := conveyed_from(c.doc_id)) is not None and c.end > after:
            # a letter conveys its tasks after "… có ý kiến như sau:" (ingest/header.voice), in its opening too
            items.append(_Item(docs[c.doc_id], base, c.chunk_id, max(c.start, after), c.end, c.agency,
                               c.doc_id not in with_tasks))
    return items


def _conveyed_from(doc: Document) -> int | None:
    """Where the direction a letter or notice conveys begins, after "Phó Thủ tướng … có ý kiến như sau:"; None when
    it conveys none, or conveys a body's own opinion ("Cục Thuế có ý kiến như sau:" answers a company's question
    with the law, it gives no work): a direction is a leader's (a title the lexicon's lead words name)."""
    from ingest.header import voice

    found = voice(doc.text)
    if not found or not re.search(rf"\b(?:{lexicon.lead_pattern()})\b", found[0]):
        return None
    return found[2]


# "Cơ quan chủ trì: Bộ Công an.", "Cơ quan chủ trì - Bộ Công an", "Cơ quan phối hợp Mặt trận Tổ quốc …"
_LABELLED = re.compile(r"^([^:\n]{3,60}?)(?::|\s[-–]\s)\s*(\S.*)$"
                       r"|^((?:Cơ quan|Đơn vị)\s+(?:chủ trì|phối hợp|thực hiện))\s+(?=[A-ZĐÀ-Ỹ])(.+)$", re.S)
_ROLE_OF_COLUMN = {"lead": "chủ trì", "executors": "thực hiện", "partners": "phối hợp"}


def _labelled(paragraph: str, following: list[str] = ()) -> tuple[str, str] | None:
    """(column kind, value) of a labelled line under a task: "- Cơ quan chủ trì: X", "b) Thời gian thực hiện: …",
    or a label on its own over a list ("b) Cơ quan phối hợp" / "- X" / "- Y": the value "X; Y"; the list is
    in the paragraph or in the `following` paragraphs)."""
    bare = strip_marker(paragraph.replace("*", ""))
    m = _LABELLED.match(bare)
    if m is not None:
        label, value = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if _labels_under(value):
            return None  # "b) Cơ quan thực hiện: / - Đơn vị chủ trì: X / - Đơn vị phối hợp: Y": each line is one
    else:
        head, _, rest = bare.partition("\n")
        lines = [x.strip() for x in rest.split("\n") if x.strip()] or list(following)
        if not lines or len(head.split()) > 6 or not all(_is_list_line(x) for x in lines) or _labels_under(lines):
            return None
        label, value = head, "; ".join(strip_marker(x) for x in lines)
    kind = column_kind(label)
    return (kind, value.strip()) if kind and kind not in ("task", "group") else None


def _labels_under(value: str | list[str]) -> list[tuple[str, str]]:
    """The labelled lines that a heading of bodies stands over ("b) Cơ quan thực hiện:" / "- Đơn vị chủ trì: X" /
    "- Đơn vị phối hợp: Y"): each line's (column kind, value), or [] when the lines are not all such."""
    lines = [x.strip() for x in (value.split("\n") if isinstance(value, str) else value) if x.strip()]
    if not lines or not all(_is_list_line(x) for x in lines):
        return []
    found = [e for e in (_labelled(x) for x in lines) if e]
    return found if len(found) == len(lines) else []


def _own_entries(text: str) -> list[tuple[str, str]]:
    """What an item says of who does the task: one labelled line ("- Cơ quan chủ trì: X"), or the lines under a
    heading of bodies when the item holds them ("b) Cơ quan thực hiện:" with "- Đơn vị chủ trì: X" …)."""
    own = _labelled(text)
    if own is not None:
        return [own]
    head, _, rest = strip_marker(text.replace("*", "")).partition("\n")
    return _labels_under(rest) if _group_heading(head) else []


def _group_heading(paragraph: str) -> bool:
    """A heading that names the bodies' lines under it and no body: "b) Cơ quan thực hiện:", "2. Cơ quan chủ trì,
    phối hợp", "2. Chủ trì thực hiện"."""
    bare = strip_marker(paragraph.replace("*", "")).rstrip(" :")
    return 0 < len(bare.split()) <= 8 and ":" not in bare and column_kind(bare) in ("lead", "partners", "executors")


def _task_label(paragraph: str) -> str | None:
    """What follows a label of the task ("a) Nhiệm vụ: Tham mưu …" → "Tham mưu …"; "1. Nội dung, biện pháp" → ""),
    or None when the paragraph is no such label."""
    bare = " ".join(strip_marker(paragraph.replace("*", "")).split())
    label, colon, value = bare.partition(":")
    if not label or len(label.split()) > 6 or (not colon and len(bare.split()) > 6):
        return None
    return value.strip() if column_kind(label) == "task" else None


_HEADING = re.compile(r"^(?:[IVX]{1,5}|\d{1,2}(?:\.\d{1,2}){0,2})\.\s")  # "III. ", "2. ", "1.2. ": no "a)", "- "


def _labelled_task(paras: list[str], below: int, is_entry) -> str | None:
    """The task of a labelled block whose first line is `below`, where it is written under a label of its own:
    "1.2. Triển khai … / a) Nhiệm vụ: / - … / - … / b) Cơ quan thực hiện: …" or "III. ĐẨY MẠNH … / 1. Nội dung,
    biện pháp / a) … / e) … / 2. Cơ quan chủ trì, phối hợp / …": the heading over the label, then the label's
    text and the items under it. None when no such label stands between the block and the block before."""
    k = below - 1
    while k >= 0 and _group_heading(paras[k]):
        k -= 1
    j = k
    while j >= 0 and _task_label(paras[j]) is None:
        if is_entry(j) or _HEADING.match(paras[j].replace("*", "").lstrip()):
            return None  # the block before, or a numbered heading: the task is not written under a label
        j -= 1
    if j < 0:
        return None
    parts = [_task_label(paras[j])] + [" ".join(paras[i].split()) for i in range(j + 1, k + 1)]
    heading = ""
    above = paras[j - 1].lstrip()[:1] if j > 0 else ""
    nested = above in "-•" and paras[j].lstrip()[:1] == "+"  # "- Nghị định … / + Nội dung: …": a bullet over its own
    if j > 0 and not is_entry(j - 1) and _task_label(paras[j - 1]) is None and (nested or not _is_list_line(paras[j - 1])):
        heading = uncapped(" ".join(strip_marker(paras[j - 1].replace("*", "")).split()).rstrip(" :"))
    body = " ".join(p for p in parts if p)
    return f"{heading}: {body}" if heading and body else heading or body or None


def _labelled_duties(item: _Item) -> list[Duty]:
    """A task written as a heading with labelled lines under it, as a table row would be:
    "2. Tổ chức tập huấn … / - Cơ quan chủ trì: Bộ Công an. / - Cơ quan phối hợp: … / - Thời gian thực hiện: …".
    The item is one of the labelled lines; the task is the paragraph above the lines — or, where that is a
    heading of bodies itself ("2. Cơ quan chủ trì, phối hợp" under "VIII. Bảo đảm kinh phí …"), the part
    the heading stands in —, the deadline their deadline line."""
    whole = _task_over_lines(item)
    if whole is not None:
        return whole
    owns = _own_entries(item.text)
    if not owns and not _is_list_line(item.text):
        return []
    paras, starts = _paragraphs(item.doc.text)
    at = bisect.bisect_right(starts, item.start) - 1
    if at < 0 or item.start >= starts[at] + len(paras[at]) + 2:
        return []

    def entry(k: int) -> tuple[str, str] | None:
        following = []
        for line in paras[k + 1: k + 30]:
            if not _is_list_line(line):
                break
            following.append(line)
        return _labelled(paras[k], following)

    if not owns:  # a bullet of the list under a label: "a) Cơ quan chủ trì" / "- Ban Chỉ đạo quốc gia."
        k = at
        while k > 0 and _is_list_line(paras[k]):
            k -= 1
        label = entry(k) if k < at else None
        owns = [(label[0], strip_marker(item.text))] if label else []
    owns = [o for o in owns if o[0] != "deadline"]
    if not owns:
        return []
    first = at
    while first > 0 and (entry(first - 1) or _is_list_line(paras[first - 1])):
        first -= 1
    while first < at and not entry(first):
        first += 1  # the list of a label above is no label
    last = at
    while last + 1 < len(paras) and (entry(last + 1) or _is_list_line(paras[last + 1])):
        last += 1
    if first == 0:
        return []
    block = [b for b in (entry(k) for k in range(first, last + 1)) if b]
    if not any(k in ("lead", "executors") for k, _ in block):
        return []  # only supporting bodies: nobody is given the task
    task = _labelled_task(paras, first, lambda k: entry(k) is not None)
    if task is None:
        above = strip_marker(paras[first - 1].replace("*", ""))
        if _group_heading(above):
            top = item.section.split(" › ")[0].rstrip("…").strip().lower()
            found = item.doc.text.lower().rfind("\n\n" + top, 0, item.start) if top else -1
            above = strip_marker(item.doc.text[found + 2:].split("\n\n")[0]) if found >= 0 else above
        task = uncapped(" ".join(above.split()))
    return _labelled_rows(item, owns, task, next((v for k, v in block if k == "deadline"), None))


def _labelled_rows(item: _Item, entries: list[tuple[str, str]], task: str, written: str | None) -> list[Duty]:
    """One row per body of the labelled lines (column kind, names), each given the task and the written deadline."""
    deadline = cell_deadline(written, plan_date_of(item.doc.date)) if written else None
    rows, seen = [], set()
    for kind, names in entries:
        for name in (n for part in names.split(";") for n in split_agencies(part.strip(" .;"))):
            agency = lookup(name, item.doc.locality)
            if agency.canonical not in seen:
                seen.add(agency.canonical)
                duty = _duty(item, agency, _ROLE_OF_COLUMN[kind], deadline or Deadline("none", ""), item.text.strip())
                rows.append(replace(duty, text=task, deadline_text=written or None))
    return rows


def _task_over_lines(item: _Item) -> list[Duty] | None:
    """An item that holds its task and the labelled lines under it, as one bullet with its sub-bullets: "- Nghị
    định quy định chi tiết … / + Nội dung: … / + Cơ quan chủ trì: Bộ Công an. / + Cơ quan phối hợp: … / + Thời hạn
    ban hành: …". The task is the first line (and what a "Nội dung:" line says of it), the bodies and the deadline
    their lines. None when the item is not so written."""
    lines = [x.strip() for x in item.text.split("\n") if x.strip()]
    if (len(lines) < 2 or _labelled(lines[0]) is not None or _group_heading(lines[0])
            or not all(x.startswith(("-", "+", "•")) for x in lines[1:])):
        return None  # a heading of bodies is no task: its block is read as a whole below
    entries = [(_labelled(x), _task_label(x)) for x in lines[1:]]
    if any(e is None and t is None for e, t in entries) or not any(e and e[0] in ("lead", "executors") for e, _ in entries):
        return None
    head = " ".join(strip_marker(lines[0].replace("*", "")).split()).rstrip(" .:;")
    said = " ".join(" ".join(t for _, t in entries if t).split())
    task = f"{head}: {said}" if said else head
    written = next((e[1] for e, _ in entries if e and e[0] == "deadline"), None)
    return _labelled_rows(item, [e for e, _ in entries if e and e[0] != "deadline"], task, written)


_LINKS = re.compile(r"[\s,;.:()\-–]+|\b(?:và|thuộc|trực thuộc)\b", re.I)


def _names_only(item: str, locality: str | None) -> bool:
    """Whether an item is only bodies, joined by commas, "và" or "thuộc" (what stands in brackets aside: an
    address, "gọi chung là …"): an enumeration of units (an organisation chart, a list of members, where
    to file), which gives nobody work."""
    from ingest.lexicon import bodies_in

    left = re.sub(r"\([^()]*\)", " ", item)
    for b in sorted(bodies_in(left, locality), key=lambda b: -len(b.written)):
        left = left.replace(b.written, " ")
    return not _LINKS.sub("", left)


def _is_list_line(paragraph: str) -> bool:
    """A bullet of a list of bodies under a label ("- Ban Chỉ đạo các tỉnh.")."""
    return paragraph.lstrip().startswith(("-", "+", "•")) and len(paragraph) < 400


def _item_duties(item: _Item) -> list[Duty]:
    text = item.text
    deadline = parse_deadline(text, plan_date_of(item.doc.date))
    rows: list[Duty] = []
    seen: set[str] = set()

    def add(agency: Agency, role: str, quote: str) -> None:
        if agency.canonical not in seen:
            seen.add(agency.canonical)
            rows.append(_duty(item, agency, role, deadline, quote))

    if item.agency:
        body = strip_marker(text)
        after = body[len(item.agency):] if body.startswith(item.agency) else body
        if _names_only(body, item.doc.locality):
            return []  # "Trạm Kiểm lâm A, Trạm Kiểm lâm B thuộc Hạt Kiểm lâm C;": a list of units, no task
        if trailing_agency(text) == item.agency:  # "… (Bộ phận Y tế)": a unit of the section's body does it
            for name in split_agencies(_section_body(item.section) or ""):
                add(lookup(name, item.doc.locality), "thực hiện", text)
        for name in split_agencies(item.agency):
            add(lookup(name, item.doc.locality), role_of(after, text), text)
    else:
        task_context = item.tasks_anywhere or _is_task_section(item.section)
        for start, end in _sentences(text):
            found = _assignment(text[start:end], task_context or _is_legal(item.doc))
            if not found:
                continue
            names, rest = found
            quote = text[start: _paragraph_end(text, start)]
            for name in split_agencies(names):
                add(lookup(name, item.doc.locality), role_of(rest, quote), quote)
        if not rows:  # "… yêu cầu Chủ tịch Ủy ban nhân dân các tỉnh: 1. …", "3. Bộ Tài chính …: 3.1 …"
            names = _addressee(item, task_context)
            for name in split_agencies(names or ""):
                add(lookup(name, item.doc.locality), role_of(strip_marker(text), text), text)
    if rows:
        for agency, quote in _partners(text, item.doc.locality):
            add(agency, "phối hợp", quote)
    return rows


# an item of a letter or directive stands under its intro ("Phần mở đầu › 1. Bộ trưởng các Bộ …")
_NUMBERED_IN_INTRO = re.compile(r"^Phần mở đầu › (?:\d{1,2}|[IVX]{1,5})\.\s")
# a paragraph that hands the items after it to a body: "Thủ tướng Chính phủ yêu cầu Chủ tịch Ủy ban nhân dân các
# tỉnh:", "3. Bộ trưởng Bộ Tài chính … thực hiện một số nhiệm vụ sau:"
_HANDS_OVER = re.compile(r"\b(?:yêu cầu|đề nghị|giao)\s+(?=\S)", re.I)


def _addressee(item: _Item, task_context: bool = True) -> str | None:
    """The bodies the paragraph that leads into an item hands it to: the item's parent item when that
    opens with a body and ends with ":", else a paragraph of the document's intro that asks a body to do what
    follows ("… yêu cầu X:"), when no part heading (I., II. …) stands between."""
    text = item.doc.text
    before = text[: item.start]
    labels = item.section.split(" › ")
    own = labels[-1].rstrip("…").strip()
    if item.text.lstrip().startswith(own):
        labels = labels[:-1]  # the item's own label; else the item is the text under its heading
    for label in reversed(labels):
        head = label.rstrip("…").strip()
        at = before.rfind("\n\n" + head)
        if head and at >= 0:
            para = before[at + 2:].split("\n\n")[0]
            found = agency_list_at(strip_marker(para))
            if task_context and para.rstrip().endswith(":") and found:
                return found[0]
            # a heading that is a list of bodies: "2. Bộ trưởng các Bộ, …", "1. Thủ trưởng các cơ quan, đơn vị được giao
            # nhiệm vụ" (a body and the clause that says which ones)
            heading = re.sub(r"\s(?:được giao|được phân công)\b.*$", "", strip_marker(para).rstrip(" .:"))
            names = split_agencies(heading)
            if len(para) < 240 and names and all(_names_body(n, item.doc.locality) for n in names):
                return heading
    if not task_context:
        return None
    paras = [p for p in before[-20000:].split("\n\n") if p.strip()]
    for para in reversed(paras[-60:]):
        if re.match(r"^[IVX]{1,5}\.\s", para):
            return None
        if para.rstrip().endswith(":") and not MARKER.match(para + " "):
            m = _HANDS_OVER.search(para)
            found = agency_list_at(para[m.end():]) if m else None
            return found[0] if found else None
    return None


def _names_body(name: str, locality: str | None) -> bool:
    """A known body, or a kind of body by its head noun ("Thủ trưởng cơ quan ngang bộ": the ministry-level
    agencies)."""
    agency = lookup(name, locality)
    return agency.known or fold(agency.canonical) in lexicon.folded_heads()


@lru_cache(maxsize=4)
def _paragraphs(text: str) -> tuple[list[str], list[int]]:
    """A document's paragraphs and where each starts, read once for all its items."""
    found = list(re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text))
    return [m.group() for m in found], [m.start() for m in found]


def _duty(item: _Item, agency: Agency, role: str, deadline: Deadline, quote: str) -> Duty:
    has_deadline = deadline.kind != "none"
    return Duty(
        agency=agency.written,
        canonical=agency.canonical,
        level=agency.level,
        sector=agency.sector,
        role=role,
        text=" ".join(strip_marker(item.text).split()),
        deadline_text=deadline.text if has_deadline else None,
        deadline=deadline if has_deadline else None,
        recurrence=deadline.recurrence,
        doc_id=item.doc.doc_id,
        file=item.doc.file,
        plan_label=item.doc.label,
        section=item.section,
        chunk_id=item.chunk_id,
        quote=quote,
    )


def role_of(after_name: str, whole: str) -> str:
    """"chủ trì" when the item gives the agency the lead anywhere ("Chủ trì, phối hợp với …", "Là cơ quan
    chủ trì"), "phối hợp" when its duty opens with coordinating, else "thực hiện"."""
    if re.search(r"(?<!vai trò )\bchủ trì\b", whole, re.I):
        return "chủ trì"
    opening = after_name.lstrip(" ,:;-–")
    if re.match(r"(?:có trách nhiệm |chủ động |tham gia |thường xuyên |tiếp tục )?phối hợp\b", opening, re.I):
        return "phối hợp"
    return "thực hiện"


def _assignment(sentence: str, task_section: bool) -> tuple[str, str] | None:
    """(names, the rest of the sentence) when a sentence assigns work to agencies."""
    s = strip_marker(sentence)
    if re.match(r"(?:Giao|Đề nghị)\s", s):
        found = agency_list_at(s)
        return (found[0], s[found[1]:]) if found else None
    if not task_section:
        return None
    found = agency_list_at(s)
    if found:
        return found[0], s[found[1]:]
    purpose = bool(_PURPOSE_CLAUSE.match(s))
    comma = s.find(", ")
    if purpose and comma > 0 and (m := _HANDS_OVER.search(s, comma)) and (found := agency_list_at(s[m.end():])):
        return found[0], s[m.end() + found[1]:]  # "Để …, yêu cầu Bộ Y tế …" (not "Để đáp ứng yêu cầu …, Sở …")
    if purpose or _LEAD_CLAUSE.match(s):  # "Căn cứ …, căn cứ …, các phòng, ban, … xây dựng kế hoạch"
        for comma in re.finditer(r",\s+", s[:300]):
            if purpose and _PARTNER.search(s[:comma.start()]):
                return None  # "Đối với …, phối hợp với Sở A, Sở B …": the bodies after it are partners
            found = agency_list_at(s[comma.end():])
            if found:
                return found[0], s[comma.end() + found[1]:]
    return None


def _partners(text: str, locality: str | None) -> list[tuple[Agency, str]]:
    """Specific agencies an item coordinates with, each with the sentence that says so."""
    out = []
    for m in _PARTNER.finditer(text):
        found = agency_list_at(text[m.end():])
        if not found:
            continue
        start, end = _sentence_around(text, m.start())
        for name in _partner_names(found[0]):
            out.append((lookup(name, locality), text[start:end]))
    return out


def _partner_names(names: str) -> list[str]:
    """The specific agencies at the head of a "phối hợp với …" list, each cut to its known name:
    "Công an phường tổng rà soát …" -> "Công an phường"; the list ends at the first words that are not an
    agency. A level named last is shared: "Viện kiểm sát nhân dân, Tòa án nhân dân thành phố"."""
    found: list[str] = []
    for piece in split_agencies(names):
        name = _known_prefix(piece)
        if name is None:
            break
        found.append(name)
        if name != piece:
            break
    level = level_in(fold(found[-1])) if found else None
    out = []
    for name in found:
        agency = lookup(name)
        if agency.scoped and agency.level is None and level:
            name, agency = f"{name} {level}", lookup(f"{name} {level}")
        # not "các sở, ngành …"; a body found at every level only with its level (not "lực lượng Công an")
        if agency.known and not fold(agency.canonical).startswith("cac ") and (not agency.scoped or agency.level):
            out.append(name)
    return out


def _known_prefix(piece: str) -> str | None:
    """The longest start of `piece` that is a whole known name: exactly a canonical name
    ("Sở Giáo dục và Đào tạo", "Tổ dân phố") or a known name ending in its level ("Công an phường")."""
    words = piece.split()
    for k in range(len(words), 0, -1):
        prefix = " ".join(words[:k]).strip(" ,;:")
        agency = lookup(prefix)
        if not agency.known:
            continue
        folded = re.sub(r"^cac ", "", fold(prefix))
        if folded == re.sub(r"^cac ", "", fold(agency.base)):
            return prefix
        levels = r"(tinh|thanh pho|tp|huyen|xa|phuong|khu vuc)"
        if re.search(rf"\b{levels}$", folded) and not re.search(
            rf"(,(?! {levels}$)| va |dia phuong$|xa hoi$)", folded  # "xã, phường" is one level
        ):
            return prefix
    return None


def _is_legal(doc: Document) -> bool:
    """A legal text (Luật, Nghị định, Thông tư …: a kind the document vocabulary marks as a legal norm):
    every clause whose subject is a body assigns it work, wherever it stands."""
    from ingest.doc_vocab import vocab

    kind = vocab().kind_named(doc.kind)
    return bool(kind and kind.normative)


def _is_task_section(section: str, answers: bool = True) -> bool:
    labels = [fold(label) for label in section.split(" › ")]
    words = _TASK_SECTION + (_ANSWER_SECTION if answers else ())
    return any(k in labels[0] for k in words) and not any(k in lb for lb in labels for k in _NOT_TASKS)


_CELL_LABEL = re.compile(r"(?:- )?[^:·\n]{2,60}:\s+")  # "Trách nhiệm thực hiện: " before a cell's value


def _sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of an item. In a table row ("- TT: 3 · Trách nhiệm thực hiện: Bộ phận Một cửa · Sản phẩm
    thực hiện: …") a sentence stays in its cell and starts after the cell's label: no sentence runs from one cell
    into the next, and a label ("Cơ quan thực hiện:") is no subject."""
    cells = [(0, len(text))]
    if SEP in text:
        cells = [(m.start(), m.end()) for m in re.finditer(r"(?:(?! · ).)+", text, re.S)]
        cells = [(m.end() if (m := _CELL_LABEL.match(text, s, e)) else s, e) for s, e in cells]
    spans = []
    for first, last in cells:
        start = first
        for m in _SENTENCE_END.finditer(text, first, last):
            spans.append((start, m.start()))
            start = m.end()
        spans.append((start, last))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _sentence_around(text: str, pos: int) -> tuple[int, int]:
    return next(((s, e) for s, e in _sentences(text) if s <= pos < e), (0, len(text)))


def _paragraph_end(text: str, pos: int) -> int:
    end = text.find("\n\n", pos)
    return len(text) if end < 0 else end


def _section_body(section: str) -> str | None:
    """The body the innermost section heading above an item names ("IV. … › 3. Văn phòng … › ý 2")."""
    for label in reversed(section.split(" › ")[:-1]):
        name = agency_of(strip_marker(label).rstrip("…"), inline=False)
        if name:
            return name
    return None
