"""An article as tokens: folded words with their place, their sentence, and whether their capital letter means
anything (a capital that starts a sentence, a title or a quotation says nothing about the word)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

from transforms.names import fold

# A dotted acronym is one word (S.N.C.F. = SNCF); "+" and "&" are words of names (Canal+, Safran Electronics &
# Defense).
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}(?:[^\W\d_](?![\w]))?|\w+|[+&]", re.UNICODE)
# Without ".X." anywhere (most texts) no dotted acronym can match, and the plain words are found faster alone.
_MAY_HAVE_DOTTED = re.compile(r"\.[^\W\d_]\.")
_PLAIN_TOKEN = re.compile(r"\w+|[+&]", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)|\n")
_OPENINGS = re.compile(r"[«\"“(—–•\[]")
_GROUP, _START, _END = re.Match.group, re.Match.start, re.Match.end


@dataclass(slots=True)
class Token:
    norm: str  # folded: "Élan" -> "elan"; "+" -> "plus"
    raw: str
    start: int
    end: int
    sent: int  # sentence number (the title is sentence 0)
    initial: bool  # first word of a sentence, a title or a quotation

    @property
    def cap(self) -> bool:
        return self.raw[:1].isupper() or self.raw == "+"

    @property
    def upper(self) -> bool:
        return self.raw.isupper() and any(c.isalpha() for c in self.raw)


    @property
    def informative_cap(self) -> bool:
        """A capital that says "proper noun": not at the start of a sentence."""
        return self.cap and not self.initial


@lru_cache(maxsize=200_000)
def _fold(raw: str) -> str:
    if raw in ("+", "&"):
        return "plus" if raw == "+" else "et"
    return fold(raw.replace(".", ""))


class Tokens(Sequence):
    """An article's tokens as parallel lists (norms, raws, starts, ends, sentence numbers, initial flags): the
    blocking scan reads the norms only, and a Token object is made just for the few words the linker looks at."""

    __slots__ = ("norms", "raws", "starts", "ends", "sents", "opens", "_cache")

    def __init__(self, norms, raws, starts, ends, sents, opens) -> None:
        self.norms, self.raws, self.starts, self.ends, self.sents, self.opens = norms, raws, starts, ends, sents, opens
        self._cache: dict[int, Token] = {}

    def initial(self, k: int) -> bool:
        """Whether token k opens a sentence or a quotation (an opening mark between it and the token before)."""
        return k == 0 or self.sents[k] != self.sents[k - 1] or \
            bisect_left(self.opens, self.starts[k]) != bisect_left(self.opens, self.ends[k - 1])

    def sentence(self, sent: int) -> tuple[int, int]:
        """(first, last + 1) token index of sentence `sent` (sentence numbers never decrease along the text)."""
        return bisect_left(self.sents, sent), bisect_right(self.sents, sent)

    @property
    def sentence_count(self) -> int:
        return self.sents[-1] + 1 if self.sents else 0

    def __len__(self) -> int:
        return len(self.norms)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self.norms)
        tok = self._cache.get(i)
        if tok is None:
            tok = self._cache[i] = Token(self.norms[i], self.raws[i], self.starts[i], self.ends[i], self.sents[i],
                                         self.initial(i))
        return tok


def tokenize(text: str) -> Tokens:
    """Tokens in order, with their sentence and whether they open one (or a quotation). Sentence ends and
    openings are found by one regex pass each and matched to tokens by bisection, when asked: a loop over every
    token in Python would cost more than all the rest of the linking."""
    # map() over unbound methods runs the per-token loops in C.
    matches = list((_TOKEN if _MAY_HAVE_DOTTED.search(text) else _PLAIN_TOKEN).finditer(text))
    raws = list(map(_GROUP, matches))
    starts = list(map(_START, matches))
    ends = list(map(_END, matches))
    norms = list(map(_fold, raws))
    # The last dot of "S.N.C.F." ends no sentence (a dot two characters before it).
    stops = [p for p in map(_START, _SENTENCE_END.finditer(text)) if p < 2 or text[p - 2] != "."]
    opens = list(map(_START, _OPENINGS.finditer(text)))
    sents = list(map(partial(bisect_left, stops), starts))
    if sents and len(set(sents)) != sents[-1] - sents[0] + 1:  # stops with no token between: number 0, 1, 2 ...
        renumber = {n: k for k, n in enumerate(dict.fromkeys(sents))}
        sents = [renumber[n] for n in sents]
    elif sents and sents[0]:
        sents = [n - sents[0] for n in sents]
    return Tokens(norms, raws, starts, ends, sents, opens)


