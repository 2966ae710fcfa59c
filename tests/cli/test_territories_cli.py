"""The CLI over a multi-territory working directory, without Prefect: readers' --territory SLUG, `radar sql --all`
and its sandbox, and the multi-territory runs refused before anything starts."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli.main import main
from radar.config import Workdir, load_territory
from radar.territories import record_territories, territory_workdir
from tests.territories import SPECS, write_territories
from tests.warehouse.months import load, write_months


@pytest.fixture(scope="module")
def multi(tmp_path_factory):
    """A multi-territory working directory whose territories were loaded by the steps of the monthly flow."""
    root = tmp_path_factory.mktemp("multi")
    stock, files = write_months(root), write_territories(root / "territories", SPECS)
    wd = root / "wd"
    record_territories(wd, [load_territory(f) for f in files.values()])
    for slug, path in files.items():
        for month in sorted(stock):
            load(territory_workdir(wd, slug), *stock[month], month, territory=load_territory(path))
    return {"root": wd, "files": files, "stock": stock}


def radar(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def sql(workdir, *args):
    r = radar("sql", "--workdir", workdir, "--format", "json", *args)
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


def test_a_reader_names_one_territory_by_its_slug(multi):
    wd = multi["root"]
    assert sql(wd, "--territory", "paris", "SELECT territory FROM snapshot_info") == [{"territory": "Paris"}]
    r = radar("sql", "--workdir", wd, "SELECT 1")
    assert r.exit_code == 1 and r.output.strip().endswith("holds 3 territories (issy, paris, west): pick one with "
                                                          "--territory SLUG")
    r = radar("sql", "--workdir", wd, "--territory", "lyon", "SELECT 1")
    assert r.exit_code == 1 and "no territory 'lyon'" in r.output and len(r.output.strip().splitlines()) == 1
    r = radar("report", "--workdir", wd, "--territory", "issy", "--month", "2024-12")
    assert r.exit_code == 0, r.output
    assert (wd / "issy" / "reports" / "2024-12" / "report.html").is_file()
    assert not (wd / "reports").exists()


def test_sql_all_unions_the_territories_with_a_territory_column(multi):
    wd = multi["root"]
    together = sql(wd, "--all", "SELECT territory, count(*) AS n FROM establishment GROUP BY ALL ORDER BY 1")
    alone = [{"territory": slug, "n": sql(wd, "--territory", slug, "SELECT count(*) AS n FROM establishment")[0]["n"]}
             for slug in sorted(SPECS)]
    assert together == alone and all(row["n"] > 0 for row in alone)
    names = sql(wd, "--all", "SELECT territory, territory_name FROM snapshot_info ORDER BY 1")
    assert names == [{"territory": s, "territory_name": s.title()} for s in sorted(SPECS)]
    # Companies followed by two overlapping territories appear once in each.
    both = sql(wd, "--all", "SELECT siren FROM company WHERE territory IN ('west', 'issy') GROUP BY siren "
                            "HAVING count(DISTINCT territory) = 2")
    assert both


@pytest.mark.parametrize("statement, refusal", [
    ("SELECT * FROM read_csv('/etc/passwd')", "file system operations are disabled"),
    ("ATTACH '/tmp/radar-other.duckdb' AS other", "file system operations are disabled"),
    ("INSTALL httpfs", "disabled"),
    ("COPY (SELECT 1) TO '/tmp/radar-out.csv'", "file system operations are disabled"),
    ("SET enable_external_access = true", "configuration has been locked"),
    ("CREATE TABLE establishment_copy AS SELECT 1", "read-only"),
    ("DELETE FROM west.main.company", "read-only"),
])
def test_sql_all_keeps_the_sandbox(multi, statement, refusal):
    r = radar("sql", "--workdir", multi["root"], "--all", statement)
    assert r.exit_code == 1 and refusal in r.output, r.output
    assert r.output.startswith("radar: error:")


def test_sql_all_needs_a_multi_territory_working_directory(multi):
    r = radar("sql", "--workdir", territory_workdir(multi["root"], "west").root, "--all", "SELECT 1")
    assert r.exit_code == 1 and "is not a multi-territory working directory" in r.output


@pytest.mark.parametrize("args, message", [
    (["--territory", "{west}", "--territory", "{issy}"], "is a single-territory working directory"),
    (["--territory", "{west}", "--workers", "2"], "--workers and --dask-address spread the territories"),
    (["--territory", "{west}", "--territory", "{west}"], "have the same slug 'west'"),
])
def test_multi_territory_runs_refused_in_one_line(multi, args, message):
    single = territory_workdir(multi["root"], "west").root  # a single-territory layout: its warehouse at its top
    files = {k: str(v) for k, v in multi["files"].items()}
    etab, ul = multi["stock"]["2024-12"]
    r = radar("run", "--workdir", single, "--stock-etablissements", etab, "--stock-unites-legales", ul,
              *[a.format(**files) for a in args])
    assert r.exit_code == 1 and message in r.output, r.output
    assert len(r.output.strip().splitlines()) == 1
    assert not (Workdir(single).root / "territories.json").exists()
