"""Signaux: companies in difficulty, the month's creations, arrivals, departures and activity changes, companies
moving up a headcount band."""

import streamlit as st

from dashboard import fmt, queries
from dashboard.filters import replace
from dashboard.text import safe_url
from dashboard.ui import (
    date_column,
    month_picker,
    not_collected,
    page_header,
    read_filters,
    scope_picker,
    snapshot,
    table,
    write_filters,
)

LISTS = (("creation", "Créations", "commune", "Commune"), ("move_in", "Arrivées", "from_commune", "Venant de"),
         ("move_out", "Départs", "to_commune", "Vers"))

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
    st.metric("Entreprises en difficulté", fmt.number(len(diff)))
    if diff.empty:
        not_collected("Annonces BODACC (procédures collectives)", queries.successful_runs(snap).get("api_bodacc", 0))
    else:
        diff["url"] = diff["url"].map(safe_url)
        table(diff, {"name": "Nom", "siren": "SIREN", "judgment_date": date_column("Jugement du"),
                     "procedure": "Procédure", "url": st.column_config.LinkColumn("Annonce", display_text="voir"),
                     "naf_label": "Activité", "judgment_nature": "Nature du jugement"})

    st.subheader(f"Mouvements {fmt.of_month(month)}")
    events = queries.month_events(snap, month, scope, ("creation", "move_in", "move_out", "sector_change"))
    counts = st.columns(5)
    for col, (kind, label, _, _) in zip(counts, LISTS):
        col.metric(label, fmt.number(int((events["kind"] == kind).sum())))
    changes = events[events["kind"] == "sector_change"]
    entries = changes[changes["is_tech"] & ~changes["was_tech"]] if scope == "tech" else changes.iloc[0:0]
    exits = changes[~changes["is_tech"] & changes["was_tech"]] if scope == "tech" else changes.iloc[0:0]
    counts[3].metric("Entrées d'activité", fmt.number(len(entries)))
    counts[4].metric("Sorties d'activité", fmt.number(len(exits)))
    for kind, label, where, where_label in LISTS:
        part = events[events["kind"] == kind]
        st.markdown(f"**{label}** ({fmt.number(len(part))})")
        if not part.empty:
            table(part, {"name": "Nom", "siren": "SIREN", where: where_label, "activite": "Activité",
                         "event_date": date_column("Date")})
    if scope == "tech":
        for part, label in ((entries, "Entrées dans le numérique par changement d'activité"),
                            (exits, "Sorties du numérique par changement d'activité")):
            st.markdown(f"**{label}** ({fmt.number(len(part))})")
            if not part.empty:
                table(part, {"name": "Nom", "siren": "SIREN", "commune": "Commune",
                             "from_activity": "Ancienne activité", "activite": "Nouvelle activité"})

    st.subheader("Entreprises qui changent de tranche d'effectif (à la hausse)")
    ups = queries.band_ups(snap, month, scope)
    st.metric("Passages à une tranche supérieure", fmt.number(len(ups)))
    if not ups.empty:
        table(ups, {"name": "Nom", "siren": "SIREN", "commune": "Commune", "de": "De", "vers": "Vers",
                    "event_date": date_column("Date")})
