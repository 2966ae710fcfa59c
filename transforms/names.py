"""Company-name normalisation for matching: case, accents, punctuation and legal forms do not count."""

from __future__ import annotations

import re
import unicodedata

# Legal forms and group words that say nothing about *which* company it is (SIRENE writes "SAS", the press
# writes "la société", "le groupe"). Tokens, after normalisation.
LEGAL_FORMS = frozenset({
    "sa", "sas", "sasu", "sarl", "eurl", "snc", "sca", "scs", "sci", "scop", "scic", "sel", "selarl", "selas",
    "gie", "sem", "spa", "gmbh", "ltd", "llc", "inc", "plc", "bv", "nv", "ag", "srl",
    "groupe", "group", "societe", "ste", "cie", "compagnie", "holding",
})
_DOTTED_ACRONYM = re.compile(r"\b(?:[a-z0-9]\.){2,}(?![a-z0-9])|\b(?:[a-z0-9]\.){1,}[a-z0-9]\b")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents removed, ligatures expanded (œ -> oe), NFKD compatibility forms folded."""
    text = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae")
                                 .replace("Æ", "AE").replace("ß", "ss"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return text.encode("ascii", "ignore").decode("ascii")


def normalize_text(text: str | None) -> str:
    """Folded, '&' read as 'et' and '+' as 'plus' (CANAL + = Canal+ = Canal Plus), dotted acronyms joined
    (S.A.S. -> sas), every other punctuation a space."""
    if not text:
        return ""
    text = fold(text).replace("&", " et ").replace("+", " plus ")
    text = _DOTTED_ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text)
    return " ".join(_NON_ALNUM.sub(" ", text).split())


def normalize_name(name: str | None) -> str:
    """The matching key of a company name: normalize_text without legal forms ("Groupe Orange S.A." -> "orange").

    A name made only of legal-form words keeps them (better a weak key than an empty one)."""
    tokens = normalize_text(name).split()
    kept = [t for t in tokens if t not in LEGAL_FORMS]
    return " ".join(kept or tokens)
