"""Choose the fusion of dense and BM25 rankings on the gold set: hybrid recall@5 / MRR@10 for each
fusion method and dense weight. Prints a table.

    .venv/bin/python bench/fusion.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main():
    from eval.gold import load_gold
    from eval.run import run_retrieval
    from tracuu.runtime import Runtime

    items = load_gold()
    print("| fusion | dense weight | hybrid recall@5 | hybrid MRR@10 | bm25 recall@5 | dense recall@5 |")
    print("|---|---|---|---|---|---|")
    for fusion, weight in (("rrf", 0.5), ("rrf", 0.3), ("weighted", 0.6), ("weighted", 1.0), ("weighted", 1.2), ("weighted", 1.4)):
        rt = Runtime()
        rt.settings = rt.settings.with_(fusion=fusion, dense_weight=weight)
        report = run_retrieval(rt, items)
        o = {m: report["modes"][m]["overall"] for m in ("hybrid", "bm25", "dense")}
        print(f"| {fusion} | {weight} | {o['hybrid']['recall@5']:.3f} | {o['hybrid']['mrr@10']:.3f} | "
              f"{o['bm25']['recall@5']:.3f} | {o['dense']['recall@5']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
