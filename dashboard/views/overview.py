"""Vue d'ensemble: the month's figures, their change, 24-month trends, by commune and by sector; every table adds
up (before + movements + other = after)."""

import altair as alt
import streamlit as st

from dashboard import fmt, queries
from dashboard.filters import replace
from dashboard.ui import (
    month_picker,
    number_column,
    page_header,
    read_filters,
    scope_picker,
    snapshot,
    table,
    write_filters,
)

FIGURES = {"companies": "Entreprises", "establishments": "Établissements", "creations": "Créations",
           "closures": "Fermetures", "move_ins": "Arrivées", "move_outs": "Départs"}
SERIES = {"creations": "Créations", "closures": "Fermetures", "move_ins": "Arrivées", "move_outs": "Départs",
          "sector_entries": "Entrées d'activité", "sector_exits": "Sorties d'activité",
          "companies": "Entreprises", "establishments": "Établissements"}
# (label, help): short labels keep every column in sight; the help says what each one counts.
BALANCE = {"establishments_before": ("Début", "Établissements actifs à la fin du mois précédent"),
           "creations": ("Créations", None), "closures": ("Fermetures", None), "move_ins": ("Arrivées", None),
           "move_outs": ("Départs", None),
           "sector_entries": ("Entrées", "Établissements entrés par un changement de code d'activité"),
           "sector_exits": ("Sorties", "Établissements sortis par un changement de code d'activité"),
           "other_changes": ("Autres", "Ce qu'aucun événement n'explique (siège transféré dans le territoire)"),
           "establishments": ("Fin", "Établissements actifs à la fin du mois")}


def balance_columns(first: str, label: str) -> dict:
    return {first: st.column_config.TextColumn(label, width="medium"),
            **{k: number_column(v, help=h) for k, (v, h) in BALANCE.items()}}


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
    first = bool(cur and cur["is_first_month"])
    if first:
        st.info("Premier mois chargé : les flux (créations, départs…) se mesurent à partir du mois suivant.")
    elif cur and cur["is_reconstructed"]:
        st.info("Mois reconstitué à partir du fichier historique de l'INSEE : les transferts (arrivées, départs) "
                "et les effectifs ne sont pas disponibles.")
    st.caption("Sous chaque chiffre : l'écart avec le mois précédent ; en dessous, le même mois un an plus tôt.")
    keys = list(FIGURES)
    for row in (keys[:4], keys[4:]):
        cols = st.columns(4)
        for col, key in zip(cols, row):
            is_flow = key not in ("companies", "establishments")
            value = cur[key] if cur and not (first and is_flow) else None
            base = prev[key] if prev and not (prev["is_first_month"] and is_flow) else None
            delta = None if value is None or base is None else value - base
            # Streamlit draws the arrow from the sign of the text: an ASCII '-' for decreases.
            col.metric(FIGURES[key], fmt.number(value),
                       delta=None if delta is None else fmt.signed(delta).replace("−", "-"),
                       delta_color="inverse" if key in ("closures", "move_outs") else "normal", border=True)
            if year and value is not None and year[key] is not None:
                col.caption(f"Il y a un an : {fmt.number(year[key])} ({fmt.signed(value - year[key])})")
        if row == keys[4:]:
            known = cur is not None and not first and cur["establishments_before"] is not None
            cols[2].metric("Changements d'activité", f"+{fmt.number(cur['sector_entries'])} / "
                           f"−{fmt.number(cur['sector_exits'])}" if known else "–", border=True)
            cols[2].caption("entrées / sorties du périmètre par changement de code d'activité")
            cols[3].metric("Évolution du stock", fmt.signed(cur["establishments"] - cur["establishments_before"])
                           if known else "–", border=True)
            if known and cur["other_changes"]:
                cols[3].caption(f"dont autres mouvements : {fmt.signed(cur['other_changes'])}")

    st.subheader("Tendances sur 24 mois")
    trend = queries.trends(snap, month, scope)
    if trend.empty:
        st.info("Pas encore assez de mois chargés pour une tendance.")
    else:
        long = trend.melt("month", var_name="indicateur", value_name="valeur")
        long["indicateur"] = long["indicateur"].map(SERIES)
        stock_names = ["Entreprises", "Établissements"]
        flows, stock = long[~long["indicateur"].isin(stock_names)], long[long["indicateur"].isin(stock_names)]
        legend = alt.Legend(orient="bottom", columns=3, labelLimit=0, title=None)
        c1, c2 = st.columns(2)
        c1.altair_chart(alt.Chart(flows).mark_line(point=True).encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%m/%Y")), y=alt.Y("valeur:Q", title="Par mois"),
            color=alt.Color("indicateur:N", legend=legend, scale=alt.Scale(scheme="tableau10")),
            tooltip=[alt.Tooltip("month:T", title="Mois", format="%m/%Y"), alt.Tooltip("indicateur:N", title="Flux"),
                     alt.Tooltip("valeur:Q", title="Établissements")],
        ).properties(title="Flux mensuels", height=300), width="stretch")
        c2.altair_chart(alt.Chart(stock).mark_line(point=True).encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%m/%Y")),
            y=alt.Y("valeur:Q", title="En fin de mois"),
            color=alt.Color("indicateur:N", legend=legend),
            tooltip=[alt.Tooltip("month:T", title="Mois", format="%m/%Y"),
                     alt.Tooltip("indicateur:N", title="Stock"), alt.Tooltip("valeur:Q", title="Nombre")],
        ).properties(title="Stock", height=300), width="stretch")

    st.subheader("Par commune")
    st.caption("Début de mois + créations − fermetures + arrivées − départs + entrées − sorties d'activité + autres "
               "= fin de mois. « Autres » : ce qu'aucun événement n'explique (un siège transféré d'une commune du "
               "territoire à une autre).")
    table(queries.by_commune(snap, month, scope), balance_columns("commune", "Commune"))
    st.subheader("Par activité" if scope == "tech" else "Par secteur (section NAF)")
    table(queries.by_sector(snap, month, scope), balance_columns("sector", "Activité" if scope == "tech" else "Secteur"))
