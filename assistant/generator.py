"""The generation seam: messages in, a stream of text out. LlamaGenerator wraps llama-cpp-python
with the few settings we use, set explicitly; the GGUF's own chat template formats the messages.
OpenAIGenerator sends the same messages to an OpenAI-compatible server (llama-server, vLLM)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Iterator, Protocol

from assistant import deadline
from tracuu.errors import TracuuError


class Generator(Protocol):
    name: str

    def stream(self, messages: list[dict], max_tokens: int | None = None) -> Iterator[str]:
        """Yield the answer text piece by piece."""
        ...


class LlamaGenerator:
    """A local GGUF model. Cheap to construct; the model loads on first use and is reused.
    One generation runs at a time (llama.cpp contexts are not shared between threads)."""

    def __init__(self, path: Path, settings):
        self.path = Path(path)
        self.name = self.path.name
        self.settings = settings
        self._llm = None
        self._lock = threading.Lock()
        self.load_seconds: float | None = None

    def _model(self):
        if self._llm is None:
            from llama_cpp import Llama

            started = time.perf_counter()
            self._llm = Llama(
                model_path=str(self.path),
                n_ctx=self.settings.n_ctx,  # llama.cpp's default (512) is too small for our prompts
                n_threads=self.settings.n_threads,
                n_batch=512,
                seed=self.settings.seed,
                verbose=False,  # its default floods the terminal
            )
            self.load_seconds = time.perf_counter() - started
        return self._llm

    def forget_cache(self) -> None:
        """Drop llama.cpp's cached prompt, so the next prompt is processed from scratch (benchmarks)."""
        with self._lock:
            if self._llm is not None:
                self._llm.reset()

    def count_tokens(self, text: str) -> int:
        return len(self._model().tokenize(text.encode("utf-8"), add_bos=False))

    def stream(self, messages: list[dict], max_tokens: int | None = None) -> Iterator[str]:
        """The answer as it is written. Under a server's deadline (assistant/deadline.py) the wait for
        the model and every token check it: past it, or once the asker left, the generation stops."""
        deadline.acquire(self._lock)
        try:
            llm = self._model()
            for part in llm.create_chat_completion(
                messages=messages,
                stream=True,
                temperature=self.settings.temperature,
                repeat_penalty=self.settings.repeat_penalty,
                max_tokens=max_tokens or self.settings.max_tokens,
                seed=self.settings.seed,
            ):
                deadline.check()
                delta = part["choices"][0].get("delta", {}).get("content")
                if delta:
                    yield delta
        finally:
            self._lock.release()


class UpstreamError(TracuuError):
    """The model server could not be used (down, refused the key, unknown model); the message says how to fix it."""


class OpenAIGenerator:
    """A model behind an OpenAI-compatible chat API (llama.cpp's llama-server, vLLM, …), streamed by
    server-sent events. Only the writing happens there: retrieval, evidence checks and refusals stay in
    tracuu. Many requests may run at once (the server batches them). Plain stdlib HTTP, so nothing
    heavy is imported and no request is made until the first answer or token count is needed."""

    def __init__(self, url: str, settings, model: str = "", api_key: str = "", timeout: float = 600.0):
        base = url.rstrip("/")
        self.base = base if base.endswith("/v1") else base + "/v1"  # "http://host:8080" or ".../v1"
        self.root = self.base[: -len("/v1")]
        self.settings = settings
        self.api_key = api_key
        self.timeout = timeout  # seconds without a byte from the server before giving up
        self._model = model
        self._token_counts: dict[str, int] = {}
        self._tokenize_ok: bool | None = None  # whether the server has a /tokenize endpoint
        self.load_seconds: float | None = 0.0

    @classmethod
    def from_settings(cls, settings, choice: str | None = None) -> "OpenAIGenerator":
        """TRACUU_LLM_URL, TRACUU_LLM_MODEL (or a --model that is neither 'default' nor 'fast'),
        and the key from TRACUU_LLM_API_KEY or the first line of TRACUU_LLM_API_KEY_FILE."""
        key = settings.llm_api_key
        if not key and settings.llm_api_key_file:
            try:
                key = Path(settings.llm_api_key_file).expanduser().read_text(encoding="utf-8").strip().splitlines()[0]
            except (OSError, IndexError) as exc:
                raise UpstreamError(f"Không đọc được khoá API của máy chủ mô hình trong {settings.llm_api_key_file} "
                                    f"({exc}) — sửa TRACUU_LLM_API_KEY_FILE.") from None
        model = settings.llm_model
        if choice and choice not in ("default", "fast"):
            model = choice
        return cls(settings.llm_url, settings, model=model, api_key=key)

    @property
    def name(self) -> str:
        if not self._model:
            listed = self._request("GET", "/models").get("data") or []
            if not listed:
                raise UpstreamError(f"Máy chủ mô hình {self.base} không liệt kê mô hình nào — đặt TRACUU_LLM_MODEL.")
            self._model = listed[0]["id"]
        return self._model

    def forget_cache(self) -> None:
        """Nothing to drop in this process: the server keeps (and manages) its own prompt cache."""

    def count_tokens(self, text: str) -> int:
        """Tokens by the server's own tokenizer (llama-server's or vLLM's /tokenize), cached; a
        characters-per-token estimate when the server has none (a hosted API)."""
        if text in self._token_counts:
            return self._token_counts[text]
        count = None
        if self._tokenize_ok is not False:
            try:
                body = self._request("POST", "/tokenize", {"content": text, "prompt": text, "model": self.name,
                                                           "add_special_tokens": False}, root=True)
                count = body["count"] if "count" in body else len(body["tokens"])
                self._tokenize_ok = True
            except (UpstreamError, KeyError, TypeError):
                if self._tokenize_ok:  # it worked before: a real failure
                    raise
                self._tokenize_ok = False
        if count is None:
            count = max(1, round(len(text) / 2.5))  # Vietnamese with Qwen's tokenizer: ~2.5 characters a token
        if len(self._token_counts) < 50_000:
            self._token_counts[text] = count
        return count

    def stream(self, messages: list[dict], max_tokens: int | None = None) -> Iterator[str]:
        import json

        payload = {
            "model": self.name, "messages": messages, "stream": True,
            "temperature": self.settings.temperature, "seed": self.settings.seed,
            "max_tokens": max_tokens or self.settings.max_tokens,
            # no repeat penalty: llama.cpp's server counts the prompt in its window, so the small models,
            # kept from restating the question, copy the passages instead (in-process it counts only the
            # answer). The server's default (none, in llama-server and vLLM) gives the in-process answers
        }
        with self._open("POST", "/chat/completions", payload) as response:
            for raw in response:
                line = raw.decode("utf-8").strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                event = json.loads(data)
                if "error" in event:
                    raise UpstreamError(f"Máy chủ mô hình {self.base} báo lỗi: {_message(event)}")
                deadline.check()  # closing the response stops the server's generation too
                for choice in event.get("choices") or []:
                    piece = (choice.get("delta") or {}).get("content")
                    if piece:
                        yield piece

    # -- HTTP -----------------------------------------------------------------------------------
    def _request(self, method: str, path: str, payload: dict | None = None, root: bool = False) -> dict:
        import json

        with self._open(method, path, payload, root) as response:
            return json.loads(response.read().decode("utf-8"))

    def _open(self, method: str, path: str, payload: dict | None = None, root: bool = False):
        import json
        import urllib.error
        import urllib.request

        url = (self.root if root else self.base) + path
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8") if payload is not None else None
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            try:
                detail = _message(json.loads(exc.read().decode("utf-8")))
            except (ValueError, OSError):
                detail = exc.reason
            if exc.code in (401, 403):
                raise UpstreamError(f"Máy chủ mô hình {self.base} từ chối khoá API ({exc.code}: {detail}) — kiểm tra "
                                    "TRACUU_LLM_API_KEY hoặc TRACUU_LLM_API_KEY_FILE.") from None
            raise UpstreamError(f"Máy chủ mô hình {url} trả lỗi {exc.code}: {detail} — kiểm tra TRACUU_LLM_URL "
                                "và TRACUU_LLM_MODEL.") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise UpstreamError(f"Không kết nối được máy chủ mô hình {self.base} ({reason}) — kiểm tra TRACUU_LLM_URL "
                                "và rằng máy chủ (llama-server, vLLM) đang chạy.") from None


def _message(body) -> str:
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, dict):
        return str(error.get("message") or error.get("detail") or error)
    return str(error)
