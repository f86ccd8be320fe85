"""Vectors embedded by a build that has not finished yet, so a killed ingest resumes where it stopped:

    <index_dir>/.vectors-cache/<model>-<dim>.keys   one sha256 of an embedded text per line
    <index_dir>/.vectors-cache/<model>-<dim>.f32    the vectors, float32 rows in the order of the keys

Both files are only appended to, a step of vectors at a time (vectors first, then their keys, each
flushed to disk), so a kill leaves at most a step whose keys are missing: it is read as not embedded.
A finished build holds every vector in its index version and clears the cache (index/build.py); what
is cached is reused only for the same embedding model and dimension."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import numpy as np

FOLDER = ".vectors-cache"


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class VectorCache:
    def __init__(self, index_dir: Path, model: str, dim: int):
        self.folder = Path(index_dir) / FOLDER
        stem = re.sub(r"[^\w.-]+", "_", model)[-80:] + f"-{dim}"
        self.keys_path, self.rows_path = self.folder / f"{stem}.keys", self.folder / f"{stem}.f32"
        self.dim = dim

    def load(self) -> dict[str, np.ndarray]:
        """The vectors a killed build left, by text key (empty when none or unreadable)."""
        try:
            keys = self.keys_path.read_text(encoding="ascii").split()
            rows = np.fromfile(self.rows_path, dtype=np.float32)
        except (OSError, UnicodeDecodeError, ValueError):
            return {}
        n = min(len(keys), rows.size // self.dim)
        rows = rows[: n * self.dim].reshape(n, self.dim)
        return {k: rows[i] for i, k in enumerate(keys[:n]) if re.fullmatch(r"[0-9a-f]{64}", k)}

    def add(self, texts: list[str], vectors: np.ndarray) -> None:
        """Append one step: its vectors, then their keys, each on disk before the next."""
        self.folder.mkdir(exist_ok=True)
        done = self.rows_path.stat().st_size // (4 * self.dim) if self.rows_path.exists() else 0
        keys = self.keys_path.read_text(encoding="ascii").split() if self.keys_path.exists() else []
        if done != len(keys):  # a kill between the two writes: drop the unkeyed rows first
            with open(self.rows_path, "r+b") as f:
                f.truncate(min(done, len(keys)) * 4 * self.dim)
            if len(keys) > done:
                self.keys_path.write_text("".join(k + "\n" for k in keys[:done]), encoding="ascii")
        for path, data in ((self.rows_path, np.ascontiguousarray(vectors, dtype=np.float32).tobytes()),
                           (self.keys_path, "".join(text_key(t) + "\n" for t in texts).encode("ascii"))):
            with open(path, "ab") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
