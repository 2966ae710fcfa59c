"""Ecosystem Radar extractors: bytes from the outside world into records. No Prefect here."""
