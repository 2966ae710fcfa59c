-- Nothing is lost between a source and the warehouse: for every counted entity of every successful run,
-- rows in = loaded + quarantined + deduplicated (+ rows outside the territory, for a search by activity).
WITH entities AS (
    SELECT run_id, flow, '' AS entity, counts::JSON AS c FROM meta.run
    WHERE status = 'success' AND json_exists(counts, '$.rows_in')
    UNION ALL
    SELECT r.run_id, r.flow, k AS entity, json_extract(r.counts, '$."' || k || '"') AS c
    FROM meta.run r, unnest(json_keys(r.counts)) AS t(k)
    WHERE r.status = 'success' AND json_exists(r.counts, '$."' || k || '".rows_in')
)
SELECT run_id, flow, entity,
       CAST(c->>'rows_in' AS BIGINT) AS rows_in, CAST(c->>'loaded' AS BIGINT) AS loaded,
       CAST(c->>'quarantined' AS BIGINT) AS quarantined, CAST(c->>'deduplicated' AS BIGINT) AS deduplicated,
       coalesce(CAST(c->>'out_of_territory' AS BIGINT), 0) AS out_of_territory
FROM entities
WHERE CAST(c->>'rows_in' AS BIGINT) IS DISTINCT FROM CAST(c->>'loaded' AS BIGINT) + CAST(c->>'quarantined' AS BIGINT)
      + coalesce(CAST(c->>'deduplicated' AS BIGINT), 0) + coalesce(CAST(c->>'out_of_territory' AS BIGINT), 0)
