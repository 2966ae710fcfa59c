"""Registry load of one month against a bare DuckDB extraction of the same data, in the same run.

Each measured step runs in its own process so that its peak RSS is its own. Ratios, not seconds, are the
result: absolute times depend on the machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

GPSO = ["92012", "92022", "92040", "92047", "92048", "92072", "92075", "92077"]


def _child(code: str, *args: str) -> dict:
    """Run `code` in a fresh interpreter (it prints one JSON line with its in-process `seconds`); add the
    process's wall time and its own peak RSS (wait4 gives the rusage of that child alone)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(stderr[-2000:])
    out = json.loads(stdout.strip().splitlines()[-1])
    out.update(wall_s=round(wall, 3), cpu_s=round(usage.ru_utime + usage.ru_stime, 3),
               peak_rss_mb=round(usage.ru_maxrss / 1024, 1))
    return out


BARE = r"""
import duckdb, json, sys, time
etab, ul, fmt, db = sys.argv[1:5]
read = (lambda p: f"read_parquet('{p}')") if fmt == "parquet" else \
       (lambda p: f"read_csv('{p}', header=true, all_varchar=true)")
con = duckdb.connect(db, config={"threads": 2, "memory_limit": "4GB", "preserve_insertion_order": False})
t = time.perf_counter()
con.execute(f"CREATE TABLE e AS SELECT * FROM {read(etab)} WHERE codeCommuneEtablissement IN ({sys.argv[5]})")
con.execute(f"CREATE TABLE u AS SELECT * FROM {read(ul)} WHERE siren IN (SELECT siren FROM e)")
rows = con.execute("SELECT (SELECT count(*) FROM e), (SELECT count(*) FROM u)").fetchone()
print(json.dumps({"seconds": time.perf_counter() - t, "etab_rows": rows[0], "ul_rows": rows[1]}))
"""

PIPELINE = r"""
import json, sys, time
from datetime import datetime, timezone
from pathlib import Path
from steps import common
from steps import sirene_month as steps
from radar.config import Workdir, load_territory
etab, ul, workdir, month = sys.argv[1:5]
wd, territory = Workdir(Path(workdir)), load_territory()
t = time.perf_counter()
timings = {}
def step(name, fn, *a, **k):
    s = time.perf_counter(); r = fn(*a, **k); timings[name] = round(time.perf_counter() - s, 3); return r
step("prepare", common.prepare_warehouse, wd)
e = step("resolve_etab", steps.resolve_stock, etab, "etablissements", wd)
u = step("resolve_ul", steps.resolve_stock, ul, "unites_legales", wd)
if step("check_unchanged", steps.check_unchanged, wd, month, e, u):
    status = "unchanged"
else:
    landing = step("land", steps.land_month, wd, territory, e, u, month)
    e, u = landing["etablissements"], landing["unites_legales"]
    staged = step("transform", steps.transform_month, landing, territory)
    step("load", steps.load_month, wd, territory, staged, e, u, common.new_run_id(), datetime.now(timezone.utc))
    step("publish", common.publish, wd, territory)
    status = "loaded"
print(json.dumps({"seconds": time.perf_counter() - t, "status": status, "steps": timings}))
"""


def make_inputs(data_dir: Path, rows: int, fmt: str) -> dict:
    """France-scale files from the project's generator, cached between runs."""
    from demo.generator import write_scale_stock

    folder = data_dir / f"{fmt}-{rows}"
    marker = folder / "inputs.json"
    if marker.is_file():
        return json.loads(marker.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    out = write_scale_stock(folder, rows, fmt=fmt)
    info = {"etablissements": str(out["etablissements"]), "unites_legales": str(out["unites_legales"]),
            "etablissement_rows": out["etablissement_rows"], "unite_legale_rows": out["unite_legale_rows"],
            "bytes": Path(out["etablissements"]).stat().st_size + Path(out["unites_legales"]).stat().st_size}
    marker.write_text(json.dumps(info))
    return info


def bench_stock(data_dir: Path, rows: int, fmt: str, tiny_rows: int = 20_000, repeat: int = 5) -> dict:
    """`repeat` trials, each one bare extraction, one tiny load and one first load back to back (so the three
    share the machine's state of the moment: on a shared VM it drifts); the result is the median trial."""
    inputs = make_inputs(data_dir, rows, fmt)
    tiny = make_inputs(data_dir, tiny_rows, fmt)
    scratch = data_dir / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    communes = ",".join(f"'{c}'" for c in GPSO)
    for f in (inputs["etablissements"], inputs["unites_legales"]):  # warm the page cache
        subprocess.run(["cat", f], stdout=subprocess.DEVNULL, check=True)
    trials = []
    for i in range(repeat):
        bare = _child(BARE, inputs["etablissements"], inputs["unites_legales"], fmt, str(scratch / f"bare{i}.duckdb"),
                      communes)
        fixed = _child(PIPELINE, tiny["etablissements"], tiny["unites_legales"], str(scratch / f"tiny{i}"), "2026-10")
        first = _child(PIPELINE, inputs["etablissements"], inputs["unites_legales"], str(scratch / f"wd{i}"),
                       "2026-10")
        # In-process seconds: interpreter start-up and imports are the same for every step and not the load's.
        ratio = round((first["seconds"] - fixed["seconds"]) / bare["seconds"], 3)
        # The same trial in CPU seconds: a second view (on this VM they drift about as much as wall seconds).
        cpu_ratio = round((first["cpu_s"] - fixed["cpu_s"]) / bare["cpu_s"], 3)
        trials.append({"bare_extraction": bare, "fixed_cost_tiny_stock": fixed, "first_load": first,
                       "ratio_load_vs_bare": ratio, "cpu_ratio_load_vs_bare": cpu_ratio})
    median = sorted(trials, key=lambda t: t["ratio_load_vs_bare"])[len(trials) // 2]
    again = _child(PIPELINE, inputs["etablissements"], inputs["unites_legales"],
                   str(scratch / f"wd{trials.index(median)}"), "2026-10")
    return {
        "format": fmt, "rows": inputs["etablissement_rows"], "ul_rows": inputs["unite_legale_rows"],
        "input_bytes": inputs["bytes"], **median, "rerun_same_file": again,
        "ratio_rerun_vs_first": round(again["seconds"] / median["first_load"]["seconds"], 3),
        "trials": trials,
        "peak_rss_mb_max": max(t["first_load"]["peak_rss_mb"] for t in trials),
        "goals": {"ratio_load_vs_bare": 1.4, "peak_rss_mb": 2048, "ratio_rerun_vs_first": 0.10},
    }
