"""What every front end does, once: the CLI, the HTTP API (and through it the CLI talking to a running
server) call these functions and print or send what they return. Each returns a JSON contract object
(`ask --json`, `search --json`, `duties --format json`), and the text the CLI prints is rendered from
that same object, so a server's answer prints exactly like one made in this process."""

from __future__ import annotations

import json
from typing import Callable

VERIFIED_HEADER = "\n--- câu trả lời đã kiểm chứng ---"


# -- search -------------------------------------------------------------------------------------------
def hit_json(rank: int, hit) -> dict:
    """One hit of the `search --json` contract."""
    d, c = hit.document, hit.chunk
    return {
        "rank": rank, "chunk_id": c.chunk_id, "doc_id": d.doc_id, "file": d.file, "title": d.title,
        "number": d.number, "section": c.section, "agency": c.agency, "text": c.text, "score": round(hit.score, 6),
        # extensions (the fields above are the contract)
        "date": d.date, "locality": d.locality, "dense": round(hit.dense, 6), "bm25": round(hit.bm25, 6),
        "agency_match": hit.agency_match, "start": c.start, "end": c.end, "label": d.label,
    }


LEVELS = ("trung ương", "tỉnh", "huyện", "xã")  # the levels a document's issuer has (ingest/header.py)


def filters(docs=(), locality: str | None = None, year: int | None = None, agency: str | None = None,
            issuer: str | None = None, level: str | None = None, kind: str | None = None,
            since: str | None = None, until: str | None = None):
    """The search filters of the CLI flags, the API fields and the web's boxes; a bad date or level is a
    TracuuError that says what to write."""
    from assistant.duties_table import parse_day
    from index.search import Filters
    from ingest.normalize import fold
    from tracuu.errors import TracuuError

    if level and fold(level) not in {fold(x) for x in LEVELS}:
        raise TracuuError(f"Cấp “{level}” không có — chọn {', '.join(LEVELS)}.")
    since, until = (parse_day(x).isoformat() if x else None for x in (since, until))
    if since and until and since > until:
        raise TracuuError(f"Khoảng ngày ngược: từ {since} đến {until} — đổi chỗ hai ngày.")
    return Filters(docs=tuple(docs or ()), locality=locality, year=year, agency=agency, issuer=issuer or None,
                   level=level or None, kind=kind or None, since=since, until=until)


def search_json(runtime, question: str, k: int = 10, filters=None, mode: str = "hybrid") -> dict:
    """The `search --json` object for one question."""
    from assistant import retrieve

    result = retrieve.search(runtime.searcher, question, k=k, filters=filters, mode=mode)
    return {"query": question, "hits": [hit_json(r, h) for r, h in enumerate(result.hits, 1)],
            "relevance": round(result.relevance, 4), "sectors": sorted(result.sectors)}


def render_search(obj: dict) -> str:
    """`tracuu search` without --json: the text printed for one search object."""
    lines = [f"Câu hỏi: {obj['query']}  (độ liên quan {obj['relevance']:.2f})"]
    for h in obj["hits"]:
        text = " ".join(h["text"].split())
        lines.append(f"{h['rank']:>2}. [{h['score']:.4f}] {h['label']} — {h['section']}")
        lines.append(f"    {text[:300]}{'…' if len(text) > 300 else ''}")
    return "\n".join(lines) + "\n\n"


# -- ask ----------------------------------------------------------------------------------------------
def conversation_from(questions: list[str]):
    """A conversation holding earlier questions of a chat (each made standalone in turn), so the next
    question is read in their context, as `tracuu chat` does."""
    from assistant.conversation import Conversation, rewrite

    conversation = Conversation()
    for q in questions:
        q = " ".join(q.split())
        if q:
            conversation.add(rewrite(q, conversation.last_question), "")
    return conversation


def ask(runtime, question: str, conversation=None, filters=None, model: str | None = None,
        on_token: Callable[[str], None] = lambda _: None) -> dict:
    """The `ask --json` object for one question; `on_token` receives the draft as it is written."""
    answer = runtime.assistant.answer(question, conversation, filters, model, on_token)
    return answer.to_json()


def render_answer(obj: dict, streamed: str = "") -> str:
    """What `tracuu ask` prints after the text streamed while the answer was made: the verified
    answer and its sources. Text streamed as it stands (a duties listing, a refusal) is not printed
    twice; a model's draft is followed by the checked answer."""
    out = []
    if streamed.strip() == obj["answer"].strip():
        out.append("")
    else:
        if streamed:
            out.append(VERIFIED_HEADER)
        out.append(obj["answer"])
    refs = obj["citations"] or obj["closest"]
    if refs:
        out.append("\nNguồn:" if obj["citations"] else "\nCác đoạn gần nhất:")
        for c in refs:
            quote = " ".join(c["quote"].split())
            label = c.get("label") or c["title"]
            out.append(f"[{c['n']}] {label} — {c['section']}\n    “{quote[:400]}{'…' if len(quote) > 400 else ''}”")
    return "\n".join(out) + "\n"


def timing_line(obj: dict) -> str:
    """The line `tracuu ask` writes to stderr after an answer."""
    t = obj["timings"]
    return (f"\n({obj['model']}; tìm {t['retrieve_ms']:.0f} ms, chữ đầu {t['first_token_ms']:.0f} ms, "
            f"tổng {t['total_ms'] / 1000:.1f} s)")


# -- duties -------------------------------------------------------------------------------------------
def duty_rows(settings, agency=None, plan=None, due_before=None, due_in=None):
    """The duties of the index at settings.index_dir matching the filters (a TracuuError names a bad date;
    a missing index says to run `tracuu ingest`). Read off the records the index stores."""
    from index.store import read_index

    index = read_index(settings.index_dir)
    return filter_duty_rows(index.duty_table, index.documents_by_id, agency, plan, due_before, due_in)


def filter_duty_rows(duties, documents, agency=None, plan=None, due_before=None, due_in=None):
    """The rows of a duties table (index/record_maps.DutyTable, or a list of Duty rows) matching the
    filters, in the table's order: the plan and the body are asked once per document and per body
    through the table's maps, the deadlines per remaining row (assistant/duties_table.py)."""
    from dataclasses import replace

    from assistant.duties_table import agency_matches, duty_filter, filter_duties, plan_matches
    from index.record_maps import DutyTable

    table = duties if isinstance(duties, DutyTable) else DutyTable(list(duties))
    f = duty_filter(table.first_per_doc(), agency, plan, due_before, due_in)  # a plan matching nothing: error
    rows = table.select(doc_ok=(lambda d: plan_matches(f.plan, d)) if f.plan else None,
                        body_ok=(lambda d: agency_matches(f.agency, d)) if f.agency else None)
    return filter_duties(rows, replace(f, agency=None, plan=None), documents)


def duty_json(duty, detail: bool = False) -> dict:
    """One row of the `duties --format json` contract; `detail` adds the parsed deadline (an extension
    the CLI uses to rebuild the row when a server sent it)."""
    from dataclasses import asdict

    row = duty.to_json()
    if detail:
        row["deadline_detail"] = None if duty.deadline is None else json.loads(
            json.dumps(asdict(duty.deadline), default=str))
    return row


def duty_from_json(row: dict):
    """The Duty a `duty_json(…, detail=True)` row was made from."""
    from dataclasses import fields
    from datetime import date

    from ingest.deadlines import Deadline
    from ingest.duties import Duty

    detail = row.get("deadline_detail")
    deadline = None
    if detail is not None:
        deadline = Deadline(**{**detail, "date": date.fromisoformat(detail["date"]) if detail.get("date") else None})
    names = {f.name for f in fields(Duty)}
    return Duty(**{k: v for k, v in row.items() if k in names and k != "deadline"}, deadline=deadline)
