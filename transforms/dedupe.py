"""Deterministic "latest version wins" deduplication."""

from __future__ import annotations

import pandas as pd


def dedupe_latest(frame: pd.DataFrame, key: str, content: pd.DataFrame | None = None,
                  version: str = "last_processed_at") -> pd.DataFrame:
    """One row per `key`: the latest `version` wins; ties are broken on the row's content (`content`, default
    the frame itself), so the result never depends on the input order."""
    content = frame if content is None else content
    tiebreak = pd.util.hash_pandas_object(content.astype("string").fillna(""), index=False).to_numpy()
    ordered = frame.assign(_tb=tiebreak).sort_values([key, version, "_tb"], na_position="first", kind="mergesort")
    return ordered.drop_duplicates(subset=[key], keep="last").drop(columns="_tb")
