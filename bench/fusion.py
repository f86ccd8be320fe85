"""Choose the fusion of dense and BM25 rankings on the tuned questions of each gold corpus: hybrid hit@5,
recall@5 and MRR@10 for each fusion method and dense weight, one table row per corpus and setting.

    .venv/bin/python bench/fusion.py                                  # the plans, on data/index
    .venv/bin/python bench/fusion.py plans=data/index corpus3=/tmp/c3 corpus4=/tmp/c4 --weights 0.6 1.0 1.2

Each CORPUS=INDEX_DIR names an index that holds that corpus's documents (`tracuu --index-dir DIR ingest …`,
as `tracuu eval --corpus` builds it); only tuned, answerable questions are asked.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main():
    from eval.gold import load_corpus
    from eval.run import run_retrieval
    from tracuu.runtime import Runtime

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpora", nargs="*", default=["plans=data/index"], help="CORPUS=INDEX_DIR")
    ap.add_argument("--weights", nargs="*", type=float, default=[0.4, 0.6, 0.8, 1.0, 1.2, 1.4])
    args = ap.parse_args()
    base = Runtime()
    embedder = base.embedder  # loaded once, shared by every run
    print("| corpus | fusion | dense weight | questions | hybrid hit@5 | hybrid recall@5 | hybrid MRR@10 |")
    print("|---|---|---|---|---|---|---|")
    for pair in args.corpora:
        corpus, _, index_dir = pair.partition("=")
        items = [i for i in load_corpus(corpus) if i.split == "tuned" and i.answerable]
        for fusion, weight in [("weighted", w) for w in args.weights] + [("rrf", 1.0)]:
            rt = Runtime(base.settings.with_(index_dir=Path(index_dir), fusion=fusion, dense_weight=weight))
            rt.__dict__["embedder"] = embedder  # Runtime.embedder is a cached_property
            o = run_retrieval(rt, items)["modes"]["hybrid"]["overall"]
            print(f"| {corpus} | {fusion} | {weight} | {len(items)} | {o['hit@5']:.3f} | {o['recall@5']:.3f} | "
                  f"{o['mrr@10']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
