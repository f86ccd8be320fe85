"""Question -> Answer. Evidence decides, the model only phrases:

1. a follow-up is rewritten into a standalone question;
2. retrieval runs; too little evidence -> an honest refusal with the closest passages (no model call);
3. a question about what an agency must do is answered by code: every duty item of that agency's
   sections in every plan, grouped by plan, each cited — complete by construction;
4. any other question goes to the model with numbered passages; its [n] markers are parsed back,
   each statement checked against its passage, unsupported statements removed; nothing left, or
   the model saying it does not know -> refusal.
"""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Callable

from assistant.citations import clean_model_text, says_dont_know, split_statements, verify
from assistant.focus import focus_all, score, sentences
from assistant.conversation import Conversation, rewrite
from assistant.prompts import render
from index.bm25 import bm25_tokens, idf_of
from index.search import is_duty_question, scope_of
from ingest.normalize import fold

# "việc gì đến hạn trong tháng 12?", "nhiem vu nao phai hoan thanh trong thang 5"
_DUE_MONTH = re.compile(r"(?:den han|han|hoan thanh|phai nop|bao cao|thoi han)\b.*\bthang (\d{1,2})\b")
MIN_RELEVANCE = 0.75  # below this share of the question's content words in the top passages: refuse
REFUSAL_PREFIX = "Các kế hoạch hiện có không nêu"


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    file: str
    title: str
    number: str | None
    section: str
    quote: str
    # extensions beyond the contract
    label: str = ""
    date: str | None = None
    locality: str | None = None
    chunk_id: str = ""
    start: int = 0
    end: int = 0


@dataclass
class Answer:
    question: str
    text: str
    refused: bool
    citations: list[Citation]
    timings: dict
    model: str
    standalone: str = ""
    mode: str = "generated"  # "duties" | "generated" | "refused"
    closest: list[Citation] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # statements dropped as unsupported
    model_text: str = ""  # what the model wrote, before verification
    shown: list[Citation] = field(default_factory=list)  # the passages in the model's prompt, as shown there

    def to_json(self) -> dict:
        """The `tracuu ask --json` contract, plus extensions."""
        keep = ("n", "doc_id", "file", "title", "number", "section", "quote")
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [{k: asdict(c)[k] for k in keep} | {"label": c.label, "date": c.date} for c in self.citations],
            "timings": self.timings,
            "model": self.model,
            "standalone_question": self.standalone,
            "mode": self.mode,
            "closest": [{k: asdict(c)[k] for k in keep} | {"label": c.label} for c in self.closest],
            "removed_statements": self.removed,
            "model_text": self.model_text,
        }


def citation_for(n: int, hit_or_chunk, document) -> Citation:
    chunk = getattr(hit_or_chunk, "chunk", hit_or_chunk)
    return Citation(
        n=n, doc_id=document.doc_id, file=document.file, title=document.title, number=document.number,
        section=chunk.section, quote=chunk.text, label=document.label, date=document.date,
        locality=document.locality, chunk_id=chunk.chunk_id, start=chunk.start, end=chunk.end,
    )


class Assistant:
    def __init__(self, searcher, generator_for: Callable[[str | None], object], settings, min_relevance: float = MIN_RELEVANCE):
        self.searcher = searcher
        self.generator_for = generator_for  # model choice -> Generator (loaded lazily, once)
        self.settings = settings
        self.min_relevance = min_relevance
        self._duties_cache = None

    def answer(
        self,
        question: str,
        conversation: Conversation | None = None,
        filters=None,
        model: str | None = None,
        on_token: Callable[[str], None] = lambda _: None,
    ) -> Answer:
        started = time.perf_counter()
        question = " ".join(question.split())
        standalone = rewrite(question, conversation.last_question if conversation else None)
        result = self.searcher.search(standalone, k=max(self.settings.top_k, 10), filters=filters)
        retrieve_ms = (time.perf_counter() - started) * 1000
        timings = {"retrieve_ms": round(retrieve_ms, 1), "first_token_ms": None, "total_ms": None}
        model_name = model or self.settings.llm

        def finish(answer: Answer) -> Answer:
            total = (time.perf_counter() - started) * 1000
            answer.timings["total_ms"] = round(total, 1)
            if answer.timings["first_token_ms"] is None:
                answer.timings["first_token_ms"] = round(total, 1)
            if conversation is not None:
                conversation.add(standalone, answer.text)
            return answer

        month = _DUE_MONTH.search(fold(standalone))
        if month and 1 <= int(month.group(1)) <= 12:
            answer = self._due_in_month(question, standalone, int(month.group(1)), filters, timings, on_token, started)
            if answer is not None:
                return finish(answer)

        if not result.hits or result.relevance < self.min_relevance:
            return finish(self._refusal(question, standalone, result, timings, model_name, on_token))
        lacking = self._lacking(standalone, result)
        if lacking:
            return finish(self._refusal(question, standalone, result, timings, model_name, on_token, lacking))

        if result.sectors and is_duty_question(standalone):
            answer = self._duties(question, standalone, result, filters, timings, model_name, on_token, started)
            if answer is not None:
                return finish(answer)

        return finish(self._generated(question, standalone, result, timings, model, on_token, started))

    # -- refusal -------------------------------------------------------------------------------
    def _lacking(self, question: str, result) -> list[str]:
        """What the top passages lack although they match the question's words: the body a duty
        question names, when it is in no known sector, or a value of the kind asked for."""
        from assistant.evidence import (MIN_SENTENCE_COVERAGE, asked_value, lacks_own_metadata, named_body,
                                        value_support)
        from ingest.agencies import sectors_of

        top = result.hits[:5]
        index = self.searcher.index
        scope = scope_of(question, index.documents)
        blank = lacks_own_metadata(question, [d for d in index.documents if not scope or d.doc_id in scope])
        if blank:
            return [blank]
        if is_duty_question(question):
            body = named_body(question)
            if body and not sectors_of(body[0]):
                present = set()
                for h in top:
                    present.update(bm25_tokens(f"{h.chunk.section} {h.chunk.text}"))
                return [] if all(k in present for k in body[1]) else [body[0]]
            return []
        asked = asked_value(question)
        if asked and value_support(self.searcher, asked, question, top)[0] < MIN_SENTENCE_COVERAGE:
            return [asked.label]
        return []

    def _refusal(self, question, standalone, result, timings, model_name, on_token, lacking=None) -> Answer:
        docs = sorted({h.document.label for h in result.hits} or {d.label for d in self.searcher.index.documents})
        plans = "; ".join(docs) if docs else "không có kế hoạch nào"
        lacking = lacking if lacking is not None else result.missing
        missing = f" (không thấy: {', '.join(lacking[:5])})" if lacking else ""
        text = (
            f"{REFUSAL_PREFIX} thông tin để trả lời câu hỏi này{missing}. "
            f"Đã tìm trong: {plans}. Các đoạn gần nhất được liệt kê bên dưới để anh/chị tự đối chiếu."
        )
        on_token(text)
        closest = [citation_for(i, h, h.document) for i, h in enumerate(result.hits[:3], 1)]
        return Answer(question, text, True, [], timings, model_name, standalone, "refused", closest)

    # -- agency duties: complete by construction -------------------------------------------------
    def _duty_rows(self):
        """The duties table of the loaded index, extracted once per index."""
        from assistant.duties_table import duties_from_index

        index = self.searcher.index
        if self._duties_cache is None or self._duties_cache[0] is not index:
            self._duties_cache = (index, duties_from_index(index))
        return self._duties_cache[1]

    def _duties(self, question, standalone, result, filters, timings, model_name, on_token, started) -> Answer | None:
        from assistant.duties_table import duties_for_sectors
        from ingest.agencies import sectors_of

        index = self.searcher.index
        docs = index.documents_by_id
        chunks = {c.chunk_id: c for c in index.chunks}
        rows = [
            d for d in duties_for_sectors(self._duty_rows(), result.sectors, docs)
            if d.chunk_id in chunks and (filters is None or filters.allows(chunks[d.chunk_id], docs[d.doc_id]))
        ]
        places = scope_of(standalone, index.documents)
        if places:
            rows = [d for d in rows if d.doc_id in places]
        if not rows:
            return None
        order = {c.chunk_id: i for i, c in enumerate(index.chunks)}
        rows.sort(key=lambda d: (-(docs[d.doc_id].year or 0), d.doc_id, order[d.chunk_id]))
        citations, lines, cited = [], [], {}
        names = ", ".join(sorted(result.sectors))
        lines.append(f"Theo các kế hoạch hiện có, nhiệm vụ của ngành/cơ quan {names} như sau:")
        for doc_id in dict.fromkeys(d.doc_id for d in rows):
            doc = docs[doc_id]
            in_doc = [d for d in rows if d.doc_id == doc_id]
            # its own items, then the items of other agencies that name it as a partner
            own = [d for d in in_doc if sectors_of(chunks[d.chunk_id].agency or "") & result.sectors]
            partner = [d for d in in_doc if d not in own]
            written = list(dict.fromkeys(d.agency for d in in_doc))
            lines.append("")
            lines.append(f"**{doc.label}** — {'; '.join(written)}:")
            for group, title in ((own, None), (partner, "Phối hợp (theo nhiệm vụ giao cho cơ quan khác):")):
                if group and title:
                    lines.append(f"_{title}_")
                seen_here = set()
                for d in group:
                    if (d.chunk_id, d.text) in seen_here:
                        continue
                    seen_here.add((d.chunk_id, d.text))
                    if d.chunk_id not in cited:
                        cited[d.chunk_id] = len(citations) + 1
                        citations.append(citation_for(cited[d.chunk_id], chunks[d.chunk_id], doc))
                    item = re.sub(r"^[-–+•]\s*", "", " ".join(d.text.split()))
                    letter = d.section.rsplit(" › ", 1)[-1]
                    lead = f"{d.agency} ({d.role}): " if title else (f"{letter} " if re.fullmatch(r"[a-zđ]\)", letter) else "")
                    due = f" — thời hạn: {d.deadline_text}" if d.deadline_text else ""
                    lines.append(f"- {lead}{item}{due} [{cited[d.chunk_id]}]")
        text = "\n".join(lines)
        timings["first_token_ms"] = round((time.perf_counter() - started) * 1000, 1)
        for line in lines:
            on_token(line + "\n")
        return Answer(question, text, False, citations, timings, "extractive", standalone, "duties")

    def _due_in_month(self, question, standalone, month, filters, timings, on_token, started) -> Answer | None:
        """Every duty whose deadline falls in `month` (yearly on a day of that month, monthly, or a
        one-off date in that month), from the duties table, each cited."""
        index = self.searcher.index
        docs = index.documents_by_id
        chunks = {c.chunk_id: c for c in index.chunks}
        rows = []
        for d in self._duty_rows():
            dl = d.deadline
            if dl is None or d.chunk_id not in chunks:
                continue
            hit = (dl.kind == "monthly") or (dl.kind == "yearly" and dl.month == month) or (
                dl.kind in ("date", "relative") and dl.date is not None and dl.date.month == month)
            if hit and (filters is None or filters.allows(chunks[d.chunk_id], docs[d.doc_id])):
                rows.append(d)
        places = scope_of(standalone, index.documents)
        rows = [d for d in rows if not places or d.doc_id in places]
        if not rows:
            return None
        lines = [f"Các nhiệm vụ có thời hạn rơi vào tháng {month} theo các kế hoạch hiện có:"]
        citations, cited = [], {}
        for d in rows:
            if d.chunk_id not in cited:
                cited[d.chunk_id] = len(citations) + 1
                citations.append(citation_for(cited[d.chunk_id], chunks[d.chunk_id], docs[d.doc_id]))
            lines.append(f"- {d.plan_label} — {d.agency}: {d.deadline.describe()} "
                         f"(“{d.deadline_text}”): {' '.join(d.text.split())} [{cited[d.chunk_id]}]")
        text = "\n".join(lines)
        timings["first_token_ms"] = round((time.perf_counter() - started) * 1000, 1)
        on_token(text + "\n")
        return Answer(question, text, False, citations, timings, "extractive", standalone, "duties")

    # -- generated, then verified -----------------------------------------------------------------
    def _generated(self, question, standalone, result, timings, model, on_token, started) -> Answer:
        generator = self.generator_for(model)
        top = result.hits[: self.settings.top_k]
        headers = [render("passage", n=str(i), plan=h.document.label, section=h.chunk.section, text="")
                   for i, h in enumerate(top, 1)]
        # small models do better on focused text, and the prompt's length is the time to the first token
        texts = focus_all([h.chunk.text for h in top], standalone, self.settings.context_tokens,
                          generator.count_tokens, [generator.count_tokens(x) for x in headers],
                          idf=lambda w: idf_of(self.searcher.bm25, w))
        hits = [h for h, t in zip(top, texts) if t]
        shown = [t for t in texts if t]
        passages = [
            render("passage", n=str(i), plan=h.document.label, section=h.chunk.section, text=text)
            for i, (h, text) in enumerate(zip(hits, shown), 1)
        ]
        messages = [
            {"role": "system", "content": render("answer_system")},
            {"role": "user", "content": render("answer_user", passages="\n\n".join(passages), question=standalone)},
        ]
        context = [replace(citation_for(i, h, h.document), quote=t) for i, (h, t) in enumerate(zip(hits, shown), 1)]
        pieces = []
        for piece in generator.stream(messages):
            if timings["first_token_ms"] is None:
                timings["first_token_ms"] = round((time.perf_counter() - started) * 1000, 1)
            pieces.append(piece)
            on_token(piece)
        raw = clean_model_text("".join(pieces), standalone)
        statements = verify(split_statements(raw, len(hits)), shown, question=standalone)
        kept = [s for s in statements if s.supported and not says_dont_know(s.text)]
        removed = [s.text for s in statements if not s.supported and not says_dont_know(s.text)]
        if not kept and any(says_dont_know(s.text) for s in statements):
            # the model itself says the passages do not answer: refuse, showing the closest passages
            answer = self._refusal(question, standalone, result, timings, generator.name, lambda _: None)
            answer.removed, answer.model_text, answer.shown = removed, "".join(pieces), context
            return answer
        if not kept:
            # the evidence was strong but the model phrased nothing we can verify: quote the evidence
            answer = self._evidence(question, standalone, hits, timings, generator.name)
            answer.removed, answer.model_text, answer.shown = removed, "".join(pieces), context
            return answer
        used = sorted({r for s in kept for r in s.refs})
        renumber = {old: new for new, old in enumerate(used, 1)}
        text = " ".join(f"{s.text} " + "".join(f"[{renumber[r]}]" for r in s.refs) for s in kept).strip()
        citations = [citation_for(renumber[r], hits[r - 1], hits[r - 1].document) for r in used]
        plans = {c.doc_id for c in citations}
        if len(plans) > 1 and not any(c.label in text for c in citations):
            text += "\n\n" + "\n".join(f"[{c.n}] {c.label} — {c.section}" for c in citations)
        return Answer(question, text, False, citations, timings, generator.name, standalone, "generated",
                      removed=removed, model_text="".join(pieces), shown=context)

    def _evidence(self, question, standalone, hits, timings, model_name) -> Answer:
        """The best-matching sentences of the top passages, quoted with their citations."""
        idf = lambda w: 1.0  # noqa: E731 — plain overlap is enough to rank a handful of sentences
        scored = []
        for i, h in enumerate(hits[:4]):
            for sent in sentences(h.chunk.text):
                scored.append((score(sent, standalone, idf) - 0.01 * i, i, sent))
        scored.sort(key=lambda t: -t[0])
        best = scored[0][0] if scored else 0
        picked = [(i, sent) for s, i, sent in scored[:3] if s >= 0.6 * best and s > 0]
        used = sorted({i for i, _ in picked})
        renumber = {old: new for new, old in enumerate(used, 1)}
        lines = ["Trích nguyên văn các đoạn liên quan nhất:"]
        lines += [f"- “{sent}” [{renumber[i]}]" for i, sent in picked]
        citations = [citation_for(renumber[i], hits[i], hits[i].document) for i in used]
        return Answer(question, "\n".join(lines), False, citations, timings, model_name, standalone, "evidence")
