-- The current state holds each establishment and each legal unit once.
SELECT 'establishment' AS entity, siret AS key, count(*) AS rows FROM core.establishment GROUP BY siret HAVING count(*) > 1
UNION ALL
SELECT 'company', siren, count(*) FROM core.company GROUP BY siren HAVING count(*) > 1
