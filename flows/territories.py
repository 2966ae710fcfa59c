"""Where the per-territory work of a multi-territory command runs, and how its outcomes are gathered.

By default one territory after another in this process. With `workers`, a local Dask cluster of that many
processes; with `address`, an existing Dask cluster: the same Prefect tasks, sent by prefect-dask's task runner.
The workers run the project's code from their own installation and read and write the working directory, which
they must share with this process (docs/runbook.md).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
from collections.abc import Iterator
from urllib.parse import urlsplit

from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from radar.errors import RadarError


class ClusterError(RadarError, ValueError):
    """A Dask cluster that cannot be used as asked."""


def task_runner(workers: int | None = None, address: str | None = None, *, verbose: bool = False) -> TaskRunner:
    if workers and address:
        raise ClusterError("--workers starts a local cluster, --dask-address uses an existing one: give one of them")
    if not workers and not address:
        return ThreadPoolTaskRunner(max_workers=1)
    # Read when Dask is first imported, here and in the local workers (they inherit the environment): Dask's own
    # log (workers starting, stopping, killed at shutdown) only under --verbose; each territory's outcome is ours.
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "info" if verbose else "critical")
    # Dask makes its worker processes daemons, which may not start processes of their own: the news flow parses
    # each feed in a child process (extractors/feeds.py).
    os.environ.setdefault("DASK_DISTRIBUTED__WORKER__DAEMON", "False")
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    # One task per worker process at a time: a territory's load already uses DuckDB's threads.
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                          "dashboard_address": None})


def _is_loopback(address: str) -> bool:
    host = urlsplit(address if "://" in address else f"tcp://{address}").hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def api_for_workers(workers: int | None = None, address: str | None = None) -> Iterator[None]:
    """A Prefect API the Dask workers can reach. Without PREFECT_API_URL a flow starts a temporary API server
    inside its own process, which worker processes would not share (each would start its own, 10-30 s): start it
    here, once, and hand its URL to the workers with the settings Prefect sends along with each task. Workers on
    other machines cannot reach this one on loopback: they need a long-lived server (PREFECT_API_URL)."""
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    if not (workers or address) or get_current_settings().api.url:
        yield
        return
    if address and not _is_loopback(address):
        raise ClusterError(f"--dask-address {address}: workers on another machine report to the Prefect API: set "
                           "PREFECT_API_URL to a Prefect server they can reach (docs/runbook.md)")
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the one a flow would start for itself: started once, here
    server.start()
    with temporary_settings({PREFECT_API_URL: server.api_url}):
        yield


def one_line(exc: BaseException) -> str:
    """An error on one line: a user's error as it is, anything else with its type."""
    text = " ".join(str(exc).split())
    return text if isinstance(exc, RadarError) else f"{type(exc).__name__}: {text}"


def gather(futures: dict[str, PrefectFuture]) -> list[dict]:
    """Each territory's result (a dict) with its slug, or its failure in one line: one territory failing (even its
    worker dying) does not stop the others."""
    outcomes = []
    for slug, future in futures.items():
        try:
            outcomes.append({"territory": slug, **future.result()})
        except Exception as exc:  # noqa: BLE001 - the territory's outcome, reported with the others'
            outcomes.append({"territory": slug, "status": "failed", "error": one_line(exc)})
    return outcomes
