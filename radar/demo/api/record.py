"""Re-record the demo's API responses: generate the bundled demo months, load them into a scratch warehouse
(the same steps as `radar run`, without Prefect or publication), derive what the three APIs answer about those
companies, and write radar/demo/api/recorded/*.json.gz. Deterministic: the same code gives the same bytes, which
tests/radar/test_demo_recorded.py checks.

    python -m radar.demo.api.record [--out DIR] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from radar import sirene_month as steps
from radar.config import Workdir, load_territory
from radar.demo.api.build import RECORDED, _read_warehouse, build_datasets, write_recorded
from radar.demo_data import ensure_demo_data

DEMO_MONTHS = 24  # `radar demo` without --months


def load_demo_warehouse(workdir: Workdir, months: int = DEMO_MONTHS) -> Path:
    """The demo's warehouse after its monthly loads (what `radar demo` has when it calls the APIs)."""
    territory = load_territory()
    steps.prepare_warehouse(workdir)
    for f in ensure_demo_data(workdir.demo_data, months=months):
        etab = steps.resolve_stock(f["etablissements"], "etablissements", workdir)
        ul = steps.resolve_stock(f["unites_legales"], "unites_legales", workdir)
        landing = steps.land_month(workdir, territory, etab, ul, f["month"])
        staged = steps.transform_month(landing, territory)
        steps.load_month(workdir, territory, staged, etab, ul, steps.new_run_id(), datetime.now(timezone.utc))
    return workdir.warehouse


def record(out: Path = RECORDED, workdir: Path | None = None) -> list[Path]:
    with tempfile.TemporaryDirectory(prefix="radar-record-", dir=workdir) as scratch:
        warehouse = load_demo_warehouse(Workdir(Path(scratch)))
        return write_recorded(build_datasets(*_read_warehouse(warehouse)), out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=RECORDED, help="where to write the .json.gz files")
    parser.add_argument("--workdir", type=Path, help="parent of the scratch warehouse (default: system temp)")
    args = parser.parse_args(argv)
    for path in record(args.out, args.workdir):
        print(f"{path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
