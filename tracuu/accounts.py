"""Accounts for the web assistant: one `name:password[:role]` per line, `#` comments and blank lines
ignored, spaces around the name, the password and the role trimmed. A password may be stored hashed
with scrypt (`name:scrypt$N$r$p$salt$hash:role`, what `tracuu users add` writes), so the file need not
hold it in clear. The role is `doc` (reads and asks), `bien-tap` (also uploads, removes and re-indexes
plans) or `quan-tri` (also manages accounts); a line without one (written before roles) is `bien-tap`,
so nothing an old account could do stops working. A password in clear that itself ends in `:doc`,
`:bien-tap` or `:quan-tri` must be stored hashed (`tracuu users add`).

An accounts file with no account, or with a line that is not an account, is an error: the server must
never start without the login its operator asked for.

Logging in (Logins) costs one scrypt whether the name exists or not, so the time taken does not tell
which names exist; after repeated failures for a name or from an address, the next tries are refused
for a while (doubling up to MAX_LOCK seconds)."""

from __future__ import annotations

import base64
import contextvars
import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tracuu.errors import TracuuError

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1  # ~16 MB and a few tens of ms per check: slow to guess, fast enough to log in
FORMAT = "tên:mật_khẩu"
ROLES = ("doc", "bien-tap", "quan-tri")  # each may do what the one before it may, and more
DEFAULT_ROLE = "bien-tap"  # of an account or API key written without a role (before roles existed)
FREE_FAILURES = 5  # failed logins a name or an address may have before its next tries wait
MAX_LOCK = 60.0  # seconds: the longest wait after repeated failures (1 s, 2 s, 4 s, … after the free ones)
FORGET_AFTER = 15 * 60.0  # seconds without a failure after which a name's or address's failures are forgotten


def check_host(host: str, flag: str, guarded: bool) -> None:
    """Without logins (or keys) a server listens on this machine only: another address is refused,
    naming the flag that adds them."""
    import ipaddress

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not guarded:
        raise TracuuError(f"--host {host} mở máy chủ cho cả mạng mà không có đăng nhập — thêm {flag}, "
                          "hoặc bỏ --host để chỉ dùng trên máy này (127.0.0.1).")


def may(role: str | None, needed: str) -> bool:
    """Whether `role` may do what `needed` may (doc < bien-tap < quan-tri)."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def parse_role(text: str, where: str) -> str:
    role = text.strip()
    if role not in ROLES:
        raise TracuuError(f"{where}: vai trò {role!r} không có — chọn doc, bien-tap hoặc quan-tri.")
    return role


@dataclass(frozen=True)
class Account:
    name: str
    secret: str  # the password in clear, or "scrypt$N$r$p$salt$hash"
    role: str = DEFAULT_ROLE

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
    rest, colon, role = secret.rpartition(":")
    if colon and role.strip() in ROLES and rest.strip():
        secret, role = rest.strip(), role.strip()
    else:
        role = DEFAULT_ROLE
    if not sep or not name or not secret:
        raise TracuuError(f"{where}: tài khoản phải có dạng {FORMAT} (đang là {line.strip()[:40]!r}).")
    if any(c.isspace() for c in name):
        raise TracuuError(f"{where}: tên đăng nhập {name!r} không được chứa dấu cách.")
    if secret.startswith(SCHEME + "$") and len(secret.split("$")) != 6:
        raise TracuuError(f"{where}: mật khẩu đã mã hoá bị hỏng — đặt lại bằng `tracuu users add {name}`.")
    return Account(name, secret, role)


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


def add_user(path: Path, name: str, password: str, role: str | None = None) -> bool:
    """Add the account (or replace its password, and its role when one is given) with a hashed password;
    True if it already existed. The file is rewritten atomically, other lines (comments included) kept
    as they are. A new account without a role is `doc`: reading is what most officials need."""
    path = Path(path)
    name = name.strip()
    parse_line(f"{name}:x", "tên đăng nhập")
    if role is not None:
        parse_role(role, "--role")
    if not password:
        raise TracuuError("Mật khẩu không được để trống.")
    accounts = {a.name: a for a in read_accounts(path)} if path.exists() and path.stat().st_size else {}
    role = role or (accounts[name].role if name in accounts else "doc")
    try:
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else [
            "# Tài khoản của trợ lý tracuu: mỗi dòng tên:mật_khẩu:vai_trò (doc | bien-tap | quan-tri; "
            "mật khẩu mã hoá scrypt bởi `tracuu users add`)"]
    except UnicodeDecodeError:
        raise TracuuError(f"Tệp tài khoản {path} không phải văn bản UTF-8 — lưu lại với mã hoá UTF-8.") from None
    entry, existed, out = f"{name}:{hash_password(password)}:{role}", False, []
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


# the address of the web request being served (set by ClientAddress), for Logins' per-address count
client_address: contextvars.ContextVar[str] = contextvars.ContextVar("client_address", default="")


class ClientAddress:
    """ASGI middleware: makes the client's address of each request known to Logins."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            client_address.set((scope.get("client") or ("",))[0] or "")
        return await self.app(scope, receive, send)


class Throttle:
    """Failed logins per key (a name, an address): after FREE_FAILURES, each further failure locks the
    key for twice as long as the last (1 s, 2 s, … at most MAX_LOCK); a success clears the key."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (failures, when the last one was)
        self._lock = threading.Lock()

    def wait(self, *keys: str) -> float:
        """Seconds before `keys` may try again (0: now)."""
        now, longest = self.clock(), 0.0
        with self._lock:
            for key in keys:
                count, last = self._failures.get(key, (0, now))
                if now - last > FORGET_AFTER:
                    self._failures.pop(key, None)
                elif count >= FREE_FAILURES:
                    longest = max(longest, last + min(MAX_LOCK, 2.0 ** (count - FREE_FAILURES)) - now)
        return max(0.0, longest)

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                self._failures[key] = (self._failures.get(key, (0, now))[0] + 1, now)
            if len(self._failures) > 100_000:  # a flood of names: forget the oldest half
                for key, _ in sorted(self._failures.items(), key=lambda kv: kv[1][1])[:50_000]:
                    del self._failures[key]

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


class Logins:
    """gradio's `auth`: (name, password) -> whether to let in. Every check costs one scrypt, a known
    name or not, hashed password or not; a locked name or address is refused without a check."""

    def __init__(self, accounts: list[Account], throttle: Throttle | None = None):
        self.by_name = {a.name: a for a in accounts}
        self.throttle = throttle or Throttle()
        self._decoy = hash_password(secrets.token_urlsafe(16))  # what an unknown name is checked against

    def role_of(self, name: str | None) -> str | None:
        account = self.by_name.get((name or "").strip())
        return account.role if account else None

    def check(self, name: str, password: str, address: str = "") -> bool:
        name, password = (name or "").strip(), password or ""
        keys = [f"tên:{name}"] + ([f"địa chỉ:{address}"] if address else [])
        if self.throttle.wait(*keys) > 0:
            return False
        account = self.by_name.get(name)
        if account is not None and account.secret.startswith(SCHEME + "$"):
            ok = account.check(password)
        else:  # unknown, or a password in clear: the same one scrypt, so the time says nothing
            verify_password(password, self._decoy)
            ok = account is not None and account.check(password)
        (self.throttle.succeeded if ok else self.throttle.failed)(*keys)
        return ok

    async def auth(self, name: str, password: str) -> bool:
        """gradio's `auth` (an `async def` it awaits; an object with an async __call__ it would not, and a
        coroutine object is truthy): the scrypt runs off its event loop."""
        import asyncio

        return await asyncio.to_thread(self.check, name, password, client_address.get())


def gradio_auth(accounts: list[Account]):
    """A callable (name, password) -> bool checking these accounts (Logins.check)."""
    return Logins(accounts).check
