"""The index on disk: a directory of plain files with a manifest, written to a temporary directory
and swapped in atomically, so a crash or Ctrl-C mid-build leaves the previous index working.

    manifest.json     format version, embedding model and dimension, chunking settings,
                      per-document content hashes, build time
    documents.jsonl   one Document per line
    chunks.jsonl      one Chunk per line, in the order of the vector rows
    vectors.npy       float32 normalised embeddings (kept so re-ingest re-embeds nothing unchanged)
    dense.faiss       the FAISS inner-product index over the vectors
    bm25.*            the keyword index
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.document import Chunk, Document
from tracuu.errors import TracuuError

FORMAT_VERSION = 1


@dataclass
class StoredIndex:
    manifest: dict
    documents: list[Document]
    chunks: list[Chunk]
    vectors: np.ndarray
    folder: Path

    @property
    def documents_by_id(self) -> dict[str, Document]:
        return {d.doc_id: d for d in self.documents}


def expected_manifest(settings, embed_name: str, dim: int) -> dict:
    """The fields a loaded index must agree with the current settings on."""
    return {
        "format_version": FORMAT_VERSION,
        "embed_model": embed_name,
        "dim": dim,
        "chunk_chars": settings.chunk_chars,
        "chunk_overlap": settings.chunk_overlap,
    }


def write_index(folder: Path, manifest: dict, documents, chunks, vectors: np.ndarray, faiss_index, bm25) -> None:
    """Write every file into a sibling temporary directory, then swap it in with renames."""
    import faiss

    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        _write_jsonl(tmp / "documents.jsonl", (d.to_dict() for d in documents))
        _write_jsonl(tmp / "chunks.jsonl", (c.to_dict() for c in chunks))
        np.save(tmp / "vectors.npy", vectors.astype(np.float32))
        faiss.write_index(faiss_index, str(tmp / "dense.faiss"))
        bm25.save(tmp)
        manifest = dict(manifest, built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        # the manifest is written last: a folder without one is never taken for an index
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        _swap(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap(tmp: Path, folder: Path) -> None:
    old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
    if folder.exists():
        os.replace(folder, old)
    os.replace(tmp, folder)
    shutil.rmtree(old, ignore_errors=True)


def read_index(folder: Path, expected: dict | None = None) -> StoredIndex:
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise TracuuError(f"Chưa có chỉ mục tại {folder} — chạy `tracuu ingest` trước.")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if expected:
        diff = {k: (manifest.get(k), v) for k, v in expected.items() if manifest.get(k) != v}
        if diff:
            what = "; ".join(f"{k}: chỉ mục có {a!r}, cấu hình hiện tại {b!r}" for k, (a, b) in diff.items())
            raise TracuuError(
                f"Chỉ mục tại {folder} được xây với cấu hình khác ({what}) — chạy `tracuu ingest --rebuild` để xây lại."
            )
    documents = [Document(**d) for d in _read_jsonl(folder / "documents.jsonl")]
    chunks = [Chunk(**c) for c in _read_jsonl(folder / "chunks.jsonl")]
    vectors = np.load(folder / "vectors.npy")
    return StoredIndex(manifest, documents, chunks, vectors, folder)


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
