"""Qualité des données: recent runs, rows quarantined by rule, freshness of each source."""

import pandas as pd
import streamlit as st

from dashboard import fmt, queries
from dashboard.ui import MISSING, page_header, snapshot

PARIS = "Europe/Paris"

with snapshot() as snap:
    page_header(snap, "Qualité des données")

    st.subheader("Fraîcheur des sources")
    fresh = queries.freshness(snap)
    fresh["état"] = [MISSING if pd.isna(n) else ("aucune ligne" if n == 0 else "chargée") for n in fresh["units"]]
    fresh["loaded_at"] = pd.to_datetime(fresh["loaded_at"], utc=True).dt.tz_convert(PARIS)
    st.dataframe(fresh, hide_index=True, width="stretch", column_config={
        "source": "Source", "latest": st.column_config.DateColumn("Dernière donnée", format="DD/MM/YYYY"),
        "loaded_at": st.column_config.DatetimeColumn("Chargée le", format="DD/MM/YYYY HH:mm"),
        "units": st.column_config.NumberColumn("Mois ou lignes", format="localized"), "état": "État"})

    st.subheader("Lignes mises en quarantaine, par règle")
    q = queries.quarantine_by_rule(snap)
    st.metric("Lignes en quarantaine (tous mois)", fmt.number(int(q["rows"].sum()) if not q.empty else 0))
    st.dataframe(q, hide_index=True, width="stretch", column_config={
        "entity": "Table", "rule": "Règle", "rows": st.column_config.NumberColumn("Lignes", format="localized"),
        "months": "Mois concernés", "last_month": st.column_config.DateColumn("Dernier mois", format="MM/YYYY")})

    st.subheader("Exécutions récentes")
    runs = queries.recent_runs(snap)
    for col in ("started_at", "ended_at"):  # stored in UTC, read in Paris
        runs[col] = pd.to_datetime(runs[col], utc=True).dt.tz_convert(PARIS)
    failed = int((runs["status"] != "success").sum())
    st.metric("Échecs parmi les 30 dernières exécutions", fmt.number(failed))
    st.dataframe(runs, hide_index=True, width="stretch", column_config={
        "started_at": st.column_config.DatetimeColumn("Début", format="DD/MM/YYYY HH:mm:ss"),
        "ended_at": st.column_config.DatetimeColumn("Fin", format="DD/MM/YYYY HH:mm:ss"),
        "flow": "Flux", "status": "Statut", "month": st.column_config.DateColumn("Mois", format="MM/YYYY"),
        "message": "Message"})
