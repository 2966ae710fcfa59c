-- All the reconstructed months at once (temp table hist_month holds them): the base stock's SIRETs times the
-- months, each with its period in effect at the month's end (temp table rec_month), the head office of each
-- company and month (rec_head_office), then the monthly tables.

CREATE OR REPLACE TEMP TABLE hist_month AS SELECT unnest($months::DATE[]) AS month;

CREATE OR REPLACE TEMP TABLE rec_month AS
WITH base AS (SELECT * FROM core.establishment_monthly WHERE month = $base),
months AS (SELECT month, last_day(month) AS eom FROM hist_month),
periods AS (SELECT *, coalesce(start, DATE '0001-01-01') AS since FROM hist_period),
firsts AS (SELECT siret, min(since) AS first_start FROM periods GROUP BY siret),
-- The period in effect at the month's end: the last one started by then; when the registry says the SIRET
-- existed but its first period starts later (dates of different variables are not always consistent),
-- that first period.
at_eom AS (
    SELECT g.siret, g.month, coalesce(p.since, g.first_start) AS since
    FROM (SELECT f.siret, f.first_start, m.month, m.eom FROM firsts f, months m) g
    ASOF LEFT JOIN periods p ON p.siret = g.siret AND p.since <= g.eom
),
chosen AS (SELECT a.month, p.* EXCLUDE (since) FROM at_eom a JOIN periods p USING (siret, since))
SELECT b.* EXCLUDE (month, headcount_band, headcount_year, last_processed_at, period_count, period_start,
                    state, sign1, sign2, sign3, usual_name, naf_code, naf_nomenclature, is_employer,
                    naf25_code, is_head_office),
       mo.month,
       CAST(NULL AS VARCHAR) AS headcount_band, CAST(NULL AS INTEGER) AS headcount_year,
       CAST(NULL AS TIMESTAMP) AS last_processed_at, CAST(NULL AS INTEGER) AS period_count,
       CAST(NULL AS VARCHAR) AS naf25_code,
       CASE WHEN c.siret IS NULL THEN b.period_start ELSE c.start END AS period_start,
       -- No history for this SIRET: its stock state, unless that state began after the month (then open).
       CASE WHEN c.siret IS NOT NULL THEN coalesce(c.state, 'A')
            WHEN b.state = 'F' AND b.period_start > mo.eom THEN 'A'
            ELSE b.state END AS state,
       CASE WHEN c.siret IS NULL THEN b.sign1 ELSE c.sign1 END AS sign1,
       CASE WHEN c.siret IS NULL THEN b.sign2 ELSE c.sign2 END AS sign2,
       CASE WHEN c.siret IS NULL THEN b.sign3 ELSE c.sign3 END AS sign3,
       CASE WHEN c.siret IS NULL THEN b.usual_name ELSE c.usual_name END AS usual_name,
       CASE WHEN c.siret IS NULL THEN b.naf_code ELSE c.naf_code END AS naf_code,
       CASE WHEN c.siret IS NULL THEN b.naf_nomenclature ELSE c.naf_nomenclature END AS naf_nomenclature,
       CASE WHEN c.siret IS NULL THEN b.is_employer ELSE c.is_employer END AS is_employer,
       b.is_head_office AS base_is_head_office,
       CASE WHEN b.state = 'F' THEN b.period_start END AS base_closed_on,
       c.siret IS NOT NULL AS has_history
FROM base b
CROSS JOIN months mo
LEFT JOIN firsts f ON f.siret = b.siret
LEFT JOIN chosen c ON c.siret = b.siret AND c.month = mo.month
WHERE coalesce(coalesce(b.created_on, f.first_start) <= mo.eom, true);


CREATE OR REPLACE TEMP TABLE rec_head_office AS
SELECT r.month, r.siren,
       coalesce(any_value(r.siret) FILTER (WHERE r.siret = r.siren || c.head_office_nic),
                arg_min(r.siret, (r.state <> 'A', r.base_closed_on IS NULL,
                                  coalesce(r.base_closed_on, DATE '9999-12-31'),
                                  NOT r.base_is_head_office, r.siret))) AS siret
FROM rec_month r
LEFT JOIN core.company_monthly c ON c.siren = r.siren AND c.month = $base
GROUP BY r.month, r.siren;


INSERT INTO core.establishment_monthly BY NAME
SELECT r.* EXCLUDE (base_is_head_office, base_closed_on, has_history),
       coalesce(r.siret = h.siret, false) AS is_head_office
FROM rec_month r LEFT JOIN rec_head_office h USING (month, siren);


INSERT INTO core.company_monthly BY NAME
SELECT c.* EXCLUDE (month, headcount_band, headcount_year, last_processed_at, period_count, category,
                    category_year, period_start, state, head_office_nic, naf25_code),
       s.month,
       CAST(NULL AS VARCHAR) AS headcount_band, CAST(NULL AS INTEGER) AS headcount_year,
       CAST(NULL AS TIMESTAMP) AS last_processed_at, CAST(NULL AS INTEGER) AS period_count,
       CAST(NULL AS VARCHAR) AS category, CAST(NULL AS INTEGER) AS category_year,
       CAST(NULL AS DATE) AS period_start, CAST(NULL AS VARCHAR) AS naf25_code,
       CASE WHEN s.any_open THEN 'A' ELSE 'C' END AS state,
       substr(h.siret, 10) AS head_office_nic
FROM core.company_monthly c
JOIN (SELECT month, siren, bool_or(state = 'A') AS any_open FROM rec_month GROUP BY month, siren) s
    USING (siren)
LEFT JOIN rec_head_office h ON h.siren = s.siren AND h.month = s.month
WHERE c.month = $base;
