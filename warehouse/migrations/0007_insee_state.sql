-- INSEE daily deltas feed the current state: the establishment fields the API gives, the legal unit block of each
-- record, and which source the current state of a unit comes from.
ALTER TABLE core.establishment ADD COLUMN state_source VARCHAR DEFAULT 'sirene';
ALTER TABLE core.company ADD COLUMN state_source VARCHAR DEFAULT 'sirene';
COMMENT ON COLUMN core.establishment.state_source IS 'sirene: current state from the latest loaded stock; insee: from an INSEE API delta processed after it';
COMMENT ON COLUMN core.company.state_source IS 'sirene: current state from the latest loaded stock; insee: from an INSEE API delta processed after it';

ALTER TABLE api.insee_establishment_delta ADD COLUMN nic VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN headcount_year INTEGER;
ALTER TABLE api.insee_establishment_delta ADD COLUMN period_count INTEGER;
ALTER TABLE api.insee_establishment_delta ADD COLUMN address_complement VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN street_number VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN street_number_suffix VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN street_type VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN street_name VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN commune_name VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN foreign_commune_name VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN special_distribution VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN cedex_code VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN cedex_name VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN country_code VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN country_name VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN address_id VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN lambert_x DOUBLE;
ALTER TABLE api.insee_establishment_delta ADD COLUMN lambert_y DOUBLE;
ALTER TABLE api.insee_establishment_delta ADD COLUMN latitude DOUBLE;
ALTER TABLE api.insee_establishment_delta ADD COLUMN longitude DOUBLE;
ALTER TABLE api.insee_establishment_delta ADD COLUMN sign1 VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN sign2 VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN sign3 VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN usual_name VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN naf_nomenclature VARCHAR;
ALTER TABLE api.insee_establishment_delta ADD COLUMN is_employer VARCHAR;
-- 'territory' (the daily query by commune) or 'siren' (a company's other establishments, fetched to see where a
-- head office went or came from).
ALTER TABLE api.insee_establishment_delta ADD COLUMN fetched_by VARCHAR DEFAULT 'territory';

-- The uniteLegale block of the latest delta of each company (same columns as core.company).
CREATE TABLE api.insee_company_delta AS SELECT * FROM core.company_monthly WITH NO DATA;
ALTER TABLE api.insee_company_delta DROP COLUMN month;
ALTER TABLE api.insee_company_delta ALTER last_processed_at TYPE TIMESTAMPTZ;
ALTER TABLE api.insee_company_delta ADD COLUMN run_id VARCHAR;
COMMENT ON TABLE api.insee_company_delta IS 'Legal unit block (uniteLegale) of the latest INSEE API delta of each company';
