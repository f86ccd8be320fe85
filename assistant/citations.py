"""Citations are never trusted: [n] markers are parsed back out of the model's text, out-of-range
ones dropped, and every statement is checked against the passage it cites."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.normalize import fold

_REF = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-ZĐÀ-Ỹ\-•*\d])|\n+")
_WORD = re.compile(r"\w+")
# words too common in these plans to show that a passage supports a statement
_WEAK = set(
    "va cua cac cho trong voi theo tai de la co duoc nhung mot nay do ve tu den khi thi hoac se da can "
    "ke hoach phong chong ma tuy thuc hien cong tac tren dia ban nhiem vu".split()
)
SUPPORT_THRESHOLD = 0.6  # share of a statement's content words that its cited passage must hold


@dataclass(frozen=True)
class Statement:
    text: str  # the sentence without its [n] markers
    refs: tuple[int, ...]  # the passages it cites (1-based), in-range only
    dropped_refs: tuple[int, ...] = ()  # markers pointing at no passage
    support: float = 0.0  # best support among its cited passages
    supported: bool = False


def split_statements(text: str, n_passages: int) -> list[Statement]:
    """Sentences of an answer with the passage numbers each cites."""
    out = []
    for raw in _SENTENCE_END.split(text.strip()):
        raw = raw.strip()
        if not raw:
            continue
        refs: list[int] = []
        for group in _REF.findall(raw):
            refs.extend(int(x) for x in re.split(r"\s*[,;]\s*", group))
        clean = _REF.sub("", raw).strip()
        clean = re.sub(r"\s+([.,;:!?])", r"\1", clean)
        if not _WORD.search(clean):
            # a line that is only markers ("[1][2]") cites for the statement before it
            if out and refs:
                prev = out[-1]
                good = tuple(dict.fromkeys(prev.refs + tuple(r for r in refs if 1 <= r <= n_passages)))
                out[-1] = replace(prev, refs=good)
            continue
        good = tuple(dict.fromkeys(r for r in refs if 1 <= r <= n_passages))
        bad = tuple(r for r in refs if not 1 <= r <= n_passages)
        out.append(Statement(clean, good, bad))
    return out


def content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(fold(text)) if w not in _WEAK and len(w) > 1]


def support(statement: str, passage: str) -> float:
    """Share of the statement's content words (diacritic-folded) that occur in the passage, with
    word pairs counted too so that a statement stitched from unrelated words scores low."""
    words = content_words(statement)
    if not words:
        return 1.0
    passage_words = set(_WORD.findall(fold(passage)))
    uni = sum(w in passage_words for w in words) / len(words)
    pairs = list(zip(words, words[1:]))
    if not pairs:
        return uni
    folded_passage = " ".join(_WORD.findall(fold(passage)))
    bi = sum(f"{a} {b}" in folded_passage for a, b in pairs) / len(pairs)
    return 0.6 * uni + 0.4 * bi


def verify(statements: list[Statement], passages: list[str], threshold: float = SUPPORT_THRESHOLD) -> list[Statement]:
    """Mark each statement supported or not by the passages it cites. A statement without a marker
    is credited to the passage that supports it best, if any does."""
    out = []
    for st in statements:
        refs = st.refs
        if not refs:
            scores = [(support(st.text, p), i + 1) for i, p in enumerate(passages)]
            best, n = max(scores, default=(0.0, 0))
            refs = (n,) if best >= threshold else ()
        scores = [support(st.text, passages[r - 1]) for r in refs]
        kept = tuple(r for r, s in zip(refs, scores) if s >= threshold)
        best = max(scores, default=0.0)
        out.append(replace(st, refs=kept or refs, support=best, supported=bool(kept)))
    return out


_DONT_KNOW = re.compile(
    r"không (?:nêu|có thông tin|đề cập|được đề cập|tìm thấy|quy định)|chưa (?:nêu|có thông tin)|"
    r"không biết|không rõ|không thể trả lời",
    re.I,
)


def says_dont_know(text: str) -> bool:
    return bool(_DONT_KNOW.search(text))
