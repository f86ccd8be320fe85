"""The "Theo dõi" tab: every task of the plans with its status and whether it is overdue, filtered by
body, due month and overdue only (the functions of `tracuu track list`), and a status set with a note.
TrackService does the work without gradio; `track_tab` lays the tab out inside tracuu.web's page.

Setting a status needs the role `bien-tap` or `quan-tri` (tracuu.accounts), as uploads do; every attempt,
allowed or refused, is written to the audit log (tracuu.audit, action "status"). Statuses live in the
follow-up store beside the index (tracuu.track_store), so a page reload, a restart or a re-index keeps them."""

from __future__ import annotations

from datetime import date

from tracuu.accounts import may
from tracuu.audit import Actor, record
from tracuu.errors import TracuuError
from tracuu.track_store import STATUSES

COLUMNS = ["Mã", "Cơ quan", "Nhiệm vụ", "Văn bản", "Mục", "Thời hạn", "Trạng thái", "Quá hạn", "Ghi chú"]
COLUMN_WIDTHS = ["8%", "12%", "27%", "12%", "10%", "9%", "8%", "6%", "8%"]
EDITOR = "bien-tap"  # the role that may set a status (as for uploads)


class TrackService:
    """The tasks of the index the web already reads (tracuu.web_duties.DutiesService, cached until a
    re-index) with their statuses from the follow-up store."""

    def __init__(self, runtime, duties):
        self.runtime = runtime
        self.duties = duties

    def _store(self):
        from tracuu.track_store import open_store

        return open_store(self.runtime.settings)

    def find(self, agency: str | None = None, due_in: str | None = None, overdue: bool = False,
             today: date | None = None) -> list:
        """The tasks (tracuu.track.Task) passing the filters; bad input is a TracuuError."""
        from tracuu.services import filter_duty_rows
        from tracuu.track import tasks_of

        duties, documents = self.duties.table()
        keep = filter_duty_rows(duties, documents, (agency or "").strip() or None, None, None,
                                (due_in or "").strip() or None)
        store = self._store()
        try:
            found = tasks_of(duties, documents, store.current(), today or date.today(), keep)
        finally:
            store.close()
        return [t for t in found if t.overdue] if overdue else found

    def set_status(self, task_id: str, status: str, note: str, actor: Actor) -> str:
        """Set a task's status as `actor`; the answer (Markdown, Vietnamese) says what was done or why not."""
        task_id = (task_id or "").strip().lower()
        settings = self.runtime.settings
        if not may(actor.role, EDITOR):
            record(settings, actor, "status", False, task_id or None, None, f"vai trò {actor.role} không được phép")
            return (f"**Không được phép:** tài khoản **{actor.who}** có vai trò `{actor.role}` (chỉ đọc). "
                    "Cập nhật trạng thái cần vai trò `bien-tap` hoặc `quan-tri` — nhờ người quản trị "
                    "(`tracuu users add TÊN --role bien-tap`).")
        if not task_id:
            return "Chọn một nhiệm vụ (bấm vào một dòng của bảng, hoặc chọn mã trong ô “Nhiệm vụ”) rồi bấm lại."
        found = [t for t in self.find() if t.task_id == task_id]
        if not found:
            raise TracuuError(f"Mã nhiệm vụ “{task_id}” không có trong chỉ mục hiện tại — bấm “Lọc” để tải lại "
                              "bảng rồi chọn lại.")
        task = found[0]
        store = self._store()
        try:
            entry = store.set_status(task.task_id, status or "", note or "", actor.who,
                                     cited=f"{task.cited} — {task.duty.canonical}: {task.duty.text[:200]}")
        finally:
            store.close()
        record(settings, actor, "status", True, task.task_id, None,
               f"{entry.status}{': ' + entry.note if entry.note else ''} — {task.cited}")
        return f"Đã đặt **{task.task_id}** “{_short(task.duty.text, 80)}” → **{entry.status}** ({entry.set_by})."


def rows_for_display(tasks) -> list[list]:
    """One list per task in the order of COLUMNS."""
    from assistant.duties_table import agency_label, deadline_label

    out = []
    for t in tasks:
        d, e = t.duty, t.entry
        note = f"{e.note} ({e.set_by}, {e.set_at[:10]})".strip() if e else ""
        out.append([t.task_id, f"{agency_label(d)} ({d.role})", d.text, d.plan_label, d.section,
                    deadline_label(d) or (d.deadline_text or ""), t.status,
                    f"từ {t.missed:%d/%m/%Y}" if t.missed else "", note])
    return out


def summary(tasks, filters: str) -> str:
    if not tasks:
        return f"Không có nhiệm vụ nào khớp ({filters or 'không lọc'})."
    counts = {s: sum(1 for t in tasks if t.status == s) for s in STATUSES}
    late = sum(1 for t in tasks if t.overdue)
    return (f"**{len(tasks)} nhiệm vụ**{' — ' + filters if filters else ''}: "
            + ", ".join(f"{n} {s}" for s, n in counts.items()) + f"; **{late} quá hạn**.")


def task_choices(tasks) -> list[tuple[str, str]]:
    return [(f"{t.task_id} — {t.duty.canonical}: {_short(t.duty.text, 70)}", t.task_id) for t in tasks]


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def track_tab(page, demo) -> None:
    """The tab, inside tracuu.web's gr.Tabs (page: tracuu.web._Page)."""
    gr = page.gr
    from tracuu.web import LIGHT, actor_of

    service = TrackService(page.runtime, page.duties)
    with gr.Tab("Theo dõi", id="track") as tab:
        gr.Markdown("Theo dõi từng nhiệm vụ được giao đến hạn: trạng thái, ghi chú, quá hạn. Lọc theo cơ quan "
                    "(có dấu hay không dấu), tháng đến hạn, hoặc chỉ việc quá hạn.", elem_id="tc-track-intro")
        with gr.Row(equal_height=True, elem_id="tc-track-filters"):
            agency = gr.Textbox(label="Cơ quan", placeholder="Công an phường, so y te…", scale=3,
                                elem_id="tc-track-agency")
            due_in = gr.Textbox(label="Đến hạn trong tháng", placeholder="12/2025", scale=2, elem_id="tc-track-in")
            overdue = gr.Checkbox(label="Chỉ việc quá hạn", value=False, scale=1, elem_id="tc-track-overdue")
            find_btn = gr.Button("Lọc", variant="primary", scale=1, min_width=80, elem_id="tc-track-find")
        summary_md = gr.Markdown("", elem_id="tc-track-summary")
        table = gr.Dataframe(headers=COLUMNS, value=[], interactive=False, wrap=True, column_widths=COLUMN_WIDTHS,
                             max_height=420, show_label=False, elem_id="tc-track-table")
        with gr.Row(equal_height=True, elem_id="tc-track-set"):
            task = gr.Dropdown(choices=[], value=None, label="Nhiệm vụ (hoặc bấm một dòng của bảng)", scale=4,
                               allow_custom_value=True, elem_id="tc-track-task")
            status = gr.Dropdown(choices=list(STATUSES), value=STATUSES[1], label="Trạng thái", scale=2,
                                 elem_id="tc-track-status")
            note = gr.Textbox(label="Ghi chú", placeholder="đã làm gì, vướng gì", scale=3, elem_id="tc-track-note")
            set_btn = gr.Button("Cập nhật", variant="primary", scale=1, min_width=90, elem_id="tc-track-save")
        message = gr.Markdown("", elem_id="tc-track-message")

    def show(agency, due_in, overdue, keep=None):
        from assistant.duties_table import describe_filters

        filters = "; ".join(x for x in (describe_filters(agency, None, None, due_in),
                                        "chỉ việc quá hạn" if overdue else "") if x)
        try:
            tasks = service.find(agency, due_in, overdue)
        except TracuuError as exc:
            return f"**Lỗi:** {exc}", gr.skip(), gr.skip()
        choices = task_choices(tasks)
        chosen = keep if keep in {c[1] for c in choices} else None
        return summary(tasks, filters), rows_for_display(tasks), gr.Dropdown(choices=choices, value=chosen)

    def pick(data, evt):
        """A click on a row chooses its task."""
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        try:
            return str(data.iloc[row, 0]) if hasattr(data, "iloc") else str(data[row][0])
        except (IndexError, KeyError, TypeError):
            return gr.skip()

    def save(task_id, status, note, agency, due_in, overdue, request):
        try:
            said = service.set_status(task_id, status, note, actor_of(page.logins, request))
        except TracuuError as exc:
            return f"**Lỗi:** {exc}", gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return (said, *show(agency, due_in, overdue, keep=(task_id or "").strip().lower()), "")

    save.__annotations__["request"] = gr.Request
    pick.__annotations__["evt"] = gr.SelectData
    filters, shown = [agency, due_in, overdue], [summary_md, table, task]
    demo.load(show, filters, shown, **LIGHT)
    tab.select(show, filters, shown, **LIGHT)  # after an upload or a removal, the tasks follow
    for trigger in (find_btn.click, agency.submit, due_in.submit, overdue.change):
        trigger(show, filters, shown, api_visibility="private", concurrency_limit=4, show_progress="minimal")
    table.select(pick, table, task, **LIGHT)
    set_btn.click(save, [task, status, note, *filters], [message, *shown, note], api_visibility="private",
                  concurrency_id="track-write", concurrency_limit=1, show_progress="minimal")
