"""The plans routes of the HTTP API, as one FastAPI router that `tracuu.api` includes:

    GET    /v1/plans          the ingested plans (number, title, kind, date, locality, passages, source, file)
    POST   /v1/plans          upload plans (multipart `files`) and index them    } keys with the role
    DELETE /v1/plans/{file}   remove a plan from the index                       } bien-tap or quan-tri

The work is tracuu.web_plans' (the same checks, bounded reading, indexing in its own process, audit log
as the web's Kế hoạch tab); a `doc` key gets 403, and its attempt is in the audit log too."""

import threading
from pathlib import Path

from tracuu.errors import TracuuError

MAX_UPLOADS = 20  # files of one upload, each at most settings.max_file_mb


def plans_router(runtime, require_key):
    """The router; `require_key` is the dependency giving a request's tracuu.audit.Actor (tracuu.api's
    key check: 401 without a valid key)."""
    from fastapi import APIRouter, Depends, UploadFile
    from starlette.exceptions import HTTPException

    from tracuu import api_models as m

    router = APIRouter(tags=["tracuu"])
    plan_service: dict = {}

    def plans():
        from tracuu.web_plans import PlanService

        if "service" not in plan_service:
            plan_service["service"] = PlanService(runtime, threading.Lock())
        return plan_service["service"]

    def changed(lines, actor) -> dict:
        """The progress lines of an upload or removal; a caller whose role may not is 403 (audited)."""
        from tracuu.accounts import may
        from tracuu.web_plans import EDITOR

        try:
            log_lines = list(lines)
        except TracuuError as exc:
            raise HTTPException(409, str(exc)) from None
        if not may(actor.role, EDITOR):
            raise HTTPException(403, log_lines[-1].replace("**", ""))
        return {"log": [line.replace("**", "") for line in log_lines]}

    @router.get("/v1/plans", response_model=None)
    def list_plans(actor=Depends(require_key)) -> list:
        """The ingested plans: number, title, kind, date, locality, passages, source, file."""
        keys_of = ["number", "title", "kind", "date", "locality", "chunks", "source", "file"]  # the COLUMNS
        return [dict(zip(keys_of, row)) for row in plans().rows()]

    @router.post("/v1/plans", response_model=None, responses=m.json_responses(dict))
    def upload_plans(files: list[UploadFile], actor=Depends(require_key)) -> dict:
        """Upload plans (multipart field `files`, .txt .md .docx .doc .odt .pdf) and index them. Needs a
        key with the role bien-tap or quan-tri; every attempt is in the audit log (`tracuu audit`)."""
        import shutil
        import tempfile

        from tracuu.web_plans import safe_name

        if len(files) > MAX_UPLOADS:
            raise HTTPException(400, f"Tối đa {MAX_UPLOADS} tệp mỗi lần tải lên.")
        with tempfile.TemporaryDirectory(prefix="tracuu-upload-") as folder:
            paths = []
            for i, f in enumerate(files):
                path = Path(folder) / str(i) / safe_name(f.filename or "ke-hoach")
                path.parent.mkdir()
                with path.open("wb") as out:
                    shutil.copyfileobj(f.file, out)
                paths.append(str(path))
            return changed(plans().add(paths, actor), actor)

    @router.delete("/v1/plans/{file}", response_model=None, responses=m.json_responses(dict))
    def remove_plan(file: str, actor=Depends(require_key)) -> dict:
        """Remove a plan (its file name, as GET /v1/plans lists it) from the index. Needs bien-tap or quan-tri."""
        return changed(plans().remove(file, actor), actor)

    return router
