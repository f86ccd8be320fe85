"""The "Theo dõi" and "So sánh" tabs of the web assistant: the real app (tracuu.web) over a private
index of the bundled plans built with the hashing embedder, its own follow-up store and audit log, two
accounts (bien-tap and doc), in headless Chromium as tests/test_web_ui.py runs it."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from index.build import build_index
from index.embedder import HashingEmbedder
from tests.fakes import ScriptedGenerator
from tests.test_web_ui import OUT, VIEWPORT, browser, free_port, wait_text  # noqa: F401 — browser is a fixture
from tracuu.accounts import Account, Logins
from tracuu.audit import read as read_audit
from tracuu.track_store import DONE, STATUSES, default_url, open_store
from tracuu.web import actor_of
from tracuu.web_track import TrackService

REPO = Path(__file__).resolve().parent.parent
EDITOR, READER = ("binh", "mk-binh-2026", "bien-tap"), ("an", "mk-an-2026", "doc")
OLD, NEW = "vinh-yen_kh-ubnd_2021", "can-tho_kh-153-ubnd_2025"  # two bundled plans of different years


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """(settings, runtime, logins) of a private index, store and audit log in a temporary folder."""
    from tracuu.runtime import Runtime
    from tracuu.settings import Settings

    folder = tmp_path_factory.mktemp("track-web")
    plans = folder / "plans"
    shutil.copytree(REPO / "data" / "plans", plans, ignore=shutil.ignore_patterns("README.md", "uploads"))
    settings = Settings.from_env(index_dir=folder / "index", plans_dir=plans, audit_file=str(folder / "audit.jsonl"))
    assert str(folder) in default_url(settings), "the follow-up store is the temporary one, never data/index's"
    embedder = HashingEmbedder()
    build_index([plans], settings, embedder)
    runtime = Runtime(settings, embedder=embedder, generator_for=lambda choice: ScriptedGenerator("Không có."))
    logins = Logins([Account(name, password, role) for name, password, role in (EDITOR, READER)])
    return settings, runtime, logins


def statuses(settings) -> dict:
    store = open_store(settings)
    try:
        return {k: (e.status, e.note) for k, e in store.current().items()}
    finally:
        store.close()


def test_nobody_logged_in_while_accounts_exist_is_refused(app):
    """As for uploads: a request without a user name, on a server with accounts, reads only."""
    from tracuu.web_duties import DutiesService

    settings, runtime, logins = app
    service = TrackService(runtime, DutiesService(runtime))
    task = service.find("cong an")[0]
    before = statuses(settings)
    said = service.set_status(task.task_id, DONE, "xong", actor_of(logins, None))
    assert said.startswith("**Không được phép:**") and "bien-tap" in said
    assert statuses(settings) == before
    assert read_audit(settings)[-1]["allowed"] is False and read_audit(settings)[-1]["action"] == "status"


@pytest.fixture(scope="module")
def server(app):
    from tracuu.web import build_app, launch

    settings, runtime, logins = app
    port = free_port()
    demo = launch(build_app(runtime, settings.plans_dir / "uploads", logins=logins), "127.0.0.1", port,
                  logins.auth, block=False)
    yield f"http://127.0.0.1:{port}"
    demo.close()


def logged_in(browser, server, account):
    """A page of the app for this account (Gradio's /login sets the cookie the browser then sends)."""
    context = browser.new_context(viewport=VIEWPORT, locale="vi-VN")
    answer = context.request.post(f"{server}/login", form={"username": account[0], "password": account[1]})
    assert answer.ok, answer.text()
    page = context.new_page()
    page.goto(server)
    return context, page


def open_track_tab(page, agency: str = ""):
    page.get_by_role("tab", name="Theo dõi").click()
    wait_text(page, "#tc-track-summary", "nhiệm vụ")
    if agency:
        box = page.locator("#tc-track-agency textarea, #tc-track-agency input").first
        box.fill(agency)
        box.press("Enter")
        wait_text(page, "#tc-track-summary", f"cơ quan {agency}")


def count(page) -> int:
    return int(re.search(r"(\d+) nhiệm vụ", page.locator("#tc-track-summary").inner_text()).group(1))


def choose(page, selector: str, option: str):
    page.locator(f"{selector} input").click()
    page.get_by_role("option", name=option, exact=True).locator("visible=true").first.click()


CELL = "[role=gridcell]"  # Gradio's table draws its rows as div[role=row] with div[role=gridcell] cells


def first_row(page):
    return page.locator(f"#tc-track-table [role=row]:has({CELL})").first


def set_first_task(page, status: str, note: str) -> str:
    """Click the first row, choose a status, write a note, press the button; the task's id."""
    first = first_row(page)
    task_id = first.locator(CELL).first.inner_text().strip()
    first.locator(CELL).nth(2).click()  # the row's task: its id goes into the task box
    page.wait_for_function("(id) => document.querySelector('#tc-track-task input').value.startsWith(id)",
                           arg=task_id, timeout=10_000)
    choose(page, "#tc-track-status", status)
    page.locator("#tc-track-note textarea, #tc-track-note input").first.fill(note)
    page.locator("#tc-track-save").click()
    return task_id


@pytest.mark.slow
def test_track_tab_filters_sets_a_status_that_survives_a_reload(app, browser, server):
    settings = app[0]
    context, page = logged_in(browser, server, EDITOR)
    try:
        open_track_tab(page)
        everything = count(page)
        open_track_tab(page, "cong an")  # without diacritics, as in the Nhiệm vụ tab
        found = count(page)
        assert 0 < found < everything
        assert "Công an" in page.locator("#tc-track-table").inner_text()
        task_id = set_first_task(page, DONE, "Đã họp triển khai ngày 3/12")
        wait_text(page, "#tc-track-message", f"Đã đặt {task_id}")
        wait_text(page, "#tc-track-table", "Đã họp triển khai ngày 3/12")
        assert statuses(settings)[task_id] == (DONE, "Đã họp triển khai ngày 3/12")
        entry = read_audit(settings)[-1]
        assert (entry["who"], entry["action"], entry["file"], entry["allowed"]) == ("binh", "status", task_id, True)
        OUT.mkdir(exist_ok=True)
        page.screenshot(path=OUT / "web-track.png")

        page.reload()
        open_track_tab(page, "cong an")
        row = first_row(page).inner_text()
        assert task_id in row and DONE in row and "binh" in row

        month = page.locator("#tc-track-in textarea, #tc-track-in input").first
        month.fill("13/2025")
        month.press("Enter")
        wait_text(page, "#tc-track-summary", "Tháng “13/2025” không hợp lệ")
    finally:
        context.close()


@pytest.mark.slow
def test_a_doc_account_cannot_change_a_status(app, browser, server):
    settings = app[0]
    context, page = logged_in(browser, server, READER)
    try:
        open_track_tab(page, "cong an")
        before = statuses(settings)
        set_first_task(page, STATUSES[1], "thử")
        wait_text(page, "#tc-track-message", "Không được phép")
        assert "chỉ đọc" in page.locator("#tc-track-message").inner_text()
        time.sleep(0.5)
        assert statuses(settings) == before
        entry = read_audit(settings)[-1]
        assert (entry["who"], entry["role"], entry["allowed"]) == ("an", "doc", False)
        page.screenshot(path=OUT / "web-track-doc.png")
    finally:
        context.close()


@pytest.mark.slow
def test_compare_tab_shows_a_table_for_two_plans(app, browser, server):
    from index.store import read_index

    labels = {d.doc_id: d.label for d in read_index(app[0].index_dir).documents}
    context, page = logged_in(browser, server, READER)  # reading: any account
    try:
        page.get_by_role("tab", name="So sánh").click()
        choose(page, "#tc-compare-a", labels[OLD])
        choose(page, "#tc-compare-b", labels[NEW])
        page.locator("#tc-compare-agency textarea, #tc-compare-agency input").first.fill("cong an")
        page.locator("#tc-compare-run").click()
        page.wait_for_selector("#tc-compare-result table", timeout=120_000)
        shown = page.locator("#tc-compare-result").inner_text()
        assert "STT" in shown and "Văn bản A" in shown and "[A, mục" in shown and "[B, mục" in shown
        assert labels[OLD] in shown and labels[NEW] in shown
        page.screenshot(path=OUT / "web-compare.png")
    finally:
        context.close()
