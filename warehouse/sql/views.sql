-- Views rebuilt on every load. `pub` is all that may leave the warehouse: for units whose CURRENT
-- statutDiffusion is 'P', personal fields (names, first names, pseudonym, sigle, street address, coordinates,
-- signs) are NULL in every month's rows. A legal person's name stays public.

CREATE OR REPLACE VIEW marts.tech_naf AS
SELECT naf_code FROM ref.sector WHERE is_default AND nomenclature = 'NAFRev2';

-- A commune name as SIRENE writes it (capitals, no accents: "VILLE-D'AVRAY") in the usual French case
-- ("Ville-d'Avray"); articles and prepositions stay lower case except at the start.
CREATE OR REPLACE MACRO marts.fr_word(w, is_first) AS
    CASE WHEN NOT is_first AND w IN ('le', 'la', 'les', 'de', 'du', 'des', 'en', 'sur', 'sous', 'et', 'aux', 'au',
                                     'lès', 'lez') THEN w
         WHEN regexp_matches(w, '^[dl]''.') THEN (CASE WHEN is_first THEN upper(w[1]) ELSE w[1] END)
                                                  || '''' || upper(w[3]) || w[4:]
         ELSE upper(w[1]) || w[2:] END;
CREATE OR REPLACE MACRO marts.fr_commune(s) AS
    array_to_string(list_transform(string_split(lower(trim(s)), ' '), lambda part, i:
        array_to_string(list_transform(string_split(part, '-'), lambda w, j: marts.fr_word(w, i = 1 AND j = 1)),
                        '-')), ' ');

-- A name for every commune the data mentions: the territory's from its file, any other from the stock rows'
-- libelleCommuneEtablissement (an arrival "from 92049" reads "from Montrouge").
CREATE OR REPLACE VIEW marts.commune_label AS
SELECT code, name, true AS in_territory FROM ref.commune
UNION ALL
SELECT commune_code, marts.fr_commune(arg_max(commune_name, month)), false
FROM core.establishment_monthly
WHERE commune_code IS NOT NULL AND commune_name IS NOT NULL AND commune_code NOT IN (SELECT code FROM ref.commune)
GROUP BY commune_code;

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
    CASE WHEN statut_diffusion = 'P' THEN NULL ELSE sigle END AS sigle,
    CASE WHEN statut_diffusion = 'P' THEN NULL ELSE usual_name1 END AS usual_name
FROM core.company;

-- The one name every output shows for a company: its usual name, else its name, else the mask's words.
CREATE OR REPLACE VIEW marts.company_display_name AS
SELECT siren, coalesce(usual_name, name, '(nom non diffusible)') AS display_name
FROM marts.company_public_fields;

CREATE OR REPLACE VIEW pub.company AS
SELECT
    c.siren,
    f.name,
    f.usual_name,
    d.display_name,
    f.sigle,
    c.legal_form,
    lf.label AS legal_form_label,
    CASE WHEN c.legal_form IS NULL THEN NULL WHEN lf.code IS NULL THEN 'unknown'
         WHEN lf.is_retired THEN 'retired' ELSE 'current' END AS legal_form_status,
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
JOIN marts.company_display_name d USING (siren)
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
    d.display_name AS company_display_name,
    CASE WHEN e.statut_diffusion = 'P' THEN NULL
         ELSE nullif(trim(concat_ws(' ', e.street_number, e.street_number_suffix, e.street_type, e.street_name)), '')
    END AS street_address,
    e.postcode,
    e.commune_code,
    coalesce(rc.name, marts.fr_commune(e.commune_name)) AS commune_name,
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
LEFT JOIN marts.company_display_name d USING (siren)
LEFT JOIN marts.commune_label rc ON rc.code = e.commune_code
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
    e.evidence,
    rc.name AS commune_name,
    e.details ->> 'from_commune' AS from_commune,
    fc.name AS from_commune_name,
    e.details ->> 'to_commune' AS to_commune,
    tc.name AS to_commune_name
FROM core.event e
LEFT JOIN marts.commune_label rc ON rc.code = e.details ->> 'commune_code'
LEFT JOIN marts.commune_label fc ON fc.code = e.details ->> 'from_commune'
LEFT JOIN marts.commune_label tc ON tc.code = e.details ->> 'to_commune';

-- The registry's movements of each month, one row per event, with where it counts: commune, activity code and
-- tech flag of the establishment. An activity change counts twice: an entry where the establishment now is
-- (its new code and tech flag) and an exit where it was; `crosses_tech` marks those that enter or leave the tech
-- perimeter (the only ones that change a commune's tech figures), while every change moves between codes.
CREATE OR REPLACE VIEW marts.movement AS
WITH changes AS (
    SELECT month, commune_code, naf_code, is_tech, details ->> 'from_naf' AS from_naf,
           coalesce(CAST(details ->> 'was_tech' AS BOOLEAN), false) AS was_tech
    FROM pub.event WHERE source = 'sirene' AND kind = 'sector_change'
)
SELECT month, commune_code, naf_code, is_tech, kind, false AS crosses_tech FROM pub.event
WHERE source = 'sirene' AND kind IN ('creation', 'closure', 'move_in', 'move_out')
UNION ALL
SELECT month, commune_code, naf_code, is_tech, 'sector_entry', is_tech <> was_tech FROM changes
UNION ALL
SELECT month, commune_code, from_naf, was_tech, 'sector_exit', is_tech <> was_tech FROM changes;

-- Loaded months, each with the loaded month before it (the base its events were derived against).
CREATE OR REPLACE VIEW marts.loaded_month AS
SELECT m.month, lag(m.month) OVER (ORDER BY m.month) AS previous_month,
       coalesce(sm.source = 'historique', false) AS is_reconstructed,
       coalesce(sm.source = 'historique', false)
           OR coalesce(lag(sm.source) OVER (ORDER BY m.month) = 'historique', false) AS headcount_unknown
FROM (SELECT DISTINCT month FROM core.establishment_monthly) m
LEFT JOIN meta.stock_month sm USING (month);

-- Monthly figures of the territory, for all activities and for the tech sector set.
CREATE OR REPLACE VIEW pub.territory_monthly AS
WITH scopes AS (SELECT unnest(['all', 'tech']) AS scope),
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
           count(*) FILTER (WHERE kind = 'move_out' AND is_head_office) AS company_move_outs,
           -- Activity changes move an establishment in or out of the tech perimeter, never out of 'all'.
           count(*) FILTER (WHERE s.scope = 'tech' AND kind = 'sector_change' AND is_tech AND NOT was_tech)
               AS sector_entries,
           count(*) FILTER (WHERE s.scope = 'tech' AND kind = 'sector_change' AND was_tech AND NOT is_tech)
               AS sector_exits
    FROM (SELECT *, coalesce(CAST(details ->> 'was_tech' AS BOOLEAN), false) AS was_tech FROM pub.event) e, scopes s
    WHERE source = 'sirene' AND (s.scope = 'all' OR is_tech OR was_tech)
    GROUP BY ALL
),
figures AS (
    -- A month reconstructed from StockEtablissementHistorique knows no move and no headcount: those flows are
    -- NULL (not available), and so are the headcount flows of the month that follows it.
    SELECT m.month, s.scope, m.previous_month, m.is_reconstructed, m.headcount_unknown,
           coalesce(stock.establishments, 0) AS establishments,
           coalesce(stock.companies, 0) AS companies,
           coalesce(ev.creations, 0) AS creations,
           coalesce(ev.closures, 0) AS closures,
           CASE WHEN NOT m.is_reconstructed THEN coalesce(ev.move_ins, 0) END AS move_ins,
           CASE WHEN NOT m.is_reconstructed THEN coalesce(ev.move_outs, 0) END AS move_outs,
           coalesce(ev.sector_entries, 0) AS sector_entries,
           coalesce(ev.sector_exits, 0) AS sector_exits,
           ev.headcount_ups, ev.headcount_downs, ev.company_creations, ev.company_closures, ev.company_move_ins,
           ev.company_move_outs
    FROM marts.loaded_month m CROSS JOIN scopes s
    LEFT JOIN stock ON stock.month = m.month AND stock.scope = s.scope
    LEFT JOIN ev ON ev.month = m.month AND ev.scope = s.scope
)
SELECT f.month, f.scope, f.establishments, f.companies, f.creations, f.closures, f.move_ins, f.move_outs,
       f.creations + f.move_ins - f.closures - f.move_outs AS net_change,
       CASE WHEN NOT f.headcount_unknown THEN coalesce(f.headcount_ups, 0) END AS headcount_ups,
       CASE WHEN NOT f.headcount_unknown THEN coalesce(f.headcount_downs, 0) END AS headcount_downs,
       coalesce(f.company_creations, 0) AS company_creations,
       coalesce(f.company_closures, 0) AS company_closures,
       CASE WHEN NOT f.is_reconstructed THEN coalesce(f.company_move_ins, 0) END AS company_move_ins,
       CASE WHEN NOT f.is_reconstructed THEN coalesce(f.company_move_outs, 0) END AS company_move_outs,
       f.previous_month IS NULL AS is_first_month,
       f.is_reconstructed,
       p.establishments AS establishments_before,
       f.sector_entries,
       f.sector_exits,
       f.establishments - p.establishments - (f.creations - f.closures + f.move_ins - f.move_outs
                                              + f.sector_entries - f.sector_exits) AS other_changes
FROM figures f
LEFT JOIN figures p ON p.month = f.previous_month AND p.scope = f.scope;

-- The same figures by commune of the territory and by activity code (each with its tech flag): a row has the
-- stock of the month before, the movements and the stock of the month, so that before + movements = after; what
-- no event explains (a head office moved within the territory, a code outside NAF rev. 2) is other_changes.
CREATE OR REPLACE VIEW pub.territory_monthly_by_commune AS
WITH stock AS (
    SELECT month, commune_code, is_tech, count(*) FILTER (WHERE state = 'A') AS establishments
    FROM pub.establishment_monthly GROUP BY ALL
),
mv AS (
    SELECT month, commune_code, is_tech,
           count(*) FILTER (WHERE kind = 'creation') AS creations,
           count(*) FILTER (WHERE kind = 'closure') AS closures,
           count(*) FILTER (WHERE kind = 'move_in') AS move_ins,
           count(*) FILTER (WHERE kind = 'move_out') AS move_outs,
           count(*) FILTER (WHERE kind = 'sector_entry' AND crosses_tech) AS sector_entries,
           count(*) FILTER (WHERE kind = 'sector_exit' AND crosses_tech) AS sector_exits
    FROM marts.movement GROUP BY ALL
),
grid AS (
    SELECT m.month, m.previous_month, m.is_reconstructed, rc.code AS commune_code, rc.name AS commune_name, t.is_tech
    FROM marts.loaded_month m, ref.commune rc, (SELECT unnest([false, true]) AS is_tech) t
)
SELECT g.month, g.commune_code, g.commune_name, g.is_tech,
       coalesce(s.establishments, 0) AS establishments,
       coalesce(mv.creations, 0) AS creations, coalesce(mv.closures, 0) AS closures,
       CASE WHEN NOT g.is_reconstructed THEN coalesce(mv.move_ins, 0) END AS move_ins,
       CASE WHEN NOT g.is_reconstructed THEN coalesce(mv.move_outs, 0) END AS move_outs,
       CASE WHEN g.previous_month IS NOT NULL THEN coalesce(p.establishments, 0) END AS establishments_before,
       coalesce(mv.sector_entries, 0) AS sector_entries, coalesce(mv.sector_exits, 0) AS sector_exits,
       CASE WHEN g.previous_month IS NOT NULL AND NOT g.is_reconstructed THEN
           coalesce(s.establishments, 0) - coalesce(p.establishments, 0)
           - (coalesce(mv.creations, 0) - coalesce(mv.closures, 0) + coalesce(mv.move_ins, 0)
              - coalesce(mv.move_outs, 0) + coalesce(mv.sector_entries, 0) - coalesce(mv.sector_exits, 0))
       END AS other_changes
FROM grid g
LEFT JOIN stock s ON s.month = g.month AND s.commune_code = g.commune_code AND s.is_tech = g.is_tech
LEFT JOIN stock p ON p.month = g.previous_month AND p.commune_code = g.commune_code AND p.is_tech = g.is_tech
LEFT JOIN mv ON mv.month = g.month AND mv.commune_code = g.commune_code AND mv.is_tech = g.is_tech;

CREATE OR REPLACE VIEW pub.territory_monthly_by_activity AS
WITH stock AS (
    SELECT month, naf_code, is_tech, count(*) FILTER (WHERE state = 'A') AS establishments
    FROM pub.establishment_monthly GROUP BY ALL
),
mv AS (
    SELECT month, naf_code, is_tech,
           count(*) FILTER (WHERE kind = 'creation') AS creations,
           count(*) FILTER (WHERE kind = 'closure') AS closures,
           count(*) FILTER (WHERE kind = 'move_in') AS move_ins,
           count(*) FILTER (WHERE kind = 'move_out') AS move_outs,
           count(*) FILTER (WHERE kind = 'sector_entry') AS sector_entries,
           count(*) FILTER (WHERE kind = 'sector_exit') AS sector_exits
    FROM marts.movement GROUP BY ALL
),
grid AS (
    SELECT m.month, m.previous_month, m.is_reconstructed, k.naf_code, k.is_tech
    FROM marts.loaded_month m,
         (SELECT naf_code, is_tech FROM stock UNION SELECT naf_code, is_tech FROM mv) k
),
rows AS (
    SELECT g.month, g.naf_code, g.is_tech,
           coalesce(s.establishments, 0) AS establishments,
           coalesce(mv.creations, 0) AS creations, coalesce(mv.closures, 0) AS closures,
           CASE WHEN NOT g.is_reconstructed THEN coalesce(mv.move_ins, 0) END AS move_ins,
           CASE WHEN NOT g.is_reconstructed THEN coalesce(mv.move_outs, 0) END AS move_outs,
           CASE WHEN g.previous_month IS NOT NULL THEN coalesce(p.establishments, 0) END AS establishments_before,
           coalesce(mv.sector_entries, 0) AS sector_entries, coalesce(mv.sector_exits, 0) AS sector_exits,
           CASE WHEN g.previous_month IS NOT NULL AND NOT g.is_reconstructed THEN
               coalesce(s.establishments, 0) - coalesce(p.establishments, 0)
               - (coalesce(mv.creations, 0) - coalesce(mv.closures, 0) + coalesce(mv.move_ins, 0)
                  - coalesce(mv.move_outs, 0) + coalesce(mv.sector_entries, 0) - coalesce(mv.sector_exits, 0))
           END AS other_changes
    FROM grid g
    LEFT JOIN stock s ON s.month = g.month AND s.naf_code IS NOT DISTINCT FROM g.naf_code AND s.is_tech = g.is_tech
    LEFT JOIN stock p ON p.month = g.previous_month AND p.naf_code IS NOT DISTINCT FROM g.naf_code
                     AND p.is_tech = g.is_tech
    LEFT JOIN mv ON mv.month = g.month AND mv.naf_code IS NOT DISTINCT FROM g.naf_code AND mv.is_tech = g.is_tech
)
-- Only the codes with something to say that month (the grid has every code ever seen in every month).
SELECT r.month, r.naf_code, n.label AS naf_label, n.short_label AS naf_short_label, n.section, r.is_tech,
       r.establishments, r.creations, r.closures, r.move_ins, r.move_outs, r.establishments_before,
       r.sector_entries, r.sector_exits, r.other_changes
FROM rows r
LEFT JOIN ref.naf n ON n.code = r.naf_code
WHERE r.establishments > 0 OR coalesce(r.establishments_before, 0) > 0 OR r.creations + r.closures > 0
   OR coalesce(r.move_ins + r.move_outs, 0) > 0 OR r.sector_entries + r.sector_exits > 0;

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
