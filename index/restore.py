"""Diacritics put back into a query typed without them, from the indexed text itself: the embedding model
reads "ke hoach keo dai den nam nao" poorly and "kế hoạch kéo dài đến năm nào" well. Each plain word
becomes the written form of the index whose folded form it is, the likeliest by how often that form
stands in the index and next to its neighbours' forms (a Viterbi pass over word bigrams). A word the index
never writes stays as typed; a word typed with diacritics is kept. Questions are made of the index's words
and of function and question words ("bao nhiêu", "nào", "thì"), which plans seldom write: the public stop
word list (ingest/data/stopwords_vi.txt) counts as if each of its words and phrases stood in the index
STOP_PRIOR times."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from ingest.normalize import _WORD, fold, nfc

BIGRAM_WEIGHT = 2.0  # a form seen next to its neighbour's form counts this much more than one seen alone
STOP_PRIOR = 3


class Restorer:
    def __init__(self, texts, stop_words=()):
        unigrams: Counter = Counter()
        bigrams: Counter = Counter()
        for text, times in [(t, 1) for t in texts] + [(w, STOP_PRIOR) for w in stop_words]:
            words = [w.lower() for w in _WORD.findall(nfc(text))]
            for _ in range(times):
                unigrams.update(words)
                bigrams.update(zip(words, words[1:]))
        self._unigrams, self._bigrams = unigrams, bigrams
        forms: dict[str, list[str]] = defaultdict(list)
        for word in unigrams:
            forms[fold(word)].append(word)
        self._forms = dict(forms)

    def restore(self, query: str) -> str:
        query = nfc(query)
        spans = list(_WORD.finditer(query))
        if not spans:
            return query
        choices = []
        for m in spans:
            word = m.group()
            plain = fold(word) == word.lower()
            choices.append(self._forms.get(word.lower(), [word.lower()]) if plain else [word.lower()])
        # Viterbi: best[i][form] = (score, previous form)
        best = [{c: (math.log1p(self._unigrams[c]), None) for c in choices[0]}]
        for i in range(1, len(choices)):
            column = {}
            for c in choices[i]:
                own = math.log1p(self._unigrams[c])
                score, prev = max(((s + own + BIGRAM_WEIGHT * math.log1p(self._bigrams[(p, c)]), p)
                                   for p, (s, _) in best[-1].items()), key=lambda x: x[0])
                column[c] = (score, prev)
            best.append(column)
        form = max(best[-1], key=lambda c: best[-1][c][0])
        picked = [form]
        for i in range(len(best) - 1, 0, -1):
            form = best[i][form][1]
            picked.append(form)
        picked.reverse()
        out, last = [], 0
        for m, form in zip(spans, picked):
            word = m.group()
            if word[:1].isupper():
                form = form[:1].upper() + form[1:]
            out.append(query[last:m.start()] + form)
            last = m.end()
        return "".join(out) + query[last:]
