"""The plans side of the web UI, without gradio: the list of ingested plans, checking and saving an
uploaded file, re-indexing with progress, and removing a plan. A rejected file never reaches the
plans folder, is deleted from gradio's upload cache, and the index stays as it was.

Indexing and removal run in a separate process (with its own embedder) that takes the index's writer
lock like `tracuu ingest`, never the model lock: answers keep coming from the old index until the new
version is swapped in, then the runtime reloads it.

An upload is read (parsed, OCR'd, converted) in a separate process within ingest/bounds.py's limits on
memory, time, pages and unpacked size before it is saved. Uploading, removing and re-indexing need the role `bien-tap` or `quan-tri` (tracuu.accounts); every
attempt, allowed or refused, is written to the audit log (tracuu.audit) with the file's sha256."""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import re
import shutil
import threading
import unicodedata
import uuid
from pathlib import Path
from typing import Iterator

from ingest.readers import SUPPORTED, SkipFile
from tracuu.accounts import DEFAULT_ROLE, may
from tracuu.audit import Actor, record, sha256_of
from tracuu.errors import TracuuError

# who changes the plans when nobody logs in: the server then listens on this machine only (accounts.check_host)
LOCAL = Actor("(máy này, không đăng nhập)", DEFAULT_ROLE, "web", "127.0.0.1")
EDITOR = "bien-tap"  # the role that may upload, remove and re-index

COLUMNS = ["Số hiệu", "Tên văn bản", "Loại", "Ngày", "Địa phương", "Số đoạn", "Nguồn", "Tệp"]
COLUMN_WIDTHS = ["11%", "29%", "8%", "10%", "13%", "6%", "7%", "16%"]


log = logging.getLogger("tracuu.web")


class PlanService:
    def __init__(self, runtime, lock: threading.Lock, upload_dir: Path | None = None, upload_cache: Path | None = None):
        self.runtime = runtime
        self.lock = lock  # the models' lock: never held while indexing (that runs in its own process)
        # where the browser's uploads land (gradio's cache): a processed upload there is deleted
        self.upload_cache = Path(upload_cache) if upload_cache else None
        settings = runtime.settings
        # uploads go beside the bundled plans, in their own folder, so removing one never touches a bundled plan
        self.upload_dir = Path(upload_dir) if upload_dir else Path(settings.plans_dir) / "uploads"
        self.max_mb = settings.max_file_mb

    # -- listing -------------------------------------------------------------------------------
    def index(self):
        from index.store import read_index

        try:
            return read_index(self.runtime.settings.index_dir)
        except TracuuError:
            return None

    def rows(self) -> list[list]:
        stored = self.index()
        if stored is None:
            return []
        counts: dict[str, int] = {}
        for c in stored.chunks:
            counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
        return [
            [d.number or "(không số)", d.title, d.kind, _date(d.date), d.locality or "", counts.get(d.doc_id, 0),
             "tải lên" if self._is_upload(d.path) else "có sẵn", d.file]
            for d in stored.documents
        ]

    def choices(self) -> list[tuple[str, str]]:
        """(label, doc id) of every ingested plan, for the plan filter."""
        stored = self.index()
        return [(d.label, d.doc_id) for d in stored.documents] if stored else []

    def heading(self) -> str:
        """What the assistant answers about, from the indexed documents: "5 văn bản (Kế hoạch, Nghị quyết)"."""
        stored = self.index()
        if not stored or not stored.documents:
            return "chưa có văn bản nào — nạp văn bản ở thẻ Kế hoạch"
        kinds = ", ".join(dict.fromkeys(d.kind for d in stored.documents))
        return f"{len(stored.documents)} văn bản ({kinds})"

    def examples(self, n: int = 4) -> list[str]:
        """Example questions made from the indexed documents' records: the bodies with the most duties,
        and who signed a document that names its signer. Nothing is written in the code."""
        from collections import Counter

        stored = self.index()
        if not stored:
            return []
        bodies = Counter((d.sector, d.canonical) for d in stored.duty_table.rows  # the records the index stores
                         if d.sector and not d.canonical.lower().startswith("các "))
        out, sectors = [], set()
        for (sector, body), _ in bodies.most_common():  # the busiest bodies, one per sector
            if sector in sectors or len(out) == n - 1:
                continue
            sectors.add(sector)
            out.append(f"{body} phải làm gì?" if len(out) % 2 == 0 else f"{body} có nhiệm vụ gì?")
        signed = next((d for d in stored.documents if getattr(d, "signer", None) and d.number), None)
        if signed:
            out.append(f"Ai ký {signed.kind} {signed.number}?")
        return out[:n]

    def files(self) -> list[str]:
        stored = self.index()
        return [d.file for d in stored.documents] if stored else []

    def _is_upload(self, path: str) -> bool:
        try:
            return Path(path).resolve().parent == self.upload_dir.resolve()
        except OSError:
            return False

    # -- upload ----------------------------------------------------------------------------------
    def _refused(self, actor: Actor, action: str, files: list[tuple[str, str | None]]) -> str:
        for name, sha in files:
            record(self.runtime.settings, actor, action, False, name, sha, f"vai trò {actor.role} không được phép")
        return (f"**Không được phép:** tài khoản **{actor.who}** có vai trò `{actor.role}` (chỉ đọc và hỏi). "
                "Tải lên, gỡ và lập chỉ mục cần vai trò `bien-tap` hoặc `quan-tri` — nhờ người quản trị "
                "(`tracuu users add TÊN --role bien-tap`).")

    def add(self, uploads: list[str], actor: Actor = LOCAL) -> Iterator[str]:
        """Check, save and index the uploaded files, yielding progress lines (Vietnamese)."""
        from ingest.bounds import Bounds, parse_bounded
        from ingest.pipeline import doc_id_for

        if not uploads:
            yield "Chưa chọn tệp nào — bấm vào ô tải lên để chọn tệp .txt, .md, .docx, .doc, .odt hoặc .pdf."
            return
        settings = self.runtime.settings
        if not may(actor.role, EDITOR):
            files = [(Path(u).name, sha256_of(u)) for u in uploads]
            for upload in uploads:
                self._forget_upload(Path(upload))
            yield self._refused(actor, "upload", files)
            return
        stored = self.index()
        taken = {d.doc_id: d.file for d in stored.documents} if stored else {}
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        staging = self.upload_dir / f".staging-{uuid.uuid4().hex[:8]}"
        staging.mkdir()
        saved: list[Path] = []
        try:
            for upload in uploads:
                original = Path(upload).name
                name = safe_name(original)
                reason = check_file(Path(upload), self.max_mb)
                sha = sha256_of(upload)
                if reason is None and doc_id_for(Path(name)) in taken:
                    reason = (f"đã có kế hoạch cùng tên ({taken[doc_id_for(Path(name))]}) — đổi tên tệp, "
                              "hoặc gỡ kế hoạch cũ trước khi tải bản mới")
                if reason is None:
                    staged = staging / name
                    shutil.copyfile(upload, staged)
                    try:
                        # in its own process, within memory, time, page and unzip bounds (ingest/bounds.py)
                        parse_bounded(staged, settings.chunk_chars, settings.chunk_overlap, self.max_mb,
                                      Bounds.of(settings))
                    except SkipFile as exc:
                        reason = str(exc)
                    except Exception as exc:  # a reader library choked: the file is bad, not the app
                        reason = f"không đọc được tệp ({type(exc).__name__})"
                self._forget_upload(Path(upload))
                record(settings, actor, "upload", True, original, sha,
                       f"từ chối tệp: {reason}" if reason is not None else f"đã nhận, lưu thành {name}")
                if reason is not None:
                    yield f"**Từ chối tệp {original}:** {reason}. Chỉ mục giữ nguyên."
                    continue
                target = self.upload_dir / name
                staged.replace(target)
                taken[doc_id_for(target)] = name
                saved.append(target)
                yield f"Đã nhận tệp **{original}**" + (f" (lưu thành {name})" if name != original else "") + "."
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        if not saved:
            return
        yield f"Đang lập chỉ mục {len(saved)} tệp (câu hỏi vẫn được trả lời trong lúc này)…"
        report = None
        try:
            for kind, value in self._in_worker(lambda progress: self._build(saved, progress)):
                if kind == "progress":
                    yield f"… {value}"
                else:
                    report = value
        except BaseException as exc:
            for path in saved:  # not indexed: do not leave them for the next `tracuu ingest` to find
                path.unlink(missing_ok=True)
            record(settings, actor, "reindex", True, ", ".join(p.name for p in saved), None,
                   f"thất bại, chỉ mục giữ nguyên: {exc}")
            raise
        record(settings, actor, "reindex", True, ", ".join(p.name for p in saved), None,
               f"{report.documents} kế hoạch, {report.chunks} đoạn ({report.embedded} đoạn mới)")
        for s in report.skipped:
            yield f"**Bỏ qua tệp {s.file}:** {s.reason}."
            (self.upload_dir / s.file).unlink(missing_ok=True)
        yield (f"**Xong:** chỉ mục có {report.documents} kế hoạch, {report.chunks} đoạn "
               f"({report.embedded} đoạn mới, {report.seconds:.1f} giây).")

    def _forget_upload(self, upload: Path) -> None:
        """Delete a processed upload from gradio's cache (accepted ones were copied, rejected ones are
        not kept). Nothing outside that cache is touched."""
        if self.upload_cache is None:
            return
        try:
            cache = self.upload_cache.resolve()
            path = upload.resolve()
            if path.is_relative_to(cache) and path != cache and path.is_file():
                path.unlink()
                if path.parent != cache and not any(path.parent.iterdir()):
                    path.parent.rmdir()  # gradio's one-upload folder
        except OSError:
            log.warning("could not delete the upload %s", upload)

    def _build(self, paths, progress):
        return self._index_in_process(progress, paths=[str(p) for p in paths])

    # -- removal ---------------------------------------------------------------------------------
    def remove(self, file: str, actor: Actor = LOCAL) -> Iterator[str]:
        stored = self.index()
        doc = next((d for d in stored.documents if d.file == file), None) if stored else None
        sha = sha256_of(doc.path) if doc is not None else None
        if not may(actor.role, EDITOR):
            yield self._refused(actor, "remove", [(file, sha)])
            return
        if doc is None:
            yield f"Không có kế hoạch **{file}** trong chỉ mục — chọn một tệp trong danh sách."
            return
        if len(stored.documents) == 1:
            yield "Không gỡ được kế hoạch cuối cùng — chỉ mục phải còn ít nhất một kế hoạch."
            return
        yield f"Đang gỡ **{file}** khỏi chỉ mục…"
        try:
            for kind, value in self._in_worker(lambda progress: self._remove(file, progress)):
                if kind == "progress":
                    yield f"… {value}"
        except BaseException as exc:
            record(self.runtime.settings, actor, "remove", True, file, sha, f"thất bại, chỉ mục giữ nguyên: {exc}")
            raise
        record(self.runtime.settings, actor, "remove", True, file, sha, "đã gỡ khỏi chỉ mục")
        if self._is_upload(doc.path):
            Path(doc.path).unlink(missing_ok=True)
            yield f"**Xong:** đã gỡ **{file}** và xoá tệp đã tải lên."
        else:
            yield (f"**Xong:** đã gỡ **{file}** khỏi chỉ mục. Tệp gốc ở {Path(doc.path).parent} vẫn giữ nguyên: "
                   "`tracuu ingest` chạy lại sẽ nạp lại nó.")

    def _remove(self, file, progress):
        return self._index_in_process(progress, remove=[file])

    def _index_in_process(self, progress, paths=(), remove=()):
        """build_index in a child process (its own embedder; the writer lock, not the model lock), with
        its progress lines passed on; then the runtime reloads the new index."""
        ctx = multiprocessing.get_context("spawn")  # never fork a process running threads and models
        events = ctx.Queue()
        rt = self.runtime
        child = ctx.Process(target=index_job, name="tracuu-index",
                            args=(rt.settings, embedder_spec(rt.embedder), list(paths), list(remove), events))
        child.start()
        try:
            while True:
                try:
                    kind, value = events.get(timeout=0.5)
                except queue.Empty:
                    if not child.is_alive() and events.empty():
                        raise TracuuError(f"Tiến trình lập chỉ mục dừng bất thường (mã {child.exitcode}); "
                                          "chỉ mục giữ nguyên — thử lại.") from None
                    continue
                if kind == "progress":
                    progress(value)
                elif kind == "error":
                    raise TracuuError(value)
                else:
                    break
        finally:
            child.join(30)
        rt.reload_index()
        return value

    def _in_worker(self, job) -> Iterator[tuple[str, object]]:
        """Run job(progress) in a thread, yielding ("progress", line)… then ("done", result).
        The job finishes even if the browser goes away, so the index is never left half-updated."""
        events: queue.Queue = queue.Queue()

        def run():
            try:
                events.put(("done", job(lambda line: events.put(("progress", line)))))
            except BaseException as exc:
                events.put(("raise", exc))

        threading.Thread(target=run, name="tracuu-index", daemon=True).start()
        while True:
            kind, value = events.get()
            if kind == "raise":
                raise value
            yield kind, value
            if kind == "done":
                return


def embedder_spec(embedder):
    """How the indexing process makes the same embedder: the e5 folder's path, or a small test
    embedder as it is."""
    from index.embedder import E5Embedder

    if isinstance(embedder, E5Embedder):
        return ("e5", str(embedder.path), embedder.batch_size)
    return ("object", embedder)


def index_job(settings, spec, paths: list[str], remove: list[str], events) -> None:
    """The indexing process: build_index, its progress lines, then ("done", report) or ("error", text)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from index.build import build_index
        from index.embedder import E5Embedder

        embedder = E5Embedder(spec[1], batch_size=spec[2]) if spec[0] == "e5" else spec[1]
        report = build_index([Path(p) for p in paths], settings, embedder,
                             progress=lambda line: events.put(("progress", line)), remove=remove)
        events.put(("done", report))
    except TracuuError as exc:
        events.put(("error", str(exc)))
    except BaseException as exc:  # reported to the user; the index is unchanged
        events.put(("error", f"Lỗi khi lập chỉ mục ({type(exc).__name__}: {exc}); chỉ mục giữ nguyên."))
    finally:
        events.close()
        events.join_thread()


def safe_name(name: str) -> str:
    """A file name safe to save: no folders, no hidden or sidecar names, letters (Vietnamese kept,
    NFC), digits, '.', '-' and '_' only, at most 100 characters."""
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name)
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = re.sub(r"[^\w\-]+", "-", stem).strip("-._")[:90] or "ke-hoach"
    ext = re.sub(r"[^\w]+", "", ext).lower()[:8]
    if stem.lower() == "readme" or stem.lower().endswith(".meta"):
        stem = f"ke-hoach-{stem}"
    return f"{stem}.{ext}" if ext else stem


def check_file(path: Path, max_mb: float) -> str | None:
    """Why this upload cannot be a plan (Vietnamese), or None. Checks the type by extension AND by
    content, so an .exe renamed .pdf is caught before any reader library sees it."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        return f"định dạng {suffix or '(không có đuôi)'} không được hỗ trợ — chỉ nhận {', '.join(SUPPORTED)}"
    size = path.stat().st_size
    if size == 0:
        return "tệp rỗng"
    if size > max_mb * 1024 * 1024:
        return f"tệp quá lớn ({size / 1048576:.1f} MB, tối đa {max_mb:g} MB)"
    with path.open("rb") as fh:
        head = fh.read(8192)
    if suffix == ".pdf" and not head.lstrip(b"\r\n\t ").startswith(b"%PDF-"):
        return "nội dung không phải tệp PDF (có thể là tệp khác bị đổi đuôi)"
    if suffix == ".docx" and not head.startswith(b"PK\x03\x04"):
        return "nội dung không phải tệp Word .docx (có thể là .doc cũ hoặc tệp khác bị đổi đuôi — hãy lưu lại dưới dạng .docx)"
    if suffix == ".doc" and not head.startswith(b"\xd0\xcf\x11\xe0"):
        return "nội dung không phải tệp Word 97–2003 .doc (có thể là tệp khác bị đổi đuôi)"
    if suffix == ".odt" and not head.startswith(b"PK\x03\x04"):
        return "nội dung không phải tệp OpenDocument .odt (có thể là tệp khác bị đổi đuôi)"
    if suffix in (".txt", ".md") and head[:2] not in (b"\xff\xfe", b"\xfe\xff") and (
        b"\x00" in head or head.startswith((b"MZ", b"\x7fELF", b"PK\x03\x04", b"%PDF-"))
    ):
        return "tệp nhị phân, không phải văn bản thuần"
    return None


def _date(date: str | None) -> str:
    from assistant.citations import format_date

    return format_date(date)
