-- Every event has its own id: a re-run replaces an event, it never adds a second copy.
SELECT event_id, count(*) AS rows FROM core.event GROUP BY event_id HAVING count(*) > 1
