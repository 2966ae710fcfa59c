"""Typed press events from French wording: funding, acquisition, hiring, closure (with the amount when given).

One event per company and story, the story's main one: the title's if the title says one, else the first
sentence that does. A sentence gives its event to the company that is its subject (named before the verb: in
"Domino lève 7 M€ et séduit DPD France" DPD raises nothing), or, when it names no company, to the company named in
the sentence before it if that sentence named only one ("Kelvin ouvre un atelier. La start-up recrute quinze
techniciens."). Deliberately not matched: "relève", "soulève" (not "lève"), "lève le voile", "recrutement de ses
clients", "liquidation des stocks", "rachat d'actions", job cuts ("supprime 60 postes"), and events told as past
background ("dopée par sa levée de fonds", "un an après son rachat", "racheté l'an dernier").
"""

from __future__ import annotations

import re

_W = r"(?<![\w'’-])"  # start of a word (so "relève" never matches "lève")
_NUMBER = (r"(?:\d[\d\s\u00a0\u202f.,]*|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|"
           r"trente|quarante|cinquante|soixante|cent|mille|une? (?:dizaine|douzaine|quinzaine|vingtaine|trentaine|"
           r"quarantaine|cinquantaine|centaine|soixantaine|millier)|plusieurs (?:dizaines|centaines|milliers))")
_AMOUNT = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(milliards?|mds?|millions?|mns?|m|k|mille)?\s*(?:d['’]\s*euros|€|euros?\b|eur\b|m€|k€)",
    re.I)
_UNITS = {"milliard": 1e9, "milliards": 1e9, "md": 1e9, "mds": 1e9, "million": 1e6, "millions": 1e6, "mn": 1e6,
          "mns": 1e6, "m": 1e6, "k": 1e3, "mille": 1e3}
_PAST = (r"(?:dop[ée]e?s? par|apr[èe]s|depuis|gr[âa]ce [àa]|suite [àa]|renforc[ée]e?s? par|faute d['’]avoir (?:pu )?"
         r"(?:boucler|r[ée]ussi [àa] boucler)|un an apr[èe]s) (?:le|la|l['’]|son|sa|leur|une?)\s*"
         r"(?:r[ée]cente?\s+|derni[èe]re?\s+|premi[èe]re?\s+)?")

PATTERNS: dict[str, tuple[re.Pattern, re.Pattern | None]] = {
    "press_funding": (
        re.compile(_W + r"(lève|lèvent|levé|lever|levée de fonds|levée|tour de table|boucle une levée|"
                   r"augmentation de capital|s[ée]rie [a-d](?![\w'’])|financement (?:bridge|de (?:s[ée]rie|croissance|"
                   r"amor[çc]age))|obtient un financement|(?:réunit|obtient|sécurise)\s+(?:\S+\s+){0,2}?\d[\d,.]*\s*"
                   r"(?:millions?|milliards?|M€|k€))(?![\w])", re.I),
        re.compile(r"lève(?:nt)? le voile|levée de boucliers|levée du corps|levée des restrictions|"
                   + _PAST + r"(?:lev[ée]e|tour de table|s[ée]rie)|(?:qui )?a lev[ée] .{0,40}?l['’]an dernier|"
                   r"qui (?:a|avait) lev[ée]", re.I),
    ),
    "press_acquisition": (
        re.compile(_W + r"(rachète|rachètent|racheté|rachetée|rachat|acquiert|acquièrent|acquisition de|"
                   r"met la main sur|mettent la main sur|s['’]offre|fusionne avec|absorbe)(?![\w])", re.I),
        re.compile(r"rachat d['’]actions|rachat de crédits?|rachat de ses propres actions|"
                   + _PAST + r"(?:rachat|acquisition)|rachet[ée]e?s? .{0,40}?(?:l['’]an dernier|l['’]ann[ée]e "
                   r"derni[èe]re|il y a)|avons rachet[ée]|qui (?:a|avait) (?:rachet[ée]|acquis)", re.I),
    ),
    "press_hiring": (
        re.compile(_W + r"(recrute|recrutent|recruter|embauche|embauchent|embaucher|embauchés?|recrutés?|"
                   r"campagne de recrutement|" + _NUMBER + r"\s+(?:recrutements|embauches|recrues)|"
                   r"(?:ouvre|ouvrir|cherche|chercher|promet|crée|créé|créer|créera|prévoit)\s+(?:\w+\s+)?"
                   + _NUMBER + r"\s+[a-zé-]+)(?![\w])", re.I),
        re.compile(r"(recrut\w*|embauch\w*)\s+(?:\S+\s+){0,3}?(clients?|utilisateurs?|abonnés?|bénévoles?|"
                   r"adhérents?|membres?|testeurs?)\b|(?:supprim\w*|suppressions?|départs?|licenci\w*|plan social)"
                   r"[^.;]{0,60}", re.I),
    ),
    "press_closure": (
        re.compile(_W + r"(liquidation judiciaire|liquidation|cessation d['’]activité|cessation des paiements|"
                   r"dépose le bilan|ferme (?:définitivement )?ses portes|fermeture définitive|plan social|"
                   r"cessera (?:son activité|de fonctionner)|met la clé sous la porte|(?:ferme|fermer|fermera|"
                   r"fermeture de)\s+(?:son|sa|ses|l['’]|le|la)\s*(?:site|usine|centre|entrepôt|agence|agences|"
                   r"magasin|boutique|bureau|établissement|laboratoire))(?![\w])", re.I),
        re.compile(r"liquidation (?:des|de ses) stocks|liquidation totale|grande liquidation", re.I),
    ),
}
# A round or jobs belong to the sentence's subject; a deal or a closure also to the company it names after the verb
# ("Cisco rachète Azur", "la liquidation judiciaire de Chaville Informatique").
_ANY_POSITION = frozenset({"press_acquisition", "press_closure"})
# In one sentence saying several things, the gravest is the story: a closure, then a deal, a round, jobs.
_PRIORITY = ("press_closure", "press_acquisition", "press_funding", "press_hiring")
# Sentences end at spaces after . ! ? ; and at line breaks: r"(?<=[.!?;])\s+|\n+", written to start with the
# space it consumes (the regex engine then skips ahead to the next space instead of trying both branches everywhere).
_SENTENCE = re.compile(r"\s(?:(?<=[.!?;]\s)\s*|(?<=\n)\n*)")
_ANAPHORA = re.compile(r"^\s*(?:elle|il|on|nous|l['’]\s*\w+|la\s+\w+|le\s+\w+|cette\s+\w+|ce\s+\w+)\b", re.I)
_DESIGNATION_STARTS = re.compile(r"^\s*(?:elle|il|on|nous|l['’]\s*(?:entreprise|éditeur|opérateur|équipementier|"
                                 r"hébergeur|agence|application|assureur|électronicien|embouteilleur|ESN)|"
                                 r"(?:la|le|cette|ce)\s+(?:société|start-up|startup|jeune pousse|pépite|groupe|"
                                 r"fintech|healthtech|legaltech|edtech|PME|filiale|firme|marque|plateforme|"
                                 r"transporteur|constructeur|fabricant|cabinet|bureau))\b", re.I)


def parse_amount_eur(text: str) -> int | None:
    """'10 millions d'euros' -> 10000000, '1,5 M€' -> 1500000, '300 000 euros' -> 300000. None if absent."""
    text = re.sub(r"(?<=\d)[\s\u00a0\u202f](?=\d{3}\b)", "", text)
    m = _AMOUNT.search(text)
    if not m:
        return None
    value = float(m.group(1).replace(",", "."))
    unit = (m.group(2) or "").lower()
    tail = m.group(0).lower()
    if not unit and "m€" in tail:
        unit = "m"
    if not unit and "k€" in tail:
        unit = "k"
    return int(round(value * _UNITS.get(unit, 1)))


def sentences(title: str | None, text: str | None) -> list[str]:
    out = [title.strip()] if title and title.strip() else []
    out += [s.strip() for s in _SENTENCE.split(text or "") if s.strip()]
    return out


def _triggers(sentence: str) -> list[tuple[str, int]]:
    """(kind, position of the trigger) of every event kind the sentence says."""
    found = []
    low = None if _FOLDS_APART.search(sentence) else sentence.lower()
    for kind, (pattern, veto) in PATTERNS.items():
        if low is not None and not _KIND_STEMS[kind].search(low):
            continue  # the pattern cannot match without one of its stems (vetoes only blank text out)
        clean = veto.sub(lambda m: " " * len(m.group(0)), sentence) if veto is not None else sentence
        m = pattern.search(clean)
        if not m:
            continue
        if kind == "press_funding" and parse_amount_eur(clean) is None and not re.search(
                r"levée de fonds|tour de table|s[ée]rie [a-d]\b|augmentation de capital|financement", clean, re.I):
            continue  # "lève" alone (a barrier, a doubt) is not a round
        found.append((kind, m.start()))
    return found


def detect_events(sentence_list: list[str]) -> list[dict]:
    """Events found in these sentences: kind, amount_eur (funding only), the sentence as evidence. One per kind."""
    found: dict[str, dict] = {}
    for sentence in sentence_list:
        for kind, _ in _triggers(sentence):
            if kind not in found or (kind == "press_funding" and found[kind]["amount_eur"] is None):
                amount = parse_amount_eur(sentence) if kind == "press_funding" else None
                found[kind] = {"kind": kind, "amount_eur": amount, "sentence": sentence[:500]}
    return list(found.values())


def _first_position(low: str, surfaces: list[str]) -> int | None:
    """Where the first of the (lower-cased, non-empty) surfaces is in the lower-cased sentence `low`."""
    positions = [p for p in (low.find(s) for s in surfaces) if p >= 0]
    return min(positions) if positions else None


# Every pattern above starts with one of these stems: a story without any has no event (most stories).
_ANY_TRIGGER = re.compile(r"l[eè]v|rach|acqu|offr|main sur|fusionn|absorb|recrut|embauch|postes|emplois|recrues|"
                          r"liquidation|cessation|bilan|ferm|plan social|cessera|clé sous|s[ée]rie|capital|"
                          r"financement|réunit|obtient|sécurise|ouvr|cherch|promet|cr[ée]{2}|prévoit|tour de table",
                          re.I)
# The same search on the lower-cased text, without re.I: several times faster (the engine then skips ahead to a
# stem's first letter instead of trying every branch at every position) and exact, the stems being lower-case
# letters and spaces: a character lower-cases to the letter re.I folds it to, save these three (the dotless i, the
# long s, and the dotted capital I that lower-cases to two characters), for which the slow search is kept.
_ANY_TRIGGER_LOWER = re.compile(_ANY_TRIGGER.pattern)
_FOLDS_APART = re.compile("[\u0130\u0131\u017f]")


# Each kind's stems, as _ANY_TRIGGER_LOWER's (lower case, searched in the lower-cased sentence): a sentence without
# any of them skips that kind's veto and pattern.
_KIND_STEMS = {kind: re.compile(stems) for kind, stems in {
    "press_funding": r"lève|levé|lever|tour de table|augmentation de capital|s[ée]rie |financement|réunit|obtient|"
                     r"sécurise",
    "press_acquisition": r"rach|acqui|main sur|offre|fusionne|absorbe",
    "press_hiring": r"recrut|embauch|recrues|ouvr|cherch|promet|cré|prévoit",
    "press_closure": r"liquidation|cessation|dépose le bilan|ferme|plan social|cessera|clé sous la porte",
}.items()}
assert set(_KIND_STEMS) == set(PATTERNS)


def _has_trigger(text: str) -> bool:
    if _FOLDS_APART.search(text):
        return _ANY_TRIGGER.search(text) is not None
    return _ANY_TRIGGER_LOWER.search(text.lower()) is not None


def story_events(title: str | None, text: str | None, surfaces: dict[str, list[str]]) -> dict[str, dict]:
    """The main event of each company of a story (`surfaces`: siren -> the names it is written with there)."""
    events: dict[str, dict] = {}
    if not surfaces or not _has_trigger(f"{title or ''}\n{text or ''}"):
        return events
    previous_named: list[str] = []
    lowered = {siren: [s.lower() for s in names if s] for siren, names in surfaces.items()}
    for n, sentence in enumerate(sentences(title, text)):
        low = sentence.lower()
        where = {siren: pos for siren, names in lowered.items() if (pos := _first_position(low, names)) is not None}
        subjects = dict(where)
        if not where and len(previous_named) == 1 and _DESIGNATION_STARTS.match(sentence):
            subjects = {previous_named[0]: 0}  # "La start-up recrute ...": the company of the sentence before
        triggers = _triggers(sentence) if subjects and _has_trigger(sentence) else []
        for siren, pos in subjects.items():
            if siren in events and not (events[siren]["kind"] == "press_funding"
                                        and events[siren]["amount_eur"] is None):
                continue
            kinds = [kind for kind, at in triggers if pos <= at or kind in _ANY_POSITION]
            if not kinds:
                continue
            kind = min(kinds, key=_PRIORITY.index)
            if siren in events:  # a round the title told without its amount: the body gives it
                if kind == "press_funding" and events[siren]["kind"] == "press_funding":
                    events[siren]["amount_eur"] = parse_amount_eur(sentence)
                continue
            events[siren] = {"kind": kind, "amount_eur": parse_amount_eur(sentence) if kind == "press_funding"
                             else None, "sentence": sentence[:500], "from_title": n == 0 and bool(title)}
        if where:
            previous_named = list(where)
        elif not _ANAPHORA.match(sentence):
            previous_named = []
    return events


def company_events(title: str | None, text: str | None, surfaces: list[str]) -> list[dict]:
    """The main event of one company in a story, as a list (empty or one event)."""
    event = story_events(title, text, {"_": [s for s in surfaces if s]}).get("_")
    return [event] if event else []
