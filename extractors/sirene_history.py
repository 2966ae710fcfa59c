"""Read INSEE's historical establishment file (StockEtablissementHistorique: Parquet, CSV or zipped CSV) and keep
only the periods of the SIRETs the warehouse already follows.

The national file is about 96 million periods (one row per period of each establishment): DuckDB streams and
filters it, and only the followed SIRETs' periods (thousands) are written, as text columns, to the landing zone.

Format (INSEE, « Définition de l'historique », and public schemas of the 18 columns): a period is a SIRET, a
`dateDebut` and a `dateFin`; `dateFin` is the day before the next period's `dateDebut` and is empty for the
current period; `1900-01-01` stands for a missing date, like an empty value; the first periods may hold nulls by
construction (historisation started in 2005). So a period is placed by its `dateDebut` only, `dateFin` is kept
for the record, never trusted to order periods.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from extractors.sirene_stock import (
    StockFile,
    check_columns,
    extract_zip_member,
    file_columns,
    projection,
    reader_sql,
    scan_connection,
    zip_scratch,
)

HISTORY_COLUMNS = (
    "siren", "nic", "siret", "dateFin", "dateDebut", "etatAdministratifEtablissement",
    "changementEtatAdministratifEtablissement", "enseigne1Etablissement", "enseigne2Etablissement",
    "enseigne3Etablissement", "changementEnseigneEtablissement", "denominationUsuelleEtablissement",
    "changementDenominationUsuelleEtablissement", "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement", "changementActivitePrincipaleEtablissement",
    "caractereEmployeurEtablissement", "changementCaractereEmployeurEtablissement",
)
REQUIRED_HISTORY = ("siret", "dateDebut", "etatAdministratifEtablissement", "activitePrincipaleEtablissement",
                    "nomenclatureActivitePrincipaleEtablissement")


@dataclass(frozen=True)
class HistoryScan:
    path: Path
    rows: int
    sirets_found: int


def scan_history(
    history: StockFile,
    sirets: list[str],
    out_path: Path,
    *,
    scratch_dir: Path,
    threads: int | None = None,
    memory_limit: str = "2GB",
) -> HistoryScan:
    """Write to `out_path` (Parquet, text columns in the official order) every period of the given SIRETs."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    zip_dir = zip_scratch(scratch_dir, history)
    path = extract_zip_member(history.path, zip_dir) if history.fmt == "zip" else history.path
    fmt = "csv" if history.fmt == "zip" else history.fmt
    con = scan_connection(scratch_dir, threads=threads, memory_limit=memory_limit)
    tmp = out_path.with_name(out_path.name + ".tmp")
    try:
        reader = reader_sql(path, fmt)
        columns = file_columns(con, reader, history.path)
        check_columns(columns, REQUIRED_HISTORY, history.path)
        con.execute("CREATE TEMP TABLE followed AS SELECT DISTINCT unnest(?::VARCHAR[]) AS siret", [sirets])
        # A semi-join on the one key: the national file is read once, in a stream, and never held in memory.
        con.execute(
            f"""COPY (
                SELECT {projection(columns, HISTORY_COLUMNS)} FROM {reader}
                WHERE CAST(siret AS VARCHAR) IN (SELECT siret FROM followed)
            ) TO '{tmp}' (FORMAT parquet)"""
        )
        os.replace(tmp, out_path)
        rows, found = con.execute("SELECT count(*), count(DISTINCT siret) FROM read_parquet(?)",
                                  [str(out_path)]).fetchone()
    finally:
        con.close()
        tmp.unlink(missing_ok=True)
        if history.fmt == "zip":
            shutil.rmtree(zip_dir, ignore_errors=True)
    return HistoryScan(out_path, rows, found)
