-- One row per SIREN and month in the legal units' monthly states.
SELECT strftime(month, '%Y-%m') AS month, siren, count(*) AS rows
FROM core.company_monthly
GROUP BY month, siren
HAVING count(*) > 1
