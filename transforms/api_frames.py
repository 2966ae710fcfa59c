"""Shared by the API transforms: rows (dicts) -> typed frame, rejects -> quarantine frame."""

from __future__ import annotations

import json

import pandas as pd

QUARANTINE_COLUMNS = ["source", "entity", "rule", "key", "detail", "raw"]


def typed_frame(rows: list[dict], dtypes: dict[str, str]) -> pd.DataFrame:
    """Explicit dtypes whatever the rows hold (missing keys become nulls; dates and timestamps parsed)."""
    frame = pd.DataFrame.from_records(rows, columns=list(dtypes)) if rows else pd.DataFrame(columns=list(dtypes))
    out = {}
    for col, dtype in dtypes.items():
        values = frame[col] if col in frame else pd.Series([None] * len(frame), dtype=object)
        if dtype == "date":
            out[col] = pd.to_datetime(values, errors="coerce", format="ISO8601").dt.date.astype(object)
            out[col] = out[col].where(pd.notna(out[col]), None)
        elif dtype == "timestamp":
            out[col] = pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
        elif dtype == "json":
            out[col] = values.map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v))
                                  else json.dumps(v, ensure_ascii=False, sort_keys=True)).astype("string")
        elif dtype == "list":
            out[col] = values.map(lambda v: list(v) if isinstance(v, (list, tuple)) else [])
        else:
            out[col] = values.astype(object).where(pd.notna(values), None).astype(dtype)
    return pd.DataFrame(out, index=range(len(frame)))


def quarantine_frame(rejects: list[dict], source: str, entity: str) -> pd.DataFrame:
    rows = [{"source": source, "entity": entity, "rule": r["rule"], "key": r.get("key"),
             "detail": r.get("detail"), "raw": json.dumps(r.get("raw"), ensure_ascii=False, default=str)}
            for r in rejects]
    return pd.DataFrame(rows, columns=QUARANTINE_COLUMNS).astype("string")


def latest_per_key(frame: pd.DataFrame, key: str, version: str) -> tuple[pd.DataFrame, int]:
    """One row per key, the latest `version` wins; ties broken on content, so input order never matters (T23)."""
    if frame.empty:
        return frame, 0
    content = frame.drop(columns=[c for c in frame.columns if frame[c].map(type).eq(list).any()])
    tiebreak = pd.util.hash_pandas_object(content.astype("string").fillna(""), index=False).to_numpy()
    ordered = frame.assign(_tb=tiebreak).sort_values([key, version, "_tb"], na_position="first", kind="mergesort")
    out = ordered.drop_duplicates(subset=[key], keep="last").drop(columns="_tb").reset_index(drop=True)
    return out, len(frame) - len(out)
