"""Entry point run by `radar dashboard`: the pages of the dashboard, in French."""

from pathlib import Path

import streamlit as st

from dashboard import tiles
from extractors.http import install_log_redaction

# Not "pages": Streamlit treats a pages/ folder beside the main script as a legacy multipage app and, on the
# first script run of a fresh server, resolves the URL against that folder (map, companies...) before
# st.navigation is called: a first visit to /carte then logs "page does not seem to exist".
HERE = Path(__file__).parent / "views"

# A process of its own: `radar dashboard` replaced itself with Streamlit, and the command line's setup went with it.
install_log_redaction()
st.set_page_config(page_title="Radar de l’écosystème", layout="wide")  # no page_icon: an icon would be fetched from a CDN
# Streamlit serves the default page at the root only: /vue-ensemble, the overview's own address, is a second,
# hidden entry for the same page (a shared link to it would otherwise open "Page not found").
PAGES = [
    st.Page(HERE / "overview.py", title="Vue d'ensemble", url_path="accueil", default=True),
    st.Page(HERE / "overview.py", title="Vue d'ensemble", url_path="vue-ensemble", visibility="hidden"),
    st.Page(HERE / "map.py", title="Carte", url_path="carte"),
    st.Page(HERE / "companies.py", title="Entreprises", url_path="entreprises"),
    st.Page(HERE / "company.py", title="Fiche entreprise", url_path="fiche"),
    st.Page(HERE / "signals.py", title="Signaux", url_path="signaux"),
    st.Page(HERE / "quality.py", title="Qualité des données", url_path="qualite"),
]
tiles.start_probe(tiles.configured_source())  # in the background, so the map page rarely waits for it
st.navigation(PAGES).run()
