"""The HTTP API (`tracuu api`): the CLI's contracts over HTTP, and an OpenAI-compatible chat endpoint so
any chat client or OpenAI SDK can use tracuu as a "model". A thin layer over tracuu.services, like the
CLI: the same functions make the same JSON objects.

    POST /v1/ask               {"question", "model"?, "doc"?, …} -> the `ask --json` object
                               (server-sent events with "stream": true: `token` events, then `answer`)
    GET  /v1/search?q=&k=      -> the `search --json` object
    GET  /v1/duties            -> the `duties --format json` list
    POST /v1/chat/completions  OpenAI-compatible, streamed or not; citations in the text and as fields
    GET  /v1/models, /v1/health, /openapi.json
    GET  /v1/plans             the ingested plans
    POST /v1/plans             upload plans (multipart `files`) and index them   } role bien-tap or
    DELETE /v1/plans/{file}    remove a plan from the index                      } quan-tri; audited

Loopback unless told otherwise (another address needs keys). With TRACUU_API_KEYS_FILE (one `KEY
[role]` per line) every /v1 route but health needs `Authorization: Bearer KEY`; the key's role decides
whether it may change the plans. Bodies are limited in size; every bad request gets a 4xx
with a Vietnamese message in `detail` (and in `error.message`, where OpenAI clients look)."""


import argparse
import json
import logging
import queue
import signal
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Literal

from assistant.limits import MAX_QUESTION_CHARS
from tracuu.api_keys import ApiKeys
from tracuu.errors import TracuuError

MAX_BODY = 256 * 1024  # bytes of a request body: a question, or a chat with its history
MAX_QUESTION = MAX_QUESTION_CHARS  # characters of a question, and of each earlier one (assistant/limits.py)
MAX_MESSAGES = 200  # messages of a chat completion request
DEFAULT_PORT = 8765
ANSWER_PATHS = {"/v1/ask", "/v1/chat/completions"}  # the routes that make an answer (tracuu/api_gate.py)
MODEL_IDS = {"tracuu": None, "tracuu-default": "default", "tracuu-fast": "fast"}  # chat "model" -> choice
log = logging.getLogger("tracuu.api")

_STATUS_TEXT = {
    400: "Yêu cầu không hợp lệ.",
    401: "Thiếu hoặc sai khoá API — gửi tiêu đề `Authorization: Bearer KHOÁ` với một khoá trong TRACUU_API_KEYS_FILE.",
    403: "Khoá API này không được phép làm việc đó — cần khoá có vai trò bien-tap hoặc quan-tri.",
    404: "Không có đường dẫn này — xem danh sách tại /openapi.json.",
    405: "Phương thức không được hỗ trợ ở đường dẫn này — xem /openapi.json.",
    413: f"Nội dung yêu cầu quá lớn (tối đa {MAX_BODY // 1024} KB).",
    415: "Nội dung yêu cầu phải là JSON (Content-Type: application/json).",
    500: "Lỗi máy chủ tracuu — xem nhật ký của máy chủ.",
    502: "Máy chủ mô hình không trả lời được.",
    503: "Máy chủ tracuu chưa sẵn sàng.",
}


def create_app(runtime, keys: ApiKeys | None = None):
    """The FastAPI app answering from `runtime` (tracuu.runtime.Runtime)."""
    from fastapi import Depends, FastAPI, Query, Request, Security
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse, StreamingResponse
    from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
    from starlette.exceptions import HTTPException

    from assistant.deadline import Budget, Cancelled, within
    from assistant.generator import UpstreamError
    from tracuu.api_gate import AnswerGate
    from assistant.limits import RequestTooLong, check_history, check_turn, conversation_within
    from tracuu import api_models as m
    from tracuu import services

    keys = keys or ApiKeys(None)
    app = FastAPI(
        title="tracuu API", version="1", docs_url=None, redoc_url=None,  # the docs pages load scripts from a CDN
        description="Hỏi đáp có trích dẫn trên các kế hoạch của cơ quan nhà nước. Cùng hợp đồng JSON với CLI.",
    )
    from tracuu.api_plans import MAX_UPLOADS

    uploads_limit = int(runtime.settings.max_file_mb * 1024 * 1024) * MAX_UPLOADS + MAX_BODY
    app.add_middleware(BodyLimit, limit=MAX_BODY, limits={"/v1/plans": uploads_limit})
    # outermost: a full queue answers 429 before anything else runs; a client that leaves cancels its answer
    app.add_middleware(AnswerGate, paths=ANSWER_PATHS, limit=runtime.settings.max_waiting,
                       parallel=runtime.settings.llm_parallel if runtime.settings.llm_url else 1)
    bearer = HTTPBearer(auto_error=False, description="Một khoá trong TRACUU_API_KEYS_FILE (khi máy chủ đặt khoá).")
    duties_cache: dict = {}

    def require_key(request: Request, credentials: HTTPAuthorizationCredentials | None = Security(bearer)):
        """Who calls (tracuu.audit.Actor: the key's fingerprint and role), or 401."""
        import hashlib

        from tracuu.audit import Actor

        key = credentials.credentials if credentials else None
        role = keys.role_of(key)
        if role is None:
            raise HTTPException(401, _STATUS_TEXT[401], headers={"WWW-Authenticate": "Bearer"})
        who = f"khoá:{hashlib.sha256(key.encode()).hexdigest()[:8]}" if keys.path else "(máy này, không có khoá)"
        return Actor(who, role, "api", request.client.host if request.client else "")

    def searcher():
        try:
            return runtime.searcher
        except TracuuError as exc:
            raise HTTPException(503, f"{_STATUS_TEXT[503]} {exc}") from None

    def filters_of(*values):
        try:
            return services.filters(*values)
        except TracuuError as exc:
            raise HTTPException(400, str(exc)) from None

    def cancel_of(request: Request) -> threading.Event:
        """The flag tracuu.api_gate sets when this request's client disconnects (a new one outside it)."""
        return getattr(request.state, "cancel", None) or threading.Event()

    def choice_of(model: str | None) -> str | None:
        allowed = {"default", "fast", runtime.settings.llm}
        if model is not None and model not in allowed:
            raise HTTPException(400, f"Không có mô hình '{model}' — chọn một trong: {', '.join(sorted(allowed))}.")
        return model

    def conversation_for(question: str, previous: list[str], others: list[str] = ()):
        """The conversation of the earlier questions, once every message and the standalone question
        this turn will ask are within assistant/limits.py's limits (else 400: the asker can fix it)."""
        from assistant.intent import place_names

        try:
            previous = check_history(previous, list(others), runtime.settings)
            conversation = conversation_within(previous, runtime.settings) if previous else None
            check_turn(question, conversation, place_names(searcher().index.documents), runtime.settings)
        except RequestTooLong as exc:
            raise HTTPException(400, str(exc)) from None
        return conversation

    def answer_now(question, conversation, flt, model, cancel, on_token=lambda _: None, draft: bool = False) -> dict:
        """The `ask --json` object; the model's unchecked draft (`model_text`) only when asked for. Stops
        past settings.answer_seconds (504) or once `cancel` is set (the client left: tracuu.api_gate)."""
        try:
            with within(Budget.starting(runtime.settings.answer_seconds, cancel)):
                obj = services.ask(runtime, question, conversation, flt, model, on_token if draft else lambda _: None)
            return obj if draft else {**obj, "model_text": ""}
        except Cancelled as exc:
            raise HTTPException(504 if exc.timed_out else 503, str(exc)) from None  # 503: the client has left
        except UpstreamError as exc:
            raise HTTPException(502, str(exc)) from None
        except RequestTooLong as exc:  # a window smaller than the schema's limits: still the asker's to fix
            raise HTTPException(400, str(exc)) from None
        except TracuuError as exc:
            raise HTTPException(503, f"{_STATUS_TEXT[503]} {exc}") from None

    def answer_events(question, conversation, flt, model, cancel, draft: bool = False):
        """(kind, data) items from a worker thread: ("token", text)…, then ("answer", obj) or ("error", …).
        The tokens are the checked answer's sentences once they passed the citation check; the model's
        draft as it is written only when the client asked for it (`draft`)."""
        items: queue.Queue = queue.Queue()

        def work():
            try:
                obj = answer_now(question, conversation, flt, model, cancel, lambda piece: items.put(("token", piece)),
                                 draft)
                if not draft:
                    for sentence in sentences(obj["answer"]):
                        items.put(("token", sentence))
                items.put(("answer", obj))
            except HTTPException as exc:
                items.put(("error", {"detail": exc.detail, "status": exc.status_code}))
            except Exception:  # noqa: BLE001 — the stream must end with an event, never hang
                log.exception("answer failed")
                items.put(("error", {"detail": _STATUS_TEXT[500], "status": 500}))
            finally:
                items.put(None)

        threading.Thread(target=work, daemon=True, name="tracuu-answer").start()
        try:
            while (item := items.get()) is not None:
                yield item
        finally:  # the stream was closed (the client left): the answer stops at its next token
            cancel.set()

    # -- routes -----------------------------------------------------------------------------------------
    @app.get("/v1/health", response_model=m.Health, tags=["tracuu"])
    async def health() -> dict:
        """Whether the server is up and its index loaded (no key needed). In the event loop: it answers
        at once whatever the answers in progress occupy."""
        return {"status": "ok", "ready": "searcher" in runtime.__dict__}

    auth = [Depends(require_key)]

    @app.post("/v1/ask", dependencies=auth, tags=["tracuu"], response_model=None, responses=m.ask_responses())
    def ask(body: m.AskRequest, request: Request):
        """One question -> the `tracuu ask --json` object. With `"stream": true` (or `Accept:
        text/event-stream`): server-sent events `token` ({"text"}: the checked answer, sentence by
        sentence), then `answer` (the same object), or `error` ({"detail"}). Only with `"stream_draft":
        true` do the tokens carry the model's unchecked draft as it is written, and `model_text` hold it."""
        searcher()
        model = choice_of(body.model)
        flt = filters_of(body.docs(), body.locality, body.year, body.agency, body.issuer, body.level, body.kind,
                         body.since, body.until)
        conversation = conversation_for(body.question, body.previous)
        accept = request.headers.get("accept", "")
        if body.stream or accept.split(",")[0].strip().startswith("text/event-stream"):
            def sse():
                for kind, data in answer_events(body.question, conversation, flt, model, cancel_of(request),
                                                body.stream_draft):
                    payload = {"text": data} if kind == "token" else data
                    yield f"event: {kind}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"

            return StreamingResponse(sse(), media_type="text/event-stream", headers=_SSE_HEADERS)
        return answer_now(body.question, conversation, flt, model, cancel_of(request), draft=body.stream_draft)

    @app.get("/v1/search", dependencies=auth, tags=["tracuu"], response_model=None,
             responses=m.json_responses(m.SearchResult))
    def search(
        q: str = Query(..., min_length=1, max_length=MAX_QUESTION, pattern=r"\S", description="câu hỏi"),
        k: int = Query(10, ge=1, le=100, description="số đoạn trả về"),
        mode: Literal["hybrid", "dense", "bm25"] = "hybrid",
        doc: list[str] = Query([], max_length=50, description="chỉ tìm trong kế hoạch này (lặp lại được)"),
        locality: str | None = Query(None, max_length=200),
        year: int | None = Query(None, ge=1900, le=2200),
        agency: str | None = Query(None, max_length=200),
        issuer: str | None = Query(None, max_length=200, description="chỉ văn bản của cơ quan ban hành này"),
        level: str | None = Query(None, max_length=20, description="trung ương, tỉnh, huyện hoặc xã"),
        kind: str | None = Query(None, max_length=100, description="loại văn bản: quyết định, công văn …"),
        since: str | None = Query(None, max_length=20, description="ký từ ngày (2025-11-01 hoặc 01/11/2025)"),
        until: str | None = Query(None, max_length=20, description="ký đến ngày"),
    ) -> dict:
        """Passages for a question -> the `tracuu search --json` object (no language model)."""
        searcher()
        flt = filters_of(doc, locality, year, agency, issuer, level, kind, since, until)
        return services.search_json(runtime, q, k, flt, mode)

    @app.get("/v1/duties", dependencies=auth, tags=["tracuu"], response_model=None,
             responses=m.json_responses(list[m.DutyRow]))
    def duties(
        agency: str | None = Query(None, max_length=200, description="tên, viết tắt hoặc ngành, có dấu hay không"),
        plan: str | None = Query(None, max_length=200, description="tên tệp, mã hoặc một phần tên kế hoạch"),
        due_before: str | None = Query(None, max_length=40, description="2025-12-31 hoặc 31/12/2025"),
        due_in: str | None = Query(None, max_length=40, description="2025-12 hoặc 12/2025"),
        detail: bool = Query(False, description="thêm `deadline_detail` (thời hạn đã phân tích)"),
    ) -> list:
        """Who must do what, by when -> the `tracuu duties --format json` list (no model)."""
        index = searcher().index
        if duties_cache.get("index") is not index:
            from assistant.duties_table import duties_from_index

            duties_cache.update(index=index, rows=duties_from_index(index))
        try:
            rows = services.filter_duty_rows(duties_cache["rows"], index.documents_by_id, agency, plan,
                                             due_before, due_in)
        except TracuuError as exc:
            raise HTTPException(400, str(exc)) from None
        return [services.duty_json(d, detail) for d in rows]

    @app.get("/v1/models", dependencies=auth, tags=["openai"], response_model=m.ModelList)
    def models() -> dict:
        """The model ids /v1/chat/completions accepts."""
        now = int(time.time())
        return {"object": "list", "data": [{"id": i, "object": "model", "created": now, "owned_by": "tracuu"}
                                           for i in MODEL_IDS]}

    @app.post("/v1/chat/completions", dependencies=auth, tags=["openai"], response_model=None,
              responses=m.chat_responses())
    def chat_completions(body: m.ChatRequest, request: Request):
        """OpenAI-compatible chat: the last user message is the question, earlier user messages its
        context. The reply's text is the verified answer with its sources as `tracuu ask` prints them;
        `citations` (on the completion and on the message) and `tracuu` (the whole `ask --json`
        object) carry them as data. Streamed: the checked answer sentence by sentence, then its sources;
        with `"stream_draft": true`, the model's draft, then the checked answer, as the CLI prints."""
        if body.model not in MODEL_IDS:
            raise HTTPException(400, f"Không có mô hình '{body.model}' — chọn một trong: {', '.join(MODEL_IDS)}.")
        question, previous, others = body.question_and_previous()
        searcher()
        model, conversation = MODEL_IDS[body.model], conversation_for(question, previous, others)
        flt, cid, created = services.filters(), f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if not body.stream:
            obj = answer_now(question, conversation, flt, model, cancel_of(request), draft=body.stream_draft)
            message = {"role": "assistant", "content": services.render_answer(obj).rstrip("\n"),
                       "citations": obj["citations"]}
            return {"id": cid, "object": "chat.completion", "created": created, "model": body.model,
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    "citations": obj["citations"], "tracuu": obj}

        def chunk(delta: dict, finish: str | None = None, **extra) -> str:
            data = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": body.model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
            return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

        def sse():
            yield chunk({"role": "assistant", "content": ""})
            streamed = []
            for kind, data in answer_events(question, conversation, flt, model, cancel_of(request), body.stream_draft):
                if kind == "token":
                    streamed.append(data)
                    yield chunk({"content": data})
                elif kind == "answer":  # then the sources (after a draft: the checked answer, as the CLI prints)
                    rest = services.render_answer(data, "".join(streamed)).rstrip("\n")
                    yield chunk({"content": rest})
                    yield chunk({}, "stop", citations=data["citations"], tracuu=data)
                else:
                    err = {"message": data["detail"], "type": "server_error", "code": data["status"]}
                    yield f"data: {json.dumps({'error': err, 'detail': data['detail']}, ensure_ascii=False)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(sse(), media_type="text/event-stream", headers=_SSE_HEADERS)

    from tracuu.api_plans import plans_router
    from tracuu.api_track import track_router

    app.include_router(plans_router(runtime, require_key))
    app.include_router(track_router(runtime, require_key))  # GET/PATCH /v1/tasks, GET /v1/compare

    # -- errors: a Vietnamese message in `detail` and in OpenAI's `error.message` -----------------------
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        detail = exc.detail
        if not isinstance(detail, str) or detail.isascii():  # Starlette's English phrases ("Not Found")
            detail = _STATUS_TEXT.get(exc.status_code, f"Yêu cầu không hợp lệ ({exc.status_code}).")
        return _error(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        problems = [_explain(e) for e in exc.errors()[:5]]
        return _error(422, "Yêu cầu không hợp lệ: " + "; ".join(problems) + ".",
                      errors=[{"loc": list(e.get("loc", ())), "type": e.get("type")} for e in exc.errors()[:20]])

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        log.exception("request failed", exc_info=exc)
        return _error(500, _STATUS_TEXT[500])

    def _error(status: int, detail: str, headers=None, **extra):
        kind = "authentication_error" if status == 401 else "invalid_request_error" if status < 500 else "server_error"
        body = {"detail": detail, "error": {"message": detail, "type": kind, "code": status}, **extra}
        return JSONResponse(body, status_code=status, headers=headers)

    return app


_SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def sentences(text: str) -> list[str]:
    """The checked answer in pieces to stream (its sentences and lines, separators kept: they join back
    into the text)."""
    import re

    return [piece for piece in re.split(r"(?<=\n)|(?<=[.!?…\]])(?= )", text) if piece]

_FIELD = {"question": "câu hỏi", "q": "câu hỏi (q)", "k": "số đoạn (k)", "model": "mô hình", "messages": "tin nhắn",
          "year": "năm", "doc": "kế hoạch", "mode": "cách tìm", "body": "nội dung"}


def _explain(error: dict) -> str:
    """One validation problem in Vietnamese: which field, what is wrong."""
    loc = [str(x) for x in error.get("loc", ()) if x not in ("body", "query")]
    field = ".".join(loc) or "nội dung"
    name = _FIELD.get(loc[0], f"trường '{field}'") if len(loc) == 1 else f"trường '{field}'"
    ctx, kind = error.get("ctx") or {}, error.get("type", "")
    if kind == "missing":
        return f"thiếu {name}"
    if kind == "json_invalid":
        return "nội dung không phải JSON hợp lệ"
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        return f"{name} phải là một đối tượng JSON"
    if kind == "extra_forbidden":
        return f"không có {name} trong API này"
    if kind == "string_too_short":
        return f"{name} không được để trống"
    if kind == "string_too_long":
        return f"{name} quá dài (tối đa {ctx.get('max_length')} ký tự)"
    if kind == "string_pattern_mismatch":
        return f"{name} không được để trống" if ctx.get("pattern") == r"\S" else f"{name} sai định dạng"
    if kind in ("too_long", "too_short"):
        bound = f"tối đa {ctx.get('max_length')}" if kind == "too_long" else f"ít nhất {ctx.get('min_length')}"
        return f"{name} phải có {bound} phần tử"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{name} phải là số nguyên"
    if kind in ("bool_parsing", "bool_type"):
        return f"{name} phải là true hoặc false"
    if kind in ("string_type", "string_unicode"):
        return f"{name} phải là chuỗi ký tự"
    if kind in ("list_type",):
        return f"{name} phải là một danh sách"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{name} phải ≥ {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"{name} phải ≤ {ctx.get('le', ctx.get('lt'))}"
    if kind in ("literal_error", "enum"):
        return f"{name} phải là một trong: {ctx.get('expected', '')}"
    if kind == "value_error":
        return str(ctx.get("error") or error.get("msg", "")).removeprefix("Value error, ")
    return f"{name} không hợp lệ"


class BodyLimit:
    """ASGI middleware: a body over `limit` bytes (declared or streamed) gets 413 before it is read;
    `limits` gives other limits to some paths (uploads)."""

    def __init__(self, app, limit: int, limits: dict[str, int] | None = None):
        self.app, self.default, self.limits = app, limit, limits or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limits.get(scope.get("path", ""), self.default)
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await _send_json(send, 413, _STATUS_TEXT[413])
        received = 0

        async def limited():
            nonlocal received
            message = await receive()
            if message.get("type") == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    from starlette.exceptions import HTTPException

                    raise HTTPException(413, _STATUS_TEXT[413])
            return message

        return await self.app(scope, limited, send)


async def _send_json(send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail, "error": {"message": detail, "type": "invalid_request_error", "code": status}},
                      ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


# -- `tracuu api` -------------------------------------------------------------------------------------
def add_api_parser(subparsers) -> argparse.ArgumentParser:
    """`tracuu api [--host 127.0.0.1] [--port 8765] [--warm]`."""
    a = subparsers.add_parser("api", help="máy chủ HTTP API (JSON như CLI, tương thích OpenAI); CLI sẽ dùng nó")
    a.add_argument("--host", default="127.0.0.1", help="địa chỉ nghe (mặc định 127.0.0.1: chỉ máy này)")
    a.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"cổng (mặc định {DEFAULT_PORT})")
    a.add_argument("--warm", action="store_true", help="nạp sẵn mô hình ngôn ngữ mặc định khi khởi động")
    a.add_argument("--keys-file", metavar="TỆP", default=None,
                   help="tệp khoá API, mỗi dòng `KHOÁ [doc|bien-tap|quan-tri]` (thay TRACUU_API_KEYS_FILE); "
                        "bắt buộc khi --host không phải máy này")
    a.set_defaults(func=cmd_api)
    return a


def cmd_api(args) -> int:
    serve(args.host, args.port, warm=args.warm, keys_file=args.keys_file)
    return 0


def serve(host: str = "127.0.0.1", port: int = DEFAULT_PORT, runtime=None, warm: bool = False,
          keys_file: str | None = None) -> None:
    """Load the index, then serve until interrupted; registered in the state dir while it runs, so the
    CLI on this machine sends its questions here."""
    import uvicorn

    from tracuu.accounts import check_host
    from tracuu.client import register, unregister
    from tracuu.runtime import Runtime
    from tracuu.settings import Settings

    if not 0 < port < 65536:
        raise TracuuError(f"Cổng {port} không hợp lệ — chọn từ 1 đến 65535.")
    settings = runtime.settings if runtime else Settings.from_env(api_keys_file=keys_file)
    keys = ApiKeys(keys_file or settings.api_keys_file or None)  # checked before anything loads
    check_host(host, "--keys-file TỆP (hoặc TRACUU_API_KEYS_FILE)", keys.path is not None)
    runtime = runtime or Runtime(settings)
    started = time.perf_counter()
    runtime.searcher.embedder.embed_query("khởi động")  # index and query encoder in memory before the first question
    if warm:  # before serving: llama.cpp silences the process's stderr while it loads
        _warm_llm(runtime)
    app = create_app(runtime, keys)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                           timeout_graceful_shutdown=5))
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}"
    state: list[Path] = []

    def announce():
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            state.append(register(url, runtime.settings.index_dir))
            print(f"tracuu: API tại {url} (sẵn sàng sau {time.perf_counter() - started:.1f} s; "
                  f"lược đồ {url}/openapi.json)", file=sys.stderr, flush=True)

    threading.Thread(target=announce, daemon=True).start()
    # uvicorn re-raises SIGTERM after its graceful shutdown: exit through `finally`, so the state file goes
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        server.run()
    except SystemExit:
        if server.started:  # SIGTERM after serving: a normal stop
            return
    finally:
        for path in state:
            unregister(path)
    if not server.started:  # uvicorn exits when it cannot bind
        raise TracuuError(f"Không mở được cổng {port} trên {host} (đang bận, hoặc địa chỉ không có trên máy này) "
                          "— chọn cổng khác bằng --port, hoặc sửa --host.")


def _warm_llm(runtime) -> None:
    try:
        runtime.generator().count_tokens("khởi động")
    except TracuuError as exc:
        print(f"tracuu: chưa nạp được mô hình ngôn ngữ: {exc}", file=sys.stderr)
