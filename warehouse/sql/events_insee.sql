-- INSEE daily deltas: what the latest monthly stock does not know yet (the delta was processed after the stock's
-- own version of that SIRET). Provisional events of the same kinds as the monthly comparison, recomputed from
-- scratch on every INSEE load (and, once wired, after every stock load): when the next stock arrives with the same
-- change, the delta is no longer newer than the stock, its provisional event disappears and the stock's own
-- 'sirene' event stands alone. Nothing is counted twice.
DELETE FROM core.event WHERE source = 'insee';
INSERT INTO core.event (event_id, month, event_date, kind, siren, siret, source, details, evidence)
WITH
latest AS (SELECT max(month) AS month FROM core.establishment_monthly),
s AS (SELECT * FROM core.establishment_monthly WHERE month = (SELECT month FROM latest)),
tech AS (SELECT naf_code FROM ref.sector WHERE is_default AND nomenclature = 'NAFRev2'),
d AS (
    SELECT d.*, d.commune_code IN (SELECT code FROM ref.commune) AS inside,
           s.siret IS NOT NULL AS known, s.in_territory AS was_inside, s.state AS was_state,
           s.headcount_band AS prev_band, s.naf_code AS prev_naf, s.commune_code AS prev_commune
    FROM api.insee_establishment_delta d
    LEFT JOIN s USING (siret)
    WHERE s.siret IS NULL OR s.last_processed_at IS NULL
       OR d.last_processed_at > s.last_processed_at::TIMESTAMPTZ
),
events AS (
    SELECT *, CASE
        WHEN NOT known AND inside AND state = 'A' THEN 'creation'
        WHEN known AND was_inside AND was_state = 'A' AND state = 'F' THEN 'closure'
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
       CASE WHEN kind = 'creation' THEN coalesce(created_on, last_processed_at::DATE)
            WHEN kind IN ('closure', 'move_out', 'move_in') THEN coalesce(period_start, last_processed_at::DATE)
            ELSE last_processed_at::DATE END,
       kind, siren, siret, 'insee',
       json_object('is_head_office', is_head_office, 'commune_code', commune_code, 'naf_code', naf_code,
                   'from_commune', CASE WHEN kind = 'move_in' THEN prev_commune END,
                   'to_commune', CASE WHEN kind = 'move_out' THEN commune_code END,
                   'from_band', CASE WHEN kind = 'headcount_change' THEN prev_band END,
                   'to_band', CASE WHEN kind = 'headcount_change' THEN headcount_band END,
                   'from_naf', CASE WHEN kind = 'sector_change' THEN prev_naf END,
                   'to_naf', CASE WHEN kind = 'sector_change' THEN naf_code END,
                   'is_tech', naf_code IN (SELECT naf_code FROM tech), 'provisional', true,
                   'last_processed_at', last_processed_at),
       'INSEE API Sirene delta'
FROM events
WHERE kind IS NOT NULL;

-- Current state: establishments already followed take the newer values of their delta (the next stock load
-- rebuilds core.establishment from the monthly states, so a stock always wins over older deltas).
UPDATE core.establishment e SET
    state = d.state, naf_code = d.naf_code, headcount_band = d.headcount_band, period_start = d.period_start,
    commune_code = d.commune_code, postcode = d.postcode, last_processed_at = d.last_processed_at::TIMESTAMP,
    in_territory = d.commune_code IN (SELECT code FROM ref.commune)
FROM api.insee_establishment_delta d
WHERE d.siret = e.siret AND (e.last_processed_at IS NULL OR d.last_processed_at > e.last_processed_at::TIMESTAMPTZ);
