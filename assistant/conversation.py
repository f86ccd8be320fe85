"""Follow-up questions rewritten into standalone ones before retrieval:
"Chỉ tiêu năm 2026 là bao nhiêu?" then "còn năm 2029 thì sao?" -> "Chỉ tiêu năm 2029 là bao nhiêu?"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant import question_kinds
from assistant.evidence import asked_value
from ingest import lexicon
from ingest.normalize import fold

_YEAR = re.compile(r"\b(?:năm\s+)?(20\d\d)\b", re.I)


@dataclass
class Conversation:
    turns: list[tuple[str, str]] = field(default_factory=list)  # (standalone question, answer)

    @property
    def last_question(self) -> str | None:
        return self.turns[-1][0] if self.turns else None

    def add(self, question: str, answer: str) -> None:
        self.turns.append((question, answer))

    @property
    def last_answer(self) -> str | None:
        return self.turns[-1][1] if self.turns else None


def is_follow_up(question: str) -> bool:
    q = question.strip()
    return question_kinds.asks("follow_up", q) or len(q.split()) <= 3


_PRONOUN = re.compile(r"^(họ|ho|cơ quan này|co quan nay|đơn vị này|don vi nay|cơ quan đó|đơn vị đó)\b", re.I)


# an item named by a demonstrative ("Dự án 6 đó", "tiểu dự án này", "khoản trên"): the generic item nouns
# of plans and legal texts, followed by đó / này / ấy / trên / nói trên
_ITEM_NOUNS = r"tiểu dự án|dự án|đề án|chương trình|mô hình|nhiệm vụ|chỉ tiêu|giai đoạn|phụ lục|điều|khoản|điểm"
# what an item belongs to, part of its name: "Tiểu dự án 4 thuộc Dự án 7", "khoản 2 Điều 5"
_PART_OF = rf"\s+(?:thuộc|của)\s+(?:{_ITEM_NOUNS})\s+[\dIVXLC]+[a-zđ]?\b|\s+(?:{_ITEM_NOUNS})\s+[\dIVXLC]+[a-zđ]?\b"
_DEMONSTRATIVE = re.compile(rf"\b({_ITEM_NOUNS})(\s+[\dIVXLC]+[a-zđ]?)?\s+(?:đó|này|ấy|trên|nói trên)\b", re.I)


def resolve_item(question: str, previous: str | None, previous_answer: str | None = None) -> str:
    """A follow-up that points at an item of the previous turn ("Tiểu dự án đó tên đầy đủ là gì?") names
    it: the first item of that kind with its number in the previous question, else in the previous answer."""
    m = _DEMONSTRATIVE.search(question)
    if not m or not (previous or previous_answer):
        return question
    noun, number = m.group(1), (m.group(2) or "").strip()
    if number:  # "Dự án 6 đó": already named, only the pointing word goes
        return question[:m.start()] + f"{noun} {number}" + question[m.end():]
    for text in (previous or "", previous_answer or ""):
        found = re.search(rf"(?<!\w)({noun})\s+([\dIVXLC]+[a-zđ]?)\b({_PART_OF})?", text, re.I)
        if found and not (noun.lower() == "dự án" and text[max(0, found.start() - 5):found.start()].lower().endswith("tiểu ")):
            return question[:m.start()] + f"{m.group(1)} {found.group(2)}{found.group(3) or ''}" + question[m.end():]
    return question


def rewrite(question: str, previous: str | None, places: tuple[str, ...] = (), previous_answer: str | None = None) -> str:
    """A standalone form of `question`, using the previous standalone question when it is a follow-up.
    `places` are the place names of the indexed documents ("Lạng Sơn"): a follow-up that names another
    one asks the same of that place; one that names another body asks the same of that body. An item
    pointed at ("Dự án 6 đó") is named from the previous question or answer."""
    asked = " ".join(question.split())
    question = resolve_item(asked, previous, previous_answer)
    if question != asked and not is_follow_up(question):
        # it pointed at an item of the previous turn: it also looks where that turn looked
        return _looking_where(question, previous or "", places, body=False)
    if previous and _PRONOUN.match(question):
        # "Họ phải chịu trách nhiệm trước ai?" -> the body of the previous question in place of "Họ"
        body = _body(previous)
        if body:
            return _PRONOUN.sub(body.written, question, count=1)
    if not previous or not is_follow_up(question):
        return question
    standalone = previous
    changed = False
    years = _YEAR.findall(question)
    if years and _YEAR.search(previous):
        standalone = _YEAR.sub(lambda m: m.group(0).replace(m.group(1), years[0]), standalone, count=1)
        changed = True
    new, old = _body(question), _body(previous)
    if new and (old is None or new.canonical != old.canonical):
        # typed in lower case ("con cong an thi sao"), the body is named as the lexicon names it
        name = new.written if any(ch.isupper() for ch in new.written) else (new.base if new.scoped else new.canonical)
        if old:
            standalone = standalone[:old.start] + name + standalone[old.end:]
        else:
            standalone = f"{standalone.rstrip(' ?')} ({name})?"
        changed = True
    for place in places:
        if _has(question, place) and not _has(standalone, place):
            other = next((p for p in places if p != place and _has(standalone, p)), None)
            if other:
                i = fold(standalone).find(fold(other))
                standalone = standalone[:i] + place + standalone[i + len(other):]
            else:
                standalone = f"{standalone.rstrip(' ?')} ({place})?"
            changed = True
    if not changed:
        rest = question_kinds.strip("follow_up", question).strip(" ?")
        if rest and asked_value(rest) is not None:
            # it asks a value of its own ("còn các vụ trên tuyến biển thì tăng bao nhiêu?"): its own words
            # are the question, and the previous one lends only where to look (its places, plans, body)
            return _looking_where(f"{rest}?", previous, places)
        standalone = f"{previous.rstrip(' ?')} — {rest}?" if rest else previous
    return standalone


def _looking_where(question: str, previous: str, places: tuple[str, ...], body: bool = True) -> str:
    """`question` with the places, plans (and, with `body`, the body) of `previous` it does not name itself:
    "Dự án 2 tên đầy đủ là gì (Lạng Sơn)?"."""
    inherited = [s for s in _scope(previous, places, body) if not _has(question, s)]
    return f"{question.rstrip(' ?')} ({', '.join(inherited)})?" if inherited else question


def _scope(question: str, places: tuple[str, ...], body: bool = True) -> list[str]:
    """Where a question looks: the indexed places it names, the plans it names by number ("Kế hoạch 153",
    "Nghị quyết 03-NQ/TU"), and (with `body`) the body it asks about."""
    from assistant.intent import kind_words

    found = [p for p in places if _has(question, p)]
    folded = fold(question)  # as long as the NFC question: spans carry over
    found += [question[m.start():m.end()] for m in
              re.finditer(rf"\b(?:{kind_words()})(?: so)? \d+[\w/-]*", folded)]
    named = _body(question) if body else None
    if named is not None:
        found.append(named.written)
    return list(dict.fromkeys(found))


def _has(text: str, name: str) -> bool:
    words = " ".join(re.findall(r"\w+", fold(text)))
    return f" {fold(name)} " in f" {words} "


def _body(text: str) -> lexicon.BodyMatch | None:
    """The first body a text names (capitalised, or typed in lower case from the lexicon)."""
    found = [b for b in lexicon.bodies_in(text) if not b.group]
    if found:
        return found[0]
    toks = lexicon.tokens_of(text)
    for t in toks:
        m = lexicon.find_body(text[t[1]:])
        if m and m.known and not m.group:
            return lexicon.BodyMatch(m.written, m.canonical, m.base, m.level, m.rank, m.sector, m.known,
                                     m.group, m.scoped, t[1] + m.end)
    return None
