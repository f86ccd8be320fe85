"""Citations are never trusted: [n] markers are parsed back out of the model's text, out-of-range
ones dropped, and every statement is checked against the passage it cites."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ingest.lexicon import bodies_in, is_stop
from ingest.normalize import SENTENCE_END as _SENTENCE_END
from ingest.normalize import fold, sentences

_REF = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+")
# Vietnamese prepositions and conjunctions that always take a complement: a statement ending on one
# ("… phải xong khi.") is cut off, not a clause (grammar, not topic)
_DANGLING = {"khi", "neu", "va", "cua", "voi", "de", "theo", "cho", "la", "tai", "trong", "ve", "do", "vi", "nhu", "hoac"}
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
    # "… kế hoạch. [1] Câu sau" -> "… kế hoạch [1]. Câu sau": a marker after the full stop cites the sentence before it
    text = re.sub(r"([.!?;])\s*((?:\[\d{1,3}(?:\s*[,;]\s*\d{1,3})*\]\s*)+)", lambda m: f" {m.group(2).strip()}{m.group(1)} ", text)
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


def content_words(text: str, common: frozenset[str] = frozenset()) -> list[str]:
    """The folded words of a text that can show support: not stop words (ingest/data/stopwords_vi.txt)
    and not the words common to most passages of the index (`common`, taken from the index's idf)."""
    words = [fold(w) for w in _WORD.findall(text) if not is_stop(w)]
    return [w for w in words if w not in common and len(w) > 1]


def support(statement: str, passage: str, question: str = "", common: frozenset[str] = frozenset()) -> float:
    """Share of the statement's content words (diacritic-folded) that occur in the passage, with
    word pairs counted too so that a statement stitched from unrelated words scores low. Words the
    statement repeats from the question are framing, not claims: only what it adds is checked, and
    a statement that adds nothing is not supported."""
    asked = set(content_words(question, common))
    words = [w for w in content_words(statement, common) if w not in asked]
    if not words:
        return 0.0  # it claims nothing a passage could show
    passage_words = set(_WORD.findall(fold(passage)))
    uni = sum(w in passage_words for w in words) / len(words)
    pairs = list(zip(words, words[1:]))
    if not pairs:
        return uni
    folded_passage = " ".join(_WORD.findall(fold(passage)))
    bi = sum(f"{a} {b}" in folded_passage for a, b in pairs) / len(pairs)
    return 0.6 * uni + 0.4 * bi


def names_in_passage(statement: str, passage: str) -> bool:
    """Every body, place and other proper name a statement gives stands in its passage: "Bộ Xây dựng
    phối hợp với Công an tỉnh …" is not supported by a passage that never names Bộ Xây dựng, however
    many of its other words the passage holds."""
    folded_passage = " ".join(_WORD.findall(fold(passage)))
    bases = {b.base for b in bodies_in(passage)}
    for body in bodies_in(statement):
        if body.known and body.base in bases:
            continue
        name = body.base if body.known else body.written
        if " ".join(_WORD.findall(fold(name))) not in folded_passage:
            return False
    for name in capitalised_names(statement):
        if bodies_in(name):
            continue
        if " ".join(_WORD.findall(fold(name))) not in folded_passage:
            return False
    return True


def capitalised_names(text: str) -> list[str]:
    """Runs of two or more capitalised words, not at the start of the text: "Lào Cai", "Đà Nẵng"."""
    spans = list(_WORD.finditer(text))
    out, run = [], []
    for k, m in enumerate(spans):
        joined = run and not text[spans[k - 1].end():m.start()].strip()
        if m.group()[:1].isupper() and k > 0 and (not run or joined):
            run.append(m)
            continue
        if len(run) >= 2:
            out.append(text[run[0].start():run[-1].end()])
        run = [m] if m.group()[:1].isupper() and k > 0 else []
    if len(run) >= 2:
        out.append(text[run[0].start():run[-1].end()])
    return out


def is_clause(statement: str) -> bool:
    """At least two content words, one of them a word and not a figure ("270 / 62 / 12 / 181" copied out
    of a table row says nothing of what the figures count), not ending on a word that needs a complement
    ("… phải xong khi.")."""
    words = _WORD.findall(fold(statement))
    content = content_words(statement)
    return (
        len(content) >= 2 and any(not w.isdigit() for w in content) and bool(words) and words[-1] not in _DANGLING
    )


def support_in_sentences(statement: str, passage: str, question: str = "", common: frozenset[str] = frozenset()) -> float:
    """Support by the best window of two adjacent sentences of the passage, so that a statement
    stitched from two distant parts ("năm 2026 … 50%") does not pass. A statement that is no clause, or
    names a body or place its passage does not, has no support."""
    if not is_clause(statement) or not names_in_passage(statement, passage):
        return 0.0
    parts = sentences(passage) or [passage]
    numbers = set(_NUMBER.findall(statement))
    if numbers and not any(numbers <= set(_NUMBER.findall(p)) for p in parts):
        return 0.0  # the figures it states never stand together in one sentence of the passage
    windows = [" ".join(parts[i : i + 2]) for i in range(max(1, len(parts) - 1))]
    return max(support(statement, w, question, common) for w in windows)


_NOISE = re.compile(r"^(?:Câu hỏi|Đáp án|Trả lời|Lời giải)\s*:\s*", re.I)


def clean_model_text(text: str, question: str) -> str:
    """Drop what small models add around an answer: the question echoed back, "Đáp án:" labels,
    "[số đoạn]" placeholders, and any "Lời giải" explanation after the answer."""
    text = re.split(r"\n\s*Lời giải\s*:", text, maxsplit=1, flags=re.I)[0]
    text = text.replace("[số đoạn]", "")
    lines = []
    q = " ".join(_WORD.findall(fold(question)))
    for line in text.splitlines():
        bare = _NOISE.sub("", line.strip())
        if not bare:
            continue
        if " ".join(_WORD.findall(fold(_REF.sub("", bare)))) == q or bare.rstrip().endswith("?"):
            continue  # the question repeated
        if " › " in bare or re.match(r"^\[\d+\]\s*\(", bare):
            continue  # a passage header echoed back ("[1] (Kế hoạch … — IV. … › 3. Sở Y tế)")
        lines.append(bare)
    return "\n".join(lines)


def verify(
    statements: list[Statement], passages: list[str], threshold: float = SUPPORT_THRESHOLD, question: str = "",
    common: frozenset[str] = frozenset(),
) -> list[Statement]:
    """Mark each statement supported or not by the passages it cites. A statement without a marker
    is credited to the passage that supports it best, if any does."""
    out = []
    for st in statements:
        refs = st.refs
        if not refs:
            scores = [(support_in_sentences(st.text, p, question, common), i + 1) for i, p in enumerate(passages)]
            best, n = max(scores, default=(0.0, 0))
            refs = (n,) if best >= threshold else ()
        scores = [support_in_sentences(st.text, passages[r - 1], question, common) for r in refs]
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


SCAN_NOTE = "(văn bản nhận dạng từ ảnh quét)"


def format_date(date: str | None) -> str:
    """A document's ISO date as officials write it: "2025-11-17" -> "17/11/2025", "2025" -> "năm 2025"."""
    if not date:
        return ""
    parts = date.split("-")
    if len(parts) == 3:
        y, m, d = parts
        return f"{d}/{m}/{y}"
    return f"năm {parts[0]}"


def page_fields(pages: str | None, ocr_confidence: float | None) -> dict:
    """A citation's page fields in the JSON contract: "page" (the first page, a number), "pages" ("3-4"),
    and for a passage read by OCR its confidence, with a note when that confidence is low."""
    from ingest.pages import LOW_CONFIDENCE

    low = ocr_confidence is not None and ocr_confidence < LOW_CONFIDENCE
    return {
        "page": int(pages.split("-")[0]) if pages else None,
        "pages": pages,
        "ocr_confidence": ocr_confidence,
        "scan_note": SCAN_NOTE if low else "",
    }
