"""Bench: a full Recherche d'entreprises enrichment of the demo territory against a loopback fake that enforces
the real limit (7 requests in any sliding second, 429 + Retry-After beyond), through the one HTTP client.

Shows the client sustains >= 90% of its configured rate with zero 429.

    .venv/bin/python bench/bench_api.py --workdir /work/demo-x [--rate 5 --rate 6.5]

The workdir must hold a demo warehouse (`radar demo --workdir ...`); the data set is derived from it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demo.api.build import _read_warehouse, build_datasets
from demo.api.emulators import RateWindow, RechercheEmulator, as_route
from demo.loopback import LoopbackServer
from extractors import recherche_entreprises
from extractors.http import HostPolicy, HttpClient
from radar.config import Workdir, load_territory

REAL_LIMIT = 7.0


def bench(companies: list[dict], rate: float, territory) -> dict:
    emulator = RechercheEmulator(companies, rate=RateWindow(REAL_LIMIT))
    with LoopbackServer() as server:
        server.route("/r*", as_route(emulator, "/r"))
        stats: dict = {}
        with HttpClient(host_policies={server.host_port: HostPolicy(rate)}) as client:
            started = time.monotonic()
            pages = list(recherche_entreprises.iter_territory_pages(
                client, territory.commune_codes, sorted(territory.tech_codes), base_url=server.url("/r"),
                stats=stats))
            elapsed = time.monotonic() - started

    requests = len(pages) + stats.get("splits", 0)
    sustained = (requests - 1) / elapsed if elapsed else 0.0  # n requests span n-1 intervals
    rows = sum(len(p.data["results"]) for p in pages)
    return {"configured_rate": rate, "requests": requests, "elapsed_s": round(elapsed, 2),
            "sustained_rate": round(sustained, 3), "ratio": round(sustained / rate, 3),
            "http_429": emulator.rate.rejected, "results": rows, "partitions": stats.get("partitions")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--rate", type=float, action="append", help="client rate(s) to bench [default: 5]")
    args = parser.parse_args()
    companies, establishments = _read_warehouse(Workdir(args.workdir).warehouse)
    data = build_datasets(companies, establishments)
    territory = load_territory()
    out = [bench(data["recherche"], rate, territory) for rate in (args.rate or [5.0])]
    print(json.dumps(out, indent=1))
    bad = [r for r in out if r["http_429"] or r["ratio"] < 0.9]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
