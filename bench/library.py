"""A province's library on this machine: how long it takes to index, how big it is, and how fast each
kind of question is answered over it, alone and with the bundled plans.

    .venv/bin/python bench/library.py [--library ../shared/library] [--ingest] [--model] [--questions 20]

--ingest   indexes the library into two fresh folders (the library alone; the library with the five plans)
           with `tracuu ingest`, as a user would, and prints time, passages a second and the index size;
           without it, the folders of an earlier --ingest are read (TRACUU_BENCH_DIR, default
           ~/.cache/tracuu/bench-library).
--model    also times questions the model writes (the in-process GGUF; minutes on 2 cores).

For each index: RSS after loading; p50/p95 of a search; of duty listings, deadline and definition
questions (answered by code), in this process, cold (the first question of a fresh `tracuu ask`
process) and warm; of questions the model writes (first token and total) with --model. Questions are
made from the index itself (bodies with duties, defined terms), never from a gold file. Twenty users
against `tracuu api` in-process and against llama-server: bench/serving.py with TRACUU_INDEX_DIR set
to one of these folders.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def percentiles(values: list[float]) -> str:
    if not values:
        return "—"
    ordered = sorted(values)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return f"p50 {p(0.5) * 1000:7.1f} ms  p95 {p(0.95) * 1000:7.1f} ms  (n={len(values)})"


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def ingest(paths: list[Path], index_dir: Path) -> None:
    import shutil

    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "tracuu.cli", "--index-dir", str(index_dir), "ingest",
                          *map(str, paths)], capture_output=True, text=True, env={**os.environ, "TRACUU_URL": "off"})
    seconds = time.perf_counter() - started
    summary = [ln for ln in run.stderr.splitlines() + run.stdout.splitlines() if ln.startswith("Đã lập chỉ mục")]
    print(f"  ingest {' + '.join(p.name for p in paths)}: {seconds / 60:.1f} min, exit {run.returncode}; "
          f"{summary[-1] if summary else run.stderr[-400:]}")


def questions_of(index, n: int) -> dict[str, list[str]]:
    """Questions of each kind from the index itself: bodies that have duties, terms a text defines."""
    from assistant.duties_table import duties_from_index

    rng = random.Random(0)
    from assistant.limits import MAX_QUESTION_CHARS

    rows = duties_from_index(index)
    # a name no question can carry is a reader defect (bench/forms.py lists them), not a question to time
    bodies = sorted({d.canonical for d in rows if d.canonical and len(d.canonical) < MAX_QUESTION_CHARS - 60})
    defined = sorted({r.text.split(" là ", 1)[0].strip(" -–•*0123456789.)abcdđ") for r in index.records
                      if " là " in r.text[:80]} - {""})
    pick = lambda xs: rng.sample(xs, min(n, len(xs)))  # noqa: E731
    return {
        "search": [f"{b} phải làm gì?" for b in pick(bodies)],
        "duties": [f"{b} phải làm gì?" for b in pick(bodies)],
        "deadlines": [f"Thời hạn báo cáo của {b} là khi nào?" for b in pick(bodies)],
        "definitions": [f"{t} là gì?" for t in pick([t for t in defined if 1 < len(t.split()) < 8])],
        "generated": [f"{b} phối hợp với cơ quan nào?" for b in pick(bodies)],
    }


def measure(index_dir: Path, n: int, with_model: bool) -> None:
    from tracuu.runtime import Runtime
    from tracuu.settings import Settings

    settings = Settings.from_env(index_dir=index_dir)
    runtime = Runtime(settings)
    started = time.perf_counter()
    index = runtime.searcher.index
    print(f"  {index_dir}: {len(index.documents)} documents, {len(index.chunks)} passages, "
          f"{len(index.records)} records, {folder_size(index_dir) / 2**20:.0f} MB on disk; loaded in "
          f"{time.perf_counter() - started:.1f} s, RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    asked = questions_of(index, n)
    runtime.searcher.embedder.embed_query("khởi động")
    times = [timed(lambda q=q: runtime.searcher.search(q, k=10)) for q in asked["search"]]
    print(f"    search                 {percentiles(times)}")
    for kind in ("duties", "deadlines", "definitions") + (("generated",) if with_model else ()):
        firsts, totals, modes = [], [], {}
        for q in asked[kind]:
            answer = runtime.assistant.answer(q)
            firsts.append(answer.timings["first_token_ms"] / 1000)
            totals.append(answer.timings["total_ms"] / 1000)
            modes[answer.mode] = modes.get(answer.mode, 0) + 1
        shown = ", ".join(f"{k} {v}" for k, v in sorted(modes.items()))
        print(f"    {kind:11s} total      {percentiles(totals)}; first token {percentiles(firsts)}; {shown}")
    if asked["duties"]:
        q = asked["duties"][0]
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "tracuu.cli", "--index-dir", str(index_dir), "ask", q],
                             capture_output=True, text=True, env={**os.environ, "TRACUU_URL": "off"})
        print(f"    cold `tracuu ask` (duty listing, no server): {time.perf_counter() - started:.2f} s, "
              f"exit {run.returncode}")


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--library", type=Path, default=REPO.parent / "shared" / "library")
    ap.add_argument("--ingest", action="store_true")
    ap.add_argument("--model", action="store_true")
    ap.add_argument("--questions", type=int, default=20)
    ap.add_argument("--index", type=Path, action="append", default=[], metavar="DIR",
                    help="measure this built index instead (repeatable); no ingest")
    args = ap.parse_args()
    if args.index:
        for folder in args.index:
            print(f"== {folder}")
            measure(folder, args.questions, args.model)
        return 0
    base = Path(os.environ.get("TRACUU_BENCH_DIR", Path.home() / ".cache" / "tracuu" / "bench-library"))
    setups = {"library": [args.library], "library+plans": [REPO / "data" / "plans", args.library]}
    for name, paths in setups.items():
        print(f"== {name}")
        if args.ingest:
            ingest(paths, base / name)
        if not (base / name / "manifest.json").exists():
            print(f"  no index at {base / name}: run with --ingest")
            continue
        measure(base / name, args.questions, args.model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
