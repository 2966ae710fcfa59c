"""Entreprises: a searchable, filtered table with CSV and XLSX exports of what is shown."""

import streamlit as st

from dashboard import export, fmt, queries
from dashboard.filters import SORTS, replace
from dashboard.ui import date_column, filter_sidebar, page_header, read_filters, snapshot, table, write_filters

SORT_LABELS = {"nom": "Nom", "siren": "SIREN", "commune": "Commune", "activite": "Activité",
               "taille": "Tranche d'effectif", "etat": "État", "creation": "Date de création"}
SHOWN = 500

with snapshot() as snap:
    page_header(snap, "Entreprises")
    f = filter_sidebar(snap, read_filters(snap), search=True, created=True, state=True)
    c1, c2 = st.sidebar.columns(2)
    tri = c1.selectbox("Trier par", list(SORTS), index=list(SORTS).index(f.tri), format_func=SORT_LABELS.get, key="tri")
    desc = c2.toggle("Décroissant", value=f.desc, key="ordre")
    f = replace(f, tri=tri, desc=desc)
    write_filters(f, ("q", "commune", "secteur", "naf", "taille", "cree_du", "cree_au", "etat", "tri", "ordre"))

    total = queries.count_companies(snap, f)
    st.metric("Entreprises correspondant aux filtres", fmt.number(total))
    st.caption("Une entreprise est retenue pour une commune si elle y a au moins un établissement ; la colonne "
               "Commune montre son siège (ou, s'il est hors du territoire, son principal établissement).")
    df = queries.companies(snap, f, limit=SHOWN)
    if total > SHOWN:
        st.caption(f"Affichage des {fmt.number(SHOWN)} premières ; les exports contiennent les {fmt.number(total)}.")
    shown = queries.export_frame(df)
    # The short band keeps the table within the page; the exports keep INSEE's full label.
    shown["Tranche d'effectif"] = df["headcount_short"].where(df["headcount_short"].notna(), df["headcount_label"])
    shown["Fiche"] = "./fiche?siren=" + df["siren"]
    table(shown, {"Nom": "Nom", "SIREN": "SIREN", "Commune": "Commune", "Code NAF": "Code NAF",
                  "Activité": "Activité", "Tranche d'effectif": "Tranche d'effectif", "État": "État",
                  "Date de création": date_column("Date de création"),
                  "Fiche": st.column_config.LinkColumn("Fiche", display_text="ouvrir")})

    e1, e2, _ = st.columns([1, 1, 4])
    everything = queries.export_frame(queries.companies(snap, f, limit=None)) if total <= 20000 else None
    if everything is None:
        st.caption("Plus de 20 000 lignes : affinez les filtres pour exporter.")
    else:
        e1.download_button("Exporter en CSV", lambda: export.to_csv(everything), "entreprises.csv", "text/csv",
                           on_click="ignore", key="csv")
        e2.download_button("Exporter en XLSX", lambda: export.to_xlsx(everything), "entreprises.xlsx",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
                           key="xlsx")
