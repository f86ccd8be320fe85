"""The embedding seam: texts -> float32 L2-normalised vectors, so inner product is cosine.

- `E5Embedder` runs a sentence-transformers folder (by default multilingual-e5-small rebuilt by
  `tracuu models`) on the CPU, loaded on first use. A question is embedded by `NumpyBert`, the same
  weights in plain numpy (memory-mapped, ~0.5 s to load instead of ~15 s of torch and
  sentence-transformers imports); passages, embedded in batches at ingest, by sentence-transformers.
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
        precision: str = "auto",  # documents in "float32", "bfloat16", or "auto": bf16 where the CPU has it
    ):
        self.path = Path(path)
        self.precision = precision
        self.name = self.path.name
        self.batch_size = batch_size
        self.progress = progress
        self._model = None
        self._numpy = None  # NumpyBert, False when the folder is not one it can run, None before trying
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
        light = self._light()
        if light is not None:
            return light.encode(self._prompt_of("query") + text)
        return self._encode([text], "query")[0]

    def _light(self):
        """The numpy encoder of this folder, or None when it is not a plain BERT with mean pooling."""
        if self._numpy is None:
            self._numpy = NumpyBert.open(self.path) or False
        return self._numpy or None

    def _prompt_of(self, kind: str) -> str:
        """The prompt sentence-transformers would prepend, read from the folder's own config."""
        if self._model is not None:
            return self._prompts.get(kind, "")
        try:
            own = json.loads((self.path / "config_sentence_transformers.json").read_text(encoding="utf-8"))
            own = own.get("prompts") or {}
        except (OSError, ValueError):
            own = {}
        if "query" in own or "passage" in own:
            return own.get(kind, "")
        return E5_PROMPTS[kind] if "e5" in self.name.lower() else ""

    def _encode(self, texts: list[str], kind: str) -> np.ndarray:
        model = self._load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # longest first, so each batch pads to similar lengths; results go back to the input order
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            vectors = model.encode(
                [texts[i] for i in rows], prompt=self._prompts.get(kind, ""), batch_size=self.batch_size,
                normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False,
            ).astype(np.float32)
            out[rows] = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)  # bf16 norms
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
            if bf16_wanted(self.precision):
                import torch

                self._model = self._model.to(torch.bfloat16)
            own = self._model.prompts or {}
            if "query" in own or "passage" in own:
                self._prompts = {k: own.get(k, "") for k in E5_PROMPTS}
            elif "e5" in self.name.lower():
                self._prompts = dict(E5_PROMPTS)
        return self._model


def bf16_wanted(precision: str) -> bool:
    """Whether documents are embedded in bfloat16: asked for, or "auto" on a CPU with bf16 instructions
    (on one without them bf16 runs several times slower than float32)."""
    if precision == "float32":
        return False
    if precision == "bfloat16":
        return True
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


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


class NumpyBert:
    """A BERT encoder with mean pooling and L2 normalisation (the e5 folder `tracuu models` builds) in
    plain numpy, for one text at a time: the safetensors file is memory-mapped (only the rows of the
    text's tokens are read from the embedding table), the tokenizer is the folder's own `tokenizer.json`. Gives
    sentence-transformers' vectors to ~1e-6 (tests/test_models.py checks 1e-4)."""

    def __init__(self, tensors: dict, config: dict, tokenizer, max_length: int):
        import threading

        self.t = tensors
        self._lock = threading.Lock()  # one text at a time: the BLAS thread limit below is process-wide
        self._blas = None
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.tokenizer = tokenizer
        self.max_length = max_length

    @classmethod
    def open(cls, path: Path) -> "NumpyBert | None":
        """The encoder of a sentence-transformers folder, or None if the folder is anything else than
        Transformer(BERT, absolute positions, gelu) -> mean Pooling -> Normalize."""
        try:
            modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
            kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
            if kinds != ["Transformer", "Pooling", "Normalize"] or modules[0].get("path", "") != "":
                return None
            config = json.loads((path / "config.json").read_text(encoding="utf-8"))
            pooling = json.loads((path / modules[1]["path"] / "config.json").read_text(encoding="utf-8"))
            st = json.loads((path / "sentence_bert_config.json").read_text(encoding="utf-8"))
            plain = (config.get("model_type") == "bert" and config.get("hidden_act") == "gelu"
                     and config.get("position_embedding_type", "absolute") == "absolute")
            if "pooling_mode" in pooling:  # sentence-transformers 6: {"pooling_mode": "mean"}
                mean = pooling["pooling_mode"] in ("mean", ["mean"])
            else:  # older folders: one boolean per mode
                mean = pooling.get("pooling_mode_mean_tokens") and not any(
                    v for k, v in pooling.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens")
            if not plain or not mean or pooling.get("include_prompt") is False or not (path / "tokenizer.json").is_file():
                return None
            tensors = _safetensors(path / "model.safetensors")
        except (OSError, ValueError, KeyError, IndexError, TypeError):
            return None
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        max_length = int(st.get("max_seq_length") or config["max_position_embeddings"])
        tokenizer.enable_truncation(max_length)
        tokenizer.no_padding()
        # the word embeddings (250k rows) stay mapped, a few rows read per text; the layers (~85 MB) are
        # copied into aligned memory, where matmul runs on BLAS (a mapped tensor may be unaligned: ~50x slower)
        tensors = {(k[5:] if k.startswith("bert.") else k): (v if k.endswith("word_embeddings.weight") else np.array(v))
                   for k, v in tensors.items()}
        return cls(tensors, config, tokenizer, max_length)

    def encode(self, text: str) -> np.ndarray:
        """The L2-normalised vector of `text` (prompt included). BLAS runs on one thread: these matrices
        are small, and OpenBLAS's spinning worker threads make them ~10x slower on a busy machine."""
        with self._lock:
            if self._blas is None:
                from threadpoolctl import ThreadpoolController

                self._blas = ThreadpoolController()
            with self._blas.limit(limits=1, user_api="blas"):
                return self._encode(text)

    def _encode(self, text: str) -> np.ndarray:
        t = self.t
        ids = np.asarray(self.tokenizer.encode(text).ids)
        n = len(ids)
        x = (t["embeddings.word_embeddings.weight"][ids] + t["embeddings.position_embeddings.weight"][:n]
             + t["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"], self.eps)
        heads = self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q, k, v = (_dense(x, t, p + f"attention.self.{w}").reshape(n, heads, -1).transpose(1, 0, 2)
                       for w in ("query", "key", "value"))
            scores = q @ k.transpose(0, 2, 1) / np.float32(np.sqrt(q.shape[-1]))
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, -1)
            x = _layer_norm(x + _dense(context, t, p + "attention.output.dense"),
                            t[p + "attention.output.LayerNorm.weight"], t[p + "attention.output.LayerNorm.bias"], self.eps)
            h = _gelu(_dense(x, t, p + "intermediate.dense"))
            x = _layer_norm(x + _dense(h, t, p + "output.dense"),
                            t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"], self.eps)
        pooled = x.mean(axis=0)
        return (pooled / max(np.linalg.norm(pooled), 1e-12)).astype(np.float32)


def _safetensors(path: Path) -> dict:
    """The float32 tensors of a safetensors file as read-only memory maps (format: u64 header length,
    a JSON header of name -> dtype, shape, [begin, end) offsets, then the data)."""
    import struct

    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + size)
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{name}: {info['dtype']}")
        begin, end = info["data_offsets"]
        tensors[name] = data[begin:end].view(np.float32).reshape(info["shape"])
    return tensors


def _dense(x: np.ndarray, t: dict, name: str) -> np.ndarray:
    return x @ t[name + ".weight"].T + t[name + ".bias"]


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + np.float32(eps)) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU, as BERT's "gelu"; erf by Abramowitz & Stegun 7.1.26 (error below 1.5e-7)."""
    z = np.abs(x) / np.float32(np.sqrt(2.0))
    s = 1.0 / (1.0 + 0.3275911 * z)
    poly = s * (0.254829592 + s * (-0.284496736 + s * (1.421413741 + s * (-1.453152027 + s * 1.061405429))))
    erf = np.sign(x) * (1.0 - poly * np.exp(-z * z))
    return (0.5 * x * (1.0 + erf)).astype(np.float32)


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
