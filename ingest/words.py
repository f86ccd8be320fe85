"""Vietnamese words, not syllables: "áp dụng", "lộ trình", "văn bản" are one word each.

A text is cut into words by longest match against two public lists: the multi-syllable words of pyvi's
dictionary (pyvi 0.1.1 on PyPI, `pyvi/models/words.txt`, MIT licence; ~25,000 words of two or three
syllables) and the Vietnamese stop words (ingest/data/stopwords_vi.txt, whose header names its source).
Typed without diacritics, a text is matched against the folded forms of both lists.

    segment("Xin hỏi kế hoạch áp dụng văn bản nào vậy ạ?")
      -> [Word("Xin hỏi", stop), Word("kế hoạch"), Word("áp dụng"), Word("văn bản"), Word("nào", stop), …]
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.lexicon import DATA as _BODIES, stop_words
from ingest.normalize import fold, nfc, tone_normalize

_SYLLABLE = re.compile(r"\w+")
DATA_STOPWORDS = _BODIES.with_name("stopwords_vi.txt")
MAX_WORD = 3  # syllables in the longest dictionary word


@dataclass(frozen=True)
class Word:
    shown: str  # as typed: "áp dụng"
    syllables: tuple[str, ...]  # folded: ("ap", "dung")
    stop: bool  # a stop word or phrase ("bao nhiêu", "vậy", "ạ")
    start: int  # character span in the text
    end: int

    @property
    def keys(self) -> list[str]:
        """The BM25 keys (index/bm25.py) that must all be present for a passage to hold this word:
        its folded syllable, or the folded bigrams of its syllables."""
        s = self.syllables
        return [s[0]] if len(s) == 1 else [f"{a}_{b}" for a, b in zip(s, s[1:])]


def _key(text: str) -> str:
    return tone_normalize(nfc(text)).lower()


@lru_cache(maxsize=1)
def dictionary() -> tuple[frozenset[str], frozenset[str]]:
    """(multi-syllable words, their folded forms): pyvi's dictionary plus the stop phrases. Normalising
    26,000 words takes a cold CLI call 0.2 s, so the result is kept in tracuu's own cache, keyed by the
    word lists and the normalising code."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("pyvi")
        path = Path(spec.origin).parent / "models" / "words.txt" if spec and spec.origin else None
    except (ImportError, ValueError):
        path = None
    raw = path.read_bytes() if path and path.exists() else b""
    key = hashlib.sha256(raw + DATA_STOPWORDS.read_bytes() + Path(__file__).with_name("normalize.py").read_bytes()
                         ).hexdigest()[:24]
    cached = _cache_dir() / f"words-{key}.json"
    try:
        words, folded = json.loads(cached.read_text(encoding="utf-8"))
        return frozenset(words), frozenset(folded)
    except (OSError, ValueError, TypeError):
        pass
    words: set[str] = set()
    folded: set[str] = set()
    for line in raw.decode("utf-8").splitlines():
        line = " ".join(line.split())
        if " " in line:
            words.add(_key(line))
            folded.add(fold(line))
    phrases = [w for w in stop_words() if " " in w]
    found = frozenset(words | {_key(w) for w in phrases}), frozenset(folded | {fold(w) for w in phrases})
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps([sorted(found[0]), sorted(found[1])], ensure_ascii=False), encoding="utf-8")
        tmp.replace(cached)
    except OSError:
        pass  # a read-only home: normalised again next time
    return found


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tracuu" / "words"


@lru_cache(maxsize=1)
def _stops() -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(_key(w) for w in stop_words()), frozenset(fold(w) for w in stop_words())


def stop_when_bare(word: str) -> bool:
    """Whether a word written without its marks is a stop word's bare form ("vé" -> "ve", as "về")."""
    return fold(word) in _stops()[1]


def is_word(text: str) -> bool:
    """Whether a phrase written with its marks is a multi-syllable word of the dictionary ("tiếp nhận")."""
    return _key(text) in dictionary()[0]


def segment(text: str, in_corpus=None) -> list[Word]:
    """The words of a text, longest dictionary match first, each marked stop or not. Typed without
    diacritics a text is ambiguous ("cho du an": "chợ dù" or "cho" + "dự án"; "cac ke hoach": "các" +
    "kế hoạch"), so there a dictionary word is taken only when the indexed texts hold it: `in_corpus(key)`
    gives how strongly a bigram key's two syllables go together in the index (0..1), and a pair gives way
    to the next pair when that one goes together more strongly."""
    text = nfc(text)
    spans = list(_SYLLABLE.finditer(text))
    plain = fold(text) == text.lower()  # typed without diacritics
    known, known_folded = dictionary()
    stops, stops_folded = _stops()
    vocab, stop_vocab = (known_folded, stops_folded) if plain else (known, stops)
    out: list[Word] = []
    i = 0
    while i < len(spans):
        n = 1
        for size in range(MAX_WORD, 1, -1):
            if i + size > len(spans):
                continue
            if re.search(r"[^\w\s]", text[spans[i].end():spans[i + size - 1].start()]):
                continue  # a word never runs across punctuation
            candidate = " ".join(m.group() for m in spans[i:i + size])
            key = fold(candidate) if plain else _key(candidate)
            if key in vocab:
                syl = [fold(m.group()) for m in spans[i:i + size]]
                if plain and key not in stop_vocab and in_corpus is not None and not _attested(
                        spans, i, size, syl, in_corpus, text, vocab):
                    continue
                n = size
                break
        part = spans[i:i + n]
        shown = text[part[0].start():part[-1].end()]
        key = fold(shown) if plain else _key(shown)
        out.append(Word(shown, tuple(fold(m.group()) for m in part), key in stop_vocab, part[0].start(), part[-1].end()))
        i += n
    return out


def _attested(spans, i: int, size: int, syl: list[str], strength, text: str, vocab) -> bool:
    """Typed without diacritics: the dictionary word at i is in the index, and its last pair is not
    outdone by a dictionary word that starts on its last syllable."""
    pairs = [strength(f"{a}_{b}") for a, b in zip(syl, syl[1:])]
    if min(pairs) <= 0:
        return False
    j = i + size - 1  # "cac ke | hoach": does "ke hoach" go together more strongly than "cac ke"?
    if j + 1 < len(spans) and not re.search(r"[^\w\s]", text[spans[j].end():spans[j + 1].start()]):
        nxt = [fold(spans[j].group()), fold(spans[j + 1].group())]
        if " ".join(nxt) in vocab and strength(f"{nxt[0]}_{nxt[1]}") > pairs[-1]:
            return False
    return True
