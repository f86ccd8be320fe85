"""`tracuu api` under load, over real HTTP (uvicorn on a loopback port, in this process): a bounded
queue of answers with 429 and Retry-After past it, /v1/health answering while every answer slot is
taken, a client that disconnects stopping its answer and freeing the model, and a deadline per answer.
The model is tests/fakes.SlowGenerator: it obeys the deadline and cancel flag as the real ones do."""

from __future__ import annotations

import dataclasses
import http.client
import json
import socket
import threading
import time
from contextlib import contextmanager

import pytest

from tests.fakes import SlowGenerator

GENERATED = "Năm 2030 có bao nhiêu xã, phường không ma túy ở Cần Thơ?"  # the model is asked


@pytest.fixture(scope="module")
def index_settings(tmp_path_factory):
    from index.build import build_index
    from index.embedder import HashingEmbedder
    from tracuu.settings import REPO_ROOT, Settings

    settings = Settings.from_env(index_dir=tmp_path_factory.mktemp("load") / "index", llm="default")
    build_index([REPO_ROOT / "data" / "plans"], settings, HashingEmbedder())
    return settings


@contextmanager
def serving(settings, generator, **changes):
    """A real `tracuu api` app on a free loopback port, answering with `generator`."""
    import uvicorn

    from index.embedder import HashingEmbedder
    from tracuu.api import create_app
    from tracuu.runtime import Runtime

    runtime = Runtime(dataclasses.replace(settings, **changes), embedder=HashingEmbedder(),
                      generator_for=lambda choice: generator)
    runtime.searcher.index  # loaded before the first request
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    server = uvicorn.Server(uvicorn.Config(create_app(runtime), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(20)


def post(port: int, path: str, body: dict, timeout: float = 60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read().decode("utf-8")


def test_past_the_queue_a_request_gets_429_and_health_answers(index_settings):
    gen = SlowGenerator(words=60, pause=0.05)  # about 3 s an answer, one at a time
    with serving(index_settings, gen, max_waiting=3) as port:
        results = []
        workers = [threading.Thread(target=lambda: results.append(post(port, "/v1/ask", {"question": GENERATED})))
                   for _ in range(3)]
        for w in workers:
            w.start()
        for _ in range(100):  # the three are in (the first writing, two waiting for the model)
            if len(gen.calls) >= 1:
                break
            time.sleep(0.05)
        time.sleep(0.3)
        status, headers, body = post(port, "/v1/ask", {"question": GENERATED}, timeout=5)
        assert status == 429 and int(headers["retry-after"]) >= 1 and "đang bận" in json.loads(body)["detail"]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)  # while all three are unfinished
        conn.request("GET", "/v1/health")
        assert conn.getresponse().status == 200 and len(results) < 3
        for w in workers:
            w.join(60)
        assert sorted(r[0] for r in results) == [200, 200, 200]
        assert post(port, "/v1/ask", {"question": GENERATED})[0] == 200  # the queue drained


def test_a_client_that_leaves_stops_its_answer_and_frees_the_model(index_settings):
    gen = SlowGenerator(words=400, pause=0.05)  # 20 s if nobody stopped it
    with serving(index_settings, gen) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", "/v1/ask", json.dumps({"question": GENERATED, "stream": True, "stream_draft": True}),
                     {"Content-Type": "application/json"})
        response = conn.getresponse()
        assert response.status == 200 and b"event: token" in response.read1(4096)
        conn.sock.shutdown(socket.SHUT_RDWR)  # the official closes the tab
        conn.close()
        for _ in range(100):
            if gen.stopped:
                break
            time.sleep(0.05)
        assert gen.stopped == 1 and gen.written < 100
        gen.text = "Đến năm 2030, 100% xã, phường không ma túy [1]."
        started = time.monotonic()
        assert post(port, "/v1/ask", {"question": GENERATED})[0] == 200  # the model was free
        assert time.monotonic() - started < 15


def test_an_answer_past_its_deadline_gets_504(index_settings):
    gen = SlowGenerator(words=200, pause=0.05)  # 10 s
    with serving(index_settings, gen, answer_seconds=1.0) as port:
        status, _, body = post(port, "/v1/ask", {"question": GENERATED})
        assert status == 504 and "vượt thời hạn 1 giây" in json.loads(body)["detail"]
        assert gen.stopped == 1 and gen.written < 60


NEW_PLAN = """ỦY BAN NHÂN DÂN
TỈNH AN BÌNH
Số: 21/KH-UBND
An Bình, ngày 2 tháng 3 năm 2026

KẾ HOẠCH
Tăng cường hợp tác quốc tế năm 2026

I. PHÂN CÔNG NHIỆM VỤ
1. Bộ Dân tộc và Tôn giáo
Chủ trì hướng dẫn các địa phương rà soát chính sách hỗ trợ đồng bào vùng biên giới, hoàn thành trong quý II năm 2026.
"""


def test_a_plan_uploaded_in_the_web_is_answered_by_a_running_api_within_seconds(tmp_path, plans_copy):
    """Two processes' worth of runtimes on one index: the web's uploads service rebuilds it, and the API,
    started before, answers from the new version without a restart (it checks the index pointer once a
    second between requests)."""
    from index.build import build_index
    from index.embedder import HashingEmbedder
    from tracuu.runtime import Runtime
    from tracuu.settings import Settings
    from tracuu.web_plans import PlanService

    settings = Settings.from_env(index_dir=tmp_path / "index", plans_dir=plans_copy, llm="default")
    build_index([plans_copy], settings, HashingEmbedder())
    question = {"question": "Bộ Dân tộc và Tôn giáo phải làm gì?"}
    with serving(settings, SlowGenerator(words=5, pause=0.01)) as port:
        status, _, body = post(port, "/v1/ask", question)
        assert status == 200 and json.loads(body)["refused"]  # no plan gives it anything yet
        web = Runtime(settings, embedder=HashingEmbedder(), generator_for=lambda _: None)
        cache = tmp_path / "gradio-cache"
        cache.mkdir()
        upload = cache / "an-binh_kh-21-ubnd_2026.txt"
        upload.write_text(NEW_PLAN, encoding="utf-8")
        lines = list(PlanService(web, threading.Lock(), tmp_path / "uploads", cache).add([str(upload)]))
        assert "Xong" in lines[-1], lines
        indexed = time.monotonic()
        while True:
            status, _, body = post(port, "/v1/ask", question)
            answer = json.loads(body)
            if not answer["refused"] or time.monotonic() - indexed > 10:
                break
            time.sleep(0.2)
        waited = time.monotonic() - indexed
        assert status == 200 and not answer["refused"], answer["answer"]
        assert "rà soát chính sách hỗ trợ đồng bào vùng biên giới" in answer["answer"]
        assert waited <= 10, f"answered {waited:.1f} s after the upload was indexed"
