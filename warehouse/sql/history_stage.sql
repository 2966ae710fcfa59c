-- The historical file's periods of the followed SIRETs, typed: temp tables hist_raw (as landed), hist_checked (each
-- row with the rule it breaks, if any) and hist_period (the valid periods, one per SIRET and start).

CREATE OR REPLACE TEMP TABLE hist_raw AS
SELECT *, row_number() OVER () AS row_no FROM read_parquet($periods_path);


CREATE OR REPLACE TEMP TABLE hist_checked AS
SELECT r.*,
    CASE
        WHEN nullif(trim(r.siret), '') IS NULL THEN 'missing_identifier'
        WHEN nullif(trim(r.dateDebut), '') IS NOT NULL
             AND try_strptime(trim(r.dateDebut), '%Y-%m-%d') IS NULL THEN 'invalid_date:dateDebut'
        WHEN nullif(trim(r.dateFin), '') IS NOT NULL
             AND try_strptime(trim(r.dateFin), '%Y-%m-%d') IS NULL THEN 'invalid_date:dateFin'
        WHEN nullif(trim(r.etatAdministratifEtablissement), '') NOT IN ('A', 'F') THEN 'unknown_state'
        WHEN nullif(trim(r.activitePrincipaleEtablissement), '') IS NOT NULL AND (
             (coalesce(nullif(trim(r.nomenclatureActivitePrincipaleEtablissement), ''), 'NAFRev2') = 'NAFRev2'
              AND trim(r.activitePrincipaleEtablissement) NOT IN (SELECT code FROM ref.naf))
          OR (coalesce(nullif(trim(r.nomenclatureActivitePrincipaleEtablissement), ''), 'NAFRev2') <> 'NAFRev2'
              AND NOT regexp_full_match(trim(r.activitePrincipaleEtablissement), $old_naf_shape)))
            THEN 'unknown_naf_code'
    END AS rule,
    b.statut_diffusion
FROM hist_raw r
LEFT JOIN (SELECT siret, any_value(statut_diffusion) AS statut_diffusion FROM core.establishment_monthly
           WHERE month = $base GROUP BY siret) b ON b.siret = trim(r.siret);


CREATE OR REPLACE TEMP TABLE hist_period AS
SELECT trim(siret) AS siret,
       nullif(try_strptime(nullif(trim(dateDebut), ''), '%Y-%m-%d')::DATE, DATE '1900-01-01') AS start,
       nullif(try_strptime(nullif(trim(dateFin), ''), '%Y-%m-%d')::DATE, DATE '1900-01-01') AS finish,
       nullif(trim(etatAdministratifEtablissement), '') AS state,
       nullif(trim(enseigne1Etablissement), '') AS sign1,
       nullif(trim(enseigne2Etablissement), '') AS sign2,
       nullif(trim(enseigne3Etablissement), '') AS sign3,
       nullif(trim(denominationUsuelleEtablissement), '') AS usual_name,
       nullif(trim(activitePrincipaleEtablissement), '') AS naf_code,
       nullif(trim(nomenclatureActivitePrincipaleEtablissement), '') AS naf_nomenclature,
       nullif(trim(caractereEmployeurEtablissement), '') AS is_employer
FROM hist_checked WHERE rule IS NULL
-- The same start twice (a correction): keep one, deterministically.
QUALIFY row_number() OVER (PARTITION BY trim(siret), start ORDER BY finish NULLS FIRST, row_no DESC) = 1;
