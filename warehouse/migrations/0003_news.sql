-- News: one row per story (near-duplicates merged), every place it appeared, company mentions, quarantine.
CREATE TABLE core.news_article (
    article_id VARCHAR NOT NULL,          -- story id: url_id of the first canonical URL seen for the story
    canonical_url VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    description VARCHAR,                  -- plain text (markup removed), truncated to 2,000 characters
    body_text VARCHAR,                    -- plain text; kept in the warehouse only (not published)
    author VARCHAR,                       -- byline; kept in the warehouse only (natural persons' names)
    section VARCHAR,
    language VARCHAR,
    published_at TIMESTAMPTZ,
    first_seen_at TIMESTAMPTZ NOT NULL,
    is_paywalled BOOLEAN NOT NULL,
    is_truncated BOOLEAN NOT NULL,
    territory_communes VARCHAR[],         -- communes of the territory named in a tech context
    signature BIGINT[],                   -- MinHash of title + lead, for near-duplicate detection across runs
    run_id VARCHAR NOT NULL
);
CREATE TABLE core.news_appearance (
    article_id VARCHAR NOT NULL,
    canonical_url VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    feed_name VARCHAR,
    feed_url VARCHAR,
    feed_kind VARCHAR,
    published_at TIMESTAMPTZ,
    first_seen_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE core.news_mention (
    article_id VARCHAR NOT NULL,
    siren VARCHAR NOT NULL,
    alias VARCHAR,
    method VARCHAR NOT NULL,
    confidence DOUBLE NOT NULL,
    is_confident BOOLEAN NOT NULL,
    evidence VARCHAR,
    run_id VARCHAR NOT NULL
);
CREATE TABLE quarantine.news (
    run_id VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,
    key VARCHAR,
    detail VARCHAR,
    raw JSON
);
