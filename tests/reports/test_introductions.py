"""« Mises en relation » on hand-made cases: each rule, then ranking, de-duplication, exclusion and caps."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from radar.config import ConfigError
from reports.introductions import (
    Firm,
    IntroductionConfig,
    Mention,
    Pair,
    config_from_territory,
    distance_km,
    rank_pairs,
    rule_difficulty_peer,
    rule_new_neighbour,
    rule_same_story,
    suggest,
)

# Issy-les-Moulineaux town hall, a point 1.1 km east, one 5.9 km north-east (Paris 15e/7e), one with no coordinates.
ISSY = (48.8240, 2.2700)
CFG = IntroductionConfig(complementary={"62.01Z": ("63.11Z", "70.22Z")}, distance_km=3.0, peer_distance_km=8.0)


def firm(siren, name, naf, lat=None, lon=None, commune="92040", rank=0, procedure=None) -> Firm:
    return Firm(siren=siren, name=name, naf_code=naf, naf_label=f"activité {naf}", commune_code=commune,
                commune_name="Issy-les-Moulineaux", latitude=lat, longitude=lon, headcount_rank=rank,
                procedure=procedure)


NEW = firm("100000001", "JEUNE POUSSE", "62.01Z", *ISSY)
HOST = firm("200000002", "HEBERGEUR PROCHE", "63.11Z", ISSY[0], ISSY[1] + 0.015)  # ~1.1 km
FAR = firm("300000003", "HEBERGEUR LOIN", "63.11Z", ISSY[0] + 0.035, ISSY[1] + 0.06)  # ~5.5 km
SAME = firm("400000004", "CONCURRENT", "62.01Z", *ISSY)  # same activity: not complementary
ADVISOR = firm("500000005", "CONSEIL SANS COORDONNEES", "70.22Z")  # same commune, no coordinates
HIDDEN = firm("600000006", None, "63.11Z", *ISSY)  # partially diffusible individual: no published name


def test_distance_is_a_great_circle_in_km():
    assert distance_km(NEW, HOST) == pytest.approx(1.1, abs=0.05)
    assert distance_km(NEW, FAR) == pytest.approx(5.87, abs=0.05)  # 3.89 km north, 4.40 km east
    assert distance_km(NEW, ADVISOR) is None


def test_new_company_meets_complementary_neighbours_only():
    pairs = rule_new_neighbour([NEW], [HOST, FAR, SAME, ADVISOR, HIDDEN], CFG)
    by_other = {next(s for s in p.key if s != NEW.siren): p for p in pairs}
    assert set(by_other) == {HOST.siren, ADVISOR.siren}  # not too far, not the same activity, not unnamed
    assert by_other[HOST.siren].score > by_other[ADVISOR.siren].score  # 1.1 km beats "same commune" (1.5 km)
    # A pair keeps facts, never a sentence with names (T39): the reason is written when published.
    assert by_other[HOST.siren].facts == {"new": NEW.siren, "distance_km": 1.1}
    assert by_other[ADVISOR.siren].facts == {"new": NEW.siren, "distance_km": None}  # same commune
    wider = rule_new_neighbour([NEW], [FAR], replace(CFG, distance_km=6.0))
    assert len(wider) == 1  # the distance is configurable


def test_the_complementary_table_reads_both_ways():
    established_developer = firm("700000007", "EDITEUR INSTALLE", "62.01Z", *ISSY)
    new_host = firm("800000008", "NOUVEL HEBERGEUR", "63.11Z", *ISSY)
    assert len(rule_new_neighbour([new_host], [established_developer], CFG)) == 1


def test_companies_in_the_same_story():
    firms = {f.siren: f for f in (NEW, HOST, FAR, HIDDEN)}
    mentions = [Mention("a1", s, c)
                for s, c in ((NEW.siren, 0.9), (HOST.siren, 0.8), (FAR.siren, 0.4), (HIDDEN.siren, 1.0))]
    pairs = rule_same_story(mentions, firms, CFG)
    assert [p.key for p in pairs] == [tuple(sorted((NEW.siren, HOST.siren)))]  # FAR below min confidence
    assert pairs[0].score == pytest.approx(0.8 * 0.8)
    assert pairs[0].facts == {"article_id": "a1"}


def test_company_in_difficulty_meets_larger_peers_of_its_activity():
    troubled = firm("900000009", "EN REDRESSEMENT", "62.01Z", *ISSY, procedure="Redressement judiciaire")
    small = firm("110000001", "PETIT EDITEUR", "62.01Z", *ISSY, rank=1)
    large = firm("120000002", "GRAND EDITEUR", "62.01Z", ISSY[0], ISSY[1] + 0.015, rank=6)
    other = firm("130000003", "HEBERGEUR", "63.11Z", *ISSY, rank=6)
    also_troubled = firm("140000004", "AUSSI EN DIFFICULTE", "62.01Z", *ISSY, rank=6)
    pairs = rule_difficulty_peer([troubled, also_troubled], [small, large, other, also_troubled], CFG)
    mine = sorted((p for p in pairs if troubled.siren in p.key), key=lambda p: -p.score)
    assert [next(s for s in p.key if s != troubled.siren) for p in mine] == [large.siren, small.siren]
    assert all(also_troubled.siren not in p.key or troubled.siren not in p.key for p in pairs)
    assert mine[0].facts == {"troubled": troubled.siren, "procedure": "Redressement judiciaire",
                             "distance_km": pytest.approx(1.1, abs=0.05)}


def test_ranking_dedupes_excludes_recent_pairs_and_caps():
    p = lambda a, b, rule, score: Pair(*sorted((a, b)), rule, {"first": a}, score)
    pairs = [p("1", "2", "same_story", 0.5), p("2", "1", "new_neighbour", 0.9),  # one couple, best rule kept
             p("3", "4", "new_neighbour", 0.8), p("5", "6", "difficulty_peer", 0.7),
             p("1", "7", "same_story", 0.6), p("1", "8", "same_story", 0.55)]
    ranked = rank_pairs(pairs, {("3", "4")}, replace(CFG, max_pairs=10, max_per_company=2))
    assert [(r.key, r.rule) for r in ranked] == [(("1", "2"), "new_neighbour"), (("5", "6"), "difficulty_peer"),
                                                 (("1", "7"), "same_story")]  # ("1","8"): "1" already twice
    assert len(rank_pairs(pairs, set(), replace(CFG, max_pairs=2))) == 2
    assert rank_pairs(pairs, set(), CFG) == rank_pairs(list(reversed(pairs)), set(), CFG)  # order-independent


def test_suggest_uses_only_the_enabled_rules():
    cfg = replace(CFG, rules=("same_story",))
    out = suggest(cfg, new=[NEW], established=[HOST], in_difficulty=[], mentions=[], firms={},
                  already_suggested=set())
    assert out == []


def test_configuration_from_the_territory_file():
    cfg = config_from_territory({"introductions": {
        "max_pairs": 5, "distance_km": 1.5, "exclude_months": 3, "rules": ["new_neighbour", "same_story"],
        "weights": {"same_story": 2.0}, "complementary": {"62.01Z": ["70.22Z"]}}})
    assert (cfg.max_pairs, cfg.distance_km, cfg.exclude_months) == (5, 1.5, 3)
    assert cfg.rules == ("new_neighbour", "same_story") and cfg.weights["same_story"] == 2.0
    assert cfg.weights["new_neighbour"] == 1.0 and cfg.complementary == {"62.01Z": ("70.22Z",)}
    assert config_from_territory({}) == IntroductionConfig()
    with pytest.raises(ConfigError, match="unknown rule"):
        config_from_territory({"introductions": {"rules": ["astrology"]}})


def test_the_rules_on_the_demo_snapshot_with_press_and_bodacc(demo_snapshot):
    """The inputs read from the snapshot the pipeline publishes (same SQL as on the warehouse's pub views) feed
    the rules: the month's new companies, the BODACC procedures and the press mentions."""
    import duckdb

    from reports.introduction_inputs import gather
    from tests.snapshots import DEMO_MONTH

    month = date.fromisoformat(DEMO_MONTH + "-01")
    con = duckdb.connect(str(demo_snapshot), read_only=True)
    try:
        inputs = gather(con, month, CFG, schema="main")
        hidden = {s for (s,) in con.execute("SELECT siren FROM company WHERE name IS NULL").fetchall()}
        mentioned = {s for (s,) in con.execute("SELECT siren FROM article_mention WHERE month = ?",
                                               [month]).fetchall()}
    finally:
        con.close()
    assert inputs["new"] and inputs["established"] and inputs["in_difficulty"]
    assert all(f.procedure for f in inputs["in_difficulty"])
    assert {m.siren for m in inputs["mentions"]} == mentioned and mentioned
    assert not hidden & {s for s, f in inputs["firms"].items() if f.name}  # no published name, none used
    pairs = suggest(replace(CFG, max_pairs=50, max_per_company=50), already_suggested=set(), **{
        k: inputs[k] for k in ("new", "established", "in_difficulty", "mentions", "firms")})
    assert {"new_neighbour", "difficulty_peer"} <= {p.rule for p in pairs}
    assert all(not hidden & set(p.key) for p in pairs)
