"""The territory scan keeps every establishment of the companies present in the territory, whatever guessed them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from demo.generator import generate_demo
from extractors.sirene_hint import guess_followed_sirens
from extractors.sirene_stock import describe_stock, scan_territory
from radar.config import load_territory
from tests.builders import etab_row, siren, siret, ul_row, write_stock

P, Q, R, X = siren(101), siren(102), siren(103), siren(104)
TERRITORY = ["92040", "92012"]


@pytest.fixture(scope="module")
def stock(tmp_path_factory):
    """P moved in (closed head office in Paris, open one in Issy, one row without a commune), Q is in Paris
    only, R in Boulogne only, X is in Issy but excluded."""
    etabs = [
        etab_row(siret(P, 1), commune="75056", state="F", head=False),
        etab_row(siret(P, 2), commune="92040"),
        etab_row(siret(P, 3), commune="", head=False),
        etab_row(siret(Q, 1), commune="75056"),
        etab_row(siret(R, 1), commune="92012"),
        etab_row(siret(X, 1), commune="92040"),
    ]
    units = [ul_row(s) for s in (P, Q, R, X)]
    root = tmp_path_factory.mktemp("stock")
    return {fmt: write_stock(root / fmt, etabs, units, fmt=fmt) for fmt in ("csv", "parquet")}


def scan(tmp_path, paths, guess):
    etab, ul = (describe_stock(p, kind) for p, kind in zip(paths, ("etablissements", "unites_legales")))
    result = scan_territory(etab, ul, tmp_path / "out", commune_codes=TERRITORY, excluded_sirens=[X],
                            scratch_dir=tmp_path / "scratch", guess_followed=guess)
    con = duckdb.connect()
    rows = {kind: sorted(con.execute(f"SELECT * FROM read_parquet('{path}')").fetchall())
            for kind, path in (("etab", result.etablissements_path), ("ul", result.unites_legales_path))}
    assert (result.etablissements_rows, result.unites_legales_rows) == (len(rows["etab"]), len(rows["ul"]))
    return rows


@pytest.mark.parametrize("guess", [
    pytest.param(None, id="no-guess"),
    pytest.param([], id="empty"),
    pytest.param([R], id="partial"),
    pytest.param([Q, X, "000000000"], id="wrong"),
    pytest.param([P, Q, R, X], id="superset"),
])
def test_what_is_kept_does_not_depend_on_the_guess(tmp_path, stock, guess):
    got = scan(tmp_path, stock["csv"], lambda path, codes: guess)
    kept = {(row[0], row[2]) for row in got["etab"]}  # siren, siret
    assert kept == {(P, siret(P, 1)), (P, siret(P, 2)), (P, siret(P, 3)), (R, siret(R, 1))}
    assert [row[0] for row in got["ul"]] == sorted([P, R])
    assert got == scan(tmp_path / "parquet", stock["parquet"], guess_followed_sirens)


def test_the_polars_guess_is_exact_on_official_csv(tmp_path):
    territory = load_territory()
    codes = territory.commune_codes
    months = generate_demo(tmp_path, months=1, companies=120, fmt="csv")
    path = months[0]["etablissements"]
    exact = duckdb.connect().execute(
        f"SELECT DISTINCT siren FROM read_csv('{path}', all_varchar = true) "
        f"WHERE codeCommuneEtablissement IN (SELECT unnest(?::VARCHAR[]))", [codes]).fetchall()
    guessed = guess_followed_sirens(path, codes)
    assert len(exact) > 50
    assert sorted(guessed.to_pylist()) == sorted(s for (s,) in exact)


def test_a_file_polars_cannot_read_gives_no_guess(tmp_path):
    path = tmp_path / "StockEtablissement_utf8.csv"
    path.write_bytes(b"siren,codeCommuneEtablissement\n123456782,92040\xff\n")
    assert guess_followed_sirens(path, ["92040"]) is None


def test_no_guess_and_no_warning_where_polars_cannot_run(tmp_path):
    """On a CPU without the instructions of its build, Polars warns at import and would crash later: a stand-in
    package that warns as Polars does (polars/_cpu_check.py) must turn the guess off, silently."""
    fake = tmp_path / "site" / "polars"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "import warnings\nwarnings.warn('Missing required CPU features.\\n\\nThe following required CPU features "
        "were not detected:\\n    avx2', RuntimeWarning, stacklevel=1)\n"
        "def scan_csv(*a, **k):\n    raise SystemExit('would have crashed')\n")
    csv_path = tmp_path / "StockEtablissement_utf8.csv"
    csv_path.write_text("siren,codeCommuneEtablissement\n123456782,92040\n")
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from extractors.sirene_hint import guess_followed_sirens; "
            "print(guess_followed_sirens(sys.argv[2], ['92040']))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "site"), str(csv_path)],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2], check=True)
    assert done.stdout.strip() == "None"
    assert "CPU features" not in done.stderr


def test_the_guess_step_says_what_it_does_when_progress_is_shown(tmp_path, stock, capsys):
    paths = stock["csv"]
    etab, ul = (describe_stock(p, kind) for p, kind in zip(paths, ("etablissements", "unites_legales")))
    for shown in (False, True):
        scan_territory(etab, ul, tmp_path / str(shown), commune_codes=TERRITORY, excluded_sirens=[],
                       scratch_dir=tmp_path / "scratch", progress=shown)
        said = capsys.readouterr().err
        assert ("StockEtablissement_utf8.csv: finding the territory's companies" in said) is shown
