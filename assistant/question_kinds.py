"""What kind of question this is, from one data table of phrasings (assistant/data/question_kinds.tsv):
what a body must do, who signed or issued, what falls due in a month, a value of some kind, a kind of plan
item, a definition, a follow-up. The router and its helpers ask this module; none keeps its own regexes.

    asks("duty", "Sở Y tế đảm nhiệm những nội dung nào?")   -> True
    asks("duty", "so y te dam nhiem nhung noi dung nao")   -> True
    first(VALUE_KINDS, "Mức hỗ trợ là bao nhiêu tiền?")     -> ("money", <match>)
    asked_kind("Chỉ tiêu năm 2026 là bao nhiêu?").label     -> "mục tiêu, chỉ tiêu"

A phrasing is matched on the question's own text (NFC, lower case), so a match's span is the question's.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from ingest.normalize import fold, nfc

DATA = Path(__file__).with_name("data") / "question_kinds.tsv"
VALUE_KINDS = ("phone", "docnumber", "money", "percent", "people", "duration", "day", "year", "date", "place", "number")
RECORD_KINDS = ("legal_basis", "funding", "reporting", "target", "scope")  # ingest/data/record_kinds.tsv
GAP = 20  # words a "…" may skip
_GAPS = itertools.count()  # names of the "…" groups, unique across the table


@dataclass(frozen=True)
class Phrasing:
    kind: str
    written: str  # as the table writes it: "<lam> [<cac>] [<noidung>] <gi>"
    source: str  # its regular expression, compiled at first use (a question reads only some kinds)
    note: str = ""

    @cached_property
    def pattern(self) -> re.Pattern:
        return re.compile(self.source)


@lru_cache(maxsize=1)
def _letters() -> dict[str, str]:
    """Each bare letter with every lower-case letter that folds to it: "a" -> "aàáảãạăằ…"."""
    out: dict[str, str] = {}
    for code in range(0x00C0, 0x1EFF + 1):
        ch = chr(code)
        if ch.islower() and len(fold(ch)) == 1 and fold(ch) != ch and fold(ch).isalpha():
            out[fold(ch)] = out.get(fold(ch), fold(ch)) + ch
    return out


def _word(word: str) -> str:
    """A folded word matches any word that folds to it; a word with diacritics matches itself or its bare form."""
    if fold(word) != word:
        return f"(?:{re.escape(word)}|{re.escape(fold(word))})"
    letters = _letters()
    return "".join(f"[{letters[ch]}]" if ch in letters else re.escape(ch) for ch in word)


def _phrase(text: str, classes: dict[str, str]) -> str:
    """One alternative ("co quan nao", "<viec>"): its words, anything but words between them."""
    parts = []
    for w in text.split():
        if w.startswith("<") and w.endswith(">"):
            name = w[1:-1]
            if name not in classes:
                from tracuu.errors import TracuuError

                raise TracuuError(f"{DATA}: lớp từ <{name}> chưa được khai báo — thêm dòng '={name}' phía trên dòng dùng nó.")
            parts.append(classes[name])
        else:
            parts.append(_word(nfc(w).lower()))
    return r"[\W_]+".join(parts)  # "báo cáo" is "báo_cáo" where the question's words are joined (_text)


def _options(text: str, classes: dict[str, str]) -> str:
    """"{a|b c}": one of these words or phrases (each may name a word class)."""
    alts = sorted((a.strip() for a in text.split("|") if a.strip()), key=lambda a: -len(a.split()))
    return "(?:" + "|".join(_phrase(a, classes) for a in alts) + ")"


def _alternatives(text: str, classes: dict[str, str]) -> str:
    """"a | b c | {d|e} f": each alternative (split at the bars outside braces and brackets) is a sequence."""
    alts, depth, start = [], 0, 0
    for i, ch in enumerate(text + "|"):
        depth += (ch in "{[") - (ch in "}]")
        if ch == "|" and depth == 0:
            alts.append(text[start:i].strip())
            start = i + 1
    alts = sorted((a for a in alts if a), key=lambda a: -len(a.split()))
    return "(?:" + "|".join(_sequence(a, classes) for a in alts) + ")"


_UNIT = re.compile(r"\{[^}]*\}|\[[^\]]*\]|<[^>]+>|…|\^|\$|[^\s{}\[\]<>…]+")


def compile_phrasing(written: str, classes: dict[str, str]) -> re.Pattern:
    """The regex of one phrasing of the table (see its header for the notation)."""
    return re.compile(phrasing_source(written, classes))


def phrasing_source(written: str, classes: dict[str, str]) -> str:
    return rf"(?<!\w){_sequence(written, classes)}(?!\w)"


def _sequence(written: str, classes: dict[str, str]) -> str:
    """The regex of a sequence of units, anything but words between them."""
    out, need_sep, plain_before = [], False, False
    for unit in _UNIT.findall(written):
        plain = not re.match(r"[{\[<…^$]", unit)  # a word of the table, not a class, a choice or a gap
        sep = r"[\W_]+" if plain and plain_before else r"\W+"  # "thuc hien" is "thực_hiện" where words are joined
        plain_before = plain
        if unit == "^":
            out.append(r"^\W*")
            continue
        if unit == "$":
            out.append(r"\W*$")
            continue
        if unit == "…":  # a named group, so that what it skipped is known (words_said)
            gap = f"gap{next(_GAPS)}"
            out.append(rf"(?P<{gap}>(?:\W+\w+){{0,{GAP}}}?)" if need_sep else rf"(?P<{gap}>(?:\w+\W+){{0,{GAP}}}?)")
            continue
        if unit == "<n>":
            body, optional = r"(?P<n>\d{1,2})", False
        elif unit.startswith("["):
            body, optional = _options(unit[1:-1], classes), True
        elif unit.startswith("{"):
            body, optional = _options(unit[1:-1], classes), False
        else:
            body, optional = _phrase(unit, classes), False
        piece = rf"{sep}{body}" if need_sep else rf"{body}\W+" if optional else body
        out.append(f"(?:{piece})?" if optional else piece)
        need_sep = need_sep or not optional
    return "".join(out)


@lru_cache(maxsize=1)
def phrasings() -> tuple[Phrasing, ...]:
    """Every phrasing of the table, in its order; the word classes ("=name" rows) filled in."""
    rows = [ln.split("\t") for ln in DATA.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")][1:]
    classes: dict[str, str] = {}
    out = []
    for row in rows:
        kind, written, note = (row + ["", ""])[:3]
        kind, written = kind.strip(), written.strip()
        if kind.startswith("="):
            classes[kind[1:]] = _alternatives(written, classes)
        else:
            out.append(Phrasing(kind, written, phrasing_source(written, classes), note.strip()))
    return tuple(out)


def kinds() -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.kind for p in phrasings()))


@lru_cache(maxsize=256)
def _text(question: str) -> str:
    """The question as phrasings read it: NFC, lower case, and, typed with diacritics, the syllables of each
    content word joined ("chuyển_đổi số"), so that a phrasing's word never matches a syllable inside another
    word ("chuyển" to send is not in "chuyển đổi", "được giao" not in "được giáo dục"); a word whose last syllable
    makes another word with the next ("giao tiếp nhận") is left unjoined, as either reading may be meant. The spans
    are the question's own. Typed without diacritics the words cannot be told ("chuyen doi"): read as typed."""
    from ingest.words import is_word, segment

    text = nfc(question).lower()
    if fold(text) == text:
        return text
    joined = list(text)
    words = segment(text)
    for k, w in enumerate(words):
        if w.stop or len(w.syllables) < 2:
            continue
        after = words[k + 1].shown.split()[0] if k + 1 < len(words) else ""
        if after and is_word(f"{w.shown.split()[-1]} {after}"):
            continue  # "được giao tiếp nhận": "giao tiếp" or "giao" + "tiếp nhận"; either reading may be meant
        for i in range(w.start, w.end):
            if joined[i].isspace():
                joined[i] = "_"
    return "".join(joined)


def find(kind: str, question: str) -> re.Match | None:
    """The first match of a phrasing of `kind` in the question (leftmost, then in table order)."""
    text = _text(question)
    found = []
    for p in phrasings():
        if p.kind != kind:
            continue
        m = p.pattern.search(text)
        if m:
            found.append(m)
    return min(found, key=lambda m: m.start(), default=None)


def asks(kind: str, question: str) -> bool:
    return find(kind, question) is not None


def read_text(m: re.Match) -> str:
    """The question a match was found in, as the phrasings read it (NFC, lower case), its words unjoined."""
    return m.string.replace("_", " ")


def words_said(m: re.Match) -> str:
    """The words a phrasing's match says itself, without those its "…" skipped: "ngân sách cho Sở Y tế là bao
    nhiêu" -> "ngan sach la bao nhieu"-like text of the phrasing only."""
    text, start = m.string, m.start()
    gaps = sorted(m.span(g) for g in m.re.groupindex if g.startswith("gap") and m.group(g))
    out, at = [], start
    for a, b in gaps:
        out.append(text[at:a])
        at = b
    out.append(text[at:m.end()])
    return " ".join("".join(out).replace("_", " ").split())  # a word _text joined is its syllables again


def first(kinds_wanted, question: str) -> tuple[str, re.Match] | None:
    """The first kind among `kinds_wanted` (in table order) that the question asks, with its match."""
    text = _text(question)
    for p in phrasings():
        if p.kind in kinds_wanted:
            m = p.pattern.search(text)
            if m:
                return p.kind, m
    return None


def parts(question: str) -> list[str]:
    """The parts of a question that asks two or more things ("… phải chiếm bao nhiêu phần trăm tổng chi và cơ
    quan nào lo bảo đảm kinh phí?"): split at the last conjunction (`part_break`) before each asking phrase
    (a value or a body asked) that follows another; the question alone when it asks one thing."""
    text = _text(question)
    asking = sorted({m.span() for p in phrasings() if p.kind in (*VALUE_KINDS, "who") for m in p.pattern.finditer(text)})
    breaks = sorted(m.start() for p in phrasings() if p.kind == "part_break" for m in p.pattern.finditer(text))
    cuts, end = [], None
    for start, stop in asking:
        if end is not None and start > end:
            cut = max((b for b in breaks if end <= b < start), default=None)
            if cut is not None:
                cuts.append(cut)
        end = stop if end is None else max(end, stop)
    if not cuts:
        return [question]
    bounds = [0, *cuts, len(question)]
    return [question[a:b].strip(" ,;") for a, b in zip(bounds, bounds[1:]) if question[a:b].strip(" ,;")]


def kinds_of(question: str) -> list[str]:
    """Every kind the question asks, in table order."""
    return [k for k in kinds() if asks(k, question)]


def strip(kind: str, question: str) -> str:
    """The question without the words of its phrasings of `kind` ("còn Sở Tài chính thì sao?" ->
    "Sở Tài chính")."""
    text = _text(question)
    spans = sorted({m.span() for p in phrasings() if p.kind == kind for m in p.pattern.finditer(text)})
    out, at = [], 0
    for start, end in spans:
        if start >= at:
            out.append(nfc(question)[at:start])
            at = end
    return ("".join(out) + nfc(question)[at:]).strip()


def month_asked(question: str) -> int | None:
    """The month a "due in" question asks ("việc gì đến hạn trong tháng 12" -> 12)."""
    m = find("due_month", question)
    n = int(m.group("n")) if m else 0
    return n if 1 <= n <= 12 else None


def asked_kind(question: str):
    """The kind of plan item a question asks about (ingest.records.KindCues, for its label), by the
    phrasings of the table; None when it asks none."""
    from ingest.records import kind_cues

    hit = first(RECORD_KINDS, question)
    if hit is None:
        return None
    return next((c for c in kind_cues() if c.kind == hit[0]), None)


def describe() -> str:
    """The table as a person reads it: kind, phrasing, note (for `python -m assistant.question_kinds`)."""
    return "\n".join(f"{p.kind:12s} {p.written:50s} {p.note}" for p in phrasings())


if __name__ == "__main__":
    print(describe())
