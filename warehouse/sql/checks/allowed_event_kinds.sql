-- Each source raises only the kinds of events readers know how to count and label.
WITH allowed(source, kind) AS (VALUES
    ('sirene', 'creation'), ('sirene', 'closure'), ('sirene', 'move_in'), ('sirene', 'move_out'),
    ('sirene', 'headcount_change'), ('sirene', 'sector_change'),
    ('insee', 'creation'), ('insee', 'closure'), ('insee', 'move_in'), ('insee', 'move_out'),
    ('insee', 'headcount_change'), ('insee', 'sector_change'),
    ('bodacc', 'insolvency'), ('bodacc', 'sale'), ('bodacc', 'strike_off'), ('bodacc', 'accounts_filed'),
    ('press', 'press_mention'), ('press', 'press_funding'), ('press', 'press_acquisition'),
    ('press', 'press_hiring'), ('press', 'press_closure'))
SELECT e.source, e.kind, count(*) AS events
FROM core.event e ANTI JOIN allowed a ON a.source = e.source AND a.kind = e.kind
GROUP BY e.source, e.kind
