"""Build (or update) the index from plan files: parse, embed only what changed, write atomically."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from index.bm25 import Bm25Index
from index.dense import make_faiss
from index.store import expected_manifest, read_index, write_index
from ingest.document import Chunk, Document
from ingest.pipeline import Skipped, collect_files, parse_files
from tracuu.errors import TracuuError


@dataclass
class BuildReport:
    documents: int = 0
    chunks: int = 0
    embedded: int = 0  # chunks embedded in this run
    reused: int = 0  # chunks whose vectors came from the previous index
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unchanged: bool = False
    seconds: float = 0.0


def passage_text(document: Document, chunk: Chunk) -> str:
    """What is embedded and keyword-indexed for a chunk: its plan, section path and text."""
    agency = f" — {chunk.agency}" if chunk.agency else ""
    return f"{document.label}{agency}\n{chunk.section}\n{chunk.text}"


def build_index(
    paths: list[Path],
    settings,
    embedder,
    progress: Callable[[str], None] = lambda _: None,
    rebuild: bool = False,
    remove: list[str] | None = None,
) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport()
    expected = expected_manifest(settings, embedder.name, embedder.dim)
    previous = None
    if (Path(settings.index_dir) / "manifest.json").exists():
        try:
            previous = read_index(settings.index_dir, expected)
        except TracuuError:
            if not rebuild:
                raise
    files = collect_files(paths)
    parsed = parse_files(files, settings.chunk_chars, settings.chunk_overlap, settings.max_file_mb, progress)
    report.skipped = parsed.skipped

    # documents outside the paths given stay as they are; inside them, a vanished file's chunks go
    scope_dirs = [Path(p).resolve() for p in paths if Path(p).is_dir()]
    scope_files = {str(Path(p).resolve()) for p in paths if Path(p).is_file()}
    skipped_names = {s.file for s in parsed.skipped}
    new_ids = {d.doc_id for d in parsed.documents}
    kept_docs: list[Document] = []
    if previous:
        for doc in previous.documents:
            if doc.doc_id in new_ids:
                continue
            if remove and (doc.doc_id in remove or doc.file in remove):
                report.removed.append(doc.file)
                continue
            in_scope = doc.path in scope_files or any(Path(doc.path).parent == d for d in scope_dirs)
            if in_scope and doc.file not in skipped_names:
                report.removed.append(doc.file)
                continue
            kept_docs.append(doc)
    old_docs = {d.doc_id: d for d in previous.documents} if previous else {}
    for doc in parsed.documents:
        if doc.doc_id not in old_docs:
            report.added.append(doc.file)
        elif old_docs[doc.doc_id].sha256 != doc.sha256 or old_docs[doc.doc_id] != doc:
            report.updated.append(doc.file)

    documents = kept_docs + parsed.documents
    documents.sort(key=lambda d: d.doc_id)
    keep_ids = {d.doc_id for d in kept_docs}
    chunks = [c for c in (previous.chunks if previous else []) if c.doc_id in keep_ids] + parsed.chunks
    order = {d.doc_id: i for i, d in enumerate(documents)}
    chunks.sort(key=lambda c: (order[c.doc_id], c.start, c.chunk_id))
    report.documents, report.chunks = len(documents), len(chunks)
    if not documents:
        raise TracuuError("Không có tài liệu nào dùng được để lập chỉ mục — xem danh sách tệp bị bỏ qua ở trên.")

    if previous and not report.added and not report.updated and not report.removed:
        if previous.chunks == chunks and previous.documents == documents:
            report.unchanged, report.reused = True, len(chunks)
            report.seconds = time.perf_counter() - started
            return report

    old_vectors = {c.chunk_id: previous.vectors[i] for i, c in enumerate(previous.chunks)} if previous else {}
    docs_by_id = {d.doc_id: d for d in documents}
    todo = [i for i, c in enumerate(chunks) if c.chunk_id not in old_vectors]
    vectors = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    for i, c in enumerate(chunks):
        if c.chunk_id in old_vectors:
            vectors[i] = old_vectors[c.chunk_id]
    if todo:
        texts = [passage_text(docs_by_id[chunks[i].doc_id], chunks[i]) for i in todo]
        vectors[todo] = embed_with_progress(embedder, texts, progress)
    report.embedded, report.reused = len(todo), len(chunks) - len(todo)

    bm25 = Bm25Index.build([passage_text(docs_by_id[c.doc_id], c) for c in chunks])
    faiss_index = make_faiss(vectors, settings.faiss_index)
    manifest = dict(
        expected,
        faiss_index=settings.faiss_index,
        documents={d.file: d.sha256 for d in documents},
        chunks=len(chunks),
    )
    write_index(settings.index_dir, manifest, documents, chunks, vectors, faiss_index, bm25)
    report.seconds = time.perf_counter() - started
    return report


EMBED_STEP = 64  # chunks embedded between two progress lines


def embed_with_progress(embedder, texts: list[str], progress: Callable[[str], None]) -> np.ndarray:
    """embedder.embed_documents in steps, with a progress line after each: done/total, share, time left."""
    started, parts = time.perf_counter(), []
    progress(f"đang tạo vector: 0/{len(texts)} đoạn")
    for start in range(0, len(texts), EMBED_STEP):
        parts.append(embedder.embed_documents(texts[start: start + EMBED_STEP]))
        done = min(start + EMBED_STEP, len(texts))
        elapsed = time.perf_counter() - started
        left = f", còn khoảng {elapsed / done * (len(texts) - done):.0f} giây" if done < len(texts) else ""
        progress(f"đang tạo vector: {done}/{len(texts)} đoạn ({100 * done // len(texts)}%{left})")
    return np.concatenate(parts).astype(np.float32)
