"""Streamlit pages (each file is run as a script by st.navigation; not imported)."""
