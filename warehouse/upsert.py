"""The one upsert of the warehouse: rows replaced by key, only where their content changed."""

from __future__ import annotations

import duckdb
import pandas as pd

from warehouse.frames import insert_frame, registered


def upsert(con: duckdb.DuckDBPyConnection, table: str, key: str | tuple[str, ...], frame: pd.DataFrame,
           *, newer_only: bool = False, **constants) -> int:
    """Replace the rows of `table` whose key is in `frame` (already one row per key) and whose content changed;
    `constants` (a run id, a fetch time) are written but not compared, so a re-run makes no net change. With
    `newer_only`, a row never replaces one whose `last_processed_at` is later (a late page of an old run).
    Returns the rows written."""
    if frame is None or frame.empty:
        return 0
    keys = (key,) if isinstance(key, str) else tuple(key)
    key_cols = ", ".join(f'"{k}"' for k in keys)
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    newer = ""
    if newer_only:
        newer = (f" AND NOT EXISTS (SELECT 1 FROM {table} t WHERE ({', '.join(f't.{k}' for k in keys)}) = "
                 f"({', '.join(f'c.{k}' for k in keys)}) AND t.last_processed_at IS NOT NULL "
                 f"AND NOT coalesce(t.last_processed_at <= c.last_processed_at, false))")
    with registered(con, "_upsert_batch", frame):
        changed = con.execute(f"SELECT DISTINCT {key_cols} FROM (SELECT {cols} FROM _upsert_batch "
                              f"EXCEPT SELECT {cols} FROM {table}) c WHERE true{newer}").fetchall()
    if not changed:
        return 0
    wanted = pd.MultiIndex.from_tuples(changed, names=keys) if len(keys) > 1 else pd.Index([r[0] for r in changed])
    index = pd.MultiIndex.from_frame(frame[list(keys)]) if len(keys) > 1 else pd.Index(frame[keys[0]])
    frame = frame[index.isin(wanted)]
    with registered(con, "_upsert_keys", frame[list(keys)]):
        con.execute(f"DELETE FROM {table} WHERE ({key_cols}) IN (SELECT ({key_cols}) FROM _upsert_keys)"
                    if len(keys) > 1 else
                    f"DELETE FROM {table} WHERE {key_cols} IN (SELECT {key_cols} FROM _upsert_keys)")
    insert_frame(con, table, frame, **constants)
    return len(frame)
