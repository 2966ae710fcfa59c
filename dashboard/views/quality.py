"""Qualité des données: freshness of each source, rows quarantined by rule, legal-form codes without a current
label, recent runs (a run that found its files already loaded is not a failure)."""

import pandas as pd
import streamlit as st

from dashboard import fmt, queries
from dashboard.ui import number_column, page_header, snapshot, table
from radar.labels import ENTITIES, FLOWS, LEGAL_FORM_STATUSES, QUARANTINE_RULES, RUN_STATUSES, word

PARIS = "Europe/Paris"
RUNS_SHOWN = 30

with snapshot() as snap:
    page_header(snap, "Qualité des données")

    st.subheader("Fraîcheur des sources")
    fresh = queries.freshness(snap)
    fresh["état"] = ["jamais collectée" if pd.isna(at) else ("collectée, aucune ligne" if n == 0 else "collectée")
                     for at, n in zip(fresh["loaded_at"], fresh["units"])]
    fresh["loaded_at"] = pd.to_datetime(fresh["loaded_at"], utc=True).dt.tz_convert(PARIS)
    table(fresh, {"source": "Source", "latest": "Dernière donnée",
                  "loaded_at": st.column_config.DatetimeColumn("Dernière collecte réussie", format="DD/MM/YYYY HH:mm"),
                  "units": number_column("Lignes (ou mois)"), "état": "État"})

    st.subheader("Lignes mises en quarantaine, par règle")
    q = queries.quarantine_by_rule(snap)
    st.metric("Lignes en quarantaine (tous mois)", fmt.number(int(q["rows"].sum()) if not q.empty else 0))
    q["entity"] = q["entity"].map(lambda e: word(ENTITIES, e))
    q["rule"] = q["rule"].map(lambda r: word(QUARANTINE_RULES, r))
    table(q, {"entity": "Fichier", "rule": "Règle", "rows": number_column("Lignes"), "months": "Mois concernés",
              "last_month": st.column_config.DateColumn("Dernier mois", format="MM/YYYY")})

    st.subheader("Catégories juridiques sans libellé en vigueur")
    forms = queries.unlabelled_legal_forms(snap)
    unknown = int(forms.loc[forms["legal_form_status"] == "unknown", "companies"].sum()) if not forms.empty else 0
    st.metric("Entreprises dont la catégorie juridique est inconnue de la nomenclature", fmt.number(unknown))
    if not forms.empty:
        forms["legal_form_status"] = forms["legal_form_status"].map(lambda v: word(LEGAL_FORM_STATUSES, v))
        forms["label"] = forms["label"].fillna("(aucun libellé)")
        table(forms, {"legal_form": "Code", "label": "Libellé", "legal_form_status": "Statut du code",
                      "companies": number_column("Entreprises")})
    st.caption("Les codes supprimés par l'INSEE (5720 SASU, 5498 SARL unipersonnelle…) restent portés par des "
               "unités plus anciennes : ils sont affichés avec leur libellé.")

    st.subheader("Exécutions récentes")
    runs = queries.recent_runs(snap, RUNS_SHOWN)
    for col in ("started_at", "ended_at"):  # stored in UTC, read in Paris
        runs[col] = pd.to_datetime(runs[col], utc=True).dt.tz_convert(PARIS)
    failed = int((runs["status"] == "failed").sum())
    st.metric(f"Échecs parmi les {RUNS_SHOWN} dernières exécutions", fmt.number(failed))
    runs["status"] = runs["status"].map(lambda v: word(RUN_STATUSES, v))
    runs["flow"] = runs["flow"].map(lambda v: word(FLOWS, v))
    table(runs, {"started_at": st.column_config.DatetimeColumn("Début", format="DD/MM/YYYY HH:mm:ss"),
                 "ended_at": st.column_config.DatetimeColumn("Fin", format="DD/MM/YYYY HH:mm:ss"),
                 "flow": "Traitement", "status": "Résultat",
                 "month": st.column_config.DateColumn("Mois", format="MM/YYYY"),
                 "message": st.column_config.TextColumn("Détail technique", width="large")})
