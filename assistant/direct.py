"""A direct answer first: where a question asks for a value — how long, by when, where to send, how much,
which body leads — the answer made by code opens with one sentence that states it, taken from the items
found, and then quotes them as before:

    "Trong thời hạn 10 ngày kể từ ngày nhận Kế hoạch này; gửi về Ủy ban nhân dân thành phố (qua Công an
    thành phố) [1]."

The sentence is checked against its passage as every statement of the model is (assistant/citations.verify);
one that its passage does not support is dropped, and the answer opens with the quoted items alone.
"""

from __future__ import annotations

import re

from assistant import question_kinds
from assistant.citations import content_words, split_statements, verify
from assistant.evidence import asked_value, asks_who, names_places, places_asked, value_sentences, with_units
from ingest.tables import SEP
from ingest.normalize import fold

ROLES_ASKED = ("chủ trì", "phối hợp")  # the roles of a duty row (ingest/duties.Duty) a who-question may name
MAX_CLAUSE_WORDS = 45  # a longer clause is narrowed to its comma-separated parts from the one holding the value
TIME_KINDS = ("duration", "day", "year", "date")  # values an item's deadline answers
# a document's number just before a date ("Kết luận số 132-KL/TW ngày 16/3/2022"): that date is the other
# document's, not a value the item sets
_REFERENCE = re.compile(r"\d+\s*[-/]\s*[A-ZĐ][\w/-]*[\s,]*(?:ngày[\s\d/]*(?:tháng[\s\d]*)?(?:năm\s*)?)?$", re.I)


def stated(question: str, found, index, context) -> tuple[str, object] | None:
    """The sentence that states the value asked (without its citation marker) and the record it is taken
    from, the best supported of the records found; None when none gives one its passage supports.
    `context(record)` is the record's section path with its headings written out."""
    chunks = {c.chunk_id: c for c in index.chunks}
    docs = index.documents_by_id
    places = places_asked(question, [docs[r.doc_id] for r in found])  # "… của Lai Châu là bao nhiêu"
    options = []
    for rank, r in enumerate(found):
        for score, said in _candidates(r, question, (places, index.documents)):
            options.append((score, -rank, said, r))
    for _, _, said, r in sorted(options, key=lambda o: (o[0], o[1]), reverse=True):
        chunk = chunks.get(r.chunk_id)
        if chunk is None:
            continue
        inside = chunk.start <= r.start and r.end <= chunk.end
        passage = f"{context(r)}\n{chunk.text if inside else docs[r.doc_id].text[r.start:r.end]}"
        if checked(said, passage, question):
            return said, r
    return None


def checked(sentence: str, passage: str, question: str) -> bool:
    """Whether every statement of a sentence is supported by its passage (assistant/citations.verify)."""
    statements = verify(split_statements(f"{sentence} [1].", 1), [passage], question=question)
    return bool(statements) and all(s.supported for s in statements)


def _candidates(r, question: str, places: tuple[list[str], list] = ([], [])) -> list[tuple[tuple, str]]:
    """What an item says that the question asks, scored (figures of the question held, words of the
    question shared): where to send; the bodies and their roles (who); the deadline and where to send (a
    reporting rule); the clauses giving a value of the kind asked ("Năm 2026: Đạt 25% …")."""
    asked = asked_value(question)
    cues = question_kinds.asked_kind(question)
    if question_kinds.asks("destination", question):  # "gửi về đâu", "báo cáo cho cơ quan nào"
        to = destination(r.text)
        return [((0, 0), _capital(to))] if to else []
    if asks_who(question) and r.duties:
        said = _bodies(r, question)
        return [((0, 0), said)] if said else []
    when = r.deadline_text if r.deadline_text and (asked is None or asked.kind in TIME_KINDS) else None
    if r.kind == "reporting" or (cues and cues.kind == "reporting") or (when and asked):
        score = (1, 0, 0, 0)  # an item's own deadline first; then, of the clauses that give the value, the best
        if not when and asked:
            best = max(_value_clauses(asked, question, r.text), default=None)
            when, score = (best[1], (0, *best[0])) if best else (None, score)
        parts = [x for x in (when, destination(r.text)) if x]
        return [(score, _capital("; ".join(parts)))] if parts else []
    if asked:
        return [(score, _capital(clause)) for score, clause in _value_clauses(asked, question, r.text, places)]
    return []


def _bodies(r, question: str) -> str | None:
    """The bodies an item gives work to that the question does not name itself, of the role it names
    ("ai chủ trì", "cơ quan nào phối hợp"), with their roles: "Sở Y tế (chủ trì)"."""
    asked = f" {words(question)} "
    roles = [x for x in ROLES_ASKED if f" {words(x)} " in asked]
    by_role: dict[str, list[str]] = {}
    for d in r.duties:
        if f" {words(d.agency)} " not in asked and (not roles or d.role in roles):
            by_role.setdefault(d.role, []).append(d.agency)
    return "; ".join(f"{', '.join(dict.fromkeys(names))} ({role})" for role, names in by_role.items()) or None


def _value_clauses(asked, question: str, text: str,
                   places: tuple[list[str], list] = ([], [])) -> list[tuple[tuple[int, int, int], str]]:
    """The clauses of a text that give a value of the asked kind (not a figure of the question, not the
    date of another document it cites), each scored by whether it names the places the question asks
    about (`places`: names, the indexed documents; narrowed to its comma-separated part that does), the
    question's figures it holds and the question's words its sentence shares; with the clause before it
    when that one holds the figures ("Năm 2026" + "Đạt 25% …")."""
    own = set(re.findall(r"\d+", question))
    figures = lambda x: set(re.findall(r"\d+", x))  # noqa: E731
    wanted = set(content_words(question))
    out = []
    for sent in value_sentences(asked, question, text):
        cells = _row_cells(sent)
        if cells is not None:  # a table row: each cell with its column's label, under the row's name
            name, values = cells
            # which row: the question's words its name shares ("… Chương trình phát triển Chính phủ số"), not the
            # words every row of the table repeats ("Kết quả: Quyết định của Thủ tướng Chính phủ")
            named_by = len(wanted & set(content_words(name or sent)))
            for cell in (SEP.join(values) if asked.kind == "number" else with_units(SEP.join(values))).split(SEP):
                if _gives_value(asked, own, cell.split(": ", 1)[-1]):
                    said = f"{name} — {cell}" if name else cell
                    out.append(((bool(places[0]) and names_places(said, *places), len(own & figures(said)), named_by),
                                said))
            continue
        shared = len(wanted & set(content_words(sent)))
        parts = _clauses(sent, ";:")
        for i, part in enumerate(parts):
            if len(part.split()) > MAX_CLAUSE_WORDS:
                part = _narrowed(asked, question, part)
            if not _gives_value(asked, own, part):
                continue
            named = bool(places[0]) and names_places(part, *places)
            if named:  # "…, Lai Châu (59,42%)": the part that names the place, when one does
                part = next((x for x in _clauses(part, ",") if names_places(x, *places) and _gives_value(asked, own, x)),
                            part)
            label = parts[i - 1] if i and own & figures(parts[i - 1]) and not own & figures(part) else None
            said = f"{label}: {part}" if label else part
            out.append(((named, len(own & figures(said)), shared), said))
    return out


def _row_cells(sentence: str) -> tuple[str | None, list[str]] | None:
    """A table row as the reader writes it ("- STT: 33. · Địa phương: Khánh Hòa · … · Tỷ lệ: 22.3%"), read by
    ingest/table_duties.labelled_cells with the long labels of a table of figures: the value of its first cell
    that names something (not its number) and its cells after that one, each with its label; None for any other
    sentence."""
    from ingest.table_duties import NUMBER_LABEL, labelled_cells

    parts = labelled_cells(f"- {sentence.strip().lstrip('-–• ')}", longest=200)
    if not parts or len(parts) < 2:
        return None
    named = [(label, value) for label, value in parts if not NUMBER_LABEL.match(fold(label).strip())]
    if not named:
        return None
    return named[0][1], [f"{label}: {value}" for label, value in named[1:]]


def _gives_value(asked, own: set[str], clause: str) -> bool:
    """Whether a clause gives a value of the kind asked, other than the question's own figures and other
    than the date of a document it cites."""
    folded = fold(clause)
    for m in asked.value.finditer(folded):
        digits = set(re.findall(r"\d+", m.group()))
        inside = folded[m.start() - 1:m.start()].isalnum() or folded[m.end():m.end() + 1] in ("/", "-")
        if (digits - own or not digits) and not inside and not _REFERENCE.search(clause[:m.start()]):
            return True  # a whole value, not part of a document's number ("163/2024/QH15")
    return False


def _narrowed(asked, question: str, clause: str) -> str:
    """A long clause from its comma-separated part that gives the value on, up to MAX_CLAUSE_WORDS words."""
    parts = _clauses(clause, ",")
    start = next((i for i, x in enumerate(parts) if value_sentences(asked, question, x)), None)
    if start is None:
        return clause
    out = parts[start]
    for x in parts[start + 1:]:
        if len(f"{out}, {x}".split()) > MAX_CLAUSE_WORDS:
            break
        out = f"{out}, {x}"
    return out


def _clauses(sentence: str, marks: str) -> list[str]:
    """The parts of a sentence between the given punctuation marks, outside parentheses and quotes."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(sentence):
        depth = depth + (ch in "(“") - (ch in ")”" and depth > 0)
        if depth == 0 and ch in marks:
            out.append(sentence[start:i])
            start = i + 1
    out.append(sentence[start:])
    return [x.strip(" .;,:") for x in out if x.strip(" .;,:")]


def destination(text: str) -> str | None:
    """Where an item sends a plan or a report: the verb, "về" and the body after it, with its "(qua …)"
    ("gửi kế hoạch về Ủy ban nhân dân thành phố (qua Công an thành phố)" -> "gửi về Ủy ban nhân dân thành
    phố (qua Công an thành phố)"); None when it names no body there."""
    from ingest.lexicon import find_body

    for m in re.finditer(r"\b(gửi|nộp|báo cáo)\b([^.;:]{0,60}?)\bvề\s+", text, re.I):
        body = find_body(text[m.end():])
        if body is None or body.start != 0:
            continue
        end = m.end() + body.end
        via = re.match(r"\s*\([^)]*\)", text[end:])
        return f"{m.group(1)} về {text[m.end():end + (via.end() if via else 0)].strip()}"
    return None


def words(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
