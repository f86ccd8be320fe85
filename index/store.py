"""The index on disk. The index directory is tracuu's own and holds immutable versions:

    .tracuu-index       marks the directory as tracuu's (written when an empty or new one is claimed)
    .lock               the writers' lock (index/lock.py)
    manifest.json       the pointer: the current version's manifest, with `version` naming its folder;
                        replaced atomically (os.replace), so it always names a complete version
    v-<time>-<pid>-<id>/  one complete version, never changed once renamed into place:
        manifest.json     format version, embedding model and dimension, chunking settings, per-document
                          content hashes, chunk count, and the size and sha256 of every part below
        documents.jsonl   one Document per line
        chunks.jsonl      one Chunk per line, in the order of the vector rows
        vectors.npy       float32 normalised embeddings (kept so re-ingest re-embeds nothing unchanged)
        dense.faiss       the FAISS inner-product index over the vectors
        bm25.*            the keyword index
        records.jsonl     one ingest.records.Record per line (index/records_file.py): the items with their
                          bodies, roles and deadlines, extracted once at build time. An index built
                          before it (no records.jsonl in its manifest) is read, its records extracted on load
    .tmp-<pid>-<id>/    a version being written (removed by the next writer if its writer was killed)

A writer (holding the lock) writes a new version into a temporary folder, renames it to `v-…`, then
replaces the pointer; only then are older versions removed. At every instant the pointer names a
complete version. A reader reads the pointer, then loads that one version and checks every part
against the manifest's sizes, hashes and counts; if a writer removed the version meanwhile, it reads
the pointer again. The previous, flat layout (parts directly in the index directory) is still read,
and the next ingest migrates it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import time
import logging
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from ingest.document import Chunk, Document
from tracuu.errors import TracuuError

FORMAT_VERSION = 1  # the parts' own format (unchanged since the flat layout)
# how index/build.passage_text writes what is embedded and keyword-indexed: an index built from another
# text (1, before the manifest named it: the bare section path) must be rebuilt, its vectors would not
# match the passages the search now reads
PASSAGE_TEXT = 2
LAYOUT = 2  # versioned folders behind a pointer
MARKER = ".tracuu-index"
POINTER = "manifest.json"
PARTS = ("documents.jsonl", "chunks.jsonl", "vectors.npy", "dense.faiss", "bm25.npz", "bm25_idf.npy",
         "bm25_vocab.json", "records.jsonl")
RECORDS = "records.jsonl"  # the one part an index of an earlier version may lack (its records are extracted on load)
_BUILDING = ".building"
_VERSION = re.compile(r"^v-[0-9]{8}-[0-9]{6}-[0-9]+-[0-9a-f]{6}$")
_TMP = re.compile(r"^\.tmp-[0-9]+-[0-9a-f]{6}$")
_POINTER_TMP = re.compile(r"^\.manifest\.json\.tmp-[0-9]+$")
REBUILD = "chạy `tracuu ingest --rebuild` để xây lại từ các tệp kế hoạch"

# test hook: the writer exits abruptly (as if killed) at this step of the swap; see SWAP_STEPS
CRASH_ENV = "TRACUU_TEST_CRASH_AT"
SWAP_STEPS = ("parts-written", "version-renamed", "pointer-written", "pointer-replaced", "old-removed")


_log = logging.getLogger("tracuu.index")


def _crash_point(step: str) -> None:
    if os.environ.get(CRASH_ENV) == step:
        os._exit(86)


@dataclass
class StoredIndex:
    manifest: dict
    documents: list[Document]
    chunks: list[Chunk]
    vectors: np.ndarray
    folder: Path  # the folder of the loaded version (the index directory itself for the flat layout)
    faiss: object = None  # loaded with read_index(..., search=True)
    bm25: object = None
    version: str = ""
    # records.jsonl as stored (decoded at first use); None when the index has none made by the current rules
    records_data: bytes | None = field(default=None, repr=False)

    @cached_property
    def documents_by_id(self) -> dict[str, Document]:
        return {d.doc_id: d for d in self.documents}

    @cached_property
    def chunks_by_id(self) -> dict[str, Chunk]:
        return {c.chunk_id: c for c in self.chunks}

    @cached_property
    def chunk_order(self) -> dict[str, int]:
        """Each passage's place in the index (the order of the documents' text)."""
        return {c.chunk_id: i for i, c in enumerate(self.chunks)}

    @cached_property
    def chunk_documents(self) -> np.ndarray:
        """For each passage, the row of its document in `documents` (filters ask each document once)."""
        row = {d.doc_id: i for i, d in enumerate(self.documents)}
        return np.array([row[c.doc_id] for c in self.chunks], dtype=np.int64)

    @cached_property
    def stored_records(self) -> list | None:
        """The records the build stored, decoded at first use (a duty listing needs only the rows of
        `duty_table`); None when the index has none made by the current rules."""
        if self.records_data is None:
            return None
        from index.records_file import loads

        return _checked_records(self.folder, lambda: loads(self.records_data), {d.doc_id for d in self.documents})

    @cached_property
    def records(self) -> list:
        """Every record of the index (ingest/records.py) as the build stored them. An index without
        current stored records (built by an earlier version, or by other extraction rules) has them
        extracted here, once, with a note that says how to store them."""
        if self.stored_records is not None:
            return self.stored_records
        from index.records_file import HOW_TO_STORE, extract, why_not_stored

        _log.warning("Chỉ mục tại %s: %s — lập lại bản ghi khi nạp; %s.",
                     self.folder.parent if self.version else self.folder, why_not_stored(self.manifest), HOW_TO_STORE)
        return extract(self.documents, self.chunks)[0]

    @cached_property
    def duty_table(self):
        """The duties table of the records with its maps by document and by body (index/record_maps.py)."""
        from index.record_maps import DutyTable

        if self.records_data is not None and "stored_records" not in self.__dict__:
            from index.records_file import loads_with_duties

            # only the records that give someone work are read (a sixth of a library's)
            return DutyTable.of(_checked_records(self.folder, lambda: loads_with_duties(self.records_data),
                                                 {d.doc_id for d in self.documents}))
        return DutyTable.of(self.records)


def expected_manifest(settings, embed_name: str, dim: int) -> dict:
    """The fields a loaded index must agree with the current settings on."""
    return {
        "format_version": FORMAT_VERSION,
        "embed_model": embed_name,
        "dim": dim,
        "chunk_chars": settings.chunk_chars,
        "chunk_overlap": settings.chunk_overlap,
        "passage_text": PASSAGE_TEXT,
    }


# -- the directory is tracuu's own ---------------------------------------------------------------

def _is_flat_index(folder: Path, names: set[str]) -> bool:
    """An index written by the previous version: only index files, with a manifest or most parts."""
    if not names <= set(PARTS) | {POINTER, ".lock"}:
        return False
    return POINTER in names or len(names & set(PARTS)) >= 3


def claim_folder(folder: Path) -> None:
    """Make sure `folder` is tracuu's index directory: missing (created), empty, or already an index.
    Anything else is refused; nothing is moved or deleted."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise TracuuError(
            f"{folder} là một tệp, không phải thư mục chỉ mục — đặt TRACUU_INDEX_DIR tới một thư mục trống "
            "hoặc chưa có. Tệp đó được giữ nguyên."
        )
    if not folder.exists():
        _restore_flat_old(folder)
    if not folder.exists():
        if folder.is_symlink():
            raise TracuuError(f"{folder} là liên kết tới một chỗ không còn — sửa hoặc đặt TRACUU_INDEX_DIR khác.")
        folder.mkdir(parents=True, exist_ok=True)
    if (folder / MARKER).is_file():
        return
    names = {p.name for p in folder.iterdir()}
    if MARKER in names:
        return  # another tracuu process claimed it between the two looks (two first ingests at once)
    if names and not _is_flat_index(folder, names):
        shown = ", ".join(sorted(names)[:5]) + (", …" if len(names) > 5 else "")
        raise TracuuError(
            f"Thư mục {folder} không phải thư mục chỉ mục của tracuu (đang chứa: {shown}). tracuu chỉ ghi vào "
            "thư mục trống, chưa có, hoặc đã là chỉ mục của tracuu; không có gì bị xoá hay di chuyển. "
            "Đặt TRACUU_INDEX_DIR tới một thư mục khác."
        )
    (folder / MARKER).write_text("tracuu index directory\n", encoding="utf-8")


def is_ours(folder: Path) -> bool:
    folder = Path(folder)
    if not folder.is_dir():
        return False
    return (folder / MARKER).is_file() or _is_flat_index(folder, {p.name for p in folder.iterdir()})


def _restore_flat_old(folder: Path) -> None:
    """The previous version swapped with two renames; killed between them it left no index but a
    complete `.<name>.old-<pid>` beside it. Put that back."""
    parent = folder.parent
    if not parent.is_dir():
        return
    for old in sorted(parent.glob(f".{folder.name}.old-*")):
        names = {p.name for p in old.iterdir()} if old.is_dir() else set()
        if re.fullmatch(rf"\.{re.escape(folder.name)}\.old-[0-9]+", old.name) and POINTER in names \
                and _is_flat_index(old, names):
            os.rename(old, folder)
            return


def remove_leftovers(folder: Path, keep: str | None = None) -> list[str]:
    """Remove what killed or finished writers left (call holding the writer lock): temporary folders,
    pointer drafts, versions other than the current one, the flat layout's parts once migrated, and
    the previous version's `.<name>.tmp-<pid>` / `.<name>.old-<pid>` siblings. Only what tracuu made."""
    folder = Path(folder)
    removed = []
    if keep is None:
        try:
            keep = _read_pointer(folder).get("version")
        except TracuuError:
            keep = None
    for p in folder.iterdir():
        if p.is_dir() and not p.is_symlink():
            names = {c.name for c in p.iterdir()}
            ours = names <= set(PARTS) | {POINTER, _BUILDING}
            if ((_TMP.match(p.name) and ours) or (_VERSION.match(p.name) and p.name != keep and ours and keep)):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p.name)
        elif p.is_file() and _POINTER_TMP.match(p.name):
            p.unlink(missing_ok=True)
            removed.append(p.name)
    if keep:  # the flat layout's parts, now that a versioned one is current
        for name in PARTS:
            if (folder / name).is_file():
                (folder / name).unlink()
                removed.append(name)
    parent = folder.parent
    for p in parent.glob(f".{folder.name}.*-*"):
        m = re.fullmatch(rf"\.{re.escape(folder.name)}\.(tmp|old)-([0-9]+)", p.name)
        if m and p.is_dir() and not p.is_symlink() and not _alive(int(m.group(2))) and \
                {c.name for c in p.iterdir()} <= set(PARTS) | {POINTER}:
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p.name)
    return removed


def _alive(pid: int) -> bool:
    """Another process that may still be writing (this one's own leftovers are not)."""
    from index.lock import pid_alive

    return pid != os.getpid() and pid_alive(pid)


# -- writing -----------------------------------------------------------------------------------------

def _fsync_write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_index(folder: Path, manifest: dict, documents, chunks, vectors: np.ndarray, faiss_index, bm25,
                records: list | None = None) -> None:
    """Write a new version and make it current (call holding the writer lock). Killed at any point,
    the index directory still holds a complete, loadable index: the old one or the new one. Without
    `records` the version has no records.jsonl (readers extract them on load)."""
    import faiss

    folder = Path(folder)
    claim_folder(folder)
    tmp = folder / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    tmp.mkdir()
    (tmp / _BUILDING).write_bytes(b"")
    try:
        _write_jsonl(tmp / "documents.jsonl", (d.to_dict() for d in documents))
        _write_jsonl(tmp / "chunks.jsonl", (c.to_dict() for c in chunks))
        np.save(tmp / "vectors.npy", vectors.astype(np.float32))
        faiss.write_index(faiss_index, str(tmp / "dense.faiss"))
        bm25.save(tmp)
        if records is not None:
            from index.records_file import dumps

            (tmp / RECORDS).write_bytes(dumps(records))
        files = {}
        for name in (p for p in PARTS if p != RECORDS or records is not None):
            data = (tmp / name).read_bytes()
            files[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            with open(tmp / name, "rb+") as fh:
                os.fsync(fh.fileno())
        version = f"v-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        manifest = dict(manifest, built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"), layout=LAYOUT,
                        version=version, files=files)
        text = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        _fsync_write(tmp / "manifest.json", text)
        (tmp / _BUILDING).unlink()
        _fsync_dir(tmp)
        _crash_point("parts-written")
        os.rename(tmp, folder / version)
        _fsync_dir(folder)
        _crash_point("version-renamed")
        draft = folder / f".manifest.json.tmp-{os.getpid()}"
        _fsync_write(draft, text)
        _crash_point("pointer-written")
        os.replace(draft, folder / POINTER)
        _fsync_dir(folder)
        _crash_point("pointer-replaced")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    remove_leftovers(folder, keep=version)
    _crash_point("old-removed")


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


# -- reading -----------------------------------------------------------------------------------------

class _Vanished(Exception):
    """The version being read was replaced and removed by a writer meanwhile: read the pointer again."""


def _broken(folder: Path, part: str, problem: str) -> TracuuError:
    return TracuuError(f"Chỉ mục tại {folder} bị hỏng: {part} {problem} — {REBUILD}.")


def _versions(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and _VERSION.match(p.name))
    except OSError:
        return []


def has_index(folder: Path) -> bool:
    """Whether something index-like is there (a pointer, or versions without one)."""
    folder = Path(folder)
    return (folder / POINTER).exists() or bool(_versions(folder))


def pointer_stamp(folder: Path) -> tuple | None:
    """What changes when a writer swaps in a new version: the pointer file's inode, size and time
    (os.replace gives it a new inode). A stat, no read: cheap enough to call before every request."""
    try:
        st = os.stat(Path(folder) / POINTER)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _read_pointer(folder: Path) -> dict:
    path = folder / POINTER
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if _versions(folder):
            raise _broken(folder, POINTER, "bị thiếu") from None
        raise TracuuError(f"Chưa có chỉ mục tại {folder} — chạy `tracuu ingest` trước.") from None
    except IsADirectoryError:
        raise _broken(folder, POINTER, "không phải một tệp") from None
    except NotADirectoryError:
        raise TracuuError(f"{folder} không phải thư mục chỉ mục — đặt TRACUU_INDEX_DIR cho đúng.") from None
    except OSError as exc:
        raise _broken(folder, POINTER, f"không đọc được ({exc.strerror or exc.__class__.__name__})") from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _broken(folder, POINTER, f"không đọc được ({exc.__class__.__name__})") from None
    if not isinstance(manifest, dict):
        raise _broken(folder, POINTER, "không đúng dạng")
    if manifest.get("layout") == LAYOUT and not _VERSION.match(str(manifest.get("version", ""))):
        raise _broken(folder, POINTER, "không chỉ tới phiên bản nào")
    return manifest


def _check_expected(folder: Path, manifest: dict, expected: dict | None) -> None:
    if not expected:
        return
    diff = {k: (manifest.get(k), v) for k, v in expected.items() if manifest.get(k) != v}
    if diff:
        what = "; ".join(f"{k}: chỉ mục có {a!r}, cấu hình hiện tại {b!r}" for k, (a, b) in diff.items())
        raise TracuuError(
            f"Chỉ mục tại {folder} được xây với cấu hình khác ({what}) — chạy `tracuu ingest --rebuild` để xây lại."
        )


def read_index(folder: Path, expected: dict | None = None, search: bool = False) -> StoredIndex:
    """Load the current version, checked part by part against its manifest. With `search`, the FAISS
    and BM25 indexes are loaded too (from the same version). A missing or corrupt part is a
    TracuuError naming the part and the command that fixes it."""
    folder = Path(folder)
    for attempt in range(100):
        pointer = _read_pointer(folder)
        _check_expected(folder, pointer, expected)
        try:
            if pointer.get("layout") == LAYOUT:
                return _load_version(folder, pointer, search)
            return _load_flat(folder, pointer, search)
        except _Vanished:
            time.sleep(min(0.002 * attempt, 0.05))
    raise TracuuError(f"Chỉ mục tại {folder} đang được thay liên tục, chưa đọc được một bản ổn định — thử lại sau.")


def _read_part(folder: Path, vdir: Path, pointer: dict, name: str, meta: dict | None) -> bytes:
    try:
        data = (vdir / name).read_bytes()
    except FileNotFoundError:
        _vanished_or(folder, vdir, pointer)
        raise _broken(folder, name, "bị thiếu") from None
    except OSError as exc:  # a folder where a file should be, no permission, an I/O error
        raise _broken(folder, name, f"không đọc được ({exc.strerror or exc.__class__.__name__})") from None
    if meta is not None:
        if len(data) != meta.get("bytes") or hashlib.sha256(data).hexdigest() != meta.get("sha256"):
            raise _broken(folder, name, f"không khớp manifest ({len(data)} byte, manifest ghi {meta.get('bytes')})")
    return data


def _vanished_or(folder: Path, vdir: Path, pointer: dict) -> None:
    """Raise _Vanished when a writer replaced the version being read; return when it is really missing."""
    try:
        now = json.loads((folder / POINTER).read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return
    if isinstance(now, dict) and now.get("version") != pointer.get("version"):
        raise _Vanished


def _load_version(folder: Path, pointer: dict, search: bool) -> StoredIndex:
    version = pointer["version"]
    vdir = folder / version
    if not vdir.is_dir():
        _vanished_or(folder, vdir, pointer)
        raise _broken(folder, f"phiên bản {version}", "bị thiếu")
    raw = _read_part(folder, vdir, pointer, POINTER, None)
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except ValueError:
        raise _broken(folder, f"{version}/{POINTER}", "không đọc được") from None
    if not isinstance(manifest, dict):
        raise _broken(folder, f"{version}/{POINTER}", "không đúng dạng")
    files = manifest.get("files")
    if manifest.get("version") != version or not isinstance(files, dict) or set(files) | {RECORDS} != set(PARTS):
        raise _broken(folder, f"{version}/{POINTER}", "không khớp tệp trỏ manifest.json")
    data = {name: _read_part(folder, vdir, pointer, name, files[name]) for name in PARTS if name in files}
    stored = _parse(folder, vdir, manifest, data, search, pointer)
    stored.version = version
    return stored


def _load_flat(folder: Path, manifest: dict, search: bool) -> StoredIndex:
    data = {name: _read_part(folder, folder, manifest, name, None) for name in PARTS
            if (name != "dense.faiss" or search) and (name != RECORDS or (folder / RECORDS).is_file())}
    if "dense.faiss" not in data and not (folder / "dense.faiss").is_file():
        raise _broken(folder, "dense.faiss", "bị thiếu")
    return _parse(folder, folder, manifest, data, search, manifest)


def _parse(folder: Path, vdir: Path, manifest: dict, data: dict[str, bytes], search: bool, pointer: dict) -> StoredIndex:
    try:
        documents = [Document(**d) for d in _jsonl(data["documents.jsonl"])]
    except (ValueError, TypeError) as exc:
        raise _broken(folder, "documents.jsonl", f"không đọc được ({exc.__class__.__name__})") from None
    try:
        chunks = [Chunk(**c) for c in _jsonl(data["chunks.jsonl"])]
    except (ValueError, TypeError) as exc:
        raise _broken(folder, "chunks.jsonl", f"không đọc được ({exc.__class__.__name__})") from None
    try:
        vectors = np.load(io.BytesIO(data["vectors.npy"]), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise _broken(folder, "vectors.npy", f"không đọc được ({exc.__class__.__name__})") from None
    n = manifest.get("chunks")
    if n is not None and len(chunks) != n:
        raise _broken(folder, "chunks.jsonl", f"có {len(chunks)} đoạn, manifest ghi {n}")
    if vectors.ndim != 2 or vectors.shape[0] != len(chunks) or vectors.shape[1] != manifest.get("dim", vectors.shape[1]):
        raise _broken(folder, "vectors.npy", f"có kích thước {vectors.shape}, cần ({len(chunks)}, {manifest.get('dim')})")
    names = manifest.get("documents")
    if isinstance(names, dict) and set(names) != {d.file for d in documents}:
        raise _broken(folder, "documents.jsonl", "không khớp danh sách kế hoạch trong manifest")
    doc_ids = {d.doc_id for d in documents}
    if any(c.doc_id not in doc_ids for c in chunks):
        raise _broken(folder, "chunks.jsonl", "có đoạn của kế hoạch không có trong documents.jsonl")
    stored = StoredIndex(manifest, documents, chunks, vectors, vdir)
    stored.records_data = _records(folder, manifest, data.get(RECORDS))
    if search:
        import faiss

        from index.bm25 import Bm25Index

        try:
            raw = data.get("dense.faiss")
            if raw is None:
                raw = _read_part(folder, vdir, pointer, "dense.faiss", None)
            stored.faiss = faiss.deserialize_index(np.frombuffer(raw, dtype=np.uint8))
        except RuntimeError:
            raise _broken(folder, "dense.faiss", "không đọc được") from None
        if stored.faiss.ntotal != len(chunks):
            raise _broken(folder, "dense.faiss", f"có {stored.faiss.ntotal} vector, cần {len(chunks)}")
        try:
            stored.bm25 = Bm25Index.load(vdir)
        except FileNotFoundError:
            _vanished_or(folder, vdir, pointer)
            raise _broken(folder, "bm25.*", "bị thiếu") from None
        except (ValueError, OSError, KeyError, EOFError) as exc:
            raise _broken(folder, "bm25.*", f"không đọc được ({exc.__class__.__name__})") from None
        if stored.bm25.matrix.shape[0] != len(chunks):
            raise _broken(folder, "bm25.npz", f"có {stored.bm25.matrix.shape[0]} dòng, cần {len(chunks)}")
    return stored


def _records(folder: Path, manifest: dict, data: bytes | None) -> bytes | None:
    """The stored records as bytes, their count checked against the manifest (they are decoded at first
    use); None when there are none made in this format by the current extraction rules (they are then
    extracted on load)."""
    from index.records_file import stored_are_current

    if data is None or not stored_are_current(manifest):
        return None
    if data and not data.endswith(b"\n"):
        raise _broken(folder, RECORDS, "không đọc được (ValueError)")  # every row ends with its newline
    n = manifest.get("records")
    lines = data.count(b"\n")
    if n is not None and lines != n:
        raise _broken(folder, RECORDS, f"có {lines} bản ghi, manifest ghi {n}")
    return data


def _checked_records(folder: Path, read, doc_ids: set[str]) -> list:
    """The records `read()` decodes, each of a document of the index."""
    try:
        records = read()
    except (ValueError, TypeError, KeyError) as exc:
        raise _broken(folder, RECORDS, f"không đọc được ({exc.__class__.__name__})") from None
    if any(r.doc_id not in doc_ids for r in records):
        raise _broken(folder, RECORDS, "có bản ghi của kế hoạch không có trong documents.jsonl")
    return records


def _jsonl(data: bytes) -> list[dict]:
    text = data.decode("utf-8")
    if text and not text.endswith("\n"):
        raise ValueError("truncated")  # every row is written with its newline: a cut file ends without one
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def source_paths(folder: Path) -> list[Path]:
    """The source files of the documents the index holds, read leniently from any readable version
    (for `--rebuild` of a broken index). Empty when none can be read."""
    folder = Path(folder)
    candidates = []
    try:
        pointer = json.loads((folder / POINTER).read_text(encoding="utf-8"))
        if isinstance(pointer, dict) and _VERSION.match(str(pointer.get("version", ""))):
            candidates.append(folder / pointer["version"])
    except (OSError, ValueError):
        pass
    candidates += list(reversed(_versions(folder))) + [folder]
    for place in candidates:
        try:
            lines = (place / "documents.jsonl").read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        paths = []
        for line in lines:
            try:
                paths.append(Path(json.loads(line)["path"]))
            except (ValueError, KeyError, TypeError):
                continue
        if paths:
            return paths
    return []


def _records_line(stored: StoredIndex) -> str:
    """What `tracuu doctor` says about the stored records."""
    from index.records_file import FORMAT, HOW_TO_STORE, why_not_stored

    if stored.stored_records is None:
        return f"  Bản ghi: {why_not_stored(stored.manifest)}; chúng được lập lại mỗi lần nạp — {HOW_TO_STORE}."
    return (f"  {len(stored.stored_records)} bản ghi, {len(stored.duty_table.rows)} dòng nhiệm vụ "
            f"({RECORDS}, định dạng {FORMAT}).")


def check_index(folder: Path, expected: dict | None = None) -> tuple[bool, list[str]]:
    """`tracuu doctor`: verify the pointer, every part's size and hash, the counts, the FAISS and BM25
    indexes, and whether each plan's source file is unchanged. (ok, report lines in Vietnamese)."""
    folder = Path(folder)
    lines = []
    if not is_ours(folder) and folder.exists():
        return False, [f"{folder} không phải thư mục chỉ mục của tracuu."]
    try:
        stored = read_index(folder, None, search=True)
    except TracuuError as exc:
        return False, [str(exc)]
    ok = True
    m = stored.manifest
    layout = f"phiên bản {stored.version}" if stored.version else "dạng cũ (một thư mục phẳng; lần nạp sau sẽ chuyển đổi)"
    lines.append(f"Chỉ mục {folder}: {layout}, xây lúc {m.get('built_at', '?')}.")
    lines.append(f"  {len(stored.documents)} kế hoạch, {len(stored.chunks)} đoạn, vector {stored.vectors.shape[1]} chiều "
                 f"({m.get('embed_model')}); FAISS {stored.faiss.ntotal} vector; BM25 {stored.bm25.matrix.shape[0]} dòng.")
    lines.append("  Mọi phần khớp manifest (kích thước, sha256, số đoạn)." if stored.version
                 else "  Số đoạn, vector, FAISS và BM25 khớp nhau (dạng cũ không có sha256 từng phần).")
    lines.append(_records_line(stored))
    stale = []
    for d in stored.documents:
        p = Path(d.path)
        if not p.is_file():
            stale.append(f"  {d.file}: tệp nguồn {p} không còn (chỉ mục vẫn giữ nội dung đã nạp)")
        elif hashlib.sha256(p.read_bytes()).hexdigest() != d.sha256:
            stale.append(f"  {d.file}: tệp nguồn đã đổi từ lần nạp trước — chạy `tracuu ingest` để cập nhật")
    try:
        _check_expected(folder, m, expected)
    except TracuuError as exc:
        ok = False
        lines.append(str(exc))
    if stale:
        lines.append("Tệp nguồn:")
        lines += stale
    else:
        lines.append("  Mọi tệp nguồn còn nguyên như lúc nạp.")
    leftovers = [p.name for p in folder.iterdir() if _TMP.match(p.name) or _POINTER_TMP.match(p.name)
                 or (_VERSION.match(p.name) and p.name != stored.version)]
    if leftovers:
        lines.append(f"  Còn {len(leftovers)} thư mục tạm của lần nạp bị dừng; lần nạp sau sẽ dọn: {', '.join(leftovers)}")
    return ok, lines
