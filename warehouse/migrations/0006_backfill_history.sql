-- Months reconstructed from INSEE's historical establishment file (StockEtablissementHistorique), before the
-- first stock file: creations, closures and activity changes only (that file keeps no address and no headcount).
ALTER TABLE meta.stock_month ADD COLUMN source VARCHAR DEFAULT 'stock';
ALTER TABLE meta.stock_month ADD COLUMN based_on_month DATE;
UPDATE meta.stock_month SET source = 'stock' WHERE source IS NULL;
COMMENT ON COLUMN meta.stock_month.source IS 'stock: loaded from that month''s stock files; historique: reconstructed from StockEtablissementHistorique (no moves, no headcounts)';
COMMENT ON COLUMN meta.stock_month.based_on_month IS 'For a reconstructed month: the stock month whose addresses, territory membership and legal units it reuses (SIRETs never move)';
COMMENT ON COLUMN meta.stock_month.etablissements_file IS 'Establishments stock file; for a reconstructed month, the StockEtablissementHistorique file';
COMMENT ON COLUMN meta.stock_month.unites_legales_file IS 'Legal units stock file; for a reconstructed month, the one of based_on_month';
