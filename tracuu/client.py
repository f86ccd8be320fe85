"""The CLI's way to a running tracuu server, so `ask`, `chat`, `search` and `duties` answer in about a
second instead of loading models. A server is the one named by TRACUU_URL (key: TRACUU_API_KEY), or
else one that `tracuu api` registered in tracuu's state dir ($XDG_STATE_HOME/tracuu/servers, one small
JSON file per running server) for the same index. When none answers, the CLI works in-process as before.

Plain stdlib HTTP: importing this module costs nothing, and nothing is sent anywhere but the server
the user started or named. A key stays home: TRACUU_API_KEY goes only over https or to this machine
(loopback), unless TRACUU_ALLOW_HTTP_KEY=yes says otherwise (with a warning); a key of the server's own
keys file goes only to a server on loopback; and no key follows a redirect (redirects are not followed)."""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from tracuu.errors import TracuuError

STATE_FORMAT = 1  # bump when the state file's fields change


def state_dir() -> Path:
    """tracuu's own state directory (running servers), never shared with other programs."""
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "tracuu" / "servers"


def register(url: str, index_dir: Path, pid: int | None = None) -> Path:
    """Write the state file of a server that is ready to answer; returns its path (remove it on exit)."""
    pid = pid or os.getpid()
    folder = state_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{pid}.json"
    tmp = path.with_suffix(".tmp")
    state = {"format": STATE_FORMAT, "url": url, "pid": pid, "index_dir": str(Path(index_dir).resolve()),
             "started": time.time()}
    tmp.write_text(json.dumps(state), encoding="utf-8")
    os.replace(tmp, path)
    return path


def unregister(path: Path) -> None:
    path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Server:
    url: str  # base URL, e.g. http://127.0.0.1:8765
    key: str = ""
    named: bool = False  # named by TRACUU_URL (rather than found in the state dir)


def is_loopback(url: str) -> bool:
    """Whether a URL names this machine by a loopback address (127.0.0.0/8, ::1, localhost)."""
    import ipaddress
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def key_for(url: str, settings, warn=lambda text: print(text, file=sys.stderr)) -> str:
    """The key to send to the server at `url`: TRACUU_API_KEY over https or to loopback (elsewhere over
    plain http only with TRACUU_ALLOW_HTTP_KEY=yes, warned), else the first key of this machine's keys
    file when the server is on loopback; otherwise none."""
    from urllib.parse import urlsplit

    secure = urlsplit(url).scheme.lower() == "https" or is_loopback(url)
    if settings.api_key:
        if secure:
            return settings.api_key
        if settings.allow_http_key == "yes":
            warn(f"tracuu: CẢNH BÁO — gửi TRACUU_API_KEY qua http không mã hoá tới {url} (TRACUU_ALLOW_HTTP_KEY=yes): "
                 "ai trên đường mạng cũng đọc được khoá.")
            return settings.api_key
        warn(f"tracuu: không gửi TRACUU_API_KEY qua http không mã hoá tới {url} — dùng https://, hoặc đặt "
             "TRACUU_ALLOW_HTTP_KEY=yes nếu mạng này tin được.")
        return ""
    return _first_key(settings.api_keys_file) if is_loopback(url) else ""


def find_server(settings) -> Server | None:
    """The server to send questions to, or None to answer in this process."""
    if settings.url:
        if settings.url.lower() in ("off", "none", "0", "no"):
            return None
        url = settings.url.rstrip("/")
        return Server(url, key_for(url, settings), named=True)
    folder = state_dir()
    if not folder.is_dir():
        return None
    index_dir = str(Path(settings.index_dir).resolve())
    found = []
    for path in folder.glob("*.json"):
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
            pid = int(state["pid"])
            if state.get("format") != STATE_FORMAT:
                continue
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if not _alive(pid):
            path.unlink(missing_ok=True)  # a server that died without cleaning up
            continue
        if state.get("index_dir") == index_dir:
            found.append((state.get("started", 0), state["url"]))
    if not found:
        return None
    url = max(found)[1].rstrip("/")
    return Server(url, key_for(url, settings))


def _alive(pid: int) -> bool:
    from index.lock import pid_alive

    return pid_alive(pid)


def _first_key(path: str) -> str:
    """The key of the first `KEY [role]` line of a keys file ("" when there is none or it cannot be read)."""
    from tracuu.accounts import ROLES

    if not path:
        return ""
    try:
        lines = Path(path).expanduser().read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, role = line.rpartition(" ")
            return key.strip() if key.strip() and role in ROLES else line
    return ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A tracuu server never redirects: a redirect is refused, so no key is ever sent on to another place."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Unavailable(Exception):
    """The server did not answer (not running, wrong key): the caller answers in-process instead."""


class Client:
    """Calls to one tracuu server. A server that cannot be reached or refuses a request raises
    Unavailable, and the CLI answers in-process; an error while an answer streams is a TracuuError."""

    def __init__(self, server: Server, timeout: float = 900.0):
        self.server = server
        self.timeout = timeout

    def search(self, question: str, k: int, filters, mode: str) -> dict:
        params = {"q": question, "k": k, "mode": mode, **_filter_params(filters)}
        return self._json("GET", "/v1/search", params=params)

    def ask(self, question: str, filters, model: str | None, previous: list[str] | None = None) -> dict:
        return self._json("POST", "/v1/ask", body=_ask_body(question, filters, model, previous))

    def ask_stream(self, question: str, filters, model: str | None, previous: list[str] | None = None
                   ) -> Iterator[tuple[str, object]]:
        """("token", text) events while the draft is written, then ("answer", the ask --json object)."""
        body = _ask_body(question, filters, model, previous) | {"stream": True}
        with self._open("POST", "/v1/ask", body=body, accept="text/event-stream") as response:
            event = "message"
            for raw in response:
                line = raw.decode("utf-8").rstrip("\r\n")
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data = json.loads(line[5:].strip())
                    if event == "token":
                        yield "token", data["text"]
                    elif event == "answer":
                        yield "answer", data
                        return
                    elif event == "error":
                        raise TracuuError(data["detail"])
                    event = "message"
        raise TracuuError(f"Máy chủ tracuu {self.server.url} ngắt kết nối giữa chừng — hỏi lại.")

    def duties(self, agency=None, plan=None, due_before=None, due_in=None) -> list[dict]:
        params = {"agency": agency, "plan": plan, "due_before": due_before, "due_in": due_in, "detail": "true"}
        return self._json("GET", "/v1/duties", params={k: v for k, v in params.items() if v is not None})

    # -- HTTP ---------------------------------------------------------------------------------------
    def _json(self, method: str, path: str, params: dict | None = None, body: dict | None = None):
        with self._open(method, path, params, body) as response:
            return json.loads(response.read().decode("utf-8"))

    def _open(self, method: str, path: str, params: dict | None = None, body: dict | None = None,
              accept: str = "application/json"):
        from urllib.parse import urlencode

        url = self.server.url + path + (("?" + urlencode(params, doseq=True)) if params else "")
        headers = {"Accept": accept}
        if self.server.key:
            headers["Authorization"] = f"Bearer {self.server.key}"
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            return urllib.request.build_opener(_NoRedirect).open(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            if 300 <= exc.code < 400:
                raise Unavailable(f"máy chủ tracuu {self.server.url} chuyển hướng tới {exc.headers.get('Location')} "
                                  "— không đi theo (khoá API không rời máy chủ đã đặt); đặt TRACUU_URL đúng địa chỉ") from None
            try:
                detail = json.loads(exc.read().decode("utf-8"))["detail"]
            except (ValueError, KeyError, TypeError, OSError):
                detail = f"lỗi {exc.code}"
            if exc.code in (401, 403):
                raise Unavailable(f"máy chủ tracuu {self.server.url} từ chối khoá API — đặt TRACUU_API_KEY") from None
            # anything else it refuses is answered here, where the CLI's own checks say what is wrong
            # exactly as they would without a server (the server's limits are not the CLI's)
            raise Unavailable(f"máy chủ tracuu {self.server.url} trả lỗi {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise Unavailable(f"không kết nối được máy chủ tracuu {self.server.url} "
                              f"({getattr(exc, 'reason', exc)})") from None


def _filter_params(filters: dict | None) -> dict:
    """{"docs": (...), "locality"?, "year"?, "agency"?} -> request fields."""
    filters = dict(filters or {})
    docs = filters.pop("docs", ())
    return ({"doc": list(docs)} if docs else {}) | {k: v for k, v in filters.items() if v is not None}


def _ask_body(question, filters, model, previous) -> dict:
    # the CLI prints the draft, then the checked answer under its header, as it does alone
    body = {"question": question, "stream_draft": True, **_filter_params(filters)}
    if model:
        body["model"] = model
    if previous:
        from assistant.limits import MAX_EARLIER_QUESTIONS

        body["previous"] = list(previous)[-MAX_EARLIER_QUESTIONS:]  # a long chat stays within the server's limit
    return body


def connect(settings) -> Client | None:
    """A client for the server to use, or None."""
    server = find_server(settings)
    return Client(server) if server else None


def fall_back(client: Client, reason: Unavailable) -> None:
    """Say on stderr (never stdout, which scripts read) that the answer is made in-process instead."""
    if client.server.named:
        print(f"tracuu: {reason} — trả lời ngay trong tiến trình này.", file=sys.stderr)
