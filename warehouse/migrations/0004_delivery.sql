-- Delivery of the monthly report (every rendering and every sending attempt) and the "mises en relation".

CREATE TABLE meta.report_delivery (
    delivery_id VARCHAR NOT NULL,
    month DATE NOT NULL,
    kind VARCHAR NOT NULL,            -- 'rendered' | 'sent'
    status VARCHAR NOT NULL,          -- 'success' | 'failed'
    recorded_at TIMESTAMPTZ NOT NULL,
    recipients_count INTEGER,
    transport VARCHAR,                -- 'smtp' | 'outbox' (sent) ; NULL (rendered)
    html_sha256 VARCHAR,
    pdf_sha256 VARCHAR,
    files JSON,                       -- {"name": "sha256", ...} of every file of the month's folder
    message VARCHAR
);

CREATE TABLE core.introduction (
    month DATE NOT NULL,
    rank INTEGER NOT NULL,
    siren_a VARCHAR NOT NULL,
    siren_b VARCHAR NOT NULL,         -- siren_a < siren_b: a pair has one spelling
    rule VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
