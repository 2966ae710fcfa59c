"""`radar` as a user runs it: real processes, Prefect included (T42). A user's error inside a flow is exit code 1 and
at most 3 lines on stderr, Prefect's own lines included; two `radar run` at once converge (T17).

The processes share one long-lived Prefect server, started once for the module (`prefect server start`, as the
runbook sets one up), instead of each starting its temporary server (20-30 s each)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from radar.config import Workdir
from tests.builders import write_stock
from tests.oracles import ledger, table_hashes
from tests.warehouse.months import load, write_months

pytestmark = pytest.mark.flow
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory):
    """The URL of a Prefect server running for the module's tests (API only: no UI, no scheduler)."""
    home = tmp_path_factory.mktemp("prefect-server")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_SERVER_UI_ENABLED="false")
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port",
                               str(port), "--no-services"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, "the Prefect server ended"
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the Prefect server never answered"
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def radar_process(api: str, home: Path, *args: str, **extra_env: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_API_URL=api, PREFECT_HOME=str(home), **extra_env)
    return subprocess.Popen([sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def radar(api: str, home: Path, *args: str) -> tuple[int, str, str]:
    proc = radar_process(api, home, *args)
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


def one_clear_line(code: int, err: str, *expected: str) -> None:
    lines = err.strip().splitlines()
    assert code == 1, err
    assert 1 <= len(lines) <= 3 and "Traceback" not in err, err
    assert lines[-1].startswith("radar: error: ") and all(e in lines[-1] for e in expected), err


def test_an_invalid_stock_inside_the_flow_is_one_line(prefect_api, tmp_path):
    bad = tmp_path / "StockEtablissement_utf8.csv"
    bad.write_text("siren,siret\n1,2\n", encoding="utf-8")
    code, _, err = radar(prefect_api, tmp_path / "home", "run", "--workdir", str(tmp_path / "wd"),
                         "--stock-etablissements", str(bad), "--stock-unites-legales", str(bad), "--month", "2024-10")
    one_clear_line(code, err, f"{bad}: missing required column")


def test_a_refused_stock_and_a_wrong_month_are_one_line_and_change_nothing(prefect_api, tmp_path):
    stock = write_months(tmp_path)
    wd = Workdir(tmp_path / "wd")
    load(wd, *stock["2024-10"], "2024-10")
    before = table_hashes(wd.warehouse)
    empty = write_stock(tmp_path / "stock" / "empty", [], [], month="2024-11")
    code, _, err = radar(prefect_api, tmp_path / "home", "run", "--workdir", str(wd.root), "--stock-etablissements",
                         str(empty[0]), "--stock-unites-legales", str(empty[1]), "--month", "2024-11")
    one_clear_line(code, err, "stock of 2024-11 refused: 0 active establishments in the territory against 6")
    code, _, err = radar(prefect_api, tmp_path / "home", "run", "--workdir", str(wd.root), "--stock-etablissements",
                         str(stock["2024-10"][0]), "--stock-unites-legales", str(stock["2024-10"][1]),
                         "--month", "2024-11")
    one_clear_line(code, err, "--month 2024-11 but the folder 2024-10 says 2024-10")
    assert table_hashes(wd.warehouse) == before
    assert [s for s, *_ in ledger(wd.warehouse)] == ["success", "failed", "failed"]


def test_two_radar_runs_at_once_converge(prefect_api, tmp_path):
    """T17: the second run waits while the first holds the writer role inside its transaction."""
    stock = write_months(tmp_path)
    wd, sequential = Workdir(tmp_path / "wd"), Workdir(tmp_path / "sequential")
    for month in ("2024-10", "2024-11"):
        load(sequential, *stock[month], month)

    def run(month: str, **env: str) -> subprocess.Popen:
        return radar_process(prefect_api, tmp_path / f"home-{month}", "run", "--workdir", str(wd.root),
                             "--stock-etablissements", str(stock[month][0]), "--stock-unites-legales",
                             str(stock[month][1]), "--month", month, **env)

    first = run("2024-10", RADAR_PAUSE_AT="before_commit:8")
    assert first.stdout.readline().strip() == "REACHED before_commit"
    second = run("2024-11")
    out2, err2 = second.communicate(timeout=300)
    out1, err1 = first.communicate(timeout=300)
    assert (first.returncode, second.returncode) == (0, 0), err1 + err2
    assert "radar run: month 2024-11 loaded" in out2 and err1 + err2 == ""
    skip = ("meta.run", "meta.stock_month", "meta.schema_migrations", "quarantine.sirene")
    assert table_hashes(wd.warehouse, skip=skip) == table_hashes(sequential.warehouse, skip=skip)


_HEARTBEAT_PROBE = """
import sys
from pathlib import Path
from prefect import flow
from prefect.settings import get_current_settings
from cli.common import start_prefect

@flow
def probe():
    return get_current_settings().flows.heartbeat_frequency

start_prefect(Path(sys.argv[1]), False)
print(probe())
"""


@pytest.mark.parametrize("asked, seen", [(None, "None"), ("60", "60")])
def test_flow_runs_of_a_command_send_heartbeats_only_when_asked(prefect_api, tmp_path, asked, seen):
    """Heartbeats cost a command 0.5 s per flow run on average (the engine waits for its thread's next tick)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_API_URL=prefect_api, PREFECT_HOME=str(tmp_path / "home"))
    if asked:
        env["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] = asked
    out = subprocess.run([sys.executable, "-c", _HEARTBEAT_PROBE, str(tmp_path / "wd")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == seen
