"""Which tokens should BM25 use? Syllables (exact + folded + folded bigrams, what ships) against
pyvi word segmentation, measured on the gold set: recall@5 and MRR@10 of BM25 alone. Prints a table.

    .venv/bin/python bench/bm25_tokenizers.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval.gold import load_gold  # noqa: E402
from index import bm25 as bm25_module  # noqa: E402
from index.bm25 import Bm25Index  # noqa: E402
from index.build import passage_text  # noqa: E402
from ingest.normalize import _WORD, contains_quote, fold, nfc, syllable_key  # noqa: E402
from ingest.pipeline import collect_files, parse_files  # noqa: E402


def syllables_plain(text):
    return [fold(w) for w in _WORD.findall(nfc(text))]


def syllables_exact_folded(text):
    words = _WORD.findall(nfc(text))
    return [fold(w) for w in words] + ["=" + syllable_key(w) for w in words]


def pyvi_words(text):
    from pyvi import ViTokenizer

    words = ViTokenizer.tokenize(nfc(text)).split()
    return [w.lower() for w in words if _WORD.search(w)] + [fold(w) for w in words if _WORD.search(w)]


SHIPPED = bm25_module.bm25_tokens


def pyvi_plus_syllables(text):
    return pyvi_words(text) + SHIPPED(text)


VARIANTS = {
    "syllables (folded)": syllables_plain,
    "syllables (exact + folded)": syllables_exact_folded,
    "syllables + folded bigrams (shipped)": SHIPPED,
    "pyvi words (exact + folded)": pyvi_words,
    "pyvi words + shipped syllables": pyvi_plus_syllables,
}


def main():
    parsed = parse_files(collect_files([Path("data/plans")]), 1200, 150, 20)
    docs = {d.doc_id: d for d in parsed.documents}
    chunks = parsed.chunks
    texts = [passage_text(docs[c.doc_id], c) for c in chunks]
    items = [g for g in load_gold() if g.quotes and g.type != "follow_up"]
    print("| tokens | recall@5 | MRR@10 | build s |")
    print("|---|---|---|---|")
    for name, fn in VARIANTS.items():
        bm25_module.bm25_tokens = fn  # Bm25Index tokenises through the module function
        t = time.perf_counter()
        index = Bm25Index.build(texts)
        build = time.perf_counter() - t
        hits5 = rr = 0.0
        for g in items:
            ranked = [i for i, _ in index.search(g.question, 10)]
            relevant = [r for r, i in enumerate(ranked) if any(
                q.file.startswith(chunks[i].doc_id) and contains_quote(texts[i], q.text) for q in g.quotes)]
            hits5 += bool(relevant and relevant[0] < 5)
            rr += 1 / (relevant[0] + 1) if relevant else 0
        print(f"| {name} | {hits5 / len(items):.3f} | {rr / len(items):.3f} | {build:.1f} |")
    bm25_module.bm25_tokens = SHIPPED
    print(f"\n{len(items)} answerable gold questions (follow-ups excluded), {len(chunks)} chunks.")


if __name__ == "__main__":
    main()
