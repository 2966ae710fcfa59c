"""The demo's inputs: official-format stock files generated once (deterministic, seeded) into the workdir, and the
API responses recorded from them.

`python -m steps.demo [--out DIR] [--workdir DIR]` re-records the responses: it generates the bundled demo months,
loads them into a scratch warehouse (the steps of `radar run`, without Prefect or publication), derives what the
three APIs answer about those companies and writes demo/api/recorded/*.json.gz. The same code gives the same bytes,
which tests/demo/test_recorded.py checks.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from demo.api.build import RECORDED, build_datasets, read_warehouse, write_recorded
from demo.generator import generate_demo
from radar.config import Workdir, load_territory
from steps.common import prepare_warehouse
from steps.sirene_month import load_files

DEMO_SEED = 2026
DEMO_START = "2024-11"
DEMO_MONTHS = 24  # `radar demo` without --months


def ensure_demo_data(folder: Path, *, months: int = DEMO_MONTHS) -> list[dict]:
    """Generate the demo months unless this exact set is already there (same seed, same months)."""
    marker = folder / "manifest.json"
    wanted = {"seed": DEMO_SEED, "start": DEMO_START, "months": months}
    if marker.is_file():
        manifest = json.loads(marker.read_text())
        if manifest.get("params") == wanted and all(Path(f["etablissements"]).is_file() and
                                                    Path(f["unites_legales"]).is_file() for f in manifest["files"]):
            return manifest["files"]
    files = generate_demo(folder, start=DEMO_START, months=months, seed=DEMO_SEED)
    files = [{"month": f["month"], "etablissements": str(f["etablissements"]),
              "unites_legales": str(f["unites_legales"])} for f in files]
    folder.mkdir(parents=True, exist_ok=True)
    tmp = marker.with_suffix(".tmp")
    tmp.write_text(json.dumps({"params": wanted, "files": files}, indent=1))
    tmp.replace(marker)
    return files


def load_demo_warehouse(workdir: Workdir, months: int = DEMO_MONTHS) -> Path:
    """The demo's warehouse after its monthly loads (what `radar demo` has when it calls the APIs)."""
    territory = load_territory()
    prepare_warehouse(workdir)
    for f in ensure_demo_data(workdir.demo_data, months=months):
        load_files(workdir, territory, f["etablissements"], f["unites_legales"], f["month"])
    return workdir.warehouse


def record(out: Path = RECORDED, workdir: Path | None = None) -> list[Path]:
    with tempfile.TemporaryDirectory(prefix="radar-record-", dir=workdir) as scratch:
        warehouse = load_demo_warehouse(Workdir(Path(scratch)))
        return write_recorded(build_datasets(*read_warehouse(warehouse)), out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Re-record the demo's API responses.")
    parser.add_argument("--out", type=Path, default=RECORDED, help="where to write the .json.gz files")
    parser.add_argument("--workdir", type=Path, help="parent of the scratch warehouse (default: system temp)")
    args = parser.parse_args(argv)
    for path in record(args.out, args.workdir):
        print(f"{path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
