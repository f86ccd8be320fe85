"""Evaluation metrics: pure functions, each returning `(overall, per_item)`.

`per_item` is a list aligned with the input, holding each item's score or `None` where the metric does
not apply (recall of an unanswerable question, refusal accuracy of an answerable one). `overall` is the
mean of the scores that apply, or `None` when none does.

Relevance — when does a passage "hold" a gold quote? A passage is a plan file, its text and its context
(the chunk's section path and heading lines). It holds a quote when it comes from the quote's file and
1. the quote occurs in the text (`ingest.normalize.contains_quote`: markup, case, tone placement and
   whitespace ignored), or
2. the quote occurs in context + text — a heading quote such as "3. Sở Y tế" is held by every passage
   of that section, or
3. the quote straddles the passage: a run of at least `SPLIT_SHARE` of the quote's word tokens, and at
   least `MIN_RUN_TOKENS` of them (tone-key form, punctuation ignored), occurs contiguously in the
   text — a quote split at a chunk boundary is held by each piece carrying half of it or more, or
4. the passage lies inside the quote: its whole text (at least `MIN_RUN_TOKENS` words) occurs in it, or
5. a table row of the passage, read without the column labels the reader writes before its cells, holds the
   quote's words in order, or by rule 3 ("89. | Xây dựng … | Bộ Thông tin và Truyền thông | … | 9/2025" as in the source).
Rules 3–4 never apply to short quotes such as headings, so "3. Sở Y tế" is not held by a passage that
merely mentions "Y tế".
A retrieved hit is relevant to a gold item when it holds any of the item's quotes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from assistant.citations import SUPPORT_THRESHOLD, split_statements, support, verify
from ingest.normalize import contains_quote, tokens
from ingest.table_duties import row_values

SPLIT_SHARE = 0.5  # share of a quote's tokens a passage must carry contiguously to hold a split quote
MIN_RUN_TOKENS = 8  # rules 3 and 4 need a shared run of at least this many words (never for headings)

Score = float | None
# "… Du lịch. [1] - Thường xuyên …": markers written after a sentence's full stop, as answers print them
_TRAILING_MARKERS = re.compile(r"([.!?;])[ \t]*((?:\[\d{1,3}(?:\s*[,;]\s*\d{1,3})*\][ \t]*)+)")


@dataclass(frozen=True)
class Passage:
    file: str  # plan file name, as in the gold quotes
    text: str  # the passage itself
    context: str = ""  # section path and heading lines above it


# -- relevance -------------------------------------------------------------------------------------
def holds(passage: Passage, quote) -> bool:
    """Whether `passage` holds the gold `quote` (anything with .file and .text); rules in the module doc."""
    if passage.file != quote.file:
        return False
    if contains_quote(passage.text, quote.text):
        return True
    if passage.context and contains_quote(f"{passage.context}\n{passage.text}", quote.text):
        return True
    q = tokens(quote.text)
    if _holds_run(q, tokens(passage.text)):
        return True
    rows = [row_values(line.strip()) for line in passage.text.split("\n")]
    if not any(rows):
        return False
    # rule 5: a table row, which the reader writes with its column labels ("- TT: 89. · Tên nhiệm vụ: … ·
    # Cơ quan chủ trì: …"), read as the source table's row ("89. | Xây dựng … | Bộ …")
    values = "\n".join(r or line for r, line in zip(rows, passage.text.split("\n")))
    cells = tokens(values)
    return f" {' '.join(q)} " in f" {' '.join(cells)} " or _holds_run(q, cells)


def _holds_run(q: list[str], p: list[str]) -> bool:
    """Rules 3–4 on word tokens: the quote straddles the passage, or the passage lies inside the quote."""
    if not q or not p:
        return False
    joined = f" {' '.join(p)} "
    need = max(MIN_RUN_TOKENS, math.ceil(SPLIT_SHARE * len(q)))
    if need < len(q) and any(f" {' '.join(q[i:i + need])} " in joined for i in range(len(q) - need + 1)):
        return True
    return len(p) >= MIN_RUN_TOKENS and f" {' '.join(p)} " in f" {' '.join(q)} "


def relevance_matrix(passages: Sequence[Passage], quotes: Sequence) -> list[list[bool]]:
    """One row per quote, one column per ranked passage: whether passage r holds quote q. An item
    without quotes (unanswerable) gets no rows and is not scored by the retrieval metrics."""
    return [[holds(p, q) for p in passages] for q in quotes]


def _mean(scores: Iterable[Score]) -> Score:
    vals = [s for s in scores if s is not None]
    return sum(vals) / len(vals) if vals else None


# -- retrieval -------------------------------------------------------------------------------------
def recall_at_k(matrices: Sequence[list[list[bool]]], k: int) -> tuple[Score, list[Score]]:
    """Per item: share of its quotes held by at least one of the top-k passages."""
    per = [sum(any(row[:k]) for row in m) / len(m) if m else None for m in matrices]
    return _mean(per), per


def hit_at_k(matrices: Sequence[list[list[bool]]], k: int) -> tuple[Score, list[Score]]:
    """Per item: 1 if any of the top-k passages holds any of its quotes, else 0."""
    per = [float(any(any(row[:k]) for row in m)) if m else None for m in matrices]
    return _mean(per), per


def first_relevant_rank(matrix: list[list[bool]]) -> int | None:
    """1-based rank of the first passage holding any quote, or None."""
    width = max((len(row) for row in matrix), default=0)
    return next((r + 1 for r in range(width) if any(row[r] for row in matrix)), None)


def mrr_at_k(matrices: Sequence[list[list[bool]]], k: int) -> tuple[Score, list[Score]]:
    """Per item: 1 / rank of the first relevant passage within the top k, 0 if none."""
    per: list[Score] = []
    for m in matrices:
        rank = first_relevant_rank(m) if m else None
        per.append(None if not m else (1.0 / rank if rank and rank <= k else 0.0))
    return _mean(per), per


# -- answers ---------------------------------------------------------------------------------------
def key_phrase_coverage(answers: Sequence[str], key_phrases: Sequence[Sequence[str]]) -> tuple[Score, list[Score]]:
    """Per item: share of its key phrases found in the answer (contains_quote); items without key
    phrases are not scored."""
    per = [
        sum(contains_quote(a, kp) for kp in kps) / len(kps) if kps else None
        for a, kps in zip(answers, key_phrases)
    ]
    return _mean(per), per


def statements_of(text: str, n_citations: int):
    """The answer's sentences with the citations each carries. Markers printed after a sentence's full
    stop ("… Du lịch. [1] - Thường …") are moved before it, so that they stay with their sentence."""
    text = _TRAILING_MARKERS.sub(lambda m: f" {m.group(2).strip()}{m.group(1)} ", text)
    return split_statements(text, n_citations)


def claims(text: str, citations: Sequence[Passage]):
    """The answer's claims (`assistant.citations.Statement`s) checked against the passages they cite,
    as the assistant checks them. Lead-in lines ending with ':' ("…, nhiệm vụ như sau:") frame a list
    rather than claim anything and are left out."""
    statements = statements_of(text, len(citations))
    return verify([s for s in statements if not s.text.rstrip().endswith(":")], [c.text for c in citations])


def citation_verdicts(text: str, cited: Sequence[Passage], quotes: Sequence) -> list[bool]:
    """For each cited passage (citation n = cited[n-1]): does it hold a gold quote, or support
    (assistant.citations.support ≥ SUPPORT_THRESHOLD) a statement that cites it?"""
    statements = statements_of(text, len(cited))
    verdicts = []
    for n, passage in enumerate(cited, 1):
        citing = [s.text for s in statements if n in s.refs]
        verdicts.append(any(holds(passage, q) for q in quotes)
                        or any(support(s, passage.text) >= SUPPORT_THRESHOLD for s in citing))
    return verdicts


def citation_precision(
    answers: Sequence[str], citations: Sequence[Sequence[Passage]], quotes: Sequence[Sequence]
) -> tuple[Score, list[Score]]:
    """Per item: share of its cited passages that are right (`citation_verdicts`). Items without
    citations are not scored."""
    per: list[Score] = []
    for text, cited, qs in zip(answers, citations, quotes):
        verdicts = citation_verdicts(text, cited, qs)
        per.append(sum(verdicts) / len(verdicts) if verdicts else None)
    return _mean(per), per


def quote_recall(passages: Sequence[Sequence[Passage]], quotes: Sequence[Sequence]) -> tuple[Score, list[Score]]:
    """Per item: share of its gold quotes held by some passage. Used for citation recall (passages =
    cited ones) and context recall (passages = those the model was shown). No quotes: not scored."""
    per = [
        sum(any(holds(p, q) for p in ps) for q in qs) / len(qs) if qs else None
        for ps, qs in zip(passages, quotes)
    ]
    return _mean(per), per


def unsupported_rate(answers: Sequence[str], citations: Sequence[Sequence[Passage]],
                     refused: Sequence[bool]) -> tuple[Score, list[Score]]:
    """Per item: share of the answer's claims that no cited passage supports (checked as the
    assistant does: `assistant.citations.verify`). Refusals and answers without claims are not scored."""
    per: list[Score] = []
    for text, cited, ref in zip(answers, citations, refused):
        checked = [] if ref else claims(text, cited)
        per.append(sum(not s.supported for s in checked) / len(checked) if checked else None)
    return _mean(per), per


def removed_rate(removed: Sequence[int], kept: Sequence[int]) -> tuple[Score, list[Score]]:
    """Per item: share of the model's statements the assistant dropped as unsupported — removed /
    (removed + kept). Items with no model statements (refusals, extractive answers) are not scored."""
    per = [r / (r + k) if r + k else None for r, k in zip(removed, kept)]
    return _mean(per), per


def refusal_accuracy(refused: Sequence[bool], answerable: Sequence[bool]) -> tuple[Score, list[Score]]:
    """Per unanswerable item: 1 if the assistant refused. Answerable items are not scored."""
    per = [None if ok else float(r) for r, ok in zip(refused, answerable)]
    return _mean(per), per


def false_refusal_rate(refused: Sequence[bool], answerable: Sequence[bool]) -> tuple[Score, list[Score]]:
    """Per answerable item: 1 if the assistant refused (lower is better). Unanswerable: not scored."""
    per = [float(r) if ok else None for r, ok in zip(refused, answerable)]
    return _mean(per), per


# -- thresholds and latency ------------------------------------------------------------------------
def threshold_table(scores: Sequence[float], answerable: Sequence[bool], thresholds: Iterable[float]) -> list[dict]:
    """For each threshold t (refuse when score < t): share of unanswerable items refused, share of
    answerable items refused, and Youden's J = refused - false refusals (higher separates better)."""
    pos = [s for s, a in zip(scores, answerable) if a]
    neg = [s for s, a in zip(scores, answerable) if not a]
    rows = []
    for t in sorted(set(thresholds)):
        refused = sum(s < t for s in neg) / len(neg) if neg else None
        false = sum(s < t for s in pos) / len(pos) if pos else None
        j = refused - false if refused is not None and false is not None else None
        rows.append({"threshold": round(t, 4), "unanswerable_refused": refused, "false_refusals": false, "j": j})
    return rows


def best_threshold(rows: Sequence[dict]) -> dict | None:
    """The row with the highest J; ties go to the fewer false refusals, then the lower threshold."""
    rows = [r for r in rows if r["j"] is not None]
    return max(rows, key=lambda r: (r["j"], -r["false_refusals"], -r["threshold"]), default=None)


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0..100) with linear interpolation between order statistics (numpy's default)."""
    vals = sorted(v for v in values if v is not None)
    if not vals:
        return None
    pos = (len(vals) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)


def latency(values: Sequence[float]) -> dict:
    """p50 / p95 / max / n of a list of milliseconds, rounded to 0.1 ms."""
    vals = [v for v in values if v is not None]
    out = {"p50": percentile(vals, 50), "p95": percentile(vals, 95), "max": max(vals, default=None)}
    return {k: None if v is None else round(v, 1) for k, v in out.items()} | {"n": len(vals)}


def group_mean(per_item: Sequence[Score], groups: Sequence[str]) -> dict[str, Score]:
    """Mean of the applicable per-item scores within each group (type, variant, …)."""
    out: dict[str, list[Score]] = {}
    for score, g in zip(per_item, groups):
        out.setdefault(g, []).append(score)
    return {g: _mean(v) for g, v in out.items()}
