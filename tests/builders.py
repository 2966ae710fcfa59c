"""Hand-made SIRENE rows in the official format, for tests that need exact, small months."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb

from radar.identifiers import with_check_digit
from radar.sirene_schema import ETABLISSEMENT_COLUMNS, UNITE_LEGALE_COLUMNS

# The processing date rows get unless a test gives one; write_stock moves it into the stock's month.
DEFAULT_PROCESSED = "2024-10-01T10:00:00"


def siren(i: int) -> str:
    return with_check_digit(f"{i:08d}")


def siret(siren_: str, i: int = 1) -> str:
    return with_check_digit(f"{siren_}{i:04d}")


def etab_row(siret_: str, *, commune="92040", naf="62.01Z", state="A", head=True, created="2020-01-15",
             band="01", status="O", processed=DEFAULT_PROCESSED, period_start=None, nomenclature="NAFRev2",
             street="RUE DU TEST", x="646500.5", y="6857500.5", **extra) -> dict:
    row = dict.fromkeys(ETABLISSEMENT_COLUMNS, "")
    row.update({
        "siren": siret_[:9], "nic": siret_[9:], "siret": siret_, "statutDiffusionEtablissement": status,
        "dateCreationEtablissement": created, "trancheEffectifsEtablissement": band,
        "anneeEffectifsEtablissement": "2023", "dateDernierTraitementEtablissement": processed,
        "etablissementSiege": "true" if head else "false", "nombrePeriodesEtablissement": "1",
        "numeroVoieEtablissement": "12", "typeVoieEtablissement": "RUE", "libelleVoieEtablissement": street,
        "codePostalEtablissement": "92130", "libelleCommuneEtablissement": "ISSY-LES-MOULINEAUX",
        "codeCommuneEtablissement": commune, "coordonneeLambertAbscisseEtablissement": x,
        "coordonneeLambertOrdonneeEtablissement": y, "dateDebut": period_start or created,
        "etatAdministratifEtablissement": state, "activitePrincipaleEtablissement": naf,
        "nomenclatureActivitePrincipaleEtablissement": nomenclature, "caractereEmployeurEtablissement": "O",
    })
    row.update(extra)
    return row


def ul_row(siren_: str, *, name="ACME LOGICIELS", naf="62.01Z", state="A", created="2020-01-15", band="01",
           status="O", head_nic="00011", legal_form="5710", processed=DEFAULT_PROCESSED, period_start=None,
           **extra) -> dict:
    row = dict.fromkeys(UNITE_LEGALE_COLUMNS, "")
    row.update({
        "siren": siren_, "statutDiffusionUniteLegale": status, "dateCreationUniteLegale": created,
        "trancheEffectifsUniteLegale": band, "anneeEffectifsUniteLegale": "2023",
        "dateDernierTraitementUniteLegale": processed, "nombrePeriodesUniteLegale": "1",
        "categorieEntreprise": "PME", "dateDebut": period_start or created, "etatAdministratifUniteLegale": state,
        "denominationUniteLegale": name if legal_form != "1000" else "",
        "categorieJuridiqueUniteLegale": legal_form, "activitePrincipaleUniteLegale": naf,
        "nomenclatureActivitePrincipaleUniteLegale": "NAFRev2", "nicSiegeUniteLegale": head_nic,
        "caractereEmployeurUniteLegale": "O",
    })
    row.update(extra)
    return row


def in_month(rows: list[dict], month: str | None, column: str) -> list[dict]:
    """Rows left at the default processing date, dated in `month` instead, as a real stock of that month is: its
    latest processing date falls in that month (the load checks it against the declared month)."""
    if month is None:
        return rows
    return [{**r, column: f"{month}-20T10:00:00"} if r.get(column) == DEFAULT_PROCESSED else r for r in rows]


def write_stock(folder: Path, etabs: list[dict], units: list[dict], fmt: str = "csv", *,
                month: str | None = None) -> tuple[Path, Path]:
    """The two stock files in `folder`; `month` (by default the folder's name when it is YYYY-MM) dates the rows
    left at the default processing date."""
    folder.mkdir(parents=True, exist_ok=True)
    month = month or (folder.name if re.fullmatch(r"[0-9]{4}-[0-9]{2}", folder.name) else None)
    etabs = in_month(etabs, month, "dateDernierTraitementEtablissement")
    units = in_month(units, month, "dateDernierTraitementUniteLegale")
    paths = []
    for name, rows, cols in (("StockEtablissement_utf8", etabs, ETABLISSEMENT_COLUMNS),
                             ("StockUniteLegale_utf8", units, UNITE_LEGALE_COLUMNS)):
        csv_path = folder / f"{name}.csv"
        with open(csv_path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(cols))
            writer.writeheader()
            writer.writerows(rows)
        if fmt == "parquet":
            pq = folder / f"{name}.parquet"
            con = duckdb.connect()
            con.execute(f"COPY (SELECT * FROM read_csv('{csv_path}', all_varchar=true)) TO '{pq}' (FORMAT parquet)")
            con.close()
            csv_path.unlink()
            paths.append(pq)
        else:
            paths.append(csv_path)
    return paths[0], paths[1]


def territory_text_with(extra: str) -> str:
    """The default territory file, its own sections named in `extra` replaced by `extra`'s."""
    from radar.config import DEFAULT_TERRITORY

    replaced = {line.strip() for line in extra.splitlines() if line.strip().startswith("[")}
    kept, skipping = [], False
    for line in DEFAULT_TERRITORY.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("["):
            skipping = line.strip() in replaced
        if not skipping:
            kept.append(line)
    return "\n".join(kept) + "\n" + extra


def history_row(siret_: str, start: str | None, end: str | None = None, *, state="A", naf="62.01Z",
                nomenclature="NAFRev2", sign="", employer="O", **extra) -> dict:
    """One period of StockEtablissementHistorique (18 columns, official names)."""
    from extractors.sirene_history import HISTORY_COLUMNS

    row = dict.fromkeys(HISTORY_COLUMNS, "")
    row.update({
        "siren": siret_[:9], "nic": siret_[9:], "siret": siret_, "dateFin": end or "", "dateDebut": start or "",
        "etatAdministratifEtablissement": state, "changementEtatAdministratifEtablissement": "false",
        "enseigne1Etablissement": sign, "changementEnseigneEtablissement": "false",
        "changementDenominationUsuelleEtablissement": "false", "activitePrincipaleEtablissement": naf,
        "nomenclatureActivitePrincipaleEtablissement": nomenclature,
        "changementActivitePrincipaleEtablissement": "false", "caractereEmployeurEtablissement": employer,
        "changementCaractereEmployeurEtablissement": "false",
    })
    row.update(extra)
    return row


def write_history(path: Path, rows: list[dict], fmt: str = "csv") -> Path:
    """StockEtablissementHistorique as CSV, CSV inside a zip, or Parquet."""
    import zipfile

    from extractors.sirene_history import HISTORY_COLUMNS

    path.parent.mkdir(parents=True, exist_ok=True)
    csv_path = path.with_suffix(".csv")
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(HISTORY_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    if fmt == "csv":
        return csv_path
    out = path.with_suffix("." + ("zip" if fmt == "zip" else "parquet"))
    if fmt == "zip":
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.write(csv_path, csv_path.name)
    else:
        con = duckdb.connect()
        con.execute(f"COPY (SELECT * FROM read_csv('{csv_path}', all_varchar=true)) TO '{out}' (FORMAT parquet)")
        con.close()
    csv_path.unlink()
    return out
