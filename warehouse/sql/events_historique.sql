-- Registry events of a month reconstructed from StockEtablissementHistorique ($cur), against the previous loaded
-- month ($prev). That file keeps no address and no headcount: territory membership is frozen at the stock the
-- month was built from, so only creations, closures and activity changes are derived; never moves (a head office
-- transfer shows as a creation and a closure), never headcount changes.
INSERT INTO core.event
WITH
p AS (SELECT * FROM core.establishment_monthly WHERE month = $prev),
m AS (SELECT * FROM core.establishment_monthly WHERE month = $cur),
tech AS (SELECT naf_code FROM ref.sector WHERE is_default AND nomenclature = 'NAFRev2'),
events AS (
    SELECT 'creation' AS kind, coalesce(m.created_on, m.period_start, $cur) AS event_date, m.siren, m.siret,
           m.is_head_office, m.commune_code, m.naf_code, m.naf_nomenclature,
           json_object('created_on', m.created_on) AS extra
    FROM m
    WHERE m.in_territory AND m.state = 'A'
      AND NOT EXISTS (SELECT 1 FROM p WHERE p.siret = m.siret AND p.in_territory AND p.state = 'A')
    UNION ALL
    SELECT 'closure', coalesce(m.period_start, $cur), m.siren, m.siret, p.is_head_office, m.commune_code,
           m.naf_code, m.naf_nomenclature, json_object()
    FROM p JOIN m USING (siret)
    WHERE p.in_territory AND p.state = 'A' AND m.in_territory AND m.state = 'F'
    UNION ALL
    SELECT 'sector_change', coalesce(m.period_start, $cur), m.siren, m.siret, m.is_head_office, m.commune_code,
           m.naf_code, m.naf_nomenclature,
           json_object('from_naf', p.naf_code, 'to_naf', m.naf_code,
                       'was_tech', p.naf_code IN (SELECT naf_code FROM tech))
    FROM p JOIN m USING (siret)
    WHERE p.in_territory AND m.in_territory AND p.state = 'A' AND m.state = 'A'
      AND p.naf_code <> m.naf_code AND p.naf_nomenclature = 'NAFRev2' AND m.naf_nomenclature = 'NAFRev2'
)
SELECT md5(concat_ws('|', 'sirene', kind, siret, CAST($cur AS VARCHAR))) AS event_id,
       $cur AS month, event_date, kind, siren, siret, 'sirene' AS source,
       json_merge_patch(
           json_object('is_head_office', is_head_office, 'commune_code', commune_code, 'naf_code', naf_code,
                       'is_tech', coalesce(naf_nomenclature = 'NAFRev2' AND naf_code IN (SELECT naf_code FROM tech),
                                           false),
                       'reconstructed', true),
           extra) AS details,
       NULL AS evidence
FROM events
