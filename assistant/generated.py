"""The model phrases, never decides: numbered, focused passages go to the model; its [n] markers are
parsed back and every statement is checked against its passage. What fails is removed; what is kept is
followed by the passages it cites, in their own words. If nothing is
left, the answer falls back to the records that answer the question (assistant/listings.py), never to
sentences that merely share words; if the model says the passages do not answer, it is a refusal."""

from __future__ import annotations

from dataclasses import replace

from assistant import listings
from assistant.citations import clean_model_text, says_dont_know, split_statements, verify
from assistant.focus import focus_all
from assistant.prompts import render
from assistant.refusal import refusal
from assistant.result import Turn, citation_for
from index.bm25 import idf_of


def generated(turn: Turn, generator, settings, index, bm25, records, common: frozenset[str]):
    standalone = turn.standalone
    top = turn.result.hits[: settings.top_k]
    headers = [render("passage", n=str(i), plan=h.document.label, section=h.chunk.section, text="")
               for i, h in enumerate(top, 1)]
    # small models do better on focused text, and the prompt's length is the time to the first token
    texts = focus_all([h.chunk.text for h in top], standalone, settings.context_tokens,
                      generator.count_tokens, [generator.count_tokens(x) for x in headers],
                      idf=lambda w: idf_of(bm25, w))
    hits = [h for h, t in zip(top, texts) if t]
    shown = [t for t in texts if t]
    passages = [render("passage", n=str(i), plan=h.document.label, section=h.chunk.section, text=text)
                for i, (h, text) in enumerate(zip(hits, shown), 1)]
    messages = [
        {"role": "system", "content": render("answer_system")},
        {"role": "user", "content": render("answer_user", passages="\n\n".join(passages), question=standalone)},
    ]
    context = [replace(citation_for(i, h, h.document), quote=t) for i, (h, t) in enumerate(zip(hits, shown), 1)]
    pieces = []
    for piece in generator.stream(messages):
        turn.mark_first_token()
        pieces.append(piece)
        turn.on_token(piece)
    model_text = "".join(pieces)
    raw = clean_model_text(model_text, standalone)
    statements = verify(split_statements(raw, len(hits)), shown, question=standalone, common=common)
    kept = [s for s in statements if s.supported and not says_dont_know(s.text)]
    removed = [s.text for s in statements if not s.supported and not says_dont_know(s.text)]
    if kept:
        used = sorted({r for s in kept for r in s.refs})
        renumber = {old: new for new, old in enumerate(used, 1)}
        text = " ".join(f"{s.text} " + "".join(f"[{renumber[r]}]" for r in s.refs) for s in kept).strip()
        citations = [citation_for(renumber[r], hits[r - 1], hits[r - 1].document) for r in used]
        # then the passages cited, in their own words, under their documents: what the model's sentences leave
        # out is read there
        for label in dict.fromkeys(c.label for c in citations):
            text += f"\n\n**{label}**:\n" + "\n".join(f"- {c.section}: “{excerpt(shown[r - 1])}” [{c.n}]"
                                                      for c, r in zip(citations, used) if c.label == label)
        answer = turn.answer(text, citations, "generated", model=generator.name)
    elif any(says_dont_know(s.text) for s in statements):
        # the model itself says the passages do not answer: refuse, showing the closest passages
        answer = refusal(turn, index, model=generator.name, stream=False)
    else:
        # the evidence was strong but the model phrased nothing we can verify: the records that answer
        answer = listings.records_answer(turn, index, records, bm25, fallback=True, stream=False)
        if answer is None:
            answer = refusal(turn, index, model=generator.name, stream=False)
        answer.model = generator.name
    answer.removed, answer.model_text, answer.shown = removed, model_text, context
    return answer


EXCERPT_CHARS = 700  # of a cited passage quoted after the model's sentences


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """A passage as shown to the model, whole sentences up to `limit` characters ("…" where it is cut)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = max(text.rfind(". ", 0, limit), text.rfind("; ", 0, limit))
    return (text[: cut + 1] if cut > limit // 2 else text[:limit].rsplit(" ", 1)[0]) + " …"
