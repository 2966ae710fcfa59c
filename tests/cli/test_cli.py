"""The CLI without Prefect: `radar sql`, `radar report`, and the errors a user can cause."""

import csv
import io
import json
import logging
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from extractors.http.redaction import RedactingFilter, register_secret
from radar.config import Workdir
from tests.warehouse.months import load, write_months


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    stock = write_months(root)
    wd = Workdir(root / "wd")
    for m in sorted(stock):
        load(wd, *stock[m], m)
    return wd


def radar(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def test_sql_csv_conventions(workdir):
    r = radar("sql", "--workdir", workdir.root, "--format", "csv",
              "SELECT siren, created_on, closed_on, is_head_office FROM establishment ORDER BY siret LIMIT 3")
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.output)))
    assert rows[0] == ["siren", "created_on", "closed_on", "is_head_office"]
    assert rows[1][0].startswith("0") and len(rows[1][0]) == 9  # leading zeros kept
    assert rows[1][1] == "2020-01-15"
    assert {r[2] for r in rows[1:]} <= {"", "2024-11-10", "2024-11-20", "2024-11-04", "2024-12-05"}
    assert {r[3] for r in rows[1:]} <= {"true", "false"}


def test_sql_json_and_table_and_stdin(workdir):
    r = radar("sql", "--workdir", workdir.root, "--format", "json", "SELECT count(*) AS n FROM company")
    assert json.loads(r.output)[0]["n"] > 0
    r = radar("sql", "--workdir", workdir.root, input="SELECT 'x' AS a, NULL AS b")
    assert "| a " in r.output and "NULL" in r.output and "(1 row)" in r.output


def test_sql_errors_are_one_line_on_stderr(workdir):
    r = radar("sql", "--workdir", workdir.root, "SELECT * FROM nope")
    assert r.exit_code == 1
    assert r.output.startswith("radar: error:") and "Traceback" not in r.output
    r = radar("sql", "--workdir", workdir.root, "SELECT * FROM read_csv('/etc/passwd')")
    assert r.exit_code == 1 and "root:" not in r.output


def test_sql_schema_prints_the_dictionary(workdir):
    r = radar("sql", "--workdir", workdir.root, "--schema")
    assert r.exit_code == 0
    assert "establishment: One row per establishment (SIRET) ever located in the territory" in r.output
    assert "  siren VARCHAR -- SIREN of the legal unit" in r.output


def test_sql_without_snapshot(tmp_path):
    r = radar("sql", "--workdir", tmp_path, "SELECT 1")
    assert r.exit_code == 1 and "no published snapshot" in r.output


def test_report_renders_from_the_snapshot(workdir):
    r = radar("report", "--workdir", workdir.root, "--month", "2024-12")
    assert r.exit_code == 0, r.output
    assert (workdir.reports / "2024-12" / "report.html").is_file()
    r = radar("report", "--workdir", workdir.root, "--month", "2031-01")
    assert r.exit_code == 1 and "no data for month 2031-01" in r.output
    r = radar("report", "--workdir", workdir.root, "--month", "octobre")
    assert r.exit_code == 1 and "bad month" in r.output


@pytest.mark.parametrize("args, message", [
    (["--stock-etablissements", "/nonexistent.parquet", "--stock-unites-legales", "/x.parquet"], "file not found"),
    (["--month", "2026-13", "--stock-etablissements", "x", "--stock-unites-legales", "y"], "bad month '2026-13'"),
    (["--month", "2026-1", "--stock-etablissements", "x", "--stock-unites-legales", "y"], "bad month '2026-1'"),
    (["--territory", "/nope.toml", "--stock-etablissements", "x", "--stock-unites-legales", "y"],
     "territory file not found"),
])
def test_run_user_errors_are_one_clear_line(tmp_path, args, message):
    r = radar("run", "--workdir", tmp_path, *args)
    assert r.exit_code == 1
    assert message in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_help_explains_every_option():
    for cmd in ([], ["demo"], ["run"], ["report"], ["sql"]):
        r = radar(*cmd, "--help")
        assert r.exit_code == 0 and "--help" in r.output
    assert "--stock-etablissements" in radar("run", "--help").output
    assert "--workdir" in radar("demo", "--help").output


def test_the_command_line_installs_log_redaction_once(fresh_log_redaction, caplog):
    first = radar("sql", "--help")
    factory = logging.getLogRecordFactory()
    second = radar("sql", "--help")
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert logging.getLogRecordFactory() is factory  # the second run did not wrap it again
    for name in ("httpx", "httpcore", "radar", "radar.http", "extractors"):
        assert sum(isinstance(f, RedactingFilter) for f in logging.getLogger(name).filters) == 1, name
    register_secret("SECRET-CANARY-7f3a")
    logging.getLogger("flows.sirene").warning("key %s rejected", "SECRET-CANARY-7f3a")
    assert "SECRET-CANARY" not in caplog.text and "key *** rejected" in caplog.text
def _small_set(path: Path) -> Path:
    rows = [{"id": f"a{i}-x", "category": cat, "title": title, "text": "", "label": label, "event": None,
             "amount_eur": None, "company": {"siren": "123456782", "name": "KIWI", "sigle": None, "aliases": [],
                                             "naf_code": "62.01Z", "commune": "Sèvres", "legal_form": "5710"}}
            for i, (cat, title, label) in enumerate([
                ("positive", "La start-up sévrienne Kiwi lève 2 millions d'euros", 1),
                ("neg_fruit", "Le prix du kiwi s'envole", 0),
                ("positive", "Un kiwi pour Sèvres", 1)])]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_eval_linking_one_set_keeps_its_result_line_and_all_sets_get_intervals(tmp_path, monkeypatch):
    from cli import eval as eval_cli

    one = CliRunner().invoke(main, ["eval", "linking", "--set", str(_small_set(tmp_path / "s.jsonl"))])
    assert one.exit_code == 0, one.output
    assert re.search(r"^linking  precision 1\.000  recall 0\.500  F1 0\.667 ", one.output, re.M)
    assert "95% CI" not in one.output
    monkeypatch.setattr(eval_cli, "SETS", {"bundled": tmp_path / "s.jsonl", "dev": tmp_path / "s.jsonl"})
    every = CliRunner().invoke(main, ["eval", "linking"])
    assert every.exit_code == 0, every.output
    assert every.output.count("linking  precision") == 2
    assert re.search(r"^95% CI   precision 0\.\d{3}-1\.000  recall 0\.\d{3}-0\.\d{3}  \(Wilson; dev set\)$",
                     every.output, re.M)


@pytest.mark.parametrize("command", ["news", "run", "api", "demo"])
def test_a_bad_territory_file_is_one_line_naming_the_file_and_the_line(tmp_path, command):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "X"\nslug = \n', encoding="utf-8")
    r = radar(command, "--workdir", tmp_path / "wd", "--territory", bad)
    assert r.exit_code == 1 and "Traceback" not in r.output, r.output
    assert r.output.strip().splitlines() == [f"radar: error: {bad}: not valid TOML (Invalid value (at line 2, "
                                             f"column 8))"]
