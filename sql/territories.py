"""`radar sql --all`: every territory's published snapshot of a multi-territory working directory as one set of
views with a `territory` column, in the same sandbox as one snapshot's (read-only, no file, network or extension
access, configuration locked), so that analysts can compare territories."""

from __future__ import annotations

from pathlib import Path

import duckdb

from radar.config import ConfigError
from radar.territories import is_multi_territory, recorded_territories, territory_workdir
from warehouse.db import SnapshotMissing, reader_temp_dir


def territory_snapshots(root: Path) -> dict[str, Path]:
    """slug -> published snapshot of each territory the working directory holds that has one."""
    if not is_multi_territory(root):
        raise ConfigError(f"{root} is not a multi-territory working directory: --all needs one")
    found = {slug: territory_workdir(root, slug).published for slug in recorded_territories(root)}
    found = {slug: path for slug, path in found.items() if path.is_file()}
    if not found:
        raise SnapshotMissing(f"no territory of {root} has a published snapshot: run 'radar run' first")
    return found


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def connect_territories(snapshots: dict[str, Path], *, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """The snapshots attached read-only under their slugs, a view per table over all of them, then the sandbox
    locked: attaching needs file access, so it comes first, and nothing can be attached afterwards."""
    con = duckdb.connect(config={
        "autoload_known_extensions": False, "autoinstall_known_extensions": False,
        # Spills go to a folder of this process's, never beside a snapshot nor in the analyst's current folder.
        "temp_directory": str(reader_temp_dir())})
    try:
        for slug, path in snapshots.items():
            con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS {_quoted(slug)} (READ_ONLY)")
        tables: dict[str, list[str]] = {}
        for db, name in con.execute(
                "SELECT database_name, table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                "UNION ALL SELECT database_name, view_name FROM duckdb_views() WHERE schema_name = 'main' "
                "AND NOT internal ORDER BY 2, 1").fetchall():
            if db in snapshots:
                tables.setdefault(name, []).append(db)
        named = {(db, t) for db, t in con.execute(
            "SELECT database_name, table_name FROM duckdb_columns() WHERE column_name = 'territory'").fetchall()}
        for name, slugs in tables.items():
            # snapshot_info's own `territory` (the territory's name) becomes territory_name beside the slug.
            union = " UNION ALL BY NAME ".join(
                f"SELECT '{slug}' AS territory, * {'RENAME (territory AS territory_name)' if (slug, name) in named else ''}"
                f" FROM {_quoted(slug)}.main.{_quoted(name)}" for slug in slugs)
            con.execute(f"CREATE TEMP VIEW {_quoted(name)} AS {union}")
        # Unqualified names find the views (the temporary catalog comes first); a CREATE meant for the default
        # catalog meets a read-only snapshot.
        con.execute(f"USE {_quoted(next(iter(snapshots)))}")
        con.execute("SET TimeZone = 'UTC'")
        if memory_limit:
            con.execute("SET memory_limit = ?", [memory_limit])
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con
