"""The HTTP API's keys (TRACUU_API_KEYS_FILE): one `KEY [role]` per line, read again at every request,
so adding a key works at once and removing one (or the file) revokes it at once. `tracuu.api` checks
every /v1 route but health with it; the role decides what a key may change (tracuu.accounts.may)."""

from __future__ import annotations

import hmac
import logging
from pathlib import Path

from tracuu.errors import TracuuError

log = logging.getLogger("tracuu.api")


class ApiKeys:
    """The keys in TRACUU_API_KEYS_FILE, one `KEY [role]` per line (blank lines and # comments skipped;
    role doc | bien-tap | quan-tri, a line without one is bien-tap as before roles). The file is read
    again at every request, so a key added works at once and a key removed (or the whole file) is
    revoked at once; a file that cannot be read then lets no key in."""

    def __init__(self, path: str | Path | None):
        self.path = Path(path).expanduser() if path else None
        if self.path:
            keys = self._read(strict=True)
            if not keys:
                raise TracuuError(f"Tệp khoá API {self.path} không có khoá nào — mỗi dòng một khoá, hoặc bỏ "
                                  "TRACUU_API_KEYS_FILE để chỉ dùng trên máy này.")

    def _read(self, strict: bool = False) -> dict[str, str]:
        """key -> role; on a problem a TracuuError (strict, at start) or no key at all (later, logged)."""
        from tracuu.accounts import DEFAULT_ROLE, ROLES

        problem, fix = None, "sửa tệp, hoặc đặt TRACUU_API_KEYS_FILE (--keys-file) đúng tệp"
        try:
            with self.path.open("rb") as fh:
                raw = fh.read(1024 * 1024 + 1)
            if len(raw) > 1024 * 1024:
                problem = "lớn hơn 1 MB, không phải tệp khoá"
            text = raw.decode("utf-8")
        except OSError as exc:
            problem = f"không đọc được ({exc.strerror or exc})"
        except UnicodeDecodeError:
            problem, fix = "không phải văn bản UTF-8", "lưu lại với mã hoá UTF-8, mỗi dòng `KHOÁ [vai trò]`"
        if problem:
            if strict:
                raise TracuuError(f"Tệp khoá API {self.path} {problem} — {fix}.")
            log.warning("keys file %s: %s; no key is accepted until it is fixed", self.path, problem)
            return {}
        keys = {}
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, _, role = line.rpartition(" ")
            if key.strip() and role in ROLES:
                keys[key.strip()] = role
            else:  # a key alone (a key with spaces in it, written before roles, is kept whole)
                keys[line] = DEFAULT_ROLE
        return keys

    def role_of(self, key: str | None) -> str | None:
        """The role of a valid key, else None; without a keys file (loopback only) everyone is bien-tap."""
        from tracuu.accounts import DEFAULT_ROLE

        if self.path is None:
            return DEFAULT_ROLE
        given, found = (key or "").encode(), None
        for k, role in self._read().items():
            if hmac.compare_digest(given, k.encode()):  # every key compared: the time says nothing
                found = role
        return found

    def allows(self, key: str | None) -> bool:
        return self.role_of(key) is not None
