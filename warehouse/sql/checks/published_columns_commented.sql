-- Every published table and column says what it holds (radar sql --schema, any SQL client's catalog).
SELECT view_name AS relation, NULL AS column_name FROM duckdb_views()
WHERE schema_name = 'pub' AND NOT internal AND comment IS NULL
UNION ALL
SELECT c.table_name, c.column_name FROM duckdb_columns() c
JOIN duckdb_views() v ON v.schema_name = c.schema_name AND v.view_name = c.table_name
WHERE c.schema_name = 'pub' AND NOT v.internal AND c.comment IS NULL
