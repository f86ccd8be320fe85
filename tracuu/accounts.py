"""Accounts for the web assistant: one `name:password` per line, `#` comments and blank lines ignored,
spaces around the name and the password trimmed. A password may be stored hashed with scrypt
(`name:scrypt$N$r$p$salt$hash`, what `tracuu users add` writes), so the file need not hold it in clear.

An accounts file with no account, or with a line that is not an account, is an error: the server must
never start without the login its operator asked for."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from tracuu.errors import TracuuError

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1  # ~16 MB and a few tens of ms per check: slow to guess, fast enough to log in
FORMAT = "tên:mật_khẩu"


@dataclass(frozen=True)
class Account:
    name: str
    secret: str  # the password in clear, or "scrypt$N$r$p$salt$hash"

    def check(self, password: str) -> bool:
        if self.secret.startswith(SCHEME + "$"):
            return verify_password(password, self.secret)
        return hmac.compare_digest(self.secret.encode("utf-8"), password.encode("utf-8"))


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=N, r=R, p=P, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"{SCHEME}${N}${R}${P}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        want = base64.b64decode(digest, validate=True)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt, validate=True),
                             n=int(n), r=int(r), p=int(p), dklen=len(want), maxmem=256 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def parse_line(line: str, where: str) -> Account:
    name, sep, secret = line.partition(":")
    name, secret = name.strip(), secret.strip()
    if not sep or not name or not secret:
        raise TracuuError(f"{where}: tài khoản phải có dạng {FORMAT} (đang là {line.strip()[:40]!r}).")
    if any(c.isspace() for c in name):
        raise TracuuError(f"{where}: tên đăng nhập {name!r} không được chứa dấu cách.")
    if secret.startswith(SCHEME + "$") and len(secret.split("$")) != 6:
        raise TracuuError(f"{where}: mật khẩu đã mã hoá bị hỏng — đặt lại bằng `tracuu users add {name}`.")
    return Account(name, secret)


def read_accounts(path: Path) -> list[Account]:
    """The accounts of a file; an unreadable, empty or malformed file is a TracuuError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TracuuError(f"Không đọc được tệp tài khoản {path} ({exc.strerror}) — kiểm tra đường dẫn.") from exc
    except UnicodeDecodeError:
        raise TracuuError(f"Tệp tài khoản {path} không phải văn bản UTF-8 — lưu lại với mã hoá UTF-8.") from None
    accounts, seen = [], set()
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        account = parse_line(line, f"{path}, dòng {n}")
        if account.name in seen:
            raise TracuuError(f"{path}, dòng {n}: tài khoản {account.name!r} có hai lần — giữ một dòng.")
        seen.add(account.name)
        accounts.append(account)
    if not accounts:
        raise TracuuError(
            f"Tệp tài khoản {path} không có tài khoản nào (chỉ có dòng trống hoặc chú thích) — thêm một dòng "
            f"{FORMAT}, hoặc chạy `tracuu users add TÊN --file {path}`. Máy chủ không khởi động khi không có đăng nhập."
        )
    return accounts


def add_user(path: Path, name: str, password: str) -> bool:
    """Add the account (or replace its password) with a hashed password; True if it already existed.
    The file is rewritten atomically, other lines (comments included) kept as they are."""
    path = Path(path)
    name = name.strip()
    parse_line(f"{name}:x", "tên đăng nhập")
    if not password:
        raise TracuuError("Mật khẩu không được để trống.")
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else [
        "# Tài khoản của trợ lý tracuu: mỗi dòng tên:mật_khẩu (mật khẩu mã hoá scrypt bởi `tracuu users add`)"]
    entry, existed, out = f"{name}:{hash_password(password)}", False, []
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#") and line.partition(":")[0].strip() == name:
            if not existed:
                out.append(entry)
            existed = True
            continue
        out.append(line)
    if not existed:
        out.append(entry)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out) + "\n")
    os.replace(tmp, path)
    return existed


def gradio_auth(accounts: list[Account]):
    """A callable for gradio's `auth`: (name, password) -> bool."""
    by_name = {a.name: a for a in accounts}

    def check(name: str, password: str) -> bool:
        account = by_name.get((name or "").strip())
        return account is not None and account.check(password or "")

    return check
