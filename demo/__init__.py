"""Deterministic generator of official-format SIRENE stock files (demo and benchmarks)."""
