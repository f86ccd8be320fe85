"""When the plans do not say: what the passages lack although they match the question's words, and the
honest refusal that names it in words a person recognises and shows the closest passages."""

from __future__ import annotations

import re

from assistant import retrieve
from assistant.evidence import (MIN_SENTENCE_COVERAGE, asked_value, lacks_own_metadata, names_places, places_asked,
                                value_support)
from assistant.result import REFUSAL_PREFIX, Turn, citation_for
from ingest.canonical import lookup
from ingest.lexicon import bodies_in
from ingest.normalize import fold


def lacking(turn: Turn, index, bm25) -> list[str]:
    """What the passages lack: a blank number or date of the plan itself, the body the question names when
    no passage in scope names it, or a value of the kind asked for."""
    intent, question, hits = turn.intent, turn.standalone, turn.result.hits
    blank = lacks_own_metadata(question, [d for d in index.documents if not intent.scope or d.doc_id in intent.scope])
    if blank:
        return [blank]
    if intent.body and not intent.body.group and not names_body(intent, index):
        return [intent.body.written]
    asked = asked_value(question)
    if asked and value_support(bm25, asked, question, hits[:5])[0] < MIN_SENTENCE_COVERAGE:
        return [asked.label]
    read = _read(intent, index, hits) if asked else []
    ids = {d.doc_id for d in read}
    own = [h for h in hits[:5] if h.document.doc_id in ids]
    places = places_asked(question, read) if asked else []
    if places and value_support(bm25, asked, question, own, keep=lambda h, text: names_places(
            text, places, index.documents))[0] < MIN_SENTENCE_COVERAGE:
        return [f"{asked.label} của {', '.join(places)}"]  # a figure for the whole country is not Hà Nội's
    return []


def _read(intent, index, hits) -> list:
    """The documents a question reads: those it names by number or subject, else those of the places it
    names, else those its passages come from."""
    named = intent.plans or intent.scope
    if named:
        return [d for d in index.documents if d.doc_id in named]
    return list({h.document.doc_id: h.document for h in hits[:5]}.values())


def names_body(intent, index) -> bool:
    """Whether any passage in the question's scope names the body it asks about (as the lexicon names it,
    in any case: "trạm y tế xã" in running text is the Trạm y tế)."""
    body = intent.body
    wanted = _words(body.base if body.known else body.written)
    for c in index.chunks:
        if intent.scope and c.doc_id not in intent.scope:
            continue
        if c.agency and retrieve.is_own(intent, lookup(c.agency)):
            return True
        if f" {wanted} " in f" {_words(c.text)} ":
            return True
        if body.known and any(b.base == body.base for b in bodies_in(c.text)):
            return True
    return False


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def refusal(turn: Turn, index, missing: list[str] | None = None, model: str | None = None, stream: bool = True):
    """"The plans do not say", what was not found, where it was looked for, and the closest passages."""
    result = turn.result
    docs = sorted({h.document.label for h in result.hits} or {d.label for d in index.documents})
    plans = "; ".join(docs) if docs else "không có kế hoạch nào"
    missing = missing if missing is not None else result.missing
    said = f" (không thấy: {', '.join(missing[:5])})" if missing else ""
    text = (
        f"{REFUSAL_PREFIX} thông tin để trả lời câu hỏi này{said}. "
        f"Đã tìm trong: {plans}. Các đoạn gần nhất được liệt kê bên dưới để anh/chị tự đối chiếu."
    )
    if stream:
        turn.on_token(text)
    closest = [citation_for(i, h, h.document) for i, h in enumerate(result.hits[:3], 1)]
    return turn.answer(text, [], "refused", model=model, refused=True, closest=closest)
