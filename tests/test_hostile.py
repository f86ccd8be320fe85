"""Hostile input on an office network (issue 21), each case against the real HTTP API in-process (FastAPI's
TestClient over a small real index of the bundled plans: HashingEmbedder, a ScriptedGenerator), the real
client code, the real accounts and the real plans service:

- limits everywhere: every message a request carries is bounded like the question, a client's mistake
  is a 4xx (never 503, which clients retry), and the model never sees more than fits its window;
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
