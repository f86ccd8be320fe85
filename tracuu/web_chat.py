"""The chat side of the web UI, without gradio: answers streamed from a worker thread, and the HTML
of the cited passages. One model lock serialises everything that touches the models or the index,
so a user who closes the tab mid-answer cannot leave llama.cpp running two generations at once."""

from __future__ import annotations

import html
import logging
import queue
import threading
import time
from typing import Iterator

from assistant.citations import format_date
from assistant.limits import MAX_HISTORY_CHARS, MAX_QUESTION_CHARS  # noqa: F401 (the question box's limit)
from tracuu.errors import TracuuError

log = logging.getLogger("tracuu.web")

LOADING = "Đang tải mô hình… (lần đầu mất khoảng nửa phút)"
SEARCHING = "Đang tìm trong các kế hoạch…"
CONTEXT_CHARS = 240  # text shown on each side of a cited passage


class _Cancelled(Exception):
    """Raised inside the worker when the browser that asked has gone away."""


class ChatService:
    """Answers one question at a time for every session of the app."""

    def __init__(self, runtime, lock: threading.Lock):
        self.runtime = runtime
        self.lock = lock  # shared with re-indexing: one thing touches the models at a time
        self._warm: set[str] = set()  # model choices whose embedder, index and GGUF are loaded
        # id(conversation) or ("session", hash) -> the answer under way: (its cancel flag, set once its stream ended)
        self._active: dict[object, tuple[threading.Event, threading.Event]] = {}
        self.load_seconds: dict[str, float] = {}

    def model_choice(self, model: str | None) -> str:
        return model or self.runtime.settings.llm

    def is_ready(self, model: str | None = None) -> bool:
        return self.model_choice(model) in self._warm

    def warm(self, model: str | None = None) -> None:
        """Load the embedder, the index and the GGUF of `model` (call with the lock held)."""
        choice = self.model_choice(model)
        if choice in self._warm:
            return
        started = time.perf_counter()
        rt = self.runtime
        rt.embedder.embed_query("khởi động")
        rt.searcher.index
        rt.generator(choice).count_tokens("khởi động")  # loads the GGUF
        self._warm.add(choice)
        self.load_seconds[choice] = round(time.perf_counter() - started, 1)
        log.info("models for %s loaded in %.1f s", choice, self.load_seconds[choice])

    def warm_in_background(self, model: str | None = None) -> threading.Thread:
        def run():
            try:
                with self.lock:
                    self.warm(model)
            except Exception:  # the first question will report it to the user
                log.exception("warm-up failed")

        thread = threading.Thread(target=run, name="tracuu-warm", daemon=True)
        thread.start()
        return thread

    def stream(self, question: str, conversation=None, filters=None, model: str | None = None,
               session: str | None = None) -> Iterator[tuple[str, object]]:
        """Events ("status", text), ("token", piece), then one of ("done", Answer) or ("error", text).
        Closing the iterator early, clearing the conversation (cancel) or closing the browser tab of
        `session` (cancel_session) cancels the answer at its next token."""
        from assistant.answer import Assistant

        events: queue.Queue = queue.Queue()
        cancelled, ended = threading.Event(), threading.Event()
        keys = [k for k in (id(conversation) if conversation is not None else None,
                            ("session", session) if session else None) if k is not None]
        for key in keys:
            self._active[key] = (cancelled, ended)

        def on_token(piece: str) -> None:
            if cancelled.is_set():
                raise _Cancelled
            events.put(("token", piece))

        def work() -> None:
            try:
                if not self.is_ready(model):  # said before waiting: the warm-up may hold the lock
                    events.put(("status", LOADING))
                with self.lock:
                    if cancelled.is_set():
                        raise _Cancelled
                    self.warm(model)
                    events.put(("status", SEARCHING))
                    rt = self.runtime
                    from assistant.intent import place_names
                    from assistant.limits import check_turn

                    # the standalone question a chain of follow-ups makes must fit the window too
                    check_turn(question, conversation, place_names(rt.searcher.index.documents), rt.settings)
                    assistant = Assistant(rt.searcher, rt.generator, rt.settings)
                    answer = assistant.answer(question, conversation, filters, model, on_token)
                log.info("answered (%s, %s) in %.1f s, first token %.1f s: %s", answer.mode, answer.model,
                         answer.timings["total_ms"] / 1000, answer.timings["first_token_ms"] / 1000, question)
                events.put(("done", answer))
            except _Cancelled:
                log.info("answer cancelled: %s", question)
                events.put(("cancelled", None))  # a reader still waiting ends, never hangs
            except TracuuError as exc:
                events.put(("error", str(exc)))
            except Exception as exc:  # shown to the user; the details go to the server log
                log.exception("answer failed")
                events.put(("error", f"Lỗi khi trả lời ({type(exc).__name__}: {exc}). Hãy thử lại; "
                                     "nếu lỗi lặp lại, báo cho người quản trị kèm câu hỏi."))

        threading.Thread(target=work, name="tracuu-answer", daemon=True).start()
        try:
            while True:
                kind, value = events.get()
                if kind == "cancelled" or cancelled.is_set():
                    return  # cleared or closed: nothing queued before the worker noticed is shown
                yield kind, value
                if kind in ("done", "error"):
                    return
        finally:
            cancelled.set()
            ended.set()
            for key in keys:
                if self._active.get(key, (None,))[0] is cancelled:
                    del self._active[key]

    def cancel(self, conversation) -> None:
        """Stop the answer being made for this conversation (its user cleared it): the worker stops at
        its next token or before it starts, frees the model, and the stream ends."""
        flag = self._active.get(id(conversation), (None,))[0]
        if flag is not None:
            flag.set()

    def cancel_session(self, session: str | None, wait: float = 0.0) -> bool:
        """Stop the answer being made for a browser session (its tab was closed or its chat cleared).
        With `wait`, return once its stream has ended (at most `wait` seconds), so that whatever it sent
        before is already on its way. True if an answer was under way."""
        key = ("session", session)
        flag, ended = self._active.get(key, (None, None)) if session else (None, None)
        if flag is not None:
            flag.set()
            log.info("session cleared or tab closed: its answer is cancelled")
        if ended is not None and wait > 0:
            ended.wait(wait)
        return flag is not None

    def documents(self) -> dict:
        """The ingested plans by id (for the text around a citation)."""
        try:
            return self.runtime.searcher.index.documents_by_id
        except TracuuError:
            return {}


def trim_history(history: list, limit: int = MAX_HISTORY_CHARS) -> list:
    """The chat shown in the browser (sent back by it with every question) cut to its most recent
    messages of at most `limit` characters: it is only shown, the conversation's context is kept on
    the server, and a browser (or a script) sending a huge one costs nothing more."""
    out, total = [], 0
    for message in reversed(list(history or [])):
        content = message.get("content") if isinstance(message, dict) else message
        total += len(content) if isinstance(content, str) else len(str(content))
        if total > limit:
            break
        out.append(message)
    return out[::-1]


# -- rendering --------------------------------------------------------------------------------------

def sources_markdown(citations) -> str:
    return "\n".join(f"- **[{c.n}]** {c.label} — {c.section}" for c in citations)


def _around(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[str, str, str]:
    """(before, passage, after) with about `width` characters each side, cut at spaces."""
    a, b = max(0, start - width), min(len(text), end + width)
    before, after = text[a:start], text[end:b]
    if a > 0:
        cut = before.find(" ")
        before = "…" + (before[cut + 1:] if 0 <= cut < 40 else before)
    if b < len(text):
        cut = after.rfind(" ")
        after = (after[:cut] if cut > len(after) - 40 else after) + "…"
    return before, text[start:end], after


def passage_html(c, documents: dict) -> str:
    """One cited passage: plan, number, date, section path, and the passage highlighted in its
    surrounding text. Everything from the plans is HTML-escaped."""
    e = html.escape
    doc = documents.get(c.doc_id)
    if doc is not None and doc.text[c.start:c.end] == c.quote:
        before, quote, after = _around(doc.text, c.start, c.end)
    else:  # the plan was re-indexed since: show the passage alone
        before, quote, after = "", c.quote, ""
    name = c.label.split(" — ")[0]  # "Kế hoạch 153/KH-UBND", "Kế hoạch (không số)"
    from assistant.citations import page_fields

    pages = page_fields(getattr(c, "pages", None), getattr(c, "ocr_confidence", None))
    page = f"trang {pages['pages']}" if pages["pages"] else ""
    head = " · ".join(x for x in (name, c.locality, format_date(c.date), page, pages["scan_note"]) if x)
    return (
        f'<div class="tc-card" id="tc-src-{c.n}">'
        f'<div class="tc-head"><span class="tc-n">[{c.n}]</span> {e(head)}</div>'
        f'<div class="tc-title">{e(c.title)}</div>'
        f'<div class="tc-section">{e(c.section)}</div>'
        f'<div class="tc-text">{e(before)}<mark>{e(quote)}</mark>{e(after)}</div>'
        "</div>"
    )


def sources_html(answer, documents: dict) -> str:
    if answer is None:
        return EMPTY_PANEL
    if answer.refused:
        refs, head = answer.closest, "Không đủ căn cứ để trả lời. Các đoạn gần nhất để anh/chị tự đối chiếu:"
    else:
        refs, head = answer.citations, f"Nguồn của câu trả lời ({len(answer.citations)} đoạn trích):"
    if not refs:
        return f'<div class="tc-panel"><p class="tc-empty">{html.escape(head)} không có.</p></div>'
    cards = "".join(passage_html(c, documents) for c in refs)
    cls = "tc-panel tc-refused" if answer.refused else "tc-panel"
    return f'<div class="{cls}"><p class="tc-panel-head">{html.escape(head)}</p>{cards}</div>'


EMPTY_PANEL = (
    '<div class="tc-panel"><p class="tc-empty">Các đoạn văn bản được trích dẫn sẽ hiện ở đây, '
    "kèm tên kế hoạch, số hiệu, ngày ban hành và mục.</p></div>"
)
WAITING_PANEL = '<div class="tc-panel"><p class="tc-empty">Đang tìm các đoạn liên quan…</p></div>'
