"""Frames into SQL: a pandas or Arrow frame visible to a connection under a name for one block, and a frame
inserted by column name."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import duckdb
import pandas as pd
import pyarrow as pa

from warehouse.db import ROW_GROUP_SIZE

Frame = pd.DataFrame | pa.Table


@contextlib.contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: Frame) -> Iterator[str]:
    """`frame` queryable as `name` inside the block only (a registered name shadows a table of that name)."""
    con.register(name, frame)
    try:
        yield name
    finally:
        con.unregister(name)


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: Frame, **constants) -> None:
    """Insert by column name, with `constants` as extra columns."""
    if not len(frame):
        return
    extra = "".join(f", ? AS {name}" for name in constants)
    if isinstance(frame, pa.Table):
        # One batch per row group: DuckDB then compresses and writes them from parallel threads.
        frame = pa.Table.from_batches(frame.combine_chunks().to_batches(max_chunksize=ROW_GROUP_SIZE),
                                      frame.schema)
    with registered(con, "_batch", frame):
        con.execute(f"INSERT INTO {table} BY NAME SELECT *{extra} FROM _batch", list(constants.values()))
