"""FAISS inner-product indexes over normalised vectors (inner product = cosine)."""

from __future__ import annotations

import numpy as np

# "auto" switches from exact search to IVF here: below it a flat search of every vector takes a few
# milliseconds on 2 cores (bench/retrieval.py: flat is right up to about 100k passages; IVF at 1M
# synthetic passages keeps recall 1.000 at 5.7 ms a search)
IVF_FROM = 100_000


def make_faiss(vectors: np.ndarray, kind: str = "flat", nlist: int | None = None):
    """An index of `kind`: "flat" (exact), "hnsw" (graph, no training), "ivf" (clustered; trained here),
    or "auto" (flat below IVF_FROM vectors, else ivf)."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dim = vectors.shape[1]
    if kind == "auto":
        kind = "ivf" if len(vectors) >= IVF_FROM else "flat"
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 64
    elif kind == "ivf":
        nlist = nlist or max(1, min(4096, int(4 * np.sqrt(len(vectors)))))
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.train(vectors[: min(len(vectors), 64 * nlist)])
        index.nprobe = max(1, nlist // 16)
    else:
        from tracuu.errors import TracuuError

        raise TracuuError(f"Kiểu chỉ mục FAISS '{kind}' không có — chọn auto, flat, hnsw hoặc ivf (TRACUU_FAISS_INDEX).")
    if len(vectors):
        index.add(vectors)
    return index


def read_faiss(path):
    import faiss

    return faiss.read_index(str(path))
