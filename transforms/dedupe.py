"""Deterministic "latest version wins" deduplication."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def dedupe_latest(frame: pd.DataFrame, key: str, content: pd.DataFrame | None = None,
                  version: str = "last_processed_at") -> pd.DataFrame:
    """One row per `key`: the latest `version` wins; ties are broken on the row's content (the rows of
    `content` with the same index labels, default the frame itself), so the result never depends on the input
    order."""
    source = frame if content is None else content
    keep = latest_mask(frame[key], frame[version],
                       lambda rows: source.loc[frame.index[rows]].astype("string").fillna(""))
    # One filter of the whole frame, in its order: cheaper than concatenating and re-sorting every column.
    return frame if keep.all() else frame.loc[keep]


def latest_mask(keys: pd.Series, versions: pd.Series,
                content_of: Callable[[np.ndarray], pd.DataFrame]) -> np.ndarray:
    """Which rows to keep, one per key. `content_of(rows)` gives the tie-break content of the rows selected by
    the boolean array `rows`, as text without nulls; it is asked only for rows whose key is repeated, because
    hashing every row costs more than the rest of the cleaning."""
    repeated = keys.duplicated(keep=False).to_numpy()
    keep = ~repeated
    if not repeated.any():
        return keep
    tiebreak = pd.util.hash_pandas_object(content_of(repeated), index=False).to_numpy()
    dups = pd.DataFrame({"key": keys[repeated].reset_index(drop=True),
                         "version": versions[repeated].reset_index(drop=True),
                         "tiebreak": tiebreak, "position": np.flatnonzero(repeated)})
    dups = dups.sort_values(["key", "version", "tiebreak"], na_position="first", kind="mergesort")
    keep[dups.drop_duplicates(subset=["key"], keep="last")["position"].to_numpy()] = True
    return keep
