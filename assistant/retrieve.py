"""Retrieval as the assistant asks for it: the question's intent (assistant/intent.py) decides where to
search (the plans or places it names; a filter the user chose wins) and which passages come first (the
sections of the body whose duties it asks for); the index's hybrid search finds them; the evidence
(assistant/evidence.py) measures how much of the question the top passages hold.

The CLI's `search`, `ask`, the web app, the API and eval all call `search` here, so they share one path."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.evidence import relevance
from assistant.intent import Intent, is_national, read_intent, with_legal_chunks, without_naming
from ingest.canonical import Agency, lookup
from ingest.normalize import fold
from ingest.structure import SIGNATURE_SECTION


def search(searcher, question: str, k: int = 10, filters=None, mode: str = "hybrid", intent: Intent | None = None):
    from index.search import Filters

    index = searcher.index
    intent = intent or with_legal_chunks(read_intent(question, index.documents), index.chunks)
    filters = filters or Filters()
    if not filters.docs and intent.scope:
        filters = replace(filters, docs=tuple(sorted(intent.scope)))
    if intent.legal_chunks and not filters.chunk_ids:
        filters = replace(filters, chunk_ids=intent.legal_chunks)  # "khoản 2 Điều 5": that part of the text
    docs = index.documents_by_id
    prefer = None
    if intent.signer and intent.scope:
        # "Ai ký Công văn 4085?": the signature block of the documents it names, whatever words it shares (a
        # question that names no document has no signature block to prefer)
        prefer = lambda c: c.section.startswith(SIGNATURE_SECTION)  # noqa: E731
    elif intent.duty and (intent.body or intent.sectors):
        # the sections of the body asked about first, then every other passage holding an item given to it (an
        # appendix table's rows, a numbered task of a letter), as the records made at ingest say
        rows = index.duty_table.select(body_ok=lambda d: is_own(intent, lookup(d.agency, docs[d.doc_id].locality)))
        given = {d.chunk_id for d in rows}
        prefer = lambda c: 2 if (bool(c.agency) and is_own(  # noqa: E731
            intent, lookup(c.agency, docs[c.doc_id].locality))) else int(c.chunk_id in given)
    annex = annex_named(question)
    if annex:
        # "Theo Phụ lục II …": that appendix first (and in it, the rows of the body asked about first)
        inside = [c for c in index.chunks if (not intent.scope or c.doc_id in intent.scope) and in_annex(c.section, annex)]
        both = {c.chunk_id for c in inside if prefer is None or prefer(c)} or {c.chunk_id for c in inside}
        prefer = (lambda c: c.chunk_id in both) if both else prefer  # noqa: E731
    # a document named by its subject is chosen by those words: its passages are ranked by the rest
    rank_by = without_naming(question, index.documents) if intent.plans else None
    result = searcher.search(question, k=k, filters=filters, mode=mode, prefer=prefer, rank_by=rank_by)
    result.sectors = set(intent.sectors)
    skip = national_places(question, index.documents)
    result.relevance, result.missing = relevance(searcher.bm25, question, result.hits[:5], skip)
    return result


_ANNEX = re.compile(r"\bphu luc\s+([ivxlc]+|\d{1,2})\b")


def annex_named(question: str) -> str | None:
    """The appendix a question names ("theo Phụ lục II …", "phu luc 2"), as its number is written: "II", "2"."""
    m = _ANNEX.search(fold(question))
    return m.group(1).upper() if m else None


def in_annex(section: str, annex: str) -> bool:
    """Whether a passage's section path lies in that appendix ("Phụ lục II. Danh mục … › …", not "Phụ lục III")."""
    return re.match(rf"Phụ lục {re.escape(annex)}(?![\wÀ-ỹ])", section, re.I) is not None


def national_places(question: str, documents) -> set[str]:
    """A national text holds in every province: the places a question names (folded) are no missing words
    when one is indexed."""
    if not any(is_national(d) for d in documents):
        return set()
    from ingest.places import find_places

    return {fold(m.written) for m in find_places(question)}


def is_own(intent: Intent, agency: Agency) -> bool:
    """Whether an agency is the body the question names (not merely one of its sector at another level):
    "Bộ Y tế" is never "Sở Y tế"; "Công an" without a level is the police at every level; "Công an tỉnh"
    only the provincial police; a sector named alone ("ngành y tế") takes every body of the sector."""
    body = intent.body
    if body is None or (body.group and intent.sectors):
        # "các sở, ngành y tế": the bodies of the sector; the group itself all the same ("các Bộ, cơ quan ngang Bộ phải
        # làm gì … cho chính quyền địa phương": a sector word of the topic does not take the group's own rows away)
        if body is not None and body.known and agency.base == body.base:
            return True
        return bool(intent.sectors and agency.sector and intent.sectors & set(agency.sector.split("; ")))
    if not body.known:
        wanted = fold(body.written)
        return wanted in fold(agency.canonical) or wanted in fold(agency.written)
    if agency.base != body.base:
        # a body of every level named alone is also the commands that carry its name ("Bộ đội Biên phòng"
        # and "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"); a body of one level is one of the group of its level
        # ("UBND cấp tỉnh" is one of "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương")
        if body.level and agency.level == body.level and fold(agency.base).startswith(fold(body.base) + " cac "):
            return True
        return body.scoped and not body.level and fold(body.base) in fold(agency.base)
    if body.scoped and body.level and agency.level:
        named = body.level[len("cấp "):] if body.level.startswith("cấp ") else body.level
        return fold(named) == fold(agency.level) or fold(body.canonical) == fold(agency.canonical)
    return True


def is_linked(intent: Intent, agency: Agency) -> bool:
    """Another body of the same sector (Sở Y tế ↔ Trạm y tế ↔ Bộ Y tế): a link, never the same agency."""
    if not intent.sectors or not agency.sector or is_own(intent, agency):
        return False
    return bool(intent.sectors & set(agency.sector.split("; ")))
