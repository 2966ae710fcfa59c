"""Three hand-made SIRENE months (a year ago, the previous month, the report month) loaded by the real pipeline
steps: the snapshot every report test reads. The story of each named company is told by its rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from radar.config import Workdir, load_territory
from steps import common
from steps import sirene_month as steps
from tests.builders import etab_row, siren, siret, ul_row, write_stock

YEAR_AGO, PREVIOUS, MONTH = "2023-11", "2024-10", "2024-11"
COMMUNES = ("92012", "92022", "92040", "92047", "92048", "92072", "92075", "92077")
TECH_NAF = ("62.01Z", "62.02A", "63.11Z", "58.29C", "26.20Z")
FILLERS = 40  # a few tech establishments in every commune, for the charts
P_SECRETS = ("MARTINEZSECRET", "JEANNOTSECRET", "ENSEIGNESECRETE")
XSS, MUSTACHE = "<script>alert(1)</script>", "{{ 7*7 }}"

NEW, CLOSED, OUT, IN, UP, PERSON, SCRIPT, CURLY, BAKERY = (siren(i) for i in range(1, 10))


def _head(siret_: str) -> str:
    return siret_[9:]


def _fillers(count: int) -> tuple[list[dict], list[dict]]:
    etabs, units = [], []
    for i in range(count):
        s = siren(10_000 + i)
        naf = TECH_NAF[i % len(TECH_NAF)]
        etabs.append(etab_row(siret(s), commune=COMMUNES[i % len(COMMUNES)], naf=naf))
        units.append(ul_row(s, name=f"ENTREPRISE {i:04d}", naf=naf, head_nic=_head(siret(s))))
    etabs.append(etab_row(siret(siren(20_000)), naf="47.11F"))
    units.append(ul_row(siren(20_000), name="SUPERMARCHE", naf="47.11F", head_nic=_head(siret(siren(20_000)))))
    return etabs, units


def _month_rows(month: str) -> tuple[list[dict], list[dict]]:
    """Stocks of the three months: the story of each named company is told by its rows."""
    etabs, units = _fillers(FILLERS - 8 if month == YEAR_AGO else FILLERS)
    current = month == MONTH
    etabs += [
        etab_row(siret(CLOSED), commune="92072", state="F" if current else "A",
                 period_start="2024-11-10" if current else None),
        etab_row(siret(OUT), commune="92040", state="F" if current else "A",
                 period_start="2024-11-05" if current else None),
        etab_row(siret(IN, 2), commune="92048", head=False),
        etab_row(siret(UP), commune="92075", band="11" if current else "01"),
    ]
    units += [
        ul_row(CLOSED, name="FERMETURE DEFINITIVE", head_nic=_head(siret(CLOSED))),
        ul_row(OUT, name="DEPART VERS PARIS", head_nic=_head(siret(OUT, 2) if current else siret(OUT))),
        ul_row(IN, name="ARRIVEE DE PARIS", head_nic=_head(siret(IN, 3) if current else siret(IN))),
        ul_row(UP, name="CROISSANCE RAPIDE", head_nic=_head(siret(UP))),
    ]
    etabs.append(etab_row(siret(IN), commune="75115", libelleCommuneEtablissement="PARIS 15", codePostalEtablissement="75015",
                          state="F" if current else "A",
                          period_start="2024-11-05" if current else None))
    if current:
        etabs += [
            etab_row(siret(OUT, 2), commune="75115", libelleCommuneEtablissement="PARIS 15", created="2024-11-05"),
            etab_row(siret(IN, 3), commune="92012", created="2024-11-05"),
            etab_row(siret(NEW), commune="92012", created="2024-11-03"),
            etab_row(siret(PERSON), commune="92022", naf="62.02A", created="2024-10-20", status="P",
                     street="[ND]", x="[ND]", y="[ND]", enseigne1Etablissement="ENSEIGNESECRETE"),
            etab_row(siret(SCRIPT), commune="92040", created="2024-11-02"),
            etab_row(siret(CURLY), commune="92040", created="2024-11-02"),
            etab_row(siret(BAKERY), commune="92040", naf="10.71C", created="2024-11-02"),
            etab_row("12345678901234"),  # broken identifier: quarantined
        ]
        units += [
            ul_row(NEW, name="NOUVELLE POUSSE", created="2024-11-03", head_nic=_head(siret(NEW))),
            ul_row(PERSON, legal_form="1000", status="P", naf="62.02A", created="2024-10-20",
                   nomUniteLegale="MARTINEZSECRET", prenom1UniteLegale="JEANNOTSECRET",
                   head_nic=_head(siret(PERSON))),
            ul_row(SCRIPT, name=XSS, created="2024-11-02", head_nic=_head(siret(SCRIPT))),
            ul_row(CURLY, name=MUSTACHE, created="2024-11-02", head_nic=_head(siret(CURLY))),
            ul_row(BAKERY, name="BOULANGERIE DU COIN", naf="10.71C", created="2024-11-02",
                   head_nic=_head(siret(BAKERY))),
        ]
    return etabs, units



@dataclass
class MonthlyWorkdir:
    workdir: Workdir
    stocks: dict[str, Path]

    @property
    def snapshot(self) -> Path:
        return self.workdir.published


def build_workdir(root: Path) -> MonthlyWorkdir:
    workdir, territory = Workdir(root / "wd"), load_territory()
    common.prepare_warehouse(workdir)
    stocks = {}
    for month in (YEAR_AGO, PREVIOUS, MONTH):
        etab_path, ul_path = write_stock(root / "stocks" / month, *_month_rows(month))
        stocks[month] = etab_path
        steps.load_files(workdir, territory, etab_path, ul_path, month)
    common.publish(workdir, territory)
    return MonthlyWorkdir(workdir, stocks)
