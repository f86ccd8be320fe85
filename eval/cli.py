"""`tracuu eval`: run the gold set, print the headline table, write the report, optionally gate.

`--corpus plans` (default) evaluates the bundled plans' index on the tuned and held-out questions, side by
side. `--corpus corpus2` builds an index of `../shared/corpus2` (or `--corpus-dir`) in a temporary folder,
with the same `build_index` and the real embedder, and evaluates the corpus2 questions on it.
`--corpus corpus3` does the same for `../shared/corpus3` (or `--corpus-dir`), but its one temporary index also
holds the bundled plans (`eval.gold.INDEXED_WITH`): each document is measured added to the bundled plans, the
tuned and held-out columns side by side. `--corpus corpus4` does the same for `../shared/library`, but indexes
just the documents its questions name (`eval.gold.SAMPLED`), added to the bundled plans.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from eval.gold import CORPORA, SPLITS
from tracuu.errors import TracuuError

RUNS_DIR = Path(__file__).resolve().parent / "runs"  # gitignored
CI_ANSWER_TYPES = ("agency_duty", "numeric_target", "deadline", "who_responsible", "cross_plan")
CI_HELDOUT = 12  # held-out questions searched (retrieval only, ~0.1 s each) in --subset ci


def add_eval_parser(subparsers) -> argparse.ArgumentParser:
    e = subparsers.add_parser("eval", help="đánh giá trên bộ câu hỏi vàng (tìm kiếm và câu trả lời)")
    e.add_argument("--retrieval", action="store_true", help="chỉ đánh giá tìm kiếm (nhanh, không gọi mô hình ngôn ngữ)")
    e.add_argument("--model", default=None, help="default | fast | đường dẫn GGUF (mặc định: TRACUU_LLM; với --subset ci: fast)")
    e.add_argument("--subset", default=None, metavar="N|TYPE,...|ci",
                   help="N câu đầu; các loại/biến thể/tập (vd. deadline,typo hoặc heldout); ci = tìm kiếm trên cả tập tuned "
                        "và 12 câu held-out + trả lời ~8 câu tuned bằng mô hình fast")
    e.add_argument("--out", type=Path, default=None, help="thư mục báo cáo (mặc định eval/runs/<thời điểm>/)")
    e.add_argument("--gate", action="store_true", help="thoát mã khác 0 nếu không đạt các ngưỡng trong eval/gate.toml")
    e.add_argument("--corpus", default="plans", choices=CORPORA,
                   help="plans = kế hoạch kèm theo (tập tuned và held-out); corpus2 = Luật 120/2025/QH15 và "
                        "Nghị định 28/2026/NĐ-CP, lập chỉ mục riêng trong thư mục tạm; corpus3 = chín văn bản "
                        "chủ đề khác, lập chỉ mục tạm cùng các kế hoạch kèm theo; corpus4 = những văn bản "
                        "của ../shared/library mà câu hỏi nêu, lập chỉ mục tạm cùng các kế hoạch kèm theo")
    e.add_argument("--corpus-dir", type=Path, default=None,
                   help="thư mục văn bản của --corpus corpus2/corpus3/corpus4 (mặc định: ../shared/corpus2, "
                        "../shared/corpus3 hoặc ../shared/library cạnh kho mã)")
    e.set_defaults(func=cmd_eval)
    return e


def ci_items(items):
    """≈8 answer items for CI: the first of several answerable types, two unanswerable questions (one
    plain, one typed differently) and the first follow-up whose parent is already chosen."""
    chosen = [next(i for i in items if i.type == t) for t in CI_ANSWER_TYPES if any(i.type == t for i in items)]
    unanswerable = [i for i in items if i.type == "unanswerable"]
    chosen += unanswerable[:1] + [i for i in unanswerable if i.variant != "plain"][:1]
    ids = {i.id for i in chosen}
    follow = next((i for i in items if i.type == "follow_up" and i.follows in ids), None)
    follow = follow or next((i for i in items if i.type == "follow_up"), None)
    chosen += [follow] if follow else []
    order = {i.id: n for n, i in enumerate(items)}
    return sorted(chosen, key=lambda i: order[i.id])


def select(items, subset: str | None):
    """(retrieval items, answer items) for a --subset value."""
    from eval.gold import TYPES, VARIANTS

    if not subset:
        return items, items
    if subset == "ci":
        # retrieval: every tuned question and a handful of held-out ones (cheap, no model); answers:
        # ≈8 tuned questions with the fast model
        tuned = [i for i in items if i.split == "tuned"]
        heldout = [i for i in items if i.split == "heldout"]
        return tuned + ci_heldout(heldout), ci_items(tuned or items)
    if subset.isdigit():
        return items[: int(subset)], items[: int(subset)]
    wanted = {s.strip() for s in subset.split(",") if s.strip()}
    unknown = wanted - set(TYPES) - set(VARIANTS) - set(SPLITS) - {i.id for i in items}
    if unknown:
        raise TracuuError(f"--subset: không hiểu {', '.join(sorted(unknown))}. Dùng một số, 'ci', id câu hỏi, "
                          f"tập ({', '.join(SPLITS)}) hoặc loại/biến thể: {', '.join(TYPES + VARIANTS)}.")
    picked = [i for i in items if {i.type, i.variant, i.id, i.split} & wanted]
    return picked, picked


def ci_heldout(items, n: int = CI_HELDOUT):
    """A handful of held-out questions, spread over the file (every k-th), standalone ones only (a
    follow-up would need the question it follows)."""
    standalone = [i for i in items if not i.follows]
    if len(standalone) <= n:
        return standalone
    step = len(standalone) / n
    return [standalone[int(k * step)] for k in range(n)]


def corpus_dir(corpus: str, given: Path | None = None) -> Path:
    """The folder of a corpus's documents: --corpus-dir, or the default next to the repository."""
    from eval.gold import CORPUS_DIRS

    folder = Path(given) if given else CORPUS_DIRS[corpus]
    if not folder.is_dir():
        raise TracuuError(f"Không thấy thư mục văn bản của kho '{corpus}' tại {folder}. "
                          f"Chỉ đường dẫn bằng --corpus-dir THƯ_MỤC.")
    return folder


def build_corpus_index(settings, folder: Path, workdir: Path, embedder, progress=lambda _: None, also=()):
    """Index `folder` (and the folders in `also`, into the same index) into `workdir/index` with the
    project's own build path; return its settings."""
    from index.build import build_index

    corpus_settings = settings.with_(index_dir=Path(workdir) / "index", plans_dir=Path(folder))
    folders = [corpus_settings.plans_dir, *(Path(f) for f in also)]
    report = build_index(folders, corpus_settings, embedder, progress=progress)
    if getattr(report, "skipped", None):
        progress(f"Bỏ qua: {', '.join(str(s) for s in report.skipped)}")
    return corpus_settings


def cmd_eval(args) -> int:
    corpus = getattr(args, "corpus", "plans") or "plans"
    if corpus == "plans":
        return _evaluate(args, corpus, None)
    folder = corpus_dir(corpus, getattr(args, "corpus_dir", None))
    with tempfile.TemporaryDirectory(prefix=f"tracuu-eval-{corpus}-") as workdir:
        return _evaluate(args, corpus, sampled(corpus, folder, Path(workdir)), Path(workdir))


def sampled(corpus: str, folder: Path, workdir: Path) -> Path:
    """`folder` itself, or for a sampled corpus (`eval.gold.SAMPLED`) a folder in `workdir` holding copies of
    just the documents its questions name."""
    from eval.gold import SAMPLED, load_corpus, named_files

    if corpus not in SAMPLED:
        return folder
    names = named_files(load_corpus(corpus))
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        raise TracuuError(f"Thư mục {folder} thiếu {len(missing)} văn bản mà bộ câu hỏi '{corpus}' nêu "
                          f"({', '.join(missing[:3])}…). Chỉ đúng thư mục bằng --corpus-dir THƯ_MỤC.")
    chosen = workdir / "docs"
    chosen.mkdir()
    for name in names:
        shutil.copy2(folder / name, chosen / name)
    return chosen


def _evaluate(args, corpus: str, folder: Path | None, workdir: Path | None = None) -> int:
    from eval import gate, report as rep
    from eval.gold import INDEXED_WITH, load_corpus
    from eval.run import meta, run_answers, run_retrieval
    from tracuu.runtime import Runtime

    items = load_corpus(corpus)
    retrieval_items, answer_items = select(items, args.subset)
    model = args.model or ("fast" if args.subset == "ci" else None)
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    rt = Runtime()
    started = time.perf_counter()
    also = [corpus_dir(c) for c in INDEXED_WITH.get(corpus, ())] if folder is not None else []
    if folder is not None:
        log(f"Lập chỉ mục tạm cho kho {corpus} ({', '.join(str(f) for f in [folder, *also])})…")
        embedder = rt.embedder
        rt = Runtime(build_corpus_index(rt.settings, folder, workdir, embedder, progress=log, also=also))
        rt.__dict__["embedder"] = embedder  # the model loaded for the build (Runtime.embedder is a cached_property)
    report = {"meta": meta(rt, subset=args.subset or "all", gold_items=len(items), corpus=corpus,
                           corpus_dir=str(folder or rt.settings.plans_dir), indexed_with=[str(f) for f in also],
                           splits={s: sum(i.split == s for i in items) for s in sorted({i.split for i in items})})}
    log(f"Tìm kiếm {len(retrieval_items)} câu (dense, bm25, hybrid)…")
    report["retrieval"] = run_retrieval(rt, retrieval_items)
    if not args.retrieval and answer_items:
        log(f"Trả lời {len(answer_items)} câu với mô hình {model or rt.settings.llm}…")
        report["answers"] = run_answers(rt, answer_items, model, progress=log)
    report["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    out = args.out or RUNS_DIR / (time.strftime("%Y%m%d-%H%M%S") + ("" if corpus == "plans" else f"-{corpus}"))
    paths = rep.write(report, out)
    print(rep.headline(report))
    print(f"\nBáo cáo: {paths['html']}\n         {paths['md']}\n         {paths['json']}")
    if not args.gate:
        return 0
    results = gate.outcomes(report)
    for o in results:
        if o.passed is None:
            print(f"Bỏ qua ngưỡng (lần chạy này không đo): {o}")
    failed = [o for o in results if o.passed is False]
    if failed:
        print("\nKHÔNG ĐẠT ngưỡng chất lượng:")
        for o in failed:
            print(f"  ✗ {o}")
        return 1
    print("\nĐạt mọi ngưỡng chất lượng đã đo.")
    return 0
