"""Does the evidence hold what the question asks for? Two checks the relevance signal alone misses,
both decided before the model is called:

- a question that asks for a value — a figure ("bao nhiêu"), a share ("bao nhiêu phần trăm"), an
  amount of money ("bao nhiêu tiền", "kinh phí … bao nhiêu"), a date ("ngày nào", "khi nào"), a
  document number ("số hiệu"), a phone number — needs one sentence of the retrieved passages that
  gives a value of that kind (not one the question itself gives) and holds most of the question's
  content words. A plan that talks about the subject but never states the value does not answer it:
  "Hiện nay Lào Cai có bao nhiêu người nghiện?" is not answered by "100% người nghiện được quản lý".
- a question about what a named body must do ("Sở Xây dựng tỉnh Lào Cai có nhiệm vụ gì?") needs that
  body in the passages, when it belongs to none of the known sectors (whose equivalents at other
  levels — Sở Y tế ↔ Trạm y tế — do answer).

Questions are matched on their diacritic-folded form, so "bao nhieu tien" and "ngay nao" count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import question_kinds
from assistant.focus import sentences
from index.bm25 import bm25_tokens, idf_of
from index.build import section_context
from ingest.normalize import fold, nfc, syllable_key
from ingest.places import find_places, find_province, locality_names, places_in
from ingest.table_duties import NUMBER_LABEL
from ingest.words import segment, stop_when_bare

# share of the question's content words (idf-weighted) that the value-bearing sentence, with its
# section path and plan, must hold
MIN_SENTENCE_COVERAGE = 0.5

_NUM = r"\d[\d.,]*"


@dataclass(frozen=True)
class Asked:
    kind: str  # "phone" | "docnumber" | "money" | "percent" | "people" | "duration" | "day" | "year" | "date" | "place" | "number"
    label: str  # what the refusal says is missing
    value: re.Pattern  # a value of that kind, in a folded sentence


# the kinds of value a question may ask (its phrasings: assistant/data/question_kinds.tsv, most specific
# first), what a refusal says is missing, and the form of such a value in a folded sentence
_VALUES = {
    "phone": ("số điện thoại", r"\d{3,4}[ .]?\d{3}[ .]?\d{3,4}"),
    "docnumber": ("số hiệu văn bản", r"\d+\s*[/-]\s*[a-z]"),
    "money": ("số tiền", rf"{_NUM}\s*(?:ty|trieu|nghin|ngan)?\s*(?:dong|vnd)\b|{_NUM}\s*(?:ty|trieu)\b"),
    "percent": ("tỷ lệ phần trăm", rf"{_NUM}\s*(?:%|phan tram)"),
    "people": ("số người", rf"{_NUM}\s+(?:nguoi|doi tuong)\b"),
    # "bao lâu một lần" asks how often: a recurrence ("hằng năm", "định kỳ 6 tháng") answers it
    "duration": ("thời hạn", r"\d+\s*(?:ngay|thang|nam|tuan)\b|\b(?:tu|den|den het) nam \d{4}|\d{4}\s*-\s*\d{4}"
                 r"|\b(?:hang|moi) (?:ngay|tuan|thang|quy|nam)\b|\bdinh ky\b"),
    # a day: "ngày nào", "ngày mấy", "trước ngày nào" -> "ngày 14 hàng tháng", "22/11/2021", "tháng 5"
    "day": ("ngày, tháng", r"\bngay\s*\d|\d{1,2}\s*/\s*\d{1,2}|\bthang\s*\d|\d+\s*ngay\b"),
    # a year: "năm nào" -> a year written out ("năm 2026", "trong 2027"); "hằng năm" answers how often, not which year
    "year": ("năm", r"\bnam\s*\d{4}|\b(?:19|20)\d{2}\b"),
    # a time: "khi nào", "bao giờ" -> a day, or a year ("đến năm 2030"), or a recurrence ("hằng năm")
    "date": ("thời gian", r"\bngay\s*\d|\d{1,2}\s*/\s*\d{1,2}|\bthang\s*\d|\bnam\s*\d{4}"
             r"|\bhang (?:thang|quy|nam)\b|\d+\s*ngay\b"),
    # a place: "tại/ở/thuộc" and a level or a kind of place ("tại các tỉnh", "ở thôn", "tại Trụ sở"); a
    # province or city of the public list named in the sentence answers too (value_sentences)
    "place": ("địa điểm", r"\b(?:tai|o|thuoc|tren dia ban|dia ban)\s+(?:cac\s+|nhung\s+)?(?:tinh|thanh pho|tp|huyen"
                          r"|quan|thi xa|xa|phuong|thi tran|dac khu|thon|ban|ap|to dan pho|khu vuc|vung|tru so"
                          r"|hoi truong|dia ban)\b"),
    # a count or an amount: a figure that is no day, month or year and no document's number ("bao nhiêu điểm lõm
    # sóng" is not answered by "năm 2025" or "Kế hoạch số 34/KH-STTTT"); a percentage is one ("tăng từ 5%")
    "number": ("số liệu", r"(?<![\d.,/])(?<!nam )(?<!ngay )(?<!thang )\d[\d.,]*(?<![.,])(?![\d.,]*\s*(?:/|-\s*[a-z]))"),
}


# "mấy giai đoạn" asks how many, as "bao nhiêu giai đoạn" does ("may" typed without diacritics too, where
# it cannot be told from "máy")
_HOW_MANY = re.compile(r"\bmấy\b", re.I)


def _asked_form(question: str) -> str:
    """The question folded, with "mấy" read as "bao nhiêu"."""
    question = nfc(question)
    if fold(question) == question.lower():  # typed without diacritics
        question = re.sub(r"\bmay(?=\s+\w)", "mấy", question, flags=re.I)
    return _plain(_HOW_MANY.sub("bao nhiêu", question))


def asks_who(question: str) -> bool:
    """Whether a question asks for a body ("ai chủ trì …", "cơ quan nào quản lý …", "giao cho ai"): it
    asks for a body, not a value, whatever value it mentions ("ai cung cấp số điện thoại …")."""
    return question_kinds.asks("who", _plain(question))


def asked_value(question: str) -> Asked | None:
    """The kind of value a question asks for, or None ("phải làm gì", "ai chủ trì")."""
    folded = _asked_form(question)
    if question_kinds.asks("who", folded):
        return None
    hit = question_kinds.first(question_kinds.VALUE_KINDS, folded)
    if hit is None or (hit[0] == "place" and question_kinds.asks("destination", folded)):
        return None  # "gửi báo cáo ở đâu" asks for a body to send to, not a place
    label, value = _VALUES[hit[0]]
    return Asked(hit[0], label, re.compile(value))


_AT_A_NAME = re.compile(r"\b(?:tại|ở|thuộc)\s+(?:các\s+)?([A-ZĐÀ-Ỹ]\w+(?:\s+[A-ZĐÀ-Ỹ]\w+)*)")  # "ở Lào", "tại Hà Giang"

# the numbering cell that opens a table row as the reader writes it ("STT: 3 · ", "TT: 14. · ")
_ROW_CELL = re.compile(r"^\s*(?:[-–•]\s*)?([^:·]{1,30}):\s*[\dIVXivx]+\.?\s*·\s*")


def _without_row_number(sent: str) -> str:
    """A table row as the reader writes it without its numbering cell ("STT: 3 · ", "- TT: 14. · "); the
    number labels are those of ingest/table_duties.NUMBER_LABEL."""
    m = _ROW_CELL.match(sent)
    return sent[m.end():] if m and NUMBER_LABEL.match(fold(m.group(1).strip())) else sent


def with_units(sentence: str) -> str:
    """A table row whose unit stands in a column of its own ("Đơn vị: % dân số · Kết quả: 99") with that unit
    written after the figures of the cells that follow it ("Kết quả: 99 % dân số"), so that the row gives a
    value of the unit's kind; any other sentence as it is. A cell "Đơn vị" that names a body is no unit."""
    from ingest.lexicon import find_body
    from ingest.tables import SEP

    if SEP not in sentence:
        return sentence
    cells = sentence.split(SEP)
    out, unit = [], None
    for cell in cells:
        label, _, value = cell.partition(": ")
        if unit and value and _FIGURE_CELL.fullmatch(value.strip()):
            cell = f"{cell} {unit}"
        elif value and re.fullmatch(r"(?:don vi(?: tinh)?|dvt)", fold(label.strip(" -")).lower()) and len(value) <= 30 \
                and find_body(value) is None:
            unit = value.strip()
        out.append(cell)
    return SEP.join(out)


_FIGURE_CELL = re.compile(r"[≥≤<>~]?\s*\d[\d.,]*(?:\s*-\s*\d[\d.,]*)?")  # "99", "≥ 350", "40 - 50"


def value_sentences(asked: Asked, question: str, text: str) -> list[str]:
    """The sentences of `text` that give a value of the asked kind other than the question's own
    figures ("năm 2026" asked is no answer); asked how many of a thing ("bao nhiêu hài cốt"), a figure
    that counts that thing ("300 mẫu đo", "80% trạm y tế", "số trạm … là 22"), not any figure."""
    own = set(re.findall(r"\d+", question))
    noun = counted_noun(question) if asked.kind == "number" else None
    counts = re.compile(rf"(\d[\d.,]*)\s*(?:%|/\s*\d[\d.,]*)?\s+(?:\w+\s+)?{noun}\b"
                        rf"|\b{noun}\b(?:\s+\w+){{0,4}}\s*(?:la|:|dat)\s*(\d[\d.,]*)") if noun else None
    out = []
    for sent in sentences(text):
        sent = _without_row_number(sent)  # "STT: 3 · Tên nhiệm vụ: …": a table row's number is no value
        # a unit in its own column counts for a share, an amount, a time; not for how many of a thing ("Đơn vị:
        # Doanh nghiệp" tells nothing of which ones are counted)
        folded = fold(sent if asked.kind == "number" else with_units(sent))
        values = [m.group() for m in asked.value.finditer(folded)]
        if asked.kind == "place":  # "Điện Biên, Lai Châu", "ở Lào": a name the question does not give itself
            names = [m.written for m in find_places(sent)] + _AT_A_NAME.findall(nfc(sent))
            values += [n for n in names if fold(n) not in fold(question)]
        if not any(set(re.findall(r"\d+", v)) - own or not re.search(r"\d", v) for v in values):
            continue
        if counts is not None and not any(
                set(re.findall(r"\d+", m.group(1) or m.group(2))) - own for m in counts.finditer(folded)):
            continue
        out.append(sent)
    return out


def counted_noun(question: str) -> str | None:
    """The folded noun a how-many question counts ("bao nhiêu hài cốt liệt sĩ" -> "hai cot"), read with the
    question's diacritics: None when the words after "bao nhiêu" are function words ("bao nhiêu mỗi năm",
    "bao nhiêu người", "bao nhiêu lần": too general to hold a figure to)."""
    from ingest.lexicon import is_stop

    m = counted_words(question)
    if not m or m.group(1).isdigit() or is_stop(m.group(1)) or (m.group(2) and is_stop(f"{m.group(1)} {m.group(2)}")):
        return None
    words = [m.group(1)] + ([m.group(2)] if m.group(2) and not is_stop(m.group(2)) else [])
    return re.escape(fold(" ".join(words)))


def counted_words(question: str) -> re.Match | None:
    """The two words after the phrase that asks how many (`how_many` of assistant/data/question_kinds.tsv):
    "bao nhiêu hài cốt liệt sĩ" -> ("hài", "cốt"), read as typed (NFC, lower case)."""
    asked = question_kinds.find("how_many", question)
    if asked is None:
        return None
    return re.match(r"\s+(\w+)(?:\s+(\w+))?", nfc(question).lower()[asked.end():])


def value_support(bm25, asked: Asked, question: str, hits, skip: set[str] = frozenset(),
                  keep=None) -> tuple[float, str | None]:
    """The best coverage of the question's content words by one value-bearing sentence of the hits
    (read with its plan and section path), and that sentence. With `keep(hit, text)`, only sentences it
    keeps count (the text is the sentence with its section path: one that names the places asked)."""
    best, best_sent = 0.0, None
    skip = set(skip) | asking_words(question)  # "mấy", "bao nhiêu": the form of the question, not its content
    counted = _counted(question) if asked.kind == "number" else None
    for h in hits:
        context = f"{h.document.label} {section_context(h.chunk)}"  # its headings written out
        candidates = value_sentences(asked, question, h.chunk.text)
        if counted:  # "mấy giai đoạn?": the numbered ones, read together, answer it ("Giai đoạn 1 …", "Giai đoạn 2 …")
            numbered = [x for x in sentences(h.chunk.text)
                        if re.search(rf"\b{counted}\s+(?:\d+|[ivxlc]+)\b", fold(x))]
            if len(numbered) >= 2:
                candidates = [*candidates, " ".join(numbered)]
        wholes = sentences(h.chunk.text, clauses=False)
        for sent in candidates:
            if keep is not None and not keep(h, f"{context}\n{_with_lead(sent, wholes)}"):
                continue
            read = _with_lead(sent, wholes)
            share, _ = coverage(bm25, question, set(bm25_tokens(f"{context} {read}")), skip)
            if share > best:
                best, best_sent = share, sent
    return best, best_sent


def _with_lead(clause: str, wholes: list[str]) -> str:
    """A clause cut at ";" read with the clauses before it in its sentence, and a line after a lead-in
    ending in ":" with that lead-in: they say what its value is of ("Tỷ lệ TTHC … trực tuyến … là 69,87%;
    các tỉnh … gồm:" above "…, Lai Châu (59,42%).")."""
    for i, whole in enumerate(wholes):
        at = whole.find(clause)
        if at < 0:
            continue
        lead = wholes[i - 1] if i and wholes[i - 1].endswith(":") else ""  # "… gồm:" above a list
        return f"{lead} {whole[:at + len(clause)]}".strip()
    return clause


def places_asked(question: str, documents) -> list[str]:
    """The places a question asks a value for that are not the place of the documents it reads
    ("riêng thành phố Hà Nội … bao nhiêu trạm" of a national plan): a figure the text gives for the whole
    country, or for another place, is no answer there. Provinces of the public list and the documents'
    own localities, each once, in the question's order."""
    docs = list(documents)
    own = {_place_key(n) for d in docs for n in locality_names(d.locality)}
    return [p for p in places_in(question, [d.locality for d in docs]) if _place_key(p) not in own]


# a year the question names ("chỉ tiêu năm 2026", "đến năm 2030"), not one inside a document number ("120/2025/QH15")
_YEAR = re.compile(r"(?<![\w/.-])((?:19|20)\d{2})(?![\w/-])")


def years_asked(question: str, asked) -> list[str]:
    """The years a value question ties its value to ("giao chỉ tiêu … năm 2026 là bao nhiêu?"): a figure given for
    another year is no answer for this one. None when the year is itself what is asked of a time."""
    if asked is None or asked.kind in ("year", "date", "day", "duration"):
        return []
    return list(dict.fromkeys(_YEAR.findall(nfc(question))))


def names_years(text: str, years: list[str]) -> bool:
    """Whether a text (a sentence with its section path and document) names every one of these years, or a span
    that holds it ("2026-2030", "giai đoạn 2025 - 2030")."""
    spans = [(int(a), int(b)) for a, b in re.findall(r"\b((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})\b", text)]
    return all(y in text or any(a <= int(y) <= b for a, b in spans) for y in years)


def names_places(text: str, places: list[str], documents) -> bool:
    """Whether a text (a passage with its section path) names every one of these places."""
    named = {_place_key(p) for p in places_in(text, [d.locality for d in documents])}
    return all(_place_key(p) in named for p in places)


def _place_key(name: str) -> str:
    """One key for a place however it is written: its name on the public list, else its folded words."""
    province = find_province(name)
    return fold(province.name if province else name)


def lacks_own_metadata(question: str, documents) -> str | None:
    """What the plans in scope leave blank that the question asks of them ("số hiệu", "ngày ban
    hành"), when every one of them leaves it blank; None otherwise. A question about a plan's own number
    or signing date ("Kế hoạch … có số hiệu là gì?", "… được ký ban hành ngày mấy?") is answered by the
    plan's header, so the plan's metadata decides."""
    folded = " ".join(re.findall(r"\w+", fold(question)))
    docs = list(documents)
    if question_kinds.asks("own_number", folded) and docs and not any(d.number for d in docs):
        return "số hiệu văn bản"
    if question_kinds.asks("own_date", folded) and docs and not any(len(str(d.date or "")) >= 10 for d in docs):
        return "ngày ban hành"
    return None


def _is_name_word(word: str) -> bool:
    """Capitalised like a name ("Lâm", "Đồng"), not an acronym ("UBND")."""
    return word[:1].isupper() and (len(word) == 1 or word[1:].islower())


@dataclass(frozen=True)
class Term:
    shown: str  # as typed: "áp dụng", "Lào Cai", "Sở GD&ĐT"
    keys: tuple[str, ...]  # the index keys (index/bm25.py) that must all be present
    kind: str  # "word" | "name" (a proper name: a place, a programme) | "body" (a body of the lexicon)


def question_terms(question: str, in_corpus=None) -> list[Term]:
    """The question's content terms. Words, not syllables ("áp dụng" is one word, ingest/words.py); stop
    words and polite filler ("xin hỏi", "vậy ạ") say nothing; a body the lexicon knows is one term, keyed
    by its full name (so "Sở GD&ĐT" matches "Sở Giáo dục và Đào tạo"); a proper name of two or more
    capitalised syllables not at the start ("Lâm Đồng", "Lào Cai") must occur as a whole."""
    from ingest import lexicon

    text = nfc(question)
    shouting = text.isupper()  # "SỞ Y TẾ PHẢI LÀM GÌ?": capitals are not acronyms here
    bodies = [b for b in lexicon.bodies_in(text) if not shouting]
    in_body = lambda pos: next((b for b in bodies if b.start <= pos < b.name_end), None)  # noqa: E731
    words = segment(text, in_corpus)

    def is_name(k: int) -> bool:
        return (k > 0 and not shouting and in_body(words[k].start) is None
                and all(_is_name_word(x) for x in words[k].shown.split()))

    def joined(k: int) -> bool:
        return not re.search(r"[^\w\s]", text[words[k - 1].end:words[k].start])

    def bigrams(syllables) -> tuple[str, ...]:
        return tuple(f"{a}_{b}" for a, b in zip(syllables, syllables[1:])) or tuple(syllables)

    terms: list[Term] = []
    done: set[int] = set()
    i = 0
    while i < len(words):
        body = in_body(words[i].start)
        if body is not None:
            if id(body) not in done:
                done.add(id(body))
                name = body.canonical if body.known and not body.scoped else body.base
                terms.append(Term(text[body.start:body.name_end], bigrams(re.findall(r"\w+", fold(name))), "body"))
            i += 1
            continue
        j = i
        while j < len(words) and is_name(j) and (j == i or joined(j)):
            j += 1
        syllables = [s for x in words[i:j] for s in x.syllables]
        if len(syllables) >= 2:  # a proper name: "Lâm Đồng", "Lào Cai"
            terms.append(Term(text[words[i].start:words[j - 1].end], bigrams(syllables), "name"))
            i = j
            continue
        w = words[i]
        acronym = w.shown.isupper() and len(w.shown) <= 8 and not shouting and len(w.syllables) == 1
        if not acronym and not w.stop and (len(w.syllables) > 1 or len(w.syllables[0]) > 1):
            terms.append(Term(w.shown, _exact_if_ambiguous(w), "word"))
        i += 1
    return terms


def _exact_if_ambiguous(word) -> tuple[str, ...]:
    """A word's index keys; a one-syllable word typed with its marks whose bare form is also a stop word's
    ("vé", "phạt", "thuốc": "ve" is "về", "phat" "phát", "thuoc" "thuộc") is keyed by its marked form
    (index/bm25.py keeps both), or any text holding "về" would seem to hold "vé". `coverage` reads a marked
    form no text holds as the bare one (a typo: "đươc")."""
    if len(word.syllables) == 1 and fold(word.shown) != word.shown.lower() and stop_when_bare(word.shown):
        return ("=" + syllable_key(word.shown),)
    return tuple(word.keys)


def pair_strength(bm25):
    """How strongly two syllables go together in the index: df(a_b) / min(df(a), df(b)), 0 when the pair
    never occurs (document frequencies recovered from the index's idf)."""
    import math

    n = bm25.matrix.shape[0]

    def df(key: str) -> float:
        j = bm25.vocab.get(key)
        if j is None:
            return 0.0
        e = math.exp(float(bm25.idf[j]))
        return max(0.0, (n + 0.5 - 0.5 * (e - 1)) / e)

    def strength(key: str) -> float:
        a, _, b = key.partition("_")
        both = df(key)
        return both / max(1e-9, min(df(a), df(b))) if both else 0.0

    return strength


def unknown_names(bm25, question: str) -> list[str]:
    """Proper names the question gives that occur nowhere in the indexed documents ("Lâm Đồng",
    "Đà Nẵng"): a question about them is not answered from other places' texts."""
    names = [t.shown for t in question_terms(question, pair_strength(bm25))
             if t.kind == "name" and not all(k in bm25.vocab for k in t.keys)]
    # a code or formula, letters and figures in one word ("N2O", "2C-B"), is a name too
    codes = [w for w in re.findall(r"(?<![\w/])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![\w/])", question)
             if re.search(r"\d", w) and re.search(r"[A-Za-z]", w)
             and not all(fold(x) in bm25.vocab for x in re.findall(r"\w+", w))]
    return names + codes


def held_apart(bm25, chunks, name: str) -> bool:
    """A name whose words a passage holds in order, at most two words apart: "Tết Bính Ngọ" in "Tết Nguyên
    đán Bính Ngọ". Only passages holding every word are read (the BM25 postings)."""
    syllables = [fold(w) for w in re.findall(r"\w+", name)]
    if len(syllables) < 2 or any(x not in bm25.vocab for x in syllables):
        return False
    rows = None
    for x in syllables:
        found = set(bm25.matrix[:, bm25.vocab[x]].nonzero()[0].tolist())
        rows = found if rows is None else rows & found
    pattern = re.compile(r"\b" + r"\W+(?:\w+\W+){0,2}".join(map(re.escape, syllables)) + r"\b")
    return any(pattern.search(fold(chunks[i].text)) for i in sorted(rows or ())[:200] if i < len(chunks))


def coverage(bm25, question: str, present: set[str], skip: set[str] = frozenset()) -> tuple[float, list[str]]:
    """Idf-weighted (idf from the index) share of the question's content words among `present`
    (bm25_tokens of some text), and the words missing, as typed. A misspelt syllable counts as the
    indexed word nearest to it ("bao nhiu", "tê"). Words whose folded form is in `skip` are not counted."""
    terms = []
    for term in question_terms(question, pair_strength(bm25)):
        shown, keys = term.shown, list(term.keys)
        if fold(shown) in skip:
            continue
        # a marked form no text holds ("đươc", "viêc": a typo more often than a word) counts as its bare form
        keys = [fold(shown) if k.startswith("=") and k not in bm25.vocab else k for k in keys]
        repaired = [k if k in bm25.vocab or "_" in k else (_near(k, bm25) or k) for k in keys]
        terms.append((shown, repaired))
    if not terms:
        return 0.0, []
    total = got = 0.0
    missing = []
    for shown, keys in terms:
        weight = max(idf_of(bm25, k) for k in keys)
        total += weight
        if all(k in present for k in keys):
            got += weight
        else:
            missing.append(shown)
    return (got / total if total else 0.0), missing


def relevance(bm25, question: str, hits, skip: set[str] = frozenset()) -> tuple[float, list[str]]:
    """Coverage of the question by its top hits, each read with its plan and section path. The words
    that ask for a value ("bao nhiêu phần trăm") are the question's form, not its content: whether a
    passage gives that value is checked apart (value_support)."""
    if not hits:
        return 0.0, []
    present: set[str] = set()
    for h in hits:
        present.update(bm25_tokens(f"{h.document.label} {h.chunk.section} {h.chunk.text}"))
    return coverage(bm25, question, present, asking_words(question) | set(skip))


def terms_naming(bm25, question: str, names: list[str]) -> set[str]:
    """The folded question terms that hold one of these names ("Thành phố Hồ Chí Minh" for "Hồ Chí Minh", "2026"):
    what `coverage` is told to skip when a sentence is kept for naming them."""
    keys = [fold(n) for n in names]
    return {fold(t.shown) for t in question_terms(question, pair_strength(bm25)) if any(k in fold(t.shown) for k in keys)}


def asking_words(question: str) -> set[str]:
    """The folded words of the phrase that asks for a value ("bao nhieu phan tram", "ngay nao", "may")."""
    folded = _asked_form(question)
    found = [m for kind in question_kinds.VALUE_KINDS if (m := question_kinds.find(kind, folded))]
    if not found:
        return set()
    # the phrase that asks starts first ("ngân sách … bao nhiêu", not "bao nhiêu tỷ"); the content words its
    # "…" skipped ("cho Sở Y tế") stay content
    phrase = question_kinds.words_said(min(found, key=lambda m: m.start()))
    words = phrase.split()
    how_many = {"may"} if "bao nhieu" in phrase and "bao nhieu" not in _plain(question) else set()
    return set(words) | {" ".join(words[i:i + 2]) for i in range(len(words) - 1)} | how_many


def measured(question: str, missing: list[str]) -> str | None:
    """Of the words the passages lack, the quantity a value question measures, named in the four words before
    the phrase that asks ("có vốn điều lệ bao nhiêu", "tổng mức đầu tư là bao nhiêu", the "number" phrasings of
    assistant/data/question_kinds.tsv): no passage then gives it, whatever other figure it holds. The quantity
    as the question writes it ("tổng mức đầu tư"); None when every such word is found."""
    text = _HOW_MANY.sub("bao nhiêu", nfc(question))
    m = question_kinds.find("number", text)
    if m is None:
        return None
    from ingest.lexicon import is_stop

    asked = question_kinds.find("counted", text)  # "nêu bao nhiêu dự án": its verb asks, it measures nothing
    written = re.findall(r"\w+", text[:asked.start() if asked and asked.start() < m.start() else m.start()])
    folded = [fold(w).lower() for w in written]
    for term in missing:
        first = re.findall(r"\w+", term)[0].lower()
        if len(first) > 1 and is_stop(first):
            continue  # "thì tăng bao nhiêu": a phrase that opens with a function word names no quantity ("Y tế" does)
        key = [w.lower() for w in re.findall(r"\w+", fold(term))]
        for i in range(max(0, len(folded) - 3 - len(key)), len(folded) - len(key) + 1):
            if key and folded[i:i + len(key)] == key:
                return " ".join(written[i:])
    return None


# a figure as a question states it: "2.000 tỷ", "22 trạm", "15%", "1,5"; a date ("30/11/2025") is none
_FIGURE = re.compile(r"(?<![\w/.,])(\d{1,3}(?:[.,]\d{3})+|\d+(?:,\d+)?)(?![\w/]|[.,]\d)(\s*%)?")


def unsaid_figures(question: str, texts, named_numbers: set[str] = frozenset()) -> list[str]:
    """The figures a question states ("có phải … kinh phí 2.000 tỷ đồng không?") that none of `texts` (the
    passages of the documents it reads, read only when the question states a figure) holds, as written with the word after them; the numbers of the
    documents it names ("Công điện 220") and figures of one digit are no statement."""
    wanted = []
    for m in _FIGURE.finditer(nfc(question)):
        digits = re.sub(r"[.,]", "", m.group(1))
        if len(digits) < 2 or m.group(1) in named_numbers or digits in named_numbers:
            continue
        wanted.append((m, digits))
    if not wanted:
        return []
    held = set()
    for text in texts:
        held.update(re.sub(r"[.,]", "", f).lstrip("0") for f, _ in _FIGURE.findall(text))
    out = []
    for m, digits in wanted:
        if digits.lstrip("0") not in held:
            after = re.match(r"\s*(\w+)", question[m.end():])
            out.append(f"{m.group().strip()} {after.group(1)}" if after and not m.group(2) else m.group().strip())
    return out


def _counted(question: str) -> str | None:
    """The folded noun a how-many question counts: "mấy giai đoạn" -> "giai doan"."""
    m = re.search(r"\bbao nhieu (\w+(?: \w+)?)", _asked_form(question))
    return m.group(1) if m else None


def _plain(question: str) -> str:
    """The question's words and figures, folded, one space apart."""
    return " ".join(re.findall(r"[\w%/]+", fold(question)))


def _near(word: str, bm25) -> str | None:
    if len(word) < 3 or word in bm25.vocab or word.startswith("=") or "_" in word:
        return None
    j = bm25._nearest(word)
    if j is None:
        return None
    return next((t for t, i in bm25.vocab.items() if i == j), None)
