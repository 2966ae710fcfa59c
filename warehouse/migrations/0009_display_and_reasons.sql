-- Words instead of codes, and no stored sentence built from names.
--
-- Short labels for narrow table columns; legal-form codes INSEE has retired (still carried by older units) are
-- labelled and flagged. Both are filled by the next load's reference tables.
ALTER TABLE ref.naf ADD COLUMN short_label VARCHAR;
ALTER TABLE ref.headcount_band ADD COLUMN short_label VARCHAR;
ALTER TABLE ref.legal_form ADD COLUMN is_retired BOOLEAN DEFAULT false;

-- « Mises en relation » kept their reason as a French sentence with the companies' names in it, so a name stayed
-- published after its unit withdrew its consent (statutDiffusion P). They now keep the facts (who is new or in
-- difficulty, distance, procedure, article) and pub.introduction writes the sentence from the masked names when
-- it is read. The facts of the reasons already stored are read back from their sentence and the warehouse.
ALTER TABLE core.introduction ADD COLUMN facts JSON;
UPDATE core.introduction i SET facts = CASE i.rule
    WHEN 'new_neighbour' THEN json_object(
        'new', CASE WHEN i.siren_b IN (SELECT siren FROM core.event WHERE source = 'sirene' AND kind = 'creation'
                                                                     AND month = i.month)
                     AND i.siren_a NOT IN (SELECT siren FROM core.event WHERE source = 'sirene'
                                                                          AND kind = 'creation' AND month = i.month)
                    THEN i.siren_b ELSE i.siren_a END,
        'distance_km', TRY_CAST(replace(regexp_extract(i.reason, ', à ([0-9]+(,[0-9]+)?) km, a une', 1), ',', '.')
                                AS DOUBLE))
    WHEN 'difficulty_peer' THEN json_object(
        'troubled', CASE WHEN i.siren_b IN (SELECT siren FROM api.bodacc_notice WHERE family = 'collective')
                          AND i.siren_a NOT IN (SELECT siren FROM api.bodacc_notice WHERE family = 'collective'
                                                                                      AND siren IS NOT NULL)
                         THEN i.siren_b ELSE i.siren_a END,
        'procedure', nullif(regexp_extract(i.reason, 'procédure collective \(([^)]*)\)', 1), ''),
        'distance_km', TRY_CAST(replace(regexp_extract(i.reason, ', à ([0-9]+(,[0-9]+)?) km, pourrait', 1), ',', '.')
                                AS DOUBLE))
    WHEN 'same_story' THEN json_object(
        'article_id', (SELECT min(a.article_id)
                       FROM core.news_mention a
                       JOIN core.news_mention b ON b.article_id = a.article_id AND b.siren = i.siren_b
                       WHERE a.siren = i.siren_a))
    ELSE json_object()
END;
DROP VIEW IF EXISTS pub.introduction;
ALTER TABLE core.introduction DROP COLUMN reason;
