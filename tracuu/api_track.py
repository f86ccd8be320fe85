"""The follow-up and comparison routes of the HTTP API, as one FastAPI router that `tracuu.api` includes:

    GET   /v1/tasks?agency=&plan=&due_in=&overdue=   -> the `tracuu track list --format json` list
    GET   /v1/tasks/{id}                             -> one task, with the history of its statuses
    PATCH /v1/tasks/{id}  {"status", "note"?, "by"?} -> the task with its new status (not for `doc` keys)
    GET   /v1/compare?a=&b=&agency=&format=json|md   -> the `tracuu compare --format json` object, or Markdown

    app.include_router(track_router(runtime, require_key))   # tracuu.api's key check, giving an Actor

Keys and roles are those of the rest of the API (TRACUU_API_KEYS_FILE): every route needs a key when
keys are set; setting a status needs the role `bien-tap` or above, so a `doc` key only reads. Every
status change, allowed or refused, is written to the audit log (tracuu.audit, action "status"), as the
web's "Theo dõi" tab does.
"""

from datetime import date

from tracuu.errors import TracuuError

STATUS_PATTERN = r"\S"


def _with_404(m) -> dict:
    return {**m.json_responses(dict), 404: {"model": m.ErrorBody, "description": "không có nhiệm vụ mã đó"}}


def track_router(runtime, require_key):
    """The router; `require_key` is the dependency giving a request's tracuu.audit.Actor (tracuu.api's
    key check: 401 without a valid key)."""
    from fastapi import APIRouter, Depends, Query
    from fastapi.responses import PlainTextResponse
    from pydantic import BaseModel, ConfigDict, Field
    from starlette.exceptions import HTTPException

    from tracuu import api_models as m
    from tracuu.accounts import may
    from tracuu.audit import record

    router = APIRouter(tags=["theo dõi"])

    class StatusChange(BaseModel):
        model_config = ConfigDict(extra="forbid")

        status: str = Field(min_length=1, max_length=40, pattern=STATUS_PATTERN,
                            description="chưa thực hiện | đang thực hiện | đã hoàn thành (có dấu hay không dấu)")
        note: str = Field("", max_length=4000, description="ghi chú: đã làm gì, vướng gì")
        by: str = Field("", max_length=200, description="người cập nhật (mặc định: vai trò của khoá)")

    def index():
        try:
            return runtime.searcher.index
        except TracuuError as exc:
            raise HTTPException(503, f"Máy chủ tracuu chưa sẵn sàng. {exc}") from None

    def store():
        from tracuu.track_store import open_store

        try:
            return open_store(runtime.settings)
        except TracuuError as exc:
            raise HTTPException(503, str(exc)) from None

    def tasks(agency=None, plan=None, due_in=None, overdue=False):
        from assistant.duties_table import duties_from_index
        from tracuu import services
        from tracuu.track import tasks_of

        loaded, db = index(), store()
        try:
            duties, documents = duties_from_index(loaded), loaded.documents_by_id
            keep = services.filter_duty_rows(duties, documents, agency, plan, None, due_in)
            found = tasks_of(duties, documents, db.current(), date.today(), keep)
        except TracuuError as exc:
            raise HTTPException(400, str(exc)) from None
        finally:
            db.close()
        return [t for t in found if t.overdue] if overdue else found

    def one(task_id: str):
        found = [t for t in tasks() if t.task_id == task_id.strip().lower()]
        if not found:
            raise HTTPException(404, f"Không có nhiệm vụ mã “{task_id}” trong chỉ mục hiện tại — xem mã ở GET /v1/tasks.")
        return found[0]

    def with_history(task) -> dict:
        db = store()
        try:
            return {**task.to_json(), "history": [e.to_json() for e in db.history(task.task_id)]}
        finally:
            db.close()

    @router.get("/v1/tasks", dependencies=[Depends(require_key)], response_model=None, responses=m.json_responses(list))
    def list_tasks(
        agency: str | None = Query(None, max_length=200, description="tên, viết tắt hoặc ngành, có dấu hay không"),
        plan: str | None = Query(None, max_length=200, description="tên tệp, mã hoặc một phần tên kế hoạch"),
        due_in: str | None = Query(None, max_length=40, description="12/2025 hoặc 2025-12"),
        overdue: bool = Query(False, description="chỉ việc quá hạn mà chưa hoàn thành"),
    ) -> list:
        """Every task (a duty row with its id, status and whether it is overdue) matching the filters."""
        return [t.to_json() for t in tasks(agency, plan, due_in, overdue)]

    @router.get("/v1/tasks/{task_id}", dependencies=[Depends(require_key)], response_model=None, responses=_with_404(m))
    def get_task(task_id: str) -> dict:
        """One task and the history of its statuses (oldest first)."""
        return with_history(one(task_id))

    @router.patch("/v1/tasks/{task_id}", response_model=None, responses=_with_404(m))
    def set_task(task_id: str, body: StatusChange, caller=Depends(require_key)) -> dict:
        """Set a task's status, with a note; the change is added to its history and to the audit log.
        Not for `doc` keys (refused, and the refusal logged)."""
        wanted = task_id.strip().lower()
        if not may(caller.role, "bien-tap"):
            audited(caller, False, wanted, f"vai trò {caller.role} không được phép")
            raise HTTPException(403, "Khoá này chỉ được đọc (vai trò doc) — dùng khoá bien-tap để cập nhật trạng thái.")
        task = one(task_id)
        db = store()
        try:
            entry = db.set_status(task.task_id, body.status, body.note, body.by or f"api ({caller.who})",
                                  cited=f"{task.cited} — {task.duty.canonical}: {task.duty.text[:200]}")
        except TracuuError as exc:
            audited(caller, False, task.task_id, str(exc))
            raise HTTPException(400, str(exc)) from None
        finally:
            db.close()
        audited(caller, True, task.task_id, f"{entry.status}{': ' + entry.note if entry.note else ''} — {task.cited}")
        return with_history(one(task.task_id))

    def audited(caller, allowed: bool, task_id: str, detail: str) -> None:
        try:
            record(runtime.settings, caller, "status", allowed, task_id or None, None, detail)
        except TracuuError as exc:
            raise HTTPException(503, str(exc)) from None

    @router.get("/v1/compare", dependencies=[Depends(require_key)], response_model=None, responses=_with_404(m))
    def compare_documents(
        a: str = Query(..., min_length=1, max_length=300, description="văn bản A: tên tệp, mã hoặc một phần tên"),
        b: str = Query(..., min_length=1, max_length=300, description="văn bản B"),
        agency: str | None = Query(None, max_length=200, description="chỉ việc của cơ quan này, hoặc cùng ngành"),
        fmt: str = Query("json", alias="format", pattern="^(json|md)$", description="json (mặc định) hoặc md"),
    ):
        """Two documents item by item: tasks and targets changed, added, dropped and kept, cited."""
        from tracuu.compare import compare, to_json, to_markdown

        loaded = index()
        try:
            result = compare(loaded, runtime.embedder, a, b, agency)
        except TracuuError as exc:
            raise HTTPException(400, str(exc)) from None
        if fmt == "md":
            return PlainTextResponse(to_markdown(result), media_type="text/markdown; charset=utf-8")
        return to_json(result)

    return router
