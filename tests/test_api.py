"""The HTTP API (tracuu.api): the app itself in-process, over HTTP by FastAPI's TestClient.

- Unit tests run it on a small real index of the bundled plans built with the HashingEmbedder and a
  ScriptedGenerator (tests/fakes.py), so every route, every error and the OpenAPI schema are checked
  fast, including schemathesis' property-based tests against the app's own schema.
- Slow tests run it on the real Runtime (e5, FAISS, the real index) and compare with `tracuu ask --json`.
"""

from __future__ import annotations

import json
import os

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from fastapi.testclient import TestClient  # noqa: E402

from tests.fakes import ScriptedGenerator  # noqa: E402

DUTY_QUESTION = "Sở Y tế phải làm gì?"
GENERATED = "Năm 2030 có bao nhiêu xã, phường không ma túy ở Cần Thơ?"  # no target word: the model is asked


@pytest.fixture(scope="module")
def small_runtime(tmp_path_factory):
    """A Runtime over a hashing-embedder index of the bundled plans, the model scripted."""
    from index.build import build_index
    from index.embedder import HashingEmbedder
    from tracuu.runtime import Runtime
    from tracuu.settings import REPO_ROOT, Settings

    settings = Settings.from_env(index_dir=tmp_path_factory.mktemp("api") / "index", llm="default")
    embedder = HashingEmbedder()
    build_index([REPO_ROOT / "data" / "plans"], settings, embedder)
    generator = ScriptedGenerator("Đến năm 2030, 100% xã, phường không ma túy [1].")
    return Runtime(settings, embedder=embedder, generator_for=lambda choice: generator)


@pytest.fixture(scope="module")
def client(small_runtime):
    from tracuu.api import create_app

    with TestClient(create_app(small_runtime)) as c:
        yield c


def sse_events(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines.get("event", "message"), json.loads(lines["data"])))
    return events


def without_timings(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if k != "timings"}


# -- the routes give the CLI's contracts ---------------------------------------------------------------
def test_ask_is_the_ask_json_object(client, small_runtime):
    from tracuu import services

    r = client.post("/v1/ask", json={"question": DUTY_QUESTION})
    assert r.status_code == 200, r.text
    got = r.json()
    expected = services.ask(small_runtime, DUTY_QUESTION)
    assert without_timings(got) == without_timings(expected)
    assert got["mode"] == "duties" and got["citations"] and not got["refused"]
    assert all("Y tế" in c["section"] or "y tế" in c["quote"].lower() for c in got["citations"][:3])


def test_ask_with_filters_and_previous_question(client, small_runtime):
    from tracuu import services

    doc = "can-tho_kh-153-ubnd_2025.txt"
    r = client.post("/v1/ask", json={"question": "còn Sở Tài chính thì sao?", "previous": [DUTY_QUESTION], "doc": doc})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["standalone_question"] == "Sở Tài chính phải làm gì?"
    assert {c["file"] for c in got["citations"]} == {doc}
    expected = services.ask(small_runtime, "còn Sở Tài chính thì sao?", services.conversation_from([DUTY_QUESTION]),
                            services.filters([doc]))
    assert without_timings(got) == without_timings(expected)


def test_ask_streams_the_draft_then_the_checked_answer_when_asked(client, small_runtime):
    r = client.post("/v1/ask", json={"question": GENERATED, "stream": True, "stream_draft": True})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r.text)
    kinds = [k for k, _ in events]
    assert kinds[-1] == "answer" and set(kinds[:-1]) == {"token"} and len(kinds) > 3
    draft = "".join(d["text"] for k, d in events if k == "token")
    answer = events[-1][1]
    assert draft.strip() == answer["model_text"].strip()
    assert answer["mode"] in ("generated", "evidence") and answer["citations"] and "[1]" in answer["answer"]
    # Accept: text/event-stream asks for the same stream
    r2 = client.post("/v1/ask", json={"question": GENERATED, "stream_draft": True}, headers={"Accept": "text/event-stream"})
    assert [k for k, _ in sse_events(r2.text)] == kinds


def test_search_is_the_search_json_object(client, small_runtime):
    from tracuu import services

    r = client.get("/v1/search", params={"q": DUTY_QUESTION, "k": 3, "doc": ["can-tho_kh-153-ubnd_2025.txt"]})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got == services.search_json(small_runtime, DUTY_QUESTION, 3, services.filters(["can-tho_kh-153-ubnd_2025.txt"]))
    assert [h["rank"] for h in got["hits"]] == [1, 2, 3]
    assert {h["file"] for h in got["hits"]} == {"can-tho_kh-153-ubnd_2025.txt"}


def test_duties_is_the_duties_json_list(client, small_runtime, monkeypatch, capsys):
    from tracuu.cli import main

    monkeypatch.setenv("TRACUU_INDEX_DIR", str(small_runtime.settings.index_dir))
    monkeypatch.setenv("TRACUU_URL", "off")
    assert main(["duties", "--agency", "Sở Y tế", "--format", "json"]) == 0
    cli_rows = json.loads(capsys.readouterr().out)
    r = client.get("/v1/duties", params={"agency": "Sở Y tế"})
    assert r.status_code == 200
    assert r.json() == cli_rows and len(cli_rows) > 3
    assert all("Y tế" in row["canonical"] or "y tế" in row["text"].lower() for row in cli_rows if row["role"] == "chủ trì")


def test_duties_detail_rebuilds_the_same_rows(client, small_runtime):
    from tracuu import services

    rows = client.get("/v1/duties", params={"due_in": "2025-12", "detail": "true"}).json()
    rebuilt = [services.duty_from_json(r) for r in rows]
    local = services.duty_rows(small_runtime.settings, due_in="2025-12")
    assert rebuilt == local and rebuilt


# -- the OpenAI-compatible endpoint ---------------------------------------------------------------------
def test_chat_completion_carries_the_answer_with_its_sources(client, small_runtime):
    from tracuu import services

    body = {"model": "tracuu", "messages": [{"role": "system", "content": "Bạn là trợ lý."},
                                            {"role": "user", "content": DUTY_QUESTION}]}
    r = client.post("/v1/chat/completions", json=body)
    assert r.status_code == 200, r.text
    got = r.json()
    message = got["choices"][0]["message"]
    expected = services.ask(small_runtime, DUTY_QUESTION)
    assert message["content"] == services.render_answer(expected).rstrip("\n")
    assert "\n\nNguồn:\n[1] " in message["content"]
    assert got["citations"] == message["citations"] == expected["citations"]
    assert got["object"] == "chat.completion" and got["choices"][0]["finish_reason"] == "stop"


def test_chat_completion_streams_what_the_cli_prints(client, small_runtime):
    from tracuu import services

    body = {"model": "tracuu-default", "stream": True, "stream_draft": True,
            "messages": [{"role": "user", "content": [{"type": "text", "text": GENERATED}]}]}
    r = client.post("/v1/chat/completions", json=body)
    assert r.status_code == 200
    chunks = [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: {")]
    assert r.text.rstrip().endswith("data: [DONE]")
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    final = chunks[-1]
    assert final["choices"][0]["finish_reason"] == "stop" and final["citations"]
    answer = final["tracuu"]
    # asked for: the draft, then the checked answer and its sources: exactly `tracuu ask`'s stdout
    assert text == answer["model_text"] + services.render_answer(answer, answer["model_text"]).rstrip("\n")
    assert "--- câu trả lời đã kiểm chứng ---" in text and "Nguồn:" in text


def test_chat_follow_up_uses_earlier_user_messages(client):
    body = {"model": "tracuu", "messages": [
        {"role": "user", "content": DUTY_QUESTION}, {"role": "assistant", "content": "…"},
        {"role": "user", "content": "còn Sở Tài chính thì sao?"}]}
    got = client.post("/v1/chat/completions", json=body).json()
    assert got["tracuu"]["standalone_question"] == "Sở Tài chính phải làm gì?"
    assert any("Tài chính" in c["section"] for c in got["citations"])


def test_models_lists_the_chat_model_ids(client):
    ids = [m["id"] for m in client.get("/v1/models").json()["data"]]
    assert ids == ["tracuu", "tracuu-default", "tracuu-fast"]


# -- keys, limits and bad requests: a 4xx with a Vietnamese message ----------------------------------------
@pytest.fixture
def keyed_client(small_runtime, tmp_path):
    from tracuu.api import ApiKeys, create_app

    keys = tmp_path / "keys.txt"
    keys.write_text("# phong A\nkhoa-mot\n\nkhoa-hai\n", encoding="utf-8")
    with TestClient(create_app(small_runtime, ApiKeys(keys))) as c:
        yield c, keys


def test_keys_are_required_when_set(keyed_client):
    client, keys = keyed_client
    for headers in ({}, {"Authorization": "Bearer sai"}, {"Authorization": "Basic a2hvYS1tb3Q="},
                    {"Authorization": "Bearer # phong A"}, {"Authorization": "Bearer khoa-mot x"}):
        r = client.get("/v1/search", params={"q": DUTY_QUESTION}, headers=headers)
        assert r.status_code == 401, headers
        assert "khoá API" in r.json()["detail"] and r.json()["error"]["message"] == r.json()["detail"]
        assert r.headers["www-authenticate"] == "Bearer"
    r = client.post("/v1/chat/completions", json={"model": "tracuu", "messages": [{"role": "user", "content": "x"}]})
    assert r.status_code == 401
    assert client.get("/v1/search", params={"q": DUTY_QUESTION}, headers={"Authorization": "Bearer khoa-hai"}).status_code == 200
    assert client.get("/v1/health").status_code == 200  # no key needed to see that it is up
    keys.write_text("khoa-ba\n", encoding="utf-8")  # revoked without a restart
    os.utime(keys, ns=(1, 1))
    assert client.get("/v1/models", headers={"Authorization": "Bearer khoa-hai"}).status_code == 401
    assert client.get("/v1/models", headers={"Authorization": "Bearer khoa-ba"}).status_code == 200


def test_an_empty_keys_file_is_refused_at_start(tmp_path):
    from tracuu.api import ApiKeys
    from tracuu.errors import TracuuError

    (tmp_path / "keys.txt").write_text("\n# none\n", encoding="utf-8")
    with pytest.raises(TracuuError, match="không có khoá nào"):
        ApiKeys(tmp_path / "keys.txt")
    with pytest.raises(TracuuError, match="TRACUU_API_KEYS_FILE"):
        ApiKeys(tmp_path / "missing.txt")


@pytest.mark.parametrize("method,path,kwargs,status,words", [
    ("post", "/v1/ask", {"json": {}}, 422, "thiếu câu hỏi"),
    ("post", "/v1/ask", {"json": {"question": "   "}}, 422, "câu hỏi không được để trống"),
    ("post", "/v1/ask", {"json": {"question": "x" * 501}}, 422, "tối đa 500 ký tự"),
    ("post", "/v1/ask", {"json": {"question": "a", "nonsense": 1}}, 422, "không có trường 'nonsense'"),
    ("post", "/v1/ask", {"json": {"question": "a", "year": "năm ngoái"}}, 422, "năm phải là số nguyên"),
    ("post", "/v1/ask", {"json": {"question": "a", "model": "/etc/passwd"}}, 400, "Không có mô hình '/etc/passwd'"),
    ("post", "/v1/ask", {"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 422,
     "không phải JSON hợp lệ"),
    ("post", "/v1/ask", {"json": ["question"]}, 422, "phải là một đối tượng JSON"),
    ("get", "/v1/search", {"params": {"q": "a", "k": 0}}, 422, "số đoạn (k) phải ≥ 1"),
    ("get", "/v1/search", {"params": {"q": "a", "mode": "magic"}}, 422, "cách tìm phải là một trong"),
    ("get", "/v1/search", {}, 422, "thiếu câu hỏi (q)"),
    ("get", "/v1/duties", {"params": {"due_before": "hôm qua"}}, 400, "hôm qua"),
    ("post", "/v1/chat/completions", {"json": {"model": "gpt-4", "messages": [{"role": "user", "content": "a"}]}}, 400,
     "Không có mô hình 'gpt-4'"),
    ("post", "/v1/chat/completions", {"json": {"model": "tracuu", "messages": [{"role": "assistant", "content": "a"}]}},
     400, "Tin nhắn cuối phải là câu hỏi"),
    ("post", "/v1/chat/completions", {"json": {"model": "tracuu", "messages": []}}, 422, "ít nhất 1"),
    ("get", "/v1/nothing", {}, 404, "Không có đường dẫn này"),
    ("delete", "/v1/ask", {}, 405, "Phương thức không được hỗ trợ"),
])
def test_bad_requests_get_a_vietnamese_4xx(client, method, path, kwargs, status, words):
    r = getattr(client, method)(path, **kwargs)
    assert r.status_code == status, r.text
    body = r.json()
    assert words in body["detail"], body["detail"]
    assert body["error"]["message"] == body["detail"] and body["error"]["code"] == status


def test_bodies_over_the_limit_are_refused(client):
    from tracuu.api import MAX_BODY

    big = {"model": "tracuu", "messages": [{"role": "user", "content": "x" * 1000}] * (MAX_BODY // 1000 + 10)}
    r = client.post("/v1/chat/completions", json=big)
    assert r.status_code == 413 and "quá lớn" in r.json()["detail"]

    def chunks():  # no Content-Length: the body is counted as it arrives
        for _ in range(MAX_BODY // 4096 + 2):
            yield b" " * 4096

    r = client.post("/v1/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "quá lớn" in r.json()["detail"]


def test_openapi_schema_is_served(client):
    schema = client.get("/openapi.json").json()
    assert {"/v1/ask", "/v1/search", "/v1/duties", "/v1/chat/completions", "/v1/models"} <= set(schema["paths"])
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    ask = schema["paths"]["/v1/ask"]["post"]
    assert "text/event-stream" in ask["responses"]["200"]["content"]
    assert client.get("/docs").status_code == 404  # its page would load scripts from a CDN


# -- property-based: schemathesis against the app's own schema -------------------------------------------
def test_schemathesis_finds_no_server_error_or_schema_violation(small_runtime):
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                                   status_code_conformance)

    from tracuu.api import create_app

    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(small_runtime))
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    seen = []
    for operation in schema.get_all_operations():
        op = operation.ok()
        if op.path.startswith("/v1/plans") and op.method.lower() != "get":
            continue  # uploads and removals change the index: tests/test_hostile.py checks them on their own

        @given(case=op.as_strategy())
        @settings(max_examples=15, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call()
            case.validate_response(response, checks=checks)
            seen.append((op.path, response.status_code))

        run()
    assert {p for p, _ in seen} >= {"/v1/ask", "/v1/search", "/v1/duties", "/v1/chat/completions"}
    assert any(s == 200 for _, s in seen) and any(400 <= s < 500 for _, s in seen)


# -- the real runtime (slow) -------------------------------------------------------------------------------
@pytest.mark.slow
def test_real_ask_gives_the_citations_of_the_cli(runtime, monkeypatch, capsys):
    from tracuu.api import create_app
    from tracuu.cli import main

    monkeypatch.setenv("TRACUU_URL", "off")
    assert main(["ask", "--json", DUTY_QUESTION]) == 0
    cli = json.loads(capsys.readouterr().out)
    with TestClient(create_app(runtime)) as c:
        r = c.post("/v1/ask", json={"question": DUTY_QUESTION})
        assert r.status_code == 200
        api = r.json()
        search = c.get("/v1/search", params={"q": DUTY_QUESTION, "k": 5}).json()
    assert api["citations"] == cli["citations"] and api["answer"] == cli["answer"]
    assert without_timings(api) == without_timings(cli)
    assert any(c["doc_id"] == "can-tho_kh-153-ubnd_2025" and "Sở Y tế" in c["section"] for c in api["citations"])
    assert search["hits"][0]["agency"] in ("Sở Y tế", "Trạm y tế")


def test_search_and_ask_take_the_library_filters(client):
    r = client.get("/v1/search", params={"q": "phòng chống ma túy", "k": 50, "level": "xã"})
    assert r.status_code == 200 and {h["file"] for h in r.json()["hits"]} == {"tan-hung-hai-phong_kh-ubnd_2025.txt"}
    r = client.get("/v1/search", params={"q": "ma túy", "since": "2025-12-01", "kind": "nghị quyết"})
    assert {h["file"] for h in r.json()["hits"]} == {"can-tho_nq-03-tu_2025.txt"}
    bad = client.get("/v1/search", params={"q": "ma túy", "level": "phường"})
    assert bad.status_code == 400 and "trung ương, tỉnh, huyện, xã" in bad.json()["detail"]
    r = client.post("/v1/ask", json={"question": DUTY_QUESTION, "issuer": "Nam Định"})
    assert r.status_code == 200 and {c["file"] for c in r.json()["citations"]} == {"nam-dinh_kh-kl132_2025.txt"}
