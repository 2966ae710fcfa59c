"""Typed press events from French wording: funding, acquisition, hiring, closure (with the amount when given).

Patterns are matched on sentences that name the company (the title counts as a sentence). Deliberately not
matched: "relève", "soulève" (not "lève"), "lève le voile", "recrutement de ses clients" / "recrute des
clients", "liquidation des stocks", "rachat d'actions".
"""

from __future__ import annotations

import re

_W = r"(?<![\w'’-])"  # start of a word (so "relève" never matches "lève")
_AMOUNT = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(milliards?|mds?|millions?|mns?|m|k|mille)?\s*(?:d['’]\s*euros|€|euros?\b|eur\b|m€|k€)",
    re.I)
_UNITS = {"milliard": 1e9, "milliards": 1e9, "md": 1e9, "mds": 1e9, "million": 1e6, "millions": 1e6, "mn": 1e6,
          "mns": 1e6, "m": 1e6, "k": 1e3, "mille": 1e3}

PATTERNS: dict[str, tuple[re.Pattern, re.Pattern | None]] = {
    "press_funding": (
        re.compile(_W + r"(lève|lèvent|levé|lever|levée de fonds|levée|tour de table|boucle une levée|"
                   r"finance(?:ment)? de (?:série|serie) [a-d])" r"(?![\w])", re.I),
        re.compile(r"lève(?:nt)? le voile|levée de boucliers|levée du corps|levée des restrictions", re.I),
    ),
    "press_acquisition": (
        re.compile(_W + r"(rachète|rachètent|racheté|rachetée|rachat|acquiert|acquièrent|acquisition de|"
                   r"met la main sur|mettent la main sur|s['’]offre|fusionne avec|absorbe)(?![\w])", re.I),
        re.compile(r"rachat d['’]actions|rachat de crédits?|rachat de ses propres actions", re.I),
    ),
    "press_hiring": (
        re.compile(_W + r"(recrute|recrutent|recruter|embauche|embauchent|embaucher|\d+\s+recrutements|"
                   r"\d+\s+embauches|\d+\s+postes)(?![\w])", re.I),
        re.compile(r"(recrut\w*|embauch\w*)\s+(?:\S+\s+){0,3}?(clients?|utilisateurs?|abonnés?|bénévoles?|"
                   r"adhérents?|membres?|testeurs?)\b", re.I),
    ),
    "press_closure": (
        re.compile(_W + r"(liquidation judiciaire|liquidation|cessation d['’]activité|cessation des paiements|"
                   r"dépose le bilan|ferme (?:définitivement )?ses portes|fermeture définitive)(?![\w])", re.I),
        re.compile(r"liquidation (?:des|de ses) stocks|liquidation totale|grande liquidation", re.I),
    ),
}
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


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


def detect_events(sentence_list: list[str]) -> list[dict]:
    """Events found in these sentences: kind, amount_eur (funding only), the sentence as evidence. One per kind."""
    found: dict[str, dict] = {}
    for sentence in sentence_list:
        for kind, (pattern, veto) in PATTERNS.items():
            if kind in found and (kind != "press_funding" or found[kind]["amount_eur"] is not None):
                continue
            clean = veto.sub(" ", sentence) if veto is not None else sentence
            if not pattern.search(clean):
                continue
            amount = parse_amount_eur(clean) if kind == "press_funding" else None
            if kind == "press_funding" and amount is None and not re.search(r"levée de fonds|tour de table|série [a-d]",
                                                                             clean, re.I):
                continue  # "lève" alone (a barrier, a doubt) is not a round
            found[kind] = {"kind": kind, "amount_eur": amount, "sentence": sentence[:500]}
    return list(found.values())


def company_events(title: str | None, text: str | None, surfaces: list[str]) -> list[dict]:
    """Events in the sentences that name the company (any of its surfaces as written in the article)."""
    keys = [s.lower() for s in surfaces if s]
    picked = [s for s in sentences(title, text) if any(k in s.lower() for k in keys)]
    return detect_events(picked)
