"""One object per process that owns the heavy components and loads each on first use.
The CLI, the web UI and eval all go through it, so they run the same path."""

from __future__ import annotations

import os
import threading
from functools import cached_property

from tracuu.settings import Settings


class Runtime:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        self._generators: dict[str, object] = {}
        self._lock = threading.Lock()

    @cached_property
    def embedder(self):
        from index.embedder import E5Embedder
        from tracuu.models import require_embed_model

        return E5Embedder(require_embed_model(self.settings))

    @cached_property
    def searcher(self):
        from index.search import Searcher

        return Searcher(self.settings, self.embedder)

    def reload_index(self) -> None:
        """Forget the loaded index (after a re-ingest), keeping the models."""
        self.__dict__.pop("searcher", None)
        self.__dict__.pop("duties", None)

    def generator(self, choice: str | None = None):
        from assistant.generator import LlamaGenerator
        from tracuu.models import require_llm

        choice = choice or self.settings.llm
        with self._lock:
            if choice not in self._generators:
                self._generators[choice] = LlamaGenerator(require_llm(self.settings, choice), self.settings)
            return self._generators[choice]
