"""Who changed the library: an append-only log of every upload, removal, re-index and account change,
allowed or refused, one JSON object per line in tracuu's own data folder beside the index
(<index_dir>/../audit.jsonl, or settings.audit_file). Read with `tracuu audit`.

    {"when": "2026-12-04T17:58:03+00:00", "who": "binh", "role": "bien-tap", "via": "web",
     "address": "10.0.0.7", "action": "upload", "file": "ke-hoach.docx", "sha256": "…",
     "allowed": true, "detail": "đã nhận"}

Lines are only ever appended (O_APPEND, under a lock, so two servers never interleave a line); the log is
never rewritten by tracuu."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from tracuu.errors import TracuuError

ACTIONS = ("upload", "remove", "reindex", "account", "status")  # status: a task's, set in the web


@dataclass(frozen=True)
class Actor:
    """Who asks for a change: an account or API key with its role, through the web, the API or the CLI."""

    who: str  # account name, "khoá:<first 8 hex of the key's sha256>", or the system user of the CLI
    role: str  # doc | bien-tap | quan-tri
    via: str  # web | api | cli
    address: str = ""  # the client's address (web, API)


def cli_actor() -> Actor:
    """The person at this machine's shell: whoever can write the files may change them."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return Actor(user, "quan-tri", "cli")


def audit_path(settings) -> Path:
    return Path(settings.audit_file).expanduser() if settings.audit_file else Path(settings.index_dir).parent / "audit.jsonl"


def sha256_of(path: str | Path | None) -> str | None:
    if not path:
        return None
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def record(settings, actor: Actor, action: str, allowed: bool, file: str | None = None,
           sha256: str | None = None, detail: str = "") -> dict:
    """Append one entry; a log that cannot be written is a TracuuError (a change is never unrecorded)."""
    import fcntl

    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), **asdict(actor), "action": action,
             "file": file, "sha256": sha256, "allowed": allowed, "detail": detail}
    path = audit_path(settings)
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise TracuuError(f"Không ghi được nhật ký thay đổi {path} ({exc.strerror or exc}) — sửa quyền thư mục, "
                          "hoặc đặt TRACUU_AUDIT_FILE.") from None
    return entry


def read(settings) -> list[dict]:
    """Every entry, oldest first (a line that is not JSON is shown as it is, never dropped)."""
    path = audit_path(settings)
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append({"when": "?", "who": "?", "action": "?", "allowed": None, "detail": f"dòng {n} hỏng: {line[:80]}"})
    return out


def render(entries: list[dict]) -> str:
    """`tracuu audit`: one line per entry."""
    if not entries:
        return "Nhật ký thay đổi trống: chưa có tải lên, gỡ, lập chỉ mục hay thay đổi tài khoản nào."
    lines = []
    for e in entries:
        verdict = {True: "cho phép", False: "TỪ CHỐI"}.get(e.get("allowed"), "?")
        who = f"{e.get('who')} ({e.get('role')}, {e.get('via')}{', ' + e['address'] if e.get('address') else ''})"
        what = " ".join(x for x in (e.get("action"), e.get("file") or "") if x)
        sha = f" sha256 {e['sha256'][:12]}…" if e.get("sha256") else ""
        lines.append(f"{e.get('when')}  {verdict:8}  {who}  {what}{sha}  {e.get('detail') or ''}".rstrip())
    return "\n".join(lines)
