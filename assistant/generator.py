"""The generation seam: messages in, a stream of text out. LlamaGenerator wraps llama-cpp-python
with the few settings we use, set explicitly; the GGUF's own chat template formats the messages."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Iterator, Protocol


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
        with self._lock:
            llm = self._model()
            for part in llm.create_chat_completion(
                messages=messages,
                stream=True,
                temperature=self.settings.temperature,
                repeat_penalty=self.settings.repeat_penalty,
                max_tokens=max_tokens or self.settings.max_tokens,
                seed=self.settings.seed,
            ):
                delta = part["choices"][0].get("delta", {}).get("content")
                if delta:
                    yield delta
