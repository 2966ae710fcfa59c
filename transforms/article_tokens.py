"""An article as tokens: folded words with their place, their sentence, and whether their capital letter means
anything (a capital that starts a sentence, a title or a quotation says nothing about the word)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from transforms.names import fold

# A dotted acronym is one word (S.N.C.F. = SNCF); "+" and "&" are words of names (Canal+, Safran Electronics &
# Defense).
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}(?:[^\W\d_](?![\w]))?|\w+|[+&]", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…]\s|\n|[.!?…]$")
_OPENING = frozenset("«\"“(—–•[")


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


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    sent, prev_end = 0, 0
    for m in _TOKEN.finditer(text):
        gap = text[prev_end:m.start()]
        initial = not tokens
        if tokens and _SENTENCE_END.search(gap):
            sent += 1
            initial = True
        elif any(c in _OPENING for c in gap):
            initial = True
        norm = _fold(m.group(0))
        if norm:
            tokens.append(Token(norm, m.group(0), m.start(), m.end(), sent, initial))
        prev_end = m.end()
    return tokens


def sentence_bounds(tokens: list[Token]) -> list[tuple[int, int]]:
    """(first, last + 1) token index of every sentence, by sentence number."""
    bounds: list[tuple[int, int]] = []
    for i, tok in enumerate(tokens):
        if tok.sent == len(bounds):
            bounds.append((i, i + 1))
        else:
            bounds[-1] = (bounds[-1][0], i + 1)
    return bounds
