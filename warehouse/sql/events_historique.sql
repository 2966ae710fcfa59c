-- Registry events of months reconstructed from StockEtablissementHistorique, each ($cur[i]) against the loaded
-- month just before it ($prev[i]): all the pairs in one statement. That file keeps no address and no headcount:
-- territory membership is frozen at the stock the month was built from, so only creations, closures and activity
-- changes are derived; never moves (a head office transfer shows as a creation and a closure), never headcount
-- changes.
INSERT INTO core.event
WITH
pairs AS (SELECT unnest($prev::DATE[]) AS prev, unnest($cur::DATE[]) AS cur),
p AS (SELECT e.*, pairs.cur FROM core.establishment_monthly e JOIN pairs ON e.month = pairs.prev),
m AS (SELECT e.* FROM core.establishment_monthly e WHERE e.month IN (SELECT cur FROM pairs)),
tech AS (SELECT naf_code FROM ref.sector WHERE is_default AND nomenclature = 'NAFRev2'),
events AS (
    SELECT m.month, 'creation' AS kind, coalesce(m.created_on, m.period_start, m.month) AS event_date, m.siren,
           m.siret, m.is_head_office, m.commune_code, m.naf_code, m.naf_nomenclature,
           json_object('created_on', m.created_on) AS extra
    FROM m
    WHERE m.in_territory AND m.state = 'A'
      AND NOT EXISTS (SELECT 1 FROM p WHERE p.cur = m.month AND p.siret = m.siret AND p.in_territory
                                            AND p.state = 'A')
    UNION ALL
    SELECT m.month, 'closure', coalesce(m.period_start, m.month), m.siren, m.siret, p.is_head_office,
           m.commune_code, m.naf_code, m.naf_nomenclature, json_object()
    FROM p JOIN m ON m.month = p.cur AND m.siret = p.siret
    WHERE p.in_territory AND p.state = 'A' AND m.in_territory AND m.state = 'F'
    UNION ALL
    SELECT m.month, 'sector_change', coalesce(m.period_start, m.month), m.siren, m.siret, m.is_head_office,
           m.commune_code, m.naf_code, m.naf_nomenclature,
           json_object('from_naf', p.naf_code, 'to_naf', m.naf_code,
                       'was_tech', p.naf_code IN (SELECT naf_code FROM tech))
    FROM p JOIN m ON m.month = p.cur AND m.siret = p.siret
    WHERE p.in_territory AND m.in_territory AND p.state = 'A' AND m.state = 'A'
      AND p.naf_code <> m.naf_code AND p.naf_nomenclature = 'NAFRev2' AND m.naf_nomenclature = 'NAFRev2'
)
SELECT md5(concat_ws('|', 'sirene', kind, siret, CAST(month AS VARCHAR))) AS event_id,
       month, event_date, kind, siren, siret, 'sirene' AS source,
       json_merge_patch(
           json_object('is_head_office', is_head_office, 'commune_code', commune_code, 'naf_code', naf_code,
                       'is_tech', coalesce(naf_nomenclature = 'NAFRev2' AND naf_code IN (SELECT naf_code FROM tech),
                                           false),
                       'reconstructed', true),
           extra) AS details,
       NULL AS evidence
FROM events
