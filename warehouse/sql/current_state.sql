-- The current state, rebuilt whole from the monthly rows: every SIRET ever in the territory as its latest loaded
-- month says, whatever the order in which months were loaded, then their companies. The latest month of each key
-- is found on the key columns alone, then its row is joined back, rather than sorting every column in a window.
-- INSEE deltas newer than it are applied afterwards (events_insee.sql).
DELETE FROM core.establishment;
INSERT INTO core.establishment BY NAME
SELECT m.* EXCLUDE (month), m.month AS last_seen_month, 'sirene' AS state_source, latest.first_seen_month
FROM core.establishment_monthly m
JOIN (SELECT siret, max(month) AS month, min(month) FILTER (WHERE in_territory) AS first_seen_month
      FROM core.establishment_monthly GROUP BY siret HAVING bool_or(in_territory)) latest
  USING (siret, month);

DELETE FROM core.company;
INSERT INTO core.company BY NAME
SELECT m.* EXCLUDE (month), m.month AS last_seen_month, 'sirene' AS state_source
FROM core.company_monthly m
JOIN (SELECT siren, max(month) AS month FROM core.company_monthly
      WHERE siren IN (SELECT siren FROM core.establishment) GROUP BY siren) latest
  USING (siren, month);
