"""The demo's input: official-format stock files generated once (deterministic, seeded) into the workdir."""

from __future__ import annotations

import json
from pathlib import Path

from radar.demo.generator import generate_demo

DEMO_SEED = 2026
DEMO_START = "2024-11"


def ensure_demo_data(folder: Path, *, months: int = 24) -> list[dict]:
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
