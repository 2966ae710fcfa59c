-- INSEE daily deltas: what the latest monthly stock does not know yet (the delta was processed after the stock's
-- own version of that SIRET). Provisional events of the same kinds, by the same rules, as the monthly comparison
-- (events_sirene.sql), recomputed from scratch on every INSEE load and after every stock load: when the next
-- stock arrives with the same change, the delta is no longer newer than the stock, its provisional event
-- disappears and the stock's own 'sirene' event stands alone. Nothing is counted twice.
-- A head office transfer closes one SIRET and opens another under the same SIREN: across the border it is one
-- move_in/move_out of the company, within the territory no event. The other side of a transfer comes from the
-- stock (the company's previous head office) or from the deltas (the company's establishments fetched by SIREN).
DELETE FROM core.event WHERE source = 'insee';
INSERT INTO core.event (event_id, month, event_date, kind, siren, siret, source, details, evidence)
WITH
latest AS (SELECT max(month) AS month FROM core.establishment_monthly),
s AS (SELECT * FROM core.establishment_monthly WHERE month = (SELECT month FROM latest)),
s_ho AS (
    SELECT c.siren, e.siret, e.commune_code, e.in_territory
    FROM core.company_monthly c JOIN s e ON e.siret = c.siren || c.head_office_nic
    WHERE c.month = (SELECT month FROM latest)
),
tech AS (SELECT naf_code FROM ref.sector WHERE is_default AND nomenclature = 'NAFRev2'),
fresh AS (
    SELECT d.*, coalesce(d.commune_code IN (SELECT code FROM ref.commune), false) AS inside
    FROM api.insee_establishment_delta d
    LEFT JOIN s USING (siret)
    WHERE s.siret IS NULL OR s.last_processed_at IS NULL
       OR d.last_processed_at > s.last_processed_at::TIMESTAMPTZ
),
-- Each company's newest active head office in the deltas.
fresh_ho AS (
    SELECT siren, siret, commune_code, inside, created_on FROM fresh
    WHERE is_head_office AND state = 'A'
    QUALIFY row_number() OVER (PARTITION BY siren ORDER BY last_processed_at DESC, siret DESC) = 1
),
d AS (
    SELECT f.*, s.siret IS NOT NULL AS known, s.in_territory AS was_inside, s.state AS was_state,
           s.is_head_office AS was_head_office, s.headcount_band AS prev_band, s.naf_code AS prev_naf,
           s.commune_code AS prev_commune,
           s_ho.siret AS prev_ho_siret, s_ho.commune_code AS prev_ho_commune, s_ho.in_territory AS prev_ho_inside,
           n.siret AS new_ho_siret, n.commune_code AS new_ho_commune, n.inside AS new_ho_inside,
           n.created_on AS new_ho_created_on, c.created_on AS company_created_on,
           -- Without the stock's view of the company, its old head office is the establishment outside the
           -- territory that closed when this one opened.
           (SELECT o.commune_code FROM fresh AS o
            WHERE o.siren = f.siren AND NOT o.inside AND o.state = 'F'
              AND o.period_start BETWEEN f.created_on - INTERVAL 31 DAY AND f.created_on + INTERVAL 31 DAY
            ORDER BY o.period_start DESC, o.siret LIMIT 1) AS closed_outside_commune
    FROM fresh f
    LEFT JOIN s USING (siret)
    LEFT JOIN s_ho ON s_ho.siren = f.siren
    LEFT JOIN fresh_ho n ON n.siren = f.siren
    LEFT JOIN api.insee_company_delta c ON c.siren = f.siren
),
events AS (
    SELECT *, CASE
        WHEN NOT known AND inside AND state = 'A' THEN CASE
            WHEN NOT coalesce(is_head_office, false) THEN 'creation'
            WHEN prev_ho_siret IS NOT NULL AND prev_ho_siret <> siret
                THEN CASE WHEN prev_ho_inside THEN NULL ELSE 'move_in' END
            WHEN prev_ho_siret IS NULL
                 AND (closed_outside_commune IS NOT NULL OR company_created_on < created_on - INTERVAL 1 MONTH)
                THEN 'move_in'
            ELSE 'creation' END
        WHEN known AND was_inside AND was_state = 'A' AND state = 'F' THEN CASE
            WHEN was_head_office AND new_ho_siret IS NOT NULL AND new_ho_siret <> siret
                THEN CASE WHEN new_ho_inside THEN NULL ELSE 'move_out' END
            ELSE 'closure' END
        WHEN known AND was_inside AND was_state = 'A' AND state = 'A' AND NOT inside THEN 'move_out'
        WHEN known AND NOT was_inside AND state = 'A' AND inside THEN 'move_in'
    END AS kind
    FROM d
    UNION ALL
    SELECT *, 'headcount_change' FROM d
    WHERE known AND was_inside AND inside AND was_state = 'A' AND state = 'A' AND prev_band <> headcount_band
    UNION ALL
    SELECT *, 'sector_change' FROM d
    WHERE known AND was_inside AND inside AND was_state = 'A' AND state = 'A' AND prev_naf <> naf_code
)
SELECT md5(concat_ws('|', 'insee', kind, siret, CAST(last_processed_at AS VARCHAR))),
       date_trunc('month', last_processed_at)::DATE,
       CASE WHEN kind = 'creation' OR (kind = 'move_in' AND NOT known)
                THEN coalesce(created_on, last_processed_at::DATE)
            WHEN kind = 'move_out' AND state = 'F'
                THEN coalesce(new_ho_created_on, period_start, last_processed_at::DATE)
            WHEN kind IN ('closure', 'move_out', 'move_in') THEN coalesce(period_start, last_processed_at::DATE)
            ELSE last_processed_at::DATE END,
       kind, siren, siret, 'insee',
       json_object('is_head_office', coalesce(was_head_office AND state = 'F', is_head_office),
                   'commune_code', commune_code, 'naf_code', naf_code,
                   'from_commune', CASE WHEN kind = 'move_in' THEN CASE WHEN known THEN prev_commune
                                        ELSE coalesce(prev_ho_commune, closed_outside_commune) END END,
                   'to_commune', CASE WHEN kind = 'move_out' THEN CASE WHEN state = 'F' THEN new_ho_commune
                                      ELSE commune_code END END,
                   'new_siret', CASE WHEN kind = 'move_out' AND state = 'F' THEN new_ho_siret END,
                   'from_band', CASE WHEN kind = 'headcount_change' THEN prev_band END,
                   'to_band', CASE WHEN kind = 'headcount_change' THEN headcount_band END,
                   'from_naf', CASE WHEN kind = 'sector_change' THEN prev_naf END,
                   'to_naf', CASE WHEN kind = 'sector_change' THEN naf_code END,
                   'is_tech', naf_code IN (SELECT naf_code FROM tech), 'provisional', true,
                   'last_processed_at', last_processed_at),
       'INSEE API Sirene delta'
FROM events
WHERE kind IS NOT NULL;

-- Current state. A stock load rebuilds core.establishment and core.company from the monthly states first, so a
-- stock always wins over older deltas; then deltas processed after the current state's own version apply.
-- Establishments already followed take the delta's values (the fields the API gives):
UPDATE core.establishment e SET
    statut_diffusion = d.statut_diffusion, created_on = d.created_on, headcount_band = d.headcount_band,
    headcount_year = d.headcount_year, last_processed_at = d.last_processed_at::TIMESTAMP,
    is_head_office = d.is_head_office, period_count = d.period_count, address_complement = d.address_complement,
    street_number = d.street_number, street_number_suffix = d.street_number_suffix, street_type = d.street_type,
    street_name = d.street_name, postcode = d.postcode, commune_name = d.commune_name,
    foreign_commune_name = d.foreign_commune_name, special_distribution = d.special_distribution,
    commune_code = d.commune_code, cedex_code = d.cedex_code, cedex_name = d.cedex_name,
    country_code = d.country_code, country_name = d.country_name, address_id = d.address_id,
    lambert_x = d.lambert_x, lambert_y = d.lambert_y, latitude = d.latitude, longitude = d.longitude,
    period_start = d.period_start, state = d.state, sign1 = d.sign1, sign2 = d.sign2, sign3 = d.sign3,
    usual_name = d.usual_name, naf_code = d.naf_code, naf_nomenclature = d.naf_nomenclature,
    is_employer = d.is_employer, naf25_code = d.naf25_code,
    in_territory = coalesce(d.commune_code IN (SELECT code FROM ref.commune), false), state_source = 'insee'
FROM api.insee_establishment_delta d
WHERE d.siret = e.siret AND (e.last_processed_at IS NULL OR d.last_processed_at > e.last_processed_at::TIMESTAMPTZ);

-- Establishments of the territory no stock has shown yet join the current state (first_seen_month and
-- last_seen_month stay NULL until a stock shows them):
INSERT INTO core.establishment BY NAME
SELECT d.* EXCLUDE (last_processed_at, company_state, legal_form, fetched_by, run_id),
       d.last_processed_at::TIMESTAMP AS last_processed_at, true AS in_territory, 'insee' AS state_source
FROM api.insee_establishment_delta d
WHERE d.commune_code IN (SELECT code FROM ref.commune)
  AND d.siret NOT IN (SELECT siret FROM core.establishment);

-- Their companies, when unknown, from the delta's legal unit block:
INSERT INTO core.company BY NAME
SELECT c.* EXCLUDE (last_processed_at, run_id), c.last_processed_at::TIMESTAMP AS last_processed_at,
       'insee' AS state_source
FROM api.insee_company_delta c
WHERE c.siren IN (SELECT siren FROM core.establishment)
  AND c.siren NOT IN (SELECT siren FROM core.company);

-- Known companies take the newer values of the block (a block may omit fields: those keep their value).
UPDATE core.company t SET
    statut_diffusion = coalesce(c.statut_diffusion, t.statut_diffusion), state = coalesce(c.state, t.state),
    created_on = coalesce(c.created_on, t.created_on), headcount_band = coalesce(c.headcount_band, t.headcount_band),
    headcount_year = coalesce(c.headcount_year, t.headcount_year), category = coalesce(c.category, t.category),
    category_year = coalesce(c.category_year, t.category_year),
    denomination = coalesce(c.denomination, t.denomination), sigle = coalesce(c.sigle, t.sigle),
    usual_name1 = coalesce(c.usual_name1, t.usual_name1), legal_form = coalesce(c.legal_form, t.legal_form),
    naf_code = coalesce(c.naf_code, t.naf_code), naf_nomenclature = coalesce(c.naf_nomenclature, t.naf_nomenclature),
    head_office_nic = coalesce(c.head_office_nic, t.head_office_nic), is_ess = coalesce(c.is_ess, t.is_ess),
    is_mission_company = coalesce(c.is_mission_company, t.is_mission_company),
    is_employer = coalesce(c.is_employer, t.is_employer), naf25_code = coalesce(c.naf25_code, t.naf25_code),
    last_processed_at = c.last_processed_at::TIMESTAMP, state_source = 'insee'
FROM api.insee_company_delta c
WHERE c.siren = t.siren AND (t.last_processed_at IS NULL OR c.last_processed_at > t.last_processed_at::TIMESTAMPTZ);
