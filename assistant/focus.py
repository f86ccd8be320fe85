"""Focused context for small models: from the retrieved passages keep only the sentences that match
the question (its content words, and above all its years and numbers), in their original order, under
one token budget for the whole prompt."""

from __future__ import annotations

import math
import re

from ingest.normalize import fold

from ingest.lexicon import is_stop
from ingest.normalize import sentences  # noqa: F401 — the one sentence splitter, re-exported for assistant/

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+")


def score(sentence: str, question: str, idf=lambda w: 1.0) -> float:
    words = set(_WORD.findall(fold(sentence)))
    q_words = [fold(w) for w in dict.fromkeys(_WORD.findall(question.lower())) if not is_stop(w)]
    s = sum(idf(w) for w in q_words if w in words and not w.isdigit())
    numbers = [w for w in q_words if w.isdigit()]
    s += sum(3 * math.log(2 + len(n)) for n in numbers if n in set(_NUMBER.findall(sentence)))
    return s


def focus_all(texts: list[str], question: str, budget: int, cost, overhead=(), idf=lambda w: 1.0,
              decay: float = 0.85) -> list[str]:
    """Focused context under one token budget for all passages together: the best-matching sentences
    across the passages (a passage's rank discounts its sentences by `decay` per place), each passage
    cut to its chosen sentences in their original order. `overhead[i]` is what passage i costs once
    shown at all (its header line). The best sentence of the first passage is always kept; a passage
    with no chosen sentence comes back empty. `cost(text)` counts tokens.

    Prompt processing is what a small model spends its first seconds on (about 80 tokens/s for the
    1.5B on 2 cores), so the budget is what keeps the first token within a few seconds."""
    parts = [sentences(t) or [t] for t in texts]
    ranked = sorted(
        ((score(s, question, idf) * decay**i, -i, -j) for i, ps in enumerate(parts) for j, s in enumerate(ps)),
        reverse=True,
    )
    overhead = list(overhead) + [0] * (len(parts) - len(overhead))
    chosen: set[tuple[int, int]] = set()
    opened: set[int] = set()
    used = 0
    for value, neg_i, neg_j in ranked:
        i, j = -neg_i, -neg_j
        if value <= 0 and chosen:
            break
        c = cost(parts[i][j]) + 2 + (overhead[i] if i not in opened else 0)
        if chosen and used + c > budget:
            continue
        chosen.add((i, j))
        opened.add(i)
        used += c
    return [" … ".join(s for j, s in enumerate(ps) if (i, j) in chosen) for i, ps in enumerate(parts)]
