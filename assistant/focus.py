"""Focused context for small models: from each retrieved passage keep only the sentences that match
the question (its content words, and above all its years and numbers), in their original order."""

from __future__ import annotations

import math
import re

from ingest.normalize import fold

_SENTENCE = re.compile(r"(?<=[.;!?])\s+(?=\S)|\n+")
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+")
_STOP = set(
    "phai lam gi gi nao bao nhieu khong co la cua cac nhung the ai khi o dau nhu duoc va voi trong thi sao "
    "con ve cho mot nay do den tu tai theo de da se can hay hoac ra".split()
)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def score(sentence: str, question: str, idf=lambda w: 1.0) -> float:
    words = set(_WORD.findall(fold(sentence)))
    q_words = [w for w in dict.fromkeys(_WORD.findall(fold(question))) if w not in _STOP]
    s = sum(idf(w) for w in q_words if w in words and not w.isdigit())
    numbers = [w for w in q_words if w.isdigit()]
    s += sum(3 * math.log(2 + len(n)) for n in numbers if n in set(_NUMBER.findall(sentence)))
    return s


def focus(text: str, question: str, max_chars: int = 450, idf=lambda w: 1.0) -> str:
    """The passage cut to its best-matching sentences (original order), at most max_chars."""
    if len(text) <= max_chars:
        return text
    parts = sentences(text)
    ranked = sorted(range(len(parts)), key=lambda i: -score(parts[i], question, idf))
    keep, used = set(), 0
    for i in ranked:
        if used + len(parts[i]) > max_chars and keep:
            continue
        keep.add(i)
        used += len(parts[i]) + 1
        if used >= max_chars:
            break
    head = parts[0] if 0 not in keep and len(parts[0]) < 80 else None  # a short lead line gives context
    chosen = [parts[i] for i in sorted(keep)]
    return " … ".join(([head] if head else []) + chosen)
