-- News views. Published: stories (title, lead, link, where they appeared) and CONFIDENT company mentions only.
-- Not published: article bodies, bylines (natural persons' names), low-confidence mentions, URL keys.

CREATE OR REPLACE VIEW marts.news_appearances AS
SELECT article_id,
       count(*) AS appearance_count,
       list(DISTINCT feed_name ORDER BY feed_name) FILTER (WHERE feed_name IS NOT NULL) AS sources,
       list(DISTINCT canonical_url ORDER BY canonical_url) AS urls
FROM core.news_appearance
GROUP BY article_id;

CREATE OR REPLACE VIEW pub.article AS
SELECT
    a.article_id,
    a.canonical_url,
    a.title,
    a.description,
    a.section,
    a.language,
    a.published_at,
    CAST(date_trunc('month', coalesce(a.published_at, a.first_seen_at) AT TIME ZONE 'UTC') AS DATE) AS month,
    a.first_seen_at,
    a.is_paywalled,
    a.is_truncated,
    coalesce(len(a.territory_communes), 0) > 0 AS about_territory,
    a.territory_communes,
    coalesce(ap.appearance_count, 0) AS appearance_count,
    coalesce(ap.sources, []) AS sources,
    coalesce(ap.urls, [a.canonical_url]) AS urls
FROM core.news_article a
LEFT JOIN marts.news_appearances ap USING (article_id);

CREATE OR REPLACE VIEW pub.article_mention AS
SELECT
    m.article_id,
    m.siren,
    c.name AS company_name,
    m.surface,
    m.method,
    m.confidence,
    m.evidence,
    a.month,
    a.published_at,
    a.title,
    a.canonical_url,
    a.appearance_count,
    coalesce((SELECT list(DISTINCT e.kind ORDER BY e.kind) FROM core.event e
              WHERE e.source = 'press' AND e.siren = m.siren AND e.kind <> 'press_mention'
                AND json_extract_string(e.details, '$.article_id') = m.article_id), []) AS event_kinds
FROM core.news_mention m
JOIN pub.article a USING (article_id)
JOIN pub.company c ON c.siren = m.siren
WHERE m.is_confident AND NOT coalesce(c.is_individual, false);
