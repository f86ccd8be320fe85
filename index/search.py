"""Hybrid search: dense (e5 + FAISS) and BM25 rankings fused, and filters. What a question asks (the
plans or places it names, the body whose duties come first) and whether the passages answer it are
decided in assistant/ (intent, retrieve, evidence)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from index.bm25 import Bm25Index
from index.store import StoredIndex, expected_manifest, pointer_stamp, read_index
from ingest.agencies import sectors_of
from ingest.document import Chunk, Document
from ingest.normalize import fold
from tracuu.errors import TracuuError

RRF_K = 60  # reciprocal-rank-fusion constant
FRESH_SECONDS = 1.0  # how often a running process looks for a new index version (a stat of the pointer)
log = logging.getLogger("tracuu.search")
CANDIDATES = 100  # how deep each ranking is read before fusion

@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    document: Document
    score: float  # fused score (higher is better)
    dense: float  # cosine similarity to the question
    bm25: float  # BM25 score
    agency_match: bool = False  # preferred by the assistant: a section of, or an item given to, the body asked


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    dense_top: float  # best cosine
    # filled by the assistant (assistant/retrieve.py), which reads what the question asks:
    relevance: float = 0.0  # 0..1: share of the question's content words (idf-weighted) found in the top hits
    sectors: set[str] = field(default_factory=set)  # agency sectors named in the question
    missing: list[str] = field(default_factory=list)  # content words found in no top hit


@dataclass
class Filters:
    docs: tuple[str, ...] = ()  # doc ids or file names
    locality: str | None = None
    year: int | None = None
    agency: str | None = None
    chunk_ids: frozenset[str] = frozenset()  # only these passages (e.g. the parts of a law a question names)
    issuer: str | None = None  # a part of the issuer's name, with or without diacritics: "UBND tỉnh", "Sở Tư pháp"
    level: str | None = None  # "trung ương", "tỉnh", "huyện" or "xã" (ingest/header.py)
    kind: str | None = None  # "quyết định", "kế hoạch", "công văn" … (the kind or the form of the document)
    since: str | None = None  # ISO dates: documents signed on or after, on or before (a year-only date
    until: str | None = None  # counts as the whole year)

    def allows(self, chunk: Chunk, doc: Document) -> bool:
        return self.allows_document(doc) and self.allows_passage(chunk)

    @property
    def by_document_only(self) -> bool:
        return not self.chunk_ids and not self.agency

    def allows_document(self, doc: Document) -> bool:
        if self.docs and doc.doc_id not in self.docs and doc.file not in self.docs:
            return False
        if self.locality and fold(self.locality) not in fold(doc.locality or ""):
            return False
        if self.year and doc.year != self.year:
            return False
        if self.issuer and fold(self.issuer) not in fold(doc.issuer or ""):
            return False
        if self.level and fold(self.level) != fold(doc.level or ""):
            return False
        if self.kind and fold(self.kind) not in fold(f"{doc.kind} | {doc.form or ''}"):
            return False
        if self.since or self.until:
            if not doc.date:
                return False
            first, last = (doc.date, doc.date) if len(doc.date) > 4 else (f"{doc.date}-01-01", f"{doc.date}-12-31")
            if (self.since and last < self.since) or (self.until and first > self.until):
                return False
        return True

    def allows_passage(self, chunk: Chunk) -> bool:
        if self.chunk_ids and chunk.chunk_id not in self.chunk_ids:
            return False
        if self.agency:
            wanted = sectors_of(self.agency)
            if not chunk.agency or not (
                fold(self.agency) in fold(chunk.agency) or (wanted and wanted & sectors_of(chunk.agency))
            ):
                return False
        return True


def allowed_passages(index: StoredIndex, filters: Filters) -> np.ndarray:
    """Which passages the filters let through, as a mask: the documents are asked once each, a passage
    only when a filter is about passages (the body, the parts named)."""
    if filters == Filters():
        return np.ones(len(index.chunks), dtype=bool)
    doc_of = index.chunk_documents  # the row of each passage's document in index.documents
    allowed = np.array([filters.allows_document(d) for d in index.documents], dtype=bool)[doc_of]
    if not filters.by_document_only:
        allowed &= np.array([filters.allows_passage(c) for c in index.chunks], dtype=bool)
    return allowed


class Searcher:
    """Loads the index once; embeds questions with the given embedder (lazy)."""

    def __init__(self, settings, embedder):
        self.settings = settings
        self.embedder = embedder
        self._index: StoredIndex | None = None
        self._stamp = None  # what the pointer was when the index in use was read (index.store.pointer_stamp)
        self._checked = 0.0  # when the pointer was last looked at (time.monotonic)
        self._loading = threading.Lock()  # one reload at a time; readers go on with the index they hold
        self._restorer = None  # (index, Restorer): diacritics for plain queries, from that index's text

    @property
    def index(self) -> StoredIndex:
        """The current index version. A long-running process (API, web) looks at the pointer at most
        every FRESH_SECONDS and, when another process (an ingest, an upload) has swapped in a new
        version, reads it and swaps it in between requests: what a request holds stays whole. A new
        version that cannot be read leaves the old one in use (logged)."""
        now = time.monotonic()
        if self._index is not None and now - self._checked < FRESH_SECONDS:
            return self._index
        self._checked = now
        stamp = pointer_stamp(self.settings.index_dir)
        if self._index is not None and stamp == self._stamp:
            return self._index
        with self._loading:
            if self._index is None or stamp != self._stamp:
                expected = expected_manifest(self.settings, self.embedder.name, self.embedder.dim)
                try:
                    loaded = read_index(self.settings.index_dir, expected, search=True)  # one checked version
                except TracuuError:
                    if self._index is None:
                        raise
                    log.exception("a new index version could not be read; the one in use stays")
                    self._stamp = stamp
                    return self._index
                self._index, self._stamp = loaded, stamp
        return self._index

    @property
    def bm25(self) -> Bm25Index:
        return self.index.bm25

    def restored(self, query: str) -> str:
        """The query with its diacritics put back from the indexed text when typed without them
        (index/restore.py); else the query itself."""
        if fold(query) != query.lower():
            return query
        index = self.index
        if self._restorer is None or self._restorer[0] is not index:
            from index.restore import Restorer
            from ingest.lexicon import stop_words

            self._restorer = (index, Restorer([c.text for c in index.chunks], stop_words()))
        return self._restorer[1].restore(query)

    def search(self, query: str, k: int = 10, filters: Filters | None = None, mode: str = "hybrid",
               prefer=None, rank_by: str | None = None) -> SearchResult:
        """The k best passages for a query within the filters. `prefer(chunk)`: passages for which it is
        true come first, every one of them, in fused order (the assistant's choice, e.g. the sections
        of the body a question names); a number ranks the preferred among themselves, higher first.
        `rank_by`: the words both rankings read, when the assistant leaves some of the query's out (default: the query)."""
        index = self.index  # one version for the whole search, whatever swaps meanwhile
        chunks, docs = index.chunks, index.documents_by_id
        n = len(chunks)
        filters = filters or Filters()
        allowed = allowed_passages(index, filters)

        dense_scores = np.full(n, -1.0, dtype=np.float32)
        if mode in ("hybrid", "dense"):
            qv = self.embedder.embed_query(self.restored(rank_by or query)).reshape(1, -1).astype(np.float32)
            depth = n if n <= 5000 else min(n, CANDIDATES * 4)
            sims, ids = index.faiss.search(qv, depth)
            for s, i in zip(sims[0], ids[0]):
                if i >= 0:
                    dense_scores[i] = s
        bm25_scores = index.bm25.scores(rank_by or query) if mode in ("hybrid", "bm25") else np.zeros(n, np.float32)

        # e5 embeds questions typed without diacritics poorly: lean on BM25 for them
        fused = self._fuse(dense_scores, bm25_scores, allowed, mode, undiacritized=fold(query) == query.lower())
        tier = np.array([float(prefer(c)) for c in chunks], dtype=np.float32) * allowed if prefer else None
        preferred = tier > 0 if tier is not None else None
        order = np.argsort(-fused, kind="stable")
        order = order[allowed[order] & (fused[order] > -np.inf)]
        if tier is not None and preferred.any():
            order = order[np.argsort(-tier[order], kind="stable")]  # the preferred first, by tier, each in fused order
        order = [int(i) for i in order[:k]]
        hits = [
            Hit(chunks[i], docs[chunks[i].doc_id], float(fused[i]), float(dense_scores[i]),
                float(bm25_scores[i]), bool(preferred[i]) if preferred is not None else False)
            for i in order[:k]
        ]
        dense_top = float(max((h.dense for h in hits), default=0.0))
        return SearchResult(query, hits, dense_top)

    def _fuse(self, dense: np.ndarray, bm25: np.ndarray, allowed: np.ndarray, mode: str,
              undiacritized: bool = False) -> np.ndarray:
        n = len(dense)
        if mode == "dense":
            return np.where(allowed, dense, -np.inf)
        if mode == "bm25":
            return np.where(allowed & (bm25 > 0), bm25, -np.inf)
        if self.settings.fusion == "weighted":
            d = np.where(dense > -1, dense, 0)
            d = (d - d[allowed].min()) / max(1e-6, d[allowed].max() - d[allowed].min()) if allowed.any() else d
            b = bm25 / max(1e-6, bm25[allowed].max()) if allowed.any() else bm25
            w = self.settings.dense_weight * (0.5 if undiacritized else 1.0) / 2
            return np.where(allowed, w * d + (1 - w) * b, -np.inf)
        fused = np.zeros(n, dtype=np.float32)
        weight = self.settings.dense_weight * (0.5 if undiacritized else 1.0)
        for scores, valid, w in ((dense, dense > -1, weight), (bm25, bm25 > 0, 1.0)):
            ranked = [i for i in np.argsort(-scores, kind="stable") if valid[i] and allowed[i]][:CANDIDATES]
            for rank, i in enumerate(ranked):
                fused[i] += w / (RRF_K + rank + 1)
        return np.where(allowed & (fused > 0), fused, -np.inf)
