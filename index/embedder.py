"""The embedding seam: texts -> float32 L2-normalised vectors, so inner product is cosine.

- `E5Embedder` runs a sentence-transformers folder (by default multilingual-e5-small rebuilt by
  `tracuu models`) on the CPU, loaded on first use.
- `HashingEmbedder` is a small, deterministic stand-in for tests: hashed word and character-trigram
  counts of the diacritic-folded text.
"""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from ingest.normalize import fold, tokens

# e5 models are trained with these prefixes; used when a folder named *e5* carries no prompts of its own
E5_PROMPTS = {"query": "query: ", "passage": "passage: "}


class Embedder(Protocol):
    name: str  # recorded in the index manifest: an index is only searched with the model that built it
    dim: int  # vector length

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """One float32, L2-normalised row per text."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """One float32, L2-normalised vector."""
        ...


class E5Embedder:
    """A sentence-transformers folder on the CPU. The constructor only stores settings; the model is
    loaded (a few seconds, ~0.5 GB) by the first call that needs it."""

    def __init__(
        self,
        path: Path | str,
        batch_size: int = 16,  # texts per forward pass: 16 chunks of ~300 tokens keep RSS near 1 GB
        progress: Callable[[int, int], None] | None = None,  # called as (done, total) after each batch
    ):
        self.path = Path(path)
        self.name = self.path.name
        self.batch_size = batch_size
        self.progress = progress
        self._model = None
        self._dim: int | None = None
        self._prompts: dict[str, str] = {}

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = _dim_from_files(self.path) or self._load().get_embedding_dimension()
        return self._dim

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), "passage")

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text], "query")[0]

    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        model = self._load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # longest first, so each batch pads to similar lengths; results go back to the input order
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = model.encode(
                [texts[i] for i in rows], prompt=self._prompts.get(kind, ""), batch_size=self.batch_size,
                normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False,
            )
            if self.progress is not None:
                self.progress(min(start + self.batch_size, len(texts)), len(texts))
        return out

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before the import: a local folder, never the hub
            os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            bars = hf_logging.is_progress_bar_enabled()
            hf_logging.disable_progress_bar()  # no "Loading weights" bar in the middle of our output
            try:
                self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
            finally:
                if bars:
                    hf_logging.enable_progress_bar()
            own = self._model.prompts or {}
            if "query" in own or "passage" in own:
                self._prompts = {k: own.get(k, "") for k in E5_PROMPTS}
            elif "e5" in self.name.lower():
                self._prompts = dict(E5_PROMPTS)
        return self._model


def _dim_from_files(path: Path) -> int | None:
    """The output size read from the folder's pooling config, when no Dense layer follows it; None if
    unsure (the model is then loaded to ask)."""
    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
        if any("Dense" in m["type"] for m in modules):
            return None
        pooling = next(m for m in modules if m["type"].endswith("Pooling"))
        config = json.loads((path / pooling["path"] / "config.json").read_text(encoding="utf-8"))
        return int(config.get("embedding_dimension") or config["word_embedding_dimension"])
    except (OSError, ValueError, KeyError, StopIteration):
        return None


class HashingEmbedder:
    """Hashed counts of folded words and character trigrams, L2-normalised. No model, deterministic,
    and texts that share words (with or without diacritics) come out similar: enough for retrieval tests."""

    def __init__(self, dim: int = 256):  # 256 buckets: few collisions for test-sized texts
        self.dim = dim
        self.name = f"hashing-{dim}"

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in zip(out, texts):
            for feature in _features(text):
                h = zlib.crc32(feature.encode("utf-8"))
                row[h % self.dim] += 1.0 if h & 0x80000000 else -1.0  # signed hashing: collisions cancel out
            norm = np.linalg.norm(row)
            if norm > 0:  # a text with no word stays the zero vector
                row /= norm
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def _features(text: str) -> list[str]:
    words = tokens(fold(text))
    grams = [f"#{w[i:i + 3]}" for w in (f" {w} " for w in words) for i in range(len(w) - 2)]
    return words + grams
