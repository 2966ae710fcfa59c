-- The warehouse model: reference data, monthly SIRENE states, current state, events, ledger, quarantine.
CREATE SCHEMA IF NOT EXISTS ref;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS quarantine;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS pub;

CREATE TABLE ref.commune (
    code VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    postcodes VARCHAR[]
);
CREATE TABLE ref.naf (
    code VARCHAR NOT NULL,
    label VARCHAR NOT NULL,
    section VARCHAR,
    section_label VARCHAR
);
CREATE TABLE ref.sector (
    set_name VARCHAR NOT NULL,
    set_label VARCHAR NOT NULL,
    nomenclature VARCHAR NOT NULL,
    naf_code VARCHAR NOT NULL,
    is_default BOOLEAN NOT NULL
);
CREATE TABLE ref.headcount_band (
    code VARCHAR NOT NULL,
    label VARCHAR NOT NULL,
    rank INTEGER NOT NULL,
    min_employees INTEGER,
    max_employees INTEGER
);
CREATE TABLE ref.legal_form (
    code VARCHAR NOT NULL,
    label VARCHAR NOT NULL
);

CREATE TABLE core.establishment_monthly (
    month DATE NOT NULL,
    siret VARCHAR NOT NULL,
    siren VARCHAR NOT NULL,
    nic VARCHAR NOT NULL,
    statut_diffusion VARCHAR,
    created_on DATE,
    headcount_band VARCHAR,
    headcount_year INTEGER,
    last_processed_at TIMESTAMP,
    is_head_office BOOLEAN,
    period_count INTEGER,
    address_complement VARCHAR,
    street_number VARCHAR,
    street_number_suffix VARCHAR,
    street_type VARCHAR,
    street_name VARCHAR,
    postcode VARCHAR,
    commune_name VARCHAR,
    foreign_commune_name VARCHAR,
    special_distribution VARCHAR,
    commune_code VARCHAR,
    cedex_code VARCHAR,
    cedex_name VARCHAR,
    country_code VARCHAR,
    country_name VARCHAR,
    address_id VARCHAR,
    lambert_x DOUBLE,
    lambert_y DOUBLE,
    latitude DOUBLE,
    longitude DOUBLE,
    period_start DATE,
    state VARCHAR,
    sign1 VARCHAR,
    sign2 VARCHAR,
    sign3 VARCHAR,
    usual_name VARCHAR,
    naf_code VARCHAR,
    naf_nomenclature VARCHAR,
    is_employer VARCHAR,
    naf25_code VARCHAR,
    in_territory BOOLEAN NOT NULL
);

CREATE TABLE core.company_monthly (
    month DATE NOT NULL,
    siren VARCHAR NOT NULL,
    statut_diffusion VARCHAR,
    is_purged BOOLEAN,
    created_on DATE,
    sigle VARCHAR,
    sex VARCHAR,
    first_name1 VARCHAR,
    first_name2 VARCHAR,
    first_name3 VARCHAR,
    first_name4 VARCHAR,
    usual_first_name VARCHAR,
    pseudonym VARCHAR,
    association_id VARCHAR,
    headcount_band VARCHAR,
    headcount_year INTEGER,
    last_processed_at TIMESTAMP,
    period_count INTEGER,
    category VARCHAR,
    category_year INTEGER,
    period_start DATE,
    state VARCHAR,
    last_name VARCHAR,
    usage_name VARCHAR,
    denomination VARCHAR,
    usual_name1 VARCHAR,
    usual_name2 VARCHAR,
    usual_name3 VARCHAR,
    legal_form VARCHAR,
    naf_code VARCHAR,
    naf_nomenclature VARCHAR,
    head_office_nic VARCHAR,
    is_ess VARCHAR,
    is_mission_company VARCHAR,
    is_employer VARCHAR,
    naf25_code VARCHAR
);

-- Current state: the latest loaded month of every SIRET ever located in the territory, and of their companies.
CREATE TABLE core.establishment AS SELECT *, month AS first_seen_month, month AS last_seen_month
    FROM core.establishment_monthly WITH NO DATA;
ALTER TABLE core.establishment DROP COLUMN month;
CREATE TABLE core.company AS SELECT *, month AS last_seen_month FROM core.company_monthly WITH NO DATA;
ALTER TABLE core.company DROP COLUMN month;

CREATE TABLE core.event (
    event_id VARCHAR NOT NULL,
    month DATE NOT NULL,
    event_date DATE,
    kind VARCHAR NOT NULL,
    siren VARCHAR,
    siret VARCHAR,
    source VARCHAR NOT NULL,
    details JSON,
    evidence VARCHAR
);

CREATE TABLE meta.run (
    run_id VARCHAR NOT NULL,
    flow VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ,
    status VARCHAR NOT NULL,
    month DATE,
    counts JSON,
    message VARCHAR
);

CREATE TABLE meta.stock_month (
    month DATE NOT NULL,
    run_id VARCHAR NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL,
    etablissements_file VARCHAR NOT NULL,
    etablissements_sha256 VARCHAR NOT NULL,
    etablissements_bytes BIGINT,
    unites_legales_file VARCHAR NOT NULL,
    unites_legales_sha256 VARCHAR NOT NULL,
    unites_legales_bytes BIGINT,
    counts JSON
);

CREATE TABLE meta.source_state (
    source VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    value VARCHAR,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE quarantine.sirene (
    run_id VARCHAR NOT NULL,
    month DATE NOT NULL,
    entity VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,
    key VARCHAR,
    detail VARCHAR,
    raw JSON
);
