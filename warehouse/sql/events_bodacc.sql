-- BODACC events, recomputed from every notice that is not cancelled (idempotent: ids are md5 of source|kind|notice).
DELETE FROM core.event WHERE source = 'bodacc';
INSERT INTO core.event (event_id, month, event_date, kind, siren, siret, source, details, evidence)
SELECT
    md5('bodacc|' || kind || '|' || notice_id),
    date_trunc('month', published_on)::DATE,
    event_date,
    kind,
    siren,
    NULL,
    'bodacc',
    json_object('notice_id', notice_id, 'family', family, 'procedure', procedure,
                'judgment_nature', judgment_nature, 'judgment_date', judgment_date, 'published_on', published_on,
                'deposit_type', deposit_type, 'accounts_closing_date', accounts_closing_date),
    url
FROM (
    SELECT *,
        CASE family
            WHEN 'collective' THEN CASE WHEN procedure IS NOT NULL AND (
                    judgment_nature ILIKE '%ouverture%' OR judgment_nature ILIKE '%prononçant%'
                    OR judgment_nature ILIKE '%conversion%') THEN 'insolvency' END
            WHEN 'vente' THEN 'sale'
            WHEN 'radiation' THEN 'strike_off'
            WHEN 'dpc' THEN 'accounts_filed'
        END AS kind,
        CASE WHEN family = 'collective' THEN coalesce(judgment_date, published_on) ELSE published_on END AS event_date
    FROM api.bodacc_notice
    WHERE NOT is_cancelled AND siren IS NOT NULL
)
WHERE kind IS NOT NULL;
