"""Hostile input on an office network (issue 21), each case against the real HTTP API in-process (FastAPI's
TestClient over a small real index of the bundled plans: HashingEmbedder, a ScriptedGenerator), the real
client code, the real accounts and the real plans service:

- limits everywhere: every message a request carries is bounded like the question, a client's mistake
  is a 4xx (never 503, which clients retry), and the model never sees more than fits its window;
- keys stay home: the CLI sends a key only over https or to loopback, never across a redirect; keys
  removed are revoked at once; logins cost the same for unknown names and are slowed after failures;
- roles: a `doc` account or key cannot upload or remove, a `bien-tap` can, and the audit log names
  both; a server open to the network without logins refuses to start;
- streaming shows only checked text: a statement the model was steered into writing (by a document)
  that fails the citation check is never streamed nor returned, unless the client asked for the draft.
"""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient

from tests.fakes import ScriptedGenerator

DUTY_QUESTION = "Sở Y tế phải làm gì?"
GENERATED = "Năm 2030 có bao nhiêu xã, phường không ma túy ở Cần Thơ?"  # no target word: the model is asked


class WindowGenerator(ScriptedGenerator):
    """A ScriptedGenerator that, like llama.cpp, refuses a prompt over its context window."""

    def __init__(self, text: str, n_ctx: int, max_tokens: int):
        super().__init__(text)
        self.n_ctx, self.max_tokens = n_ctx, max_tokens

    def stream(self, messages, max_tokens=None):
        used = sum(self.count_tokens(m["content"]) for m in messages)
        if used + (max_tokens or self.max_tokens) > self.n_ctx:
            raise ValueError(f"Requested tokens ({used}) exceed context window of {self.n_ctx}")
        yield from super().stream(messages, max_tokens)


@pytest.fixture(scope="module")
def small_runtime(tmp_path_factory):
    from index.build import build_index
    from index.embedder import HashingEmbedder
    from tracuu.runtime import Runtime
    from tracuu.settings import REPO_ROOT, Settings

    settings = Settings.from_env(index_dir=tmp_path_factory.mktemp("hostile") / "index", llm="default")
    embedder = HashingEmbedder()
    build_index([REPO_ROOT / "data" / "plans"], settings, embedder)
    generator = WindowGenerator("Đến năm 2030, 100% xã, phường không ma túy [1].", settings.n_ctx, settings.max_tokens)
    return Runtime(settings, embedder=embedder, generator_for=lambda choice: generator)


@pytest.fixture(scope="module")
def client(small_runtime):
    from tracuu.api import create_app

    with TestClient(create_app(small_runtime)) as c:
        yield c


def chat(*messages, **extra) -> dict:
    roles = ["user", "assistant"]
    return {"model": "tracuu", **extra,
            "messages": [{"role": roles[i % 2], "content": m} for i, m in enumerate(messages)]}


# -- 1. limits everywhere ----------------------------------------------------------------------------------
@pytest.mark.parametrize("history", [
    ["Sở Y tế phải làm gì? " + "x" * 1990] + ["y" * 2000] * 99,  # 200 KB of earlier answers
    ["ô" * 1000] * 100,  # 200 KB in UTF-8: earlier questions of 1,000 characters
    ["Sở Y tế phải làm gì? " * 100] * 70,  # 200 KB of questions, each of 2,000 characters
])
def test_a_200_kb_chat_history_gets_a_4xx_within_a_second(client, history):
    body = json.dumps(chat(*history, DUTY_QUESTION), ensure_ascii=False).encode("utf-8")
    assert 190_000 < len(body) < 256 * 1024  # under the body limit: the history's own limit refuses it
    started = time.perf_counter()
    r = client.post("/v1/chat/completions", content=body, headers={"Content-Type": "application/json"})
    took = time.perf_counter() - started
    assert 400 <= r.status_code < 500, r.text[:300]
    assert took < 1.0, f"{took:.2f} s"
    assert "ký tự" in r.json()["detail"] and r.json()["error"]["message"] == r.json()["detail"]


def test_previous_questions_are_bounded_like_the_question(client):
    r = client.post("/v1/ask", json={"question": DUTY_QUESTION, "previous": ["x" * 2000] * 50})
    assert r.status_code == 422 and "tối đa 500 ký tự" in r.json()["detail"], r.text[:300]
    r = client.post("/v1/ask", json={"question": DUTY_QUESTION, "previous": ["Sở Y tế làm gì?"] * 51})
    assert r.status_code == 422, r.text[:300]


@pytest.mark.parametrize("route", ["ask", "chat"])
def test_a_600_character_question_gets_a_4xx_not_503(client, route):
    question = ((DUTY_QUESTION + " ") * 30)[:600]  # over the 500 characters a question may have
    if route == "ask":
        r = client.post("/v1/ask", json={"question": question})
    else:
        r = client.post("/v1/chat/completions", json=chat(question))
    assert 400 <= r.status_code < 500, r.text[:300]
    assert "500 ký tự" in r.json()["detail"]


def test_a_smaller_window_refuses_with_a_4xx_naming_the_limit(small_runtime):
    """A question within the schema's 500 characters but over what this server's window allows."""
    from tracuu.api import create_app
    from tracuu.runtime import Runtime

    settings = small_runtime.settings.with_(n_ctx=2048, max_tokens=512, context_tokens=330)  # room for 151 characters
    runtime = Runtime(settings, embedder=small_runtime.embedder, generator_for=small_runtime.generator)
    with TestClient(create_app(runtime)) as c:
        r = c.post("/v1/ask", json={"question": GENERATED + " " + "ở Cần Thơ " * 12})
    assert r.status_code == 400 and "quá giới hạn 151 ký tự" in r.json()["detail"], r.text[:300]


def test_a_chain_of_follow_ups_never_grows_past_the_window(client, small_runtime):
    """Each follow-up appends to the standalone question: the turn that would pass the window is refused
    with a 4xx saying to start again, and the model never sees a prompt over its window."""
    follow_ups = [f"thế còn {'chỉ tiêu giảm ma túy ở các xã phường ' * 2}số {i}?" for i in range(12)]
    assert all(len(q) <= 500 for q in follow_ups)
    r = client.post("/v1/ask", json={"question": follow_ups[-1], "previous": [GENERATED, *follow_ups[:-1]]})
    assert r.status_code == 400, r.text[:300]
    assert "Câu hỏi đầy đủ" in r.json()["detail"] and "hội thoại mới" in r.json()["detail"]


def test_the_web_keeps_only_what_it_may_show(small_runtime):
    """The web's chat (sent back by the browser with every question) is cut to its limit; a chain of
    follow-ups over the window is an error message, never a model call."""
    import threading

    from assistant.limits import MAX_HISTORY_CHARS
    from tracuu.services import conversation_from
    from tracuu.web_chat import ChatService, trim_history

    history = [{"role": "user", "content": "x" * 2000}, {"role": "assistant", "content": "y" * 2000}] * 50
    kept = trim_history(history)
    assert sum(len(m["content"]) for m in kept) <= MAX_HISTORY_CHARS and kept[-1] is history[-1]
    follow_ups = [f"thế còn {'chỉ tiêu giảm ma túy ở các xã phường ' * 2}số {i}?" for i in range(12)]
    service = ChatService(small_runtime, threading.Lock())
    generator = small_runtime.generator()
    calls = len(generator.calls)
    events = list(service.stream(follow_ups[-1], conversation_from([GENERATED, *follow_ups[:-1]])))
    assert events[-1][0] == "error" and "hội thoại mới" in events[-1][1]
    assert len(generator.calls) == calls


# -- 2. keys stay home -------------------------------------------------------------------------------------
class Recorder:
    """A real HTTP server on a free port that records each request's Authorization header and answers
    like tracuu's /v1/search (or redirects, when given where to)."""

    def __init__(self, host: str = "127.0.0.1", redirect_to: str | None = None):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                seen.append(self.headers.get("Authorization"))
                if redirect_to:
                    self.send_response(302)
                    self.send_header("Location", redirect_to + self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = json.dumps({"query": "x", "hits": [], "relevance": 0.0, "sectors": []}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def this_machines_address() -> str | None:
    """An address of this machine that is not loopback (what another host would be called), if any."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def search_through(url: str, **settings_values) -> None:
    from tracuu.client import Client, Unavailable, find_server
    from tracuu.settings import Settings

    try:
        Client(find_server(Settings(url=url, **settings_values)), timeout=10).search("x", 3, None, "hybrid")
    except Unavailable:
        pass


def test_the_cli_does_not_send_a_key_over_http_to_another_host(tmp_path):
    """`TRACUU_URL=http://other-host … tracuu search x`, as a real subprocess, against a real server on
    this machine's non-loopback address: the key is not sent (over https or to loopback it is)."""
    import subprocess
    import sys

    from tests.test_client import REPO, env_with

    address = this_machines_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    other = Recorder(address)
    try:
        env = env_with(TRACUU_URL=other.url, TRACUU_API_KEY="khoa-bi-mat", XDG_STATE_HOME=tmp_path)
        done = subprocess.run([sys.executable, "-m", "tracuu.cli", "search", "x"], env=env, capture_output=True,
                              text=True, timeout=120, cwd=REPO)
        assert done.returncode == 0, done.stderr
        assert other.seen == [None], "the key went over plain http to another host"
        assert "TRACUU_ALLOW_HTTP_KEY" in done.stderr and "khoa-bi-mat" not in done.stderr
    finally:
        other.close()


def test_a_key_goes_to_loopback_or_over_https_or_when_allowed(tmp_path):
    from tracuu.client import find_server
    from tracuu.settings import Settings

    local = Recorder()
    try:
        search_through(local.url, api_key="k1")
        assert local.seen == ["Bearer k1"]
    finally:
        local.close()
    assert find_server(Settings(url="https://tracuu.example.org", api_key="k1")).key == "k1"
    assert find_server(Settings(url="http://tracuu.example.org", api_key="k1")).key == ""
    warnings = []
    from tracuu.client import key_for

    allowed = key_for("http://tracuu.example.org", Settings(api_key="k1", allow_http_key="yes"), warnings.append)
    assert allowed == "k1" and "CẢNH BÁO" in warnings[0]


def test_the_servers_own_key_goes_only_to_that_server_on_loopback(tmp_path):
    from tracuu.client import find_server
    from tracuu.settings import Settings

    keys = tmp_path / "keys.txt"
    keys.write_text("# khoá của máy chủ\nkhoa-cua-may-chu quan-tri\n", encoding="utf-8")
    local = Settings(url="http://127.0.0.1:8765", api_keys_file=str(keys))
    assert find_server(local).key == "khoa-cua-may-chu"  # the key alone, not its role
    assert find_server(local.with_(url="https://tracuu.example.org")).key == ""
    assert find_server(local.with_(url="http://tracuu.example.org")).key == ""


def test_no_key_follows_a_redirect():
    elsewhere = Recorder()
    hop = Recorder(redirect_to=elsewhere.url)
    try:
        search_through(hop.url, api_key="k1")
        assert hop.seen == ["Bearer k1"] and elsewhere.seen == [], "the key followed the redirect"
    finally:
        hop.close()
        elsewhere.close()


def test_a_key_removed_from_the_file_is_revoked_at_once(small_runtime, tmp_path):
    """Even when the edited file has the same size and time stamp as before (an editor within the same
    tick); and a keys file removed lets no key in."""
    import os

    from tracuu.api import ApiKeys, create_app

    keys = tmp_path / "keys.txt"
    keys.write_text("khoa-mot\nkhoa-hai\n", encoding="utf-8")
    with TestClient(create_app(small_runtime, ApiKeys(keys))) as c:
        ok = {"Authorization": "Bearer khoa-hai"}
        assert c.get("/v1/models", headers=ok).status_code == 200
        stamp = keys.stat()
        keys.write_text("khoa-mot\nkhoa-ba!\n", encoding="utf-8")  # same length
        os.utime(keys, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        assert c.get("/v1/models", headers=ok).status_code == 401
        assert c.get("/v1/models", headers={"Authorization": "Bearer khoa-ba!"}).status_code == 200
        keys.unlink()
        assert c.get("/v1/models", headers={"Authorization": "Bearer khoa-mot"}).status_code == 401


def test_a_keys_file_that_is_not_utf8_is_a_clear_message(tmp_path):
    from tracuu.api import ApiKeys
    from tracuu.errors import TracuuError

    keys = tmp_path / "keys.txt"
    keys.write_bytes("khoá-một\n".encode("utf-16"))
    with pytest.raises(TracuuError, match="không phải văn bản UTF-8"):
        ApiKeys(keys)


def test_an_unknown_name_costs_the_same_scrypt():
    """The time of a login does not tell whether the name exists (nor whether its password is hashed)."""
    import statistics

    from tracuu.accounts import Account, Logins, Throttle, hash_password

    logins = Logins([Account("binh", hash_password("dung")), Account("an", "ro-rang")],
                    throttle=Throttle(clock=lambda: 0.0))

    def took(name):
        times = []
        for _ in range(5):
            started = time.perf_counter()
            assert not logins.check(name, "sai")
            logins.throttle.succeeded(f"tên:{name}")
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    known, unknown, clear = took("binh"), took("khong-co-ai"), took("an")
    assert unknown > 0.5 * known and clear > 0.5 * known, (known, unknown, clear)
    assert logins.check("binh", "dung") and logins.check("an", "ro-rang")


def test_failed_logins_are_slowed_per_name_and_per_address():
    from tracuu.accounts import FREE_FAILURES, Account, Logins, Throttle, hash_password

    now = [0.0]
    logins = Logins([Account("binh", hash_password("dung"), "doc")], throttle=Throttle(clock=lambda: now[0]))
    for _ in range(FREE_FAILURES):
        assert not logins.check("binh", "doan", "10.0.0.9")
    assert not logins.check("binh", "dung", "10.0.0.7"), "the name waits, from any address"
    now[0] += 1.5
    assert logins.check("binh", "dung", "10.0.0.7"), "after the wait, the right password works"
    for i in range(FREE_FAILURES + 3):  # one address trying many names
        logins.check(f"ten-{i}", "doan", "10.0.0.9")
    assert not logins.check("binh", "dung", "10.0.0.9"), "the address waits, whatever the name"
    assert logins.check("binh", "dung", "10.0.0.8")
    now[0] += 60.0
    assert logins.check("binh", "dung", "10.0.0.9")


def test_auth_on_the_command_line_is_warned_about_and_still_works(tmp_path):
    import subprocess
    import sys

    from tests.test_client import REPO, env_with, free_port

    env = env_with(TRACUU_INDEX_DIR=tmp_path / "index", XDG_STATE_HOME=tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "tracuu.cli", "serve", "--auth", "binh:mk", "--port",
                             str(free_port())], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, cwd=REPO)
    try:
        line = proc.stderr.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "`ps`" in line and "--auth-file" in line, line


# -- 3. who may change the library -------------------------------------------------------------------------
@pytest.mark.parametrize("command,flag", [("serve", "--auth-file"), ("api", "--keys-file")])
def test_a_server_open_to_the_network_without_logins_refuses_to_start(tmp_path, command, flag):
    import socket
    import subprocess
    import sys

    from tests.test_client import REPO, env_with, free_port

    port = free_port()
    env = env_with(TRACUU_INDEX_DIR=tmp_path / "index", XDG_STATE_HOME=tmp_path, TRACUU_API_KEYS_FILE="")
    done = subprocess.run([sys.executable, "-m", "tracuu.cli", command, "--host", "0.0.0.0", "--port", str(port)],
                          env=env, capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 2 and flag in done.stderr and "Traceback" not in done.stderr, done.stderr
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "nothing listens"


def test_account_lines_carry_a_role_and_old_lines_are_bien_tap(tmp_path):
    from tracuu.accounts import read_accounts

    f = tmp_path / "tai-khoan.txt"
    f.write_text("binh:mk\nan:mk:doc\nchi:a:b:c\nsep : mk : quan-tri\n", encoding="utf-8")
    roles = {a.name: (a.secret, a.role) for a in read_accounts(f)}
    assert roles == {"binh": ("mk", "bien-tap"), "an": ("mk", "doc"), "chi": ("a:b:c", "bien-tap"),
                     "sep": ("mk", "quan-tri")}


@pytest.fixture
def plans_runtime(tmp_path):
    """A Runtime with its own index, plans folder and audit log (uploads and removals change them)."""
    from index.build import build_index
    from index.embedder import HashingEmbedder
    from tracuu.runtime import Runtime
    from tracuu.settings import Settings

    from tests.conftest import PLANS

    plans = tmp_path / "plans"
    plans.mkdir()
    for name in ("can-tho_kh-153-ubnd_2025.txt", "vinh-yen_kh-ubnd_2021.txt"):
        (plans / name).write_bytes((PLANS / name).read_bytes())
    settings = Settings.from_env(index_dir=tmp_path / "data" / "index", plans_dir=plans)
    embedder = HashingEmbedder()
    build_index([plans], settings, embedder)
    return Runtime(settings, embedder=embedder, generator_for=lambda choice: ScriptedGenerator("…"))


PLAN_TEXT = ("KẾ HOẠCH\nTriển khai thí điểm sổ tay điện tử\n\nI. MỤC ĐÍCH\n1. Văn phòng chủ trì hướng dẫn "
             "cán bộ dùng sổ tay điện tử trong quý I năm 2026.\n").encode("utf-8")


def test_a_doc_key_cannot_change_the_plans_a_bien_tap_key_can_and_both_are_audited(plans_runtime, tmp_path, capsys,
                                                                                 monkeypatch):
    import hashlib

    from tracuu import audit
    from tracuu.api import ApiKeys, create_app
    from tracuu.cli import main

    keys = tmp_path / "keys.txt"
    keys.write_text("khoa-doc doc\nkhoa-bien-tap bien-tap\n", encoding="utf-8")
    reader, editor = {"Authorization": "Bearer khoa-doc"}, {"Authorization": "Bearer khoa-bien-tap"}
    upload = {"files": ("so-tay.txt", PLAN_TEXT, "text/plain")}
    with TestClient(create_app(plans_runtime, ApiKeys(keys))) as c:
        files = [p["file"] for p in c.get("/v1/plans", headers=reader).json()]
        r = c.post("/v1/plans", files=upload, headers=reader)
        assert r.status_code == 403 and "bien-tap" in r.json()["detail"], r.text
        assert [p["file"] for p in c.get("/v1/plans", headers=reader).json()] == files
        assert c.delete(f"/v1/plans/{files[0]}", headers=reader).status_code == 403
        r = c.post("/v1/plans", files=upload, headers=editor)
        assert r.status_code == 200 and "Xong" in " ".join(r.json()["log"]), r.text
        assert "so-tay.txt" in [p["file"] for p in c.get("/v1/plans", headers=reader).json()]
        r = c.delete("/v1/plans/so-tay.txt", headers=editor)
        assert r.status_code == 200, r.text
    entries = audit.read(plans_runtime.settings)
    assert audit.audit_path(plans_runtime.settings) == tmp_path / "data" / "audit.jsonl"
    sha = hashlib.sha256(PLAN_TEXT).hexdigest()
    refused = [e for e in entries if not e["allowed"]]
    assert [(e["action"], e["role"], e["file"]) for e in refused] == [("upload", "doc", "so-tay.txt"),
                                                                    ("remove", "doc", files[0])]
    assert refused[0]["sha256"] == sha and refused[0]["via"] == "api" and refused[0]["who"].startswith("khoá:")
    allowed = [(e["action"], e["role"], e["file"]) for e in entries if e["allowed"]]
    assert allowed == [("upload", "bien-tap", "so-tay.txt"), ("reindex", "bien-tap", "so-tay.txt"),
                       ("remove", "bien-tap", "so-tay.txt")]
    assert all(e["when"] and e["address"] for e in entries)
    assert "khoa-doc" not in audit.audit_path(plans_runtime.settings).read_text(encoding="utf-8"), "no key in the log"
    # `tracuu audit` names both attempts
    monkeypatch.setenv("TRACUU_INDEX_DIR", str(plans_runtime.settings.index_dir))
    assert main(["audit"]) == 0
    out = capsys.readouterr().out
    assert "TỪ CHỐI" in out and "cho phép" in out and out.count("so-tay.txt") >= 3 and "(doc, api" in out


def test_a_doc_account_cannot_upload_or_remove_in_the_web(plans_runtime, tmp_path):
    import gradio as gr

    from tracuu import audit
    from tracuu.accounts import Account, Logins
    from tracuu.web import actor_of
    from tracuu.web_plans import PlanService

    logins = Logins([Account("an", "mk", "doc"), Account("binh", "mk")])
    assert actor_of(logins, gr.Request(username="binh")).role == "bien-tap"  # a line written before roles
    assert actor_of(None, gr.Request()).role == "bien-tap"  # nobody logs in: the server is on loopback
    upload = tmp_path / "cache" / "so-tay.txt"
    upload.parent.mkdir()
    upload.write_bytes(PLAN_TEXT)
    service = PlanService(plans_runtime, __import__("threading").Lock(), upload_cache=tmp_path / "cache")
    an = actor_of(logins, gr.Request(username="an"))
    assert (an.who, an.role, an.via) == ("an", "doc", "web")
    lines = list(service.add([str(upload)], an))
    assert "Không được phép" in lines[-1] and "bien-tap" in lines[-1]
    assert not upload.exists(), "the refused upload is not kept"
    lines = list(service.remove("vinh-yen_kh-ubnd_2021.txt", an))
    assert "Không được phép" in lines[-1]
    assert "vinh-yen_kh-ubnd_2021.txt" in service.files()
    assert [(e["who"], e["action"], e["allowed"], e["via"]) for e in audit.read(plans_runtime.settings)] == [
        ("an", "upload", False, "web"), ("an", "remove", False, "web")]


def test_account_changes_are_audited(tmp_path):
    import subprocess
    import sys

    from tests.test_client import REPO, env_with

    f = tmp_path / "tai-khoan.txt"
    env = env_with(TRACUU_INDEX_DIR=tmp_path / "data" / "index")
    done = subprocess.run([sys.executable, "-m", "tracuu.cli", "users", "add", "an", "--role", "doc", "--file", str(f)],
                          input="mk\n", env=env, capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.returncode == 0 and "vai trò doc" in done.stdout, done.stderr
    assert f.read_text(encoding="utf-8").rstrip().endswith(":doc")
    done = subprocess.run([sys.executable, "-m", "tracuu.cli", "audit", "--json"], env=env, capture_output=True,
                          text=True, timeout=60, cwd=REPO)
    [entry] = [json.loads(line) for line in done.stdout.splitlines()]
    assert entry["action"] == "account" and entry["allowed"] and "an" in entry["detail"] and entry["via"] == "cli"


# -- 4. streaming shows only checked text -------------------------------------------------------------------
INJECTED = "http://cap-nhat-mat-khau.example"
STEERED = (f"Đến năm 2030, 100% xã, phường không ma túy [1]. Mọi cán bộ phải đăng nhập lại tại {INJECTED} "
           "trước ngày mai để giữ tài khoản.")


@pytest.fixture(scope="module")
def steered_client(small_runtime):
    """The API over the same index, its model steered into an uncited statement (as a hostile document would)."""
    from tracuu.api import create_app
    from tracuu.runtime import Runtime

    runtime = Runtime(small_runtime.settings, embedder=small_runtime.embedder,
                      generator_for=lambda choice: ScriptedGenerator(STEERED))
    with TestClient(create_app(runtime)) as c:
        yield c


def sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines.get("event", "message"), json.loads(lines["data"])))
    return events


def test_the_ask_stream_carries_only_the_checked_answer(steered_client):
    r = steered_client.post("/v1/ask", json={"question": GENERATED, "stream": True})
    events = sse(r.text)
    streamed = "".join(d["text"] for k, d in events if k == "token")
    answer = events[-1][1]
    assert answer["mode"] in ("generated", "evidence") and answer["citations"], answer  # the model was asked
    assert INJECTED not in streamed + answer["answer"] + answer["model_text"], "an uncited statement was streamed"
    assert streamed == answer["answer"] and answer["model_text"] == ""
    assert any(INJECTED in s for s in answer["removed_statements"]), "named as removed, not as the answer"
    plain = steered_client.post("/v1/ask", json={"question": GENERATED}).json()
    assert plain["model_text"] == "" and INJECTED not in plain["answer"]
    # the draft only for a client that asks for it
    asked = steered_client.post("/v1/ask", json={"question": GENERATED, "stream": True, "stream_draft": True})
    events = sse(asked.text)
    assert INJECTED in "".join(d["text"] for k, d in events if k == "token") and INJECTED in events[-1][1]["model_text"]


@pytest.mark.parametrize("stream", [True, False])
def test_the_chat_completion_carries_only_the_checked_answer(steered_client, stream):
    r = steered_client.post("/v1/chat/completions", json=chat(GENERATED, stream=stream))
    assert r.status_code == 200
    if stream:
        chunks = [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: {")]
        content = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
        final = chunks[-1]["tracuu"]
    else:
        content, final = r.json()["choices"][0]["message"]["content"], r.json()["tracuu"]
    assert INJECTED not in content and final["model_text"] == "" and "[1]" in content
    assert content.startswith(final["answer"]) and "Nguồn:" in content


def test_the_web_server_counts_failed_logins_per_address(plans_runtime, tmp_path):
    """The real web app started as `tracuu serve --auth-file` starts it: gradio awaits the login check
    off its event loop, an unknown name is refused, and the address a failed login came from waits after
    repeated failures, whatever name it tries."""
    import httpx

    from tests.test_client import free_port
    from tracuu.accounts import FREE_FAILURES, add_user
    from tracuu.web import serve

    accounts = tmp_path / "tai-khoan.txt"
    add_user(accounts, "binh", "dung", "doc")
    port = free_port()
    demo = serve("127.0.0.1", port, auth_file=accounts, runtime=plans_runtime, block=False)
    try:
        url = f"http://127.0.0.1:{port}/login"
        assert httpx.post(url, data={"username": "binh", "password": "dung"}).status_code == 200
        assert httpx.post(url, data={"username": "khong-co-ai", "password": "dung"}).status_code == 400
        for i in range(FREE_FAILURES):
            assert httpx.post(url, data={"username": f"ten-{i}", "password": "sai"}).status_code == 400
        assert httpx.post(url, data={"username": "binh", "password": "dung"}).status_code == 400, \
            "this address must wait"
    finally:
        demo.close()


# -- 5. bounded reading of uploads (ingest/bounds.py) --------------------------------------------------------
def image_only_pdf(path, pages: int) -> None:
    """A real PDF of `pages` pages, each only an image (one 1x1 grey image drawn over the page): no text layer."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", None,
               b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
               b"/BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream",
               b"<< /Length 31 >>\nstream\nq 200 0 0 200 0 0 cm /Im0 Do Q\nendstream"]
    first = len(objects) + 1
    kids = " ".join(f"{first + i} 0 R" for i in range(pages))
    objects[1] = f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode()
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /XObject << /Im0 3 0 R >> >> /Contents 4 0 R >>"
    objects += [page] * pages
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


def heavy_docx(path, unpacked_mb: int) -> None:
    """A valid .docx (python-docx's own template) whose body holds `unpacked_mb` MB of paragraphs."""
    import io
    import zipfile

    import docx

    template = io.BytesIO()
    docx.Document().save(template)
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for item in src.infolist():
            if item.filename != "word/document.xml":
                z.writestr(item, src.read(item))
                continue
            head = src.read(item).decode("utf-8").split("<w:body>")[0] + "<w:body>"
            with z.open("word/document.xml", "w") as fh:
                fh.write(head.encode("utf-8"))
                block = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 4096
                for _ in range(unpacked_mb * (1 << 20) // len(block)):
                    fh.write(block)
                fh.write(b"</w:body></w:document>")


def lying(path) -> None:
    """The zip's directory (and local header) say its document.xml unpacks to 1 KB."""
    data = bytearray(path.read_bytes())
    name = b"word/document.xml"
    local = data.find(b"PK\x03\x04")
    while data[local + 30:local + 30 + len(name)] != name:
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    for at in (local + 22, central + 24):
        data[at:at + 4] = (1024).to_bytes(4, "little")
    path.write_bytes(bytes(data))


# The refusal runs in a process of its own, the server's side alone: the test process has loaded the models of
# earlier tests, and its size says nothing about what reading the upload took.
_REFUSE = r"""
import json, resource, sys, threading, time
from pathlib import Path
import psutil
from index.build import build_index
from index.embedder import HashingEmbedder
from tracuu.runtime import Runtime
from tracuu.settings import Settings
from tracuu.web_plans import PlanService

root, upload = Path(sys.argv[1]), sys.argv[2]
settings = Settings.from_env(index_dir=root / "data" / "index", plans_dir=root / "plans")
build_index([root / "plans"], settings, HashingEmbedder())
service = PlanService(Runtime(settings, embedder=HashingEmbedder()), threading.Lock(), upload_cache=Path(upload).parent)
before = service.files()
started = time.perf_counter()
lines = list(service.add([upload]))
took = time.perf_counter() - started
print(json.dumps({"lines": lines, "took": took, "unchanged": service.files() == before,
                  "rss": psutil.Process().memory_info().rss,
                  "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}))
"""


def refused_in_its_own_process(tmp_path, upload) -> dict:
    """Upload `upload` to a PlanService over an index of two bundled plans, in a fresh Python process."""
    import json
    import subprocess
    import sys

    from tests.conftest import PLANS, REPO

    root = tmp_path / "server"
    (root / "plans").mkdir(parents=True)
    for name in ("can-tho_kh-153-ubnd_2025.txt", "vinh-yen_kh-ubnd_2021.txt"):
        (root / "plans" / name).write_bytes((PLANS / name).read_bytes())
    done = subprocess.run([sys.executable, "-c", _REFUSE, str(root), str(upload)], capture_output=True, text=True,
                          cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_rss_under_2_gb(run: dict) -> None:
    """The server's process and every child it waited for (the reading process) stayed under 2 GB."""
    assert run["rss"] < 2 << 30
    assert run["children"] < 2 << 30  # ru_maxrss was in KB


def test_a_5000_page_image_only_pdf_is_refused_within_a_minute(tmp_path):
    pdf = tmp_path / "cache" / "ban-scan.pdf"
    pdf.parent.mkdir(exist_ok=True)
    image_only_pdf(pdf, 5000)
    run = refused_in_its_own_process(tmp_path, pdf)
    lines = run["lines"]
    assert run["took"] < 60, f"{run['took']:.1f} s"
    assert "Từ chối tệp ban-scan.pdf" in lines[-1] and "TRACUU_MAX_PAGES" in lines[-1], lines
    assert run["unchanged"]
    assert_rss_under_2_gb(run)


@pytest.mark.parametrize("lie", [False, True])
def test_a_zip_bomb_is_refused(tmp_path, lie):
    docx = tmp_path / "cache" / "bom.docx"
    docx.parent.mkdir(exist_ok=True)
    heavy_docx(docx, 260)  # a valid .docx: python-docx would unpack and parse all of it
    if lie:
        lying(docx)
    assert docx.stat().st_size < 3 * 1024 * 1024
    run = refused_in_its_own_process(tmp_path, docx)
    lines = run["lines"]
    assert run["took"] < 60
    assert "Từ chối tệp bom.docx" in lines[-1] and "TRACUU_MAX_UNZIPPED_MB" in lines[-1], lines
    assert ("khai báo" in lines[-1]) == lie, "a lying directory is caught by the real count"
    assert run["unchanged"]
    assert_rss_under_2_gb(run)


def test_reading_is_bounded_in_time_and_memory(tmp_path):
    """The reading process is killed whole after its time; past its memory it stops with a message."""
    import shutil
    import zipfile

    from ingest.bounds import Bounds, parse_bounded
    from ingest.readers import SkipFile

    from tests.conftest import PLANS

    plan = PLANS / "can-tho_kh-153-ubnd_2025.txt"
    if shutil.which("soffice"):  # LibreOffice takes seconds to start: killed with its process group at 1 s
        odt = tmp_path / "cham.odt"
        with zipfile.ZipFile(odt, "w") as z:
            z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            z.writestr("content.xml", "<office:document-content/>")
        started = time.perf_counter()
        with pytest.raises(SkipFile, match="TRACUU_MAX_READ_SECONDS"):
            parse_bounded(odt, 1200, 150, 20, Bounds(seconds=1.0))
        assert time.perf_counter() - started < 5
    heavy = tmp_path / "nang.docx"
    heavy_docx(heavy, 120)  # under the unzip bound, but its 120 MB of XML do not fit 300 MB of memory
    with pytest.raises(SkipFile, match="TRACUU_MAX_READ_MB"):
        parse_bounded(heavy, 1200, 150, 20, Bounds(memory_mb=300))
    document, chunks = parse_bounded(plan, 1200, 150, 20, Bounds())  # within its bounds: read as before
    assert document.file == plan.name and chunks


def test_a_converter_is_killed_with_everything_it_started():
    import subprocess

    from ingest.bounds import run_isolated

    marker = f"sleep {int(time.time()) % 1000 + 3000}"  # a duration no other process sleeps
    with pytest.raises(subprocess.TimeoutExpired):
        run_isolated(["sh", "-c", f"{marker} & {marker}"], timeout=0.5)
    time.sleep(0.2)
    left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    assert not left, "a child of the converter survived its timeout"
