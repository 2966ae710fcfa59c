"""Feed items to stories: plain text, truncation flags, quarantine, the publisher's URL, exact and near-duplicate
merging."""

import pandas as pd

from transforms.news import LIMITS, clean_items
from transforms.stories import group_stories, story_doc


def item(url, title, summary=None, feed="F", published="2026-10-06T08:00:00+00:00", **kw):
    return {"url": url, "title": title, "summary": summary, "feed_name": feed, "feed_url": f"https://{feed}/rss",
            "feed_kind": "national", "published_at": published, **kw}


def test_rows_in_equal_rows_out_and_quarantine_has_rules():
    items = [item("https://www.e.fr/a/?utm_source=x", "Titre A"), item("https://e.fr/a#c", "Titre A", feed="G"),
             item(None, "Sans lien"), item("javascript:alert(1)", "Piège"), item("https://e.fr/b", "  "),
             item("https://e.fr/c", "Titre C")]
    out = clean_items(items)
    assert len(out.articles) + out.counts["duplicates"] + len(out.quarantine) == len(items)
    assert sorted(out.quarantine["rule"]) == ["invalid_url", "missing_title", "missing_url"]
    assert sorted(out.appearances["feed_name"].tolist()) == ["F", "F", "G"]
    assert str(out.articles["published_at"].dtype) == "datetime64[us, UTC]"


def test_T24_oversized_fields_are_truncated_and_flagged_controls_stripped():
    out = clean_items([item("https://e.fr/a", "Titre\x00 \u200f عربي 🚀", summary="x" * (5 * 1024 * 1024))])
    row = out.articles.iloc[0]
    assert row["title"] == "Titre \u200f عربي 🚀" and "\x00" not in row["title"]
    assert len(row["description"]) == LIMITS["description"] + 1 and row["is_truncated"]
    assert out.counts["truncated"] == 1


def test_T31_stored_text_is_plain_text():
    out = clean_items([item("https://e.fr/a", "<img src=x onerror=alert(1)>Titre {{ 7*7 }}<script>alert(1)</script>",
                            summary='<svg onload=alert(1)></svg>Chapô <a href="javascript:alert(1)">lien</a>'
                                    ' <a href="data:text/html,x">d</a>')])
    row = out.articles.iloc[0]
    assert row["title"] == "Titre {{ 7*7 }}"
    assert row["description"] == "Chapô lien d"
    for value in row[["title", "description"]]:
        assert "<" not in value and "javascript:" not in value and "onerror" not in value


def test_page_canonical_only_counts_on_the_same_site():
    same = clean_items([item("https://e.fr/a?x=1", "T", canonical_url="https://www.e.fr/vrai/")]).articles
    other = clean_items([item("https://e.fr/a", "T", canonical_url="https://evil.example/x")]).articles
    assert same["canonical_url"][0] == "https://www.e.fr/vrai/" and same["url_key"][0] == "https://e.fr/vrai"
    assert other["canonical_url"][0] == "https://e.fr/a"


def test_the_publishers_url_comes_first_as_written():
    """rel=canonical, then og:url, then a permalink GUID, then the feed's link; the key drops tracking tags."""
    link = "https://www.e.fr/2026/10/06/story/?ts=1759730400"
    guid = "https://www.e.fr/2026/10/06/story/"
    cases = [({"guid_permalink": guid}, guid),
             ({"guid_permalink": guid, "og_url": "https://www.e.fr/og/"}, "https://www.e.fr/og/"),
             ({"guid_permalink": guid, "og_url": "https://www.e.fr/og/", "canonical_url": "https://www.e.fr/c/"},
              "https://www.e.fr/c/"),
             ({"guid_permalink": "https://other.example/x"}, link), ({}, link)]
    for extra, shown in cases:
        row = clean_items([item(link, "Titre", **extra)]).articles.iloc[0]
        assert row["canonical_url"] == shown and row["url"] == link
        assert "ts=" not in row["url_key"] and not row["url_key"].endswith("/")
    assert len({clean_items([item(link, "T", **e)]).articles["article_id"][0] for e, _ in cases[:1] + cases[-1:]}) == 1


def doc(doc_id, title, lead, published="2026-10-06T08:00:00Z", sirens=(), stored=False):
    return story_doc(doc_id, title, lead, pd.Timestamp(published), sirens, stored)


def test_copies_across_sites_are_one_story_and_a_stored_story_keeps_its_id():
    copies = [
        doc("wp", "Issy Data Labs lève 12 millions d'euros pour son moteur de données",
            "La start-up d'Issy-les-Moulineaux boucle une levée de fonds de 12 millions d'euros.", sirens={"IDL"},
            published="2026-10-06T05:30:00Z"),
        doc("atom", "Data : la start-up Issy Data Labs boucle un tour de table de 12 M€",
            "L'éditeur isséen annonce avoir levé 12 millions d'euros pour son moteur de traitement de données.",
            sirens={"IDL"}),
        doc("gn", "Issy Data Labs lève 12 millions d'euros pour son moteur de données", "", sirens={"IDL"},
            published="2026-10-06T06:45:00Z"),
    ]
    assert set(group_stories(copies, []).values()) == {"wp"}  # the earliest leads
    later = doc("arc", "Issy-les-Moulineaux : Issy Data Labs lève 12 millions d'euros",
                "Fondée en 2019, la jeune pousse isséenne a convaincu des fonds français.", sirens={"IDL"},
                published="2026-10-07T08:00:00Z")
    stored = doc("S1", copies[0].title, copies[0].lead, sirens={"IDL"}, stored=True)
    assert group_stories([later], [stored]) == {"arc": "S1"}


def test_stories_that_share_words_stay_apart():
    a = doc("a", "Issy Data Labs lève 12 millions d'euros pour son moteur de données",
            "La start-up boucle une levée de fonds de 12 millions d'euros.", sirens={"IDL"})
    others = [
        doc("hiring", "Issy Data Labs recrute 40 ingénieurs pour son moteur de données",
            "La start-up ouvre 40 postes.", sirens={"IDL"}),
        doc("company", "Billancourt Cloud lève 12 millions d'euros pour son moteur de recherche",
            "L'hébergeur boucle une levée de fonds de 12 millions d'euros.", sirens={"BC"}),
        doc("amount", "Issy Data Labs lève 30 millions d'euros pour son moteur de données",
            "La start-up boucle une levée de fonds de 30 millions d'euros.", sirens={"IDL"},
            published="2027-03-01T08:00:00Z"),
        doc("month", "Issy Data Labs lève 12 millions d'euros pour son moteur de données",
            "La start-up boucle une levée de fonds de 12 millions d'euros.", sirens={"IDL"},
            published="2026-11-20T08:00:00Z"),
    ]
    assert group_stories([a, *others], []) == {d.id: d.id for d in [a, *others]}
    stored = [doc("S1", a.title, a.lead, sirens={"IDL"}, stored=True), doc("S2", a.title, a.lead, stored=True)]
    assert group_stories([], stored) == {}  # two stored stories are never merged
