"""« Mises en relation »: pairs of companies of the territory that should meet, each with the facts of its reason.

Three rules, each a pure function over plain records (hand-made in tests, read from the masked `pub` views
or the snapshot in production):
- `new_neighbour`: a company created this month and an established company of a complementary activity
  (a configurable table of NAF codes, read both ways) within a distance;
- `same_story`: two companies mentioned in the same press story of the month;
- `difficulty_peer`: a company under an insolvency procedure and established companies of the same activity
  nearby, the larger first, that could take it over or help.
`rank_pairs` then keeps one pair per couple of SIRENs (best score), drops pairs already suggested in the last
months, limits how often one company appears, and caps the list. Units without a published name (partially
diffusible individuals) never take part.

A pair keeps facts, never a sentence: who is new or in difficulty, the distance, the procedure, the article.
The published view (`pub.introduction`, warehouse/sql/views_delivery.sql) writes the French sentence from them and
from the masked names each time it is published, so a name is never stored and never outlives its consent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

RULES = ("new_neighbour", "same_story", "difficulty_peer")
RULE_LABELS = {"new_neighbour": "Nouvelle entreprise et voisine complémentaire",
               "same_story": "Citées dans le même article",
               "difficulty_peer": "Entreprise en difficulté et entreprise de même activité"}
# Activities that work together: software publishers, services, hosting, hardware, consulting, content.
DEFAULT_COMPLEMENTARY = {
    "62.01Z": ("62.02A", "62.03Z", "63.11Z", "58.29C", "70.22Z", "73.11Z"),
    "62.02A": ("62.01Z", "58.29C", "63.11Z", "70.22Z"),
    "62.02B": ("62.03Z", "95.11Z", "46.51Z"),
    "62.03Z": ("62.01Z", "63.11Z", "61.10Z"),
    "62.09Z": ("62.01Z", "62.02A"),
    "63.11Z": ("62.01Z", "62.03Z", "61.10Z", "63.12Z"),
    "63.12Z": ("58.29C", "73.11Z", "58.14Z", "59.11A"),
    "58.21Z": ("62.01Z", "59.11B", "73.11Z"),
    "58.29A": ("62.02A", "62.01Z"),
    "58.29B": ("62.01Z", "72.19Z"),
    "58.29C": ("62.01Z", "62.02A", "63.11Z", "70.22Z"),
    "26.20Z": ("46.51Z", "62.02B", "95.11Z"),
    "26.11Z": ("26.12Z", "26.30Z", "72.19Z"),
    "61.10Z": ("61.20Z", "63.11Z", "62.03Z"),
    "61.20Z": ("61.10Z", "26.30Z"),
}


@dataclass(frozen=True)
class Firm:
    siren: str
    name: str | None
    naf_code: str | None = None
    naf_label: str | None = None
    commune_code: str | None = None
    commune_name: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    headcount_rank: int = 0  # rank of the headcount band, 0 when unknown or none
    procedure: str | None = None  # for companies in difficulty


@dataclass(frozen=True)
class Mention:
    article_id: str
    siren: str
    confidence: float


@dataclass(frozen=True)
class Pair:
    siren_a: str
    siren_b: str
    rule: str
    facts: dict
    score: float

    @property
    def key(self) -> tuple[str, str]:
        return (self.siren_a, self.siren_b)


@dataclass(frozen=True)
class IntroductionConfig:
    rules: tuple[str, ...] = RULES
    weights: dict = field(default_factory=lambda: {"new_neighbour": 1.0, "same_story": 0.8, "difficulty_peer": 1.2})
    complementary: dict = field(default_factory=lambda: dict(DEFAULT_COMPLEMENTARY))
    distance_km: float = 3.0
    peer_distance_km: float = 8.0
    min_confidence: float = 0.6
    max_pairs: int = 10
    max_per_company: int = 2
    exclude_months: int = 6
    established_min_months: int = 24
    open_procedure_months: int = 12


def config_from_territory(raw: dict) -> IntroductionConfig:
    """`[introductions]` of the territory TOML; absent keys keep the defaults."""
    section = dict(raw.get("introductions", {}))
    base = IntroductionConfig()
    rules = tuple(section.pop("rules", base.rules))
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        from radar.config import ConfigError
        raise ConfigError(f"introductions.rules: unknown rule(s) {', '.join(unknown)}; known: {', '.join(RULES)}")
    weights = {**base.weights, **section.pop("weights", {})}
    complementary = section.pop("complementary", None)
    complementary = ({k: tuple(v) for k, v in complementary.items()} if complementary is not None
                     else base.complementary)
    scalars = {k: type(getattr(base, k))(v) for k, v in section.items() if hasattr(base, k)}
    return replace(base, rules=rules, weights=weights, complementary=complementary, **scalars)


def distance_km(a: Firm, b: Firm) -> float | None:
    """Great-circle distance; None without coordinates (then only the same commune counts as near)."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    la1, lo1, la2, lo2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _nearness(a: Firm, b: Firm, limit: float) -> tuple[float | None, float] | None:
    """(distance in km, proximity factor in [0.5, 1]) if near enough; the same commune without coordinates has
    no distance and scores as half the limit."""
    d = distance_km(a, b)
    if d is None:
        if not a.commune_code or a.commune_code != b.commune_code:
            return None
        return None, 0.75
    if d > limit:
        return None
    return round(d, 1), 1.0 - 0.5 * d / limit if limit else 1.0


def _pair(x: str, y: str, rule: str, facts: dict, score: float) -> Pair:
    a, b = sorted((x, y))
    return Pair(a, b, rule, facts, round(score, 4))


def _named(firms) -> list[Firm]:
    return [f for f in firms if f.name]


def complementary_codes(table: dict) -> dict[str, set[str]]:
    """The table read both ways: if A lists B, B complements A too."""
    both: dict[str, set[str]] = {}
    for code, others in table.items():
        for other in others:
            if other != code:
                both.setdefault(code, set()).add(other)
                both.setdefault(other, set()).add(code)
    return both


def rule_new_neighbour(new: list[Firm], established: list[Firm], cfg: IntroductionConfig) -> list[Pair]:
    table = complementary_codes(cfg.complementary)
    weight = cfg.weights.get("new_neighbour", 1.0)
    pairs = []
    for n in _named(new):
        for e in _named(established):
            if e.siren == n.siren or e.naf_code not in table.get(n.naf_code, ()):
                continue
            near = _nearness(n, e, cfg.distance_km)
            if near is None:
                continue
            d, factor = near
            pairs.append(_pair(n.siren, e.siren, "new_neighbour", {"new": n.siren, "distance_km": d},
                               weight * factor))
    return pairs


def rule_same_story(mentions: list[Mention], firms: dict[str, Firm], cfg: IntroductionConfig) -> list[Pair]:
    weight = cfg.weights.get("same_story", 1.0)
    by_article: dict[str, list[Mention]] = {}
    for m in mentions:
        firm = firms.get(m.siren)
        if m.confidence >= cfg.min_confidence and firm is not None and firm.name:
            by_article.setdefault(m.article_id, []).append(m)
    pairs = []
    for article_id in sorted(by_article):
        cited = {m.siren: m for m in sorted(by_article[article_id], key=lambda m: -m.confidence)}
        sirens = sorted(cited)
        for i, x in enumerate(sirens):
            for y in sirens[i + 1:]:
                pairs.append(_pair(x, y, "same_story", {"article_id": article_id},
                                   weight * min(cited[x].confidence, cited[y].confidence)))
    return pairs


def rule_difficulty_peer(in_difficulty: list[Firm], established: list[Firm], cfg: IntroductionConfig) -> list[Pair]:
    weight = cfg.weights.get("difficulty_peer", 1.0)
    troubled = {f.siren for f in in_difficulty}
    top_rank = max([e.headcount_rank for e in established] + [1])
    pairs = []
    for t in _named(in_difficulty):
        for e in _named(established):
            if e.siren in troubled or not t.naf_code or e.naf_code != t.naf_code:
                continue
            near = _nearness(t, e, cfg.peer_distance_km)
            if near is None:
                continue
            d, factor = near
            size = 0.6 + 0.4 * e.headcount_rank / top_rank
            facts = {"troubled": t.siren, "procedure": t.procedure, "distance_km": d}
            pairs.append(_pair(t.siren, e.siren, "difficulty_peer", facts, weight * factor * size))
    return pairs


def rank_pairs(pairs: list[Pair], already_suggested: set[tuple[str, str]], cfg: IntroductionConfig) -> list[Pair]:
    """Best pair per couple, minus recent suggestions, at most `max_per_company` each, capped at `max_pairs`."""
    best: dict[tuple[str, str], Pair] = {}
    for p in pairs:
        if p.key in already_suggested:
            continue
        kept = best.get(p.key)
        if kept is None or (p.score, p.rule) > (kept.score, kept.rule):
            best[p.key] = p
    ranked = sorted(best.values(), key=lambda p: (-p.score, p.rule, p.siren_a, p.siren_b))
    chosen, seen = [], {}
    for p in ranked:
        if len(chosen) >= cfg.max_pairs:
            break
        if seen.get(p.siren_a, 0) >= cfg.max_per_company or seen.get(p.siren_b, 0) >= cfg.max_per_company:
            continue
        chosen.append(p)
        for s in p.key:
            seen[s] = seen.get(s, 0) + 1
    return chosen


def suggest(cfg: IntroductionConfig, *, new: list[Firm], established: list[Firm], in_difficulty: list[Firm],
            mentions: list[Mention], firms: dict[str, Firm],
            already_suggested: set[tuple[str, str]]) -> list[Pair]:
    pairs: list[Pair] = []
    if "new_neighbour" in cfg.rules:
        pairs += rule_new_neighbour(new, established, cfg)
    if "same_story" in cfg.rules:
        pairs += rule_same_story(mentions, firms, cfg)
    if "difficulty_peer" in cfg.rules:
        pairs += rule_difficulty_peer(in_difficulty, established, cfg)
    return rank_pairs(pairs, already_suggested, cfg)

