"""Question -> Answer. Evidence decides, the model only phrases. A short router:

1. a follow-up is rewritten into a standalone question (assistant/conversation.py), and what it asks is
   read (assistant/intent.py: the body, sectors, plans and places it names, a month);
2. retrieval runs in the plans it is about (assistant/retrieve.py);
3. a place or name no indexed text holds -> refusal; what a body must do, or what falls due in a month ->
   every matching record, by code (assistant/listings.py); what one document changes against another ->
   the two compared item by item (assistant/compare.py);
4. too little evidence, or evidence that lacks what is asked -> an honest refusal with the closest
   passages (assistant/refusal.py), before any model call;
5. a target, a deadline or reporting rule, the scope, funding or legal bases -> the records that answer it;
6. anything else -> the model, whose every statement is checked against its passage; what fails is
   removed, and if nothing is left the answer falls back to the records (assistant/generated.py).
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Callable

from assistant import compare, listings, parts, question_kinds, retrieve
from assistant.limits import check_question
from assistant.conversation import Conversation, rewrite
from assistant.evidence import held_apart, unknown_names
from assistant.generated import generated
from assistant.intent import body_named_in_rows, is_national, place_names, read_intent, row_bodies, with_legal_chunks
from assistant.refusal import lacking, named_in_passing, refusal
from assistant.result import REFUSAL_PREFIX, Answer, Citation, Turn, citation_for  # noqa: F401 — the public names

# below this share of the question's content words (idf-weighted) in the top passages: refuse. A backstop:
# what the plans cannot answer is mostly refused by what the evidence lacks (a place or name no text holds,
# a value of the kind asked, the body named, a blank number or date). Chosen on the tuned split with
# bench/premodel.py: 0.4-0.5 refuse 15/15 unanswerable and 6/113 answerable, 0.6 one more, 0.75 13/113.
MIN_RELEVANCE = 0.5


class Assistant:
    def __init__(self, searcher, generator_for: Callable[[str | None], object], settings, min_relevance: float = MIN_RELEVANCE):
        self.searcher = searcher
        self.generator_for = generator_for  # model choice -> Generator (loaded lazily, once)
        self.settings = settings
        self.min_relevance = min_relevance
        self._cache: dict[str, tuple[object, object]] = {}

    def answer(
        self,
        question: str,
        conversation: Conversation | None = None,
        filters=None,
        model: str | None = None,
        on_token: Callable[[str], None] = lambda _: None,
    ) -> Answer:
        started = time.perf_counter()
        question = check_question(question, self.settings)  # assistant/limits.py: refused if it cannot fit n_ctx
        index, bm25 = self.searcher.index, self.searcher.bm25
        standalone = rewrite(question, conversation.last_question if conversation else None,
                             place_names(index.documents), conversation.last_answer if conversation else None)
        intent = with_legal_chunks(read_intent(standalone, index.documents), index.chunks)
        if intent.duty and (intent.body is None or not intent.body.known):
            # a body the lexicon lacks, named as the documents' own rows name it ("Ban thường vụ cấp ủy cấp tỉnh")
            named = body_named_in_rows(standalone, self._per_index("row_bodies", lambda _: row_bodies(self.duty_rows())))
            if named is not None and (intent.body is None or len(named.written) > len(intent.body.written)):
                intent = replace(intent, body=named)

        def search():
            result = retrieve.search(self.searcher, standalone, k=max(self.settings.top_k, 10), filters=filters,
                                     intent=intent)
            turn.timings["retrieve_ms"] = round((time.perf_counter() - started) * 1000, 1)
            return result

        # retrieve_ms stays 0 when the answer needs no search (made from the records alone)
        turn = Turn(question, standalone, intent, search, filters, model or self.settings.llm, on_token, started,
                    {"retrieve_ms": 0.0, "first_token_ms": None, "total_ms": None})
        answer = self._route(turn, index, bm25, model)
        total = round((time.perf_counter() - started) * 1000, 1)
        answer.timings["total_ms"] = total
        if answer.timings.get("first_token_ms") is None:
            answer.timings["first_token_ms"] = total
        if conversation is not None:
            conversation.add(standalone, answer.text)
        return answer

    def _route(self, turn: Turn, index, bm25, model) -> Answer:
        intent = turn.intent
        if intent.month:
            answer = listings.due_in_month(turn, index, self.duty_rows())
            if answer is not None:
                return answer
        foreign = list(intent.foreign_places) or self._unknown_names(turn.standalone, index, bm25)
        if foreign:
            return refusal(turn, index, foreign)  # a place or name no indexed text holds: no evidence here
        if intent.legal and not intent.legal_chunks and any(" › Điều " in f" › {c.section}" for c in index.chunks):
            return refusal(turn, index, [str(intent.legal)])  # "Điều 99" of a law that has no such article
        if intent.voice and (answer := listings.voice(turn, index)) is not None:
            return answer
        if intent.signer or intent.issuer:
            return listings.header(turn, index)
        answer = compare.answer(turn, index, self.searcher.embedder)  # "Kế hoạch 2025 khác gì kế hoạch 2021?"
        if answer is not None:
            return answer
        answer = listings.definition(turn, index)  # "X là gì?" where a text defines X
        if answer is not None:
            return answer
        answer = parts.answer(turn, index)  # "Kế hoạch … gồm bao nhiêu nội dung?": counted from its headings
        if answer is not None:
            return answer
        if intent.duty and (intent.body or intent.sectors):
            answer = listings.duties(turn, index, self.duty_rows()) or named_in_passing(turn, index, self.duty_rows())
            if answer is not None:
                return answer
        result = turn.result
        missing = lacking(turn, index, bm25) if result.hits else []
        if not result.hits or result.relevance < self.min_relevance:
            answer = None if missing else listings.legal_part(turn, index, bm25)  # "Điều 28 nói gì?"
            return answer or refusal(turn, index, missing or None)  # say what is missing: the value asked, else the words
        if missing:
            return refusal(turn, index, missing)
        answer = listings.legal_part(turn, index, bm25)  # "Điều 5 nghiêm cấm những hành vi nào?": all of it
        if answer is not None:
            return answer
        answer = listings.records_answer(turn, index, self.records(), bm25)
        if answer is not None:
            return answer
        if question_kinds.asks("confirm", turn.standalone):
            # "có phải Chỉ thị 31 yêu cầu … không": the items that hold it, quoted; a small model's "Có." is no evidence
            answer = listings.records_answer(turn, index, self.records(), bm25, fallback=True)
            if answer is not None:
                return answer
        return generated(turn, self.generator_for(model), self.settings, index, bm25, self.records(), self.common())

    @staticmethod
    def _unknown_names(question: str, index, bm25) -> list[str]:
        """Names no indexed text holds; a place is no such name when a national text is indexed (it holds
        in every province)."""
        from ingest.places import find_province

        names = unknown_names(bm25, question)
        if names and any(is_national(d) for d in index.documents):
            names = [n for n in names if find_province(n) is None]
        # a name a passage holds with a word between ("Tết Bính Ngọ": "Tết Nguyên đán Bính Ngọ"); a place is exact
        return [n for n in names if find_province(n) is not None or not held_apart(bm25, index.chunks, n)]

    # -- what is read once per loaded index ------------------------------------------------------
    def _per_index(self, name: str, make):
        index = self.searcher.index
        if name not in self._cache or self._cache[name][0] is not index:
            self._cache[name] = (index, make(index))
        return self._cache[name][1]

    def records(self):
        """Every item of every plan as a record (ingest/records.py), as the index build stored them."""
        return self.searcher.index.records

    def duty_rows(self):
        """The duties table: one view of the records, made once per loaded index."""
        return self.searcher.index.duty_table.rows

    def common(self) -> frozenset[str]:
        """Words in more than half of the indexed passages (idf below log 2): they show no support."""
        bm25 = self.searcher.bm25
        return self._per_index("common", lambda _: frozenset(
            t for t, j in bm25.vocab.items() if "_" not in t and not t.startswith("=") and bm25.idf[j] < math.log(2)))
