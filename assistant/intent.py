"""What a question asks, read before retrieval: the body it names (from the bodies lexicon), the sectors,
the plans it names by number, the places it names, a month it asks about, the kind of value it wants.
Retrieval (index/) only finds passages; this module decides what to look for and where. What kind of
question it is comes from the table of phrasings (assistant/question_kinds.py).

    read_intent("Sở GD&ĐT Lào Cai được giao những việc gì?", documents)
      -> Intent(kind="duty", body=<Sở Giáo dục và Đào tạo>, scope={nam-dinh…}, …)
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from assistant import question_kinds
from ingest import lexicon
from ingest.legal_refs import parse_legal_ref, section_matches
from ingest.normalize import fold, nfc, syllable_key


@dataclass(frozen=True)
class Intent:
    question: str
    duty: bool  # asks what a body must do
    body: lexicon.BodyMatch | None  # the body named, if any
    sectors: frozenset[str]  # the sectors named (the body's, or "ngành y tế")
    plans: frozenset[str]  # doc ids of the plans named by number ("Kế hoạch 153")
    places: frozenset[str]  # doc ids of the plans whose locality the question names
    month: int | None = None  # "đến hạn trong tháng 12"
    foreign_places: tuple[str, ...] = field(default_factory=tuple)  # places named that no plan is of
    legal: object | None = None  # ingest.legal_refs.LegalRef: "khoản 2 Điều 5" named
    legal_chunks: frozenset[str] = frozenset()  # the passages of that article, clause or point
    signer: bool = False  # asks who signed a document ("Ai ký Quyết định 140?")
    issuer: bool = False  # asks who issued it ("Nghị quyết 03 do cơ quan nào ban hành?", "có phải X ban hành không")
    voice: bool = False  # asks whose opinion a letter conveys ("Công văn 11554 truyền đạt ý kiến của ai?")
    other_places: frozenset[str] = frozenset()  # plans of places named besides those of the plans named by number

    @property
    def scope(self) -> frozenset[str]:
        """The plans a question is about: those it names by number with those of the other places it names
        ("Kế hoạch 153 của Lạng Sơn hay kế hoạch của phường Tam Kỳ"), else those of the places it names,
        else none (all plans)."""
        return self.plans | self.other_places if self.plans else self.places


def words(question: str) -> str:
    return " ".join(re.findall(r"\w+", fold(question)))


def is_duty_question(question: str) -> bool:
    """Whether a question asks what a body must do, in any of the phrasings of the table
    (assistant/data/question_kinds.tsv): "phải làm gì", "đảm nhiệm những nội dung nào", "nhiệm vụ của X";
    a noun of duty alone does not when the question asks a value, a source or who does it ("thời hạn hoàn thành
    nhiệm vụ … là khi nào", "tiền để thực hiện nhiệm vụ … lấy từ nguồn nào", "nhiệm vụ … tại Sở Tài chính do đơn
    vị nào chủ trì")."""
    from assistant.evidence import asked_value

    if question_kinds.asks("duty", question):
        return True
    return question_kinds.asks("duty_noun", question) and not (
        asked_value(question) or question_kinds.asks("source", question) or question_kinds.asks("who", question))


def read_intent(question: str, documents) -> Intent:
    body = _named_body(question)
    sectors = set(lexicon.sectors_in(question))
    if body and body.sector:
        sectors = set(body.sector.split("; ")) | (sectors if not body.known else set())
    docs = list(documents)
    places = mentioned_places(question, docs)
    plans = mentioned_plans(question, docs)
    named = {d.locality for d in docs if d.doc_id in plans}
    legal = parse_legal_ref(question)
    return Intent(
        question=question,
        duty=is_duty_question(question),
        body=body,
        sectors=frozenset(sectors),
        plans=frozenset(plans),
        other_places=frozenset(d.doc_id for d in docs if d.doc_id in places and d.locality not in named),
        places=frozenset(places),
        month=question_kinds.month_asked(question),
        foreign_places=tuple(foreign_places(question, docs)) if not places else (),
        legal=legal,
        signer=question_kinds.asks("signer", question),
        issuer=question_kinds.asks("issuer", question),
        voice=question_kinds.asks("voice", question),
    )


def with_legal_chunks(intent: Intent, chunks) -> Intent:
    """The intent with the passages of the article, clause or point it names (in the plans in scope)."""
    from dataclasses import replace

    if intent.legal is None:
        return intent
    ids = frozenset(c.chunk_id for c in chunks if (not intent.scope or c.doc_id in intent.scope)
                    and section_matches(c.section, intent.legal))
    return replace(intent, legal_chunks=ids)


def _source_first(folded: str) -> re.Match | None:
    """The opening "Theo <kind of document> …," of a question (folded, lower case): its source."""
    return re.match(rf"\W*(?:theo|can cu|tai|trong)\s+(?:{kind_words()})\b[^,?]*,", folded)


def _named_body(question: str) -> lexicon.BodyMatch | None:
    """The first body the question names, wherever it stands: "Lào Cai giao Sở GD&ĐT …",
    "so y te phai lam gi" (typed without diacritics the whole question is searched from each word)."""
    found = lexicon.bodies_in(question)
    source = _source_first(fold(question).lower())
    if source:
        # "Theo Thông báo 627 kết luận phiên họp … Ban Chỉ đạo …, Bộ Xây dựng được giao những việc gì?": a question
        # that opens with its source names that document first; the bodies in its description are not asked
        later = [b for b in found if b.start >= source.end()] or [
            m for m in [_known_from(question, source.end())] if m is not None]
        found = later or found
    if found:
        # "Công văn của UBND thành phố giao Bưu điện … những gì?": the body given the work is the one asked
        given = [b for b in found if re.search(r"\bgiao(?:\s+cho)?\s*$", fold(question[:b.end - len(b.written)]))]
        # "Theo Chỉ thị 09/CT-UBND của UBND thành phố về …, Sở Xây dựng có trách nhiệm gì?": the issuer of the
        # document named is not the body asked, when the question names another; nor is the body of its issuer's
        # name ("Công văn 174 của Ban Chỉ đạo của Chính phủ yêu cầu các Bộ …")
        issuer = re.compile(rf"\b(?:{kind_words()})(?: so)?(?: \d+(?: [a-z0-9]+){{0,4}})? (?:cua|do)(?:(?: \w+){{1,4}} cua)?$")
        asked = [b for b in found if not issuer.search(words(question[:b.end - len(b.written)]))] or found
        return next((b for b in given + asked if not b.group), asked[0])
    return _known_from(question, 0)


def _known_from(question: str, start: int) -> lexicon.BodyMatch | None:
    """Typed in lower case: the first known body (not a head noun alone) from `start`, trying every position."""
    for _, at, _, _ in lexicon.tokens_of(question):
        m = lexicon.find_body(question[at:]) if at >= start else None
        if m and m.known and not _other_marks(m):
            return m
    return None


def _other_marks(m: lexicon.BodyMatch) -> bool:
    """A match whose first word is the body's own head typed with other marks: "số VHTTDL" (of "Chuyển đổi số
    VHTTDL") is not "Sở VHTTDL"; "so y te", typed without marks, may be."""
    written, own = m.written.split()[0], m.canonical.split()[0]
    return fold(written) != written.lower() and fold(written) == fold(own).lower() and \
        syllable_key(written) != syllable_key(own)


def row_bodies(rows) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """The bodies the indexed documents give work to and the lexicon lacks ("Ban thường vụ cấp ủy cấp tỉnh"),
    as folded words, by their first word: what `body_named_in_rows` looks for in a question."""
    out: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for name in dict.fromkeys(d.canonical for d in rows):
        words = tuple(t[0] for t in lexicon.tokens_of(name))
        found = lexicon.find_body(name) if len(words) >= 2 else None
        if len(words) >= 2 and (found is None or not found.known):
            out.setdefault(words[0], []).append((words, name))
    return out


def body_named_in_rows(question: str, names: dict[str, list[tuple[tuple[str, ...], str]]]) -> lexicon.BodyMatch | None:
    """The longest body of `row_bodies` the question names, with or without diacritics, as a body the
    lexicon lacks: the listing then takes the rows whose name holds it."""
    toks = lexicon.tokens_of(question)
    folded = [t[0] for t in toks]
    best = None
    for i, word in enumerate(folded):
        for words, name in names.get(word, ()):
            n = len(words)
            if tuple(folded[i:i + n]) == words and (best is None or n > best[1]):
                best = (i, n, name)
    if best is None:
        return None
    i, n, name = best
    end = toks[i + n - 1][2]
    return lexicon.BodyMatch(question[toks[i][1]:end], name, name, None, None, None, False, False, False, end, end)


def mentioned_places(question: str, documents) -> set[str]:
    """Ids of the plans whose locality the question names ("… Tam Kỳ …", "o lang son")."""
    folded = f" {words(question)} "
    found = set()
    for d in documents:
        for key in _place_keys(d.locality):
            if f" {key} " in folded:
                found.add(d.doc_id)
    return found


def _place_keys(locality: str | None) -> list[str]:
    """"thành phố Tam Kỳ (Quảng Nam)" -> ["tam ky"]: the place's own name, without its level word or
    the province in parentheses."""
    key = own_place(locality)[1]
    return [key] if key else []


def own_place(locality: str | None) -> tuple[str | None, str]:
    """A locality's own level word and folded name, the province in parentheses left out:
    "thành phố Tam Kỳ (Quảng Nam)" -> ("thành phố", "tam ky")."""
    if not locality:
        return None, ""
    toks = lexicon.tokens_of(re.sub(r"\(.*?\)", "", locality).strip())
    level, _, i = lexicon._level_after(toks, 0)
    return level, " ".join(t[0] for t in toks[i:])


def mentioned_plans(question: str, documents) -> set[str]:
    """Ids of the documents the question names by number: "Kế hoạch 153", "KH 153", "Nghị quyết 03-NQ/TU",
    "Quyết định 140/QĐ-TTg", "Luật 120", "Nghị định 28" (the kinds and their abbreviations are the
    document vocabulary of ingest/data/document_kinds.json)."""
    folded = words(question)
    pairs = {(k, int(n)) for k, n in re.findall(rf"\b({kind_words()}|van ban)(?: so)? (\d+)\b", folded)}
    asked = {n for _, n in pairs}
    found, typed = set(), set()
    if asked:
        for d in documents:
            num = re.match(r"\d+", d.number or "")
            if num and int(num.group()) in asked:
                found.add(d.doc_id)
                # "Công văn 174" is the letter numbered 174, not "Kế hoạch 174/KH-UBND"
                if any((k, int(num.group())) in pairs for k in _kind_names(d)):
                    typed.add(d.doc_id)
    # "Nghị quyết 03-NQ/TU" written with its symbol is that one, not "Nghị quyết 03/NQ-CP"
    symbols = {_symbol(m) for m in re.findall(r"\b\d{1,5}(?:\s*[-/]\s*[0-9A-Za-zĐđ.]+)+", nfc(question))}
    exact = {i for i in found if _symbol(next(d.number for d in documents if d.doc_id == i)) in symbols}
    return exact or typed or found or named_by_subject(folded, documents)


def _kind_names(document) -> set[str]:
    """The folded names and abbreviations a document is called by: its kind's, and those of the kind its number
    carries ("Kế hoạch" issued with "2623/QĐ-TTg" is also a "Quyết định", "QĐ")."""
    from ingest.doc_vocab import vocab
    from ingest.header import kind_from_number

    kinds = [vocab().kind_named(getattr(document, "kind", None) or ""), kind_from_number(document.number or "")]
    return {words(n) for k in kinds if k for n in (k.name, *k.abbr)}


def _symbol(number: str) -> str:
    """A document number without its separators, folded: "03-NQ/TU" -> "03nqtu"."""
    return re.sub(r"[\W_]+", "", fold(number)).lstrip("0")


def named_by_subject(folded: str, documents) -> set[str]:
    """Ids of the documents a question names by kind and subject, "Chỉ thị về đào tạo nghề cho con liệt sĩ",
    "Kế hoạch hành động quốc gia về khắc phục ô nhiễm không khí", "Chỉ thị của Thủ tướng về …": the documents of that kind whose title
    holds the longest run of the words after "về" (at least two), or of the words right after the kind
    (at least four, "về" among them or not), read from the first on."""
    return subject_run(folded, documents)[0]


def subject_run(folded: str, documents, numbered: bool = False) -> tuple[set[str], list[str]]:
    """The documents `named_by_subject` finds, and the folded words of the question that name them (the
    kind and the run of its title); `numbered`: also where the kind is written with its number before the
    subject ("Kế hoạch 624/KH-UBND của tỉnh … về …"). A search keeps the subject of a document named by number
    too (it ranks that document's passages; held-out hit@5 of corpus3 fell 0.922 -> 0.882 without it), the
    items of one document are not told apart by it (assistant/listings._naming_words)."""
    best, longest, said = set(), 1, []
    # "Chỉ thị của Thủ tướng về …", "Kế hoạch do UBND tỉnh ban hành về …": the issuer named between the kind
    # and "về" is passed over, and so is the number the kind is written with ("Kế hoạch 624/KH-UBND của tỉnh … về …")
    number = r"(?:so )?(?:\d+(?: \w+){0,3}? (?=(?:cua|do|ve) ))?" if numbered else ""
    for m in re.finditer(rf"\b({kind_words()}) {number}(?:(?:cua|do) (?:\w+ ){{1,8}}?(?=ve ))?(ve )?((?:\w+ ?){{1,12}})",
                         folded):
        asked = m.group(3).split()
        least = 1 if m.group(2) else 3  # a run longer than this names the document
        for d in documents:
            if not re.search(rf"\b{m.group(1)}\b", f"{words(d.kind)} {words(d.form or '')}"):
                continue
            title = set(words(d.title).split())
            run = next((k for k, w in enumerate(asked) if w not in title), len(asked))
            if run > max(longest, least):
                best, longest = {d.doc_id}, run
                said = [*folded[m.start():m.start(3)].split(), *asked[:run]]  # the kind, its issuer, "về", the run
            elif run == longest and run > least:
                best.add(d.doc_id)
    return best, said


def without_naming(question: str, documents) -> str:
    """The question without the words by which it names a document by its kind and subject ("Tổng nguồn lực
    cho Kế hoạch hành động quốc gia về khắc phục ô nhiễm không khí là bao nhiêu?" -> "Tổng nguồn lực cho là bao
    nhiêu?"): they choose the document, and every passage of it answers to them. The question itself when it
    names none, or says nothing else."""
    said = subject_run(words(question), documents)[1]
    if not said:
        return _without_number(question, documents)
    toks = lexicon.tokens_of(question)  # (folded word, start, end)
    folded = [t[0] for t in toks]
    for i in range(len(folded) - len(said) + 1):
        if folded[i:i + len(said)] == said:
            rest = re.sub(r"\s+([,.;:?!])", r"\1", f"{question[:toks[i][1]]} {question[toks[i + len(said) - 1][2]:]}")
            return " ".join(rest.split()) if len(re.findall(r"\w+", rest)) >= 2 else question
    return question


def _without_number(question: str, documents) -> str:
    """The question without the kind and number that name an indexed document ("Thông báo 634/TB-VPCP nói giải
    ngân … đạt bao nhiêu?" -> "nói giải ngân … đạt bao nhiêu?"): they choose the document, and its heading, which
    holds them, answers nothing else. A document it names that is not indexed ("Nghị quyết 163/2024/QH15 mà Kế
    hoạch 153 thực hiện …") is what it asks about: those words stay. The question itself when it names none, or
    says nothing else."""
    pattern = rf"\b({kind_words()}|van ban)(?: so)? (\d+)(?:[-/][0-9a-z.đ]+)*"
    folded = fold(nfc(question)).lower()
    indexed = {(k, int(n.group())) for d in documents if (n := re.match(r"\d+", d.number or "")) for k in _kind_names(d)}
    cut = [(m.start(), m.end()) for m in re.finditer(pattern, folded)
           if (words(m.group(1)), int(m.group(2))) in indexed or (m.group(1) == "van ban" and
                                                                   any(n == int(m.group(2)) for _, n in indexed))]
    if not cut or len(folded) != len(question):
        return question
    rest = question
    for start, end in reversed(cut):
        rest = rest[:start] + " " + rest[end:]
    rest = re.sub(r"\s+([,.;:?!])", r"\1", " ".join(rest.split())).strip(" ,")
    return rest if len(re.findall(r"\w+", rest)) >= 5 else question  # "yêu cầu gì?" alone ranks nothing


@lru_cache(maxsize=1)
def kind_words() -> str:
    from ingest.doc_vocab import vocab

    names = {words(k.name) for k in vocab().kinds} | {words(a) for k in vocab().kinds for a in k.abbr}
    return "|".join(sorted((re.escape(n) for n in names if n), key=len, reverse=True))


def foreign_places(question: str, documents) -> list[str]:
    """Provinces and cities the question names (the public list, ingest/data/provinces.tsv) that no indexed
    document is of: a question about them is not answered from another place's plans. When a national
    text (a law, a decree, a ministry's programme) is indexed, it holds everywhere: no place is foreign."""
    from ingest.places import locality_names, places_in

    docs = list(documents)
    if not docs or any(is_national(d) for d in docs):
        return []
    own = {fold(n).lower() for d in docs for n in locality_names(d.locality)}
    return [p for p in places_in(question, [d.locality for d in docs]) if fold(p).lower() not in own]


def is_national(document) -> bool:
    return getattr(document, "level", None) == "trung ương" or not document.locality


def place_names(documents) -> tuple[str, ...]:
    """The places of the indexed documents as people write them: "thành phố Tam Kỳ (Quảng Nam)" ->
    "Tam Kỳ", "Quảng Nam"."""
    out: dict[str, None] = {}
    for d in documents:
        loc = d.locality or ""
        for part in [re.sub(r"\(.*?\)", "", loc), *re.findall(r"\((.*?)\)", loc)]:
            toks = lexicon.tokens_of(part)
            _, _, i = lexicon._level_after(toks, 0)
            if i < len(toks):
                out[part[toks[i][1]:].strip()] = None
    return tuple(out)
