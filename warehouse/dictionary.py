"""The data dictionary of the published snapshot: one comment per table and column (shown by `radar sql --schema`
and by any SQL client through duckdb_tables() / duckdb_columns())."""

from __future__ import annotations

from warehouse.dictionary_api import ENTRIES as API_ENTRIES
from warehouse.dictionary_delivery import ENTRIES as DELIVERY_ENTRIES
from warehouse.dictionary_news import ENTRIES as NEWS_ENTRIES

_MONTH = "Month, as the first day of the month (DATE); a stock file describes the state at this month's end"
_SIREN = "SIREN of the legal unit: 9 digits, text (leading zeros kept)"
_SIRET = "SIRET of the establishment: 14 digits, text (SIREN + NIC)"
_NAF = "Activity code as in SIRENE, with the dot (e.g. 62.01Z); NAF rev.2 unless naf_nomenclature says otherwise"
_IS_TECH = "True when the activity code is in the territory's default sector set (by default the INSEE/OECD digital sector)"
_BAND = "INSEE headcount band code: NN (no employee), 00, 01 (1-2) ... 53 (10,000+); NULL when unknown"
_P_NAME = "NULL when the unit's current statutDiffusion is P and the unit is a natural person"
_STATE_SOURCE = ("Where the current state comes from: sirene = the latest loaded monthly stock; insee = an INSEE API "
                 "daily delta processed after that stock (provisional until the next stock, which then wins)")
_DISPLAY_NAME = ("The name every output shows for the company: its usual name (denominationUsuelle1UniteLegale), else "
                 "its name, else '(nom non diffusible)' (a partially diffusible individual)")
_STATS = {
    "establishments": "Active establishments in the territory at the month's end",
    "creations": "Establishments created in the territory, first shown by this month's stock (event_date may be earlier)",
    "closures": "Establishments of the territory closed, first shown by this month's stock",
    "move_ins": "Establishments (or head offices transferred) that arrived in the territory this month",
    "move_outs": "Establishments (or head offices transferred) that left the territory this month",
}
# The stock before, the movements between, the stock after: before + movements = after, row by row.
_BALANCE = {
    "establishments_before": "Active establishments at the previous loaded month's end (NULL for the first "
                             "loaded month)",
    "sector_entries": "Establishments whose activity changed into the row's perimeter this month (sector_change "
                      "events)",
    "sector_exits": "Establishments whose activity changed out of the row's perimeter this month",
    "other_changes": "What no event explains: establishments - establishments_before - (creations - closures + "
                     "move_ins - move_outs + sector_entries - sector_exits), e.g. a head office transferred within "
                     "the territory (no event) or a code outside NAF rev. 2; NULL when moves are not available",
}

DICTIONARY: dict[str, tuple[str, dict[str, str]]] = {
    "company": ("One row per legal unit (SIREN) with at least one establishment ever located in the territory; "
                "its current state (latest loaded month).", {
        "siren": _SIREN,
        "name": "Name: the legal person's name, or the natural person's usual name; " + _P_NAME,
        "usual_name": "Usual name of the legal unit (denominationUsuelle1UniteLegale); NULL when the unit's "
                      "statutDiffusion is P",
        "display_name": _DISPLAY_NAME,
        "sigle": "Acronym; NULL when the unit's statutDiffusion is P",
        "legal_form": "INSEE legal form code (catégorie juridique, 4 digits; 1000 = individual entrepreneur)",
        "legal_form_label": "Label of the legal form, retired codes included; NULL when the code is unknown to "
                            "the nomenclature (legal_form_status = 'unknown')",
        "legal_form_status": "current (in INSEE's list), retired (a code INSEE has withdrawn that older units "
                             "still carry, e.g. 5720 SASU, 5498 SARL unipersonnelle) or unknown; NULL without code",
        "is_individual": "True for an individual entrepreneur (legal form 1000)",
        "naf_code": "Main activity code of the legal unit. " + _NAF,
        "naf_label": "Label of the activity code",
        "is_tech": _IS_TECH + ", by the company's own activity code",
        "headcount_band": _BAND,
        "headcount_label": "Label of the headcount band",
        "category": "Company size category: PME, ETI or GE",
        "state": "A = active, C = ceased",
        "created_on": "Creation date of the legal unit",
        "closed_on": "Date the legal unit ceased (start of its ceased period); NULL when active",
        "statut_diffusion": "O = fully public; P = partially diffusible (personal fields withheld)",
        "is_ess": "True when the unit belongs to the social and solidarity economy",
        "is_mission_company": "True for a société à mission",
        "head_office_siret": "SIRET of the current head office",
        "head_office_commune_code": "INSEE commune code of the head office, when the head office is followed",
        "head_office_in_territory": "True when the head office is currently in the territory",
        "naf25_code": "Activity code in NAF 2025 (official from 1 January 2027), when SIRENE gives it",
        "last_seen_month": "Latest loaded month that shows this unit; NULL when only INSEE deltas have shown it",
        "state_source": _STATE_SOURCE,
    }),
    "establishment": ("One row per establishment (SIRET) ever located in the territory, active and closed; "
                      "its current state (latest loaded month).", {
        "siret": _SIRET,
        "siren": _SIREN,
        "nic": "NIC: the 5 last digits of the SIRET",
        "name": "Usual name or sign of the establishment, else its company's name; " + _P_NAME,
        "sign": "First sign (enseigne); NULL when the establishment's statutDiffusion is P",
        "company_display_name": "Display name of its company (company.display_name): the name outputs show",
        "street_address": "Number and street; NULL when the establishment's statutDiffusion is P",
        "postcode": "Postcode (not used to locate: CEDEX codes differ from communes)",
        "commune_code": "INSEE code of the commune where the establishment is",
        "commune_name": "Name of the commune (the territory file's spelling, else SIRENE's label in usual case)",
        "in_territory": "True when the establishment is currently in the territory (False: it moved out)",
        "naf_code": _NAF,
        "naf_nomenclature": "Nomenclature of naf_code: NAFRev2, or NAFRev1/NAF1993/NAP for long-closed units",
        "naf_label": "Label of the activity code (NAF rev.2)",
        "is_tech": _IS_TECH,
        "headcount_band": _BAND,
        "headcount_label": "Label of the headcount band",
        "is_head_office": "True for the head office (siège) of its company",
        "state": "A = active, F = closed",
        "created_on": "Creation date of the establishment",
        "closed_on": "Closure date (start of its closed period); NULL when active",
        "latitude": "WGS84 latitude converted from the Lambert 93 coordinates; NULL when P or unknown",
        "longitude": "WGS84 longitude converted from the Lambert 93 coordinates; NULL when P or unknown",
        "statut_diffusion": "O = fully public; P = partially diffusible (address and personal fields withheld)",
        "naf25_code": "Activity code in NAF 2025, when SIRENE gives it",
        "first_seen_month": "First loaded month that shows the establishment in the territory; NULL when only "
                            "INSEE deltas have shown it",
        "last_seen_month": "Latest loaded month that shows the establishment; NULL when only INSEE deltas have "
                           "shown it",
        "state_source": _STATE_SOURCE,
    }),
    "establishment_monthly": ("One row per establishment and loaded month, for the months it was in the territory: "
                              "the state at each month's end.", {
        "month": _MONTH, "siret": _SIRET, "siren": _SIREN,
        "name": "As in establishment.name, masked by the establishment's current status",
        "commune_code": "INSEE commune code at that month's end", "naf_code": _NAF, "is_tech": _IS_TECH,
        "headcount_band": _BAND, "is_head_office": "True for the head office", "state": "A = active, F = closed",
        "created_on": "Creation date", "closed_on": "Closure date; NULL when active",
        "latitude": "WGS84 latitude; NULL when P or unknown", "longitude": "WGS84 longitude; NULL when P or unknown",
    }),
    "company_monthly": ("One row per legal unit and loaded month: the state at each month's end.", {
        "month": _MONTH, "siren": _SIREN, "name": "As in company.name", "legal_form": "INSEE legal form code",
        "naf_code": _NAF, "is_tech": _IS_TECH, "headcount_band": _BAND, "state": "A = active, C = ceased",
        "created_on": "Creation date", "closed_on": "Date the unit ceased; NULL when active",
    }),
    "event": ("One row per dated fact about a company of the territory, from any source. Reports count events by "
              "`month` (the month whose data first showed them), not by event_date.", {
        "event_id": "Stable identifier of the event (same fact, same id on every run)",
        "month": "Month whose data first showed the event (first day of the month)",
        "event_date": "Date of the fact itself, from the data (often earlier than month: late registrations)",
        "kind": "creation, closure, move_in, move_out, headcount_change, sector_change",
        "siren": _SIREN, "siret": _SIRET + " (NULL for company-level facts)",
        "source": "Where the fact comes from: sirene (comparison of monthly stocks; details.reconstructed = true "
                  "when the month was reconstructed from the historical file), insee (provisional, from INSEE API "
                  "daily deltas: gives way to the sirene event when the next stock shows the same change), "
                  "bodacc, press",
        "details": "JSON: commune_code, naf_code, is_head_office, is_tech, and per kind from_commune/to_commune/"
                   "new_siret (moves), from_band/to_band/direction (headcount), from_naf/to_naf (sector)",
        "is_tech": "details.is_tech as a column", "is_head_office": "details.is_head_office as a column",
        "commune_code": "details.commune_code as a column", "naf_code": "details.naf_code as a column",
        "evidence": "Link to the evidence (notice, article) when there is one",
        "commune_name": "Name of the commune of commune_code",
        "from_commune": "details.from_commune (move_in: INSEE code of the commune it came from)",
        "from_commune_name": "Name of from_commune (SIRENE's label in usual case outside the territory)",
        "to_commune": "details.to_commune (move_out: INSEE code of the commune it went to)",
        "to_commune_name": "Name of to_commune",
    }),
    "territory_monthly": ("Monthly figures of the territory (scope 'all' or 'tech'): stock, creations, closures, "
                          "moves, net change. Establishment counts; company_* columns count head offices.", {
        "month": _MONTH, "scope": "'all' activities or 'tech' (default sector set)",
        "companies": "Companies with at least one active establishment in the territory",
        "net_change": "creations + move_ins - closures - move_outs (registry movements only; the stock's change "
                      "is establishments - establishments_before, which also counts sector changes and "
                      "other_changes)",
        "headcount_ups": "Establishments that moved up a headcount band",
        "headcount_downs": "Establishments that moved down a headcount band",
        "company_creations": "Head offices created in the territory", "company_closures": "Head offices closed",
        "company_move_ins": "Head offices transferred into the territory",
        "company_move_outs": "Head offices transferred out of the territory",
        "is_first_month": "True for the first loaded month: no comparison, so no events",
        **_STATS,
        "is_reconstructed": "True for a month reconstructed from INSEE's historical establishment file "
                            "(stock_month.source = 'historique'): moves and headcounts are not available there, so "
                            "move_ins, move_outs, net_change, company_move_* and headcount_* are NULL (n.d.), and "
                            "headcount_* of the month after it too",
        **_BALANCE,
        "sector_entries": "Establishments whose activity changed into the tech perimeter this month (0 for "
                          "scope 'all')",
        "sector_exits": "Establishments whose activity changed out of the tech perimeter this month (0 for "
                        "scope 'all')",
    }),
    "territory_monthly_by_commune": ("Monthly figures by commune of the territory and tech flag, every commune "
                                     "every loaded month: establishments_before + creations - closures + move_ins "
                                     "- move_outs + sector_entries - sector_exits + other_changes = "
                                     "establishments.", {
        "month": _MONTH, "commune_code": "INSEE commune code", "commune_name": "Commune", "is_tech": _IS_TECH,
        **_STATS, **_BALANCE,
        "sector_entries": "Establishments of the commune whose activity entered (is_tech) or left (not is_tech) the "
                          "tech perimeter this month",
        "sector_exits": "Establishments of the commune whose activity left (is_tech) or entered (not is_tech) the "
                        "tech perimeter this month",
    }),
    "territory_monthly_by_activity": ("Monthly figures by activity code and tech flag (codes with establishments "
                                      "or movements that month): establishments_before + movements + "
                                      "other_changes = establishments.", {
        "month": _MONTH, "naf_code": _NAF, "naf_label": "Label", "naf_short_label": "Short label (at most 40 "
        "characters)", "section": "NAF section letter", "is_tech": _IS_TECH,
        **_STATS, **_BALANCE,
        "sector_entries": "Establishments whose activity code changed to this code this month",
        "sector_exits": "Establishments whose activity code changed from this code this month",
    }),
    "quarantine_summary": ("Rows set aside by validation, per month, run, entity and rule broken.", {
        "month": _MONTH, "run_id": "Run that loaded the month", "entity": "establishment or company",
        "rule": "Rule the rows broke (invalid_siret, unknown_naf_code, invalid_date, ...)", "rows": "Row count",
    }),
    "run": ("The run ledger: every run of the pipeline, successful or not.", {
        "run_id": "Identifier of the run", "flow": "What ran", "started_at": "Start (UTC)", "ended_at": "End (UTC)",
        "status": "success, unchanged (same files already loaded), failed, or lost (a load committed, then lost "
                  "with a cut write-ahead log: run it again)", "month": "Stock month concerned",
        "counts": "JSON counts per source: rows in, loaded, quarantined, deduplicated",
        "message": "The error; for a success, a note (a month forced with --force-month, a drop accepted with "
                   "--accept-drop)",
    }),
    "stock_month": ("The SIRENE stock files each loaded month comes from.", {
        "month": _MONTH, "loaded_at": "When the month was loaded",
        "etablissements_file": "File name of the establishments stock", "etablissements_sha256": "Its SHA-256",
        "etablissements_bytes": "Its size", "unites_legales_file": "File name of the legal units stock",
        "unites_legales_sha256": "Its SHA-256", "unites_legales_bytes": "Its size", "counts": "JSON load counts",
        "source": "stock: loaded from that month's stock files; historique: reconstructed from "
                  "StockEtablissementHistorique (creations, closures and activity changes only: no moves, no "
                  "headcounts; the establishments file is then the historical file)",
        "based_on_month": "For a reconstructed month: the stock month whose addresses, territory membership and "
                          "legal units it reuses (a SIRET never moves); NULL for a stock month",
    }),
    "ref_commune": ("Communes of the territory.", {"code": "INSEE commune code", "name": "Name",
                                                    "postcodes": "Postcodes"}),
    "ref_naf": ("NAF rev.2 sub-classes.", {"code": "Code with the dot", "label": "Label",
                                           "short_label": "Short label for narrow columns (at most 40 characters)",
                                           "section": "Section letter", "section_label": "Section label"}),
    "ref_sector": ("Sector sets of the territory (tech perimeter).", {
        "set_name": "Set name", "set_label": "Label", "nomenclature": "NAFRev2 or NAF2025", "naf_code": "Code",
        "is_default": "True for the set that defines is_tech"}),
    "ref_headcount_band": ("INSEE headcount bands.", {"code": "Band code", "label": "Label",
                                                      "short_label": "Short label (e.g. 'Aucun salarié')",
                                                      "rank": "Order of the bands", "min_employees": "Lower bound",
                                                      "max_employees": "Upper bound (NULL: open)"}),
    "ref_legal_form": ("INSEE legal forms, with the codes INSEE has retired that older units still carry.", {
        "code": "4-digit code", "label": "Label",
        "is_retired": "True for a code INSEE has withdrawn from its current list (e.g. 5720, 5498)"}),
    "snapshot_info": ("What this snapshot reflects: one row.", {
        "published_at": "When the snapshot was published (UTC)",
        "latest_month": "Latest stock month loaded", "months_loaded": "Number of months loaded",
        "first_month": "First stock month loaded",
        "source_files": "JSON list of the stock files of every month: names, SHA-256, sizes",
        "contract_version": "Version of the analysts' contract (see CHANGELOG.md)",
        "radar_version": "Version of Ecosystem Radar that published it", "territory": "Territory name",
    }),
}


# Each source's tables are documented in a module of its own (warehouse/dictionary_<source>.py).
DICTIONARY.update(API_ENTRIES)
DICTIONARY.update(NEWS_ENTRIES)
DICTIONARY.update(DELIVERY_ENTRIES)


def comment_statements(schema: str, table: str) -> list[str]:
    entry = DICTIONARY.get(table)
    if not entry:
        return []
    table_comment, columns = entry
    q = lambda text: "'" + text.replace("'", "''") + "'"
    stmts = [f"COMMENT ON TABLE {schema}.{table} IS {q(table_comment)}"]
    stmts += [f"COMMENT ON COLUMN {schema}.{table}.{col} IS {q(text)}" for col, text in columns.items()]
    return stmts
