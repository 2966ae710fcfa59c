-- Delivery: the « mises en relation » and the report's delivery log, as they may leave the warehouse.
-- Reasons are built from published (masked) names only; no e-mail address is kept anywhere.

CREATE OR REPLACE VIEW pub.introduction AS
SELECT month, rank, siren_a, siren_b, rule, reason, score, created_at FROM core.introduction;

CREATE OR REPLACE VIEW pub.report_delivery AS
SELECT month, kind, status, recorded_at, recipients_count, transport, html_sha256, pdf_sha256, message
FROM meta.report_delivery;
