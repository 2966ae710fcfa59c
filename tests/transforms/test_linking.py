"""Name normalisation, company linking (blocking, disambiguation, confidence) and press events."""

import hashlib
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.linking import CONFIDENT, CompanyIndex, link_articles, link_text, territory_mentions
from transforms.linking_eval import evaluate_linking, read_eval_set
from transforms.names import LEGAL_FORMS, normalize_name, normalize_text
from transforms.press_events import company_events, detect_events, parse_amount_eur

EVAL_SET = Path(__file__).resolve().parents[1] / "fixtures" / "linking" / "eval_set.jsonl"
EVAL_SET_SHA256 = "7a4a123f39638597ee79f6752639634c235552f79c65363573f7c71b4b19875d"
# Hand-written sets (companies A-L for dev, M-Z for test, written apart): the linker is tuned on the dev set only;
# the test set's hash was committed before any tuning, so its score stays a measure of unseen text.
DEV_SET = EVAL_SET.with_name("dev_set.jsonl")
DEV_SET_SHA256 = "07243ab760a7d5839618ba9742c43dc042f61bec537b3b1bdddb0b543c638690"
TEST_SET = EVAL_SET.with_name("test_set.jsonl")
TEST_SET_SHA256 = "d208c3c6f95b17b8e9cab6eb52d4bad0700cceb6aef8a716bd8daf5902273a5a"
COMMUNES = ["Boulogne-Billancourt", "Issy-les-Moulineaux", "Meudon", "Sèvres", "Vanves", "Chaville"]

# -- names ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw,key", [
    ("Groupe Orange S.A.", "orange"), ("ORANGE SA", "orange"), ("orange", "orange"),
    ("Sèvres SAS", "sevres"), ("SÈVRES", "sevres"), ("Société Générale", "generale"),
    ("L'Œuvre SARL", "l oeuvre"), ("Issy-Data-Labs", "issy data labs"), ("AT&T", "at et t"), ("SAS", "sas"),
])
def test_normalize_name(raw, key):
    assert normalize_name(raw) == key


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_normalize_name_is_idempotent_and_ascii(text):
    key = normalize_name(text)
    assert normalize_name(key) == key
    assert key == key.strip() and "  " not in key
    assert all(c.isascii() and (c.isalnum() or c == " ") for c in key)
    assert key == key.lower()


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæABCDEÉÈÀÇ", min_size=1, max_size=20),
       st.sampled_from(sorted(LEGAL_FORMS)), st.booleans())
def test_case_accents_and_legal_forms_do_not_count(word, form, upper):
    base = normalize_name(word)
    if not base or base in LEGAL_FORMS or any(t in LEGAL_FORMS for t in base.split()):
        return
    variant = f"{word.upper() if upper else word.lower()} {form.upper()}"
    assert normalize_name(variant) == normalize_name(word.upper()) == base
    assert normalize_text(word) == normalize_text(word.swapcase())


# -- the labelled set ---------------------------------------------------------------------------------------------


def test_eval_set_is_frozen_and_large_enough():
    data = EVAL_SET.read_bytes()
    assert hashlib.sha256(data).hexdigest() == EVAL_SET_SHA256, "labels are frozen: never edit them to fit"
    rows = read_eval_set(EVAL_SET)
    assert len(rows) >= 300
    cats = {r["category"] for r in rows if not r["label"]}
    assert {"neg_fruit", "neg_colour", "neg_adjective", "neg_town", "neg_surname", "neg_substring"} <= cats


@pytest.mark.parametrize("path,sha256", [(DEV_SET, DEV_SET_SHA256), (TEST_SET, TEST_SET_SHA256)])
def test_hand_written_sets_are_frozen_and_cover_the_traps(path, sha256):
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256, "labels are frozen: never edit them to fit"
    rows = read_eval_set(path)
    articles = {r["id"].split("-")[0] for r in rows}
    companies = {r["company"]["siren"] for r in rows}
    assert len(articles) >= 200 and len(companies) >= 40
    cats = {r["category"] for r in rows}
    assert {"positive_brand", "positive_descriptor", "positive_multi", "neg_common_word", "neg_town", "neg_person",
            "neg_unit", "neg_parent_vs_subsidiary", "neg_no_company"} <= cats


def test_linker_meets_the_quality_goal_on_the_labelled_set():
    scores = evaluate_linking(read_eval_set(EVAL_SET))
    assert scores["precision"] >= 0.95 and scores["recall"] >= 0.85, scores["errors"][:10]
    assert scores["event_precision"] >= 0.9


# -- disambiguation -----------------------------------------------------------------------------------------------

COMPANIES = pd.DataFrame([
    {"siren": "380129866", "name": "ORANGE", "sigle": None, "aliases": [], "naf_code": "61.10Z"},
    {"siren": "602036444", "name": "ACCOR", "sigle": None, "aliases": [], "naf_code": "55.10Z"},
    {"siren": "123456782", "name": "ISSY DATA LABS", "sigle": None, "aliases": [], "naf_code": "63.11Z"},
    {"siren": "234567899", "name": "TELECOM HORIZON FRANCE", "sigle": "THF", "aliases": [], "naf_code": "61.20Z"},
    {"siren": "345678906", "name": "SEVRES", "sigle": None, "aliases": ["SEVRES SAS"], "naf_code": "62.01Z"},
    {"siren": "456789013", "name": "OLINDA", "sigle": None, "aliases": ["QONTO"], "naf_code": "64.19Z"},
])


@pytest.fixture(scope="module")
def index():
    return CompanyIndex(COMPANIES, commune_names=COMMUNES)


def confident(index, title, text=""):
    return {m["siren"]: m for m in link_text(index, title, text) if m["confident"]}


@pytest.mark.parametrize("title,text", [
    ("Le prix du jus d'orange s'envole", "Une orange coûte plus cher."),
    ("Vigilance orange sur le département", ""),
    ("Orange sanguine : la saison commence", "Les oranges de Sicile arrivent."),
    ("Un accord trouvé", "Les syndicats ont signé un accord."),
    ("Sèvres : la Cité de la céramique rouvre", "Le musée de Sèvres expose."),
    ("Data labs à Issy", "Les data labs se multiplient à Issy."),
    ("Le THF, un solvant", "Le THF est utilisé en chimie."),
])
def test_hard_negatives_are_not_linked(index, title, text):
    assert confident(index, title, text) == {}


@pytest.mark.parametrize("title,text,siren,method", [
    ("L'opérateur Orange lance une offre", "", "380129866", "name+descriptor"),
    ("Orange, l'opérateur historique, recrute", "", "380129866", "name+descriptor"),
    ("Le groupe hôtelier Accor rachète une chaîne", "", "602036444", "name"),
    ("Issy Data Labs lève 12 millions d'euros", "", "123456782", "name"),
    ("Qonto ouvre un bureau", "", "456789013", "alias"),
    ("Sèvres SAS recrute", "", "345678906", "name+legal_form"),
    ("Nouvelle directrice chez Sèvres", "La société Sèvres (SIREN 345 678 906) change de tête.", "345678906", "siren"),
    ("THF signe avec la RATP", "Telecom Horizon France (THF) équipera le réseau.", "234567899", "name"),
])
def test_positives_are_linked_with_their_method(index, title, text, siren, method):
    found = confident(index, title, text)
    assert siren in found and found[siren]["method"] == method
    assert found[siren]["confidence"] >= CONFIDENT


def test_unconfirmed_mentions_are_kept_but_not_confident(index):
    mentions = link_text(index, "Orange : le mot du jour", "Un mot court.")
    assert [(m["siren"], m["confident"]) for m in mentions] == [("380129866", False)]


def test_link_articles_frame_has_types():
    idx = CompanyIndex(COMPANIES, commune_names=COMMUNES)
    arts = pd.DataFrame({"article_id": ["a1", "a2"], "title": ["Issy Data Labs recrute", "Rien"],
                         "description": ["", None], "body_text": [None, "texte"]})
    out = link_articles(idx, arts)
    assert out["article_id"].tolist() == ["a1"] and out["confidence"].dtype == "float64"


def test_blocking_cost_does_not_grow_with_the_number_of_companies():
    many = pd.DataFrame({"siren": [f"{i:09d}" for i in range(20_000)],
                         "name": [f"ENTREPRISE NUMERO {i} TECH" for i in range(20_000)],
                         "sigle": None, "aliases": [[] for _ in range(20_000)], "naf_code": "62.01Z"})
    small, big = CompanyIndex(COMPANIES), CompanyIndex(pd.concat([COMPANIES, many], ignore_index=True))
    text = "Issy Data Labs lève 12 millions d'euros. " * 40

    def per_article(idx):
        start = time.perf_counter()
        for _ in range(20):
            link_text(idx, "Titre", text)
        return (time.perf_counter() - start) / 20

    t_small, t_big = per_article(small), per_article(big)
    assert t_big < max(5 * t_small, 0.05)
    assert "123456782" in confident(big, "Issy Data Labs recrute")


def test_territory_articles_need_a_tech_context():
    communes = COMMUNES + ["GPSO"]
    assert territory_mentions(communes, "Un campus numérique à Boulogne-Billancourt", "start-up") == \
        ["Boulogne-Billancourt"]
    assert territory_mentions(communes, "Vanves : le marché couvert rénové", "Les travaux s'achèvent.") == []


# -- press events -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,amount", [
    ("X lève 10 millions d'euros", 10_000_000), ("une levée de 1,5 M€", 1_500_000),
    ("un tour de 300 000 euros", 300_000), ("2 milliards d'euros", 2_000_000_000), ("sans montant", None),
])
def test_amounts(text, amount):
    assert parse_amount_eur(text) == amount


@pytest.mark.parametrize("sentence,kinds", [
    ("Issy Data Labs lève 10 millions d'euros", {"press_funding"}),
    ("Issy Data Labs relève ses prévisions", set()),
    ("Issy Data Labs lève le voile sur sa stratégie", set()),
    ("Issy Data Labs rachète Kaliweb", {"press_acquisition"}),
    ("Issy Data Labs annonce un rachat d'actions", set()),
    ("Issy Data Labs recrute 40 ingénieurs", {"press_hiring"}),
    ("Chez Issy Data Labs, le recrutement de ses clients passe par des agents", set()),
    ("Issy Data Labs recrute de nouveaux clients en Europe", set()),
    ("Issy Data Labs placée en liquidation judiciaire", {"press_closure"}),
    ("Grande liquidation des stocks chez Issy Data Labs", set()),
])
def test_press_event_wording(sentence, kinds):
    assert {e["kind"] for e in detect_events([sentence])} == kinds


def test_events_come_from_sentences_naming_the_company():
    events = company_events("Marché tech", "Kaliweb lève 5 millions d'euros. Issy Data Labs ouvre un bureau.",
                            ["Issy Data Labs"])
    assert events == []


# -- names as the press writes them, traps of every kind (companies and texts written for these tests) -------------

TRAP_COMPANIES = pd.DataFrame([{"siren": s, "name": n, "sigle": g, "aliases": [], "naf_code": naf, "commune": c}
                               for s, n, g, naf, c in [
    ("100000001", "MICROSOFT FRANCE", None, "62.01Z", "Issy-les-Moulineaux"),
    ("100000002", "NUAGE", None, "63.11Z", "Meudon"),
    ("100000003", "PLUME", None, "58.29C", "Vanves"),
    ("100000004", "MOREAU", None, "26.11Z", "Sèvres"),
    ("100000005", "OSCAR", None, "62.01Z", "Boulogne-Billancourt"),
    ("100000006", "TELEVISION FRANCAISE 1", "TF1", "60.20A", "Boulogne-Billancourt"),
    ("100000007", "TF1 PUBLICITE", None, "73.12Z", "Boulogne-Billancourt"),
    ("100000008", "RENAULT", None, "29.10Z", "Boulogne-Billancourt"),
    ("100000009", "ORANGE", None, "61.10Z", "Issy-les-Moulineaux"),
    ("100000010", "ORANGE BUSINESS SERVICES", None, "61.10Z", "Issy-les-Moulineaux"),
    ("100000011", "WATT", None, "35.11Z", "Meudon"),
    ("100000012", "VANVES TECH", None, "62.01Z", "Vanves"),
    ("100000013", "SAFRAN", None, "30.30Z", "Issy-les-Moulineaux"),
    ("100000014", "SAFRAN ELECTRONICS & DEFENSE", None, "26.51A", "Boulogne-Billancourt"),
    ("100000015", "THALES DIS FRANCE", None, "26.11Z", "Meudon"),
    ("100000016", "SYSTEMES D'INFORMATION GEOGRAPHIQUE", "SIG", "62.02A", "Meudon"),
    ("100000017", "KELVIN", None, "26.51A", "Meudon"),
]])


@pytest.fixture(scope="module")
def traps():
    return CompanyIndex(TRAP_COMPANIES, commune_names=COMMUNES)


@pytest.mark.parametrize("title,text,names", [
    ("Microsoft investit 4 milliards d'euros en France", "Le géant américain annonce un plan.", {"MICROSOFT FRANCE"}),
    ("Nuage, l'hébergeur meudonnais, lève 3 millions d'euros", "", {"NUAGE"}),
    ("Le nuage de cendres perturbe le trafic aérien", "Un nuage venu d'Islande.", set()),
    ("Plume recrute 20 développeurs", "L'entreprise de Vanves veut doubler ses effectifs.", {"PLUME"}),
    ("Une plume de paon vendue aux enchères", "La Plume d'or récompense un auteur.", set()),
    ("Jean Moreau élu maire adjoint", "Jean Moreau, 54 ans, succède à Pierre Moreau.", set()),
    ("L'ancien ministre Moreau publie ses mémoires", "", set()),
    ("Moreau ouvre une seconde usine à Sèvres", "L'entreprise fabrique des circuits électroniques.", {"MOREAU"}),
    ("Oscar, 7 ans, champion de France d'échecs", "Oscar joue depuis ses 4 ans.", set()),
    ("Oscar lève 5 millions d'euros", "La start-up boulonnaise Oscar édite un logiciel de paie.", {"OSCAR"}),
    ("TF1 Pub lance une offre de publicité ciblée", "La régie du groupe TF1 vise les annonceurs.", {"TF1 PUBLICITE"}),
    ("TF1 diffuse le match de l'équipe de France", "La chaîne a réuni 8 millions de téléspectateurs.",
     {"TELEVISION FRANCAISE 1"}),
    ("Renault a vendu 2,2 millions de véhicules", "Le constructeur de Boulogne-Billancourt progresse.", {"RENAULT"}),
    ("Louis Renault, l'inventeur de la prise directe", "Une exposition retrace la vie de Louis Renault.", set()),
    ("Orange, l'opérateur historique de télécommunications, recrute 500 personnes", "", {"ORANGE"}),
    ("L'opérateur historique de télécommunications Orange recrute", "", {"ORANGE"}),
    ("Orange Business signe avec la SNCF", "Orange Business, la filiale de services aux entreprises d'Orange, "
     "équipera 300 gares.", {"ORANGE BUSINESS SERVICES"}),
    ("Une ampoule de 1 watt suffit", "James Watt a inventé la machine à vapeur.", set()),
    ("Vanves tech : la ville forme ses agents", "La ville de Vanves lance un plan numérique.", set()),
    ("Vanves Tech lève 2 millions d'euros", "", {"VANVES TECH"}),
    ("Safran Electronics & Defense recrute 300 ingénieurs", "", {"SAFRAN ELECTRONICS & DEFENSE"}),
    ("Thales DIS ouvre un site à Meudon", "", {"THALES DIS FRANCE"}),
    ("Les SIG des collectivités se modernisent", "Un SIG permet de cartographier les réseaux.", set()),
    ("Le zéro absolu sur l'échelle Kelvin", "Des capteurs mesurent la température.", set()),
])
def test_names_as_the_press_writes_them_and_their_traps(traps, title, text, names):
    assert {traps.names[s] for s in confident(traps, title, text)} == names


def test_every_mention_says_why_in_words(traps):
    found = confident(traps, "Nuage, l'hébergeur meudonnais, lève 3 millions d'euros")["100000002"]
    assert found["method"] == "name+descriptor" and "hébergeur" in found["evidence"]
    kept = {m["siren"]: m for m in link_text(traps, "Jean Moreau élu maire adjoint", "")}
    assert not kept["100000004"]["confident"] and "prénom" in kept["100000004"]["evidence"]
    group = confident(traps, "TF1 Pub lance une offre", "")["100000007"]
    assert group["method"] == "brand_extension" and "TF1 PUBLICITE" in group["evidence"]


def test_the_hand_written_dev_set_stays_learnt():
    """The linker is tuned on this set: a regression guard, not a measure (docs/linking-eval.md)."""
    scores = evaluate_linking(read_eval_set(DEV_SET))
    assert scores["precision"] >= 0.95 and scores["recall"] >= 0.9, scores["errors"][:10]
    lo, hi = scores["precision_ci"]
    assert lo < scores["precision"] <= hi <= 1


def test_wilson_interval():
    from transforms.linking_eval import wilson

    assert wilson(0, 0) == (0.0, 1.0)
    lo, hi = wilson(95, 100)
    assert 0.88 < lo < 0.95 < hi < 0.98
    assert wilson(10, 10)[1] == 1.0 and wilson(10, 10)[0] > 0.69


def test_a_one_letter_sigle_is_not_every_elision():
    idx = CompanyIndex(pd.DataFrame([{"siren": "552100554", "name": "LUMIGO", "sigle": "L", "aliases": [],
                                      "naf_code": "62.01Z", "commune": "Meudon"},
                                     {"siren": "552100555", "name": "ORANGE LABS", "sigle": "OL", "aliases": [],
                                      "naf_code": "62.01Z", "commune": "Meudon"}]), commune_names=COMMUNES)
    assert confident(idx, "L'entreprise recrute", "L'éditeur de Meudon lève 2 millions d'euros. OL'S") == {}
