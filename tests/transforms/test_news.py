"""Feed items to stories: plain text, truncation flags, quarantine, exact and near-duplicate merging."""

import pandas as pd

from transforms.news import LIMITS, assign_stories, clean_items, minhash, similarity, story_text

NO_STORIES = pd.DataFrame({"story_id": pd.Series([], dtype="string"), "signature": pd.Series([], dtype=object)})


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
    same = clean_items([item("https://e.fr/a?x=1", "T", canonical_url="https://www.e.fr/vrai")]).articles
    other = clean_items([item("https://e.fr/a", "T", canonical_url="https://evil.example/x")]).articles
    assert same["canonical_url"][0] == "https://e.fr/vrai" and other["canonical_url"][0] == "https://e.fr/a"


def test_near_duplicates_from_several_sources_are_one_story():
    items = [
        item("https://a.fr/1", "Issy Data Labs lève 12 millions d'euros pour son moteur de données",
             "La start-up d'Issy-les-Moulineaux boucle une levée de fonds de 12 millions d'euros.", feed="A",
             published="2026-10-06T07:00:00Z"),
        item("https://b.fr/2", "Issy-les-Moulineaux : Issy Data Labs lève 12 millions d'euros pour son moteur de données",
             "La start-up d'Issy-les-Moulineaux boucle une levée de fonds de 12 millions d'euros auprès de fonds.",
             feed="B", published="2026-10-06T09:00:00Z"),
        item("https://c.fr/3", "Telecom Horizon France recrute 150 ingénieurs",
             "L'opérateur prévoit 150 recrutements.", feed="C"),
    ]
    arts = clean_items(items).articles
    stories = assign_stories(arts, NO_STORIES)
    by_url = dict(zip(stories["canonical_url"], stories["story_id"]))
    assert by_url["https://a.fr/1"] == by_url["https://b.fr/2"] != by_url["https://c.fr/3"]
    assert by_url["https://a.fr/1"] == stories.set_index("canonical_url").loc["https://a.fr/1", "article_id"]  # earliest leads
    # Re-read later under another URL: joins the stored story, never a second one.
    again = clean_items([item("https://d.fr/4", "Issy Data Labs lève 12 millions d'euros pour son moteur de données !",
                              "La start-up d'Issy-les-Moulineaux boucle une levée de fonds de 12 millions d'euros.")])
    stored = stories[stories["story_id"] == stories["article_id"]][["story_id", "signature"]]
    assert assign_stories(again.articles, stored)["story_id"][0] == by_url["https://a.fr/1"]


def test_different_stories_stay_apart():
    a = minhash(story_text("Issy Data Labs lève 12 millions d'euros", "Levée de fonds à Issy."))
    b = minhash(story_text("Billancourt Cloud rachète Nuagique", "Acquisition d'un éditeur nantais."))
    assert similarity(a, b) < 0.2
