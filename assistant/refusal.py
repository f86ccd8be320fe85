"""When the plans do not say: what the passages lack although they match the question's words, and the
honest refusal that names it in words a person recognises and shows the closest passages."""

from __future__ import annotations

import re

from assistant import retrieve
from assistant.evidence import (MIN_SENTENCE_COVERAGE, asked_value, lacks_own_metadata, measured, names_places,
                                names_years, places_asked, terms_naming, unsaid_figures, value_support, years_asked)
from assistant.result import REFUSAL_PREFIX, Turn, citation_for
from ingest.canonical import lookup
from ingest.lexicon import bodies_in
from ingest.normalize import fold, sentences


def lacking(turn: Turn, index, bm25) -> list[str]:
    """What the passages lack: a blank number or date of the plan itself, the body the question names when
    no passage in scope names it, a figure the question states that no passage in scope holds, the quantity
    a value question measures, or a value of the kind asked for (for the place, and the year, it names)."""
    intent, question, hits = turn.intent, turn.standalone, turn.result.hits
    blank = lacks_own_metadata(question, [d for d in index.documents if not intent.scope or d.doc_id in intent.scope])
    if blank:
        return [blank]
    if intent.body and not intent.body.group and not names_body(intent, index):
        return [intent.body.written]
    figures = unsaid_figures(question, (f"{c.section}\n{c.text}" for c in index.chunks  # read only when it states one
                                        if not intent.scope or c.doc_id in intent.scope), document_numbers(index))
    if figures:
        return figures  # "có phải … kinh phí 2.000 tỷ đồng không?": no passage states that figure
    asked = asked_value(question)
    quantity = measured(question, turn.result.missing) if asked else None
    if quantity:
        return [quantity]  # "Quỹ … có vốn điều lệ bao nhiêu?": no passage names that quantity
    if asked and value_support(bm25, asked, question, hits[:5])[0] < MIN_SENTENCE_COVERAGE:
        return [asked.label]
    read = _read(intent, index, hits) if asked else []
    places = places_asked(question, read) if asked else []
    own = [h for h in hits[:5] if h.document.doc_id in {d.doc_id for d in read}]
    # the sentence must name the place, and say the rest of what is asked: the place's own words count for nothing
    # (a row of Thành phố Hồ Chí Minh's green buildings is no PM2.5 level of it)
    if places and value_support(bm25, asked, question, own, skip=terms_naming(bm25, question, places),
                                keep=lambda h, text: names_places(text, places, index.documents))[0] < MIN_SENTENCE_COVERAGE:
        return [f"{asked.label} của {', '.join(places)}"]  # a figure for the whole country is not Hà Nội's
    years = years_asked(question, asked)
    if years and value_support(bm25, asked, question, own, keep=lambda h, text: names_years(
            f"{h.document.title} {h.document.date or ''} {text}", years))[0] < MIN_SENTENCE_COVERAGE:
        return [f"{asked.label} năm {', '.join(years)}"]  # the 9 months of 2025 are not the target of 2026
    return []


def document_numbers(index) -> set[str]:
    """The numbers of the indexed documents ("220" of "220/CĐ-TTg"): a question names them, it states no figure."""
    return {m.group() for d in index.documents if (m := re.match(r"\d+", d.number or ""))}


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


def named_in_passing(turn: Turn, index, rows) -> object | None:
    """A question about what a body must do, under documents it names that mention the body only inside
    items given to other bodies ("Bộ Nông nghiệp và Môi trường chủ trì, phối hợp với Bộ Quốc phòng …"):
    they give it no work of its own. The answer says so and shows where it is named. None when a mention
    stands outside such items (a passage of prose may say what the body does), when the question names no
    document, or when the documents do not name the body (the evidence checks say that)."""
    from ingest.structure import INTRO_SECTION, SIGNATURE_SECTION

    intent = turn.intent
    body = intent.body
    if not (intent.duty and intent.plans and body is not None and body.known and not body.group):
        return None
    docs = index.documents_by_id
    by_chunk: dict[str, list] = {}
    for d in rows:
        if d.doc_id in intent.plans:
            by_chunk.setdefault(d.chunk_id, []).append(d)
    mentions = []
    for c in index.chunks:
        if c.doc_id not in intent.plans or c.section.split(" › ")[0] in (INTRO_SECTION, SIGNATURE_SECTION):
            continue  # the preamble ("Theo đề nghị của Bộ trưởng …") and the recipients give no work
        if not any(b.base == body.base for b in bodies_in(c.text)):
            continue
        own = [d for d in by_chunk.get(c.chunk_id, ()) if retrieve.is_own(intent, lookup(d.agency, docs[d.doc_id].locality))]
        others = [d for d in by_chunk.get(c.chunk_id, ()) if d not in own]
        if own or not others:
            return None
        mentions.append((c, others))
    if not mentions:
        return None
    partner = [(c, others) for c, others in mentions if _partner_in(c.text, body)]
    if partner:  # "Chủ trì, phối hợp với Bộ …, Bộ Ngoại giao xây dựng …": it takes part in those
        return _partner_listing(turn, index, body, partner)
    holders = list(dict.fromkeys(d.agency for _, others in mentions for d in others))
    labels = "; ".join(dict.fromkeys(docs[c.doc_id].label for c, _ in mentions))
    name = body.canonical  # as the lexicon writes it, not as typed ("bo quoc phong")
    text = (f"{REFUSAL_PREFIX} nhiệm vụ riêng nào giao cho {name}: {labels} chỉ nhắc đến {name} "
            f"trong nhiệm vụ giao cho {', '.join(holders[:5])}. Các đoạn đó được liệt kê bên dưới để anh/chị tự "
            f"đối chiếu.")
    turn.on_token(text)
    closest = [citation_for(i, c, docs[c.doc_id]) for i, (c, _) in enumerate(mentions[:3], 1)]
    return turn.answer(text, [], "refused", refused=True, closest=closest)


def _partner_in(text: str, body) -> bool:
    """Whether a text names the body among those another body works with ("phối hợp với Bộ Khoa học và
    Công nghệ, Bộ Nội vụ, Bộ Ngoại giao …"), in the same clause."""
    folded = fold(text)
    for m in re.finditer(r"\bphoi hop(?: chat che)? (?:voi|cung)\b([^.;:]{0,200})", folded):
        if any(b.base == body.base for b in bodies_in(text[m.start(1):m.end(1)])):
            return True
    return False


def _partner_listing(turn: Turn, index, body, mentions):
    """The items of other bodies that name this one as a partner, quoted and cited."""
    from assistant.listings import cite, listed

    docs = index.documents_by_id
    citations, cited = [], {}
    lines = [f"Các văn bản hiện có không giao nhiệm vụ riêng cho {body.written}; {body.written} được nêu là cơ quan "
             f"phối hợp trong các nhiệm vụ sau:"]
    for doc_id in dict.fromkeys(c.doc_id for c, _ in mentions):
        lines += ["", f"**{docs[doc_id].label}**:"]
        for c, others in (m for m in mentions if m[0].doc_id == doc_id):
            n = cite(cited, citations, c, docs[doc_id])
            naming = [d for d in others if _partner_in(d.text, body)]  # the rows that name it, else the sentences
            for d in naming or others[:1]:
                item = " ".join(d.text.split()) if naming else " ".join(
                    x for x in sentences(c.text) if _partner_in(x, body))
                lines.append(f"- {d.agency} ({d.role}): {item} [{n}]")
    return listed(turn, lines, citations, "duties")
