"""One writer at a time: an `fcntl` lock on `<index dir>/.lock`, taken by every ingest, upload and
removal (CLI and web). A second writer waits, saying so, or is refused when it must not wait.
Readers never take it: they load one immutable version (see index/store.py)."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from tracuu.errors import TracuuError

LOCK_NAME = ".lock"


def _holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        pid = ""
    return f" (tiến trình {pid})" if pid.isdigit() else ""


@contextmanager
def writer_lock(folder: Path, wait: bool = True, progress: Callable[[str], None] = lambda _: None) -> Iterator[None]:
    """Hold the index's writer lock. The folder must already be claimed as tracuu's (store.claim_folder)."""
    folder = Path(folder)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            who = _holder(fd)
            if not wait:
                raise TracuuError(
                    f"Một lần nạp khác{who} đang ghi vào chỉ mục {folder} — chờ nó xong rồi chạy lại, "
                    "hoặc bỏ --no-wait để tự chờ đến lượt."
                ) from None
            progress(f"Đang chờ lần nạp khác{who} ghi xong chỉ mục {folder}…")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (another user's process counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
