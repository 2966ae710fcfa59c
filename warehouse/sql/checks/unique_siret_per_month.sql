-- One row per SIRET and month: a duplicate would count an establishment twice in every figure of that month.
SELECT strftime(month, '%Y-%m') AS month, siret, count(*) AS rows
FROM core.establishment_monthly
GROUP BY month, siret
HAVING count(*) > 1
