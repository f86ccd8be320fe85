"""One object per process that owns the heavy components and loads each on first use, so a question
loads only what it needs (a duty listing loads no language model). The CLI, the HTTP API, the web UI
and eval all go through it, so they run the same path."""

from __future__ import annotations

import os
import threading
from functools import cached_property
from typing import Callable

from tracuu.settings import Settings


class Runtime:
    def __init__(self, settings: Settings | None = None, embedder=None,
                 generator_for: Callable[[str | None], object] | None = None):
        """`embedder` and `generator_for` replace the real components (unit tests: small real classes)."""
        self.settings = settings or Settings.from_env()
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        self._generators: dict[str, object] = {}
        self._lock = threading.Lock()
        if embedder is not None:
            self.__dict__["embedder"] = embedder
        self._generator_for = generator_for

    @cached_property
    def embedder(self):
        from index.embedder import E5Embedder
        from tracuu.models.provision import require_embed_model

        return E5Embedder(require_embed_model(self.settings), precision=self.settings.embed_precision)

    @cached_property
    def searcher(self):
        from index.search import Searcher

        return Searcher(self.settings, self.embedder)

    @cached_property
    def assistant(self):
        """The one Assistant of this process (it caches the duties table of the loaded index)."""
        from assistant.answer import Assistant

        return Assistant(self.searcher, self.generator, self.settings)

    def reload_index(self) -> None:
        """Forget the loaded index (after a re-ingest), keeping the models."""
        self.__dict__.pop("searcher", None)
        self.__dict__.pop("duties", None)
        self.__dict__.pop("assistant", None)

    def generator(self, choice: str | None = None):
        """The generator for a model choice, made once: the GGUF in this process, or, when
        settings.llm_url is set, the OpenAI-compatible server there (for any choice)."""
        choice = choice or self.settings.llm
        with self._lock:
            if choice not in self._generators:
                self._generators[choice] = self._make_generator(choice)
            return self._generators[choice]

    def _make_generator(self, choice: str):
        if self._generator_for is not None:
            return self._generator_for(choice)
        if self.settings.llm_url:
            from assistant.generator import OpenAIGenerator

            return OpenAIGenerator.from_settings(self.settings, choice)
        from assistant.generator import LlamaGenerator
        from tracuu.models.provision import require_llm

        return LlamaGenerator(require_llm(self.settings, choice), self.settings)
