-- Views rebuilt on every load. `pub` is all that may leave the warehouse: for units whose CURRENT
-- statutDiffusion is 'P', personal fields (names, first names, pseudonym, sigle, street address, coordinates,
-- signs) are NULL in every month's rows. A legal person's name stays public.

CREATE OR REPLACE VIEW marts.tech_naf AS
SELECT naf_code FROM ref.sector WHERE is_default AND nomenclature = 'NAFRev2';

-- Company fields as they may be published, from the current status of the legal unit.
CREATE OR REPLACE VIEW marts.company_public_fields AS
SELECT
    siren,
    statut_diffusion,
    legal_form = '1000' AS is_individual,
    CASE
        WHEN legal_form <> '1000' OR legal_form IS NULL
            THEN coalesce(denomination, usual_name1, nullif(trim(concat_ws(' ', usual_first_name, coalesce(usage_name, last_name))), ''))
        WHEN statut_diffusion = 'P' THEN NULL
        ELSE nullif(trim(concat_ws(' ', coalesce(usual_first_name, first_name1), coalesce(usage_name, last_name))), '')
    END AS name,
    CASE WHEN statut_diffusion = 'P' THEN NULL ELSE sigle END AS sigle
FROM core.company;

CREATE OR REPLACE VIEW pub.company AS
SELECT
    c.siren,
    f.name,
    f.sigle,
    c.legal_form,
    lf.label AS legal_form_label,
    f.is_individual,
    c.naf_code,
    n.label AS naf_label,
    c.naf_code IN (SELECT naf_code FROM marts.tech_naf) AS is_tech,
    c.headcount_band,
    hb.label AS headcount_label,
    c.category,
    CASE c.state WHEN 'C' THEN 'C' ELSE 'A' END AS state,
    c.created_on,
    CASE WHEN c.state = 'C' THEN c.period_start END AS closed_on,
    c.statut_diffusion,
    c.is_ess = 'O' AS is_ess,
    c.is_mission_company = 'O' AS is_mission_company,
    c.siren || c.head_office_nic AS head_office_siret,
    ho.commune_code AS head_office_commune_code,
    coalesce(ho.in_territory, false) AS head_office_in_territory,
    c.naf25_code,
    c.last_seen_month,
    c.state_source
FROM core.company c
JOIN marts.company_public_fields f USING (siren)
LEFT JOIN ref.legal_form lf ON lf.code = c.legal_form
LEFT JOIN ref.naf n ON n.code = c.naf_code
LEFT JOIN ref.headcount_band hb ON hb.code = c.headcount_band
LEFT JOIN core.establishment ho ON ho.siret = c.siren || c.head_office_nic;

CREATE OR REPLACE VIEW pub.establishment AS
SELECT
    e.siret,
    e.siren,
    e.nic,
    CASE WHEN e.statut_diffusion = 'P' THEN f.name
         ELSE coalesce(e.usual_name, e.sign1, f.name) END AS name,
    CASE WHEN e.statut_diffusion = 'P' THEN NULL ELSE e.sign1 END AS sign,
    CASE WHEN e.statut_diffusion = 'P' THEN NULL
         ELSE nullif(trim(concat_ws(' ', e.street_number, e.street_number_suffix, e.street_type, e.street_name)), '')
    END AS street_address,
    e.postcode,
    e.commune_code,
    coalesce(rc.name, e.commune_name) AS commune_name,
    e.in_territory,
    e.naf_code,
    e.naf_nomenclature,
    n.label AS naf_label,
    e.naf_nomenclature = 'NAFRev2' AND e.naf_code IN (SELECT naf_code FROM marts.tech_naf) AS is_tech,
    e.headcount_band,
    hb.label AS headcount_label,
    e.is_head_office,
    e.state,
    e.created_on,
    CASE WHEN e.state = 'F' THEN e.period_start END AS closed_on,
    CASE WHEN e.statut_diffusion = 'P' THEN NULL ELSE e.latitude END AS latitude,
    CASE WHEN e.statut_diffusion = 'P' THEN NULL ELSE e.longitude END AS longitude,
    e.statut_diffusion,
    e.naf25_code,
    e.first_seen_month,
    e.last_seen_month,
    e.state_source
FROM core.establishment e
LEFT JOIN marts.company_public_fields f USING (siren)
LEFT JOIN ref.commune rc ON rc.code = e.commune_code
LEFT JOIN ref.naf n ON n.code = e.naf_code
LEFT JOIN ref.headcount_band hb ON hb.code = e.headcount_band;

CREATE OR REPLACE VIEW pub.establishment_monthly AS
SELECT
    m.month,
    m.siret,
    m.siren,
    CASE WHEN cur.statut_diffusion = 'P' THEN f.name
         ELSE coalesce(m.usual_name, m.sign1, f.name) END AS name,
    m.commune_code,
    m.naf_code,
    m.naf_nomenclature = 'NAFRev2' AND m.naf_code IN (SELECT naf_code FROM marts.tech_naf) AS is_tech,
    m.headcount_band,
    m.is_head_office,
    m.state,
    m.created_on,
    CASE WHEN m.state = 'F' THEN m.period_start END AS closed_on,
    CASE WHEN cur.statut_diffusion = 'P' THEN NULL ELSE m.latitude END AS latitude,
    CASE WHEN cur.statut_diffusion = 'P' THEN NULL ELSE m.longitude END AS longitude
FROM core.establishment_monthly m
JOIN core.establishment cur USING (siret)
LEFT JOIN marts.company_public_fields f ON f.siren = m.siren
WHERE m.in_territory;

CREATE OR REPLACE VIEW pub.company_monthly AS
SELECT
    m.month,
    m.siren,
    f.name,
    m.legal_form,
    m.naf_code,
    m.naf_code IN (SELECT naf_code FROM marts.tech_naf) AS is_tech,
    m.headcount_band,
    CASE m.state WHEN 'C' THEN 'C' ELSE 'A' END AS state,
    m.created_on,
    CASE WHEN m.state = 'C' THEN m.period_start END AS closed_on
FROM core.company_monthly m
JOIN marts.company_public_fields f USING (siren);

CREATE OR REPLACE VIEW pub.event AS
SELECT
    e.event_id,
    e.month,
    e.event_date,
    e.kind,
    e.siren,
    e.siret,
    e.source,
    e.details,
    coalesce(CAST(e.details ->> 'is_tech' AS BOOLEAN), false) AS is_tech,
    coalesce(CAST(e.details ->> 'is_head_office' AS BOOLEAN), false) AS is_head_office,
    e.details ->> 'commune_code' AS commune_code,
    e.details ->> 'naf_code' AS naf_code,
    e.evidence
FROM core.event e;

-- Monthly figures of the territory, for all activities and for the tech sector set.
CREATE OR REPLACE VIEW pub.territory_monthly AS
WITH months AS (SELECT DISTINCT month FROM core.establishment_monthly),
scopes AS (SELECT unnest(['all', 'tech']) AS scope),
stock AS (
    SELECT month, s.scope,
           count(*) FILTER (WHERE state = 'A') AS establishments,
           count(DISTINCT siren) FILTER (WHERE state = 'A') AS companies
    FROM pub.establishment_monthly, scopes s
    WHERE s.scope = 'all' OR is_tech
    GROUP BY ALL
),
ev AS (
    SELECT month, s.scope,
           count(*) FILTER (WHERE kind = 'creation') AS creations,
           count(*) FILTER (WHERE kind = 'closure') AS closures,
           count(*) FILTER (WHERE kind = 'move_in') AS move_ins,
           count(*) FILTER (WHERE kind = 'move_out') AS move_outs,
           count(*) FILTER (WHERE kind = 'headcount_change' AND details ->> 'direction' = 'up') AS headcount_ups,
           count(*) FILTER (WHERE kind = 'headcount_change' AND details ->> 'direction' = 'down') AS headcount_downs,
           count(*) FILTER (WHERE kind = 'creation' AND is_head_office) AS company_creations,
           count(*) FILTER (WHERE kind = 'closure' AND is_head_office) AS company_closures,
           count(*) FILTER (WHERE kind = 'move_in' AND is_head_office) AS company_move_ins,
           count(*) FILTER (WHERE kind = 'move_out' AND is_head_office) AS company_move_outs
    FROM pub.event, scopes s
    WHERE source = 'sirene' AND (s.scope = 'all' OR is_tech)
    GROUP BY ALL
)
-- A month reconstructed from StockEtablissementHistorique knows no move and no headcount: those flows are NULL
-- (not available), and so are the headcount flows of the month that follows it.
SELECT m.month, s.scope,
       coalesce(stock.establishments, 0) AS establishments,
       coalesce(stock.companies, 0) AS companies,
       coalesce(ev.creations, 0) AS creations,
       coalesce(ev.closures, 0) AS closures,
       CASE WHEN NOT m.is_reconstructed THEN coalesce(ev.move_ins, 0) END AS move_ins,
       CASE WHEN NOT m.is_reconstructed THEN coalesce(ev.move_outs, 0) END AS move_outs,
       CASE WHEN NOT m.is_reconstructed THEN coalesce(ev.creations, 0) + coalesce(ev.move_ins, 0)
           - coalesce(ev.closures, 0) - coalesce(ev.move_outs, 0) END AS net_change,
       CASE WHEN NOT m.headcount_unknown THEN coalesce(ev.headcount_ups, 0) END AS headcount_ups,
       CASE WHEN NOT m.headcount_unknown THEN coalesce(ev.headcount_downs, 0) END AS headcount_downs,
       coalesce(ev.company_creations, 0) AS company_creations,
       coalesce(ev.company_closures, 0) AS company_closures,
       CASE WHEN NOT m.is_reconstructed THEN coalesce(ev.company_move_ins, 0) END AS company_move_ins,
       CASE WHEN NOT m.is_reconstructed THEN coalesce(ev.company_move_outs, 0) END AS company_move_outs,
       m.month = (SELECT min(month) FROM months) AS is_first_month,
       m.is_reconstructed
FROM (
    SELECT months.month, coalesce(sm.source = 'historique', false) AS is_reconstructed,
           coalesce(sm.source = 'historique', false)
               OR coalesce(lag(sm.source) OVER (ORDER BY months.month) = 'historique', false) AS headcount_unknown
    FROM months LEFT JOIN meta.stock_month sm USING (month)
) m CROSS JOIN scopes s
LEFT JOIN stock ON stock.month = m.month AND stock.scope = s.scope
LEFT JOIN ev ON ev.month = m.month AND ev.scope = s.scope;

CREATE OR REPLACE VIEW pub.territory_monthly_by_commune AS
WITH stock AS (
    SELECT month, commune_code, is_tech, count(*) FILTER (WHERE state = 'A') AS establishments
    FROM pub.establishment_monthly GROUP BY ALL
),
ev AS (
    SELECT month, commune_code, is_tech,
           count(*) FILTER (WHERE kind = 'creation') AS creations,
           count(*) FILTER (WHERE kind = 'closure') AS closures,
           count(*) FILTER (WHERE kind = 'move_in') AS move_ins,
           count(*) FILTER (WHERE kind = 'move_out') AS move_outs
    FROM pub.event WHERE source = 'sirene' GROUP BY ALL
)
-- Full join: a commune whose last establishment left this month still shows that departure.
SELECT month, commune_code, rc.name AS commune_name, is_tech, coalesce(stock.establishments, 0) AS establishments,
       coalesce(ev.creations, 0) AS creations, coalesce(ev.closures, 0) AS closures,
       coalesce(ev.move_ins, 0) AS move_ins, coalesce(ev.move_outs, 0) AS move_outs
FROM stock
FULL JOIN ev USING (month, commune_code, is_tech)
LEFT JOIN ref.commune rc ON rc.code = commune_code
WHERE commune_code IN (SELECT code FROM ref.commune);

CREATE OR REPLACE VIEW pub.territory_monthly_by_activity AS
WITH stock AS (
    SELECT month, naf_code, is_tech, count(*) FILTER (WHERE state = 'A') AS establishments
    FROM pub.establishment_monthly GROUP BY ALL
),
ev AS (
    SELECT month, naf_code, is_tech,
           count(*) FILTER (WHERE kind = 'creation') AS creations,
           count(*) FILTER (WHERE kind = 'closure') AS closures,
           count(*) FILTER (WHERE kind = 'move_in') AS move_ins,
           count(*) FILTER (WHERE kind = 'move_out') AS move_outs
    FROM pub.event WHERE source = 'sirene' GROUP BY ALL
)
SELECT month, naf_code, n.label AS naf_label, n.section, is_tech, coalesce(stock.establishments, 0) AS establishments,
       coalesce(ev.creations, 0) AS creations, coalesce(ev.closures, 0) AS closures,
       coalesce(ev.move_ins, 0) AS move_ins, coalesce(ev.move_outs, 0) AS move_outs
FROM stock
FULL JOIN ev USING (month, naf_code, is_tech)
LEFT JOIN ref.naf n ON n.code = naf_code;

CREATE OR REPLACE VIEW pub.quarantine_summary AS
SELECT month, run_id, entity, rule, count(*) AS rows FROM quarantine.sirene GROUP BY ALL;

CREATE OR REPLACE VIEW pub.run AS
SELECT run_id, flow, started_at, ended_at, status, month, counts, message FROM meta.run;

CREATE OR REPLACE VIEW pub.stock_month AS
SELECT month, loaded_at, etablissements_file, etablissements_sha256, etablissements_bytes,
       unites_legales_file, unites_legales_sha256, unites_legales_bytes, counts, source, based_on_month
FROM meta.stock_month;

CREATE OR REPLACE VIEW pub.ref_commune AS SELECT * FROM ref.commune;
CREATE OR REPLACE VIEW pub.ref_naf AS SELECT * FROM ref.naf;
CREATE OR REPLACE VIEW pub.ref_sector AS SELECT * FROM ref.sector;
CREATE OR REPLACE VIEW pub.ref_headcount_band AS SELECT * FROM ref.headcount_band;
CREATE OR REPLACE VIEW pub.ref_legal_form AS SELECT * FROM ref.legal_form;
