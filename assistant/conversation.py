"""Follow-up questions rewritten into standalone ones before retrieval:
"Chỉ tiêu năm 2026 là bao nhiêu?" then "còn năm 2029 thì sao?" -> "Chỉ tiêu năm 2029 là bao nhiêu?"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.agencies import SECTORS, sectors_of
from ingest.normalize import fold

_YEAR = re.compile(r"\b(?:năm\s+)?(20\d\d)\b", re.I)
_FOLLOW_UP = re.compile(
    r"^(?:còn|thế còn|vậy còn|vậy|thế|con|the con|vay con|vay|the)\b|\b(?:thì sao|thi sao|thế nào|the nao|ra sao)\s*\??$",
    re.I,
)
_PLACES = ("Cần Thơ", "Nam Định", "Vĩnh Yên", "Tân Hưng", "Hải Phòng", "Vĩnh Phúc")


@dataclass
class Conversation:
    turns: list[tuple[str, str]] = field(default_factory=list)  # (standalone question, answer)

    @property
    def last_question(self) -> str | None:
        return self.turns[-1][0] if self.turns else None

    def add(self, question: str, answer: str) -> None:
        self.turns.append((question, answer))


def is_follow_up(question: str) -> bool:
    q = question.strip()
    return bool(_FOLLOW_UP.search(q)) or len(q.split()) <= 3


_PRONOUN = re.compile(r"^(họ|ho|cơ quan này|co quan nay|đơn vị này|don vi nay|cơ quan đó|đơn vị đó)\b", re.I)


def rewrite(question: str, previous: str | None) -> str:
    """A standalone form of `question`, using the previous standalone question when it is a follow-up."""
    question = " ".join(question.split())
    if previous and _PRONOUN.match(question):
        # "Họ phải chịu trách nhiệm trước ai?" -> the agency of the previous question in place of "Họ"
        agency = _agency_phrase(previous)
        if agency:
            return _PRONOUN.sub(agency, question, count=1)
    if not previous or not is_follow_up(question):
        return question
    standalone = previous
    changed = False
    years = _YEAR.findall(question)
    if years and _YEAR.search(previous):
        standalone = _YEAR.sub(lambda m: m.group(0).replace(m.group(1), years[0]), standalone, count=1)
        changed = True
    new_sectors = sectors_of(question)
    old_sectors = sectors_of(previous)
    if new_sectors and old_sectors and new_sectors != old_sectors:
        name = _agency_phrase(question) or sorted(new_sectors)[0]
        standalone = _replace_agency(standalone, old_sectors, name)
        changed = True
    for place in _PLACES:
        if fold(place) in fold(question) and fold(place) not in fold(standalone):
            other = next((p for p in _PLACES if p in standalone), None)
            standalone = standalone.replace(other, place) if other else f"{standalone} ({place})"
            changed = True
    if not changed:
        rest = _FOLLOW_UP.sub("", question).strip(" ?")
        standalone = f"{previous.rstrip(' ?')} — {rest}?" if rest else previous
    return standalone


_AGENCY_WORDS = re.compile(
    r"((?:Sở|Phòng|Trạm|Công an|Ủy ban|UBND|Ban|Hội|Đoàn|Bộ Chỉ huy|Viện|Tòa án|Chi cục|ngành)\s[\wÀ-ỹ ]{1,40}?)"
    r"(?=\s+(?:thì|phải|làm|có|được|cần)\b|\s*\?|$)",
    re.I,
)


def _agency_phrase(text: str) -> str | None:
    m = _AGENCY_WORDS.search(text.strip())
    return m.group(1).strip() if m else None


def _replace_agency(text: str, sectors: set[str], new: str) -> str:
    m = _AGENCY_WORDS.search(text)
    if m and sectors_of(m.group(1)) & sectors:
        return text[: m.start(1)] + new + text[m.end(1):]
    for sector in sectors:
        for phrase in SECTORS[sector]:
            folded = fold(text)
            i = folded.find(phrase)
            if i >= 0:
                return text[:i] + new + text[i + len(phrase):]
    return f"{text} ({new})"
