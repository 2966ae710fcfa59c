"""The agency's web dashboard (Streamlit), reading only the published snapshot."""
