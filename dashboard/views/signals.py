"""Signaux: companies in difficulty, the month's creations, arrivals and departures, companies moving up a band."""

import streamlit as st

from dashboard import fmt, queries
from dashboard.filters import replace
from dashboard.text import safe_url
from dashboard.ui import missing_source, month_picker, page_header, read_filters, scope_picker, snapshot, write_filters

with snapshot() as snap:
    page_header(snap, "Signaux")
    f = read_filters(snap)
    month = month_picker(snap, f)
    scope = scope_picker()
    write_filters(replace(f, mois=month), ("mois",))
    if scope == "all":
        st.query_params["perimetre"] = "tous"

    st.subheader("Entreprises en difficulté")
    diff = queries.difficulties(snap, scope)
    if diff is None:
        missing_source("BODACC (procédures collectives)")
    else:
        st.metric("Entreprises en difficulté", fmt.number(len(diff)))
        links = [c for c in diff.columns if c == "url" or c.endswith("_url")]
        for col in links:
            diff[col] = diff[col].map(safe_url)
        st.dataframe(diff, hide_index=True, width="stretch", column_config={
            "siren": "SIREN", "name": "Nom", "naf_label": "Activité", "procedure": "Procédure",
            "judgment_nature": "Jugement", "judgment_date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"),
            **{col: st.column_config.LinkColumn("Annonce", display_text="voir") for col in links}})

    st.subheader(f"Mouvements de {fmt.month(month)}")
    events = queries.month_events(snap, month, scope, ("creation", "move_in", "move_out"))
    cols = st.columns(3)
    for col, kind, label in zip(cols, ("creation", "move_in", "move_out"), ("Créations", "Arrivées", "Départs")):
        part = events[events["kind"] == kind]
        col.metric(label, fmt.number(len(part)))
        keep = ["event_date", "siren", "name", "commune", "activite"] + (
            ["from_commune"] if kind == "move_in" else ["to_commune"] if kind == "move_out" else [])
        col.dataframe(part[keep], hide_index=True, width="stretch", column_config={
            "event_date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"), "name": "Nom", "siren": "SIREN",
            "commune": "Commune", "activite": "Activité", "from_commune": "Venant de", "to_commune": "Vers"})

    st.subheader("Entreprises qui changent de tranche d'effectif (à la hausse)")
    ups = queries.band_ups(snap, month, scope)
    st.metric("Passages à une tranche supérieure", fmt.number(len(ups)))
    st.dataframe(ups, hide_index=True, width="stretch", column_config={
        "event_date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"), "name": "Nom", "siren": "SIREN",
        "commune": "Commune", "de": "De", "vers": "Vers"})
