"""Data dictionary of the delivery tables of the snapshot (merged into warehouse.dictionary)."""

ENTRIES = {
    "introduction": ("« Mises en relation »: pairs of companies of the territory that should meet, suggested by the "
                     "monthly report, ranked; a pair is suggested again only after the configured months.", {
        "month": "Report month (first day of the month)",
        "rank": "Rank in the month's list (1 = best score)",
        "siren_a": "SIREN of the first company (siren_a < siren_b)",
        "siren_b": "SIREN of the second company",
        "rule": "Rule that suggested the pair: new_neighbour, same_story or difficulty_peer",
        "facts": "JSON facts of the reason, never a name: new (new_neighbour: SIREN of the new company), troubled "
                 "and procedure (difficulty_peer), article_id (same_story), distance_km (NULL: same commune, no "
                 "coordinates)",
        "reason": "The reason in one French sentence, written at publication from facts and the companies' "
                  "current display names (a unit that became partially diffusible is no longer named)",
        "score": "Rule weight times closeness (distance, mention confidence, size); higher first",
        "created_at": "When the pair was computed (UTC)",
    }),
    "report_delivery": ("Every rendering and every sending attempt of the monthly report.", {
        "month": "Report month (first day of the month)",
        "kind": "rendered (HTML, PDF, annexes written) or sent (e-mailed or written to the outbox)",
        "status": "success or failed; a month counts as sent only with a successful 'sent' row",
        "recorded_at": "When it happened (UTC)",
        "recipients_count": "Number of recipients (addresses are not kept)",
        "transport": "smtp or outbox (.eml file written when no SMTP server is configured)",
        "html_sha256": "SHA-256 of report.html",
        "pdf_sha256": "SHA-256 of report.pdf",
        "message": "Error message of a failed attempt (no secret)",
    }),
}
