"""Reconstruction from StockEtablissementHistorique: the scan of a France-scale historical file (10 million
periods by default, generated with DuckDB) against a bare DuckDB extraction of the same periods, then the whole
reconstruction of 24 months and its re-run.

The base is one month of the project's generated France-scale stock, loaded as `radar run` does; its followed
SIRETs get 1 to 4 periods each in the historical file, the rest of the file is other SIRETs' periods. Each
measured step runs in its own process (peak RSS of that process alone, see bench/stock.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from bench.stock import PIPELINE, _child, make_inputs

BASE_MONTH = "2026-10"
MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)
          if "2024-10" <= f"{y}-{m:02d}" < BASE_MONTH]

GENERATE = r"""
import duckdb, sys
followed, out, fmt, periods = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
con = duckdb.connect()
con.execute("SET preserve_insertion_order = false")
con.execute(f'''
CREATE TABLE f AS SELECT siret, row_number() OVER (ORDER BY siret) AS i FROM read_parquet('{followed}');
CREATE TABLE fp AS
    SELECT siret, k, i % 4 + 1 AS n FROM f, range(4) g(k) WHERE k < i % 4 + 1;
''')
followed_rows = con.execute("SELECT count(*) FROM fp").fetchone()[0]
filler = max(0, periods - followed_rows)
con.execute(f'''
CREATE VIEW p AS
WITH raw AS (
    SELECT siret, CAST(k AS INTEGER) AS k, n FROM fp
    UNION ALL
    SELECT '9' || lpad(CAST(r // 2 AS VARCHAR), 13, '0'), CAST(r % 2 AS INTEGER), 2 FROM range({filler}) t(r)
),
dated AS (
    SELECT *, DATE '2001-01-01' + CAST(k * 2200 + hash(siret, k) % 2000 AS INTEGER) AS start FROM raw
)
SELECT left(siret, 9) AS siren, right(siret, 5) AS nic, siret,
       CAST(lead(start) OVER (PARTITION BY siret ORDER BY k) - 1 AS VARCHAR) AS dateFin,
       CAST(start AS VARCHAR) AS dateDebut,
       CASE WHEN k = n - 1 AND hash(siret) % 5 = 0 THEN 'F' ELSE 'A' END AS etatAdministratifEtablissement,
       CASE WHEN k > 0 AND hash(siret) % 5 = 0 THEN 'true' ELSE 'false' END AS changementEtatAdministratifEtablissement,
       '' AS enseigne1Etablissement, '' AS enseigne2Etablissement, '' AS enseigne3Etablissement,
       'false' AS changementEnseigneEtablissement, '' AS denominationUsuelleEtablissement,
       'false' AS changementDenominationUsuelleEtablissement,
       CASE WHEN start < DATE '2008-01-01' THEN '72.2Z'
            ELSE ['62.01Z', '62.02A', '47.11F', '70.22Z', '56.10A'][CAST(1 + hash(siret, k, 'naf') % 5 AS BIGINT)] END
           AS activitePrincipaleEtablissement,
       CASE WHEN start < DATE '2008-01-01' THEN 'NAFRev1' ELSE 'NAFRev2' END
           AS nomenclatureActivitePrincipaleEtablissement,
       CASE WHEN k > 0 THEN 'true' ELSE 'false' END AS changementActivitePrincipaleEtablissement,
       CASE WHEN hash(siret) % 3 = 0 THEN 'O' ELSE 'N' END AS caractereEmployeurEtablissement,
       'false' AS changementCaractereEmployeurEtablissement
FROM dated
''')
opts = "(FORMAT parquet)" if fmt == "parquet" else "(FORMAT csv, HEADER true)"
con.execute(f"COPY (SELECT * FROM p) TO '{out}' {opts}")
print(con.execute("SELECT count(*) FROM p").fetchone()[0], followed_rows)
"""

BARE = r"""
import duckdb, json, sys, time
hist, fmt, followed, out = sys.argv[1:5]
read = f"read_parquet('{hist}')" if fmt == "parquet" else f"read_csv('{hist}', header=true, all_varchar=true)"
con = duckdb.connect(config={"threads": 2, "memory_limit": "4GB", "preserve_insertion_order": False})
t = time.perf_counter()
con.execute(f"COPY (SELECT * FROM {read} WHERE siret IN (SELECT siret FROM read_parquet('{followed}'))) "
            f"TO '{out}' (FORMAT parquet)")
rows = con.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone()[0]
print(json.dumps({"seconds": time.perf_counter() - t, "rows": rows}))
"""

SCAN = r"""
import json, sys, time
from pathlib import Path
import duckdb
from extractors.sirene_stock import describe_stock
from extractors.sirene_history import scan_history
hist, followed, out, scratch = sys.argv[1:5]
sirets = [r[0] for r in duckdb.execute(f"SELECT siret FROM read_parquet('{followed}')").fetchall()]
t = time.perf_counter()
stock = describe_stock(Path(hist), "historique")
hashed = time.perf_counter() - t
scan = scan_history(stock, sirets, Path(out), scratch_dir=Path(scratch), threads=2)
print(json.dumps({"seconds": time.perf_counter() - t, "hash_seconds": round(hashed, 3), "rows": scan.rows,
                  "sirets_found": scan.sirets_found}))
"""

RECONSTRUCT = r"""
import json, sys, time
from datetime import datetime, timezone
from pathlib import Path
from steps import sirene_history, sirene_month
from radar.config import Workdir, load_territory
from steps import common
hist, workdir, months = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
wd, territory = Workdir(Path(workdir)), load_territory()
t = time.perf_counter()
timings = {}
def step(name, fn, *a, **k):
    s = time.perf_counter(); r = fn(*a, **k); timings[name] = round(time.perf_counter() - s, 3); return r
planned = step("plan", sirene_history.plan_history, wd, months)
h = step("resolve", sirene_month.resolve_stock, hist, "historique", wd)
if step("check_unchanged", sirene_history.check_history_unchanged, wd, planned["months"], h):
    status = "unchanged"
else:
    landing = step("land", sirene_history.land_history, wd, h, planned["base_month"])
    step("load", sirene_history.load_history, wd, territory, landing, h, planned["months"],
         common.new_run_id(), datetime.now(timezone.utc))
    step("publish", common.publish, wd, territory)
    status = "reconstructed"
print(json.dumps({"seconds": time.perf_counter() - t, "status": status, "months": len(planned["months"]),
                  "steps": timings}))
"""


def bench_history(data_dir: Path, periods: int, fmt: str, stock_rows: int) -> dict:
    import duckdb

    stock = make_inputs(data_dir, stock_rows, "parquet")
    scratch = data_dir / f"history-scratch-{fmt}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    wd = scratch / "wd"
    base = _child(PIPELINE, stock["etablissements"], stock["unites_legales"], str(wd), BASE_MONTH)
    followed = scratch / "followed.parquet"
    con = duckdb.connect(str(wd / "warehouse.duckdb"), read_only=True)
    con.execute(f"""COPY (SELECT DISTINCT siret FROM core.establishment_monthly WHERE month = '{BASE_MONTH}-01')
                    TO '{followed}' (FORMAT parquet)""")
    con.close()
    hist = data_dir / f"history-{fmt}-{periods}-{stock_rows}" / ("StockEtablissementHistorique_utf8."
                                                                  + ("parquet" if fmt == "parquet" else "csv"))
    if not hist.is_file():
        hist.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-c", GENERATE, str(followed), str(hist), fmt, str(periods)], check=True)
    subprocess.run(["cat", str(hist)], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
    bare = _child(BARE, str(hist), fmt, str(followed), str(scratch / "bare.parquet"))
    scan = _child(SCAN, str(hist), str(followed), str(scratch / "scan.parquet"), str(scratch / "tmp"))
    first = _child(RECONSTRUCT, str(hist), str(wd), ",".join(MONTHS))
    again = _child(RECONSTRUCT, str(hist), str(wd), ",".join(MONTHS))
    return {
        "format": fmt, "periods": periods, "input_bytes": hist.stat().st_size, "stock_rows": stock_rows,
        "base_load": base, "bare_extraction": bare, "scan": scan, "reconstruction": first, "rerun_same_file": again,
        "ratio_scan_vs_bare": round((scan["seconds"] - scan["hash_seconds"]) / bare["seconds"], 3),
        "ratio_rerun_vs_first": round(again["seconds"] / first["seconds"], 3),
    }


def summary(r: dict) -> str:
    return (f"[history/{r['format']}] {r['periods']:,} periods ({r['input_bytes'] / 2**20:,.0f} MiB), "
            f"{r['scan']['sirets_found']:,} followed SIRETs: bare {r['bare_extraction']['seconds']:.1f} s, "
            f"scan {r['scan']['seconds']:.1f} s (hash {r['scan']['hash_seconds']:.1f} s), "
            f"scan/bare {r['ratio_scan_vs_bare']}; peak RSS {r['scan']['peak_rss_mb']} MB; "
            f"{r['reconstruction']['months']} months reconstructed in {r['reconstruction']['seconds']:.1f} s "
            f"(peak RSS {r['reconstruction']['peak_rss_mb']} MB); re-run {r['ratio_rerun_vs_first']} of it")


if __name__ == "__main__":
    import sys

    out = bench_history(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    print(json.dumps(out, indent=2))
