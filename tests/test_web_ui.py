"""The web assistant: upload checks, cited-passage HTML, streamed answers and per-session state
with small test doubles; then the real app in headless Chromium (Debian's, via Playwright) with the
real models, and a run in a subprocess watched for any connection that leaves the machine."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path

import pytest

from assistant.answer import Answer, Citation
from assistant.conversation import Conversation
from index.build import build_index
from index.embedder import HashingEmbedder
from index.search import Searcher
from tests.fakes import ScriptedGenerator
from tracuu.errors import TracuuError
from tracuu.web_chat import LOADING, SEARCHING, ChatService, passage_html, sources_html
from tracuu.web_plans import PlanService, check_file, safe_name

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "test-output"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1366, "height": 680}  # a 1366x768 laptop screen less the browser's own bars

NEW_PLAN = """ỦY BAN NHÂN DÂN
XÃ AN BÌNH
Số: 12/KH-UBND
An Bình, ngày 5 tháng 3 năm 2026

KẾ HOẠCH
Phòng, chống ma túy trên địa bàn xã An Bình năm 2026

I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
Kiềm chế, làm giảm số người nghiện ma túy trên địa bàn xã An Bình; phấn đấu 100% thôn không ma túy.

II. PHÂN CÔNG NHIỆM VỤ
1. Trạm y tế xã
a) Phối hợp tổ chức xác định tình trạng nghiện ma túy cho người sử dụng trái phép chất ma túy trên địa bàn.
b) Tuyên truyền tác hại của ma túy tại các thôn, mỗi quý ít nhất một lần.
"""


class FakeRuntime:
    """The Runtime's surface, with the hashing embedder and a scripted generator."""

    def __init__(self, settings, text: str = "Năm 2026 đạt 25% xã, phường không ma túy [1]."):
        self.settings = settings
        self.embedder = HashingEmbedder()
        self.scripted = ScriptedGenerator(text)
        self._searcher = None

    @property
    def searcher(self):
        if self._searcher is None:
            self._searcher = Searcher(self.settings, self.embedder)
        return self._searcher

    def generator(self, choice=None):
        return self.scripted

    def reload_index(self):
        self._searcher = None


@pytest.fixture
def fake_runtime(hashing_settings, plans_copy):
    build_index([plans_copy], hashing_settings, HashingEmbedder())
    return FakeRuntime(hashing_settings.with_(plans_dir=plans_copy))


# -- uploads ------------------------------------------------------------------------------------

@pytest.mark.parametrize("given,expected", [
    ("../../etc/ke-hoach.txt", "ke-hoach.txt"),
    ("C:\\Users\\an\\Kế hoạch số 5 (bản cuối).DOCX", "Kế-hoạch-số-5-bản-cuối.docx"),
    (unicodedata.normalize("NFD", "Kế hoạch.md"), "Kế-hoạch.md"),
    (".hidden.md", "hidden.md"),
    ("README.md", "ke-hoach-README.md"),
    ("<script>.pdf", "script.pdf"),
    ("....pdf", "ke-hoach.pdf"),
])
def test_safe_name(given, expected):
    assert safe_name(given) == unicodedata.normalize("NFC", expected)


@pytest.mark.parametrize("name,data,reason", [
    ("ke-hoach.pdf", b"MZ\x90\x00 this is a Windows program", "không phải tệp PDF"),
    ("setup.exe", b"MZ\x90\x00", "định dạng .exe không được hỗ trợ"),
    ("ke-hoach.docx", b"Plain words, not a Word file", "không phải tệp Word"),
    ("ke-hoach.txt", b"\x7fELF\x02\x01\x01\x00\x00", "tệp nhị phân"),
    ("rong.txt", b"", "tệp rỗng"),
    ("ke-hoach.txt", "Kế hoạch".encode(), None),
])
def test_check_file(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    got = check_file(path, max_mb=20)
    assert (got is None) if reason is None else (reason in got)


def test_check_file_size_limit(tmp_path):
    path = tmp_path / "lon.txt"
    path.write_bytes(b"a" * (1024 * 1024 + 1))
    assert "tệp quá lớn" in check_file(path, max_mb=1)


@pytest.mark.parametrize("name,data", [
    ("ke-hoach.pdf", b"not a pdf at all"),
    ("hong.pdf", b"%PDF-1.4\n%broken beyond repair"),
    ("virus.exe", b"MZ\x90\x00"),
    ("trong.txt", b"   \n\n  "),
    ("can-tho_kh-153-ubnd_2025.txt", NEW_PLAN.encode()),  # same name as a bundled plan
])
def test_bad_upload_is_rejected_and_index_kept(fake_runtime, tmp_path, name, data):
    plans = PlanService(fake_runtime, threading.Lock(), tmp_path / "uploads")
    manifest = Path(fake_runtime.settings.index_dir) / "manifest.json"
    before = manifest.read_bytes()
    upload = tmp_path / "browser" / name
    upload.parent.mkdir()
    upload.write_bytes(data)
    lines = list(plans.add([str(upload)]))
    assert any(line.startswith(f"**Từ chối tệp {name}:**") for line in lines), lines
    assert manifest.read_bytes() == before
    assert [p.name for p in (tmp_path / "uploads").iterdir()] == []


def test_upload_is_indexed_listed_and_removed(fake_runtime, tmp_path):
    plans = PlanService(fake_runtime, threading.Lock(), tmp_path / "uploads")
    upload = tmp_path / "browser" / "Kế hoạch An Bình.txt"
    upload.parent.mkdir()
    upload.write_text(NEW_PLAN, encoding="utf-8")
    fake_runtime.searcher.index  # loaded before: the upload must make the runtime reload it
    lines = list(plans.add([str(upload)]))
    assert lines[-1].startswith("**Xong:**") and "6 kế hoạch" in lines[-1], lines
    saved = tmp_path / "uploads" / "Kế-hoạch-An-Bình.txt"
    assert saved.exists()
    row = next(r for r in plans.rows() if r[-1] == saved.name)
    assert row[0] == "12/KH-UBND" and row[6] == "tải lên" and row[5] > 0
    hits = fake_runtime.searcher.search("An Bình Trạm y tế xã", k=3).hits
    assert hits[0].document.file == saved.name

    lines = list(plans.remove(saved.name))
    assert "xoá tệp đã tải lên" in lines[-1] and not saved.exists()
    assert saved.name not in plans.files() and len(plans.files()) == 5
    lines = list(plans.remove("vinh-yen_kh-ubnd_2021.txt"))  # a bundled plan: out of the index, file kept
    assert "vẫn giữ nguyên" in lines[-1]
    assert (Path(fake_runtime.settings.plans_dir) / "vinh-yen_kh-ubnd_2021.txt").exists()


# -- answers ------------------------------------------------------------------------------------

def test_passage_html_escapes_and_highlights():
    from ingest.document import Document

    text = "3. Sở Y tế\na) Kiểm tra <thuốc> & “tiền chất”.\nb) Việc khác."
    start = text.index("a)")
    end = text.index("\nb)")
    doc = Document("d", "d.txt", "/d.txt", "0", "Kế hoạch <b>A</b>", "Kế hoạch", "153/KH-UBND", "2025-11-17",
                   None, "thành phố Cần Thơ", text)
    c = Citation(1, "d", "d.txt", doc.title, doc.number, "IV › 3. Sở Y tế › a)", text[start:end],
                 doc.label, doc.date, doc.locality, "c1", start, end)
    html = passage_html(c, {"d": doc})
    assert "<mark>a) Kiểm tra &lt;thuốc&gt; &amp; “tiền chất”.</mark>" in html
    assert "3. Sở Y tế\n<mark>" in html and "</mark>\nb) Việc khác." in html
    assert "Kế hoạch &lt;b&gt;A&lt;/b&gt;" in html and "<b>A</b>" not in html
    assert "153/KH-UBND · thành phố Cần Thơ · 17/11/2025" in html
    refused = Answer("q", "Các văn bản hiện có không nêu…", True, [], {}, "m", closest=[c])
    assert "Các đoạn gần nhất" in sources_html(refused, {"d": doc})


def test_answer_streams_then_gives_the_verified_answer(fake_runtime):
    chat = ChatService(fake_runtime, threading.Lock())
    question = "Năm 2026 có bao nhiêu xã, phường không ma túy ở Cần Thơ?"
    events = list(chat.stream(question, Conversation()))
    kinds = [k for k, _ in events]
    assert kinds[:2] == ["status", "status"] and events[0][1] == LOADING and events[1][1] == SEARCHING
    assert kinds.count("token") > 3 and kinds[-1] == "done"
    answer = events[-1][1]
    assert not answer.refused and answer.citations
    again = [v for k, v in chat.stream(question) if k == "status"]
    assert again == [SEARCHING], "the models load once"


def test_closing_the_stream_cancels_and_frees_the_model(fake_runtime):
    lock = threading.Lock()
    chat = ChatService(fake_runtime, lock)
    stream = chat.stream("Năm 2026 có bao nhiêu xã, phường không ma túy ở Cần Thơ?", Conversation())
    for kind, _ in stream:
        if kind == "token":
            break
    stream.close()  # the browser went away
    assert lock.acquire(timeout=10), "the worker stops at its next token and releases the model"
    lock.release()


class PacedGenerator(ScriptedGenerator):
    """A scripted generator that takes a while per token, like a real model."""

    def stream(self, messages, max_tokens=None):
        for piece in super().stream(messages, max_tokens):
            time.sleep(0.05)
            yield piece


def test_clearing_a_conversation_stops_its_answer(fake_runtime):
    fake_runtime.scripted = PacedGenerator("Năm 2026 đạt 25% xã, phường không ma túy [1]. " * 20)
    lock = threading.Lock()
    chat = ChatService(fake_runtime, lock)
    mine, theirs = Conversation(), Conversation()
    stream = chat.stream("Năm 2026 có bao nhiêu xã, phường không ma túy ở Cần Thơ?", mine)
    for kind, _ in stream:
        if kind == "token":
            break
    chat.cancel(theirs)  # another session's clear touches nothing here
    assert next(stream)[0] == "token"
    chat.cancel(mine)
    assert [k for k, _ in stream if k != "token"] == [], "the stream ends without an answer"
    assert lock.acquire(timeout=10), "and the model is free"
    lock.release()
    assert mine.turns == []


def test_each_session_keeps_its_own_conversation(fake_runtime):
    chat = ChatService(fake_runtime, threading.Lock())
    mine, theirs = Conversation(), Conversation()
    questions = {id(mine): "Sở Y tế phải làm gì?", id(theirs): "Chỉ tiêu xã, phường không ma túy năm 2026 là bao nhiêu?"}

    def ask(conversation):
        list(chat.stream(questions[id(conversation)], conversation))

    threads = [threading.Thread(target=ask, args=(c,)) for c in (mine, theirs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [q for q, _ in mine.turns] == ["Sở Y tế phải làm gì?"]
    assert [q for q, _ in theirs.turns] == ["Chỉ tiêu xã, phường không ma túy năm 2026 là bao nhiêu?"]


def test_errors_reach_the_user_in_vietnamese(fake_runtime, tmp_path):
    fake_runtime.settings = fake_runtime.settings.with_(index_dir=tmp_path / "khong-co")
    fake_runtime.reload_index()
    events = list(ChatService(fake_runtime, threading.Lock()).stream("Sở Y tế phải làm gì?"))
    assert events[-1][0] == "error" and "tracuu ingest" in events[-1][1]


# -- duties tab ---------------------------------------------------------------------------------

def test_duties_tab_filters_and_exports(fake_runtime, tmp_path):
    import openpyxl
    from docx import Document as Docx

    from tracuu.web_duties import DutiesService, rows_for_display, summary

    duties = DutiesService(fake_runtime, tmp_path / "exports")
    everything = duties.find()
    health = duties.find("so y te")  # typed without diacritics
    assert 0 < len(health) < len(everything)
    assert {d.file for d in health} >= {"can-tho_kh-153-ubnd_2025.txt", "nam-dinh_kh-kl132_2025.txt"}
    assert all("y tế" in (d.canonical + d.agency).lower() for d in health)
    shown = rows_for_display(health)
    assert shown[0][0] == 1 and len(shown[0]) == 7 and any("Sở Y tế" in r[2] for r in shown)
    assert summary(health, "cơ quan so y te").startswith(f"**{len(health)} nhiệm vụ**")

    december = duties.find(due_in="12/2025")
    assert december and all(d.deadline for d in december)
    assert any("15 tháng 12" in (d.deadline_text or "") for d in december)

    xlsx = duties.export(health, "xlsx", "cơ quan so y te")
    assert xlsx.name == "nhiem-vu-co-quan-so-y-te.xlsx"
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet.max_row == len(health) + 1 and sheet["B1"].value == "Kế hoạch"
    docx = duties.export(health, "docx", "cơ quan so y te")
    assert len(Docx(str(docx)).tables[0].rows) == len(health) + 1
    rows = json.loads(duties.export(health, "json").read_text(encoding="utf-8"))
    assert [r["text"] for r in rows] == [d.text for d in health]
    assert duties.export(health, "csv").read_bytes().startswith("\ufeffSTT,".encode())
    files = duties.exports(health, "cơ quan so y te")
    assert [f.suffix for f in files] == [".xlsx", ".docx", ".csv", ".json"]
    assert duties.exports(health, "cơ quan so y te") == files, "written once per index and filters"
    files[0].unlink()
    assert duties.exports(health, "cơ quan so y te")[0].exists(), "a file cleaned away is written again"

    for bad, says in ((dict(due_before="31/13/2025"), "không hợp lệ"), (dict(due_in="2025"), "không hợp lệ"),
                      (dict(plan="ha-noi"), "Không có kế hoạch nào khớp")):
        with pytest.raises(TracuuError, match=says):
            duties.find(**bad)


def test_duties_tab_follows_a_reindex(fake_runtime, tmp_path):
    from tracuu.web_duties import DutiesService

    duties = DutiesService(fake_runtime, tmp_path / "exports")
    before = len(duties.plans())
    plans = PlanService(fake_runtime, threading.Lock(), tmp_path / "uploads")
    upload = tmp_path / "browser" / "an-binh.txt"
    upload.parent.mkdir()
    upload.write_text(NEW_PLAN, encoding="utf-8")
    list(plans.add([str(upload)]))
    assert len(duties.plans()) == before + 1
    assert any(d.file == "an-binh.txt" for d in duties.find("trạm y tế"))


# -- command line -------------------------------------------------------------------------------

def test_serve_parser_defaults_to_loopback():
    import argparse

    from tracuu.web import add_serve_parser

    parser = argparse.ArgumentParser()
    add_serve_parser(parser.add_subparsers())
    args = parser.parse_args(["serve"])
    assert (args.host, args.port, args.auth, args.auth_file) == ("127.0.0.1", 7860, None, None)
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--auth", "a:b", "--auth-file", "f"])


def test_read_credentials(tmp_path):
    from tracuu.web import read_credentials

    f = tmp_path / "users.txt"
    f.write_text("# cán bộ\nan:mật-khẩu:có-hai-chấm\n\nbinh:123\n", encoding="utf-8")
    assert read_credentials(None, f) == [("an", "mật-khẩu:có-hai-chấm"), ("binh", "123")]
    assert read_credentials("an:1", None) == [("an", "1")] and read_credentials(None, None) is None
    with pytest.raises(TracuuError, match="tên:mật_khẩu"):
        read_credentials("khong-co-mat-khau", None)
    with pytest.raises(TracuuError, match="Không đọc được"):
        read_credentials(None, tmp_path / "missing.txt")


# -- the real app in a real browser ----------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def web_settings(runtime, tmp_path_factory):
    """The real settings with the fast model and a private copy of the built index."""
    folder = tmp_path_factory.mktemp("web")
    shutil.copytree(runtime.settings.index_dir, folder / "index")
    return runtime.settings.with_(llm="fast", index_dir=folder / "index", plans_dir=folder / "plans")


@pytest.fixture(scope="module")
def server(web_settings):
    from tracuu.runtime import Runtime
    from tracuu.web import build_app, launch

    port = free_port()
    started = time.perf_counter()
    demo = launch(build_app(Runtime(web_settings), web_settings.plans_dir / "uploads", warm=True),
                  "127.0.0.1", port, block=False)
    print(f"\nweb app up in {time.perf_counter() - started:.1f} s")
    yield f"http://127.0.0.1:{port}"
    demo.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's Chromium is missing: run `make browser` (apt-get install chromium chromium-driver)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server)
    yield page
    context.close()
    outside = [u for u in requests if not u.startswith(server) and not u.startswith(("data:", "blob:"))]
    assert not outside, f"the page fetched from outside this machine: {outside}"


def ask(page, question: str):
    box = page.locator("#tc-question textarea")
    box.wait_for(state="visible")
    page.wait_for_function("() => !document.querySelector('#tc-question textarea').disabled", timeout=300_000)
    box.fill(question)
    box.press("Enter")


def wait_text(page, selector: str, text: str, timeout: float = 120_000):
    try:
        page.wait_for_function(
            "([sel, text]) => (document.querySelector(sel)?.innerText || '').includes(text)", arg=[selector, text],
            timeout=timeout)
    except Exception:  # keep what the page showed, so the failure can be read, not guessed
        OUT.mkdir(exist_ok=True)
        page.screenshot(path=OUT / "web-failure.png")
        shown = page.locator(selector).inner_text() if page.locator(selector).count() else "(no such element)"
        raise AssertionError(f"{selector} never showed {text!r}; it shows: {shown[:600]!r} "
                             f"(screenshot: {OUT / 'web-failure.png'})") from None


def bot_texts(page) -> list[str]:
    return page.locator("#tc-chat .bot").all_inner_texts()


@pytest.mark.slow
def test_chat_in_browser(page):
    OUT.mkdir(exist_ok=True)
    page.wait_for_selector("#tc-status .tc-dot")
    if page.locator("#tc-status .tc-loading").count():
        assert "Đang tải mô hình" in page.locator("#tc-status").inner_text()
        page.screenshot(path=OUT / "web-loading.png")
    started = time.perf_counter()
    ask(page, "Sở Y tế phải làm gì?")
    wait_text(page, "#tc-sources", "3. Sở Y tế", timeout=300_000)
    first_answer = time.perf_counter() - started
    panel = page.locator("#tc-sources").inner_text()
    assert "153/KH-UBND" in panel and "IV. Phân công nhiệm vụ › 3. Sở Y tế › a)" in panel
    assert page.locator("#tc-sources mark").count() >= 4, "each cited passage is highlighted"
    assert "Theo các văn bản hiện có" in page.locator("#tc-chat").inner_text()
    wait_text(page, "#tc-chat", "Nguồn:")
    page.screenshot(path=OUT / "web-chat.png")
    print(f"first answer in the browser: {first_answer:.1f} s")

    ask(page, "còn Công an thì sao?")  # a follow-up, rewritten with the previous question
    wait_text(page, "#tc-chat", "nhiệm vụ của Công an")
    wait_text(page, "#tc-sources", "Công an phường")

    ask(page, "Tỉnh Lâm Đồng có bao nhiêu xã không ma túy?")
    wait_text(page, "#tc-chat", "Các văn bản hiện có không nêu")
    wait_text(page, "#tc-sources", "Các đoạn gần nhất")
    page.screenshot(path=OUT / "web-refusal.png")

    page.locator("#tc-clear").click()
    page.wait_for_function("() => !document.querySelector('#tc-chat .bot')")
    assert "sẽ hiện ở đây" in page.locator("#tc-sources").inner_text()


@pytest.mark.slow
def test_chat_filters_by_level_and_says_what_is_wrong_with_a_date(page):
    """The library filters of the chat (issuer, level, kind, dates) narrow the documents answered from."""
    page.locator("#tc-narrow").get_by_text("Lọc văn bản").click()
    page.locator("#tc-level input").click()
    page.get_by_role("option", name="xã", exact=True).click()
    ask(page, "Công an phải làm gì?")
    wait_text(page, "#tc-chat", "Nguồn:")
    panel = page.locator("#tc-sources").inner_text()
    assert "Tân Hưng" in panel and "153/KH-UBND" not in panel and "Vĩnh Yên" not in panel
    page.locator("#tc-since textarea").fill("32/13/2025")
    page.locator("#tc-since textarea").blur()
    ask(page, "Công an phải làm gì?")
    wait_text(page, "#tc-chat", "Bộ lọc chưa đúng")
    assert "2025-12-31" in bot_texts(page)[-1]


GENERATED = "Năm 2030 Cần Thơ có bao nhiêu xã, phường không ma túy?"


@pytest.mark.slow
def test_examples_and_header_come_from_the_indexed_documents(page):
    wait_text(page, "#tc-examples", "phải làm gì?")  # the page renders the samples after it loads
    assert "Ai ký Kế hoạch 153/KH-UBND?" in page.locator("#tc-examples").inner_text()
    wait_text(page, "#tc-top", "5 văn bản (Kế hoạch, Nghị quyết)")


@pytest.mark.slow
def test_generated_answer_streams_in_browser(page):
    ask(page, GENERATED)  # a question the model answers (targets are listed from the records)
    seen_partial, deadline = False, time.monotonic() + 300
    while time.monotonic() < deadline:
        texts = bot_texts(page)
        last = texts[-1] if texts else ""
        if last.rstrip().endswith("▌"):
            seen_partial = True
        if page.locator("#tc-sources .tc-card").count():
            break
        time.sleep(0.2)
    assert seen_partial, "the answer appeared token by token"
    assert not bot_texts(page)[0].rstrip().endswith("▌"), "then the verified text replaced it"
    assert "Năm 2030" in page.locator("#tc-chat").inner_text()
    page.screenshot(path=OUT / "web-generated.png")

    # clearing mid-answer stops it: the old conversation does not come back, and the model is free again
    ask(page, GENERATED)
    page.wait_for_function("() => [...document.querySelectorAll('#tc-chat .bot')].some(e => e.innerText.includes('▌'))",
                           timeout=120_000)
    page.locator("#tc-examples button").first.click()  # one question at a time per session
    page.get_by_text("Đang trả lời câu hỏi trước").wait_for(timeout=10_000)
    assert len(page.locator("#tc-chat .user").all()) == 2
    page.locator("#tc-clear").click()
    page.wait_for_function("() => !document.querySelector('#tc-chat .bot')", timeout=60_000)
    time.sleep(2)  # and the cancelled answer does not write itself back
    assert not bot_texts(page) and "sẽ hiện ở đây" in page.locator("#tc-sources").inner_text()
    ask(page, "Sở Y tế phải làm gì?")
    wait_text(page, "#tc-sources", "3. Sở Y tế", timeout=60_000)
    assert GENERATED not in page.locator("#tc-chat").inner_text()


@pytest.mark.slow
def test_plans_tab_rejects_a_bad_file_and_indexes_a_good_one(page, web_settings, tmp_path):
    manifest = Path(web_settings.index_dir) / "manifest.json"
    before = manifest.read_bytes()
    page.get_by_role("tab", name="Kế hoạch").click()
    wait_text(page, "#tc-table", "153/KH-UBND")
    fake_pdf, program = tmp_path / "ke-hoach-moi.pdf", tmp_path / "cai-dat.exe"
    fake_pdf.write_bytes(b"MZ\x90\x00 not a PDF")
    program.write_bytes(b"MZ\x90\x00")
    page.set_input_files("#tc-upload input[type=file]", [str(fake_pdf), str(program)])
    wait_text(page, "#tc-upload", "cai-dat")  # Gradio may show the name and its extension apart
    wait_text(page, "#tc-upload", ".exe")
    page.locator("#tc-add").click()
    wait_text(page, "#tc-plan-log", "Từ chối tệp cai-dat.exe")
    log = page.locator("#tc-plan-log").inner_text()
    assert "Từ chối tệp ke-hoach-moi.pdf: nội dung không phải tệp PDF" in log
    assert "định dạng .exe không được hỗ trợ" in log and "Chỉ mục giữ nguyên" in log
    assert manifest.read_bytes() == before
    page.screenshot(path=OUT / "web-plans-rejected.png")
    # the app empties the upload box in a step after the log; a file chosen before that step would be emptied too
    page.wait_for_function("() => !document.querySelector('#tc-upload').innerText.includes('cai-dat')",
                           timeout=60_000)

    good = tmp_path / "an-binh_kh-12-ubnd_2026.txt"
    good.write_text(NEW_PLAN, encoding="utf-8")
    page.set_input_files("#tc-upload input[type=file]", [str(good)])
    wait_text(page, "#tc-upload", good.stem)
    page.locator("#tc-add").click()
    wait_text(page, "#tc-plan-log", "Xong:", timeout=300_000)
    wait_text(page, "#tc-table", "12/KH-UBND")
    assert "6 kế hoạch" in page.locator("#tc-plan-log").inner_text()
    page.screenshot(path=OUT / "web-plans.png")

    page.locator("#tc-remove input").click()
    page.get_by_role("option", name=good.name).click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#tc-remove-btn").click()
    wait_text(page, "#tc-plan-log", "xoá tệp đã tải lên", timeout=300_000)
    page.wait_for_function("() => !document.querySelector('#tc-table').innerText.includes('12/KH-UBND')")
    assert not (web_settings.plans_dir / "uploads" / good.name).exists()


@pytest.mark.slow
def test_duties_tab_in_browser(page, tmp_path):
    import re

    import openpyxl

    page.get_by_role("tab", name="Nhiệm vụ").click()
    wait_text(page, "#tc-duty-summary", "nhiệm vụ của")
    everything = int(re.search(r"(\d+) nhiệm vụ", page.locator("#tc-duty-summary").inner_text()).group(1))
    box = page.locator("#tc-duty-agency textarea, #tc-duty-agency input").first
    box.fill("so y te")
    box.press("Enter")
    wait_text(page, "#tc-duty-summary", "cơ quan so y te")
    found = int(re.search(r"(\d+) nhiệm vụ", page.locator("#tc-duty-summary").inner_text()).group(1))
    assert 0 < found < everything
    table = page.locator("#tc-duty-table").inner_text()
    assert "Sở Y tế" in table and "Kế hoạch 153/KH-UBND" in table
    page.screenshot(path=OUT / "web-duties.png")
    with page.expect_download() as download:
        page.locator("#tc-duty-xlsx").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx" and openpyxl.load_workbook(saved).active.max_row == found + 1

    month = page.locator("#tc-duty-in textarea, #tc-duty-in input").first
    month.fill("13/2025")
    month.press("Enter")
    wait_text(page, "#tc-duty-summary", "Tháng “13/2025” không hợp lệ")


# -- nothing leaves the machine -------------------------------------------------------------------

AUDITED = """
import json, sys
log = open(sys.argv[1], "a", buffering=1)
def hook(event, args):
    if event == "socket.connect":
        log.write(json.dumps(["connect", repr(args[1])]) + "\\n")
    elif event == "socket.getaddrinfo":
        log.write(json.dumps(["getaddrinfo", repr(args[0])]) + "\\n")
    elif event == "socket.sendto":
        log.write(json.dumps(["sendto", repr(args[1])]) + "\\n")
sys.addaudithook(hook)
sys.argv = ["tracuu.web", "--port", sys.argv[2]]
import runpy
runpy.run_module("tracuu.web", run_name="__main__", alter_sys=True)
"""


def _is_local(address) -> bool:
    if isinstance(address, (str, bytes)):  # a Unix socket
        return True
    host = str(address[0]).split("%")[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.mark.slow
def test_no_connection_leaves_the_machine(web_settings, tmp_path):
    """Run the server as `tracuu serve` would, watch every socket it opens (Python's audit hooks for
    connect, getaddrinfo and sendto, psutil for sockets of native code) while it starts, loads the
    models and answers, and find only this machine at the other end."""
    import ast

    import psutil

    port, events = free_port(), tmp_path / "sockets.jsonl"
    env = dict(os.environ, TRACUU_LLM="fast", TRACUU_INDEX_DIR=str(web_settings.index_dir),
               TRACUU_PLANS_DIR=str(web_settings.plans_dir), PYTHONPATH=str(REPO))
    for name in ("GRADIO_ANALYTICS_ENABLED", "HF_HUB_OFFLINE", "HF_HUB_DISABLE_TELEMETRY"):
        env.pop(name, None)  # the app must switch these off itself
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", AUDITED, str(events), str(port)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen: set[tuple] = set()
    stop = threading.Event()

    def watch():
        p = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                for c in p.net_connections(kind="inet"):
                    if c.raddr:
                        seen.add((c.raddr.ip, c.raddr.port, c.status))
            except psutil.Error:
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"the server stopped: {proc.stdout.read()}")
                time.sleep(0.3)
        up = time.perf_counter() - started
        from gradio_client import Client

        client = Client(url, verbose=False, download_files=False)
        asked = time.perf_counter()
        _, history = client.predict("Sở Y tế phải làm gì?", [], api_name="/start")
        history, panel = client.predict(history, [], "fast", api_name="/respond")
        answered = time.perf_counter() - asked
        client.close()
        assert "153/KH-UBND" in panel and "3. Sở Y tế" in panel
        print(f"\nserver listening after {up:.1f} s; first answer (models loading) {answered:.1f} s")
    finally:
        stop.set()
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        watcher.join(5)

    calls = [json.loads(line) for line in events.read_text().splitlines()]
    assert any(kind == "connect" for kind, _ in calls), "the hook saw the server's own sockets"
    outside = []
    for kind, arg in calls:
        value = ast.literal_eval(arg)
        if kind == "getaddrinfo":
            host = value.decode() if isinstance(value, bytes) else value
            if host not in (None, "localhost", "127.0.0.1", "::1", "0.0.0.0"):
                outside.append((kind, host))
        elif not _is_local(value):
            outside.append((kind, value))
    outside += [c for c in seen if not _is_local(c)]
    assert not outside, f"connections that leave the machine: {outside}"
