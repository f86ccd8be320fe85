"""`tracuu eval`: run the gold set, print the headline table, write the report, optionally gate."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tracuu.errors import TracuuError

RUNS_DIR = Path(__file__).resolve().parent / "runs"  # gitignored
CI_ANSWER_TYPES = ("agency_duty", "numeric_target", "deadline", "who_responsible", "cross_plan")


def add_eval_parser(subparsers) -> argparse.ArgumentParser:
    e = subparsers.add_parser("eval", help="đánh giá trên bộ câu hỏi vàng (tìm kiếm và câu trả lời)")
    e.add_argument("--retrieval", action="store_true", help="chỉ đánh giá tìm kiếm (nhanh, không gọi mô hình ngôn ngữ)")
    e.add_argument("--model", default=None, help="default | fast | đường dẫn GGUF (mặc định: TRACUU_LLM; với --subset ci: fast)")
    e.add_argument("--subset", default=None, metavar="N|TYPE,...|ci",
                   help="N câu đầu; các loại/biến thể (vd. deadline,typo); ci = tìm kiếm trên cả bộ + trả lời ~8 câu bằng mô hình fast")
    e.add_argument("--out", type=Path, default=None, help="thư mục báo cáo (mặc định eval/runs/<thời điểm>/)")
    e.add_argument("--gate", action="store_true", help="thoát mã khác 0 nếu không đạt các ngưỡng trong eval/gate.toml")
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
        return items, ci_items(items)
    if subset.isdigit():
        return items[: int(subset)], items[: int(subset)]
    wanted = {s.strip() for s in subset.split(",") if s.strip()}
    unknown = wanted - set(TYPES) - set(VARIANTS) - {i.id for i in items}
    if unknown:
        raise TracuuError(f"--subset: không hiểu {', '.join(sorted(unknown))}. Dùng một số, 'ci', id câu hỏi, "
                          f"hoặc loại/biến thể: {', '.join(TYPES + VARIANTS)}.")
    picked = [i for i in items if {i.type, i.variant, i.id} & wanted]
    return picked, picked


def cmd_eval(args) -> int:
    from eval import gate, report as rep
    from eval.gold import load_gold
    from eval.run import meta, run_answers, run_retrieval
    from tracuu.runtime import Runtime

    items = load_gold()
    retrieval_items, answer_items = select(items, args.subset)
    model = args.model or ("fast" if args.subset == "ci" else None)
    rt = Runtime()
    started = time.perf_counter()
    report = {"meta": meta(rt, subset=args.subset or "all", gold_items=len(items))}
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    log(f"Tìm kiếm {len(retrieval_items)} câu (dense, bm25, hybrid)…")
    report["retrieval"] = run_retrieval(rt, retrieval_items)
    if not args.retrieval and answer_items:
        log(f"Trả lời {len(answer_items)} câu với mô hình {model or rt.settings.llm}…")
        report["answers"] = run_answers(rt, answer_items, model, progress=log)
    report["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    out = args.out or RUNS_DIR / time.strftime("%Y%m%d-%H%M%S")
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
