-- Registry events of month $cur, derived by comparing it with the previous loaded month $prev.
-- In SIRENE a transfer closes one SIRET and opens another under the same SIREN: a head office that leaves or
-- enters the territory that way is one move of the company, not a closure plus a creation, and a transfer
-- within the territory is no event at all.
INSERT INTO core.event
WITH
p AS (SELECT * FROM core.establishment_monthly WHERE month = $prev),
m AS (SELECT * FROM core.establishment_monthly WHERE month = $cur),
tech AS (SELECT naf_code FROM ref.sector WHERE is_default AND nomenclature = 'NAFRev2'),
p_ho AS (
    SELECT c.siren, e.siret, e.commune_code, e.in_territory
    FROM core.company_monthly c JOIN p e ON e.siret = c.siren || c.head_office_nic
    WHERE c.month = $prev
),
m_ho AS (
    SELECT c.siren, c.created_on AS company_created_on, e.siret, e.commune_code, e.in_territory
    FROM core.company_monthly c LEFT JOIN m e ON e.siret = c.siren || c.head_office_nic
    WHERE c.month = $cur
),
appeared AS (
    SELECT m.*, prev_same.commune_code AS prev_commune, prev_same.siret IS NOT NULL AS seen_outside,
           p_ho.siret AS prev_ho_siret, p_ho.commune_code AS prev_ho_commune, p_ho.in_territory AS prev_ho_inside,
           m_ho.company_created_on,
           -- Without the previous month's view of the company, its old head office is the establishment
           -- outside the territory that closed when this one opened.
           (SELECT o.commune_code FROM m AS o
            WHERE o.siren = m.siren AND NOT o.in_territory AND o.state = 'F'
              AND o.period_start BETWEEN m.created_on - INTERVAL 31 DAY AND m.created_on + INTERVAL 31 DAY
            ORDER BY o.period_start DESC, o.siret LIMIT 1) AS closed_outside_commune
    FROM m
    LEFT JOIN p AS prev_same ON prev_same.siret = m.siret AND NOT prev_same.in_territory
    LEFT JOIN p_ho ON p_ho.siren = m.siren
    LEFT JOIN m_ho ON m_ho.siren = m.siren
    WHERE m.in_territory AND m.state = 'A'
      AND NOT EXISTS (SELECT 1 FROM p WHERE p.siret = m.siret AND p.in_territory AND p.state = 'A')
),
appeared_kind AS (
    SELECT *,
        CASE
            WHEN seen_outside THEN 'move_in'
            WHEN is_head_office AND prev_ho_siret IS NOT NULL AND prev_ho_siret <> siret
                THEN CASE WHEN prev_ho_inside THEN NULL ELSE 'move_in' END
            WHEN is_head_office AND prev_ho_siret IS NULL
                 AND (closed_outside_commune IS NOT NULL OR company_created_on < created_on - INTERVAL 1 MONTH)
                THEN 'move_in'
            ELSE 'creation'
        END AS kind,
        coalesce(prev_commune, prev_ho_commune, closed_outside_commune) AS from_commune
    FROM appeared
),
gone AS (
    SELECT p.*, now_same.state AS now_state, now_same.in_territory AS now_inside,
           now_same.commune_code AS now_commune, now_same.period_start AS now_period_start,
           m_ho.siret AS new_ho_siret, m_ho.commune_code AS new_ho_commune, m_ho.in_territory AS new_ho_inside
    FROM p
    LEFT JOIN m AS now_same ON now_same.siret = p.siret
    LEFT JOIN m_ho ON m_ho.siren = p.siren
    WHERE p.in_territory AND p.state = 'A'
      AND (now_same.siret IS NULL OR NOT now_same.in_territory OR now_same.state = 'F')
),
gone_kind AS (
    SELECT *,
        CASE
            WHEN now_state = 'A' AND NOT now_inside THEN 'move_out'
            WHEN is_head_office AND new_ho_siret IS NOT NULL AND new_ho_siret <> siret
                THEN CASE WHEN new_ho_inside THEN NULL ELSE 'move_out' END
            ELSE 'closure'
        END AS kind,
        CASE WHEN now_state = 'A' AND NOT now_inside THEN now_commune ELSE new_ho_commune END AS to_commune
    FROM gone
),
changed AS (
    SELECT m.*, p.headcount_band AS prev_band, p.naf_code AS prev_naf, p.naf_nomenclature AS prev_nomenclature
    FROM m JOIN p USING (siret)
    WHERE m.in_territory AND p.in_territory AND m.state = 'A' AND p.state = 'A'
),
events AS (
    SELECT kind, coalesce(created_on, $cur) AS event_date, siren, siret,
           json_object('is_head_office', is_head_office, 'commune_code', commune_code, 'naf_code', naf_code,
                       'from_commune', CASE WHEN kind = 'move_in' THEN from_commune END,
                       'created_on', created_on) AS details,
           naf_code
    FROM appeared_kind WHERE kind IS NOT NULL
    UNION ALL
    SELECT kind,
           CASE WHEN kind = 'move_out' AND new_ho_siret IS NOT NULL AND new_ho_siret <> siret
                THEN (SELECT created_on FROM m WHERE m.siret = new_ho_siret)
                ELSE coalesce(now_period_start, $cur) END,
           siren, siret,
           json_object('is_head_office', is_head_office, 'commune_code', commune_code, 'naf_code', naf_code,
                       'to_commune', CASE WHEN kind = 'move_out' THEN to_commune END,
                       'new_siret', CASE WHEN kind = 'move_out' AND new_ho_siret <> siret THEN new_ho_siret END),
           naf_code
    FROM gone_kind WHERE kind IS NOT NULL
    UNION ALL
    SELECT 'headcount_change', $cur, siren, siret,
           json_object('is_head_office', is_head_office, 'commune_code', commune_code, 'naf_code', naf_code,
                       'from_band', prev_band, 'to_band', headcount_band,
                       'direction', CASE WHEN b_new.rank > b_old.rank THEN 'up' ELSE 'down' END),
           naf_code
    FROM changed
    JOIN ref.headcount_band b_old ON b_old.code = prev_band
    JOIN ref.headcount_band b_new ON b_new.code = headcount_band
    WHERE prev_band <> headcount_band
    UNION ALL
    SELECT 'sector_change', $cur, siren, siret,
           json_object('is_head_office', is_head_office, 'commune_code', commune_code, 'naf_code', naf_code,
                       'from_naf', prev_naf, 'to_naf', naf_code,
                       'was_tech', prev_naf IN (SELECT naf_code FROM tech)),
           naf_code
    FROM changed
    WHERE prev_naf <> naf_code AND prev_nomenclature = 'NAFRev2' AND naf_nomenclature = 'NAFRev2'
)
SELECT md5(concat_ws('|', 'sirene', kind, siret, CAST($cur AS VARCHAR))) AS event_id,
       $cur AS month, event_date, kind, siren, siret, 'sirene' AS source,
       json_merge_patch(details, json_object('is_tech', naf_code IN (SELECT naf_code FROM tech))) AS details,
       NULL AS evidence
FROM events
