-- API sources: Recherche d'entreprises enrichment, INSEE daily deltas, BODACC notices, their quarantine.
CREATE SCHEMA IF NOT EXISTS api;

CREATE TABLE api.company_enrichment (
    siren VARCHAR NOT NULL,
    etat_administratif VARCHAR,
    categorie_entreprise VARCHAR,
    annee_categorie_entreprise INTEGER,
    nature_juridique VARCHAR,
    activite_principale VARCHAR,
    naf25 VARCHAR,
    tranche_effectif_salarie VARCHAR,
    finances_year INTEGER,
    chiffre_affaires BIGINT,
    resultat_net BIGINT,
    finances JSON,
    nombre_etablissements INTEGER,
    nombre_etablissements_ouverts INTEGER,
    date_mise_a_jour TIMESTAMPTZ,
    dirigeants_count INTEGER,
    officer_sirens VARCHAR[],
    matching_sirets VARCHAR[],
    est_ess BOOLEAN,
    est_societe_mission BOOLEAN,
    est_entrepreneur_individuel BOOLEAN,
    est_association BOOLEAN,
    est_qualiopi BOOLEAN,
    est_organisme_formation BOOLEAN,
    est_rge BOOLEAN,
    est_siae BOOLEAN,
    est_bio BOOLEAN,
    est_patrimoine_vivant BOOLEAN,
    fetched_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR NOT NULL
);

CREATE TABLE api.insee_establishment_delta (
    siret VARCHAR NOT NULL,
    siren VARCHAR NOT NULL,
    last_processed_at TIMESTAMPTZ NOT NULL,
    created_on DATE,
    statut_diffusion VARCHAR,
    is_head_office BOOLEAN,
    headcount_band VARCHAR,
    commune_code VARCHAR,
    postcode VARCHAR,
    state VARCHAR,
    period_start DATE,
    naf_code VARCHAR,
    naf25_code VARCHAR,
    company_state VARCHAR,
    legal_form VARCHAR,
    run_id VARCHAR NOT NULL
);

CREATE TABLE api.bodacc_notice (
    notice_id VARCHAR NOT NULL,
    published_on DATE NOT NULL,
    parution VARCHAR,
    bulletin VARCHAR,
    family VARCHAR NOT NULL,
    family_label VARCHAR,
    notice_type VARCHAR NOT NULL,
    previous_notice_id VARCHAR,
    is_cancelled BOOLEAN NOT NULL DEFAULT false,
    siren VARCHAR,
    tribunal VARCHAR,
    postcode VARCHAR,
    city VARCHAR,
    judgment_family VARCHAR,
    judgment_nature VARCHAR,
    judgment_date DATE,
    procedure VARCHAR,
    deposit_type VARCHAR,
    accounts_closing_date DATE,
    strike_off BOOLEAN,
    url VARCHAR,
    run_id VARCHAR NOT NULL
);

CREATE TABLE quarantine.api (
    run_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,
    key VARCHAR,
    detail VARCHAR,
    raw JSON
);
