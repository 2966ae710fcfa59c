-- News URLs as their publishers show them, with a separate key for deduplication; the words and the evidence of
-- every mention; the name the press uses for a company (Recherche d'entreprises' nom_complet).
--
-- canonical_url now holds the publisher's own URL, as written. Rows stored before it hold the key the previous
-- code made (tracking tags, www., AMP variants and trailing slash removed, parameters sorted): that value becomes
-- their url_key, without the parameters the key now also ignores ("ts"), so that reading the same feeds again
-- finds every stored article and creates no story and no event.
ALTER TABLE core.news_article ADD COLUMN url_key VARCHAR;
ALTER TABLE core.news_appearance ADD COLUMN url_key VARCHAR;
UPDATE core.news_article
SET url_key = regexp_replace(regexp_replace(canonical_url, '([?&])(ts|oc)=[^&#]*&?', '\1', 'g'), '[?&]$', '');
UPDATE core.news_appearance
SET url_key = regexp_replace(regexp_replace(canonical_url, '([?&])(ts|oc)=[^&#]*&?', '\1', 'g'), '[?&]$', '');
-- Near-duplicates are now found from the stories' text and companies (transforms/stories.py).
ALTER TABLE core.news_article DROP COLUMN signature;
ALTER TABLE core.news_mention ADD COLUMN surface VARCHAR;
ALTER TABLE api.company_enrichment ADD COLUMN nom_complet VARCHAR;
COMMENT ON COLUMN core.news_article.url_key IS 'Deduplication key of the URL (no tracking parameters, www., AMP variant, fragment or trailing slash); never shown';
COMMENT ON COLUMN core.news_appearance.url_key IS 'Deduplication key of the URL (no tracking parameters, www., AMP variant, fragment or trailing slash); never shown';
COMMENT ON COLUMN core.news_mention.surface IS 'The company''s name as the story writes it';
