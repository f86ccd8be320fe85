"""Fault injection: every way the first version lost data or let someone in, injected for real —
a foreign index directory, two ingests at once, a reader during 200 swaps, a writer killed at every
step of the swap, each part of the index corrupted then rebuilt, the same plan under two names, a
30,000-character question, an empty accounts file, bad settings, and the web's indexing process.
Real index files throughout, built with the HashingEmbedder (the e5 model is not the point here)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from index.build import NothingIngested, build_index
from index.embedder import HashingEmbedder
from index.lock import writer_lock
from index.search import Searcher
from index.store import CRASH_ENV, MARKER, PARTS, SWAP_STEPS, read_index
from tracuu.errors import TracuuError

REPO = Path(__file__).resolve().parent.parent
PLANS = REPO / "data" / "plans"


def small_plan(place: str, number: int, agency: str = "Trạm y tế") -> str:
    return textwrap.dedent(f"""\
        ỦY BAN NHÂN DÂN
        XÃ {place.upper()}
        Số: {number}/KH-UBND

        KẾ HOẠCH
        Phòng, chống ma túy trên địa bàn xã {place} năm 2026

        I. MỤC ĐÍCH, YÊU CẦU
        1. Mục đích
        Kiềm chế, làm giảm số người nghiện ma túy trên địa bàn xã {place}; phấn đấu 100% thôn không ma túy.

        II. PHÂN CÔNG NHIỆM VỤ
        1. {agency} xã {place}
        a) Phối hợp tổ chức xác định tình trạng nghiện ma túy cho người sử dụng trái phép chất ma túy.
        b) Tuyên truyền tác hại của ma túy tại các thôn của xã {place}, mỗi quý ít nhất một lần.
        """)


@pytest.fixture
def settings(tmp_path):
    from tracuu.settings import Settings

    return Settings.from_env(index_dir=tmp_path / "index", plans_dir=tmp_path / "plans")


def make_plans(folder: Path, *places: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, place in enumerate(places, 1):
        path = folder / f"{place.lower().replace(' ', '-')}.txt"
        path.write_text(small_plan(place, 10 + i), encoding="utf-8")
        out.append(path)
    return out


def build(settings, *paths, **kw):
    return build_index(list(paths), settings, HashingEmbedder(), **kw)


def tree(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def run_py(code: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=full, capture_output=True, text=True,
                          timeout=timeout)


def run_cli(*args: str, env: dict | None = None, timeout: float = 120, stdin: str | None = None):
    full = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
    return subprocess.run([sys.executable, "-m", "tracuu.cli", *args], cwd=REPO, env=full, capture_output=True,
                          text=True, timeout=timeout, input=stdin)


# -- 1. the index directory is tracuu's own ---------------------------------------------------------

def test_a_foreign_directory_is_refused_and_left_untouched(settings, tmp_path):
    foreign = tmp_path / "ho-so"
    (foreign / "sub").mkdir(parents=True)
    (foreign / "f.docx").write_text("a")
    (foreign / "sub" / "ghi-chu.txt").write_text("b")
    before = tree(foreign)
    [plan] = make_plans(tmp_path / "plans", "An Bình")
    with pytest.raises(TracuuError, match="không phải thư mục chỉ mục của tracuu") as err:
        build(settings.with_(index_dir=foreign), plan)
    assert "f.docx" in str(err.value) and "không có gì bị xoá" in str(err.value)
    assert tree(foreign) == before, "nothing moved, deleted or added"


def test_a_file_at_the_index_path_is_refused_and_kept(settings, tmp_path):
    target = tmp_path / "index"
    target.write_text("sổ tay")
    [plan] = make_plans(tmp_path / "plans", "An Bình")
    with pytest.raises(TracuuError, match="là một tệp"):
        build(settings, plan)
    assert target.read_text() == "sổ tay" and sorted(p.name for p in tmp_path.iterdir()) == ["index", "plans"]


def test_cli_refuses_the_plans_folder_as_index_dir(tmp_path):
    """The repro of the issue through the real command: the folder keeps every file, exit code 2."""
    folder = tmp_path / "plans"
    shutil.copytree(PLANS, folder)
    before = tree(folder)
    done = run_cli("ingest", str(folder / "vinh-yen_kh-ubnd_2021.txt"), env={"TRACUU_INDEX_DIR": str(folder)})
    assert done.returncode == 2, done.stderr
    assert "không phải thư mục chỉ mục của tracuu" in done.stderr and "Traceback" not in done.stderr
    assert tree(folder) == before


def test_empty_or_missing_folder_is_claimed(settings, tmp_path):
    [plan] = make_plans(tmp_path / "plans", "An Bình")
    settings.index_dir.mkdir()
    build(settings, plan)
    assert (settings.index_dir / MARKER).is_file()
    assert [d.file for d in read_index(settings.index_dir).documents] == ["an-bình.txt"]


# -- 2. one writer at a time -------------------------------------------------------------------------

CONCURRENT = """
import sys, time
from pathlib import Path
from index.build import build_index
from index.embedder import HashingEmbedder
from tracuu.settings import Settings

class Slow(HashingEmbedder):
    def embed_documents(self, texts):
        time.sleep(1.0)  # widens the window in which an unlocked writer loses the other's plan
        return super().embed_documents(texts)

start = float(sys.argv[3])
time.sleep(max(0, start - time.time()))
settings = Settings.from_env(index_dir=Path(sys.argv[1]))
report = build_index([Path(sys.argv[2])], settings, Slow(), progress=lambda m: print(m, flush=True))
print("ADDED", ",".join(report.added), flush=True)
"""


def test_two_concurrent_ingests_keep_both_plans(settings, tmp_path):
    a = make_plans(tmp_path / "a", "An Bình")[0]
    b = make_plans(tmp_path / "b", "Bình Minh")[0]
    start = str(time.time() + 3)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT, str(settings.index_dir), str(p), start], cwd=REPO,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for p in (a, b)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    added = sorted(line for out, _ in outs for line in out.splitlines() if line.startswith("ADDED"))
    assert added == ["ADDED an-bình.txt", "ADDED bình-minh.txt"]
    assert sorted(d.file for d in read_index(settings.index_dir).documents) == ["an-bình.txt", "bình-minh.txt"]
    assert any("Đang chờ lần nạp khác" in out for out, _ in outs), "the second writer said it waits"


def test_no_wait_refuses_while_another_writer_holds_the_lock(settings, tmp_path):
    [plan] = make_plans(tmp_path / "plans", "An Bình")
    build(settings, plan)
    with writer_lock(settings.index_dir):
        with pytest.raises(TracuuError, match="đang ghi vào chỉ mục.*--no-wait"):
            build(settings, plan, wait=False)


def test_a_waiting_writer_says_so_and_then_writes(settings, tmp_path):
    a, b = make_plans(tmp_path / "plans", "An Bình", "Bình Minh")
    build(settings, a)
    said: list[str] = []
    held = threading.Event()

    def hold():
        with writer_lock(settings.index_dir):
            held.set()
            time.sleep(1.0)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(5)
    report = build(settings, a, b, progress=said.append)
    t.join()
    assert said[0].startswith("Đang chờ lần nạp khác") and report.added == ["bình-minh.txt"]


# -- 3. swaps: a reader never sees a mixed index; a killed writer leaves a loadable one -------------

def test_reader_during_200_swaps_sees_no_mixed_load(tmp_path):
    from bench.faults import readers_during_swaps

    result = readers_during_swaps(tmp_path, swaps=200)
    assert result["swaps"] == 200 and result["writer_exit"] == 0
    assert result["loads"] >= 50, result
    assert result["mixed"] == 0 and result["errors"] == [], result
    assert result["versions_seen"] == 2, "both versions were read"


CRASHING = """
import sys
from pathlib import Path
from index.build import build_index
from index.embedder import HashingEmbedder
from tracuu.settings import Settings

settings = Settings.from_env(index_dir=Path(sys.argv[1]))
build_index([Path(p) for p in sys.argv[2:]], settings, HashingEmbedder())
print("not killed")
"""


@pytest.mark.parametrize("step", SWAP_STEPS)
def test_a_writer_killed_at_each_step_leaves_a_loadable_index(settings, tmp_path, step):
    a, b = make_plans(tmp_path / "plans", "An Bình", "Bình Minh")
    build(settings, a)
    done = run_py(CRASHING.replace("sys.argv[1]", repr(str(settings.index_dir))).replace(
        "sys.argv[2:]", repr([str(a), str(b)])), env={CRASH_ENV: step})
    assert done.returncode == 86, (done.stdout, done.stderr)  # killed at that step, no clean-up ran
    stored = read_index(settings.index_dir, search=True)
    files = sorted(d.file for d in stored.documents)
    swapped = SWAP_STEPS.index(step) >= SWAP_STEPS.index("pointer-replaced")
    assert files == (["an-bình.txt", "bình-minh.txt"] if swapped else ["an-bình.txt"])
    assert Searcher(settings, HashingEmbedder()).search("Trạm y tế", k=3).hits
    # the next run cleans what the killed one left, and goes on
    c = make_plans(tmp_path / "plans", "Cẩm Giàng")[0]
    build(settings, a, b, c)
    left = sorted(p.name for p in settings.index_dir.iterdir())
    assert [n for n in left if n.startswith(".tmp-") or ".manifest.json.tmp" in n] == []
    assert len([n for n in left if n.startswith("v-")]) == 1, left
    assert len(read_index(settings.index_dir).documents) == 3


def test_only_tracuus_own_leftovers_are_removed(settings, tmp_path):
    a, b = make_plans(tmp_path / "plans", "An Bình", "Bình Minh")
    build(settings, a)
    theirs = settings.index_dir / "v-20260101-000000-1-abcdef"  # named like a version, holding someone's file
    theirs.mkdir()
    (theirs / "ghi-chu.txt").write_text("của tôi")
    sibling = settings.index_dir.with_name(".index.tmp-1")  # named like the old layout's temporary folder
    sibling.mkdir()
    (sibling / "anh.jpg").write_bytes(b"\xff\xd8")
    dead = settings.index_dir.with_name(".index.tmp-999999")  # the old layout's, left by a killed run
    dead.mkdir()
    (dead / "chunks.jsonl").write_text("{}\n")
    build(settings, a, b)
    assert (theirs / "ghi-chu.txt").read_text() == "của tôi" and (sibling / "anh.jpg").exists()
    assert not dead.exists()


def test_the_previous_versions_interrupted_swap_is_recovered(settings, tmp_path):
    """The first version renamed the index away, then the new one in; killed between, it left only
    `.index.old-PID`. The next ingest puts it back instead of starting from nothing."""
    a, b = make_plans(tmp_path / "plans", "An Bình", "Bình Minh")
    build(settings, a)
    flat = flat_copy(settings.index_dir, tmp_path / "flat")
    shutil.rmtree(settings.index_dir)
    flat.rename(settings.index_dir.with_name(".index.old-999999"))
    report = build(settings, b)
    assert report.added == ["bình-minh.txt"] and sorted(d.file for d in read_index(settings.index_dir).documents) == [
        "an-bình.txt", "bình-minh.txt"]


def flat_copy(index_dir: Path, dest: Path) -> Path:
    """The same index in the previous version's flat layout (parts and manifest side by side)."""
    current = read_index(index_dir).folder
    dest.mkdir()
    for name in PARTS:
        shutil.copy(current / name, dest / name)
    manifest = json.loads((current / "manifest.json").read_text(encoding="utf-8"))
    for key in ("layout", "version", "files"):
        manifest.pop(key)
    (dest / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return dest


def test_an_index_of_the_previous_layout_is_read_then_migrated(settings, tmp_path):
    a, b = make_plans(tmp_path / "plans", "An Bình", "Bình Minh")
    build(settings, a)
    old = settings.with_(index_dir=flat_copy(settings.index_dir, tmp_path / "cu"))
    assert [h.document.file for h in Searcher(old, HashingEmbedder()).search("Trạm y tế", k=2).hits] == [
        "an-bình.txt"] * 2
    report = build(old, a, b)
    assert report.added == ["bình-minh.txt"] and report.embedded < report.chunks, "the old vectors were reused"
    names = {p.name for p in old.index_dir.iterdir()}
    assert not names & set(PARTS), "the flat parts are gone once a version is current"
    assert len(read_index(old.index_dir).documents) == 2


# -- 3. repair -------------------------------------------------------------------------------------------

def _current(settings) -> Path:
    return read_index(settings.index_dir).folder


CORRUPTIONS = {
    # what is broken: (how, words the message must contain)
    "pointer": (lambda s: (s.index_dir / "manifest.json").write_text("{ hỏng", encoding="utf-8"), "manifest.json"),
    "pointer-missing": (lambda s: (s.index_dir / "manifest.json").unlink(), "manifest.json"),
    "version-manifest": (lambda s: (_current(s) / "manifest.json").write_text("[]"), "manifest.json"),
    "chunks-truncated": (lambda s: _truncate(_current(s) / "chunks.jsonl"), "chunks.jsonl"),
    "documents-garbage": (lambda s: (_current(s) / "documents.jsonl").write_text("{}\n"), "documents.jsonl"),
    "vectors-truncated": (lambda s: _truncate(_current(s) / "vectors.npy"), "vectors.npy"),
    "faiss-missing": (lambda s: (_current(s) / "dense.faiss").unlink(), "dense.faiss"),
    "bm25-missing": (lambda s: (_current(s) / "bm25_vocab.json").unlink(), "bm25_vocab.json"),
    "version-missing": (lambda s: shutil.rmtree(_current(s)), "phiên bản"),
}


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


@pytest.mark.parametrize("what", CORRUPTIONS)
def test_each_corrupt_part_is_named_then_rebuilt(settings, tmp_path, what):
    a, b = make_plans(tmp_path / "plans", "An Bình", "Bình Minh")
    build(settings, a)
    build(settings, b)  # b from another run: --rebuild must find it again from the old index's sources
    how, part = CORRUPTIONS[what]
    how(settings)
    with pytest.raises(TracuuError) as err:
        Searcher(settings, HashingEmbedder()).search("Trạm y tế")
    assert part in str(err.value) and "tracuu ingest --rebuild" in str(err.value), str(err.value)
    with pytest.raises(TracuuError, match="--rebuild"):
        build(settings, a)  # an ordinary ingest does not write over a broken index
    report = build(settings, a, rebuild=True)
    files = sorted(d.file for d in read_index(settings.index_dir, search=True).documents)
    readable = what not in ("documents-garbage", "version-missing", "pointer-missing", "pointer", "version-manifest")
    assert files == (["an-bình.txt", "bình-minh.txt"] if readable else ["an-bình.txt"]) or files == [
        "an-bình.txt", "bình-minh.txt"]
    assert report.embedded == report.chunks, "rebuilt from the source files"
    assert Searcher(settings, HashingEmbedder()).search("Trạm y tế", k=2).hits


def test_rebuild_of_an_intact_index_rebuilds(settings, tmp_path):
    [a] = make_plans(tmp_path / "plans", "An Bình")
    build(settings, a)
    before = read_index(settings.index_dir).version
    report = build(settings, a, rebuild=True)
    assert not report.unchanged and report.embedded == report.chunks > 0
    assert read_index(settings.index_dir).version != before


def test_doctor_reports_a_sound_index_and_names_a_broken_part(settings, tmp_path):
    from index.store import check_index

    [a] = make_plans(tmp_path / "plans", "An Bình")
    build(settings, a)
    ok, lines = check_index(settings.index_dir)
    assert ok and "1 kế hoạch" in lines[1] and "sha256" in lines[2]
    a.write_text(a.read_text(encoding="utf-8") + "\nc) Việc mới.\n", encoding="utf-8")
    assert any("đã đổi" in line for line in check_index(settings.index_dir)[1])
    _truncate(_current(settings) / "dense.faiss")
    ok, lines = check_index(settings.index_dir)
    assert not ok and "dense.faiss" in lines[0] and "--rebuild" in lines[0]
    done = run_cli("doctor", env={"TRACUU_INDEX_DIR": str(settings.index_dir)})
    assert done.returncode == 2 and "dense.faiss" in done.stdout and "Traceback" not in done.stderr


# -- 4. duplicates by content -------------------------------------------------------------------------

def test_a_copy_under_another_name_is_skipped(settings, tmp_path):
    folder = tmp_path / "plans"
    [a] = make_plans(folder, "An Bình")
    copy = folder / "ban-sao-an-binh.txt"
    copy.write_text("  " + a.read_text(encoding="utf-8").replace("\n", "\n\n"), encoding="utf-8")  # spacing differs
    report = build(settings, folder)
    [skipped] = report.skipped
    assert skipped.file == "ban-sao-an-binh.txt" and skipped.duplicate_of == "an-bình.txt"
    assert "trùng nội dung với an-bình.txt" in skipped.reason
    hits = Searcher(settings, HashingEmbedder()).search("Trạm y tế xã An Bình", k=10).hits
    texts = [h.chunk.text for h in hits]
    assert len(texts) == len(set(texts)), "no identical pairs in the results"
    # and a copy arriving later, in another folder, against the index
    later = tmp_path / "khac" / "an-binh-2026.txt"
    later.parent.mkdir()
    shutil.copy(a, later)
    report = build(settings, later)
    assert [s.reason for s in report.skipped] == ["trùng nội dung với an-bình.txt — không lập chỉ mục lần nữa"]
    assert len(read_index(settings.index_dir).documents) == 1


# -- 5. limits on every input ----------------------------------------------------------------------------

def test_symlinks_are_not_followed_out_of_the_folder(settings, tmp_path):
    outside = tmp_path / "ngoai" / "mat-khau.txt"
    outside.parent.mkdir()
    outside.write_text(small_plan("Bí Mật", 99), encoding="utf-8")
    folder = tmp_path / "plans"
    [a] = make_plans(folder, "An Bình")
    (folder / "passwd.txt").symlink_to(outside)
    (folder / "cung-thu-muc.txt").symlink_to(a)  # inside the folder: fine (and a duplicate of it)
    report = build(settings, folder)
    reasons = {s.file: s.reason for s in report.skipped}
    assert "ra ngoài thư mục" in reasons["passwd.txt"] and str(outside) in reasons["passwd.txt"]
    assert all("Bí Mật" not in d.text for d in read_index(settings.index_dir).documents)


@pytest.mark.parametrize("data,says", [
    (bytes(range(1, 9)) * 400 + b"\x0e\x0f\x10\x11" * 300, "ký tự điều khiển"),
    ("12345 67890 ... --- +++ ### 2026 / 31.12 \n".encode() * 50, "chữ cái"),
    (small_plan("An Bình", 1).encode("utf-16-le"), "UTF-16 (little-endian) không có dấu BOM"),
    (small_plan("An Bình", 1).encode("utf-16-be"), "UTF-16 (big-endian) không có dấu BOM"),
])
def test_text_that_is_not_a_plan_is_refused_with_what_it_is(tmp_path, data, says):
    from ingest.pipeline import collect_files, parse_files

    (tmp_path / "tep.txt").write_bytes(data)
    parsed = parse_files(collect_files([tmp_path]), 1200, 150, 20)
    assert parsed.documents == [] and says in parsed.skipped[0].reason, parsed.skipped


def test_search_k_must_be_between_1_and_100(capsys):
    from tracuu.cli import main

    for k in ("-3", "0", "101", "abc"):
        with pytest.raises(SystemExit) as exit:
            main(["search", "-k", k, "Sở Y tế"])
        assert exit.value.code == 2 and "từ 1 đến 100" in capsys.readouterr().err


class _FakeRuntime:
    def __init__(self, settings):
        self.settings, self.embedder = settings, HashingEmbedder()


@pytest.mark.parametrize("files,code", [
    ({"an-binh.txt": "plan"}, 0),
    ({"an-binh.txt": "plan", "hong.pdf": b"not a pdf"}, 3),
    ({"hong.pdf": b"not a pdf", "rong.txt": b""}, 1),
])
def test_ingest_exit_codes(settings, tmp_path, monkeypatch, capsys, files, code):
    import tracuu.cli as cli

    folder = tmp_path / "moi"
    folder.mkdir()
    for name, data in files.items():
        path = folder / name
        path.write_text(small_plan("An Bình", 1), encoding="utf-8") if data == "plan" else path.write_bytes(data)
    monkeypatch.setattr(cli, "_runtime", lambda: _FakeRuntime(settings))
    assert cli.main(["ingest", str(folder)]) == code
    err = capsys.readouterr().err
    if code == 1:
        assert "Không có tài liệu nào" in err or "Không nạp được" in err


def test_ingest_of_only_refused_files_keeps_the_index_and_exits_1(settings, tmp_path, monkeypatch, capsys):
    import tracuu.cli as cli

    [a] = make_plans(tmp_path / "plans", "An Bình")
    build(settings, a)
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"not a pdf")
    monkeypatch.setattr(cli, "_runtime", lambda: _FakeRuntime(settings))
    assert cli.main(["ingest", str(bad)]) == 1
    assert "Không nạp được tệp nào" in capsys.readouterr().err
    assert [d.file for d in read_index(settings.index_dir).documents] == ["an-bình.txt"]


def test_nothing_usable_raises_and_writes_nothing(settings, tmp_path):
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"not a pdf")
    with pytest.raises(NothingIngested):
        build(settings, bad)
    assert not (settings.index_dir / "manifest.json").exists()


class BoundedGenerator:
    """A generator with a context window, like llama.cpp: a prompt that does not fit is an error.
    Tokens are counted as UTF-8 bytes, the most a byte-level tokenizer can produce."""

    name = "bounded"

    def __init__(self, n_ctx: int, max_tokens: int):
        self.n_ctx, self.max_tokens, self.prompts = n_ctx, max_tokens, []

    def count_tokens(self, text: str) -> int:
        return len(text.encode("utf-8"))

    def stream(self, messages, max_tokens=None):
        used = sum(self.count_tokens(m["content"]) for m in messages) + 10 * len(messages)
        if used + (max_tokens or self.max_tokens) > self.n_ctx:
            raise ValueError(f"Requested tokens ({used}) exceed context window of {self.n_ctx}")
        self.prompts.append(used)
        yield "Mỗi quý ít nhất một lần [1]."


def test_a_30000_character_question_is_refused_and_a_long_one_fits(settings, plans_copy):
    from assistant.answer import Assistant
    from assistant.limits import TOKENS_PER_CHAR_MAX, QuestionTooLong, question_limit
    from tracuu.settings import PROMPT_RESERVE

    build(settings, plans_copy)
    gen = BoundedGenerator(settings.n_ctx, settings.max_tokens)
    assistant = Assistant(Searcher(settings, HashingEmbedder()), lambda _: gen, settings)
    question = "Năm 2026 có bao nhiêu xã, phường không ma túy ở Cần Thơ?"  # no target word: the model is asked
    with pytest.raises(QuestionTooLong, match=r"30\.000 ký tự, quá giới hạn 500"):
        assistant.answer(((question + " ") * 600)[:30000])
    assert gen.prompts == [], "refused before any search or generation"
    with pytest.raises(ValueError, match="exceed context window"):  # what it did before: the model failed
        list(gen.stream([{"role": "user", "content": (question + " ") * 536}]))
    limit = question_limit(settings)
    assert limit * TOKENS_PER_CHAR_MAX + settings.context_tokens + PROMPT_RESERVE + settings.max_tokens <= settings.n_ctx
    longest = ((question + " ") * 20)[:limit]
    answer = assistant.answer(longest)
    assert answer.mode in ("generated", "evidence") and gen.prompts, "the model was asked, with a prompt that fits"
    assert gen.prompts[0] + settings.max_tokens <= settings.n_ctx


@pytest.mark.slow
def test_cli_ask_refuses_a_30000_character_question(runtime):
    done = run_cli("ask", "Sở Y tế phải làm gì? " * 1430, timeout=300)
    assert done.returncode == 2, done.stderr
    assert "quá giới hạn 500 ký tự" in done.stderr and "Traceback" not in done.stderr


# -- 6. settings -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("env,says", [
    ({"TRACUU_TOP_K": "abc"}, "TRACUU_TOP_K phải là một số nguyên từ 1 đến 100"),
    ({"TRACUU_FUSION": "nonsense"}, "TRACUU_FUSION phải là weighted hoặc rrf"),
    ({"TRACUU_FAISS_INDEX": "kdtree"}, "TRACUU_FAISS_INDEX phải là auto, flat, ivf hoặc hnsw"),
    ({"TRACUU_N_CTX": "1024"}, "TRACUU_N_CTX (1024) phải đủ cho"),
    ({"TRACUU_LLM": "qwen"}, "TRACUU_LLM phải là default, fast hoặc đường dẫn tới một tệp .gguf"),
    ({"TRACUU_MAX_FILE_MB": "nan"}, "TRACUU_MAX_FILE_MB phải là một số"),
])
def test_bad_settings_are_named_with_their_allowed_values(monkeypatch, env, says):
    from tracuu.settings import Settings

    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(TracuuError) as err:
        Settings.from_env()
    assert says in str(err.value)


def test_cli_names_a_bad_setting_without_a_traceback(tmp_path):
    done = run_cli("search", "Sở Y tế", env={"TRACUU_TOP_K": "abc"})
    assert done.returncode == 2 and "TRACUU_TOP_K phải là" in done.stderr and "Traceback" not in done.stderr
    done = run_cli("--llm", "qwen", "doctor")
    assert done.returncode == 2 and "--llm phải là default, fast" in done.stderr


def test_cli_flags_feed_the_settings(settings, tmp_path):
    [a] = make_plans(tmp_path / "plans", "An Bình")
    build(settings, a)
    for args in (["--index-dir", str(settings.index_dir), "doctor"], ["doctor", "--index-dir", str(settings.index_dir)]):
        done = run_cli(*args, env={"TRACUU_INDEX_DIR": str(tmp_path / "khac")})
        assert f"Chỉ mục {settings.index_dir}: phiên bản v-" in done.stdout, (args, done.stdout, done.stderr)


# -- 7. auth that cannot be empty --------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "# chỉ có chú thích\n\n   \n", "\n\n"])
def test_an_empty_accounts_file_is_an_error(tmp_path, text):
    from tracuu.web import read_credentials

    f = tmp_path / "tai-khoan.txt"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(TracuuError, match="không có tài khoản nào"):
        read_credentials(None, f)


def test_the_server_does_not_start_with_an_empty_accounts_file(tmp_path):
    import socket

    f = tmp_path / "tai-khoan.txt"
    f.write_text("# ai cũng vào được?\n", encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = run_cli("serve", "--port", str(port), "--auth-file", str(f), timeout=120)
    assert done.returncode == 2 and "không có tài khoản nào" in done.stderr and "Traceback" not in done.stderr
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "nothing listens"


def test_account_lines_are_trimmed_and_malformed_ones_named(tmp_path):
    from tracuu.accounts import gradio_auth, read_accounts

    f = tmp_path / "tai-khoan.txt"
    f.write_text("  binh : mk  \n", encoding="utf-8")
    [account] = read_accounts(f)
    assert (account.name, account.secret) == ("binh", "mk")
    check = gradio_auth([account])
    assert check("binh", "mk") and not check("binh", " mk") and not check("an", "mk")
    f.write_text("binh:mk\nchi-co-ten\n", encoding="utf-8")
    with pytest.raises(TracuuError, match="dòng 2"):
        read_accounts(f)


def test_users_add_stores_a_scrypt_hash_that_logs_in(tmp_path):
    from tracuu.accounts import gradio_auth, read_accounts

    f = tmp_path / "tai-khoan.txt"
    done = run_cli("users", "add", "binh", "--file", str(f), stdin="bí-mật-1\n")
    assert done.returncode == 0, done.stderr
    run_cli("users", "add", "an", "--file", str(f), stdin="khác\n")
    done = run_cli("users", "add", "binh", "--file", str(f), stdin="bí-mật-2\n")
    assert "đặt lại mật khẩu" in done.stdout
    text = f.read_text(encoding="utf-8")
    assert "bí-mật" not in text and text.count("scrypt$") == 2 and oct(f.stat().st_mode)[-3:] == "600"
    check = gradio_auth(read_accounts(f))
    assert check("binh", "bí-mật-2") and not check("binh", "bí-mật-1") and check("an", "khác")


# -- 8. the web app stays responsive ------------------------------------------------------------------------

class WebRuntime:
    def __init__(self, settings):
        self.settings, self.embedder, self.reloads = settings, HashingEmbedder(), 0

    def reload_index(self):
        self.reloads += 1


def test_upload_is_indexed_in_another_process_without_the_model_lock(settings, tmp_path):
    from tracuu.web_plans import PlanService

    build(settings, *make_plans(tmp_path / "plans", "An Bình"))
    rt = WebRuntime(settings)
    model_lock = threading.Lock()
    cache = tmp_path / "gradio"
    upload = cache / "abc123" / "binh-minh.txt"
    upload.parent.mkdir(parents=True)
    upload.write_text(small_plan("Bình Minh", 7), encoding="utf-8")
    lines: list[str] = []
    with model_lock:  # an answer holds the model the whole time
        worker = threading.Thread(target=lambda: lines.extend(
            PlanService(rt, model_lock, tmp_path / "uploads", cache).add([str(upload)])))
        worker.start()
        worker.join(120)
        assert not worker.is_alive(), "indexing waited for the model lock"
    assert lines[-1].startswith("**Xong:**") and "2 kế hoạch" in lines[-1], lines
    assert rt.reloads == 1 and not upload.exists() and not upload.parent.exists()
    assert sorted(d.file for d in read_index(settings.index_dir).documents) == ["an-bình.txt", "binh-minh.txt"]


def test_rejected_uploads_are_deleted_from_the_upload_cache_only(settings, tmp_path):
    from tracuu.web_plans import PlanService

    build(settings, *make_plans(tmp_path / "plans", "An Bình"))
    cache = tmp_path / "gradio"
    in_cache, elsewhere = cache / "x1" / "virus.exe", tmp_path / "cua-toi" / "virus.exe"
    for path in (in_cache, elsewhere):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"MZ\x90\x00")
    plans = PlanService(WebRuntime(settings), threading.Lock(), tmp_path / "uploads", cache)
    lines = list(plans.add([str(in_cache), str(elsewhere)]))
    assert sum(line.startswith("**Từ chối tệp virus.exe:**") for line in lines) == 2
    assert not in_cache.exists() and elsewhere.exists(), "only gradio's own copy is deleted"


class _Paced:
    """A generator that writes a sentence every 20 ms for 8 s: an answer long enough to stop."""
    name = "paced"

    def count_tokens(self, text):
        return max(1, len(text) // 3)

    def stream(self, messages, max_tokens=None):
        for _ in range(400):
            time.sleep(0.02)
            yield "Năm 2026 đạt 25% xã, phường không ma túy [1]. "


def _paced_runtime(settings):
    class Rt(WebRuntime):
        def generator(self, choice=None):
            return _Paced()

    rt = Rt(settings)
    rt.searcher = Searcher(settings, HashingEmbedder())
    return rt


def test_a_closed_tab_cancels_its_answer(settings, plans_copy):
    from assistant.conversation import Conversation
    from tracuu.web_chat import ChatService

    build(settings, plans_copy)

    lock = threading.Lock()
    chat = ChatService(_paced_runtime(settings), lock)
    stream = chat.stream("Năm 2026 có bao nhiêu xã, phường không ma túy ở Cần Thơ?", Conversation(), session="tab-1")
    assert next(k for k, _ in stream if k == "token") == "token"
    assert not chat.cancel_session("tab-2")
    started = time.monotonic()
    assert chat.cancel_session("tab-1")
    assert [k for k, _ in stream if k != "token"] == [], "the stream ends without an answer"
    assert lock.acquire(timeout=5) and time.monotonic() - started < 5, "the model is free long before 8 s"
    lock.release()


def test_clearing_waits_until_the_stopped_answer_sends_nothing_more(settings, plans_copy):
    """'Xoá hội thoại' empties the chat only after the stopped answer's stream has ended, so no update
    of that answer can arrive after the empty chat (the web clear failed this way under load)."""
    from assistant.conversation import Conversation
    from tracuu.web_chat import ChatService

    build(settings, plans_copy)

    chat = ChatService(_paced_runtime(settings), threading.Lock())
    shown, first = [], threading.Event()

    def respond():  # what the web's respond does: show every event, slowly, as a loaded server would
        for kind, _ in chat.stream("Năm 2026 có bao nhiêu xã, phường không ma túy?", Conversation(), session="s"):
            first.set()
            time.sleep(0.3)
            shown.append(kind)

    reader = threading.Thread(target=respond)
    reader.start()
    assert first.wait(60)
    assert chat.cancel_session("s", wait=5)
    after = len(shown)
    reader.join(5)
    assert not reader.is_alive() and len(shown) == after, "nothing was shown after the clear returned"


def test_output_cut_short_by_the_reader_ends_quietly(settings, tmp_path):
    """`tracuu duties | head`: the pipe closes before tracuu writes; the command stops without a traceback."""
    build(settings, *make_plans(tmp_path / "plans", "An Bình", "Phú Mỹ"))
    env = dict(os.environ, PYTHONPATH=str(REPO), TRACUU_INDEX_DIR=str(settings.index_dir))
    proc = subprocess.Popen([sys.executable, "-m", "tracuu.cli", "duties"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first line is written (imports alone take longer)
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 141, err
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
