"""The names a company goes by in the press, generated from what the registries say about it.

From the legal name ("HUAWEI TECHNOLOGIES FRANCE"), its usual names and signs, its sigle and the Recherche
d'entreprises' `nom_complet`: the name without legal form ("huawei technologies france"), the shorter names the
press writes once a country, a legal form or a generic activity word is dropped ("huawei", "huawei technologies",
"huawei france"), the sigle, and the initials of the name (usable only when the full name is in the article).

Each alias says how ambiguous it is: a French or English word ("kiwi"), a first name or surname ("girard"), a place
("sevres"), a short or common acronym ("dpd", "dsi"), a phrase of ordinary words ("boulogne digital"), or nothing
(a distinctive name: "cisco", "huawei technologies france"). transforms/linking.py asks more evidence of the
ambiguous ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.lexicon import (
    COMMON_ACRONYMS,
    COUNTRY_WORDS,
    ENGLISH_WORDS,
    FIRST_NAMES,
    FOREIGN_PLACES,
    GENERIC_WORDS,
    STOPWORDS,
    SURNAMES,
    french_words,
)
from transforms.names import normalize_name, normalize_text

MAX_TOKENS = 8
_PARENTHESES = re.compile(r"\(([^()]{1,60})\)")

# Ambiguity of an alias: None (distinctive), "common", "person", "place", "short", "acronym", "common_acronym",
# "phrase".


@dataclass(frozen=True)
class Alias:
    siren: str
    norm: str  # space-separated folded tokens: the key the article's n-grams are looked up with
    kind: str  # "name", "short" (derived from the name), "alias" (usual name, sign, nom_complet), "sigle",
    #            "initials" (generated from the name)
    ambiguity: str | None

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(self.norm.split())


def word_ambiguity(token: str, places: frozenset[str]) -> str | None:
    """How a single word reads in a French article: None when it can only be a name."""
    if any(c.isdigit() for c in token):
        return None  # TF1, M6, 01net: nobody writes these for anything else
    if token in places or token in COUNTRY_WORDS or token in FOREIGN_PLACES:
        return "place"
    if token in FIRST_NAMES or token in SURNAMES:
        return "person"
    if token in ENGLISH_WORDS or token in french_words():
        return "common"
    if len(token) <= 3:
        return "short"
    return None


def alias_ambiguity(tokens: tuple[str, ...], kind: str, places: frozenset[str]) -> str | None:
    if kind in ("sigle", "initials"):
        return "common_acronym" if "".join(tokens) in COMMON_ACRONYMS else "acronym"
    content = [t for t in tokens if t not in STOPWORDS] or list(tokens)
    if len(content) == 1:
        return word_ambiguity(content[0], places)
    if any(word_ambiguity(t, places) is None and t not in GENERIC_WORDS and t not in COUNTRY_WORDS
           and t != "plus" for t in content):
        return None
    return "phrase"


def _is_name_of_its_own(tokens: tuple[str, ...], places: frozenset[str]) -> bool:
    """A shortened name must still name something: a distinctive word, or a short all-letter brand ("dpd")."""
    return alias_ambiguity(tokens, "short", places) in (None, "short")


def short_names(tokens: tuple[str, ...], places: frozenset[str]) -> list[tuple[str, ...]]:
    """Shorter names the press writes: the name without its trailing countries and generic words, one word at a
    time ("huawei technologies", "huawei"), the shortest with a country after it ("huawei france"), and a
    distinctive first word on its own ("thales" for THALES DIS FRANCE). A shortened name must still be a name:
    a distinctive word, a short brand ("dpd"), or several words ("orange business")."""
    out = []
    end = len(tokens)
    while end > 1 and tokens[end - 1] in (COUNTRY_WORDS | GENERIC_WORDS):
        end -= 1
        core = tokens[:end]
        if core[-1] in STOPWORDS:
            break
        if len(core) > 1 or _is_name_of_its_own(core, places):
            out.append(core)
    if out and _is_name_of_its_own(out[-1], places):
        out += [out[-1] + (t,) for t in tokens[len(out[-1]):] if t in COUNTRY_WORDS]
    head = tokens[:1]
    if len(tokens) > 1 and head not in out and (len(head[0]) >= 4 or not head[0].isalpha()) \
            and word_ambiguity(head[0], places) is None:
        out.append(head)
    return list(dict.fromkeys(out))


def initials(tokens: tuple[str, ...]) -> str | None:
    letters = "".join(t[0] for t in tokens if t not in STOPWORDS)
    return letters if 3 <= len(letters) <= 6 and letters.isalpha() else None


def _texts(value) -> list[str]:
    if value is None or isinstance(value, float):
        return []
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)]


def company_aliases(siren: str, name: str | None, *, sigle=None, aliases=None, nom_complet=None,
                    places: frozenset[str] = frozenset()) -> list[Alias]:
    """Every alias of one company, each once (the most specific kind wins: name, alias, sigle, short, initials)."""
    found: dict[str, Alias] = {}

    def add(tokens: tuple[str, ...], kind: str) -> None:
        norm = " ".join(tokens)
        if tokens and len(tokens) <= MAX_TOKENS and norm not in found:
            found[norm] = Alias(siren, norm, kind, alias_ambiguity(tokens, kind, places))

    names = []
    for text, kind in ([(t, "name") for t in _texts(name)] + [(t, "alias") for t in _texts(aliases)]
                       + [(t, "alias") for t in _texts(nom_complet)]):
        inner = _PARENTHESES.findall(text)  # nom_complet: "SOCIETE NATIONALE SNCF (SNCF)"
        for part in [_PARENTHESES.sub(" ", text), *inner]:
            tokens = tuple(normalize_name(part).split())
            if tokens:
                add(tokens, kind)
                names.append(tokens)
    for text in _texts(sigle):
        tokens = tuple(normalize_text(text).split())
        if len("".join(tokens)) >= 2:  # a one-letter sigle ("L") would be every elided "L'"
            add(tokens, "sigle")
    for tokens in names:
        for short in short_names(tokens, places):
            add(short, "short")
    for tokens in names:  # CCEP for Coca-Cola Europacific Partners (France)
        end = len(tokens)
        while end > 1 and tokens[end - 1] in COUNTRY_WORDS:
            end -= 1
        for variant in {tokens, tokens[:end]}:
            letters = initials(variant)
            if letters and len(variant) >= 3:
                add((letters,), "initials")
    return list(found.values())
