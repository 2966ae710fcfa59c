"""A multi-territory run checks the month against the national files once, before the national scan, with the
single-territory rule: a contradiction stops every territory, --force-month lets it through."""

from __future__ import annotations

import pytest

from extractors.stock_month import MonthMismatch
from steps.sirene_territories import check_month
from tests.builders import etab_row, siren, siret, ul_row, write_stock


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_month_is_checked_once_before_the_scan(tmp_path, fmt):
    s = siren(7)
    etab_path, ul_path = write_stock(tmp_path / "2026-07", [etab_row(siret(s, 1), commune="92040")], [ul_row(s)],
                                     fmt=fmt)
    etab, ul = ({"kind": k, "path": str(p), "fmt": fmt} for p, k in ((etab_path, "etablissements"), (ul_path, "unites_legales")))
    check_month(etab, ul, "2026-07")
    check_month(etab, ul, None)  # inferred later, per territory
    with pytest.raises(MonthMismatch, match="2026-09"):
        check_month(etab, ul, "2026-09")
    check_month(etab, ul, "2026-09", force=True)
