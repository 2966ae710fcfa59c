"""Several territories in one run, under the session's Prefect harness: the snapshots equal single-territory
runs', in this process and on a Dask cluster started as separate processes on loopback; one failing territory
does not stop the others; report and news over every territory; a CLI run against a long-lived API server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from cli.main import main
from radar.config import Workdir
from tests.territories import SPECS, write_territories
from tests.warehouse.months import write_months

pytestmark = pytest.mark.flow

# What differs between two runs of the same data: run ids and clock times.
RUN_SPECIFIC = {"run_id", "started_at", "ended_at", "published_at", "loaded_at", "recorded_at", "created_at",
                "fetched_at", "first_seen_at"}


def snapshot_rows(path: Path) -> dict[str, list]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall():
            cols = [c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                                              "ORDER BY column_index", [table]).fetchall() if c not in RUN_SPECIFIC]
            out[table] = sorted(con.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{table}"')
                                .fetchall(), key=repr)
        return out
    finally:
        con.close()


def radar(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def run_months(stock, *args):
    for month in sorted(stock):
        etab, ul = stock[month]
        r = radar("run", "--stock-etablissements", etab, "--stock-unites-legales", ul, "--month", month, *args)
        assert r.exit_code == 0, r.output
    return r


@pytest.fixture(scope="module")
def singles(prefect_harness, tmp_path_factory):
    """Each territory loaded by single-territory runs, month by month."""
    root = tmp_path_factory.mktemp("singles")
    stock, files = write_months(root), write_territories(root / "territories", SPECS)
    for slug, path in files.items():
        run_months(stock, "--territory", path, "--workdir", root / slug)
    return {"root": root, "stock": stock, "files": files}


@pytest.fixture(scope="module")
def together(singles, tmp_path_factory):
    wd = tmp_path_factory.mktemp("together") / "wd"
    args = [a for path in singles["files"].values() for a in ("--territory", path)]
    last = run_months(singles["stock"], *args, "--workdir", wd)
    return {"root": wd, "output": last.output}


def test_one_run_for_several_territories_publishes_what_single_runs_do(singles, together):
    assert "radar run: 3 territories: 3 loaded, 0 unchanged, 0 failed" in together["output"]
    for slug in SPECS:
        assert Workdir(together["root"] / slug).published.is_file()
        assert snapshot_rows(Workdir(together["root"] / slug).published) == \
            snapshot_rows(Workdir(singles["root"] / slug).published), slug
    # The same files again: every territory unchanged, and the national files not scanned.
    landed = sorted((together["root"] / "west" / "landing").rglob("manifest.json"))
    etab, ul = singles["stock"]["2024-12"]
    args = [a for path in singles["files"].values() for a in ("--territory", path)]
    r = radar("run", "--stock-etablissements", etab, "--stock-unites-legales", ul, "--month", "2024-12", *args,
              "--workdir", together["root"])
    assert r.exit_code == 0 and "0 loaded, 3 unchanged, 0 failed" in r.output, r.output
    assert sorted((together["root"] / "west" / "landing").rglob("manifest.json")) == landed


def test_report_and_news_for_every_territory(together):
    r = radar("report", "--workdir", together["root"], "--all")
    assert r.exit_code == 0, r.output
    for slug in SPECS:
        assert (together["root"] / slug / "reports" / "2024-12" / "report.pdf").is_file()
        assert f"{slug}" in r.output and "rendered" in r.output
    r = radar("news", "--workdir", together["root"], "--all", "--demo", "--no-pages")
    assert r.exit_code == 0, r.output
    assert r.output.count(" loaded ") == 3, r.output


@pytest.fixture
def dask_cluster(tmp_path):
    """A Dask scheduler and two workers, each its own process on loopback, as an operator starts them."""
    bin_dir = Path(sys.executable).parent
    scheduler_file = tmp_path / "scheduler.json"
    procs = [subprocess.Popen([bin_dir / "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", scheduler_file],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 120
        while not scheduler_file.is_file():
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.2)
        env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
        for name in ("w1", "w2"):
            procs.append(subprocess.Popen([bin_dir / "dask", "worker", "--scheduler-file", scheduler_file,
                                           "--nthreads", "1", "--name", name, "--no-dashboard"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        from distributed import Client

        client = Client(scheduler_file=str(scheduler_file), timeout=120)
        client.wait_for_workers(2, timeout=120)
        yield client
        client.close()
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


def test_on_an_existing_dask_cluster_a_failing_territory_does_not_stop_the_others(singles, dask_cluster, tmp_path):
    wd = tmp_path / "wd"
    broken = write_territories(tmp_path / "more", {"broken": ["92048"]})["broken"]
    (wd / "broken").mkdir(parents=True)
    Workdir(wd / "broken").warehouse.write_bytes(b"not a DuckDB file" * 1000)
    etab, ul = singles["stock"]["2024-10"]
    args = [a for path in [*singles["files"].values(), broken] for a in ("--territory", path)]
    r = radar("run", "--stock-etablissements", etab, "--stock-unites-legales", ul, "--month", "2024-10", *args,
              "--workdir", wd, "--dask-address", dask_cluster.scheduler.address)
    assert r.exit_code == 1
    assert "3 loaded, 0 unchanged, 1 failed" in r.output
    last = r.output.strip().splitlines()[-1]
    assert last.startswith("radar: error: the month's load failed for 1 of 4 territories: broken "), last
    # The territories' work ran on the cluster's workers.
    computed = dask_cluster.run_on_scheduler(  # cumulative: tasks are forgotten once their results are read
        lambda dask_scheduler: {p: tp.state_counts["memory"] for p, tp in dask_scheduler.task_prefixes.items()})
    # Four warehouses made ready there (the broken one failing), then the three others loaded there.
    assert computed == {"loaded_files": 4, "territory_month": 3}, computed
    for slug in SPECS:
        con = duckdb.connect(str(Workdir(wd / slug).published), read_only=True)
        assert con.execute("SELECT latest_month, months_loaded FROM snapshot_info").fetchone()[1] == 1
        con.close()


def test_a_cli_run_uses_a_long_lived_prefect_server(singles, tmp_path):
    """With PREFECT_API_URL set, `radar run` starts no server of its own and its flow run is on that server."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    etab, ul = singles["stock"]["2024-10"]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}, "PREFECT_API_URL": url}
    wd = tmp_path / "wd"
    done = subprocess.run([sys.executable, "-m", "cli.main", "run", "--workdir", wd, "--stock-etablissements", etab,
                           "--stock-unites-legales", ul, "--month", "2024-10"], capture_output=True, text=True,
                          env=env, cwd=Path(__file__).resolve().parents[2], timeout=600)
    assert done.returncode == 0, done.stderr
    assert "radar run: month 2024-10 loaded" in done.stdout
    assert not (wd / ".prefect").exists()  # no temporary server's home
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs()
    assert any(r.parameters.get("workdir") == str(wd) and r.state.is_completed() for r in runs)
