"""Ecosystem Radar: the tech ecosystem of a territory, month by month, from public sources."""

__version__ = "0.1.0"
# Version of the analysts' contract (tables and columns of the published snapshot); see CHANGELOG.md.
CONTRACT_VERSION = "1.3"
