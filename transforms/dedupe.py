"""Deterministic "latest version wins" deduplication."""

from __future__ import annotations

import pandas as pd


def dedupe_latest(frame: pd.DataFrame, key: str, content: pd.DataFrame | None = None,
                  version: str = "last_processed_at") -> pd.DataFrame:
    """One row per `key`: the latest `version` wins; ties are broken on the row's content (the rows of
    `content` with the same index labels, default the frame itself), so the result never depends on the input
    order."""
    repeated = frame[key].duplicated(keep=False).to_numpy()
    if not repeated.any():
        return frame
    # Only rows sharing a key need a tie-break: hashing every row costs more than the rest of the cleaning.
    content = (frame if content is None else content).loc[frame.index[repeated]]
    tiebreak = pd.util.hash_pandas_object(content.astype("string").fillna(""), index=False).to_numpy()
    dups = frame.loc[repeated, [key, version]].assign(_tb=tiebreak).sort_values(
        [key, version, "_tb"], na_position="first", kind="mergesort")
    winners = dups.drop_duplicates(subset=[key], keep="last").index
    # One filter of the whole frame, in its order: cheaper than concatenating and re-sorting every column.
    keep = ~repeated
    keep[frame.index.get_indexer(winners)] = True
    return frame.loc[keep]
