"""Carte: active establishments coloured by sector and sized by headcount band; grid cells when too many.
Drawn with Vega-Lite's own Mercator projection, readable offline; base tiles underneath only when the tile host
answered the server's probe (dashboard/tiles.py)."""

import altair as alt
import streamlit as st

from dashboard import fmt, queries, tiles
from dashboard.text import md_escape
from dashboard.ui import filter_sidebar, page_header, read_filters, snapshot, write_filters

# Twelve colours told apart (Tableau's 10 and two more): blues and greens for the digital families, warmer and
# greyer hues for the other activities.
PALETTE = ("#1f77b4", "#17becf", "#2ca02c", "#9467bd", "#393b79", "#8c564b", "#d62728", "#ff7f0e", "#e377c2",
           "#bcbd22", "#7f7f7f", "#c49c94")
COLOUR = alt.Color("groupe:N", title="Activité", scale=alt.Scale(domain=list(queries.MAP_GROUPS), range=PALETTE),
                   legend=alt.Legend(orient="bottom", columns=2, labelLimit=0, symbolSize=120, titleFontSize=13,
                                     labelFontSize=12))

with snapshot() as snap:
    page_header(snap, "Carte des établissements")
    f = filter_sidebar(snap, read_filters(snap))
    write_filters(f, ("commune", "secteur", "naf", "taille"))
    points, aggregated = queries.map_points(snap, f)
    total = int(points["etablissements"].sum()) if not points.empty else 0
    st.metric("Établissements actifs localisés", fmt.number(total))
    if points.empty:
        st.info("Aucun établissement localisé ne correspond à ces filtres.")
        st.stop()
    base = alt.Chart(points).project(type="mercator")
    if aggregated:
        st.caption(f"{fmt.number(total)} établissements : regroupés par carreaux d'environ 200 m "
                   "(taille = nombre d'établissements, couleur = activité la plus fréquente).")
        chart = base.mark_circle(opacity=0.7).encode(
            longitude="longitude:Q", latitude="latitude:Q",
            size=alt.Size("etablissements:Q", title="Établissements", scale=alt.Scale(range=[15, 600]),
                          legend=alt.Legend(orient="bottom")),
            color=COLOUR,
            tooltip=[alt.Tooltip("etablissements:Q", title="Établissements"), alt.Tooltip("groupe:N", title="Activité")])
    else:
        chart = base.mark_circle(opacity=0.75).encode(
            longitude="longitude:Q", latitude="latitude:Q",
            size=alt.Size("taille:Q", scale=alt.Scale(range=[15, 400]), legend=None),
            color=COLOUR,
            tooltip=[alt.Tooltip("name:N", title="Nom"), alt.Tooltip("commune_name:N", title="Commune"),
                     alt.Tooltip("groupe:N", title="Activité"), alt.Tooltip("tranche:N", title="Effectif")])
    # Commune names at the centre of their establishments: the map reads without any base tiles.
    places = queries.commune_centres(snap)
    labels = alt.Chart(places).project(type="mercator").mark_text(fontSize=13, fontWeight="bold", color="#333",
                                                                  dy=-14).encode(
        longitude="longitude:Q", latitude="latitude:Q", text="commune:N")
    layers = [chart, labels]
    source = tiles.configured_source()
    with_tiles = tiles.tiles_reachable(source)  # offline: no tile layer at all, so no failing image request
    if with_tiles:
        bbox = (points["longitude"].min(), points["latitude"].min(), points["longitude"].max(), points["latitude"].max())
        base_tiles = alt.Chart(tiles.tile_frame(source, bbox)).project(type="mercator").mark_image(
            aspect=False, opacity=0.9).encode(longitude="lon:Q", latitude="lat:Q", longitude2="lon2:Q",
                                               latitude2="lat2:Q", url="url:N")
        layers.insert(0, base_tiles)
    st.altair_chart(alt.layer(*layers).properties(height=620).configure_legend(labelLimit=0), width="stretch")
    if with_tiles:
        st.caption(f"Fond de carte : {md_escape(source.attribution)}")
    st.caption("Taille des points : tranche d'effectif. Coordonnées : Lambert 93 du répertoire SIRENE converties en "
               "WGS84. Les établissements des personnes à diffusion partielle ne sont pas localisés.")
