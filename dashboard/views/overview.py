"""Vue d'ensemble: the month's figures, their change, 24-month trends, by commune and by sector."""

import altair as alt
import streamlit as st

from dashboard import fmt, queries
from dashboard.filters import replace
from dashboard.ui import month_picker, page_header, read_filters, scope_picker, snapshot, write_filters

LABELS = {"companies": "Entreprises", "establishments": "Établissements", "creations": "Créations",
          "closures": "Fermetures", "move_ins": "Arrivées", "move_outs": "Départs", "net_change": "Solde net"}

with snapshot() as snap:
    page_header(snap, "Vue d'ensemble")
    f = read_filters(snap)
    month = month_picker(snap, f)
    scope = scope_picker()
    f = replace(f, mois=month)
    write_filters(f, ("mois",))
    if scope == "all":
        st.query_params["perimetre"] = "tous"
    elif "perimetre" in st.query_params:
        del st.query_params["perimetre"]

    figures = queries.month_figures(snap, month, scope)
    cur, prev, year = figures["current"], figures["previous"], figures["year_ago"]
    st.subheader(f"{fmt.month(month).capitalize()} · {'numérique' if scope == 'tech' else 'toutes activités'}")
    if cur and cur["is_first_month"]:
        st.info("Premier mois chargé : les flux (créations, départs…) se mesurent à partir du mois suivant.")
    elif cur and cur["move_ins"] is None:
        st.info("Mois reconstitué à partir du fichier historique de l'INSEE : les transferts (arrivées, départs) "
                "et les effectifs ne sont pas disponibles.")
    st.caption("Sous chaque chiffre : l'écart avec le mois précédent ; en dessous, le même mois un an plus tôt.")
    cols = st.columns(len(LABELS))
    for col, (key, label) in zip(cols, LABELS.items()):
        is_flow = key not in ("companies", "establishments")
        value = cur[key] if cur and not (cur["is_first_month"] and is_flow) else None
        base = prev[key] if prev and not (prev["is_first_month"] and is_flow) else None
        delta = None if value is None or base is None else value - base
        # Streamlit draws the arrow from the sign of the text: an ASCII '-' for decreases.
        col.metric(label, fmt.number(value), delta=None if delta is None else fmt.signed(delta).replace("−", "-"),
                   delta_color="inverse" if key in ("closures", "move_outs") else "normal", border=True)
        if year and value is not None and year[key] is not None:
            col.caption(f"Il y a un an : {fmt.number(year[key])} ({fmt.signed(value - year[key])})")

    st.subheader("Tendances sur 24 mois")
    trend = queries.trends(snap, month, scope)
    if trend.empty:
        st.info("Pas encore assez de mois chargés pour une tendance.")
    else:
        long = trend.melt("month", var_name="indicateur", value_name="valeur")
        long["indicateur"] = long["indicateur"].map(LABELS)
        flows = long[~long["indicateur"].isin(["Entreprises", "Établissements"])]
        stock = long[long["indicateur"].isin(["Entreprises", "Établissements"])]
        c1, c2 = st.columns(2)
        c1.altair_chart(alt.Chart(flows).mark_line(point=True).encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%m/%Y")), y=alt.Y("valeur:Q", title="Par mois"),
            color=alt.Color("indicateur:N", title=None)).properties(title="Flux mensuels", height=280), width="stretch")
        c2.altair_chart(alt.Chart(stock).mark_line(point=True).encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%m/%Y")), y=alt.Y("valeur:Q", title="En fin de mois"),
            color=alt.Color("indicateur:N", title=None)).properties(title="Stock", height=280), width="stretch")

    c1, c2 = st.columns(2)
    with c1:
        st.subheader("Par commune")
        st.dataframe(queries.by_commune(snap, month, scope), hide_index=True, width="stretch", column_config={
            "commune": "Commune", "establishments": st.column_config.NumberColumn("Établissements", format="localized"),
            "creations": "Créations", "closures": "Fermetures", "move_ins": "Arrivées", "move_outs": "Départs"})
    with c2:
        st.subheader("Par secteur")
        st.dataframe(queries.by_sector(snap, month, scope), hide_index=True, width="stretch", column_config={
            "sector": "Secteur", "establishments": st.column_config.NumberColumn("Établissements", format="localized"),
            "creations": "Créations", "closures": "Fermetures"})
