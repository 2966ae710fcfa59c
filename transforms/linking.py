"""Which of the territory's companies an article is about, and why.

Blocking: every alias of every company (transforms/aliases.py: legal name, usual names, signs, sigle, nom_complet,
and the shorter names the press writes) is a key of one dictionary and a path in a trie of words; an article is
scanned once, following its words down the trie as long as they continue some alias. The cost per article depends
on its length, not on the number of companies.

Overlaps: the longest name wins ("Alcyon Cyberdefense" is not also "Alcyon"); a name followed by a word that
continues another unit's name goes to that unit ("Alcyon Cyber", "Canal+ Afrique" -> the international unit); one
name shared by several units (a group's brand) goes to the unit whose legal name it is, else to the shortest legal
name, and says so.

Each occurrence is judged (transforms/linking_evidence.py) and every mention keeps the method that accepted it, a
confidence and its evidence in words; only confident ones (>= CONFIDENT) reach the snapshot and the press events.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import compress

import pandas as pd

from transforms.aliases import Alias, company_aliases
from transforms.article_tokens import Token, tokenize
from transforms.lexicon import DEMONYMS, FOREIGN_PLACES, SECTOR_WORDS, STOPWORDS
from transforms.linking_evidence import Article, Company, Verdict, judge
from transforms.names import normalize_name, normalize_text

CONFIDENT = 0.8
MENTION_COLUMNS = ["article_id", "siren", "alias", "surface", "method", "confidence", "evidence", "confident"]


def place_words(commune_names) -> frozenset[str]:
    """Words that are places of the territory: every word of its communes' names, and their short forms."""
    words = set()
    for name in commune_names:
        words.update(t for t in normalize_text(name).split() if t not in STOPWORDS and len(t) > 2)
    return frozenset(words)


def _communes(value) -> list[str]:
    if value is None or isinstance(value, float):
        return []
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]


def _company(row, name: str) -> Company:
    naf = getattr(row, "naf_code", None)
    communes = _communes(getattr(row, "commune", None)) + _communes(getattr(row, "communes", None))
    places, demonyms = [], set()
    for commune in communes:
        key = normalize_text(commune)
        places.append(tuple(key.split()))
        head = key.split()[0]
        if len(head) >= 4 and head not in ("ville", "saint", "sainte"):  # "Boulogne" for Boulogne-Billancourt
            places.append((head,))
        demonyms.update(DEMONYMS.get(key, ()))
    sector = SECTOR_WORDS.get(str(naf)[:2], frozenset()) if isinstance(naf, str) else frozenset()
    return Company(name, sector, tuple(dict.fromkeys(places)), frozenset(demonyms))


class _Node:
    """A node of the alias trie: the words that may follow, and the aliases that end here."""

    __slots__ = ("children", "aliases")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.aliases: list[Alias] = []


def _spaced_child(node: _Node, norm: str) -> _Node | None:
    """The node after a word that folds into several (a few Arabic and Greek compatibility characters fold to a
    space): its words one by one, as the space-joined key the scan looked up before the trie."""
    for part in norm.split(" "):
        node = node.children.get(part)
        if node is None:
            break
    return node


class CompanyIndex:
    """Aliases of companies keyed by their token sequence (the blocking structure), and what each company is."""

    def __init__(self, companies: pd.DataFrame, *, commune_names=()) -> None:
        self.places = place_words(commune_names)
        self.by_key: dict[str, list[Alias]] = defaultdict(list)
        self.continuations: dict[str, list[Alias]] = defaultdict(list)  # "alcyon" -> ["alcyon cyberdefense"]
        # The same aliases as a trie of words: the scan follows an article's words from node to node, with no key
        # string built per n-gram (most words of an article start no name; some start thousands).
        self.trie = _Node()
        self.companies: dict[str, Company] = {}
        self.names: dict[str, str] = {}
        for row in companies.itertuples(index=False):
            siren, name = str(row.siren), row.name
            if not isinstance(name, str):
                continue
            self.names[siren] = name
            self.companies[siren] = _company(row, normalize_name(name))
            for alias in company_aliases(siren, name, sigle=getattr(row, "sigle", None),
                                         aliases=getattr(row, "aliases", None),
                                         nom_complet=getattr(row, "nom_complet", None), places=self.places):
                self._add(alias)

    def _add(self, alias: Alias) -> None:
        self.by_key[alias.norm].append(alias)
        parts = alias.tokens
        for k in range(1, len(parts)):
            self.continuations[" ".join(parts[:k])].append(alias)
        node = self.trie
        for part in parts:
            node = node.children.get(part) or node.children.setdefault(part, _Node())
        node.aliases = self.by_key[alias.norm]  # one list per name, shared by every company that has it

    def __len__(self) -> int:
        return len(self.names)

    def sibling(self, alias: Alias, word: Token) -> Alias | None:
        """Another company's alias that continues `alias` with `word`, or with its first letters ("Cyber" for
        "cyberdefense"); a foreign place after a group's name points to its international unit."""
        for other in self.continuations.get(alias.norm, ()):  # its own longer name too: "TF1 Pub(licité)"
            following = other.tokens[len(alias.tokens)]
            if following == word.norm or (len(word.norm) >= 3 and following.startswith(word.norm)):
                return other
        if word.norm in FOREIGN_PLACES:
            for other in self.continuations.get(alias.norm, ()):
                if other.siren != alias.siren and other.tokens[len(alias.tokens)] in ("international", "monde"):
                    return other
        return None


def _scan(index: CompanyIndex, article: Article) -> list[tuple[int, int, Alias]]:
    """(first token, last token + 1, alias) of every name in the article, the longest where names overlap. A name
    runs on within one sentence, its words joined by spaces or the marks of _JOINING."""
    toks, text = article.tokens, article.text
    norms, sents, starts, ends, root = toks.norms, toks.sents, toks.starts, toks.ends, index.trie
    first, joined = root.children.get, _JOINING.issuperset
    n = len(norms)
    hits = []
    nodes = list(map(first, norms))
    if " " in "|".join(norms):  # rare: see _spaced_child
        nodes = [node or (_spaced_child(root, norm) if " " in norm else None) for node, norm in zip(nodes, norms)]
    # Most words start no name: compress() skips them without a Python step per word.
    for i in compress(range(n), nodes):
        node, sent, j = nodes[i], sents[i], i + 1
        while True:
            if node.aliases:
                hits.extend([(i, j, alias) for alias in node.aliases])
            if j == n:
                break
            # The next word must continue some name, and be joined to this one in the same sentence.
            word = norms[j]
            node = node.children.get(word) or (_spaced_child(node, word) if " " in word else None)
            if node is None or sents[j] != sent or not joined(text[ends[j - 1]:starts[j]]):
                break
            j += 1
    # The longest name wins: a hit inside a longer one (of any company) is dropped.
    return [h for h in hits if not any(o[0] <= h[0] and h[1] <= o[1] and o[1] - o[0] > h[1] - h[0] for o in hits)]


# What may stand between two words of one name: "Coca-Cola", "L'Oréal", "S.A.", "Canal +".
_JOINING = frozenset(" -‐'’.\u00a0+&")


def link_text(index: CompanyIndex, title: str | None, text: str | None) -> list[dict]:
    """Every company named in one article, best occurrence first: siren, alias, surface, surfaces, method,
    confidence, evidence (in words), confident."""
    full = f"{title or ''}\n{text or ''}"
    article = Article(full, tokenize(full))
    verdicts: dict[str, list[tuple[Verdict, str, Alias]]] = defaultdict(list)
    settled: set[tuple[str, str]] = set()  # (siren, alias) already accepted outright: later occurrences add nothing
    for i, j, alias in _scan(index, article):
        if (alias.siren, alias.norm) in settled:
            continue
        company = index.companies[alias.siren]
        verdict = judge(article, i, j, alias, company, index.sibling)
        surface = full[article.tokens[i].start:article.tokens[j - 1].end]
        target = verdict.redirect or alias
        if verdict.accepted and verdict.confidence >= 0.9 and not verdict.owner_only and verdict.redirect is None:
            settled.add((alias.siren, alias.norm))
        if verdict.redirect is not None:
            verdict.reasons.append(f"rattaché à {index.names[target.siren]}")
        verdicts[target.siren].append((verdict, surface, target))
    _share_brands(index, verdicts)
    _initials_need_the_name(verdicts)
    return [_mention(siren, found) for siren, found in verdicts.items()]


def _initials_need_the_name(verdicts) -> None:
    """Initials made from the legal name ("CCEP") count only where the name itself is in the article."""
    for found in verdicts.values():
        named = any(v.accepted and a.kind != "initials" and not v.owner_only for v, _, a in found)
        for verdict, _, alias in found:
            if alias.kind == "initials" and verdict.accepted:
                if named:
                    verdict.method, verdict.confidence = "initials+full_name", 0.9
                    verdict.reasons.append("le nom entier est aussi dans l'article")
                else:
                    verdict.accepted, verdict.method, verdict.confidence = False, "unconfirmed", 0.4
                    verdict.reasons.append("initiales sans le nom entier dans l'article")


_KIND_RANK = {"name": 0, "sigle": 1, "alias": 2, "short": 3, "initials": 4}


def _share_brands(index: CompanyIndex, verdicts) -> None:
    """An alias several companies share (a group's brand): the occurrence goes to the one whose own name, sigle or
    usual name it is, else to the shortest legal name, and says so."""
    for siren in list(verdicts):
        kept = []
        for verdict, surface, alias in verdicts[siren]:
            owners = {a.siren: a for a in index.by_key.get(alias.norm, ())}
            if len(owners) > 1 and verdict.accepted:
                chosen = min(owners, key=lambda s: (_KIND_RANK[owners[s].kind], len(index.companies[s].name), s))
                if chosen != siren:
                    continue
                others = ", ".join(index.names[s] for s in sorted(owners) if s != chosen)
                verdict.method = "group_brand"
                verdict.reasons.append(f"nom partagé avec {others} : rattaché à {index.names[chosen]}")
            kept.append((verdict, surface, alias))
        if kept:
            verdicts[siren] = kept
        else:
            del verdicts[siren]


def _mention(siren: str, found: list[tuple[Verdict, str, Alias]]) -> dict:
    accepted = [f for f in found if f[0].accepted]
    standalone = [f for f in accepted if not f[0].owner_only]
    if standalone:
        verdict, surface, alias = max(standalone, key=lambda f: f[0].confidence)
        method, confidence = verdict.method, verdict.confidence
    elif accepted:  # only ever named as the owner of what the article is about
        verdict, surface, alias = accepted[0]
        method, confidence = "owner_only", 0.6
        verdict.reasons.append("cité seulement comme maison mère ou acquéreur d'une autre société")
    else:
        verdict, surface, alias = max(found, key=lambda f: f[0].confidence)
        method, confidence = verdict.method, verdict.confidence
    surfaces = list(dict.fromkeys(s for v, s, _ in (standalone or accepted or found)))
    evidence = " | ".join(dict.fromkeys(r for v, _, _ in [(verdict, surface, alias)] for r in v.reasons))
    return {"siren": siren, "alias": alias.norm, "surface": surface, "surfaces": surfaces, "method": method,
            "confidence": round(confidence, 2), "evidence": evidence, "confident": confidence >= CONFIDENT}


def link_articles(index: CompanyIndex, articles: pd.DataFrame) -> pd.DataFrame:
    """Mentions of every article: article_id, siren, alias, surface, method, confidence, evidence, confident."""
    rows = []
    for art in articles.itertuples(index=False):
        text = " ".join(t for t in (getattr(art, "description", None), getattr(art, "body_text", None))
                        if isinstance(t, str))
        for m in link_text(index, art.title, text):
            rows.append({"article_id": art.article_id, **{k: m[k] for k in MENTION_COLUMNS[1:]}})
    return pd.DataFrame(rows, columns=MENTION_COLUMNS).astype(
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
