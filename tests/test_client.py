"""The CLI with a running server (tracuu.client), and clients of a real `tracuu api` on a loopback port.

- Unit tests: finding a server through the state dir, falling back to in-process when it does not
  answer, and stdout being the same either way (on a hashing-embedder index; `duties` needs no model).
- Slow tests start a real `tracuu api` subprocess on the real index: `tracuu ask/search/duties` print
  exactly what they print in-process, and the OpenAI SDK (`openai` from PyPI) gets a cited answer.
- The generated-answer path through a real llama-server (`make llama-server`) on the fast GGUF.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DUTY_QUESTION = "Sở Y tế phải làm gì?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_with(**values) -> dict:
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    env = dict(os.environ, PYTHONPATH=path, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")
    env.pop("TRACUU_URL", None)
    env.update({k: str(v) for k, v in values.items()})
    return env


def run_cli(args: list[str], env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tracuu.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=REPO)


def without_timings(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if k != "timings"}


# -- finding a server ---------------------------------------------------------------------------------
def test_state_file_is_found_for_the_same_index_only(tmp_path, monkeypatch):
    from tracuu.client import find_server, register, state_dir, unregister
    from tracuu.settings import Settings

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    settings = Settings(index_dir=tmp_path / "index", url="")
    assert find_server(settings) is None
    path = register("http://127.0.0.1:9", tmp_path / "index")
    assert path.parent == state_dir() and str(tmp_path / "state") in str(path)
    assert find_server(settings).url == "http://127.0.0.1:9"
    assert find_server(settings.with_(index_dir=tmp_path / "other")) is None
    assert find_server(settings.with_(url="off")) is None
    named = find_server(settings.with_(url="http://127.0.0.1:7/", api_key="k"))
    assert (named.url, named.key, named.named) == ("http://127.0.0.1:7", "k", True)
    unregister(path)
    assert find_server(settings) is None


def test_state_file_of_a_dead_server_is_ignored_and_removed(tmp_path, monkeypatch):
    from tracuu.client import find_server, register
    from tracuu.settings import Settings

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    path = register("http://127.0.0.1:9", tmp_path / "index", pid=int(dead.stdout))
    assert find_server(Settings(index_dir=tmp_path / "index")) is None
    assert not path.exists()


@pytest.fixture(scope="module")
def hashing_index(tmp_path_factory):
    from index.build import build_index
    from index.embedder import HashingEmbedder
    from tracuu.settings import Settings

    settings = Settings.from_env(index_dir=tmp_path_factory.mktemp("client") / "index")
    build_index([REPO / "data" / "plans"], settings, HashingEmbedder())
    return settings.index_dir


def test_a_server_that_does_not_answer_falls_back_with_the_same_stdout(hashing_index, tmp_path):
    base = env_with(TRACUU_INDEX_DIR=hashing_index, XDG_STATE_HOME=tmp_path / "state")
    args = ["duties", "--agency", "Sở Y tế"]
    alone = run_cli(args, dict(base, TRACUU_URL="off"))
    assert alone.returncode == 0 and "Sở Y tế" in alone.stdout
    # registered by a live process (this one) but nothing listens on its port
    from tracuu.client import register

    os.environ["XDG_STATE_HOME"] = str(tmp_path / "state")
    try:
        register(f"http://127.0.0.1:{free_port()}", hashing_index)
    finally:
        del os.environ["XDG_STATE_HOME"]
    found = run_cli(args, base)
    assert found.returncode == 0 and found.stdout == alone.stdout and found.stderr == alone.stderr
    named = run_cli(args, dict(base, TRACUU_URL=f"http://127.0.0.1:{free_port()}"))
    assert named.returncode == 0 and named.stdout == alone.stdout
    assert "không kết nối được máy chủ tracuu" in named.stderr and "trong tiến trình này" in named.stderr


# -- a real `tracuu api` (slow) --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def api_server(tmp_path_factory):
    """`tracuu api` on a free loopback port over the real index, registered in a private state dir, with
    an API key (the CLI finds it in the same TRACUU_API_KEYS_FILE)."""
    from tracuu.settings import Settings

    if not (Settings.from_env().index_dir / "manifest.json").exists():
        pytest.skip("no index: run `tracuu ingest` (make index)")
    state = tmp_path_factory.mktemp("state")
    port = free_port()
    (state / "keys.txt").write_text("khoa-thu-nghiem\n", encoding="utf-8")
    env = env_with(XDG_STATE_HOME=state, TRACUU_API_KEYS_FILE=state / "keys.txt")
    proc = subprocess.Popen([sys.executable, "-m", "tracuu.cli", "api", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        deadline = time.time() + 240
        while not list((state / "tracuu" / "servers").glob("*.json")) if (state / "tracuu").exists() else True:
            if proc.poll() is not None:
                raise AssertionError(f"tracuu api exited: {proc.stderr.read()}")
            if time.time() > deadline:
                raise AssertionError("tracuu api did not become ready")
            time.sleep(0.2)
        yield {"url": f"http://127.0.0.1:{port}", "env": env, "state": state, "proc": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert not list((state / "tracuu" / "servers").glob("*.json")), "the state file is removed on exit"


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ["ask", DUTY_QUESTION],
    ["ask", "--json", DUTY_QUESTION],
    ["search", "-k", "3", DUTY_QUESTION],
    ["search", "--json", "-k", "3", "--doc", "can-tho_kh-153-ubnd_2025.txt", DUTY_QUESTION],
    ["duties", "--agency", "Sở Y tế"],
    ["duties", "--due-in", "2025-12", "--format", "json"],
])
def test_cli_prints_the_same_with_a_server(api_server, args):
    served = run_cli(args, api_server["env"])
    alone = run_cli(args, dict(api_server["env"], TRACUU_URL="off"))
    assert served.returncode == alone.returncode == 0, served.stderr + alone.stderr
    if "--json" in args and args[0] == "ask":
        a, b = json.loads(served.stdout), json.loads(alone.stdout)
        assert without_timings(a) == without_timings(b) and a["citations"]
    elif args[0] == "search" and "--json" in args:
        assert json.loads(served.stdout) == json.loads(alone.stdout)
    else:
        assert served.stdout == alone.stdout
    assert served.stdout.strip()


@pytest.mark.slow
def test_chat_through_the_server_keeps_the_context(api_server):
    questions = f"{DUTY_QUESTION}\ncòn Sở Tài chính thì sao?\n"
    proc = subprocess.run([sys.executable, "-m", "tracuu.cli", "chat", "--json"], input=questions, env=api_server["env"],
                          capture_output=True, text=True, timeout=300, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert lines[1]["standalone_question"] == "Sở Tài chính phải làm gì?"
    assert any("Sở Tài chính" in c["section"] for c in lines[1]["citations"])


@pytest.mark.slow
def test_openai_sdk_gets_a_cited_answer(api_server):
    from openai import OpenAI

    from openai import AuthenticationError

    wrong = OpenAI(base_url=api_server["url"] + "/v1", api_key="sai", max_retries=0, timeout=60)
    with pytest.raises(AuthenticationError) as refused:
        wrong.chat.completions.create(model="tracuu", messages=[{"role": "user", "content": DUTY_QUESTION}])
    assert refused.value.status_code == 401 and "khoá API" in refused.value.message
    client = OpenAI(base_url=api_server["url"] + "/v1", api_key="khoa-thu-nghiem", max_retries=0, timeout=300)
    assert [m.id for m in client.models.list()] == ["tracuu", "tracuu-default", "tracuu-fast"]
    completion = client.chat.completions.create(model="tracuu", messages=[{"role": "user", "content": DUTY_QUESTION}])
    text = completion.choices[0].message.content
    citations = completion.model_extra["citations"]
    assert "Sở Y tế" in text and "\n\nNguồn:\n[1] " in text
    assert citations and all(f"[{c['n']}]" in text for c in citations)
    assert any(c["doc_id"] == "can-tho_kh-153-ubnd_2025" for c in citations)
    stream = client.chat.completions.create(model="tracuu", stream=True,
                                            messages=[{"role": "user", "content": DUTY_QUESTION}])
    pieces, extra = [], None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        if chunk.model_extra.get("citations"):
            extra = chunk.model_extra["citations"]
    # a listing is streamed as it stands, then its sources, as `tracuu ask` prints them (one blank line more)
    assert re.sub(r"\n{3,}", "\n\n", "".join(pieces)).strip() == text.strip()
    assert extra == citations


# -- the model behind llama-server (slow; `make llama-server`) -----------------------------------------------
def llama_server_binary() -> Path | None:
    found = shutil.which("llama-server")
    cached = sorted(Path.home().glob(".cache/tracuu/llama-server/*/bin/llama-server"))
    return Path(found) if found else (cached[-1] if cached else None)


@pytest.fixture(scope="module")
def llama_server():
    from tracuu.models.provision import require_llm
    from tracuu.settings import Settings

    binary = llama_server_binary()
    if binary is None:
        pytest.skip("llama-server is not built: run `make llama-server`")
    gguf = require_llm(Settings.from_env(), "fast")
    port = free_port()
    proc = subprocess.Popen([str(binary), "-m", str(gguf), "--host", "127.0.0.1", "--port", str(port), "-c", "4096",
                             "-t", "2", "--parallel", "1", "--alias", "qwen-fast"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import urllib.request

    try:
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise AssertionError("llama-server did not start")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_answer_written_by_llama_server_is_verified(llama_server, runtime):
    from assistant.answer import Assistant
    from assistant.generator import OpenAIGenerator

    settings = runtime.settings.with_(llm_url=llama_server + "/v1")
    generator = OpenAIGenerator.from_settings(settings)
    assert generator.name == "qwen-fast"
    assert generator.count_tokens("Sở Y tế") == generator.count_tokens("Sở Y tế") > 1
    answer = Assistant(runtime.searcher, lambda choice: generator, settings).answer(
        "Năm 2026 Cần Thơ có bao nhiêu xã, phường không ma túy?")  # no target word: the model answers
    assert answer.model == "qwen-fast" and answer.model_text
    assert not answer.refused and answer.citations, answer.text
    assert all(f"[{c.n}]" in answer.text for c in answer.citations)
    assert all(c.doc_id.startswith("can-tho") for c in answer.citations)  # the city the question names


def test_model_server_down_is_a_clear_error():
    from assistant.generator import OpenAIGenerator, UpstreamError
    from tracuu.settings import Settings

    generator = OpenAIGenerator(f"http://127.0.0.1:{free_port()}", Settings(), model="m")
    with pytest.raises(UpstreamError, match="TRACUU_LLM_URL"):
        list(generator.stream([{"role": "user", "content": "x"}]))
    assert generator.count_tokens("abcdefghij") == 4  # no tokenizer endpoint reachable: an estimate
