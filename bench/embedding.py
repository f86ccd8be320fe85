"""How fast documents are embedded at ingest, and how close the fast arithmetic stays to float32.

Reads a sample of passages of a folder exactly as ingest would embed them (index/build.passage_text),
embeds them in float32 and in bfloat16 with the same e5 weights, and prints passages a second for each,
the cosine of each bf16 vector to its float32 twin (min, mean), and what the whole folder would take.

    .venv/bin/python bench/embedding.py [../shared/library] [--sample 384]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> int:
    import numpy as np

    from index.build import passage_text
    from index.embedder import E5Embedder, bf16_wanted
    from ingest.pipeline import collect_files, parse_files
    from tracuu.models.provision import require_embed_model
    from tracuu.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(REPO.parent / "shared" / "library"))
    ap.add_argument("--sample", type=int, default=384)
    args = ap.parse_args()
    settings = Settings.from_env()
    started = time.perf_counter()
    parsed = parse_files(collect_files([Path(args.folder)], []), settings.chunk_chars, settings.chunk_overlap,
                         settings.max_file_mb, lambda _: None)
    read = time.perf_counter() - started
    docs = {d.doc_id: d for d in parsed.documents}
    texts = [passage_text(docs[c.doc_id], c) for c in parsed.chunks]
    print(f"{args.folder}: {len(docs)} documents, {len(texts)} passages, read in {read:.0f} s "
          f"({sum(map(len, texts)) / max(1, len(texts)):.0f} characters a passage)")
    random.seed(0)
    sample = random.sample(texts, min(args.sample, len(texts)))
    path = require_embed_model(settings)
    rates, vectors = {}, {}
    for precision in ("float32", "bfloat16"):
        embedder = E5Embedder(path, precision=precision)
        embedder.embed_documents(sample[:8])  # loaded and warm
        t = time.perf_counter()
        vectors[precision] = embedder.embed_documents(sample)
        rates[precision] = len(sample) / (time.perf_counter() - t)
        print(f"  {precision:9s} {rates[precision]:6.1f} passages/s -> the folder in "
              f"{len(texts) / rates[precision] / 60:.1f} min")
    cos = (vectors["float32"] * vectors["bfloat16"]).sum(axis=1)
    print(f"  bf16 against float32: cosine min {cos.min():.4f}, mean {cos.mean():.4f}; "
          f"speed-up {rates['bfloat16'] / rates['float32']:.1f}x; "
          f"'auto' here means {'bfloat16' if bf16_wanted('auto') else 'float32'}")
    return 0 if np.isfinite(cos).all() else 1


if __name__ == "__main__":
    sys.exit(main())
