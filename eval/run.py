"""Run the gold set through the same path users take, and score it.

`run_retrieval(runtime, items)` searches every answerable question with dense, BM25 and hybrid ranking
and scores the hits against the gold quotes (recall@k, hit@k, MRR), overall, per type, per variant and per
split (tuned / heldout, with the tuned-minus-heldout gap);
it also tabulates the relevance signal the assistant refuses on. `run_answers(runtime, items, model)`
asks the assistant every question (follow-ups inside the conversation they follow) and scores the
answers. Both return plain dicts (JSON-ready) with a per-question section saying what failed.
"""

from __future__ import annotations

import time
from typing import Callable, Sequence

from eval import metrics as M
from assistant import retrieve
from eval.gold import SPLITS, GoldItem, load_all

MODES = ("dense", "bm25", "hybrid")
KS = (1, 5, 10)
GRID = tuple(round(0.30 + 0.05 * i, 2) for i in range(14))  # candidate refusal thresholds 0.30 … 0.95


def _lookup(items: Sequence[GoldItem]) -> dict[str, GoldItem]:
    """Items by id, with every gold file behind them when a follow-up's parent is not among them."""
    by_id = {i.id: i for i in items}
    if any(i.follows and i.follows not in by_id for i in items):
        by_id = {i.id: i for i in load_all()} | by_id
    return by_id


def standalone_questions(items: Sequence[GoldItem]) -> dict[str, str]:
    """Each item's question as retrieval sees it: a follow-up rewritten (by the assistant's own
    `rewrite`) against the standalone form of the question it follows, recursively."""
    from assistant.conversation import rewrite

    by_id, out = _lookup(items), {}

    def resolve(item: GoldItem) -> str:
        if item.id not in out:
            previous = resolve(by_id[item.follows]) if item.follows else None
            out[item.id] = rewrite(item.question, previous)
        return out[item.id]

    for item in items:
        resolve(item)
    return {i.id: out[i.id] for i in items}


def passage_of(hit) -> M.Passage:
    return M.Passage(hit.document.file, hit.chunk.text, f"{hit.chunk.section}\n{hit.chunk.heading}")


def _short(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _r(x):
    return None if x is None else round(x, 4)


def _scores(matrices, ks) -> dict[str, tuple]:
    out = {}
    for k in ks:
        out[f"recall@{k}"] = M.recall_at_k(matrices, k)
        out[f"hit@{k}"] = M.hit_at_k(matrices, k)
    out[f"mrr@{max(ks)}"] = M.mrr_at_k(matrices, max(ks))
    return out


def _grouped(scores: dict[str, tuple], items: Sequence[GoldItem]) -> dict:
    """overall / by_type / by_variant / by_split tables from {metric: (overall, per_item)}, and the
    split_gap (tuned minus heldout, per metric) when both splits were scored."""
    def by(attr):
        groups = [getattr(i, attr) for i in items]
        table: dict[str, dict] = {}
        for name, (_, per) in scores.items():
            for g, v in M.group_mean(per, groups).items():
                table.setdefault(g, {"n": sum(x == g and p is not None for x, p in zip(groups, per))})[name] = _r(v)
        return {g: row for g, row in table.items() if row["n"]}

    by_split = by("split")
    out = {"overall": {name: _r(o) for name, (o, _) in scores.items()}, "by_type": by("type"),
           "by_variant": by("variant"), "by_split": by_split}
    return out | {"split_gap": split_gap(by_split)}


def split_gap(by_split: dict) -> dict:
    """Per metric: the tuned column minus the held-out one (positive = better on the questions the
    thresholds were fitted to). Empty unless both columns exist."""
    tuned, held = (by_split.get(s) for s in SPLITS)
    if not tuned or not held:
        return {}
    return {m: _r(tuned[m] - held[m]) for m in tuned
            if m != "n" and tuned.get(m) is not None and held.get(m) is not None}


# -- retrieval ---------------------------------------------------------------------------------------
def run_retrieval(runtime, items: Sequence[GoldItem], ks: Sequence[int] = KS) -> dict:
    from assistant.answer import MIN_RELEVANCE

    searcher, depth = runtime.searcher, max(ks)
    queries = standalone_questions(items)
    t0 = time.perf_counter()
    searcher.search("khởi động", k=1)  # loads the index and the embedding model outside the timings
    warmup_s = time.perf_counter() - t0

    matrices = {m: [] for m in MODES}
    ms = {m: [] for m in MODES}
    questions, relevance = [], []
    for item in items:
        record = {"id": item.id, "type": item.type, "variant": item.variant, "split": item.split, "question": item.question,
                  "query": queries[item.id], "modes": {}, "failures": []}
        for mode in MODES:
            started = time.perf_counter()
            result = retrieve.search(searcher, queries[item.id], k=depth, mode=mode)
            ms[mode].append((time.perf_counter() - started) * 1000)
            matrix = M.relevance_matrix([passage_of(h) for h in result.hits], item.quotes)
            matrices[mode].append(matrix)
            record["modes"][mode] = {"rank": M.first_relevant_rank(matrix) if matrix else None,
                                     "ms": round(ms[mode][-1], 1)}
            if mode == "hybrid":
                hybrid, hybrid_matrix = result, matrix
        relevance.append(hybrid.relevance)
        record.update(relevance=round(hybrid.relevance, 4), sectors=sorted(hybrid.sectors), missing=hybrid.missing)
        record["top"] = [
            {"rank": r, "file": h.document.file, "section": h.chunk.section, "text": _short(h.chunk.text),
             "relevant": any(row[r - 1] for row in hybrid_matrix), "agency_match": h.agency_match}
            for r, h in enumerate(hybrid.hits[:5], 1)
        ]
        record["quotes"] = [
            {"file": q.file, "text": q.text, "rank": next((r for r, ok in enumerate(row, 1) if ok), None)}
            for q, row in zip(item.quotes, hybrid_matrix)
        ]
        record["failures"] = _retrieval_failures(item, record, MIN_RELEVANCE)
        questions.append(record)

    modes = {}
    for mode in MODES:
        scores = _scores(matrices[mode], ks)
        modes[mode] = _grouped(scores, items) | {"latency_ms": M.latency(ms[mode])}
        for record, *values in zip(questions, *(per for _, per in scores.values())):
            record["modes"][mode].update({name: _r(v) for name, v in zip(scores, values)})
    return {"ks": list(ks), "n": len(items), "n_scored": sum(bool(i.quotes) for i in items), "warmup_s": round(warmup_s, 2),
            "modes": modes, "relevance": relevance_report(relevance, [i.answerable for i in items], items, MIN_RELEVANCE),
            "questions": questions}


def _retrieval_failures(item: GoldItem, record: dict, min_relevance: float) -> list[str]:
    out = []
    rel = record["relevance"]
    if item.answerable:
        missed = [q for q in record["quotes"] if not q["rank"] or q["rank"] > 5]
        for q in missed:
            where = f"hạng {q['rank']}" if q["rank"] else "không có trong top 10"
            out.append(f"hybrid recall@5: trích dẫn vàng ngoài top 5 ({where}): «{_short(q['text'], 90)}»")
        if rel < min_relevance:
            out.append(f"relevance {rel:.2f} < {min_relevance} → trợ lý sẽ từ chối nhầm "
                       f"(không thấy: {', '.join(record['missing'][:5]) or '—'})")
    elif rel >= min_relevance:
        out.append(f"câu không trả lời được nhưng relevance {rel:.2f} ≥ {min_relevance} → không bị từ chối ở bước tìm kiếm")
    return out


def relevance_report(scores: Sequence[float], answerable: Sequence[bool], items, current: float) -> dict:
    """The relevance signal for answerable vs unanswerable items and how each threshold separates them."""
    def dist(vals):
        vals = sorted(vals)
        return {"n": len(vals), "min": _r(vals[0]) if vals else None, "p10": _r(M.percentile(vals, 10)),
                "p25": _r(M.percentile(vals, 25)), "p50": _r(M.percentile(vals, 50)),
                "p75": _r(M.percentile(vals, 75)), "max": _r(vals[-1]) if vals else None,
                "histogram": [sum(b / 10 <= v < (b + 1) / 10 or (b == 9 and v == 1.0) for v in vals) for b in range(10)]}

    pos = [s for s, a in zip(scores, answerable) if a]
    neg = [s for s, a in zip(scores, answerable) if not a]
    splits = [getattr(i, "split", SPLITS[0]) for i in items]
    # a threshold is chosen on the tuned split only, and reported on every split
    tuning = [n for n, sp in enumerate(splits) if sp == SPLITS[0]] if len(set(splits)) > 1 else list(range(len(scores)))
    t_scores, t_answerable = [scores[n] for n in tuning], [answerable[n] for n in tuning]
    observed = sorted(set(t_scores))
    midpoints = [(a + b) / 2 for a, b in zip(observed, observed[1:])]
    best = M.best_threshold(M.threshold_table(t_scores, t_answerable, [*GRID, current, *midpoints]))
    rounded = lambda rows: [{k: _r(v) for k, v in row.items()} for row in rows]  # noqa: E731
    by_split = {}
    for sp in SPLITS:
        idx = [n for n, x in enumerate(splits) if x == sp]
        if idx:
            sub_s, sub_a = [scores[n] for n in idx], [answerable[n] for n in idx]
            by_split[sp] = {"n": len(idx), "at_current": rounded(M.threshold_table(sub_s, sub_a, [current]))[0],
                            "at_best": rounded(M.threshold_table(sub_s, sub_a, [best["threshold"]]))[0] if best else None}
    return {
        "answerable": dist(pos), "unanswerable": dist(neg), "current": current,
        "at_current": rounded(M.threshold_table(scores, answerable, [current]))[0],
        "thresholds": rounded(M.threshold_table(scores, answerable, [*GRID, current])),
        "best": rounded([best])[0] if best else None,
        "best_chosen_on": "tuned" if len(set(splits)) > 1 else "all", "by_split": by_split,
        "answerable_below_current": [i.id for i, s in zip(items, scores) if i.answerable and s < current],
        "unanswerable_at_or_above_current": [i.id for i, s in zip(items, scores) if not i.answerable and s >= current],
    }


# -- answers -----------------------------------------------------------------------------------------
def run_answers(runtime, items: Sequence[GoldItem], model: str | None = None,
                progress: Callable[[str], None] = lambda _: None) -> dict:
    from assistant.answer import Assistant
    from assistant.conversation import Conversation

    searcher, settings = runtime.searcher, runtime.settings
    assistant = Assistant(searcher, runtime.generator, settings)
    t0 = time.perf_counter()
    searcher.search("khởi động", k=1)
    runtime.generator(model).count_tokens("khởi động")  # loads the model outside the timings
    warmup_s = time.perf_counter() - t0
    headings = {c.chunk_id: c.heading for c in searcher.index.chunks}
    by_id, states = _lookup(items), {}

    def conversation_after(item_id: str) -> Conversation:
        """The conversation once `item_id` (and the questions it follows) has been asked."""
        if item_id not in states:
            item = by_id[item_id]
            conv = conversation_after(item.follows) if item.follows else Conversation()
            assistant.answer(item.question, conv, None, model)
            states[item_id] = list(conv.turns)
        return Conversation(list(states[item_id]))

    rows = []
    for item in items:
        conv = conversation_after(item.follows) if item.follows else Conversation()
        answer = assistant.answer(item.question, conv, None, model)
        states[item.id] = list(conv.turns)
        cited = _passages(answer.citations, headings)
        rows.append((item, answer, cited, _passages(answer.shown, headings) or (cited if answer.mode == "duties" else [])))
        progress(f"{len(rows)}/{len(items)} {item.id} {answer.mode} {answer.timings['total_ms'] / 1000:.1f}s")
    return score_answers(rows, model or settings.llm, warmup_s)


def _passages(citations, headings) -> list[M.Passage]:
    """Citations as evaluation passages. What the model was shown is `answer.shown` (its prompt's
    passages as they stand there, cut to their focused sentences); for an extractive answer it is the
    cited items; a refusal without a model call was shown nothing."""
    return [M.Passage(c.file, c.quote, f"{c.section}\n{headings.get(c.chunk_id, '')}") for c in citations]


def score_answers(rows, model: str, warmup_s: float = 0.0) -> dict:
    """rows: (GoldItem, Answer, cited passages, shown passages) per question -> the answers report."""
    items = [r[0] for r in rows]
    answers = [r[1] for r in rows]
    texts = [a.text for a in answers]
    cited = [r[2] for r in rows]
    shown = [r[3] for r in rows]
    quotes = [i.quotes for i in items]
    refused = [a.refused for a in answers]
    answerable = [i.answerable for i in items]
    # the model's statements that survived verification (a generated answer's claims) and those dropped
    wrote = [a.mode not in ("duties", "refused") or bool(a.removed) for a in answers]
    kept = [len(M.claims(a.text, c)) if a.mode == "generated" and not a.refused else 0 for a, c in zip(answers, cited)]
    scores = {
        "key_phrase_coverage": M.key_phrase_coverage(texts, [i.key_phrases for i in items]),
        "citation_precision": M.citation_precision(texts, cited, quotes),
        "citation_recall": M.quote_recall(cited, quotes),
        "context_recall": M.quote_recall(shown, quotes),
        "unsupported_rate": M.unsupported_rate(texts, cited, refused),
        "removed_rate": M.removed_rate([len(a.removed) if w else 0 for a, w in zip(answers, wrote)], kept),
        "unanswerable_refused": M.refusal_accuracy(refused, answerable),
        "false_refusals": M.false_refusal_rate(refused, answerable),
    }
    report = _grouped(scores, items)
    timing = {}
    for key in ("retrieve_ms", "first_token_ms", "total_ms"):
        timing[key] = M.latency([a.timings.get(key) for a in answers])
        for mode in sorted({a.mode for a in answers}):
            timing.setdefault("by_mode", {}).setdefault(mode, {})[key] = M.latency(
                [a.timings.get(key) for a in answers if a.mode == mode])
    questions = []
    for n, (item, answer, c, s) in enumerate(rows):
        per = {name: _r(per[n]) for name, (_, per) in scores.items()}
        questions.append(_answer_record(item, answer, c, s, per))
    return report | {"model": model, "n": len(rows), "warmup_s": round(warmup_s, 2), "timings": timing,
                     "modes": {m: sum(a.mode == m for a in answers) for m in sorted({a.mode for a in answers})},
                     "questions": questions}


def _answer_record(item: GoldItem, answer, cited, shown, per: dict) -> dict:
    from ingest.normalize import contains_quote

    verdicts = M.citation_verdicts(answer.text, cited, item.quotes)
    unsupported = [s.text for s in ([] if answer.refused else M.claims(answer.text, cited)) if not s.supported]
    missing_kp = [kp for kp in item.key_phrases if not contains_quote(answer.text, kp)]
    quotes = [{"text": q.text, "file": q.file, "cited": any(M.holds(p, q) for p in cited),
               "shown": any(M.holds(p, q) for p in shown)} for q in item.quotes]
    failures = []
    if item.answerable and answer.refused:
        failures.append("từ chối nhầm (false_refusals)")
    if not item.answerable and not answer.refused:
        failures.append("không từ chối câu hỏi mà kế hoạch không trả lời (unanswerable_refused)")
    if missing_kp:
        failures.append(f"thiếu cụm từ khóa (key_phrase_coverage): {'; '.join(missing_kp)}")
    wrong = [c.n for c, ok in zip(answer.citations, verdicts) if not ok]
    if wrong:
        failures.append(f"trích dẫn không chứa câu vàng cũng không đỡ câu nào (citation_precision): {wrong}")
    for q in quotes:
        if not q["cited"]:
            why = "có trong ngữ cảnh nhưng không được dẫn" if q["shown"] else "không có trong ngữ cảnh — lỗi tìm kiếm"
            failures.append(f"trích dẫn vàng chưa được dẫn (citation_recall; {why}): «{_short(q['text'], 90)}»")
    failures.extend(f"câu không có căn cứ (unsupported_rate): «{_short(s, 90)}»" for s in unsupported)
    return {
        "id": item.id, "type": item.type, "variant": item.variant, "split": item.split, "question": item.question,
        "follows": item.follows, "standalone": answer.standalone, "gold_answer": item.answer,
        "answer": answer.text, "refused": answer.refused, "mode": answer.mode, "model": answer.model,
        "citations": [{"n": c.n, "file": c.file, "label": c.label, "section": c.section, "quote": _short(c.quote, 300),
                       "ok": ok} for c, ok in zip(answer.citations, verdicts)],
        "closest": [{"n": c.n, "label": c.label, "section": c.section, "quote": _short(c.quote, 200)} for c in answer.closest],
        "quotes": quotes, "missing_key_phrases": missing_kp, "unsupported": unsupported, "removed": answer.removed,
        "timings": answer.timings, "scores": per, "failures": failures,
    }


def meta(runtime, **extra) -> dict:
    """What a run was made of: index build, embedding model, the settings that shape answers."""
    from assistant.answer import MIN_RELEVANCE

    manifest = runtime.searcher.index.manifest
    s = runtime.settings
    return {"started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "index_built_at": manifest.get("built_at"),
            "chunks": manifest.get("chunks"), "embed_model": manifest.get("embed_model"),
            "settings": {"top_k": s.top_k, "fusion": s.fusion, "context_tokens": s.context_tokens,
                         "chunk_chars": s.chunk_chars, "min_relevance": MIN_RELEVANCE}} | extra
