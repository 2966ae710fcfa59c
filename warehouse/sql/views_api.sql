-- API sources: BODACC notices, companies in difficulty, Recherche d'entreprises enrichment. No personal names:
-- notices carry none (removed at parsing) and company names come from pub.company (masked for P units).

CREATE OR REPLACE VIEW pub.notice AS
SELECT
    notice_id,
    published_on,
    family,
    family_label,
    notice_type,
    is_cancelled,
    siren,
    tribunal,
    postcode,
    city,
    judgment_nature,
    judgment_date,
    procedure,
    url
FROM api.bodacc_notice;

-- The latest collective-procedure judgment of each company (a closure judgment included: it ends the difficulty).
CREATE OR REPLACE VIEW marts.latest_judgment AS
SELECT *
FROM api.bodacc_notice
WHERE family = 'collective' AND NOT is_cancelled AND siren IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY siren
                           ORDER BY coalesce(judgment_date, published_on) DESC, published_on DESC, notice_id DESC) = 1;

CREATE OR REPLACE VIEW pub.company_in_difficulty AS
SELECT
    j.siren,
    c.name,
    c.display_name,
    coalesce(CASE WHEN c.head_office_in_territory THEN c.head_office_commune_code END,
             (SELECT min(e.commune_code) FROM core.establishment e WHERE e.siren = j.siren AND e.in_territory))
        AS commune_code,
    c.naf_code,
    c.is_tech,
    j.procedure,
    j.judgment_nature,
    j.judgment_date,
    j.notice_id,
    j.url
FROM marts.latest_judgment j
JOIN pub.company c ON c.siren = j.siren
WHERE c.state = 'A' AND j.procedure IS NOT NULL
  AND NOT (j.judgment_nature ILIKE '%clôture%' OR j.judgment_nature ILIKE '%cloture%');

CREATE OR REPLACE VIEW pub.company_enrichment AS
SELECT
    siren,
    categorie_entreprise,
    annee_categorie_entreprise,
    nature_juridique,
    naf25,
    finances_year,
    chiffre_affaires,
    resultat_net,
    finances,
    est_ess,
    est_societe_mission,
    est_entrepreneur_individuel,
    est_association,
    est_qualiopi,
    est_organisme_formation,
    est_rge,
    est_siae,
    est_bio,
    est_patrimoine_vivant,
    nombre_etablissements,
    nombre_etablissements_ouverts,
    date_mise_a_jour,
    dirigeants_count,
    officer_sirens,
    fetched_at
FROM api.company_enrichment;
