"""Answers made by code from the records of the plans (ingest/records.py), complete because the code
collects them, verbatim, grouped by plan and each cited; no model call:

- what a body must do: every item addressed to it, in every plan in scope (other bodies of its sector at
  other levels are named as links, never as its duties);
- what falls due in a month: every item whose deadline falls in it;
- a target, a deadline or reporting rule, the scope, the funding or the legal bases: the items of that kind
  among the passages found, that hold the question (and, asked for a value, give one of that kind).
"""

from __future__ import annotations

import os
import re

from assistant import direct, question_kinds, retrieve
from assistant.citations import format_date
from assistant.evidence import (asked_value, asks_who, counted_words, coverage, names_places, names_years, places_asked, value_sentences,
                                years_asked)
from assistant.refusal import document_numbers, refusal
from assistant.focus import sentences
from assistant.result import REFUSAL_PREFIX, Turn, citation_for
from index.bm25 import bm25_tokens
from ingest.normalize import fold, nfc
from ingest.canonical import lookup
from ingest.document import piece_of
from ingest.records import Record

MAX_ITEMS = 6  # items quoted for a target, reporting, scope, funding or legal-basis question
MAX_POINTS = 15  # points quoted under an item that opens a list ("… bao gồm:")
MIN_ITEM_COVERAGE = 0.5  # share of the question's words (idf-weighted) an item must hold to be quoted


def duties(turn: Turn, index, rows):
    """Every item addressed to the body the question names; None when no plan in scope gives that body
    or its sector anything (the caller then weighs the evidence)."""
    intent = turn.intent
    docs = index.documents_by_id
    chunks = index.chunks_by_id
    rows = [
        d for d in _possible(intent, rows)
        if d.chunk_id in chunks and (turn.filters is None or turn.filters.allows(chunks[d.chunk_id], docs[d.doc_id]))
        and (not intent.scope or d.doc_id in intent.scope)
    ]
    agency = {id(d): lookup(d.agency, docs[d.doc_id].locality) for d in rows}  # lookup is cached
    own = [d for d in rows if retrieve.is_own(intent, agency[id(d)])]
    linked = [d for d in rows if retrieve.is_linked(intent, agency[id(d)])]
    if not own:
        return _linked_only(turn, index, linked) if linked else None
    order = index.chunk_order
    own.sort(key=lambda d: (-(docs[d.doc_id].year or 0), d.doc_id, order[d.chunk_id]))
    citations, lines, cited = [], [f"Theo các văn bản hiện có, nhiệm vụ của {asked_name(intent)} như sau:"], {}
    for doc_id in dict.fromkeys(d.doc_id for d in own):
        doc = docs[doc_id]
        in_doc = [d for d in own if d.doc_id == doc_id]
        # its own items (it leads or carries them out, or they sit in its own section), then the items of
        # other agencies that name it as a partner; a table row's role is its own, whatever body the
        # passage's section names
        mine = [d for d in in_doc if d.role != "phối hợp" or (chunks[d.chunk_id].agency and retrieve.is_own(
            intent, lookup(chunks[d.chunk_id].agency, doc.locality)))]
        partner = [d for d in in_doc if d not in mine]
        lines += ["", f"**{doc.label}** — {'; '.join(dict.fromkeys(_named_as(d) for d in in_doc))}:"]
        for group, title in ((mine, None), (partner, "Phối hợp (theo nhiệm vụ giao cho cơ quan khác):")):
            if group and title:
                lines.append(f"_{title}_")
            seen_here = set()
            for d in group:
                if (d.chunk_id, d.text) in seen_here:
                    continue
                seen_here.add((d.chunk_id, d.text))
                n = cite(cited, citations, chunks[d.chunk_id], doc)
                item = re.sub(r"^[-–+•]\s*", "", " ".join(d.text.split()))
                letter = d.section.rsplit(" › ", 1)[-1]
                lead = f"{d.agency} ({d.role}): " if title else (f"{letter} " if re.fullmatch(r"[a-zđ]\)", letter) else "")
                due = f" — thời hạn: {d.deadline_text}" if d.deadline_text else ""
                lines.append(f"- {lead}{item}{due} [{n}]")
    lines.extend(_link_lines(linked, docs))
    return listed(turn, lines, citations, "duties")


def _possible(intent, rows) -> list:
    """The rows that may be the body asked or of its sector, told from what the records store (their
    body's canonical name, its wording in the plan, its sectors): what retrieve.is_own and is_linked
    accept always passes, so only these rows are looked up in the lexicon (a library has tens of
    thousands of rows and thousands of bodies)."""
    body = intent.body
    names = {fold(n) for n in ((body.base, body.canonical, body.written) if body is not None else ()) if n}
    sectors = set(intent.sectors)
    if body is None and not sectors:
        return list(rows)

    def may_be(d) -> bool:
        if sectors and sectors & set((d.sector or "").split("; ")):
            return True
        text = fold(f"{d.canonical} | {d.agency}")
        return any(n in text for n in names)

    kept, asked = [], {}
    for d in rows:
        key = (d.canonical, d.agency, d.sector)
        if key not in asked:
            asked[key] = may_be(d)
        if asked[key]:
            kept.append(d)
    return kept


def _linked_only(turn: Turn, index, linked):
    """No plan in scope gives the body named anything, but bodies of its sector have duties: say so, name
    them as links (another body, not the one asked about) and show their items as the closest passages."""
    docs = index.documents_by_id
    chunks = {c.chunk_id: c for c in index.chunks}
    where = "; ".join(dict.fromkeys(docs[d.doc_id].label for d in linked))
    lines = [f"{REFUSAL_PREFIX} nhiệm vụ nào giao cho {asked_name(turn.intent)} (đã tìm trong: {where})."]
    lines.extend(_link_lines(linked, docs))
    text = "\n".join(lines)
    turn.on_token(text)
    closest, seen = [], set()
    for d in linked:
        if d.chunk_id not in seen and len(closest) < 3:
            seen.add(d.chunk_id)
            closest.append(citation_for(len(closest) + 1, chunks[d.chunk_id], docs[d.doc_id]))
    return turn.answer(text, [], "refused", refused=True, closest=closest)


def due_in_month(turn: Turn, index, rows):
    """Every duty whose deadline falls in the month asked (yearly on a day of that month, monthly, or a
    one-off date in that month), of the body the question names if it names one, each cited; None when none
    does ("Có phải … giao X hoàn thành trong tháng 11 không?" about a body given nothing is no listing)."""
    intent = turn.intent
    month, scope = intent.month, intent.scope
    docs = index.documents_by_id
    chunks = {c.chunk_id: c for c in index.chunks}
    found = []
    for d in rows:
        dl = d.deadline
        if dl is None or d.chunk_id not in chunks or (scope and d.doc_id not in scope):
            continue
        if (intent.body or intent.sectors) and not retrieve.is_own(intent, lookup(d.agency, docs[d.doc_id].locality)):
            continue
        hit = (dl.kind == "monthly") or (dl.kind == "yearly" and dl.month == month) or (
            dl.kind in ("date", "relative") and dl.date is not None and dl.date.month == month)
        if hit and (turn.filters is None or turn.filters.allows(chunks[d.chunk_id], docs[d.doc_id])):
            found.append(d)
    if not found:
        return None
    lines, citations, cited = [f"Các nhiệm vụ có thời hạn rơi vào tháng {month} theo các văn bản hiện có:"], [], {}
    for d in found:
        n = cite(cited, citations, chunks[d.chunk_id], docs[d.doc_id])
        lines.append(f"- {d.plan_label} — {d.agency}: {d.deadline.describe()} "
                     f"(“{d.deadline_text}”): {' '.join(d.text.split())} [{n}]")
    return listed(turn, lines, citations, "duties")


def matching_records(turn: Turn, index, records: list[Record], bm25, kind: str | None = None) -> list[Record]:
    """The records among the passages found that answer the question: of the kind asked when there are
    such, holding most of the question's words (with their plan and section), and, when the question asks
    for a value, giving a value of that kind. In the order of the passages."""
    hits = turn.result.hits[:8]
    spans = [(h.document.doc_id, h.chunk.start, h.chunk.end) for h in hits]
    rank = {}
    for r in records:
        for i, (doc, start, end) in enumerate(spans):
            if r.doc_id == doc and r.start < end and start < r.end:
                rank.setdefault(id(r), i)
    scope = turn.intent.scope
    if kind and scope:  # the question names its plans: every item of the kind asked in them is a candidate
        for r in records:
            if r.kind == kind and r.doc_id in scope:
                rank.setdefault(id(r), len(spans))
    found = sorted((r for r in records if id(r) in rank), key=lambda r: (rank[id(r)], r.start))
    asked = asked_value(turn.standalone)
    if asked:
        found = [r for r in found if value_sentences(asked, turn.standalone, r.text)]
    skip = retrieve.national_places(turn.standalone, index.documents) | _naming_words(turn, index, bm25)
    chunks = {c.chunk_id: c for c in index.chunks}
    docs = index.documents_by_id
    years = years_asked(turn.standalone, asked)  # "chỉ tiêu … năm 2026 là bao nhiêu": another year's figure is none
    found = [r for r in found if names_years(f"{docs[r.doc_id].title} {docs[r.doc_id].date or ''} {_context(r, chunks)} "
                                             f"{r.text}", years)]
    # a question that asks two things ("… bao nhiêu phần trăm … và cơ quan nào lo bảo đảm kinh phí?"): an item
    # that holds either part answers, measured against the best item of that part
    parts = _own_parts(turn.standalone, bm25)
    scored = []
    for r in found:
        present = set(bm25_tokens(f"{r.plan_label} {_context(r, chunks)} {r.text}"))  # with the clause's lead-in
        scored.append(([coverage(bm25, part, present, skip)[0] for part in parts], r))
    # the items given to the body the question names ("UBND phường, xã rà soát … dựa trên kế hoạch nào": the basis
    # its own item states) are measured among themselves, when they hold the question about as well as the best
    # item does (a question of one part)
    own = [x for x in scored if kind and len(parts) == 1 and _given_to(turn.intent, x[1], docs)]
    top = max((s[0] for s, _ in scored), default=0.0)
    # a document's bases (its "Căn cứ" lines, the reports its opening cites) answer a question of its basis before
    # any item that shares the question's words ("Trên cơ sở kết quả khảo sát, Sở Xây dựng chủ trì …")
    bases = [x for x in scored if kind == "legal_basis" and len(parts) == 1 and x[1].kind == kind]
    if any(s[0] >= max(MIN_ITEM_COVERAGE, 0.75 * top) for s, _ in own):
        scored = own
    elif any(s[0] >= MIN_ITEM_COVERAGE for s, _ in bases):
        scored = bases
    best = [max((s[k] for s, _ in scored), default=0.0) for k in range(len(parts))]
    keep = [r for s, r in scored if any(s[k] >= MIN_ITEM_COVERAGE and s[k] >= 0.75 * best[k] for k in range(len(parts)))]
    # "năm 2026": the item must hold the figures the question states; a document's number ("Công điện 220",
    # "57-NQ/TW") is none
    figures = set(re.findall(r"(?<![\w/.-])\d+(?![\w/-])", turn.standalone)) - document_numbers(index)
    if figures and any(figures <= set(re.findall(r"\d+", r.text)) for r in keep):
        keep = [r for r in keep if figures <= set(re.findall(r"\d+", r.text))]
    if kind and scored is not own and any(r.kind == kind for r in keep):
        keep = [r for r in keep if r.kind == kind]  # of the kind asked, when such items hold the question
    keep = list(dict.fromkeys(keep))
    if len({r.doc_id for r in keep}) > 1:  # several plans: each gets its best items before any gets more
        counts: dict[str, int] = {}
        nth = []  # the item's place among its own plan's items
        for r in keep:
            counts[r.doc_id] = counts.get(r.doc_id, 0) + 1
            nth.append(counts[r.doc_id])
        keep = [r for _, r in sorted(zip(nth, keep), key=lambda x: x[0])]
    return _with_points(keep[:MAX_ITEMS], records)


def _named_as(d) -> str:
    """How a duty row's body is shown over its items: as the document writes it when that is the body's name
    alone ("UBND tỉnh"), else by its name ("Bộ Xây dựng" for "đồng chí Bộ trưởng Bộ Xây dựng trực tiếp", the words
    before an item's verb)."""
    from ingest.lexicon import bodies_in

    found = bodies_in(d.agency)
    whole = len(found) == 1 and found[0].start == 0 and found[0].end >= len(d.agency.rstrip(" :;,."))
    return d.agency if whole or not found else d.canonical


def _with_points(found: list[Record], records: list[Record]) -> list[Record]:
    """Each item that opens a list ("Nguồn vốn triển khai Kế hoạch …, bao gồm:") followed by the items of its
    kind one level under it, in the text's order: the list it opens is what it says."""
    out, seen = [], {id(r) for r in found}
    for r in found:
        out.append(r)
        under = _list_under(r)
        if under:
            points = [p for p in records if p.doc_id == r.doc_id and p.kind == r.kind and id(p) not in seen
                      and p.section.startswith(under) and " › " not in piece_of(p.section)[len(under):]]
            out += points[:MAX_POINTS]
            seen |= {id(p) for p in points}
    return out


def _list_under(r: Record) -> str | None:
    """The section path its points stand under when an item opens a list ("… bao gồm:"), else None."""
    return f"{piece_of(r.section)} › " if r.text.rstrip().endswith(":") else None


def _own_parts(question: str, bm25) -> list[str]:
    """The parts of a question that asks two things (question_kinds.parts), each of which says at least two
    things of its own besides the words that ask ("và cơ quan nào lo bảo đảm kinh phí"); a part that only points
    back ("và cơ quan nào chủ trì việc này?") is no part: the question is read whole."""
    from assistant.evidence import asking_words, pair_strength, question_terms

    parts = question_kinds.parts(question)
    if len(parts) < 2:
        return parts
    strength = pair_strength(bm25)

    def says(part: str) -> int:
        who = question_kinds.find("who", part)
        asking = asking_words(part) | (set(fold(question_kinds.words_said(who)).split()) if who else set())
        return sum(not set(fold(t.shown).split()) <= asking for t in question_terms(part, strength))

    return parts if all(says(p) >= 2 for p in parts) else [question]


def _naming_words(turn: Turn, index, bm25) -> set[str]:
    """The words by which a question names the documents it asks about by their subject ("Kế hoạch hành
    động quốc gia về khắc phục ô nhiễm không khí"): every item of those documents answers to them, so they
    tell no item from another (the item that repeats the title, "Điều 1. Phê duyệt Kế hoạch …", is no
    better an answer). Kept when they are all the question says."""
    from assistant.evidence import pair_strength, question_terms
    from assistant.intent import subject_run, words

    _, said = subject_run(words(turn.standalone), index.documents, numbered=True)
    if not said:
        return set()
    terms = {fold(t.shown) for t in question_terms(turn.standalone, pair_strength(bm25))}
    naming = {t for t in terms if set(re.findall(r"\w+", t)) <= set(said)}
    return naming if naming != terms else set()


def _context(r: Record, chunks: dict) -> str:
    """A record's section path with its headings written out (index/build.section_context)."""
    from index.build import section_context

    chunk = chunks.get(r.chunk_id)
    return section_context(chunk) if chunk is not None and chunk.section == r.section else r.section


def _lead_in(r: Record, chunks: dict) -> str | None:
    """The lead-in sentence of the clause a point stands under ("2. Quy trình … sau đây:"), when its
    section path names that clause by a bare label ("khoản 2 › điểm a")."""
    labels, written = r.section.split(" › "), _context(r, chunks).split(" › ")
    if len(labels) != len(written) or len(labels) < 2:
        return None
    parent, full = labels[-2], written[-2]
    return full if full != parent and full.rstrip().endswith(":") else None


def records_answer(turn: Turn, index, records: list[Record], bm25, fallback: bool = False, stream: bool = True):
    """The items that answer a question about a target, a deadline or reporting rule, the scope, the
    funding or the legal bases, quoted whole; as a fallback (the model's text failed verification) the
    items that answer any question. None when no item does."""
    cues = question_kinds.asked_kind(turn.standalone)
    who = asks_who(turn.standalone)  # asks for a body: the items that name who does it answer
    if cues is None and not fallback and not who:
        return None
    found = matching_records(turn, index, records, bm25, cues.kind if cues else None)
    if who and cues is None and not fallback and not (found and found[0].duties):
        return None  # the item that answers best names no body the lexicon knows: the model reads it
    if not found:
        return None
    docs = index.documents_by_id
    chunks = {c.chunk_id: c for c in index.chunks}
    asked, body = asked_value(turn.standalone), turn.intent.body
    # "bao nhiêu trạm y tế": the body is what is counted, not who acts
    counted = body is not None and (m := counted_words(turn.standalone)) is not None and fold(
        m.string[m.start(1):]).startswith(fold(body.written))
    if asked and body is not None and not body.group and not counted:
        # "Công an Thành phố phải xong trước ngày nào?": a value of another body's item is no answer
        # a group's total ("485 văn bản" of "Bộ trưởng các Bộ, Thủ trưởng cơ quan ngang bộ") is no member's own
        # quantity; a group's deadline is each member's; the issuer of a document named ("Chỉ thị 012 của UBND tỉnh
        # yêu cầu cắt giảm bao nhiêu phần trăm") asks what the document requires of all
        share = asked.kind not in ("number", "money", "percent", "people") or any(
            d.issuer and lookup(d.issuer, d.locality).canonical == lookup(body.written, d.locality).canonical
            for d in (docs[i] for i in {r.doc_id for r in found}))
        named = [r for r in found if _addresses(turn.intent, r, _context(r, chunks), docs[r.doc_id].locality, share)]
        if not named:
            return refusal(turn, index, [f"{asked.label} của {asked_name(turn.intent)}"], stream=stream)
        found = named
    places = places_asked(turn.standalone, [docs[r.doc_id] for r in found]) if asked else []
    if places:  # "… của Khánh Hòa": that province's row, not its neighbours'
        found = [r for r in found if names_places(f"{_context(r, chunks)}\n{r.text}", places, index.documents)] or found
    # the act asked, in the item's passage (a deadline line under an item is an item of its own: "Thành lập Tổ kiểm
    # kê …" / "Thời hạn hoàn thành: Trước ngày 30/11/2025."); for records that answer a model's failed text, only
    # the verb after a modal is sure enough to refuse on
    happens = _happening(turn.standalone, asked, modal_only=fallback)
    if happens and not any(all(fold(w) in fold(f"{r.plan_label} {_context(r, chunks)} {chunks[r.chunk_id].text}")
                               for w in happens) for r in found):
        # "Phiên họp lần thứ sáu được tổ chức vào ngày nào?": the date of another act is no answer
        return refusal(turn, index, [f"{asked.label} ({', '.join(happens)})"], stream=stream)
    what = f" ({cues.label})" if cues else ""
    citations, cited, lines = [], {}, [f"Theo các văn bản hiện có{what}:"]
    stated = direct.stated(turn.standalone, found, index, lambda r: _context(r, chunks))
    if stated:  # the value asked first, in one sentence checked against its passage
        said, r = stated
        lines = [f"{said} [{cite(cited, citations, chunks[r.chunk_id], docs[r.doc_id])}].", "", *lines]
    for doc_id in dict.fromkeys(r.doc_id for r in found):
        doc = docs[doc_id]
        lines += ["", f"**{doc.label}**:"]
        mine = [r for r in found if r.doc_id == doc_id]
        leads = {id(r): _lead_in(r, chunks) for r in mine}
        at = {}  # the points of one clause stand together, in the text's order, under its lead-in
        for i, r in enumerate(mine):
            at.setdefault(leads[id(r)] or id(r), i)
        mine.sort(key=lambda r: (at[leads[id(r)] or id(r)], r.start))
        shown_lead, opener = None, None
        for r in mine:
            n = cite(cited, citations, chunks[r.chunk_id], doc)
            lead = leads[id(r)]
            if lead and lead != shown_lead:  # "Quy trình … gồm các giai đoạn sau đây:" above its points
                lines.append(f"- {lead}")
            shown_lead = lead
            indent = "  " if lead or (opener and r.section.startswith(opener)) else ""  # a point of a list above
            opener = _list_under(r) or opener
            where = r.section.rsplit(" › ", 1)[-1].lstrip("-–• ").strip()
            core = re.sub(r"^(?:[\dIVXLC]+[.)]|[a-zđ]\))*\s*", "", where).rstrip("…").strip()
            said = bool(core) and r.text.startswith(core[:40])  # the heading is the item's own first words
            where = "" if not where or said else where
            bodies = "; ".join(f"{d.agency}" + (f" ({d.role})" if d.role != "thực hiện" else "")
                               for d in r.duties if fold(d.agency) not in fold(f"{where} {r.text}"))  # whose item it is
            where = " — ".join(x for x in (where, bodies) if x)
            lines.append(f"{indent}- {where}: “{r.text}” [{n}]" if where else f"{indent}- “{r.text}” [{n}]")
    mode = "evidence" if fallback else "records"
    return listed(turn, lines, citations, mode, stream)


def _happening(question: str, asked, modal_only: bool = False) -> list[str]:
    """What happens at the time a question asks, as the question writes it, in the clause that asks: the
    last word before "vào ngày nào", "khi nào" … that is neither a function word, a figure nor a word of the
    time itself ("đợt cao điểm … kết thúc vào ngày nào" -> "kết thúc"; "hạn gửi báo cáo sơ kết là khi nào"
    -> "sơ kết"), and the verb after a modal when one stands before it ("Bộ Xây dựng phải tổ chức sơ kết Đề án …
    xây dựng vào năm nào" -> "sơ kết", "xây dựng"); else the first such word after it ("…, khi nào phải tắt hẳn sóng
    3G" -> "tắt"). An item that answers holds them all. With `modal_only`, the verb after a modal alone. Empty for
    other values."""
    from ingest.words import segment

    if asked is None or asked.kind not in ("day", "year", "date"):
        return []
    text = nfc(question)
    m = question_kinds.find(asked.kind, text)
    if not m:
        return []

    def event(w) -> bool:
        said = question_kinds.find("deadline_word", w.shown)  # the whole word: "định kỳ" is no "kỳ"
        return not (w.stop or w.shown.isdigit() or (said and said.end() - said.start() == len(w.shown)))

    start = max(text.rfind(",", 0, m.start()), text.rfind(":", 0, m.start())) + 1
    clause = segment(text[start:m.start()])
    said = [w for w in clause if not w.stop]
    if said and question_kinds.find("happen", said[-1].shown):
        return []  # "… diễn ra từ ngày nào": when the subject takes place, no act to find
    words = []
    modal = question_kinds.find("modal", text[start:m.start()])
    if modal:  # "… phải tổ chức sơ kết Đề án …": the act is the verb after the modal
        after = [w for w in segment(text[start + modal.end():m.start()])
                 if event(w) and not question_kinds.find("light_verb", w.shown)]
        words += after[:1]
    if modal_only:
        return [w.shown for w in words]
    before = [w for w in clause if event(w)]
    words += before[-1:]
    if not words:
        end = min((i for i in (text.find(",", m.end()), text.find("?", m.end())) if i >= 0), default=len(text))
        words = [w for w in segment(text[m.end():end]) if event(w)][:1]
    return list(dict.fromkeys(w.shown for w in words))


def _given_to(intent, r: Record, docs) -> bool:
    """Whether one of an item's duty rows is the named body's own (not a group's it belongs to)."""
    if intent.body is None or intent.body.group:  # "các sở, ngành": the rows of every body of the group are no surer
        return False
    locality = docs[r.doc_id].locality
    return any(retrieve.is_own(intent, lookup(d.agency, locality)) for d in r.duties)


def _addresses(intent, r: Record, context: str, locality, groups: bool = True) -> bool:
    """Whether an item may hold for the body the question names: it is given to that body or names it (in
    its text or in the headings and lead-in it stands under: "3. Bộ trưởng Bộ Tài chính … thực hiện các
    nhiệm vụ sau: › 3.1 …"), or it is given to nobody named (a rule for all), or (with `groups`) to a group of
    bodies ("Các sở, ban, ngành"); not when it names only other bodies."""
    from ingest.lexicon import bodies_in, find_body

    found = [*(find_body(d.agency, locality) for d in r.duties), *bodies_in(f"{context}\n{r.text}", locality)]
    found = [b for b in found if b is not None]
    if not found:
        return True
    if any(not b.group and retrieve.is_own(intent, lookup(b.written, locality)) for b in found):
        return True  # its own item, whatever group it names as a partner
    return groups and any(b.group for b in found)


def _unmarked(text: str) -> str:
    """A passage without the lines a published copy puts where the signature was ("[đã ký]"): the titles above
    them and the name below are one signature block."""
    from ingest.doc_vocab import vocab

    marks = {m.lower() for m in vocab().signed_marks}
    return "\n".join(line for line in text.split("\n") if line.strip().strip("[]() ").lower() not in marks)


def signing_titles(text: str, name: str) -> str:
    """The titles written above a signer's name, as the document writes them: "TM. ỦY BAN NHÂN DÂN, KT. CHỦ
    TỊCH, PHÓ CHỦ TỊCH" (the capitalised lines just above the last place the name stands)."""
    at = text.rfind(name)
    if at < 0:
        return ""
    before = text[:at].split("\n")
    # a signature block on the name's own line (a table row read as one line): "… (2). 70 TM. CHÍNH PHỦ THỦ TƯỚNG"
    words = re.sub(r"[*|]+", " ", before[-1]).split()
    k = len(words)
    while k and any(ch.isalpha() for ch in words[k - 1]) and words[k - 1] == words[k - 1].upper():
        k -= 1
    same_line = " ".join(words[k:])
    titles = []
    for k, line in enumerate(reversed([*_unmarked("\n".join(before[-9:-1])).split("\n")[-7:], same_line])):
        line = " ".join(re.sub(r"\*+", " ", line).split()).strip(" |")
        if not line:
            continue
        if not any(ch.isalpha() for ch in line) or line != line.upper() or (k > 0 and "|" in line):
            break
        titles.append(line)
    return ", ".join(reversed(titles))


def asked_name(intent) -> str:
    body = intent.body
    if body is None:
        return "ngành " + ", ".join(sorted(intent.sectors))
    if body.group and intent.sectors:  # "các sở, ngành y tế": the group, of the sector named
        return f"{body.written} (ngành {', '.join(sorted(intent.sectors))})"
    if body.scoped and not body.level:
        return f"{body.base} (các cấp)"
    # a name the documents give, typed without diacritics ("trung tam van hoa …"), is shown as they write it
    return body.canonical if body.known or fold(body.canonical) == fold(body.written) else body.written


def _link_lines(linked, docs) -> list[str]:
    """Bodies of the same sector at other levels, named as links: another agency, never the one asked about."""
    if not linked:
        return []
    counts: dict[tuple[str, str], int] = {}
    for d in linked:
        key = (d.canonical, docs[d.doc_id].label)
        counts[key] = counts.get(key, 0) + 1
    lines = ["", "_Cùng ngành, cơ quan khác (không phải cơ quan được hỏi):_"]
    for (name, label), n in counts.items():
        lines.append(f"- {name}: {n} nhiệm vụ trong {label} — hỏi “{name} phải làm gì?” để xem.")
    return lines


def cite(cited: dict, citations: list, chunk, doc) -> int:
    if chunk.chunk_id not in cited:
        cited[chunk.chunk_id] = len(citations) + 1
        citations.append(citation_for(cited[chunk.chunk_id], chunk, doc))
    return cited[chunk.chunk_id]


def listed(turn: Turn, lines: list[str], citations, mode: str, stream: bool = True):
    turn.mark_first_token()
    for line in lines if stream else ():
        turn.on_token(line + "\n")
    return turn.answer("\n".join(lines), citations, mode, model="extractive")


# a sentence that defines a term: "1. Chất ma túy là …", "a) Cai nghiện ma túy là …"
_DEFINES = re.compile(r"(?:\d+[.)]|[a-zđ]\))?\s*(\w+(?: \w+){1,7}?) (?:la|duoc hieu la) ")


def definition(turn: Turn, index):
    """What a term means, from the sentences of the documents in scope that define it ("Chất ma túy là …"),
    each quoted whole and cited; None when the question asks no meaning or no sentence defines the term."""
    asked = " ".join(re.findall(r"\w+|[,?;:]", fold(turn.standalone)))
    m = question_kinds.find("definition", asked)  # "X là gì?", "X được hiểu là gì?", "X nghĩa là gì?"
    if not m:
        return None
    term = " " + " ".join(re.findall(r"\w+", re.split(r"[,?;:]", asked[:m.start()])[-1]))
    if not term.strip():
        return None
    docs, scope = index.documents_by_id, turn.intent.scope
    found = []
    for chunk in index.chunks:
        if scope and chunk.doc_id not in scope:
            continue
        for sent in sentences(chunk.text):
            d = _DEFINES.match(" ".join(re.findall(r"\w+", fold(sent))) + " ")
            if d and term.endswith(f" {d.group(1)}"):
                found.append((chunk, sent))
    if not found:
        return None
    lines, citations, cited = ["Theo các văn bản hiện có (định nghĩa):"], [], {}
    for doc_id in dict.fromkeys(c.doc_id for c, _ in found):
        lines += ["", f"**{docs[doc_id].label}**:"]
        for chunk, sent in ((c, x) for c, x in found[:MAX_ITEMS] if c.doc_id == doc_id):
            n = cite(cited, citations, chunk, docs[doc_id])
            lines.append(f"- {chunk.section}: “{sent}” [{n}]")
    return listed(turn, lines, citations, "records")


MAX_PART = 20  # passages of a named article quoted whole
HEADING_HOLDS = 0.75  # share of the question's words (idf-weighted) the part with its heading must hold


def legal_part(turn: Turn, index, bm25):
    """The text of the article, clause or point a question names, quoted whole and cited, when the question
    asks what it says: what else it asks is in words no indexed text uses ("điểm a khoản 1 Điều 28 nói
    gì?"), or the part with its heading holds it ("Điều 5 nghiêm cấm những hành vi nào?" of "Điều 5. Các
    hành vi bị nghiêm cấm"). None otherwise, or when the part is longer than MAX_PART passages."""
    from assistant.evidence import question_terms

    ids = turn.intent.legal_chunks
    if not ids or len(ids) > MAX_PART:
        return None
    docs = index.documents_by_id
    part = [c for c in index.chunks if c.chunk_id in ids]
    heading = " › ".join(os.path.commonprefix([c.section.split(" › ") for c in part]))  # label by label
    doc = docs[part[0].doc_id]
    whole = " ".join(c.text for c in part)
    held = coverage(bm25, turn.standalone, set(bm25_tokens(f"{doc.label} {doc.title} {heading} {whole}")),
                    {fold(w) for w in re.findall(r"\w+", str(turn.intent.legal))})[0]
    unknown_rest = not any(all(k in bm25.vocab for k in t.keys)
                           for t in question_terms(" ".join(turn.result.missing)))
    if not (held >= HEADING_HOLDS or (turn.result.missing and unknown_rest)):
        return None
    lines, citations, cited = [f"**{doc.label}** — {heading}:"], [], {}
    for chunk in part:
        n = cite(cited, citations, chunk, doc)
        own = chunk.section[len(heading):].lstrip(" ›")
        lines.append(f"- {own + ': ' if own else ''}“{' '.join(chunk.text.split())}” [{n}]")
    return listed(turn, lines, citations, "records")


def voice(turn: Turn, index):
    """Whose opinion or conclusion the documents the question is about convey ("…, Phó Thủ tướng Chính phủ X có ý
    kiến như sau:", read by ingest/header.voice), cited to the passage that says it; None when none does."""
    from ingest.header import voice as voice_of
    from ingest.lexicon import is_stop

    from assistant.intent import kind_words, words

    if not turn.intent.scope and not re.search(rf"\b(?:{kind_words()})\b", words(turn.standalone)):
        return None  # neither a document named nor a kind of one: "Sở Y tế phải lấy ý kiến của ai" asks a duty
    lines, citations, cited, opening = [], [], {}, []
    for d in _documents_asked(turn, index):
        found = voice_of(d.text)
        if found is None:
            continue
        said, at, _ = found
        chunk = next((c for c in index.chunks if c.doc_id == d.doc_id and c.start <= at < c.end), None)
        ref = f" [{cite(cited, citations, chunk, d)}]" if chunk else ""
        # its subject line ("Kết luận của Thủ tướng … tại buổi làm việc với …"), unless the reader kept it cut short
        whole = d.title and d.title != d.kind and not is_stop(d.title.split()[-1])
        about = f" — “{d.title}”" if whole else ""
        lines.append(f"{d.label}{about} truyền đạt ý kiến, kết luận của {said}{ref}.")
        opening.append(f"{said}{ref}")
    if not lines:
        return None  # "Sở Y tế lấy ý kiến của ai": a document that conveys no one's opinion is asked something else
    return listed(turn, [f"Ý kiến, kết luận của: {'; '.join(opening)}.", "", *lines], citations, "records")


def _documents_asked(turn: Turn, index) -> list:
    """The documents a question about a document's own facts is about: those it names, else the only one indexed,
    else the one its best passage is in."""
    docs = [d for d in index.documents if not turn.intent.scope or d.doc_id in turn.intent.scope]
    if len(docs) > 1 and not turn.intent.scope:
        docs = [h.document for h in turn.result.hits[:1]]
    return docs


def header(turn: Turn, index):
    """Who signed or who issued the documents the question is about, from their header (read at ingest),
    cited to the passage that carries it; a refusal when the document leaves it blank."""
    docs = _documents_asked(turn, index)
    field, missing = ("signer", "người ký") if turn.intent.signer else ("issuer", "cơ quan ban hành")
    found = [d for d in docs if getattr(d, field, None)]
    if not found:
        return refusal(turn, index, [missing])
    lines, citations, cited, opening = [], [], {}, []
    for d in found:
        value = getattr(d, field)
        where = [c for c in index.chunks if c.doc_id == d.doc_id]
        key, whole = value.split()[-1].lower(), f" {direct.words(value)} "
        ordered = list(reversed(where) if field == "signer" else where)
        chunk = next((c for c in ordered if whole in f" {direct.words(c.text)} "), None) or next(
            (c for c in ordered if key in c.text.lower()), None)  # the passage that names it whole, if one does
        ref = f" [{cite(cited, citations, chunk, d)}]" if chunk else ""
        said = f"do {value} ký" if field == "signer" else f"do {value} ban hành"
        if len(str(d.date or "").split("-")) == 3:  # the signing date of the header
            said += f" ngày {format_date(d.date)}"
        titles = signing_titles(d.text, value) if field == "signer" else ""
        if titles:
            said += f" ({titles})"
        lines.append(f"{d.label} {said}{ref}.")
        title = titles.split(", ")[-1].capitalize() if titles else ""
        stated = f"{value} ({title})" if title else value
        if chunk is not None and direct.checked(stated, _unmarked(chunk.text), turn.standalone):
            opening.append(f"{stated}{ref}")
    if opening:  # the value asked first, in one sentence: "Người ký: Trương Cảnh Tuyên (Chủ tịch) [1]."
        lines = [f"{'Người ký' if field == 'signer' else 'Cơ quan ban hành'}: {'; '.join(opening)}.", "", *lines]
    return listed(turn, lines, citations, "records")

