"""Keyword search: BM25 over Vietnamese syllables in three forms — exact (tone-normalised), folded
(no diacritics) and folded bigrams — so "Sở Y tế", "so y te" and "sở y tê" all find the Sở Y tế
section. Query words absent from the vocabulary are repaired to the nearest word (one edit)."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.normalize import fold, syllable_key, _WORD, nfc

K1 = 1.2  # term-frequency saturation
B = 0.75  # length normalisation


def bm25_tokens(text: str) -> list[str]:
    words = _WORD.findall(nfc(text))
    folded = [fold(w) for w in words]
    exact = ["=" + syllable_key(w) for w in words]
    bigrams = [f"{a}_{b}" for a, b in zip(folded, folded[1:])]
    return folded + exact + bigrams


@dataclass
class Bm25Index:
    vocab: dict[str, int]
    idf: np.ndarray  # per term
    matrix: object  # scipy.sparse.csc_matrix (docs x terms) of BM25 term weights

    @classmethod
    def build(cls, texts: list[str]) -> "Bm25Index":
        from scipy import sparse

        vocab: dict[str, int] = {}
        rows, cols, tfs = [], [], []
        lengths = np.zeros(len(texts), dtype=np.float32)
        df = Counter()
        for i, text in enumerate(texts):
            counts = Counter(bm25_tokens(text))
            lengths[i] = sum(counts.values())
            for term, tf in counts.items():
                j = vocab.setdefault(term, len(vocab))
                rows.append(i)
                cols.append(j)
                tfs.append(tf)
                df[j] += 1
        n = max(len(texts), 1)
        dfs = np.array([df[j] for j in range(len(vocab))], dtype=np.float32)
        idf = np.log(1 + (n - dfs + 0.5) / (dfs + 0.5)).astype(np.float32)
        avg = float(lengths.mean()) if len(texts) else 1.0
        rows_a, cols_a = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)
        tf_a = np.array(tfs, dtype=np.float32)
        norm = K1 * (1 - B + B * lengths[rows_a] / max(avg, 1e-6))
        weights = idf[cols_a] * tf_a * (K1 + 1) / (tf_a + norm)
        matrix = sparse.csc_matrix((weights, (rows_a, cols_a)), shape=(len(texts), len(vocab)), dtype=np.float32)
        return cls(vocab, idf, matrix)

    def query_terms(self, query: str) -> list[int]:
        terms = []
        for token in bm25_tokens(query):
            j = self.vocab.get(token)
            if j is None and not token.startswith("=") and "_" not in token and len(token) >= 3:
                j = self._nearest(token)
            if j is not None:
                terms.append(j)
        return terms

    def scores(self, query: str) -> np.ndarray:
        terms = self.query_terms(query)
        if not terms:
            return np.zeros(self.matrix.shape[0], dtype=np.float32)
        counts = Counter(terms)
        cols = list(counts)
        weights = np.array([counts[c] for c in cols], dtype=np.float32)
        return np.asarray(self.matrix[:, cols] @ weights).ravel()

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        scores = self.scores(query)
        if not len(scores):
            return []
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def _nearest(self, token: str) -> int | None:
        """A folded vocabulary word one edit away (typo repair), the most frequent-looking first."""
        best = None
        for cand in _edits1(token):
            j = self.vocab.get(cand)
            if j is not None and (best is None or self.idf[j] < self.idf[best]):
                best = j
        return best

    def save(self, folder: Path) -> None:
        from scipy import sparse

        sparse.save_npz(folder / "bm25.npz", self.matrix.tocsc(), compressed=False)  # loads 6x faster (0.05 s for a library)
        np.save(folder / "bm25_idf.npy", self.idf)
        (folder / "bm25_vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "Bm25Index":
        from scipy import sparse

        vocab = json.loads((folder / "bm25_vocab.json").read_text(encoding="utf-8"))
        return cls(vocab, np.load(folder / "bm25_idf.npy"), sparse.load_npz(folder / "bm25.npz").tocsc())


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return deletes | swaps | replaces | inserts


def idf_of(index: Bm25Index, token: str) -> float:
    j = index.vocab.get(token)
    return float(index.idf[j]) if j is not None else math.log(1 + index.matrix.shape[0])
