-- Delivery: the « mises en relation » and the report's delivery log, as they may leave the warehouse.
-- A reason is stored as facts (who is new or in difficulty, distance, procedure, article) and written here, from
-- the masked display names: a unit that withdraws its consent is no longer named by any later publication.
-- No e-mail address is kept anywhere.

CREATE OR REPLACE MACRO marts.fr_km(d) AS
    CASE WHEN d < 0.1 THEN 'moins de 100 m' ELSE replace(printf('%.1f', d), '.', ',') || ' km' END;

-- The establishment that stands for each company of a pair in the month of the suggestion (head office first).
CREATE OR REPLACE VIEW marts.introduction_firm AS
SELECT m.month, m.siren, m.commune_code, m.naf_code
FROM core.establishment_monthly m
WHERE m.in_territory AND m.state = 'A'
  AND EXISTS (SELECT 1 FROM core.introduction i WHERE i.month = m.month AND m.siren IN (i.siren_a, i.siren_b))
QUALIFY row_number() OVER (PARTITION BY m.month, m.siren ORDER BY m.is_head_office DESC, m.siret) = 1;

CREATE OR REPLACE VIEW pub.introduction AS
WITH pair AS (
    -- `first` is the company the sentence starts with: the new one, the one in difficulty, else siren_a.
    SELECT i.*, coalesce(i.facts ->> 'new', i.facts ->> 'troubled', i.siren_a) AS first,
           TRY_CAST(i.facts ->> 'distance_km' AS DOUBLE) AS distance_km
    FROM core.introduction i
),
named AS (
    SELECT p.*, CASE WHEN p.first = p.siren_a THEN p.siren_b ELSE p.siren_a END AS second,
           ca.display_name AS name_first, cb.display_name AS name_second,
           fa.commune_code AS commune_first, cl.name AS commune_name_first,
           coalesce(na.label, fa.naf_code) AS activity_first, coalesce(nb.label, fb.naf_code) AS activity_second,
           a.title, (SELECT string_agg(DISTINCT ap.feed_name, ', ' ORDER BY ap.feed_name) FROM core.news_appearance ap
                     WHERE ap.article_id = a.article_id) AS sources
    FROM pair p
    LEFT JOIN pub.company ca ON ca.siren = p.first
    LEFT JOIN pub.company cb ON cb.siren = CASE WHEN p.first = p.siren_a THEN p.siren_b ELSE p.siren_a END
    LEFT JOIN marts.introduction_firm fa ON fa.month = p.month AND fa.siren = ca.siren
    LEFT JOIN marts.introduction_firm fb ON fb.month = p.month AND fb.siren = cb.siren
    LEFT JOIN marts.commune_label cl ON cl.code = fa.commune_code
    LEFT JOIN ref.naf na ON na.code = fa.naf_code
    LEFT JOIN ref.naf nb ON nb.code = fb.naf_code
    LEFT JOIN core.news_article a ON a.article_id = p.facts ->> 'article_id'
)
SELECT month, rank, siren_a, siren_b, rule, facts,
       CASE rule
           WHEN 'new_neighbour' THEN
               name_first || ' vient de se créer ' || coalesce('à ' || commune_name_first, 'dans le territoire')
               || coalesce(' (' || activity_first || ')', '') || ' ; ' || name_second
               || coalesce(', à ' || marts.fr_km(distance_km), ', dans la même commune')
               || ', a une activité complémentaire' || coalesce(' (' || activity_second || ')', '') || '.'
           WHEN 'same_story' THEN
               name_first || ' et ' || name_second || ' sont cités dans le même article'
               || coalesce(' : « ' || CASE WHEN length(title) <= 100 THEN title
                                          ELSE rtrim(left(title, 99)) || '…' END || ' »', '')
               || coalesce(' (' || sources || ')', '') || '.'
           WHEN 'difficulty_peer' THEN
               name_first || ' fait l''objet d''une procédure collective'
               || coalesce(' (' || (facts ->> 'procedure') || ')', '') || ' ; ' || name_second || ', même activité'
               || coalesce(' (' || activity_second || ')', '')
               || coalesce(', à ' || marts.fr_km(distance_km), ', dans la même commune')
               || ', pourrait la reprendre ou la soutenir.'
       END AS reason,
       score, created_at
FROM named;

CREATE OR REPLACE VIEW pub.report_delivery AS
SELECT month, kind, status, recorded_at, recipients_count, transport, html_sha256, pdf_sha256, message
FROM meta.report_delivery;
