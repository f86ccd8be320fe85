"""Retrieval speed and scale. Prints tables; asserts nothing (figures go in the README).

    .venv/bin/python bench/retrieval.py [--sizes 100000,1000000] [--queries 200]

1. index build time for the bundled plans (parse, embed, FAISS + BM25, atomic write);
2. query latency p50/p95 for dense, BM25 and hybrid on the gold questions;
3. FAISS at synthetic scale: flat (exact) vs HNSW vs IVF — build time, latency, recall@10 vs exact.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def table(title, header, rows):
    print(f"\n## {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(x) for x in row) + " |")


def bench_build(rt):
    from index.build import build_index

    with tempfile.TemporaryDirectory() as tmp:
        settings = rt.settings.with_(index_dir=Path(tmp) / "index")
        rt.embedder.embed_query("khởi động")  # load the model outside the timing
        t = time.perf_counter()
        report = build_index([settings.plans_dir], settings, rt.embedder)
        full = time.perf_counter() - t
        t = time.perf_counter()
        build_index([settings.plans_dir], settings, rt.embedder)
        again = time.perf_counter() - t
    table("Index build (bundled plans)", ["documents", "chunks", "full build s", "re-ingest unchanged s"],
          [[report.documents, report.chunks, f"{full:.1f}", f"{again:.2f}"]])


def bench_queries(rt, n):
    from eval.gold import load_gold

    questions = [g.question for g in load_gold()][:n]
    s = rt.searcher
    s.search("khởi động")
    rows = []
    for mode in ("dense", "bm25", "hybrid"):
        times = []
        for q in questions:
            t = time.perf_counter()
            s.search(q, k=10, mode=mode)
            times.append((time.perf_counter() - t) * 1000)
        rows.append([mode, len(times), f"{pct(times, 50):.1f}", f"{pct(times, 95):.1f}"])
    table("Query latency on the gold questions (ms, embedding the question included)",
          ["mode", "queries", "p50", "p95"], rows)


def bench_scale(sizes, dim=384, queries=200, seed=0):
    import faiss

    from index.dense import make_faiss

    faiss.omp_set_num_threads(2)
    rng = np.random.default_rng(seed)
    rows = []
    for n in sizes:
        # clustered synthetic vectors (real embeddings are far from uniform)
        centers = rng.standard_normal((256, dim)).astype(np.float32)
        x = centers[rng.integers(0, 256, n)] + 0.35 * rng.standard_normal((n, dim)).astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        q = x[rng.integers(0, n, queries)] + 0.05 * rng.standard_normal((queries, dim)).astype(np.float32)
        q /= np.linalg.norm(q, axis=1, keepdims=True)
        exact = None
        for kind in ("flat", "hnsw", "ivf"):
            t = time.perf_counter()
            index = make_faiss(x, kind)
            build = time.perf_counter() - t
            # search-time knobs: HNSW's efSearch, IVF's nprobe (the first is the shipped default)
            knobs = {"flat": [None], "hnsw": [64, 256, 1024], "ivf": [index.nprobe if kind == "ivf" else None]}[kind]
            for knob in knobs:
                if kind == "hnsw":
                    index.hnsw.efSearch = knob
                times, found = [], []
                for row in q:
                    t = time.perf_counter()
                    _, ids = index.search(row[None, :], 10)
                    times.append((time.perf_counter() - t) * 1000)
                    found.append(ids[0])
                if kind == "flat":
                    exact = found
                recall = statistics.mean(len(set(a) & set(b)) / 10 for a, b in zip(found, exact))
                label = kind if knob is None else f"{kind} ({'efSearch' if kind == 'hnsw' else 'nprobe'} {knob})"
                rows.append([f"{n:,}", label, f"{build:.1f}", f"{pct(times, 50):.2f}", f"{pct(times, 95):.2f}", f"{recall:.3f}"])
                print(f"  {n:,} {label}: build {build:.1f}s p50 {pct(times, 50):.2f}ms recall {recall:.3f}", file=sys.stderr)
            del index
        del x
    table("FAISS at scale (synthetic, dim 384, 2 threads)",
          ["chunks", "index", "build s", "p50 ms", "p95 ms", "recall@10 vs exact"], rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--skip-scale", action="store_true")
    args = ap.parse_args()
    from tracuu.runtime import Runtime

    rt = Runtime()
    bench_build(rt)
    bench_queries(rt, args.queries)
    if not args.skip_scale:
        bench_scale([int(s) for s in args.sizes.split(",")], queries=args.queries)


if __name__ == "__main__":
    main()
