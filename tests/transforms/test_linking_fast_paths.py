"""The linker's fast paths give exactly what the plain forms they replaced gave: the trie scan against the n-gram
scan, and the regexes written to start with a character the engine can skip ahead to against the originals. (The
whole output on the labelled sets and the bench's 50,000 companies is compared by bench/linking_identity.py.)"""

import re

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.article_tokens import _TOKEN, tokenize
from transforms.linking import _JOINING, CompanyIndex, _scan
from transforms.linking_evidence import _SIREN_IN_TEXT, Article
from transforms.press_events import (
    _ANY_TRIGGER,
    _KIND_STEMS,
    _SENTENCE,
    PATTERNS,
    _has_trigger,
    _triggers,
    parse_amount_eur,
    sentences,
)

OLD_SIREN = re.compile(r"(?<!\d)(\d{3})[\s\u00a0]?(\d{3})[\s\u00a0]?(\d{3})(?!\d)")
OLD_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


def _ngram_scan(index: CompanyIndex, article: Article):
    """The scan before the trie: every n-gram that starts a name looked up as a space-joined key."""
    prefixes = set(index.by_key) | set(index.continuations)
    max_tokens = max(len(k.split()) for k in index.by_key)
    toks, text = article.tokens, article.text
    norms, sents, starts, ends = toks.norms, toks.sents, toks.starts, toks.ends
    hits = []
    for i in (k for k, w in enumerate(norms) if w in prefixes):
        key = norms[i]
        for j in range(i + 1, min(len(norms), i + max_tokens) + 1):
            if j > i + 1:
                if sents[j - 1] != sents[i] or not _JOINING.issuperset(text[ends[j - 2]:starts[j - 1]]):
                    break
                key = f"{key} {norms[j - 1]}"
                if key not in prefixes:
                    break
            hits.extend((i, j, alias) for alias in index.by_key.get(key, ()))
    return [h for h in hits if not any(o[0] <= h[0] and h[1] <= o[1] and o[1] - o[0] > h[1] - h[0] for o in hits)]


_INDEX = CompanyIndex(pd.DataFrame({
    "siren": ["111111111", "222222222", "333333333", "444444444", "555555555"],
    "name": ["ALCYON", "ALCYON CYBERDEFENSE", "CANAL PLUS AFRIQUE", "CANAL PLUS", "DATA LABS CLOUD SYSTEMES"],
    "sigle": [None, None, None, "C+", None], "aliases": [[], [], [], [], ["DLC"]], "naf_code": "62.01Z"}),
    commune_names=["Meudon"])
_WORDS = ["Alcyon", "alcyon", "Cyberdefense", "cyber", "Canal", "canal", "+", "Plus", "Afrique", "Data", "Labs",
          "Cloud", "Systemes", "DLC", "C", "lève", "à", "Meudon", "Alcyon\u037acyberdefense", "canal\u037aplus",
          "x\ufdfay", "Alcyon\u037a", "\u037acyberdefense"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from([" ", "-", ". ", ", ", "\n", "'", " (", "  "])),
                max_size=14))
def test_trie_scan_finds_what_the_ngram_scan_found(words):
    text = "".join(w + sep for w, sep in words)
    article = Article(text, tokenize(text))
    assert _scan(_INDEX, article) == _ngram_scan(_INDEX, article)


def test_a_word_that_folds_into_two_is_followed_through_the_trie():
    # U+037A (Greek ypogegrammeni) is a word character that folds to a space: one token, two words of a name.
    text = "Alcyon\u037acyberdefense lève 5 M€"
    article = Article(text, tokenize(text))
    assert [a.norm for _, _, a in _scan(_INDEX, article)] == ["alcyon cyberdefense"]


_TEXT = st.text(alphabet=st.sampled_from(list("0123456789 \u00a0\n.!?;,aZé\u0663\u2028") + ["\t", "\r"]),
                max_size=60)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
def test_siren_and_sentence_regexes_are_the_originals(text):
    assert [m.span() for m in _SIREN_IN_TEXT.finditer(text)] == [m.span() for m in OLD_SIREN.finditer(text)]
    assert {"".join(m.groups()) for m in _SIREN_IN_TEXT.finditer(text)} == \
        {"".join(m.groups()) for m in OLD_SIREN.finditer(text)}
    assert _SENTENCE.split(text) == OLD_SENTENCE.split(text)


_STEMS = ["lèv", "LÈV", "Lev", "rach", "RACH", "acqu", "main sur", "MAIN  SUR", "clé sous", "CLÉ SOUS", "série",
          "SÉRIE", "crée", "CRÉÉ", "postes", "tour de table", "fuſionn", "fusıonn", "fusİonn", "recrut", "rеcrut"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_STEMS), st.text(max_size=3)), max_size=6))
def test_trigger_search_on_lower_case_is_the_case_blind_one(parts):
    text = " ".join(parts)
    assert _has_trigger(text) == bool(_ANY_TRIGGER.search(text))


def test_only_three_characters_fold_apart_from_their_lower_case():
    """Every character the case-blind stems (and each kind's) can match: re.I matches it to a stem's letter exactly when its lower
    case is that letter, save the three kept on the slow path."""
    letters = sorted(set(_ANY_TRIGGER.pattern + "".join(s.pattern for s in _KIND_STEMS.values()))
                     - set("|[]{}()?\\0123456789"))
    blind = re.compile("[" + "".join(letters) + "]", re.I)
    apart = set()
    for x in range(0x110000):
        c = chr(x)
        low = c.lower()
        if len(low) != 1:
            apart.add(c)
        elif blind.fullmatch(c) or low in letters:
            if any(bool(re.fullmatch(re.escape(letter), c, re.I)) != (low == letter) for letter in letters):
                apart.add(c)
    assert apart == {"\u0130", "\u0131", "\u017f"}


def test_sentences_still_split_at_stops_and_line_breaks():
    assert sentences("Titre", "Un. Deux !  Trois\n\nQuatre; cinq S.A. six") == [
        "Titre", "Un.", "Deux !", "Trois", "Quatre;", "cinq S.A.", "six"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(list("aBéÉ1 .+&-'\n_") + ["S.N.C.F.", "a.b", ".x.", "É.T"]), max_size=30))
def test_tokens_without_a_dotted_acronym_are_the_full_regexs(parts):
    """Texts without ".X." are tokenised by the plain-word regex: the same tokens as the full one finds."""
    text = "".join(parts)
    toks = tokenize(text)
    assert list(zip(toks.raws, toks.starts, toks.ends)) == [(m.group(), m.start(), m.end())
                                                            for m in _TOKEN.finditer(text)]


def _every_kind_tried(sentence: str) -> list[tuple[str, int]]:
    """_triggers as it was before each kind's stems were looked for first: every kind's veto and pattern."""
    found = []
    for kind, (pattern, veto) in PATTERNS.items():
        clean = veto.sub(lambda m: " " * len(m.group(0)), sentence) if veto is not None else sentence
        m = pattern.search(clean)
        if not m:
            continue
        if kind == "press_funding" and parse_amount_eur(clean) is None and not re.search(
                r"levée de fonds|tour de table|s[ée]rie [a-d]\b|augmentation de capital|financement", clean, re.I):
            continue
        found.append((kind, m.start()))
    return found


_EVENT_WORDS = ["lève", "LÈVENT", "levée de fonds", "Série B", "SERIE A", "tour de table", "obtient", "sécurise",
                "12 millions", "3 M€", "rachète", "RACHAT", "acquiert", "met la main sur", "s'offre", "absorbe",
                "fusionne avec", "recrute", "EMBAUCHE", "50 recrues", "cinquante", "ouvre", "créera", "postes",
                "liquidation judiciaire", "Cessation des paiements", "dépose le bilan", "ferme son site",
                "plan social", "met la clé sous la porte", "lève le voile", "après sa levée", "rachat d'actions",
                "fuſionne", "Sİrie", "ıl", "Domino", "la start-up", "ingénieurs", "créera 40 emplois",
                "ouvre 12 postes", "CRÉE une vingtaine de CDI", "prévoit trente recrutements"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_EVENT_WORDS), st.text(max_size=3)), max_size=8))
def test_kinds_without_their_stems_are_skipped_exactly(parts):
    sentence = " ".join(parts)
    assert _triggers(sentence) == _every_kind_tried(sentence)
