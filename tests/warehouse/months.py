"""Hand-made months and a step runner for warehouse tests (no Prefect: the flow composes these same steps)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from radar.config import Workdir, load_territory
from steps import common
from steps import sirene_month as steps
from tests.builders import etab_row, siren, siret, ul_row, write_stock

A, B, C, D, E, F, G, P = (siren(i) for i in range(1, 9))


def head(s: str, nic: int = 1) -> str:
    return siret(s, nic)[9:]


def base_month() -> tuple[list[dict], list[dict]]:
    """2024-10: A, C tech head offices in Issy; B a shop; P a withheld individual; F tech outside (Paris);
    G tech in Boulogne with a secondary establishment in Meudon."""
    etabs = [
        etab_row(siret(A, 1)),
        etab_row(siret(B, 1), naf="47.11F"),
        etab_row(siret(C, 1), band="01"),
        etab_row(siret(P, 1), status="P", street="RUE PRIVEE DU SECRET", x="[ND]", y="[ND]",
                 enseigne1Etablissement="[ND]"),
        etab_row(siret(F, 1), commune="75115", created="2015-03-01"),
        etab_row(siret(G, 1), commune="92012"),
        etab_row(siret(G, 2), commune="92048", head=False),
    ]
    units = [
        ul_row(A, name="ALPHA LOGICIELS", head_nic=head(A)),
        ul_row(B, name="BOULANGERIE BETA", naf="47.11F", head_nic=head(B)),
        ul_row(C, name="GAMMA CLOUD", head_nic=head(C)),
        ul_row(P, legal_form="1000", status="P", nomUniteLegale="[ND]", prenom1UniteLegale="[ND]",
               prenomUsuelUniteLegale="[ND]", head_nic=head(P)),
        ul_row(F, name="FOXTROT DATA", created="2015-03-01", head_nic=head(F)),
        ul_row(G, name="GOLF NUMERIQUE", head_nic=head(G)),
    ]
    return etabs, units


def next_month() -> tuple[list[dict], list[dict]]:
    """2024-11: B closes; C grows a band; D created (registered late, in September); A's activity changes;
    F transfers its head office from Paris into Issy (new SIRET); G transfers its head office within the
    territory (Boulogne -> Meudon secondary becomes head office: no event)."""
    etabs, units = base_month()
    by_siret = {e["siret"]: e for e in etabs}
    by_siret[siret(B, 1)].update(etatAdministratifEtablissement="F", dateDebut="2024-11-10")
    by_siret[siret(C, 1)].update(trancheEffectifsEtablissement="11")
    by_siret[siret(A, 1)].update(activitePrincipaleEtablissement="62.02A")
    by_siret[siret(F, 1)].update(etatAdministratifEtablissement="F", dateDebut="2024-11-04",
                                 etablissementSiege="false")
    by_siret[siret(G, 1)].update(etatAdministratifEtablissement="F", dateDebut="2024-11-20",
                                 etablissementSiege="false")
    by_siret[siret(G, 2)].update(etablissementSiege="true")
    etabs = list(by_siret.values()) + [
        etab_row(siret(D, 1), created="2024-09-12"),
        etab_row(siret(F, 2), created="2024-11-04"),
    ]
    units = [u for u in units if u["siren"] not in (F, G)] + [
        ul_row(D, name="DELTA ROBOTIQUE", created="2024-09-12", head_nic=head(D)),
        ul_row(F, name="FOXTROT DATA", created="2015-03-01", head_nic=head(F, 2)),
        ul_row(G, name="GOLF NUMERIQUE", head_nic=head(G, 2)),
    ]
    return etabs, units


def third_month() -> tuple[list[dict], list[dict]]:
    """2024-12: A transfers its head office out of the territory to Paris 15e."""
    etabs, units = next_month()
    etabs = [e for e in etabs if e["siret"] != siret(A, 1)] + [
        etab_row(siret(A, 1), naf="62.02A", state="F", period_start="2024-12-05", head=False),
        etab_row(siret(A, 2), naf="62.02A", commune="75115", created="2024-12-05"),
    ]
    units = [u for u in units if u["siren"] != A] + [ul_row(A, name="ALPHA LOGICIELS", head_nic=head(A, 2))]
    return etabs, units


MONTHS = {"2024-10": base_month, "2024-11": next_month, "2024-12": third_month}


def write_months(root: Path, fmt: str = "csv", months=MONTHS) -> dict[str, tuple[Path, Path]]:
    return {m: write_stock(root / "stock" / m, *build(), fmt=fmt) for m, build in months.items()}


def load(workdir: Workdir, etab: Path, ul: Path, month: str | None, territory=None, *, accept_drop: bool = False,
         force_month: bool = False) -> dict:
    """Run the steps of one monthly load, as the flow does; returns the flow-like result."""
    territory = territory or load_territory()
    common.prepare_warehouse(workdir)
    e = steps.resolve_stock(str(etab), "etablissements", workdir)
    u = steps.resolve_stock(str(ul), "unites_legales", workdir)
    run_id, started = common.new_run_id(), datetime.now(UTC)
    if month and steps.check_unchanged(workdir, month, e, u):
        common.record_outcome(workdir, run_id, "sirene_month", started, "unchanged", month=month)
        return {"status": "unchanged", "month": month}
    try:
        landing = steps.land_month(workdir, territory, e, u, month, force_month=force_month)
        staged = steps.transform_month(landing, territory)
        counts = steps.load_month(workdir, territory, staged, e, u, run_id, started, accept_drop=accept_drop)
    except Exception as exc:
        common.record_failure(workdir, run_id, "sirene_month", started, exc, month=month)
        raise
    common.publish(workdir, territory)
    return {"status": "loaded", "month": landing["month"], "counts": counts}
