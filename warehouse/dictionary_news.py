"""Data dictionary of the news tables of the snapshot."""

_ARTICLE_ID = "Story id: 20 hex digits (hash of the first canonical URL seen); near-duplicates share it"

ENTRIES = {
    "article": ("One row per news story: near-duplicate dispatches from several sources are one story; every "
                "place it appeared is listed. Plain text only (no markup); bodies and bylines are not published.", {
        "article_id": _ARTICLE_ID,
        "canonical_url": "The story's URL as its publisher shows it (the page's rel=canonical or og:url, a permalink "
                         "GUID, else the feed's link), as written",
        "title": "Title, plain text",
        "description": "Lead (chapô) as given by the feed or the page, plain text, at most 2,000 characters",
        "section": "Section or first category given by the source",
        "language": "Language code (fr, en...) from the page or feed, or guessed from the text",
        "published_at": "Publication time (UTC) given by the source; NULL when the source gives none",
        "month": "Month of publication (first day), or of first sighting when the source gives no date",
        "first_seen_at": "When Ecosystem Radar first saw the story (UTC)",
        "is_paywalled": "True when the page says it is not free to read (JSON-LD isAccessibleForFree or markup)",
        "is_truncated": "True when a field was longer than the storage limit and was cut",
        "about_territory": "True when the story names a commune of the territory in a tech context",
        "territory_communes": "Communes of the territory named in the story (tech context only)",
        "appearance_count": "Number of (source, URL) places where the story appeared",
        "sources": "Names of the feeds where the story appeared",
        "urls": "URLs (as their publishers show them) under which the story appeared",
    }),
    "article_mention": ("Confident mentions of the territory's companies in stories (one row per story and "
                        "company). Less confident candidates stay in the warehouse.", {
        "article_id": _ARTICLE_ID,
        "siren": "SIREN of the company mentioned: 9 digits, text",
        "company_name": "Name of the company (as in table company)",
        "surface": "The company's name as the story writes it (\"Cisco\" for CISCO SYSTEMS FRANCE)",
        "method": "How the mention was accepted: siren (its SIREN is in the text); name, alias (a usual name, "
                  "sign or nom_complet), short_name (the legal name without legal form, country or generic word), "
                  "sigle; name+legal_form, name+descriptor (\"la start-up Kiwi\"), name+context (company verbs, "
                  "its commune, its sector's words) for names that are also words, first names, surnames, places "
                  "or acronyms; initials+full_name; brand_extension (\"Alcyon Cyber\": the unit whose name it "
                  "starts); group_brand (a name several units share: the unit chosen, the reason in evidence)",
        "confidence": "Confidence of the mention, 0 to 1 (only >= 0.8 is published)",
        "evidence": "Why the mention was accepted, in words (French), e.g. « Kiwi » (mot courant) : désigné comme "
                    "« start-up » ; sa commune citée à côté",
        "month": "Month of the story (see article.month)",
        "published_at": "Publication time of the story (UTC)",
        "title": "Title of the story, plain text",
        "canonical_url": "The story's URL as its publisher shows it",
        "appearance_count": "Places where the story appeared (a simple importance score: top stories first)",
        "event_kinds": "Typed press events recognised for this company in this story: press_funding, "
                       "press_acquisition, press_hiring, press_closure",
    }),
}
