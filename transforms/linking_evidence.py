"""Is this occurrence of a name the company? The evidence around one occurrence, for and against, in words a
person can check ("« Kiwi » : désigné comme « start-up » ; verbe d'entreprise « lève »").

A distinctive name ("Cisco") is the company unless something says otherwise (another unit of the group, a
compound). An ambiguous one (a word, a first name or surname, a place, an acronym) must be written as a name
(capitalised, in capitals for an acronym), must not read as something else (a person, a unit of measure, a club,
a nickname, a common noun with its article), and needs evidence: a legal form, a company designation next to it
or in the next sentence, a company verb, the company's commune, its sector's vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from transforms.aliases import Alias
from transforms.article_tokens import Token, Tokens
from transforms.lexicon import (
    AUXILIARIES,
    BRANCH_WORDS,
    BUSINESS_WORDS,
    COMPANY_CONTEXT_BEFORE,
    COMPANY_VERBS,
    COUNTRY_WORDS,
    DESIGNATIONS,
    DETERMINERS,
    FIRST_NAMES,
    FOREIGN_PLACES,
    NAME_TOPIC_WORDS,
    OTHER_THING_NOUNS,
    PERSON_NOUNS,
    PERSON_TITLES,
    PLURAL_DETERMINERS,
    STOPWORDS,
    french_words,
)
from transforms.names import LEGAL_FORMS

LEGAL_NEXT = frozenset(LEGAL_FORMS - {"groupe", "group", "societe", "ste", "cie", "compagnie", "holding"})
# An acquirer takes part in the story (the acquisition is its event too); an owner named in passing does not.
_OWNER_TRIGGERS = frozenset("filiale filiales propriete appartenant appartient detenue detenu detenues branche division "
                            "regie marque pole".split())
_LINKS = frozenset({"de", "du", "d", "par", "a", "au"})
_COUNTED = PLURAL_DETERMINERS | frozenset({"aux", "un", "une", "chaque", "tout", "toute", "toutes", "tous"})
_DEFINITE = frozenset({"le", "la", "l", "les", "ce", "cet", "cette", "son", "sa"})
_PLACE_BEFORE = frozenset({"a", "au", "en", "de", "d", "vers", "pres", "depuis", "sur", "ville", "commune", "mairie",
                           "habitants", "maire", "quartier", "centre"})
# Nine digits, grouped 3-3-3 or not, with no digit either side: r"(?<!\d)(\d{3})[\s\u00a0]?(\d{3}) ...", written to
# start with a digit (the regex engine then skips ahead to the next digit instead of trying every position); the
# groups, joined, are the SIREN.
_SIREN_IN_TEXT = re.compile(r"(\d)(?<!\d\d)(\d\d)[\s\u00a0]?(\d{3})[\s\u00a0]?(\d{3})(?!\d)")
_PHRASE_GAP = re.compile(r"^[\s\-‐'’.]*$")
_AGE = re.compile(r"^\s*,?\s*\d{1,3}\s+ans\b")


@dataclass
class Company:
    """What the linker knows of a company besides its names."""
    name: str
    sector: frozenset[str] = frozenset()  # vocabulary of its NAF division
    places: tuple[tuple[str, ...], ...] = ()  # its communes as token sequences
    demonyms: frozenset[str] = frozenset()


@dataclass
class Verdict:
    accepted: bool
    method: str
    confidence: float
    reasons: list[str] = field(default_factory=list)
    owner_only: bool = False  # "filiale du groupe X": X is named as the owner of what the article is about
    redirect: Alias | None = None  # the name continues into another unit's name ("Alcyon Cyber")


class Article:
    """An article's tokens and what is computed once for every occurrence judged in it."""

    def __init__(self, text: str, tokens: Tokens) -> None:
        self.text = text
        self.tokens = tokens
        self.words = set(tokens.norms)
        self.business = len(BUSINESS_WORDS.intersection(self.words))
        self.name_topic = bool(self.words & NAME_TOPIC_WORDS)
        self.sirens = {"".join(m.groups()) for m in _SIREN_IN_TEXT.finditer(text)}
        self._sentence_words: dict[int, set[str]] = {}

    @cached_property
    def lowercase(self) -> set[str]:
        """Words written in lower case in running text: the article uses them as ordinary words."""
        return {n for n, r in zip(self.tokens.norms, self.tokens.raws) if r[:1].islower()}

    def sentence_words(self, sent: int) -> set[str]:
        if sent not in self._sentence_words:
            if 0 <= sent < self.tokens.sentence_count:
                a, b = self.tokens.sentence(sent)
                self._sentence_words[sent] = set(self.tokens.norms[a:b])
            else:
                self._sentence_words[sent] = set()
        return self._sentence_words[sent]

    def near_words(self, sent: int) -> set[str]:
        return self.sentence_words(sent - 1) | self.sentence_words(sent) | self.sentence_words(sent + 1)

    def gap(self, a: Token, b: Token) -> str:
        return self.text[a.end:b.start]

    def has_sequence(self, seq: tuple[str, ...], sents: set[int] | None = None) -> bool:
        norms, n = self.tokens.norms, len(seq)
        if seq[0] not in self.words:
            return False
        for i in (k for k, w in enumerate(norms) if w == seq[0]):
            if (sents is None or self.tokens.sents[i] in sents) and tuple(norms[i:i + n]) == seq:
                return True
        return False

    def defines_otherwise(self, letters: str, company_tokens: tuple[str, ...]) -> bool:
        """"la direction des systèmes d'information (DSI)": the acronym is spelt out as something else."""
        for i in (k for k, w in enumerate(self.tokens.norms) if w == letters):
            tok = self.tokens[i]
            if i == 0 or "(" not in self.gap(self.tokens[i - 1], tok):
                continue
            before = [t.norm for t in self.tokens[max(0, i - 8):i] if t.norm not in STOPWORDS]
            spelt = before[-len(letters):]
            if "".join(w[0] for w in spelt) == letters and tuple(spelt) != tuple(
                    t for t in company_tokens if t not in STOPWORDS):
                return True
        return False


def _same_phrase(article: Article, a: Token, b: Token) -> bool:
    return a.sent == b.sent and bool(_PHRASE_GAP.match(article.gap(a, b)))


def _extension(article: Article, j: int) -> list[Token]:
    """Capitalised words right after the name, in the same phrase: "Clara Luciani", "Capgemini Engineering"."""
    toks, out = article.tokens, []
    k = j
    while k < len(toks) and len(out) < 3 and _same_phrase(article, toks[k - 1], toks[k]) \
            and toks[k].cap and toks[k].norm not in STOPWORDS and toks[k].norm not in LEGAL_FORMS:
        out.append(toks[k])
        k += 1
    return out


def _designation_before(article: Article, i: int) -> str | None:
    """"la start-up meudonnaise Abeille", "l'opérateur télécom ETI", "le cabinet de conseil DSI"."""
    toks = article.tokens
    for k in range(i - 1, max(-1, i - 5), -1):
        if toks[k].sent != toks[i].sent or any(c in ",;:()«»\"" for c in article.gap(toks[k], toks[k + 1])):
            return None
        if toks[k].norm in DESIGNATIONS or toks[k].norm.endswith("tech"):
            return word_at(article, k)
        if toks[k].norm in COMPANY_VERBS and k < i - 1:
            return None
    return None


def _apposition_after(article: Article, j: int, words: frozenset[str]) -> str | None:
    """"Girard, l'éditeur de logiciels ...": a word of `words` within three words after a comma."""
    toks = article.tokens
    if j >= len(toks) or toks[j].sent != toks[j - 1].sent or not any(c in ",:–" for c in article.gap(toks[j - 1],
                                                                                                      toks[j])):
        return None
    for k in range(j, min(len(toks), j + 3)):
        if toks[k].sent != toks[j].sent:
            return None
        named = toks[k].norm in words or (words is DESIGNATIONS and toks[k].norm.endswith("tech"))
        # "Girard, l'éditeur ..." names it; "Sèvres : une start-up ..." is about something else.
        if named and (words is not DESIGNATIONS or toks[k - 1].norm in _DEFINITE):
            return word_at(article, k)
    return None


def _designation_next_sentence(article: Article, j: int) -> str | None:
    """"Kelvin mesure la chaleur ... La start-up de Meudon conçoit ...": the next sentence names it again."""
    sent = article.tokens[j - 1].sent + 1
    if sent >= article.tokens.sentence_count:
        return None
    a, b = article.tokens.sentence(sent)
    if article.tokens[a].norm in DETERMINERS:
        for k in range(a + 1, min(b, a + 4)):
            if article.tokens[k].norm in DESIGNATIONS or article.tokens[k].norm.endswith("tech"):
                return word_at(article, k)
    return None


def _designation_later(article: Article, j: int) -> str | None:
    """"mis en demeure LCI, estimant que la chaîne ...": the same sentence names it again by what it is."""
    toks = article.tokens
    for k in range(j, len(toks)):
        if toks[k].sent != toks[j - 1].sent:
            return None
        if toks[k].norm in DESIGNATIONS and toks[k - 1].norm in DETERMINERS:
            return word_at(article, k)
    return None


def word_at(article: Article, k: int) -> str:
    """The word at token k as written, hyphenated compounds whole ("start-up")."""
    toks, a, b = article.tokens, k, k
    while a > 0 and article.gap(toks[a - 1], toks[a]) in ("-", "‐"):
        a -= 1
    while b + 1 < len(toks) and article.gap(toks[b], toks[b + 1]) in ("-", "‐"):
        b += 1
    return article.text[toks[a].start:toks[b].end]


def _company_verb(article: Article, i: int, j: int) -> str | None:
    toks = article.tokens
    k = j
    skipped = 0
    while k < len(toks) and toks[k].sent == toks[j - 1].sent and skipped <= 3:
        if toks[k].norm in COMPANY_VERBS:
            return word_at(article, k)
        if toks[k].norm not in AUXILIARIES and toks[k].norm not in ("ne", "n", "pas", "deja", "aussi", "encore", "qui"):
            break
        k += 1
        skipped += 1
    for k in range(i - 1, max(-1, i - 4), -1):
        if toks[k].sent != toks[i].sent:
            break
        if toks[k].norm in COMPANY_CONTEXT_BEFORE:
            return word_at(article, k)
    return None


def _owner_role(article: Article, i: int) -> bool:
    """"la filiale cyber du groupe Alcyon", "racheté l'an dernier par l'ESN Alcyon": Alcyon owns the subject."""
    toks = article.tokens
    k = i - 1
    while k >= 0 and i - k <= 3 and toks[k].sent == toks[i].sent and toks[k].norm not in _LINKS:
        k -= 1
    if k < 0 or toks[k].norm not in _LINKS or toks[k].sent != toks[i].sent:
        return False
    return any(toks[m].norm in _OWNER_TRIGGERS for m in range(max(0, k - 5), k) if toks[m].sent == toks[i].sent)


def _person_context(article: Article, i: int, j: int) -> str | None:
    toks = article.tokens
    prev = toks[i - 1] if i > 0 and toks[i - 1].sent == toks[i].sent else None
    if prev is not None and prev.norm in PERSON_TITLES:
        return f"précédé de « {prev.raw} »"
    if prev is not None and prev.norm in FIRST_NAMES and prev.cap and _same_phrase(article, prev, toks[i]):
        return f"précédé du prénom « {prev.raw} »"
    for k in (i - 1, i - 2):  # "l'acteur Lambert", "le chanteur Renault"
        if k >= 0 and toks[k].sent == toks[i].sent and toks[k].norm in PERSON_NOUNS and not toks[k].cap:
            return f"précédé de « {toks[k].raw} »"
    after = article.text[toks[j - 1].end:toks[j - 1].end + 12]
    if _AGE.match(after):
        return "suivi d'un âge"
    noun = _apposition_after(article, j, PERSON_NOUNS)
    if noun:
        return f"apposition « {noun} »"
    a = toks.sentence(toks[i].sent)[0]
    window = [t.norm for t in toks[max(a, i - 6):i]]
    if "ans" in window and any(w.isdigit() for w in window):
        return "un âge dans la phrase"
    return None


def judge(article: Article, i: int, j: int, alias: Alias, company: Company, siblings) -> Verdict:
    """The verdict on the occurrence tokens[i:j] of `alias`. `siblings(alias, token)` finds another company's
    alias continuing this one with a word starting like `token` ("alcyon" + "Cyber" -> "alcyon cyberdefense")."""
    toks = article.tokens
    first, last = toks[i], toks[j - 1]
    surface = article.text[first.start:last.end]
    label = f"« {surface} »"
    prev = toks[i - 1] if i > 0 and toks[i - 1].sent == first.sent else None
    nxt = toks[j] if j < len(toks) and toks[j].sent == last.sent else None
    if alias.siren in article.sirens:
        return Verdict(True, "siren", 0.99, [f"{label} et son SIREN cité"])
    if prev is not None and article.gap(prev, first) in ("-", "‐") and prev.cap:
        return Verdict(False, "rejected", 0.2, [f"{label} fait partie de « {prev.raw}-{surface} »"])
    ext = _extension(article, j)
    if alias.ambiguity is None and not any(c.isupper() or c.isdigit() for c in surface):
        return Verdict(False, "rejected", 0.1, [f"{label} : en minuscules"])
    if alias.ambiguity is None and alias.kind == "short" and len(alias.tokens) == 1:
        verdict = _shortened(article, alias, label, prev, ext, siblings)
    elif alias.ambiguity is None:
        verdict = _extension_verdict(article, j, alias, label, ext, siblings) or _distinctive(alias, label)
    else:
        verdict = _judge_ambiguous(article, i, j, alias, company, label, prev, nxt, ext, siblings)
    verdict.owner_only = verdict.accepted and _owner_role(article, i)
    return verdict


def _written_as_acronym(first: Token, last: Token) -> bool:
    return first.upper and last.upper


def _shortened(article: Article, alias: Alias, label: str, prev, ext: list[Token], siblings) -> Verdict:
    """A one-word name shortened from the legal name ("Arte" from ARTE FRANCE, "Capgemini" from CAPGEMINI
    TECHNOLOGY SERVICES): another capitalised word after it makes it another unit's or another thing's name
    ("Capgemini Engineering", "Arte Povera"), an article before it a common noun ("l'Arte di ...")."""
    if ext and ext[0].norm not in COUNTRY_WORDS:
        other = siblings(alias, ext[0])
        if other is not None:
            return Verdict(True, "brand_extension", 0.9, [f"{label} suivi de « {ext[0].raw} » : l'unité « "
                                                          f"{other.norm} » du même nom"], redirect=other)
        return Verdict(False, "other_unit", 0.3, [f"{label} suivi de « {ext[0].raw} » : une autre unité ou un "
                                                  "autre nom que le sien"])
    if prev is not None and prev.norm in DETERMINERS:
        return Verdict(False, "rejected", 0.3, [f"{label} précédé de « {prev.raw} » : pas un nom de société"])
    verdict = _distinctive(alias, label)
    if ext:
        verdict.reasons.append(f"suivi de « {ext[0].raw} »")
    return verdict


def _distinctive(alias: Alias, label: str) -> Verdict:
    method = {"name": "name", "alias": "alias", "short": "short_name"}.get(alias.kind, "sigle")
    what = {"name": "nom légal", "alias": "nom d'usage ou enseigne",
            "short": "nom sans forme juridique, pays ni mot générique"}.get(alias.kind, "sigle")
    return Verdict(True, method, 0.95 if len(alias.tokens) > 1 else 0.9, [f"{label} : {what}"])


def _extension_verdict(article: Article, j: int, alias: Alias, label: str, ext: list[Token],
                       siblings) -> Verdict | None:
    """What the capitalised words after a name make of it: another unit of the group ("Alcyon Cyber", "Canal+
    Afrique"), a unit abroad, a venue, a branch; or a product of the company ("Cisco Webex"). None: no such word."""
    if not ext:
        return None
    word = ext[0]
    other = siblings(alias, word)
    if other is not None:
        return Verdict(True, "brand_extension", 0.9,
                       [f"{label} suivi de « {word.raw} » : l'unité « {other.norm} » du même nom"], redirect=other)
    if word.norm in COUNTRY_WORDS:
        verdict = _distinctive(alias, label)
        verdict.reasons.append(f"suivi de « {word.raw} »")
        return verdict
    if word.norm in FOREIGN_PLACES:
        return Verdict(False, "other_unit", 0.3, [f"{label} suivi de « {word.raw} » : une unité à l'étranger"])
    if word.norm in OTHER_THING_NOUNS:
        return Verdict(False, "other_thing", 0.3, [f"{label} suivi de « {word.raw} » : un lieu ou un événement"])
    branch = _apposition_after(article, j + len(ext), BRANCH_WORDS)
    if branch:
        whole = " ".join([article.text[article.tokens[j - 1].start:article.tokens[j - 1].end], *(t.raw for t in ext)])
        return Verdict(False, "other_unit", 0.3, [f"{label} : « {whole} » est une « {branch} » du groupe"])
    verdict = _distinctive(alias, label)
    verdict.confidence -= 0.05
    verdict.reasons.append(f"suivi de « {word.raw} » (produit ou marque)")
    return verdict


def _judge_ambiguous(article: Article, i: int, j: int, alias: Alias, company: Company, label: str, prev, nxt,
                     ext: list[Token], siblings) -> Verdict:
    toks = article.tokens
    first, last = toks[i], toks[j - 1]
    ambiguity = alias.ambiguity
    kind = {"common": "mot courant", "person": "prénom ou nom de famille", "place": "nom de lieu",
            "short": "nom court", "acronym": "sigle", "common_acronym": "sigle courant",
            "phrase": "mots courants"}[ambiguity]
    label = f"{label} ({kind})"

    def no(reason: str, confidence: float = 0.3) -> Verdict:
        return Verdict(False, "rejected", confidence, [f"{label} : {reason}"])

    acronym = ambiguity in ("acronym", "common_acronym", "short")
    if acronym:
        if not _written_as_acronym(first, last):
            return no("pas écrit en capitales", 0.2)
        if article.text[last.end:last.end + 1] in ("'", "’"):
            return no("une élision (« L'… »), pas un sigle", 0.1)
        if prev is not None and prev.norm in _COUNTED:  # "les ETI", "600 ETI", "une DSI"
            return no(f"précédé de « {prev.raw} » : un nom commun")
        if alias.kind in ("sigle", "initials") and article.defines_otherwise(alias.norm, tuple(
                company.name.split())):
            return no("le texte l'explicite autrement")
    elif ambiguity == "phrase":
        content = [t for t in toks[i:j] if t.norm not in STOPWORDS]
        if not any(t.informative_cap or t.raw == "+" or t.upper for t in content[1:] or content):
            return no("écrit comme des mots courants", 0.2)
        if not first.cap and not first.upper:
            return no("en minuscules", 0.2)
        if alias.kind != "short" and not ext:  # "Issy Data Labs", "Canal+": the whole name, written as a name
            return Verdict(True, "name" if alias.kind == "name" else "alias", 0.95,
                           [f"{label} : le nom entier, écrit comme un nom propre"])
    elif not first.cap:
        return no("en minuscules", 0.1)
    if prev is not None and prev.raw.isdigit():
        return no(f"après un nombre : une unité ({prev.raw} {first.raw})", 0.1)
    if nxt is not None and article.gap(last, nxt) in ("-", "‐"):
        return no(f"fait partie de « {first.raw}-{nxt.raw} »", 0.2)
    if nxt is not None and nxt.norm == "s" and article.gap(last, nxt) in ("'", "’"):
        return no("au possessif anglais : une autre marque", 0.2)
    other = siblings(alias, ext[0]) if ext else None
    if other is not None:  # "Alcyon Cyber", "Canal+ Afrique": another unit of the same name
        return Verdict(True, "brand_extension", 0.9, [f"{label} suivi de « {ext[0].raw} » : l'unité « {other.norm} »"
                                                      " du même nom"], redirect=other)
    if ext and acronym:  # "ETI Telecom", "FDJ United": the brand's products and units
        verdict = _extension_verdict(article, j, alias, label, ext, siblings)
        if not verdict.accepted:
            return verdict
    elif ext:
        return no(f"suivi de « {ext[0].raw} » : un autre nom propre", 0.2)
    gap_before = article.gap(prev, first) if prev is not None else ""
    gap_after = article.gap(last, nxt) if nxt is not None else ""
    if "«" in gap_before[-3:] and "»" in gap_after[:3] and j - i == 1:
        return no("seul entre guillemets : un titre, un bateau, un surnom")
    if not acronym and ambiguity != "phrase":
        if prev is not None and prev.norm in DETERMINERS and alias.tokens[0] not in DETERMINERS:
            return no(f"précédé de « {prev.raw} » : un nom commun ou un surnom")
        if i >= 2 and prev is not None and toks[i - 2].sent == first.sent and toks[i - 2].norm in DETERMINERS \
                and prev.raw.islower() and prev.norm in french_words() and prev.norm not in DESIGNATIONS \
                and not prev.norm.endswith("tech") and prev.norm not in COMPANY_VERBS | COMPANY_CONTEXT_BEFORE:
            return no(f"après « {toks[i - 2].raw} {prev.raw} » : le nom d'une chose (« l'échelle Kelvin »)")
        if prev is not None and prev.cap and _same_phrase(article, prev, first) and not prev.upper \
                and prev.norm not in DESIGNATIONS and not prev.norm.endswith("tech") \
                and (prev.informative_cap or (ambiguity == "person" and (prev.norm in FIRST_NAMES
                                                                       or prev.norm not in french_words()))):
            return no(f"précédé de « {prev.raw} » : un autre nom propre")
        person = _person_context(article, i, j)
        if person:
            return no(f"{person} : une personne")
        if ambiguity == "person" and article.name_topic:
            return no("l'article parle de prénoms ou de noms de famille")
        if ambiguity == "place" and prev is not None and prev.norm in _PLACE_BEFORE:
            return no(f"précédé de « {prev.raw} » : le lieu")
    for k in (i - 1, i - 2, j):
        if 0 <= k < len(toks) and toks[k].sent == first.sent and toks[k].norm in OTHER_THING_NOUNS \
                and not toks[k].cap:
            return no(f"« {toks[k].raw} » : ce n'est pas une entreprise")
    j += len(ext)  # the evidence is read after the brand's product ("FDJ United lance ...")
    return _weigh(article, i, j, alias, company, label, toks[j] if j < len(toks) and toks[j].sent == first.sent
                  else None)


def _weigh(article: Article, i: int, j: int, alias: Alias, company: Company, label: str, nxt) -> Verdict:
    toks = article.tokens
    first = toks[i]
    if nxt is not None and nxt.norm in LEGAL_NEXT:
        return Verdict(True, "name+legal_form", 0.95, [f"{label} suivi de « {nxt.raw} »"])
    designation = _designation_before(article, i) or _apposition_after(article, j, DESIGNATIONS)
    if designation:
        return Verdict(True, "name+descriptor", 0.9, [f"{label} désigné comme « {designation} »"])
    found, points = [], 0
    later = _designation_next_sentence(article, j)
    if later:
        points += 3
        found.append(f"repris par « {later} » dans la phrase suivante")
    elif _designation_later(article, j):
        points += 2
        found.append(f"repris par « {_designation_later(article, j)} » dans la phrase")
    verb = _company_verb(article, i, j)
    if verb:
        points += 2
        found.append(f"contexte d'entreprise « {verb} »")
    near = article.near_words(first.sent)
    if alias.ambiguity == "place":
        pass  # a company named after its town: the town in the article says nothing
    elif company.demonyms & near or any(article.has_sequence(p, {first.sent - 1, first.sent, first.sent + 1})
                                      for p in company.places):
        points += 2
        found.append("sa commune citée à côté")
    elif company.demonyms & article.words or any(article.has_sequence(p) for p in company.places):
        points += 1
        found.append("sa commune citée dans l'article")
    sector = company.sector & near
    if sector:
        points += 2 if len(sector) > 1 else 1
        found.append(f"vocabulaire de son secteur ({', '.join(sorted(sector)[:3])})")
    if article.business >= 3:
        points += 1
        found.append("article d'économie")
    if first.informative_cap and alias.ambiguity not in ("acronym", "common_acronym", "short"):
        points += 1
        found.append("majuscule dans le texte")
    if alias.ambiguity == "common" and set(alias.tokens) & article.lowercase:
        points -= 2
        found.append("le mot est aussi employé en minuscules")
    need = {"acronym": 2, "short": 3, "phrase": 1, "common_acronym": 4, "place": 5}.get(alias.ambiguity, 4)
    if alias.ambiguity == "phrase" and alias.kind == "short":  # "Seine Ouest" from SEINE OUEST NUMERIQUE
        need = 3
    if points >= need:
        return Verdict(True, "name+context", 0.85, [f"{label} : " + " ; ".join(found)])
    return Verdict(False, "unconfirmed", 0.4, [f"{label} : indices insuffisants ({' ; '.join(found) or 'aucun'})"])
