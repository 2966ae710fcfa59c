"""Many territories from one national scan (issue 16), measured side by side in one run:

* scan: one union scan for N territories (extractors/sirene_national.py) against single-territory scans of a
  sample of them, extrapolated to N;
* steps: the whole month without Prefect, for N territories after one union scan, against single-territory
  months (scan, clean, load, publish) of the sample, extrapolated to N;
* cli: `radar run --territories DIR --workers W` for each W, against a long-lived Prefect server started here
  (`prefect server start`, as in the runbook), with the peak RSS of every Dask worker;
* prefect: Prefect's fixed cost on a small stock, `radar run` (one territory) against a long-lived server
  against the same steps called without Prefect.

Territories are generated over the scale generator's made-up communes (demo/generator.py): territory i takes
`--communes` consecutive communes of one department, departments in turn, never overlapping. Each measured step
runs in a process of its own (wall time, CPU time of the process and its children, peak RSS).

    python -m bench.territories --stock /work/benchdata/parquet-10000000 --territories 10,100 --sample 3

Results in bench/results/<date>-territories-<rows>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.run import environment
from bench.stock import PIPELINE

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEPARTMENTS = [f"{d:02d}" for d in range(1, 96) if d not in (20, 92)]  # the scale generator's


def territory_communes(n: int, per: int) -> dict[str, list[str]]:
    """slug -> communes: `per` consecutive made-up communes of a department, departments in turn."""
    out = {}
    for i in range(n):
        dep, block = DEPARTMENTS[i % len(DEPARTMENTS)], i // len(DEPARTMENTS)
        first = 1 + block * per
        if first + per - 1 > 600:
            raise SystemExit(f"{n} territories of {per} communes do not fit the generator's 600 per department")
        out[f"t{i:03d}-{dep}"] = [f"{dep}{c:03d}" for c in range(first, first + per)]
    return out


def write_territories(folder: Path, specs: dict[str, list[str]]) -> dict[str, Path]:
    from radar.config import DEFAULT_TERRITORY

    text = DEFAULT_TERRITORY.read_text(encoding="utf-8")
    tail = text[text.index("[sectors]"):]
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for slug, communes in specs.items():
        paths[slug] = folder / f"{slug}.toml"
        paths[slug].write_text(f'name = "Territory {slug}"\nslug = "{slug}"\n\n' + "".join(
            f'[[communes]]\ncode = "{c}"\nname = "Commune {c}"\n\n' for c in communes) + tail, encoding="utf-8")
    return paths


class _Watch(threading.Thread):
    """Samples the process tree under `pid` every 0.2 s: the peak RSS (VmHWM) of each process seen."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peaks, self.names, self.stop = pid, {}, {}, threading.Event()

    def tree(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            pids.append(p)
            try:
                for task in os.listdir(f"/proc/{p}/task"):
                    with open(f"/proc/{p}/task/{task}/children") as fh:
                        todo += [int(c) for c in fh.read().split()]
            except OSError:
                pass
        return pids

    def run(self):
        while not self.stop.is_set():
            for p in self.tree():
                try:
                    with open(f"/proc/{p}/status") as fh:
                        hwm = next(int(x.split()[1]) for x in fh if x.startswith("VmHWM:"))
                    with open(f"/proc/{p}/cmdline", "rb") as fh:
                        self.names[p] = fh.read().replace(b"\0", b" ").decode(errors="replace")[:160]
                except (OSError, StopIteration):
                    continue
                self.peaks[p] = max(self.peaks.get(p, 0), hwm)
            time.sleep(0.2)


def child(argv: list[str], *, env: dict | None = None, watch: bool = False) -> dict:
    """Run a process; its wall time, its CPU time with its children's, its peak RSS (the largest process of the
    tree, as wait4 reports it), its stdout's last JSON line when there is one; with `watch`, each process's peak."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    watcher = _Watch(proc.pid) if watch else None
    if watcher:
        watcher.start()
    chunks = {}
    readers = [threading.Thread(target=lambda k=k, f=f: chunks.__setitem__(k, f.read()), daemon=True)
               for k, f in (("out", proc.stdout), ("err", proc.stderr))]
    for r in readers:
        r.start()
    _, status, res = os.wait4(proc.pid, 0)  # the process's rusage, its reaped children's included
    proc.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join()
    stdout, stderr = chunks["out"], chunks["err"]
    wall = time.perf_counter() - started
    if watcher:
        watcher.stop.set()
        watcher.join()
    out = {"wall_s": round(wall, 3), "exit": proc.returncode}
    out.update(cpu_s=round(res.ru_utime + res.ru_stime, 3), peak_rss_mb=round(res.ru_maxrss / 1024, 1))
    if proc.returncode != 0:
        out["stderr"] = stderr[-1500:]
    lines = [x for x in stdout.strip().splitlines() if x.startswith("{")]
    if lines:
        out.update(json.loads(lines[-1]))
    else:
        out["stdout_tail"] = stdout[-600:]
    if watcher:
        workers = {p: kb for p, kb in watcher.peaks.items() if p != proc.pid and "python" in watcher.names.get(p, "")
                   and "resource_tracker" not in watcher.names[p]
                   and ("spawn" in watcher.names[p] or "multiprocessing" in watcher.names[p]
                        or "dask" in watcher.names[p] or "distributed" in watcher.names[p])}
        out["main_peak_rss_mb"] = round(watcher.peaks.get(proc.pid, 0) / 1024, 1)
        out["worker_peak_rss_mb"] = sorted(round(kb / 1024, 1) for kb in workers.values())
    return out


UNION_SCAN = r"""
import json, sys, time
from pathlib import Path
from extractors.sirene_national import Selection, scan_territories
from extractors.sirene_stock import describe_stock
etab, ul, out, specs = sys.argv[1], sys.argv[2], Path(sys.argv[3]), json.loads(Path(sys.argv[4]).read_text())
e, u = describe_stock(Path(etab), "etablissements"), describe_stock(Path(ul), "unites_legales")
t = time.perf_counter()
res = scan_territories(e, u, out, {s: Selection(tuple(c)) for s, c in specs.items()}, scratch_dir=out / "scratch")
print(json.dumps({"seconds": time.perf_counter() - t, "territories": len(res),
                  "etab_rows": sum(r.etablissements_rows for r in res.values()),
                  "ul_rows": sum(r.unites_legales_rows for r in res.values())}))
"""

SINGLE_SCAN = r"""
import json, sys, time
from pathlib import Path
from extractors.sirene_stock import describe_stock, scan_territory
etab, ul, out, communes = sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4].split(",")
e, u = describe_stock(Path(etab), "etablissements"), describe_stock(Path(ul), "unites_legales")
t = time.perf_counter()
r = scan_territory(e, u, out, commune_codes=communes, excluded_sirens=[], scratch_dir=out / "scratch")
print(json.dumps({"seconds": time.perf_counter() - t, "etab_rows": r.etablissements_rows,
                  "ul_rows": r.unites_legales_rows}))
"""

# The multi-territory flow's steps without Prefect: one national scan, then each territory's month from its rows.
MULTI_STEPS = r"""
import json, sys, time
from datetime import datetime, timezone
from pathlib import Path
from radar.config import Workdir, load_territory
from radar.territories import territory_file, territory_workdir
from steps import common, sirene_month as month_steps, sirene_territories as steps
etab, ul, root, month, files = sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4], sys.argv[5:]
wd = Workdir(root)
t = time.perf_counter()
slugs = steps.open_territories(root, files)
e = month_steps.resolve_stock(etab, "etablissements", wd)
u = month_steps.resolve_stock(ul, "unites_legales", wd)
s = time.perf_counter()
scanned = steps.scan_national(wd, slugs, e, u)
scan_s = time.perf_counter() - s
e, u = month_steps.with_hashes(wd, e, u)
per = []
for slug in slugs:
    s = time.perf_counter()
    twd, territory = territory_workdir(root, slug), load_territory(territory_file(root, slug))
    common.prepare_warehouse(twd)
    landing = month_steps.land_month(twd, territory, e, u, month, scanned=scanned[slug])
    staged = month_steps.transform_month(landing, territory)
    month_steps.load_month(twd, territory, staged, landing["etablissements"], landing["unites_legales"],
                           common.new_run_id(), datetime.now(timezone.utc))
    common.publish(twd, territory)
    per.append(time.perf_counter() - s)
steps.clear_scans(wd)
print(json.dumps({"seconds": time.perf_counter() - t, "scan_s": scan_s, "territory_s_median": sorted(per)[len(per) // 2],
                  "territory_s_total": sum(per)}))
"""


def prefect_server(home: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_SERVER_UI_ENABLED="false")
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port",
                               str(port), "--no-services"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    import httpx

    deadline = time.monotonic() + 180
    while True:
        if server.poll() is not None:
            raise RuntimeError("the Prefect server ended")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return server, url
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the Prefect server never answered")
        time.sleep(0.5)


def prefect_fixed_cost(args, work: Path, api: str, home: Path) -> dict:
    """`radar run` on the small stock against the same steps without Prefect, in alternated pairs after one
    warm-up of each (a shared machine drifts: the median of the pairwise differences is the figure)."""
    small = json.loads((args.small_stock / "inputs.json").read_text())
    etab, ul = small["etablissements"], small["unites_legales"]

    def with_prefect(label):
        return child([sys.executable, "-m", "cli.main", "run", "--stock-etablissements", etab, "--stock-unites-legales",
                      ul, "--month", args.month, "--workdir", str(work / f"small-{label}"), "--no-progress"],
                     env=radar_env(api, home))

    def without_prefect(label):
        return child([sys.executable, "-c", PIPELINE, etab, ul, str(work / f"small-bare-{label}"), args.month])

    with_prefect("warm-up"), without_prefect("warm-up")
    runs = [(with_prefect(k), without_prefect(k)) for k in range(args.pairs)]
    if any(a["exit"] or b["exit"] for a, b in runs):
        return {"error": "a run failed", "runs": runs}
    diffs = sorted(a["wall_s"] - b["wall_s"] for a, b in runs)
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    return {"pairs": len(runs), "beyond_steps_s": round(med(diffs), 2),
            "beyond_steps_range_s": [round(diffs[0], 2), round(diffs[-1], 2)],
            "with_prefect_wall_s": med([a["wall_s"] for a, _ in runs]),
            "without_prefect_wall_s": med([b["wall_s"] for _, b in runs]),
            "cpu_beyond_steps_s": round(med([a["cpu_s"] - b["cpu_s"] for a, b in runs]), 2),
            "steps_s": runs[len(runs) // 2][1].get("steps"), "runs": [[a["wall_s"], b["wall_s"]] for a, b in runs]}


def radar_env(api: str, home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_API_URL=api, PREFECT_HOME=str(home))
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stock", type=Path, default=Path("/work/benchdata/parquet-10000000"),
                        help="a folder with inputs.json (etablissements, unites_legales: Parquet or CSV files)")
    parser.add_argument("--small-stock", type=Path, default=Path("/work/benchdata/parquet-20000"),
                        help="the small stock of the Prefect fixed-cost measure")
    parser.add_argument("--month", default="2026-07", help="the month the stock describes (the bench data: 2026-07)")
    parser.add_argument("--territories", default="10,100", help="territory counts, comma-separated")
    parser.add_argument("--communes", type=int, default=30, help="communes per territory")
    parser.add_argument("--sample", type=int, default=3, help="single-territory runs measured per count")
    parser.add_argument("--workers", default="1,2", help="Dask local workers of the CLI runs, comma-separated")
    parser.add_argument("--cli-max", type=int, default=100, help="skip the CLI runs above this territory count")
    parser.add_argument("--pairs", type=int, default=5, help="alternated pairs of the Prefect fixed-cost measure")
    parser.add_argument("--only", default="scan,steps,cli,prefect", help="stages, comma-separated")
    parser.add_argument("--tag", default="")
    args = parser.parse_args(argv)
    stages = set(args.only.split(","))
    inputs = json.loads((args.stock / "inputs.json").read_text())
    etab, ul = inputs["etablissements"], inputs["unites_legales"]
    rows = inputs.get("etablissement_rows")
    out = {"environment": {**environment(), "loadavg_at_start": os.getloadavg()}, "stock": inputs,
           "args": {k: str(v) for k, v in vars(args).items()},
           "results": {}}
    results_path = HERE / "results" / (f"{datetime.now(UTC):%Y-%m-%d}-territories-{rows}{args.tag}.json")
    work = Path(tempfile.mkdtemp(prefix="bench-territories-"))
    server = None

    def save():
        results_path.write_text(json.dumps(out, indent=2) + "\n")

    def say(*parts):
        print(*parts, flush=True)

    try:
        subprocess.run(["cat", etab, ul], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
        if "cli" in stages or "prefect" in stages:
            t = time.perf_counter()
            server, api = prefect_server(work / "prefect-server")
            out["prefect_server_start_s"] = round(time.perf_counter() - t, 1)
            home = work / "prefect-client"
            home.mkdir()
        if "prefect" in stages:
            out["results"]["prefect_fixed_cost"] = r = prefect_fixed_cost(args, work, api, home)
            say("prefect fixed cost:", r["beyond_steps_s"], "s beyond the steps without Prefect (median of",
                r["pairs"], "pairs, range", r["beyond_steps_range_s"], ")")
            save()
        for n in (int(x) for x in args.territories.split(",")):
            specs = territory_communes(n, args.communes)
            sample = list(specs)[:: max(1, n // args.sample)][: args.sample]
            folder = work / f"territories-{n}"
            paths = write_territories(folder, specs)
            (work / f"specs-{n}.json").write_text(json.dumps(specs))
            res = out["results"].setdefault(str(n), {"sample": sample})
            if "scan" in stages:
                union = child([sys.executable, "-c", UNION_SCAN, etab, ul, str(work / f"union-{n}"),
                               str(work / f"specs-{n}.json")])
                singles = [child([sys.executable, "-c", SINGLE_SCAN, etab, ul, str(work / f"single-{n}-{s}"),
                                  ",".join(specs[s])]) for s in sample]
                shutil.rmtree(work / f"union-{n}", ignore_errors=True)
                res["scan"] = {"union": union, "singles": singles, **_extrapolate(union, singles, n)}
                say(f"{n} territories, scan:", json.dumps({k: v for k, v in res["scan"].items()
                                                           if k not in ("union", "singles")}))
                save()
            if "steps" in stages:
                multi = child([sys.executable, "-c", MULTI_STEPS, etab, ul, str(work / f"multi-{n}"), args.month,
                               *map(str, paths.values())])
                singles = []
                for s in sample:
                    wd = work / f"single-wd-{n}-{s}"
                    wd.mkdir(parents=True)
                    shutil.copy(paths[s], wd / "territory.toml")
                    singles.append(child([sys.executable, "-c", PIPELINE_FOR, etab, ul, str(wd), args.month,
                                          str(paths[s])]))
                    shutil.rmtree(wd, ignore_errors=True)
                shutil.rmtree(work / f"multi-{n}", ignore_errors=True)
                res["steps"] = {"multi": multi, "singles": singles, **_extrapolate(multi, singles, n)}
                say(f"{n} territories, steps without Prefect:", json.dumps(
                    {k: v for k, v in res["steps"].items() if k not in ("multi", "singles")}))
                save()
            if "cli" in stages and n <= args.cli_max:
                runs = res.setdefault("cli", {})  # each run kept as it ends (a cut bench keeps the ones made)
                for w in (int(x) for x in args.workers.split(",")):
                    wdir = work / f"cli-{n}-{w}"
                    runs[w] = child([sys.executable, "-m", "cli.main", "run", "--stock-etablissements", etab,
                                     "--stock-unites-legales", ul, "--month", args.month, "--territories",
                                     str(folder), "--workdir", str(wdir), "--workers", str(w), "--no-progress"],
                                    env=radar_env(api, home), watch=True)
                    shutil.rmtree(wdir, ignore_errors=True)
                    say(f"{n} territories, radar run --workers {w}:", runs[w]["wall_s"], "s wall,",
                        runs[w].get("cpu_s"), "s CPU, exit", runs[w]["exit"], "workers' peak RSS MB",
                        runs[w].get("worker_peak_rss_mb"))
                    save()
                ws = sorted(runs)
                if len(ws) > 1:
                    res["cli_speedup"] = round(runs[ws[0]]["wall_s"] / runs[ws[-1]]["wall_s"], 2)
                save()
    finally:
        if server:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)
        save()
    print(f"results: {results_path}")
    return 0


def _extrapolate(together: dict, singles: list[dict], n: int) -> dict:
    """N single-territory runs estimated from the sample's median, against the one run for N."""
    if not singles or any(s.get("exit") for s in singles) or together.get("exit"):
        return {"error": "a run failed"}
    med = lambda key: sorted(s[key] for s in singles)[len(singles) // 2]  # noqa: E731
    est_wall, est_cpu = med("wall_s") * n, med("cpu_s") * n
    return {"n": n, "together_wall_s": together["wall_s"], "together_cpu_s": together["cpu_s"],
            "single_median_wall_s": med("wall_s"), "single_median_cpu_s": med("cpu_s"),
            "singles_estimated_wall_s": round(est_wall, 1), "singles_estimated_cpu_s": round(est_cpu, 1),
            "speedup_wall": round(est_wall / together["wall_s"], 1), "speedup_cpu": round(est_cpu / together["cpu_s"], 1)}


# bench/stock.py's single-territory pipeline, for a territory file given as the last argument.
PIPELINE_FOR = PIPELINE.replace("etab, ul, workdir, month = sys.argv[1:5]",
                                "etab, ul, workdir, month, tfile = sys.argv[1:6]").replace(
    "load_territory()", "load_territory(tfile)")
assert PIPELINE_FOR != PIPELINE and "load_territory(tfile)" in PIPELINE_FOR

if __name__ == "__main__":
    sys.exit(main())
