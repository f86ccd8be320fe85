"""Bounds on the work one file may cost to read: a hostile upload must not take the server's memory,
time or network. Each refusal names the limit and the setting that changes it.

- `check(path, bounds)`: a .docx/.odt (a zip) whose declared or real unpacked size passes
  bounds.unzipped_mb, and a PDF with more than bounds.pages pages, are refused before any reader opens
  them (ingest/readers.py calls it, so `tracuu ingest` is bounded the same way);
- `parse_bounded(...)`: reading, OCR and conversion of one file in a separate process, in its own
  process group, with its address space limited to bounds.memory_mb and killed whole (LibreOffice and
  Tesseract included) after bounds.seconds; the web and the API check uploads with it;
- `run_isolated(cmd, timeout)`: a converter (LibreOffice) in its own process group, killed whole on a
  timeout, without network where `unshare` can make a private network namespace (Linux user
  namespaces; elsewhere it runs with the machine's network, its profile still private).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CHUNK = 1 << 20  # bytes decompressed at a time when a zip's real size is counted


@dataclass(frozen=True)
class Bounds:
    seconds: float = 300.0  # wall time to read one file: parse, OCR, conversion (TRACUU_MAX_READ_SECONDS)
    memory_mb: int = 1536  # address space of the process that reads it (TRACUU_MAX_READ_MB)
    pages: int = 500  # pages of a PDF (TRACUU_MAX_PAGES)
    unzipped_mb: float = 200.0  # what a .docx or .odt may unpack to (TRACUU_MAX_UNZIPPED_MB)

    @classmethod
    def of(cls, settings) -> "Bounds":
        return cls(settings.max_read_seconds, settings.max_read_mb, settings.max_pages, settings.max_unzipped_mb)

    @classmethod
    def from_env(cls) -> "Bounds":
        from tracuu.settings import Settings

        return cls.of(Settings.from_env())


def _skip(reason: str):
    from ingest.readers import SkipFile

    return SkipFile(reason)


def check(path: Path, bounds: Bounds | None = None) -> None:
    """SkipFile when the file would unpack or page beyond its bounds (cheap: nothing is parsed)."""
    suffix = Path(path).suffix.lower()
    if suffix in (".docx", ".odt"):
        check_zip(Path(path), bounds or Bounds.from_env())
    elif suffix == ".pdf":
        check_pages(Path(path), bounds or Bounds.from_env())


def check_zip(path: Path, bounds: Bounds) -> None:
    """The declared unpacked size (the zip's directory), then the real one: each member's deflate stream
    inflated from its local header, whatever sizes the directory states, counted and stopped at the limit
    (a directory can lie, and LibreOffice reads the stream)."""
    limit = int(bounds.unzipped_mb * 1024 * 1024)
    said = (f"giới hạn {bounds.unzipped_mb:g} MB khi giải nén (TRACUU_MAX_UNZIPPED_MB) — tệp có thể là "
            "\"bom zip\"; nếu là văn bản thật, tăng TRACUU_MAX_UNZIPPED_MB")
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return  # not a zip at all: the reader says what is wrong with it
    declared = sum(m.file_size for m in members)
    if declared > limit:
        raise _skip(f"tệp giải nén ra {declared / 1048576:,.0f} MB, quá {said}")
    total = 0
    with open(path, "rb") as fh:
        for m in members:
            total += _inflated_size(fh, m, limit - total)
            if total > limit:
                raise _skip(f"tệp giải nén ra hơn {bounds.unzipped_mb:g} MB (khai báo {declared / 1048576:,.1f} MB), "
                            f"quá {said}")


def _inflated_size(fh, member: zipfile.ZipInfo, room: int) -> int:
    """Bytes a member really inflates to (stopped once past `room`), read from its local header."""
    import zlib

    fh.seek(member.header_offset)
    header = fh.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        return 0
    fh.seek(member.header_offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little"))
    if member.compress_type == zipfile.ZIP_STORED:
        return member.compress_size
    if member.compress_type != zipfile.ZIP_DEFLATED:
        return member.file_size
    inflater, total = zlib.decompressobj(-15), 0
    while not inflater.eof and total <= room:
        data = inflater.unconsumed_tail or fh.read(CHUNK)
        if not data:
            break
        try:
            total += len(inflater.decompress(data, CHUNK))
        except zlib.error:
            break
    return total


def check_pages(path: Path, bounds: Bounds) -> None:
    """The PDF's pages, counted on its page tree (no page is read), at most bounds.pages."""
    try:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser
    except ImportError:  # pragma: no cover - a dependency
        return
    try:
        with open(path, "rb") as fh:
            document = PDFDocument(PDFParser(fh))
            count = 0
            for _ in PDFPage.create_pages(document):
                count += 1
                if count > bounds.pages:
                    raise _skip(f"PDF có hơn {bounds.pages} trang, quá giới hạn {bounds.pages} trang mỗi tệp "
                                "(TRACUU_MAX_PAGES) — tách tệp, hoặc tăng TRACUU_MAX_PAGES")
    except Exception as exc:  # noqa: BLE001 - a damaged PDF: the reader says what is wrong with it
        from ingest.readers import SkipFile

        if isinstance(exc, SkipFile):
            raise


# -- reading in a bounded process ------------------------------------------------------------------------

def parse_bounded(path: Path, max_chars: int, overlap: int, max_mb: float, bounds: Bounds,
                  progress=lambda _: None):
    """ingest.pipeline.parse_file in a child process within `bounds`: (Document, chunks), or SkipFile
    naming the limit it passed. The child and everything it starts are one process group, killed whole."""
    import multiprocessing
    import queue
    import time

    ctx = multiprocessing.get_context("spawn")  # never fork a server's threads and models
    events = ctx.Queue()
    child = ctx.Process(target=_parse_job, name="tracuu-read",
                        args=(str(path), max_chars, overlap, max_mb, bounds, events))
    child.start()
    deadline = time.monotonic() + bounds.seconds
    try:
        while True:
            try:
                kind, value = events.get(timeout=min(0.5, max(0.01, deadline - time.monotonic())))
            except queue.Empty:
                if time.monotonic() >= deadline:
                    _kill_group(child.pid)
                    raise _skip(f"đọc tệp quá {bounds.seconds:g} giây (TRACUU_MAX_READ_SECONDS) — tệp quá nặng "
                                "(nhiều trang ảnh quét?); tách tệp, hoặc tăng TRACUU_MAX_READ_SECONDS") from None
                if not child.is_alive() and events.empty():
                    raise _skip(_died(child.exitcode, bounds)) from None
                continue
            if kind == "progress":
                progress(value)
            elif kind == "done":
                return value
            elif kind == "skip":
                raise _skip(value)
            else:
                raise _skip(value)
    finally:
        _kill_group(child.pid)
        if child.is_alive():  # killed before it made its own group
            child.kill()
        child.join(5)


def _died(code, bounds: Bounds) -> str:
    if code is not None and code < 0 and -code in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT):
        return (f"tiến trình đọc tệp bị dừng (tín hiệu {-code}) — có thể vượt giới hạn bộ nhớ {bounds.memory_mb} MB "
                "(TRACUU_MAX_READ_MB)")
    return f"tiến trình đọc tệp dừng bất thường (mã {code})"


def _kill_group(pid: int | None) -> None:
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _parse_job(path: str, max_chars: int, overlap: int, max_mb: float, bounds: Bounds, events) -> None:
    """The child: its own process group, its address space bounded, then the checks and parse_file."""
    import resource

    os.setpgid(0, 0)  # LibreOffice and Tesseract started from here are in this group, killed with it
    limit = int(bounds.memory_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from ingest.pipeline import parse_file
        from ingest.readers import SkipFile

        try:
            check(Path(path), bounds)
            events.put(("done", parse_file(Path(path), max_chars, overlap, max_mb,
                                           lambda line: events.put(("progress", line)))))
        except SkipFile as exc:
            events.put(("skip", str(exc)))
    except MemoryError:
        events.put(("skip", f"đọc tệp cần hơn {bounds.memory_mb} MB bộ nhớ, quá giới hạn (TRACUU_MAX_READ_MB) — "
                            "tệp quá nặng; tách tệp, hoặc tăng TRACUU_MAX_READ_MB"))
    except Exception as exc:  # noqa: BLE001 - a reader library choked: the file is bad, not the app
        events.put(("error", f"không đọc được tệp ({type(exc).__name__})"))
    finally:
        events.close()
        events.join_thread()


# -- converters --------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _no_network_prefix() -> tuple[str, ...]:
    """`unshare -rn` (a user namespace with its own, empty network) when this system allows it."""
    tool = shutil.which("unshare")
    if not tool:
        return ()
    try:
        ok = subprocess.run([tool, "-rn", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return (tool, "-rn") if ok else ()


def run_isolated(cmd: list[str], timeout: float, memory_mb: int | None = None) -> subprocess.CompletedProcess:
    """Run a converter without network (where possible) in its own process group; on a timeout the
    whole group is killed (a LibreOffice that forked is not left running) and TimeoutExpired raised."""
    import resource

    def limits():
        if memory_mb:
            resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024, resource.getrlimit(resource.RLIMIT_AS)[1]))

    proc = subprocess.Popen([*_no_network_prefix(), *cmd], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=limits if memory_mb else None)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        proc.communicate()
        raise
    finally:
        _kill_group(proc.pid)  # anything it left behind in its group
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
