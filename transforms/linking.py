"""Which of the territory's companies an article is about.

Blocking: every alias (legal name, usual names, sigle, enseignes, brand names) is normalised into a dictionary
keyed by its token sequence; an article is scanned once, looking up each n-gram of at most `max_tokens` tokens.
The cost per article depends on its length, not on the number of companies.

Disambiguation: an alias that is a common word, a first name or surname, a place, or a sigle is *ambiguous*: it
needs supporting evidence in the article (the company's SIREN, a legal form next to it, a company descriptor
such as "l'opérateur" or "la start-up", business vocabulary around it, or the full legal name for a sigle).
Each mention carries the method that accepted it and a confidence; only `confident` ones (>= CONFIDENT) go on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from transforms.names import LEGAL_FORMS, fold, normalize_name

CONFIDENT = 0.8
MAX_TOKENS = 6

_STOPWORDS = frozenset("le la les l de d du des un une et en a au aux sur pour par the of and".split())
# Words that are also ordinary vocabulary: fruits, colours, adjectives, everyday nouns, English words.
_COMMON_WORDS = frozenset("""
orange citron pomme poire banane fraise cerise peche abricot prune raisin figue kiwi mangue ananas olive avocat
noix coco amande datte mandarine clementine melon pasteque myrtille framboise cassis mure
rouge bleu vert jaune noir blanc gris rose violet marron beige ocre indigo turquoise
free libre gratuit open smart easy fast quick simple clear bright happy green blue red black white gold silver
nova alpha beta gamma delta omega neo next one first best top new prime max plus pro star sun moon sky
atlas horizon vision avenir futur espace lumiere soleil lune etoile ciel terre mer ocean eau feu air
son sa ses mon ma mes ton ta tes leur leurs notre votre nous vous ils elles elle lui tout tous toute
bonjour merci salut oui non plus moins tres bien mal bon bonne beau belle grand grande petit petite
vie temps jour nuit monde pays ville maison route rue place pont gare porte parc jardin foret ile
accord action avenue bureau cabinet centre club conseil groupe lien lab labs data cloud tech digital
numerique media medias studio agence ecole campus reseau signal source lab lambda pixel
""".split())
_FIRST_NAMES = frozenset("""
alan alain alex alexandre alice anne antoine arthur camille charles claire david elise emma eric franck
francois gabriel hugo ines isabelle jade jean jeanne jules julie julien karim laura lea leo louis lucas
lucie manon marc marie martin mathieu max maxime mehdi nathalie nicolas noah olivier paul pierre rose
sarah simon sophie thomas victor yann zoe adam ethan liam nina lina chloe celine amelie laurent
""".split())
_SURNAMES = frozenset("""
martin bernard dubois thomas robert richard petit durand leroy moreau simon laurent lefebvre michel garcia
david bertrand roux vincent fournier morel girard andre mercier dupont lambert bonnet francois martinez
legrand garnier faure rousseau blanc guerin muller henry roussel nicolas perrin morin mathieu clement
gauthier dumont lopez fontaine chevalier robin masson sanchez gerard nguyen boyer denis lemaire duval
joly gautier roger roche roy noel meyer lucas meunier jean perez marchand dufour blanchard marie barbier
brun dumas brunet schmitt leroux colin fernandez pierre renard arnaud rolland caron aubert giraud leclerc
vidal bourgeois renaud lemoine picard gaillard philippe leclercq lacroix fabre dupuis olivier rodriguez
da silva hubert louis charles guillot riviere le gall guillaume adam rey moulin gonzalez berger lecomte
menard fleury deschamps carpentier julien benoit paris maillard marchal aubry vasseur le roux renault
jacquet collet prevost poirier charpentier royer huet baron dupuy pons paul laine carre breton remy
schneider perrot guyot barre marty cousin delmas turing walker kay moore rickman greenspan stivell
""".split())
_PLACES = frozenset("""
paris lyon marseille toulouse nice nantes strasbourg montpellier bordeaux lille rennes reims toulon grenoble
dijon angers nimes brest tours amiens limoges annecy perpignan metz besancon orleans rouen caen nancy
boulogne billancourt issy moulineaux meudon sevres vanves chaville clamart montrouge malakoff suresnes
puteaux courbevoie nanterre versailles neuilly levallois clichy bagneux chatillon garches vaucresson
marnes coquette avray seine ouest hauts france europe
""".split())
# A company descriptor right before the name, or in an apposition right after it.
_DESCRIPTORS = frozenset("""
societe entreprise entreprises start startup pousse editeur editrice esn operateur groupe hotelier hoteliere
hotellerie assureur assurance neo filiale firme pme eti licorne fintech insurtech studio agence cabinet
fournisseur acces telecoms telecom plateforme marque enseigne numeriques logiciels logiciel specialiste
constructeur fabricant integrateur leader geant
""".split())
# Business vocabulary: enough, around a common-word name (not around a place or a person's name).
_BUSINESS = _DESCRIPTORS | frozenset("""
leve levee fonds rachete rachat acquisition recrute recruter recrutement embauche chiffre affaires resultats
clients offre offres abonnes fibre mobile reseau investisseurs valorisation salaries directeur directrice
dirigeant pdg actionnaires bourse cac contrat partenariat lance annonce croissance strategie hotels
""".split())
_LEGAL_NEXT = frozenset(LEGAL_FORMS - {"groupe", "group", "societe", "ste", "cie", "compagnie", "holding"})
_PLACE_PREPOSITIONS = frozenset({"a", "de", "d", "en", "sur", "vers", "pres", "depuis"})
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Alias:
    siren: str
    norm: str
    kind: str  # "name", "alias", "sigle"
    ambiguity: str | None  # None, "common", "person", "place", "sigle", "short"


@dataclass
class Token:
    norm: str
    raw: str
    start: int
    end: int


def _ambiguity(norm: str, kind: str, communes: frozenset[str]) -> str | None:
    content = [t for t in norm.split() if t not in _STOPWORDS]
    if kind == "sigle":
        return "sigle"
    if len(content) > 1:
        return None
    word = content[0] if content else norm
    if word in _PLACES or norm in communes:
        return "place"
    if word in _FIRST_NAMES or word in _SURNAMES:
        return "person"
    if word in _COMMON_WORDS:
        return "common"
    if len(word) <= 3:
        return "short"
    return None


class CompanyIndex:
    """Aliases of companies, keyed by normalised token sequence (the blocking structure)."""

    def __init__(self, companies: pd.DataFrame, *, commune_names: list[str] = ()) -> None:
        self.communes = frozenset(normalize_name(c) for c in commune_names)
        self.by_key: dict[str, list[Alias]] = defaultdict(list)
        self.by_siren: dict[str, list[Alias]] = defaultdict(list)
        self.names: dict[str, str] = {}
        self.prefixes: set[str] = set()  # every leading token sequence of an alias: stop extending n-grams early
        self.max_tokens = 1
        for row in companies.itertuples(index=False):
            siren = str(row.siren)
            self.names[siren] = row.name
            seen: set[str] = set()
            aliases = getattr(row, "aliases", None)
            aliases = list(aliases) if aliases is not None and not isinstance(aliases, str) else []
            entries = [(row.name, "name")] + [(a, "alias") for a in aliases]
            if getattr(row, "sigle", None) and isinstance(row.sigle, str):
                entries.append((row.sigle, "sigle"))
            for text, kind in entries:
                if not isinstance(text, str):
                    continue
                norm = normalize_name(text)
                if not norm or norm in seen or len(norm.split()) > MAX_TOKENS:
                    continue
                seen.add(norm)
                alias = Alias(siren, norm, kind, _ambiguity(norm, kind, self.communes))
                self.by_key[norm].append(alias)
                parts = norm.split()
                self.prefixes.update(" ".join(parts[:k]) for k in range(1, len(parts) + 1))
                self.by_siren[siren].append(alias)
                self.max_tokens = max(self.max_tokens, len(norm.split()))

    def __len__(self) -> int:
        return len(self.names)


@lru_cache(maxsize=200_000)
def _fold_token(raw: str) -> str:
    return fold(raw)


def tokenize(text: str) -> list[Token]:
    tokens = []
    for m in _TOKEN.finditer(text):
        norm = _fold_token(m.group(0))
        if norm:
            tokens.append(Token(norm, m.group(0), m.start(), m.end()))
    return tokens


def _is_capitalised(raw: str) -> bool:
    return raw[:1].isupper()


def _hyphen_compound(text: str, start: int, end: int) -> bool:
    """Free-lance, Sèvres-Babylone, Meudon-la-Forêt: the name is part of a longer word."""
    before = text[start - 1] if start > 0 else ""
    after = text[end:end + 2]
    return before in "-‐" and start > 1 and text[start - 2].isalnum() or (after[:1] in "-‐" and after[1:2].isalnum())


def _person_pattern(tokens: list[Token], i: int, j: int, text: str) -> bool:
    """'Alan Turing', 'Jeanne Delmas': a first name before, or a capitalised word right after (same phrase)."""
    if i > 0 and tokens[i - 1].norm in _FIRST_NAMES and _is_capitalised(tokens[i - 1].raw) \
            and text[tokens[i - 1].end:tokens[i].start].strip() == "":
        return True
    if j < len(tokens):
        nxt = tokens[j]
        gap = text[tokens[j - 1].end:nxt.start]
        if gap.strip() == "" and _is_capitalised(nxt.raw) and nxt.norm not in LEGAL_FORMS and not nxt.raw.isupper():
            return True
    return False


def _evidence(tokens: list[Token], i: int, j: int, text: str, siren: str, sirens_in_text: set[str],
              full_names_present: bool) -> set[str]:
    found = set()
    if siren in sirens_in_text:
        found.add("siren")
    if j < len(tokens) and tokens[j].norm in _LEGAL_NEXT:
        found.add("legal_form")
    before = [t.norm for t in tokens[max(0, i - 3):i]]
    after_gap = text[tokens[j - 1].end:tokens[j].start] if j < len(tokens) else ""
    after = [t.norm for t in tokens[j:j + 4]] if "," in after_gap else []
    if any(w in _DESCRIPTORS for w in before) or any(w in _DESCRIPTORS for w in after):
        found.add("descriptor")
    window = {t.norm for t in tokens[max(0, i - 8):j + 8]}
    if window & _BUSINESS:
        found.add("business_context")
    if full_names_present:
        found.add("full_name")
    return found


_SIREN_IN_TEXT = re.compile(r"(?<!\d)(\d{3})\s?(\d{3})\s?(\d{3})(?!\d)")


def link_text(index: CompanyIndex, title: str | None, text: str | None) -> list[dict]:
    """All candidate mentions of one article, best per company: siren, alias, method, confidence, evidence."""
    full = f"{title or ''}\n{text or ''}"
    tokens = tokenize(full)
    sirens_in_text = {"".join(m.groups()) for m in _SIREN_IN_TEXT.finditer(full)}
    hits: list[tuple[int, int, Alias]] = []
    for i in range(len(tokens)):
        key = ""
        for n in range(1, min(index.max_tokens, len(tokens) - i) + 1):
            key = tokens[i + n - 1].norm if n == 1 else f"{key} {tokens[i + n - 1].norm}"
            if key not in index.prefixes:
                break
            for alias in index.by_key.get(key, ()):
                hits.append((i, i + n, alias))
    strong_by_siren: dict[str, bool] = defaultdict(bool)
    for _, _, alias in hits:
        if alias.ambiguity is None and alias.kind != "sigle":
            strong_by_siren[alias.siren] = True
    best: dict[str, dict] = {}
    for i, j, alias in hits:
        surface = full[tokens[i].start:tokens[j - 1].end]
        scored = _score(alias, tokens, i, j, full, surface, sirens_in_text, strong_by_siren[alias.siren])
        if scored is None:
            continue
        method, confidence, evidence = scored
        current = best.get(alias.siren)
        if current is None or confidence > current["confidence"]:
            best[alias.siren] = {"siren": alias.siren, "alias": alias.norm, "surface": surface, "method": method,
                                 "confidence": confidence, "evidence": ",".join(sorted(evidence)),
                                 "confident": confidence >= CONFIDENT}
    return list(best.values())


def _score(alias: Alias, tokens, i, j, full, surface, sirens_in_text, full_name_present):
    ev = _evidence(tokens, i, j, full, alias.siren, sirens_in_text, full_name_present)
    if "siren" in ev:
        return "siren", 0.99, ev
    if alias.ambiguity is None:
        return ("name" if alias.kind == "name" else "alias"), 0.95 if j - i > 1 else 0.9, ev
    if alias.ambiguity == "sigle":
        if not surface.isupper():
            return None
        return ("sigle+full_name", 0.9, ev) if "full_name" in ev else ("sigle", 0.3, ev)
    # A single ambiguous word: capitalised, not inside a compound, not a person's name.
    if not _is_capitalised(surface) or (j - i == 1 and _hyphen_compound(full, tokens[i].start, tokens[j - 1].end)):
        return None
    if _person_pattern(tokens, i, j, full) and not ev & {"legal_form", "descriptor"}:
        return "name_person_like", 0.2, ev
    if alias.ambiguity == "place" and i > 0 and tokens[i - 1].norm in _PLACE_PREPOSITIONS \
            and "legal_form" not in ev:
        return "name_place_like", 0.2, ev
    if "legal_form" in ev:
        return "name+legal_form", 0.95, ev
    if "descriptor" in ev:
        return "name+descriptor", 0.9, ev
    if "full_name" in ev:
        return "name+full_name", 0.85, ev
    if alias.ambiguity in ("common", "short") and "business_context" in ev:
        return "name+context", 0.85, ev
    return "name_unconfirmed", 0.4, ev


def link_articles(index: CompanyIndex, articles: pd.DataFrame) -> pd.DataFrame:
    """Mentions of every article: article_id, siren, alias, surface, method, confidence, evidence, confident."""
    rows = []
    for art in articles.itertuples(index=False):
        text = " ".join(t for t in (getattr(art, "description", None), getattr(art, "body_text", None))
                        if isinstance(t, str))
        for m in link_text(index, art.title, text):
            rows.append({"article_id": art.article_id, **m})
    return pd.DataFrame(rows, columns=["article_id", "siren", "alias", "surface", "method", "confidence",
                                       "evidence", "confident"]).astype(
        {"article_id": "string", "siren": "string", "alias": "string", "surface": "string", "method": "string",
         "confidence": "float64", "evidence": "string", "confident": "boolean"})


# ---------------------------------------------------------------------------------------------------------------
# The territory itself

_TECH_WORDS = frozenset("""
numerique start up startup startups tech technologie technologies logiciel logiciels data donnees cloud
intelligence artificielle ia cybersecurite incubateur accelerateur french innovation digital entreprise
entreprises fintech telecoms coworking developpeurs ingenieurs levee fonds recrute emploi emplois
""".split())


def territory_mentions(commune_names: list[str], title: str | None, text: str | None) -> list[str]:
    """Communes of the territory named in an article that talks tech (else [])."""
    full = f"{title or ''}\n{text or ''}"
    norm = " " + " ".join(t.norm for t in tokenize(full)) + " "
    words = set(norm.split())
    if not words & _TECH_WORDS:
        return []
    found = []
    for name in commune_names:
        key = " " + " ".join(t.norm for t in tokenize(name)) + " "
        if key in norm:
            found.append(name)
    return found
