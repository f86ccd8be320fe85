"""The web assistant (`tracuu serve`): a Gradio app with a chat tab and a plans tab, bound to
127.0.0.1, never shared, with analytics and hub calls off. Requests queue for the one model
instead of failing; each browser session keeps its own conversation.

The work is done without gradio in `web_chat` (streamed answers, cited passages) and `web_plans`
(plan list, upload, re-index, removal); `web_track` ("Theo dõi") and `web_compare` ("So sánh") lay out
their own tabs; this module lays out the page and wires the events."""

from __future__ import annotations

import argparse
import html
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tracuu.errors import TracuuError

NARROWING = ("issuer", "level", "kind", "since", "until")  # the chat's library filters (tracuu.services.filters)

QUEUE_MAX = 100  # questions waiting at once; beyond this a user is told the queue is full
MAX_UPLOAD = "100mb"  # hard cap at the HTTP layer; the plan size limit (settings.max_file_mb) is checked after
CLEAR_WAIT = 5.0  # seconds "Xoá hội thoại" waits for a stopped answer's stream to end (it ends at its next token)
WAITING = "_Đang chờ đến lượt (mô hình trả lời lần lượt từng câu)…_"


def offline_env() -> None:
    """Gradio and the hub call out at start-up unless told not to; set before gradio is imported."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


@dataclass
class _Page:
    """What the three tabs share: the services, the session state and the components another tab updates."""

    gr: object
    runtime: object
    chat: object
    plans: object
    duties: object
    logins: object = None  # tracuu.accounts.Logins, or None: nobody logs in (the server is on loopback)
    conversation: object = None
    plan_filter: object = None  # chat tab: refreshed when the plans change
    duty_plan: object = None  # duties tab: refreshed when the plans change


LIGHT = dict(queue=False, show_progress="hidden", api_visibility="private")
MODEL_WORK = dict(concurrency_id="model", concurrency_limit=1)


def build_app(runtime, upload_dir: Path | None = None, warm: bool = False, logins=None):
    """The gr.Blocks of the assistant: a header, then one function per tab. `warm` starts loading the
    default model in the background; `logins` (tracuu.accounts.Logins) gives each user's role."""
    offline_env()
    import gradio as gr

    from assistant.conversation import Conversation
    from tracuu import web_compare, web_duties, web_track
    from tracuu.web_chat import ChatService
    from tracuu.web_plans import PlanService

    lock = threading.Lock()
    page = _Page(gr, runtime, ChatService(runtime, lock), PlanService(runtime, lock, upload_dir, _gradio_uploads()),
                 web_duties.DutiesService(runtime), logins)
    if warm:
        page.chat.warm_in_background()
    with gr.Blocks(title="tracuu — tra cứu kế hoạch") as demo:
        _header(page, demo)
        page.conversation = gr.State(Conversation())
        with gr.Tabs():
            with gr.Tab("Hỏi đáp", id="chat"):
                _chat_tab(page, demo)
            with gr.Tab("Nhiệm vụ", id="duties"):
                _duties_tab(page, demo)
            web_track.track_tab(page, demo)  # "Theo dõi": statuses of the tasks
            web_compare.compare_tab(page, demo)  # "So sánh": two documents item by item
            with gr.Tab("Kế hoạch", id="plans"):
                _plans_tab(page, demo)
    return demo


def _gradio_uploads() -> Path:
    """Where gradio keeps the files a browser uploads (its cache, never the user's own files)."""
    import tempfile

    return Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")


def _header(page: _Page, demo) -> None:
    gr, chat = page.gr, page.chat
    with gr.Row(elem_id="tc-top", equal_height=True):
        gr.HTML(f"<b>tracuu</b> — hỏi đáp trên {html.escape(page.plans.heading())} "
                '<span class="tc-muted">· ngoại tuyến, có trích dẫn</span>', scale=3)
        status = gr.HTML(elem_id="tc-status", scale=2)
    timer = gr.Timer(1.5)

    def status_line():
        if chat.is_ready():
            secs = chat.load_seconds.get(chat.model_choice(None))
            took = f" (tải mô hình {secs:.0f} giây)" if secs else ""
            return f'<span class="tc-dot tc-ready"></span>Sẵn sàng{took}', gr.Timer(active=False)
        return ('<span class="tc-dot tc-loading"></span><b>Đang tải mô hình…</b> câu hỏi gửi lúc này '
                "sẽ được trả lời ngay khi tải xong", gr.Timer(active=True))

    demo.load(status_line, None, [status, timer], **LIGHT)
    timer.tick(status_line, None, [status, timer], **LIGHT)


def _chat_tab(page: _Page, demo) -> None:
    gr, chat, plans, runtime = page.gr, page.chat, page.plans, page.runtime
    from assistant.conversation import Conversation
    from tracuu import services
    from tracuu.services import LEVELS
    from tracuu.web_chat import (EMPTY_PANEL, MAX_QUESTION_CHARS, WAITING_PANEL, sources_html, sources_markdown,
                                 trim_history)

    default_model = runtime.settings.llm
    models = [("Mặc định (chính xác hơn)", "default"), ("Nhanh", "fast")]
    if default_model not in ("default", "fast"):
        models.append((Path(default_model).name, default_model))
    conversation = page.conversation
    pending = gr.State("")  # the question being answered in this session
    busy = gr.State(False)  # True while this session waits for an answer
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=440):
            chatbot = gr.Chatbot(
                show_label=False, height="calc(100vh - 330px)", min_height=260, buttons=["copy"],
                feedback_options=None, elem_id="tc-chat",
                placeholder="Đặt câu hỏi về các kế hoạch. Mỗi câu trả lời đều ghi nguồn; "
                            "khi kế hoạch không nêu, trợ lý sẽ nói rõ.",
            )
            question = gr.Textbox(
                show_label=False, placeholder="Nhập câu hỏi rồi nhấn Enter…", submit_btn="Gửi",
                max_lines=4, max_length=MAX_QUESTION_CHARS, elem_id="tc-question",
            )
            # made from the indexed documents' records (tracuu/web_plans.py), never written in the code
            examples = gr.Dataset(components=[question], samples=[[q] for q in plans.examples()],
                                  label="Câu hỏi mẫu — bấm để hỏi", elem_id="tc-examples")
        with gr.Column(scale=2, min_width=340):
            page.plan_filter = plan_filter = gr.Dropdown(
                choices=plans.choices(), multiselect=True, value=[],
                label="Chỉ tìm trong (bỏ trống = mọi kế hoạch)", elem_id="tc-plans",
            )
            narrowing = gr.State({})  # the library filters below (a State: not a parameter of the /respond API)
            with gr.Accordion("Lọc văn bản (cơ quan ban hành, cấp, loại, ngày ký)", open=False, elem_id="tc-narrow"):
                with gr.Row(equal_height=True):
                    issuer = gr.Textbox(label="Cơ quan ban hành", placeholder="vd. UBND tỉnh", max_length=200,
                                        elem_id="tc-issuer")
                    level = gr.Dropdown(choices=[("mọi cấp", "")] + [(x, x) for x in LEVELS], value="",
                                        label="Cấp", elem_id="tc-level")
                    kind = gr.Textbox(label="Loại văn bản", placeholder="vd. quyết định", max_length=100,
                                      elem_id="tc-kind")
                with gr.Row(equal_height=True):
                    since = gr.Textbox(label="Ký từ ngày", placeholder="01/11/2025", max_length=20, elem_id="tc-since")
                    until = gr.Textbox(label="Đến ngày", placeholder="31/12/2025", max_length=20, elem_id="tc-until")
            boxes = [issuer, level, kind, since, until]
            for box in boxes:
                box.change(lambda *values: dict(zip(NARROWING, values)), boxes, narrowing, api_visibility="private",
                           show_progress="hidden", queue=False)
            with gr.Row(equal_height=True, elem_id="tc-options"):
                model = gr.Radio(models, value=default_model, show_label=False, scale=3,
                                 container=False, elem_id="tc-model")
                clear_btn = gr.Button("Xoá hội thoại", scale=1, min_width=120, size="sm", elem_id="tc-clear")
            panel = gr.HTML(EMPTY_PANEL, elem_id="tc-sources")

    def start(question, history, busy):
        if busy:  # one question at a time per session: its answer is still coming
            raise gr.Error("Đang trả lời câu hỏi trước — xin chờ xong rồi hỏi tiếp.", duration=4, title="Xin chờ")
        question = " ".join((question or "").split())
        if not question:
            return gr.skip(), gr.skip(), "", False
        if len(question) > MAX_QUESTION_CHARS:  # the box stops typing there; a script is told the same
            raise gr.Error(f"Câu hỏi dài {len(question)} ký tự, tối đa {MAX_QUESTION_CHARS} — hãy hỏi ngắn gọn hơn.",
                           duration=6, title="Câu hỏi quá dài")
        history = trim_history(history) + [{"role": "user", "content": question}, {"role": "assistant", "content": WAITING}]
        return gr.Textbox(value="", interactive=False), history, question, True

    def pick_example(sample, history, busy):
        question = sample[0] if isinstance(sample, (list, tuple)) else sample
        return start(question, history, busy)

    def respond(question, history, conversation, plan_ids, model, narrowing, request):
        if not question:
            return
        history = trim_history(history)
        if not history or history[-1].get("role") != "assistant":
            history.append({"role": "assistant", "content": WAITING})
        wanted = {k: (v or "").strip() or None for k, v in (narrowing or {}).items() if k in NARROWING}
        try:
            filters = services.filters(plan_ids, **wanted) if plan_ids or any(wanted.values()) else None
        except TracuuError as exc:
            history[-1] = {"role": "assistant", "content": f"**Bộ lọc chưa đúng:** {exc}"}
            yield history, conversation, gr.skip()
            return
        shown, last = "", 0.0
        session = getattr(request, "session_hash", None)

        for kind, value in chat.stream(question, conversation, filters, model, session=session):
            if kind == "status":
                history[-1] = {"role": "assistant", "content": f"_{value}_"}
                yield history, conversation, WAITING_PANEL
            elif kind == "token":
                shown += value
                if time.monotonic() - last > 0.08:  # about 12 updates a second is smooth enough
                    last = time.monotonic()
                    history[-1] = {"role": "assistant", "content": shown + " ▌"}
                    yield history, conversation, gr.skip()
            elif kind == "error":
                history[-1] = {"role": "assistant", "content": f"**Lỗi:** {value}"}
                yield history, conversation, gr.skip()
            else:
                answer = value
                history[-1] = {"role": "assistant", "content": answer.text}
                refs = answer.closest if answer.refused else answer.citations
                if refs:
                    title = (f"Các đoạn gần nhất ({len(refs)})" if answer.refused
                             else f"Nguồn: {len(refs)} đoạn trích — chi tiết ở khung bên phải")
                    meta = {"title": title} if len(refs) <= 4 else {"title": title, "status": "done"}
                    history.append({"role": "assistant", "content": sources_markdown(refs), "metadata": meta})
                yield history, conversation, sources_html(answer, chat.documents())

    def unlock():
        return gr.Textbox(interactive=True), False

    def clear(conversation, request):
        # the answer under way stops now, not when its generation ends; gradio hands each event its own
        # copy of the conversation state, so the session is what names the answer to stop. The empty chat
        # goes out on the session's queue stream after the answer's last update (waited for), so a late
        # update of the stopped answer cannot write the old conversation back.
        chat.cancel(conversation)
        chat.cancel_session(getattr(request, "session_hash", None), wait=CLEAR_WAIT)
        return [], Conversation(), EMPTY_PANEL, "", gr.Textbox(interactive=True), False

    def closed(request):
        """The tab was closed: its answer stops at the next token and frees the model."""
        chat.cancel_session(getattr(request, "session_hash", None))

    # gradio passes the request (its session) to a parameter annotated gr.Request
    respond.__annotations__["request"] = closed.__annotations__["request"] = gr.Request
    clear.__annotations__["request"] = gr.Request
    chat_outputs = [chatbot, conversation, panel]
    # the browser's path, and the API a script uses: /start (question -> session state), then /respond
    chat_inputs = [pending, chatbot, conversation, plan_filter, model, narrowing]
    started = [question, chatbot, pending, busy]
    instant = dict(concurrency_limit=None, show_progress="hidden")  # queued (so errors show), never waiting
    asked = question.submit(start, [question, chatbot, busy], started, api_name="start", **instant)
    picked = examples.click(pick_example, [examples, chatbot, busy], started, api_visibility="private", **instant)
    answers = [
        asked.success(respond, chat_inputs, chat_outputs, show_progress="minimal", api_name="respond", **MODEL_WORK),
        picked.success(respond, chat_inputs, chat_outputs, show_progress="minimal", api_visibility="private",
                       **MODEL_WORK),
    ]
    for answer in answers:
        answer.then(unlock, None, [question, busy], **LIGHT)
    # clearing stops this session's answer, so it cannot write the old conversation back
    clear_btn.click(clear, conversation, [chatbot, conversation, panel, pending, question, busy], cancels=answers,
                    api_visibility="private", **instant)
    demo.unload(closed)


def _duties_tab(page: _Page, demo) -> None:
    gr, duties = page.gr, page.duties
    from assistant.duties_table import describe_filters
    from tracuu import web_duties

    gr.Markdown("Cơ quan nào phải làm gì, hạn khi nào — lấy đủ từ mọi kế hoạch, mỗi dòng ghi mục "
                "và trích nguyên văn. Gõ có dấu hay không dấu đều được.", elem_id="tc-duties-intro")
    with gr.Row(equal_height=True, elem_id="tc-duty-filters"):
        duty_agency = gr.Textbox(label="Cơ quan", placeholder="Sở Y tế, so y te, Công an TP, y tế…",
                                 scale=3, elem_id="tc-duty-agency")
        page.duty_plan = duty_plan = gr.Dropdown(choices=duty_plan_choices(duties), value="", label="Kế hoạch",
                                                 scale=3, elem_id="tc-duty-plan")
        duty_before = gr.Textbox(label="Đến hạn trước ngày", placeholder="31/12/2025", scale=2,
                                 elem_id="tc-duty-before")
        duty_in = gr.Textbox(label="Đến hạn trong tháng", placeholder="12/2025", scale=2, elem_id="tc-duty-in")
        duty_btn = gr.Button("Lọc", variant="primary", scale=1, min_width=80, elem_id="tc-duty-find")
    with gr.Row(equal_height=True, elem_id="tc-duty-bar"):
        duty_summary = gr.Markdown("", elem_id="tc-duty-summary")
        downloads = [gr.DownloadButton(f"Tải {label}", visible=False, size="sm", scale=0, min_width=120,
                                       elem_id=f"tc-duty-{fmt}")
                     for fmt, label in web_duties.EXPORTS.items()]
    duty_table = gr.Dataframe(headers=web_duties.COLUMNS, value=[], interactive=False, wrap=True,
                              column_widths=web_duties.COLUMN_WIDTHS, max_height=520,
                              show_label=False, elem_id="tc-duty-table")

    def find_duties(agency, plan, due_before, due_in):
        """The filtered table, its summary line, and a fresh file behind each download button."""
        filters = describe_filters(agency, plan, due_before, due_in)
        try:
            rows = duties.find(agency, plan, due_before, due_in)
        except TracuuError as exc:
            return (f"**Lỗi:** {exc}", gr.skip(), *[gr.DownloadButton(visible=False)] * len(web_duties.EXPORTS))
        files = duties.exports(rows, filters) if rows else [None] * len(web_duties.EXPORTS)
        return (web_duties.summary(rows, filters), web_duties.rows_for_display(rows),
                *[gr.DownloadButton(value=f, visible=f is not None) for f in files])

    duty_inputs = [duty_agency, duty_plan, duty_before, duty_in]
    duty_outputs = [duty_summary, duty_table, *downloads]
    demo.load(find_duties, duty_inputs, duty_outputs, **LIGHT)
    for trigger in (duty_btn.click, duty_agency.submit, duty_before.submit, duty_in.submit, duty_plan.change):
        trigger(find_duties, duty_inputs, duty_outputs, api_visibility="private", concurrency_limit=4,
                show_progress="minimal")


def duty_plan_choices(duties) -> list:
    return [("Mọi kế hoạch", "")] + duties.plans()


def _plans_tab(page: _Page, demo) -> None:
    gr, plans = page.gr, page.plans
    from tracuu.web_plans import COLUMN_WIDTHS, COLUMNS

    table = gr.Dataframe(headers=COLUMNS, value=plans.rows(), interactive=False, wrap=True,
                         column_widths=COLUMN_WIDTHS, label="Các kế hoạch đã nạp", max_height=250,
                         elem_id="tc-table")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            uploads = gr.File(
                label=f"Tải lên kế hoạch (.txt, .md, .docx, .doc, .odt, .pdf; tối đa {plans.max_mb:g} MB mỗi tệp)",
                file_count="multiple", type="filepath", height=130, elem_id="tc-upload",
            )
            add_btn = gr.Button("Nạp và lập chỉ mục", variant="primary", elem_id="tc-add")
        with gr.Column(scale=2):
            with gr.Row(equal_height=True):
                remove_choice = gr.Dropdown(choices=plans.files(), value=None, label="Gỡ một kế hoạch",
                                            scale=3, elem_id="tc-remove")
                remove_btn = gr.Button("Gỡ", variant="stop", scale=1, min_width=70, elem_id="tc-remove-btn")
            plan_log = gr.Markdown("", elem_id="tc-plan-log")

    def refresh():
        files = plans.files()
        return (plans.rows(), gr.Dropdown(choices=plans.choices()),
                gr.Dropdown(choices=files, value=None), gr.Dropdown(choices=duty_plan_choices(page.duties)))

    def run_plans(job):
        lines: list[str] = []
        try:
            for line in job:
                lines.append(line)
                yield "  \n".join(lines), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        except TracuuError as exc:
            lines.append(f"**Lỗi:** {exc}")
        yield ("  \n".join(lines), *refresh())

    def add_plans(files, request):
        yield from run_plans(plans.add(list(files or []), actor_of(page.logins, request)))

    def remove_plan(file, request):
        if not file:
            yield "Chọn một kế hoạch để gỡ.", gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        yield from run_plans(plans.remove(file, actor_of(page.logins, request)))

    add_plans.__annotations__["request"] = remove_plan.__annotations__["request"] = gr.Request
    refreshed = [table, page.plan_filter, remove_choice, page.duty_plan]
    demo.load(refresh, None, refreshed, **LIGHT)
    plan_outputs = [plan_log, *refreshed]
    # indexing runs in its own process and never holds the model: answers go on meanwhile
    indexing = dict(concurrency_id="index", concurrency_limit=1)
    add_btn.click(add_plans, uploads, plan_outputs, api_visibility="private", **indexing,
                  ).then(lambda: None, None, uploads, **LIGHT)
    remove_btn.click(remove_plan, remove_choice, plan_outputs, api_visibility="private", **indexing,
                     js="(f) => (f && confirm('Gỡ kế hoạch ' + f + ' khỏi chỉ mục?')) ? f : null")


def actor_of(logins, request):
    """Who asks (tracuu.audit.Actor), with the role of their account, for the check and the audit log:
    without logins (the server is on loopback) the person at this machine."""
    from tracuu.audit import Actor
    from tracuu.web_plans import LOCAL

    address = getattr(getattr(request, "client", None), "host", "") or ""
    if logins is None:
        return Actor(LOCAL.who, LOCAL.role, "web", address)
    name = getattr(request, "username", None) or ""
    return Actor(name or "(không rõ)", logins.role_of(name) or "doc", "web", address)


def launch(demo, host: str = "127.0.0.1", port: int = 7860, auth=None, block: bool = True):
    """Start the queued app. share is always off; only loopback unless a host is given."""
    import gradio as gr
    from starlette.middleware import Middleware

    from tracuu.accounts import ClientAddress
    from tracuu.web_theme import CSS, GRADIO_VI

    demo.queue(default_concurrency_limit=1, max_size=QUEUE_MAX)
    demo.launch(
        server_name=host, server_port=port, share=False, auth=auth,
        auth_message="Đăng nhập để dùng trợ lý tra cứu kế hoạch.", inbrowser=False, prevent_thread_lock=not block,
        max_file_size=MAX_UPLOAD, ssr_mode=False, enable_monitoring=False, run_history=False,
        footer_links=[], mcp_server=False, css=CSS, quiet=not block,
        i18n=gr.I18n(en=GRADIO_VI, vi=GRADIO_VI),  # Gradio ships no Vietnamese
        app_kwargs={"middleware": [Middleware(ClientAddress)]},  # failed logins are counted per address too
    )
    return demo


def serve(host: str = "127.0.0.1", port: int = 7860, auth: str | None = None, auth_file: str | Path | None = None,
          upload_dir: Path | None = None, runtime=None, block: bool = True):
    """Build and run the assistant; `auth` is "user:password", `auth_file` holds one such line per user."""
    offline_env()
    import logging

    from tracuu.runtime import Runtime

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("tracuu.web").setLevel(logging.INFO)  # one line per answer, with its timings
    import sys

    from tracuu.accounts import Logins, check_host

    accounts = read_accounts_of(auth, auth_file)  # checked before anything starts
    if auth:
        print("tracuu: CẢNH BÁO — mật khẩu của --auth hiện trong danh sách tiến trình (`ps`) của máy này; "
              "dùng --auth-file (tạo bằng `tracuu users add`).", file=sys.stderr, flush=True)
    check_host(host, "--auth-file TỆP (tạo bằng `tracuu users add TÊN --file TỆP`)", bool(accounts))
    runtime = runtime or Runtime()
    logins = Logins(accounts) if accounts else None
    demo = build_app(runtime, upload_dir, warm=True, logins=logins)
    print(f"tracuu: trợ lý web tại http://{'[' + host + ']' if ':' in host else host}:{port}"
          f"{f' (có đăng nhập, {len(accounts)} tài khoản)' if accounts else ''} — Ctrl-C để dừng.", flush=True)
    return launch(demo, host, port, logins.auth if logins else None, block)


def read_accounts_of(auth: str | None, auth_file: str | Path | None) -> list | None:
    """The accounts (tracuu.accounts.Account) of --auth and --auth-file; None when no login is asked for.
    An accounts file that is unreadable, empty (only comments or blank lines) or has a malformed line is
    an error."""
    from tracuu.accounts import parse_line, read_accounts

    accounts = [parse_line(auth, "--auth")] if auth else []
    if auth_file:
        accounts += read_accounts(Path(auth_file))
    return accounts or None


def read_credentials(auth: str | None, auth_file: str | Path | None) -> list[tuple[str, str]] | None:
    """(name, password or scrypt hash) of each account; None when no login is asked for."""
    accounts = read_accounts_of(auth, auth_file)
    return [(a.name, a.secret) for a in accounts] if accounts else None


def add_serve_parser(subparsers) -> argparse.ArgumentParser:
    """`tracuu serve [--host 127.0.0.1] [--port 7860] [--auth user:pass | --auth-file F] [--upload-dir D]`."""
    s = subparsers.add_parser("serve", help="mở trợ lý web (Gradio) tại http://127.0.0.1:7860")
    s.add_argument("--host", default="127.0.0.1",
                   help="địa chỉ lắng nghe (mặc định 127.0.0.1: chỉ máy này; 0.0.0.0 để mở cho mạng nội bộ, "
                        "khi đó phải có --auth-file)")
    s.add_argument("--port", type=int, default=7860, help="cổng (mặc định 7860)")
    who = s.add_mutually_exclusive_group()
    who.add_argument("--auth", metavar="TÊN:MẬT_KHẨU",
                     help="yêu cầu đăng nhập với tài khoản này (mật khẩu hiện trong `ps`: nên dùng --auth-file)")
    who.add_argument("--auth-file", type=Path, metavar="TỆP",
                     help="tệp tài khoản, mỗi dòng một tên:mật_khẩu (mật khẩu có thể mã hoá: `tracuu users add`)")
    s.add_argument("--upload-dir", type=Path, default=None,
                   help="thư mục lưu kế hoạch tải lên (mặc định: <thư mục kế hoạch>/uploads)")
    s.set_defaults(func=cmd_serve)
    return s


def cmd_serve(args) -> int:
    serve(args.host, args.port, args.auth, args.auth_file, args.upload_dir)
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m tracuu.web` runs the same as `tracuu serve`."""
    import sys

    parser = argparse.ArgumentParser(prog="python -m tracuu.web")
    add_serve_parser(parser.add_subparsers()).prog = "serve"
    args = parser.parse_args(["serve", *(sys.argv[1:] if argv is None else argv)])
    try:
        return args.func(args)
    except TracuuError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
