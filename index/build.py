"""Build (or update) the index from plan files: one writer at a time, parse, skip duplicates by
content, embed only what changed, write a new version atomically."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from index.bm25 import Bm25Index
from index.dense import make_faiss
from index.lock import writer_lock
from index.records_file import extract as extract_records, manifest_fields as records_manifest
from index.vector_cache import VectorCache, text_key
from index.store import (claim_folder, expected_manifest, has_index, read_index, remove_leftovers,
                         source_paths, write_index)
from ingest.document import PIECE, Chunk, Document, piece_of
from ingest.normalize import fold
from ingest.pipeline import Skipped, collect_files, content_key, parse_files
from tracuu.errors import TracuuError


class NothingIngested(TracuuError):
    """Every file given was refused and the index would be empty: nothing is written."""


@dataclass
class BuildReport:
    documents: int = 0
    chunks: int = 0
    embedded: int = 0  # chunks embedded in this run
    reused: int = 0  # chunks whose vectors came from the previous index
    resumed: int = 0  # chunks whose vectors a killed build had made (index/vector_cache.py)
    records: int = 0  # records stored (ingest/records.py, index/records_file.py)
    records_reused: int = 0  # records kept from the previous index (their document unchanged)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unchanged: bool = False
    seconds: float = 0.0
    files: int = 0  # files considered in this run (named, or found in the folders named)

    @property
    def nothing_ingested(self) -> bool:
        """Files were given and every one of them was refused."""
        return self.files > 0 and len(self.skipped) >= self.files


def passage_text(document: Document, chunk: Chunk) -> str:
    """What is embedded and keyword-indexed for a chunk: its plan, section path (its headings written
    out where the path shortens them, see section_context) and text. Not what is displayed. A change
    here bumps index.store.PASSAGE_TEXT, so that indexes embedded from the old text are rebuilt."""
    agency = f" — {chunk.agency}" if chunk.agency else ""
    return f"{document.label}{agency}\n{section_context(chunk)}\n{chunk.text}"


_WORDS = re.compile(r"\w+")
_BARE = re.compile(r"^(?:khoản|điểm|ý) \w{1,4}$|^[\w]{1,4}[.)]$")


def section_context(chunk: Chunk) -> str:
    """The chunk's section path with each label that shortens its heading replaced by the heading
    itself: a label cut at its length limit ("Điều 18. Kiểm soát hoạt động nhập khẩu…") by the whole
    title, and a bare clause or point label ("khoản 2", "a)") above the passage by the clause's own
    lead-in sentence ("2. Quy trình cai nghiện ma túy bao gồm các giai đoạn sau đây:"), which is what
    the points under it are about."""
    section = piece_of(chunk.section)
    part = PIECE.search(chunk.section)
    labels = section.split(" › ")
    headings = chunk.heading.split(" › ") if chunk.heading else []
    out = []
    for i, label in enumerate(labels):
        heading = headings[i] if i < len(headings) else None
        out.append(_written_out(label, heading) if heading else label)
    return " › ".join(out) + (part.group(0) if part else "")


def _written_out(label: str, heading: str) -> str:
    """The label, or the heading it shortens: a bare clause label gives the clause's sentence; a label
    cut with "…" gets the rest of its heading (in lower case where the heading is in capitals)."""
    if _BARE.match(label):
        return heading if len(heading) > len(label) else label
    if not label.endswith("…"):
        return label
    kept = label[:-1].rsplit(" ", 1)[0]  # the last word may be cut
    words = _WORDS.findall(fold(kept))
    if words:
        kept = kept[: list(_WORDS.finditer(kept))[-1].end()]  # up to its last whole word: the heading has the rest
    found = list(_WORDS.finditer(fold(heading)))
    if not words or [m.group(0) for m in found[: len(words)]] != words or len(found) <= len(words):
        return label
    rest = heading[found[len(words) - 1].end():]
    letters = [c for c in rest if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        rest = rest.lower()
    return kept + rest


def build_index(
    paths: list[Path],
    settings,
    embedder,
    progress: Callable[[str], None] = lambda _: None,
    rebuild: bool = False,
    remove: list[str] | None = None,
    wait: bool = True,
) -> BuildReport:
    """Add, update or remove plans in the index at settings.index_dir, holding its writer lock (a second
    writer waits, or with wait=False is refused). `rebuild` ignores the stored index, whatever its
    state, and rebuilds from the files given plus the still-existing sources of the plans it held."""
    folder = Path(settings.index_dir)
    claim_folder(folder)
    with writer_lock(folder, wait, progress):
        remove_leftovers(folder)
        return _build_locked(paths, settings, embedder, progress, rebuild, remove or [])


def _build_locked(paths, settings, embedder, progress, rebuild, remove) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport()
    folder = Path(settings.index_dir)
    expected = expected_manifest(settings, embedder.name, embedder.dim)
    previous = None
    if not rebuild and has_index(folder):
        previous = read_index(folder, expected)  # a broken or mismatched index says to run --rebuild
    refused: list[Skipped] = []
    files = collect_files(paths, refused)
    if rebuild:
        files = _with_old_sources(files, folder, remove, report)
    parsed = parse_files(files, settings.chunk_chars, settings.chunk_overlap, settings.max_file_mb, progress)
    report.skipped = refused + parsed.skipped
    report.files = len(files) + len(refused)

    # documents outside the paths given stay as they are; inside them, a vanished file's chunks go
    scope_dirs = [Path(p).resolve() for p in paths if Path(p).is_dir()]
    scope_files = {str(Path(p).resolve()) for p in paths if Path(p).is_file()}
    skipped_names = {s.file for s in report.skipped if not s.duplicate_of}
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
    # the same text under another name is not indexed twice
    kept_keys = {content_key(d.text): d.file for d in kept_docs}
    duplicates = set()
    for doc in parsed.documents:
        same = kept_keys.get(content_key(doc.text))
        if same is not None:
            duplicates.add(doc.doc_id)
            report.skipped.append(Skipped(doc.file, f"trùng nội dung với {same} — không lập chỉ mục lần nữa", same))
            progress(f"bỏ qua {doc.file}: trùng nội dung với {same}")
    parsed_docs = [d for d in parsed.documents if d.doc_id not in duplicates]
    parsed_chunks = [c for c in parsed.chunks if c.doc_id not in duplicates]
    old_docs = {d.doc_id: d for d in previous.documents} if previous else {}
    for doc in parsed_docs:
        if doc.doc_id not in old_docs:
            report.added.append(doc.file)
        elif old_docs[doc.doc_id].sha256 != doc.sha256 or old_docs[doc.doc_id] != doc:
            report.updated.append(doc.file)

    documents = kept_docs + parsed_docs
    documents.sort(key=lambda d: d.doc_id)
    keep_ids = {d.doc_id for d in kept_docs}
    chunks = [c for c in (previous.chunks if previous else []) if c.doc_id in keep_ids] + parsed_chunks
    order = {d.doc_id: i for i, d in enumerate(documents)}
    chunks.sort(key=lambda c: (order[c.doc_id], c.start, c.chunk_id))
    report.documents, report.chunks = len(documents), len(chunks)
    if not documents:
        raise NothingIngested(
            "Không có tài liệu nào dùng được để lập chỉ mục — xem danh sách tệp bị bỏ qua ở trên. "
            "Chỉ mục không bị thay đổi."
        )

    if previous and not report.added and not report.updated and not report.removed:
        # an index without current stored records (an earlier version's, other rules) is written again
        if previous.chunks == chunks and previous.documents == documents and previous.stored_records is not None:
            report.unchanged, report.reused = True, len(chunks)
            report.records = report.records_reused = len(previous.stored_records)
            report.seconds = time.perf_counter() - started
            return report

    # a vector is kept when the text it was embedded from is unchanged: the chunk id does not cover the
    # headings above the passage nor the plan's label, which passage_text embeds with it
    old_vectors = {
        (c.chunk_id, passage_text(old_docs[c.doc_id], c)): previous.vectors[i]
        for i, c in enumerate(previous.chunks) if c.doc_id in old_docs
    } if previous else {}
    docs_by_id = {d.doc_id: d for d in documents}
    keys = [(c.chunk_id, passage_text(docs_by_id[c.doc_id], c)) for c in chunks]
    todo = [i for i, key in enumerate(keys) if key not in old_vectors]
    vectors = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    for i, key in enumerate(keys):
        if key in old_vectors:
            vectors[i] = old_vectors[key]
    cache = VectorCache(folder, embedder.name, embedder.dim)  # what a killed build of these texts left
    if todo:
        cached = cache.load()
        resumed = [i for i in todo if text_key(keys[i][1]) in cached]
        for i in resumed:
            vectors[i] = cached[text_key(keys[i][1])]
        if resumed:
            progress(f"tiếp tục lần lập chỉ mục bị ngắt: {len(resumed)} đoạn đã có vector")
        done = set(resumed)
        todo = [i for i in todo if i not in done]
        report.resumed = len(resumed)
    if todo:
        texts = [keys[i][1] for i in todo]
        vectors[todo] = embed_with_progress(embedder, texts, progress, cache.add)
    report.embedded, report.reused = len(todo), len(chunks) - len(todo) - report.resumed

    bm25 = Bm25Index.build([passage_text(docs_by_id[c.doc_id], c) for c in chunks])
    faiss_index = make_faiss(vectors, settings.faiss_index)
    records, report.records_reused = extract_records(documents, chunks, previous)  # unchanged documents keep theirs
    report.records = len(records)
    manifest = dict(
        expected,
        faiss_index=settings.faiss_index,
        documents={d.file: d.sha256 for d in documents},
        chunks=len(chunks),
        **records_manifest(records),
    )
    write_index(folder, manifest, documents, chunks, vectors, faiss_index, bm25, records)
    cache.clear()  # every vector is in the new version now
    report.seconds = time.perf_counter() - started
    return report


def _with_old_sources(files: list[Path], folder: Path, remove: list[str], report: BuildReport) -> list[Path]:
    """For --rebuild: the files given, plus the sources of the plans the old index held that still
    exist (so plans ingested from elsewhere, or uploaded, are not lost by a rebuild)."""
    have = {f.resolve() for f in files}
    out = list(files)
    for path in source_paths(folder):
        if path.name in remove or path.resolve() in have:
            continue
        if path.is_file():
            out.append(path)
            have.add(path.resolve())
        else:
            report.removed.append(path.name)
    return out


EMBED_STEP = 64  # chunks embedded between two progress lines


def embed_with_progress(embedder, texts: list[str], progress: Callable[[str], None],
                        on_step: Callable[[list[str], np.ndarray], None] = lambda texts, vectors: None) -> np.ndarray:
    """embedder.embed_documents in steps, with a progress line after each: done/total, share, time left;
    `on_step` keeps each step's vectors (index/vector_cache.py). Texts go shortest first, so a step's
    batches pad to nearly equal lengths and the time left is estimated from characters, not steps."""
    started = time.perf_counter()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    total, chars = sum(len(t) for t in texts) or 1, 0
    progress(f"đang tạo vector: 0/{len(texts)} đoạn")
    for start in range(0, len(order), EMBED_STEP):
        rows = order[start: start + EMBED_STEP]
        step = [texts[i] for i in rows]
        out[rows] = embedder.embed_documents(step)
        on_step(step, out[rows])
        done, chars = min(start + EMBED_STEP, len(texts)), chars + sum(len(t) for t in step)
        elapsed = time.perf_counter() - started
        left = f", còn khoảng {_duration(elapsed / chars * (total - chars))}" if done < len(texts) else ""
        progress(f"đang tạo vector: {done}/{len(texts)} đoạn ({100 * done // len(texts)}%{left})")
    return out


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} giây" if seconds < 90 else f"{seconds / 60:.0f} phút"
