"""Vietnamese text normalisation: NFC, tone placement, diacritic folding, markup stripping.

Three forms of a text are used across the pipeline:
- the display form: NFC, markup removed, whitespace tidied (what answers quote);
- the tone key of each syllable, which treats old and new tone placement alike ("tuý" = "túy",
  "hoà" = "hòa") by moving the tone mark to the end of the syllable ("túy" -> "tuys");
- the folded form, with every diacritic removed ("túy" -> "tuy", "đường" -> "duong"), for questions
  typed without diacritics.
"""

from __future__ import annotations

import re
import unicodedata

# combining tone marks and the telex letter each one becomes in a tone key
_TONES = {"\u0300": "f", "\u0301": "s", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"[ \t\u00a0\u200b]+")
# Markdown from Word converters: "\_" "\*" "1\." escapes, "| --- | :--: |" table rules, "## " heading marks
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_TABLE_RULE = re.compile(r"^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*(?::?-{3,}:?)?[ \t]*$", re.M)
_MD_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+", re.M)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def syllable_key(word: str) -> str:
    """Lower-case syllable with its tone mark moved to the end as a telex letter: 'Tuý' -> 'tuys'."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tone = ""
    kept = []
    for ch in decomposed:
        if ch in _TONES:
            tone = _TONES[ch]
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


def fold(text: str) -> str:
    """Lower-case text without any diacritic: 'Sở Y tế' -> 'so y te'."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tone_normalize(text: str) -> str:
    """The text with every word replaced by its tone key; punctuation and spacing kept."""
    return _WORD.sub(lambda m: syllable_key(m.group()), nfc(text))


def strip_markup(text: str) -> str:
    """Remove the Word/markdown leftovers found in extracted plans: **bold**, *italic*, table pipes,
    horizontal rules, footnote-only lines, footnote marks glued to a word, Markdown escapes ("\\_", "1\\."), table separator rows and
    heading marks; keep the words."""
    text = _MD_ESCAPE.sub(r"\1", text)
    text = _TABLE_RULE.sub("", text)
    text = _MD_HEADING.sub("", text)
    text = re.sub(r"^\s*[-=_]{3,}\s*$", "", text, flags=re.M)
    text = re.sub(r"_{3,}", " ", text)  # "\_\_\_\_" rules under a header, unescaped
    text = text.replace("**", "").replace("__", "")
    # a single * is markup unless it stands alone between spaces ("a * b")
    text = re.sub(r"(?<=\S)\*|\*(?=\S)", "", text)
    text = re.sub(r"^\s*\|\s*$", "", text, flags=re.M)
    text = re.sub(r"\s*\|\s*", " ", text)
    text = re.sub(r"^\s*[-=_]{3,}\s*$", "", text, flags=re.M)
    text = re.sub(r"(?<!\S)[-=_]{4,}(?!\S)", " ", text)
    # a footnote mark glued to its word by a copied web page ("hành động[1]", "VBQPPL[10]"): not a figure
    text = re.sub(r"(?<=[\w)”\".])\[\d{1,3}\]", "", text)
    return text


_GLUED_MARK = re.compile(r"(?<=[\w)”\".*])\[(\d{1,3})\]")


def footnote_citations(raw: str) -> dict[str, str]:
    """For each footnote mark glued to a word of the raw text ("… còn chậm[9]."), the sentence that
    carries it, tidied: what the footnote "[9] Một số địa phương đạt tỷ lệ thấp …" is a note to. The
    first mark of a number wins; a mark inside the notes themselves is none."""
    out: dict[str, str] = {}
    for m in _GLUED_MARK.finditer(raw):
        if m.group(1) in out:
            continue
        before = re.sub(r"(?<!\n)\n(?!\n)", " ", tidy(raw[max(0, m.start() - 1500):m.start()]))  # wrapped lines
        said = sentences(before.rsplit(" · ", 1)[-1])  # the clause that carries it; a table cell from its label on
        if said and len(re.findall(r"[^\W\d_]{2,}", said[-1])) >= 3:  # "5." before a mark says nothing
            last = said[-1]
            out[m.group(1)] = last if len(last) <= 300 else last[-300:].split(" ", 1)[-1]
    return out


def tidy(text: str) -> str:
    """NFC, markup removed, runs of spaces collapsed, each line stripped."""
    text = strip_markup(nfc(text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(lines).strip()


_DECIMAL_MARK = re.compile(r"(?<=\d)[.,](?=\d{1,2}(?!\d))")


def match_key(text: str) -> str:
    """The form used to decide whether a quote occurs in a text: markup removed, tone-normalised,
    lower-case, all whitespace collapsed to one space. Punctuation is kept, except that a decimal mark is
    one mark: "22.3%" in a table and "22,3%" in the text are the same figure (a mark before one or two
    figures is a decimal mark; before three it may group thousands, "1.500", and is left alone)."""
    text = strip_markup(nfc(text))
    text = _DECIMAL_MARK.sub(",", tone_normalize(text))
    return " ".join(text.split())


def contains_quote(haystack: str, quote: str) -> bool:
    return match_key(quote) in match_key(haystack)


def tokens(text: str) -> list[str]:
    """Word tokens (syllables) in tone-key form."""
    return [syllable_key(w) for w in _WORD.findall(nfc(text))]


def folded_tokens(text: str) -> list[str]:
    return [fold(w) for w in _WORD.findall(nfc(text))]


# a sentence ends at . ! ? before a capital, a quote, a bracket, a dash, a bullet or a figure (not inside
# "1.500.000" or "v.v.", nor after the abbreviations of a place's level or a person's title that stand
# before a name: "TP. Hải Phòng", "TS. Nguyễn …"), after any ";" (the clauses of an item), at " … " (where
# focused passages were cut), or at a line break
_BEFORE_A_NAME = ("TP", "Tp", "TX", "TT", "ThS", "TS", "PGS", "GS", "BS")
_NOT_AFTER = "".join(rf"(?<!\b{a}\.)" for a in _BEFORE_A_NAME)
_NEXT = r"\s+(?=[A-ZĐÀ-Ỹ“\"(\-–•*+\d])"
SENTENCE_END = re.compile(rf"{_NOT_AFTER}(?<=[.;!?]){_NEXT}|(?<=;)\s+|\s+…\s+|\n+")
_WHOLE_END = re.compile(rf"{_NOT_AFTER}(?<=[.!?]){_NEXT}|\s+…\s+|\n+")  # the same, but a ";" goes on


def sentences(text: str, clauses: bool = True) -> list[str]:
    """The sentences of a text. The one splitter of tracuu: passages focused for the model, the model's
    statements checked against them, and the value and evidence checks all cut text the same way. With
    `clauses=False` the clauses of a sentence cut at ";" stay together."""
    return [s.strip() for s in (SENTENCE_END if clauses else _WHOLE_END).split(text) if s.strip()]
