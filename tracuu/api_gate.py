"""Fair under load: the requests that make an answer (POST /v1/ask, /v1/chat/completions) pass one gate.

- At most `limit` of them are in the process at once, answering or waiting for the model; the next gets
  429 at once, with Retry-After (seconds: the answers ahead of it times the recent time of an answer).
- Each carries a cancel flag (`request.state.cancel`, a threading.Event) that is set when its client
  disconnects, and when its response is over; the answer checks it (assistant/deadline.py) between
  tokens and while it waits for the model, so an answer nobody waits for frees the model.

A plain ASGI middleware, in the event loop: a full gate answers 429 without a worker thread, and
/v1/health (an async route) answers whatever the answers occupy.

    app.add_middleware(AnswerGate, paths={"/v1/ask", "/v1/chat/completions"}, limit=60)
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time


class AnswerGate:
    def __init__(self, app, paths: set[str], limit: int, parallel: int = 1):
        self.app = app
        self.paths = frozenset(paths)
        self.limit = limit
        self.parallel = max(1, parallel)  # answers the model makes at once (llama-server --parallel)
        self.active = 0
        self.recent = 10.0  # seconds an answer took lately (moving average), for Retry-After

    def retry_after(self) -> int:
        return max(1, min(600, math.ceil(self.recent * (self.active + 1 - self.limit + self.parallel) / self.parallel)))

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            await _too_many(send, self.retry_after(), self.limit)
            return
        self.active += 1
        started = time.monotonic()
        cancel = threading.Event()
        scope.setdefault("state", {})["cancel"] = cancel
        messages: asyncio.Queue = asyncio.Queue()

        async def pump():  # the only reader of the client's messages: a disconnect sets the flag
            while True:
                message = await receive()
                await messages.put(message)
                if message["type"] == "http.disconnect":
                    cancel.set()
                    return

        reader = asyncio.create_task(pump())
        try:
            await self.app(scope, messages.get, send)
        finally:
            cancel.set()  # whatever still works for this response stops
            reader.cancel()
            self.active -= 1
            self.recent = 0.8 * self.recent + 0.2 * (time.monotonic() - started)


async def _too_many(send, retry_after: int, limit: int) -> None:
    detail = (f"Máy chủ đang bận: đã có {limit} câu hỏi đang trả lời hoặc chờ mô hình — hỏi lại sau "
              f"khoảng {retry_after} giây.")
    body = json.dumps({"detail": detail, "error": {"message": detail, "type": "rate_limit", "code": 429}},
                      ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", b"application/json; charset=utf-8"), (b"retry-after", str(retry_after).encode()),
        (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
